# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""FitNets hint loss."""

from typing import List, Sequence

import torch.nn as nn
import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor

from ...utils.resize import resize_bilinear
from ...utils.stage_inputs import ChannelSpec, resolve_stage
from .stage_feature_kd_loss import StageFeatureKDLoss


@MODELS.register_module()
class FitNetLoss(StageFeatureKDLoss):
    """FitNets hint loss on one mid-level stage.

    Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015. The
    student's "guided" layer (the top, highest-resolution branch of stage
    ``student_stage``) is mapped by a learned regressor ``r`` to the
    channels of the teacher's "hint" layer (top branch of ``teacher_stage``)
    and pulled towards it:

    .. math::

        L_{hint} = w \\cdot N \\cdot \\frac{1}{N C_t H_t W_t}
            \\left\\| F^t - \\mathrm{resize}(r(F^s)) \\right\\|_2^2

    where ``r`` is a 1x1 convolution (no bias) followed by BatchNorm,
    ``resize`` is bilinear (``align_corners=False``) to the teacher's spatial
    size and is skipped when the sizes already agree, and ``w`` is
    ``loss_weight``. The paper uses a convolutional regressor and the
    squared L2 norm with a factor 1/2, trained in a separate hint stage;
    here the mean squared error is optimised jointly with the task loss, as
    in the usual re-implementations. The teacher features are detached.

    Args:
        student_channels (Sequence[int | Sequence[int]]): Per student stage,
            its channels (an int for one branch or each branch's channels,
            highest resolution first), e.g. LiteHRNet-18 ``[[40, 80],
            [40, 80, 160], [40, 80, 160, 320]]``. Filled in by the
            distiller.
        teacher_channels (Sequence[int | Sequence[int]]): The same for the
            teacher, e.g. HRNet-W32 ``[[32, 64], [32, 64, 128], [32]]``.
        student_stage (int): Index of the guided student stage (negative
            values count from the end). Defaults to 1.
        teacher_stage (int): Index of the hint teacher stage. Defaults to 1.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
    """

    def __init__(
        self,
        student_channels: Sequence[ChannelSpec],
        teacher_channels: Sequence[ChannelSpec],
        student_stage: int = 1,
        teacher_stage: int = 1,
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__(student_channels, teacher_channels, loss_weight)
        owner = self.owner
        self.student_stage = resolve_stage(
            student_stage, len(self.student_channels), 'student_stage', owner
        )
        self.teacher_stage = resolve_stage(
            teacher_stage, len(self.teacher_channels), 'teacher_stage', owner
        )
        in_channels = self.student_channels[self.student_stage][0]
        out_channels = self.teacher_channels[self.teacher_stage][0]
        self.regressor = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )

    def feature_loss(
        self, student: List[Tensor], teacher: List[Tensor], batch_size: int
    ) -> Tensor:
        """The unweighted loss (see :class:`StageFeatureKDLoss`)."""
        hint = teacher[self.teacher_stage]
        guided = resize_bilinear(
            self.regressor(student[self.student_stage]), hint.shape[-2:]
        )
        return F.mse_loss(guided, hint)
