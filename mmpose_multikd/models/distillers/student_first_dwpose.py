# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""MMPose's ``DWPoseDistiller`` with the student initialised as a plain run
of its own config is (paired seeds)."""

from typing import Optional

import torch
from mmengine.config import Config
from mmpose.models import build_pose_estimator
from mmpose.models.distillers import DWPoseDistiller
from mmpose.registry import MODELS


@MODELS.register_module()
class StudentFirstDWPoseDistiller(DWPoseDistiller):
    """``DWPoseDistiller``, its student built and initialised from the
    random state a plain run of the student's config would use.

    MMPose's ``DWPoseDistiller`` builds the teacher before the student, so
    under one ``randomness.seed`` its student starts from other weights
    than the student trained alone (and than ``MultiKDDistiller``'s, which
    builds the student first). This subclass changes only that: after
    MMPose's own ``__init__`` it builds the student again from the random
    state the construction started in, and :meth:`init_weights`
    initialises it from the state right after that build, as MMEngine's
    ``Runner`` would for the student's own config. Everything else (the
    losses, their linear decay ``1 - epoch / max_epochs``, the loss of the
    student's head, prediction) is MMPose's.

    Args:
        teacher_cfg (str): The teacher's config file.
        student_cfg (str): The student's config file.
        distill_cfg (list, optional): MMPose's ``distill_cfg`` (``FeaLoss``
            as ``loss_fea``, ``KDLoss`` as ``loss_logit``).
        teacher_pretrained (str, optional): The trained teacher.
        **kwargs: The other arguments of ``DWPoseDistiller``.
    """

    def __init__(
        self,
        teacher_cfg: str,
        student_cfg: str,
        distill_cfg: Optional[list] = None,
        teacher_pretrained: Optional[str] = None,
        **kwargs,
    ) -> None:
        start_state = torch.get_rng_state()
        super().__init__(
            teacher_cfg,
            student_cfg,
            distill_cfg=distill_cfg,
            teacher_pretrained=teacher_pretrained,
            **kwargs,
        )
        after_init_state = torch.get_rng_state()
        torch.set_rng_state(start_state)
        self.student = build_pose_estimator(Config.fromfile(student_cfg).model)
        self._student_init_rng_state = torch.get_rng_state()
        # what MMPose's __init__ read off the first student
        if not kwargs.get('train_cfg'):
            self.train_cfg = self.student.train_cfg
        self.test_cfg = self.student.test_cfg
        self.metainfo = self.student.metainfo
        # the losses and whatever follows draw from where MMPose left off
        torch.set_rng_state(after_init_state)

    def init_weights(self) -> None:
        """Load the teacher (MMPose's ``init_weights``), with the student
        initialised from the state right after its build."""
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._student_init_rng_state)
            super().init_weights()
