# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Multi-KD distiller: a frozen SimDR teacher teaches a SimDR student."""

from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmpose.registry import MODELS
from mmpose.utils.typing import ForwardResults, OptSampleList, SampleList
from torch import Tensor

from ..losses.distill_loss import (
    CAPTURE_STUDENT_SIMCC,
    CAPTURE_STUDENT_STAGES,
    CAPTURE_TEACHER_HEAD,
    CAPTURE_TEACHER_STAGES,
    INPUT_GROUPS,
    DistillStep,
    captures_of,
    resolve_distill_inputs,
)
from ..utils.model_config import ModelSpec, load_model_config
from ..utils.precision import float32_output_hook
from .config_checks import check_distiller_options, signature_options
from .feature_taps import FeatureTaps, default_tap_paths
from .loss_weight_schedule import linear_decay_factor
from .network_checks import (
    check_heads_agree,
    check_inputs_fit_teacher_head,
    check_same_preprocessing,
)
from .teacher_checkpoint import (
    drop_teacher_state,
    keep_teacher_state,
    load_teacher_weights,
)

# The modules of MMPose's SimCCHead whose outputs are (pred_x, pred_y).
SIMCC_HEAD_TAPS = ('head.mlp_head_x', 'head.mlp_head_y')


@MODELS.register_module()
class MultiKDDistiller(BaseModel):
    """Distil a frozen pose estimator (teacher) into another (student).

    ``loss()`` returns the student's own MMPose losses (``L_task``; for a
    SimDR student ``loss_kpt`` from ``KLDiscretLoss``) plus one entry per
    distillation loss, so the total MMEngine optimises is::

        L = L_task + sum_j w_j * s(t) * L_j

    where ``w_j`` is each loss's ``loss_weight`` (beta for ``loss_fkd``,
    lambda for ``loss_vkd``) and ``s(t)`` the optional loss-weight schedule.

    Each distillation loss declares what it is called with (the contract
    in :mod:`..losses.distill_loss`): the names of its ``forward``'s
    arguments in ``distill_inputs`` (a :class:`DistillLoss`), or an
    ``inputs`` key in its config. A step captures only what the declared
    inputs need, e.g.

    - ``('student_stage_feats', 'teacher_stage_feats')``: lists over the
      tapped stages of lists of branch tensors;
    - ``('student_simcc', 'teacher_simcc', 'target_weight')``: the heads'
      ``(pred_x, pred_y)`` logits and the keypoint weights;
    - ``('student_simcc', 'teacher_heatmaps', 'target_weight')``: for a
      teacher with a heatmap head (MMPose's ``HeatmapHead``, e.g. a
      model-zoo HRNet), its ``(N, K, h, w)`` heatmaps (see
      :class:`HeatmapVKDLoss`).

    The teacher's head may be a SimDR head (``SimCCHead``) or a heatmap
    head; both heads must predict the same keypoints from the same input
    size (checked when the distiller is built). Feature losses read the
    backbones and do not depend on the head.

    Stage features come from forward hooks (:class:`FeatureTaps`) on the
    teacher's and student's modules, the student's logits from hooks on its
    head's output layers, so each network runs forward exactly once per
    step. The teacher always runs in ``eval()`` under ``torch.no_grad()``:
    it gets no gradient and its BN statistics never change.

    Mixed precision: under autocast (``AmpOptimWrapper``) the student's
    SimDR logits leave its head in float32 during :meth:`loss` (a forward
    hook on ``student_simcc_taps``), for its own loss and accuracy and for
    the distillation losses, which compute in float32 (``docs/method.md``).

    Args:
        teacher (str | dict): Teacher model config, or path of its full
            config (``mmpose::`` paths allowed).
        student (str | dict): Student model config or config path.
        teacher_ckpt (str, optional): Trained teacher weights, loaded in
            :meth:`init_weights` (strictly; required for training).
        teacher_taps (Sequence[str], optional): Module paths of the teacher's
            stages. Defaults to :func:`default_tap_paths`.
        student_taps (Sequence[str], optional): Same for the student.
        student_simcc_taps (Sequence[str]): Module paths whose outputs are
            the student's x and y SimDR logits during its own loss
            computation (MMPose heads call ``self.forward`` directly, which
            hooks on the head itself do not see). Defaults to
            ``SimCCHead``'s ``head.mlp_head_x`` / ``head.mlp_head_y``.
        distill_losses (dict): Output name -> loss config, built from
            MMPose's ``MODELS`` registry; a ``None`` config switches that
            loss off (ablations). Feature losses without
            ``student_channels``/``teacher_channels`` get them filled in
            from a dry run.
        loss_weight_schedule (dict, optional): See
            :func:`linear_decay_factor`.
        save_teacher (bool): Whether ``state_dict()`` (and so every
            checkpoint) holds the frozen teacher. False leaves it out (the
            checkpoints shrink by the teacher's size); loading such a state
            dict keeps the teacher's current weights, which
            :meth:`init_weights` loads from ``teacher_ckpt`` on resume.
            Defaults to True.
        data_preprocessor (dict, optional): Defaults to the student's.
        train_cfg (dict, optional): Unused, accepted because MMPose's
            ``init_model`` sets ``model.train_cfg``; the student keeps its
            own ``train_cfg``.
        init_cfg (dict, optional): Unused; weights come from the student's
            own init and ``teacher_ckpt``.
        backbone (dict, optional): Unused. MMPose's ``init_model`` (and so
            ``MMPoseInferencer``) reads ``model.backbone`` of any pose
            config to clear a pretrained ``init_cfg``; the distiller
            configs carry an empty ``backbone=dict()`` for it. The
            networks' backbones are in ``teacher`` and ``student``.
        **unknown_options: Rejected: a ``TypeError`` names each unknown
            ``model.<key>`` (see :func:`check_distiller_options`, which
            checks all options' types first).
    """

    def __init__(
        self,
        teacher: ModelSpec,
        student: ModelSpec,
        teacher_ckpt: Optional[str] = None,
        teacher_taps: Optional[Sequence[str]] = None,
        student_taps: Optional[Sequence[str]] = None,
        student_simcc_taps: Sequence[str] = SIMCC_HEAD_TAPS,
        distill_losses: Optional[Dict[str, dict]] = None,
        loss_weight_schedule: Optional[dict] = None,
        save_teacher: bool = True,
        data_preprocessor: Optional[dict] = None,
        train_cfg: Optional[dict] = None,
        init_cfg: Optional[dict] = None,
        backbone: Optional[dict] = None,
        **unknown_options,
    ):
        check_distiller_options(
            locals(), unknown_options, signature_options(type(self).__init__)
        )
        student_cfg = load_model_config(student)
        teacher_cfg = load_model_config(teacher)
        if data_preprocessor is None:
            data_preprocessor = student_cfg.get('data_preprocessor')
        if isinstance(data_preprocessor, dict):
            # mmpose's registry, whatever the current default scope
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        check_same_preprocessing(student_cfg, teacher_cfg)

        self.student = MODELS.build(student_cfg)
        # The CPU random state right after the student is built, i.e. where
        # a plain run of the student config stands when MMEngine calls its
        # init_weights(): init_weights() restores it around the student's
        # initialisation, so that under one seed the student starts from the
        # same weights whatever teacher and losses are built after it
        # (paired seeds across ablation rows and compared distillers).
        self._student_init_rng_state = torch.get_rng_state()
        self.teacher = MODELS.build(teacher_cfg)
        self.teacher.requires_grad_(False)
        self.teacher.eval()
        self.teacher_ckpt = teacher_ckpt
        self.loss_weight_schedule = loss_weight_schedule
        self.save_teacher = save_teacher
        if not save_teacher:
            self._register_state_dict_hook(drop_teacher_state)
            self._register_load_state_dict_pre_hook(
                keep_teacher_state, with_module=True
            )

        self.student_taps = FeatureTaps(
            self.student, student_taps or default_tap_paths(self.student)
        )
        self.teacher_taps = FeatureTaps(
            self.teacher, teacher_taps or default_tap_paths(self.teacher)
        )
        self.student_simcc_taps = FeatureTaps(self.student, student_simcc_taps)

        dry_run = self._dry_run()
        self.distill_inputs: Dict[str, Tuple[str, ...]] = {}
        self.distill_losses = nn.ModuleDict()
        for name, loss_cfg in (distill_losses or {}).items():
            if loss_cfg is None:  # switched off, e.g. by an ablation config
                continue
            self.distill_losses[name] = self._build_distill_loss(
                name, loss_cfg, dry_run
            )
        # what a step captures for these losses' inputs (fixed once built)
        self.step_captures = captures_of(
            name for names in self.distill_inputs.values() for name in names
        )
        if self.teacher_head_kind == 'heatmap':
            MMLogger.get_current_instance().info(
                f'MultiKDDistiller: the teacher head '
                f'({type(self.teacher.head).__name__}) outputs heatmaps; '
                'feature losses read the backbones as usual, and losses '
                "taking 'teacher_heatmaps' (HeatmapVKDLoss) get SimDR "
                "distributions from the heatmaps' x and y marginals."
            )

    # ------------------------------------------------------------ building
    @torch.no_grad()
    def _dry_run(self) -> dict:
        """Check the heads agree and read the tapped stages' channels.

        Channels come from one eval forward of both backbones on a blank
        64x64 image (channels do not depend on the input size).
        """
        self.teacher_head_kind = check_heads_agree(
            self.student.head, self.teacher.head
        )
        inputs = torch.zeros(1, 3, 64, 64)
        was_training = self.student.training
        self.student.eval()
        try:
            with self.student_taps, self.teacher_taps:
                self.student.extract_feat(inputs)
                self.teacher.extract_feat(inputs)
                student_feats = self.student_taps.pop()
                teacher_feats = self.teacher_taps.pop()
        finally:
            self.student.train(was_training)
        return dict(
            student_channels=[[b.shape[1] for b in s] for s in student_feats],
            teacher_channels=[[b.shape[1] for b in s] for s in teacher_feats],
        )

    def _build_distill_loss(
        self, name: str, loss_cfg: dict, dry_run: dict
    ) -> nn.Module:
        """Build one loss and check its declared inputs against the
        teacher's head; feature losses get the tapped channels."""
        loss_cfg = dict(loss_cfg)
        inputs = loss_cfg.pop('inputs', None)
        loss_cls = MODELS.get(loss_cfg.get('type'))
        if loss_cls is None:
            raise KeyError(
                f'distill_losses.{name}: type '
                f'{loss_cfg.get("type")!r} is not registered in '
                "mmpose's MODELS"
            )
        declared = inputs or getattr(loss_cls, 'distill_inputs', ())
        if isinstance(declared, str):
            declared = INPUT_GROUPS.get(declared, ())
        if 'student_stage_feats' in declared:
            for key in ('student_channels', 'teacher_channels'):
                loss_cfg.setdefault(key, dry_run[key])
        loss = MODELS.build(loss_cfg)
        names = resolve_distill_inputs(name, loss, inputs)
        check_inputs_fit_teacher_head(
            name, loss, names, self.teacher.head, self.teacher_head_kind
        )
        self.distill_inputs[name] = names
        return loss

    # ------------------------------------------------------------- weights
    def init_weights(self) -> None:
        """Initialise the student and losses; load the teacher checkpoint.

        The student is initialised first, from the CPU random state it was
        built in (the teacher's and the losses' construction drew random
        numbers since): under one ``randomness.seed`` its weights equal
        those of a plain run of the student's own config and of every other
        distiller with that student, tensor for tensor. On a GPU the student
        is the first module initialised there, as in a plain run. The
        losses then draw from the state the construction left.

        The teacher's own ``init_cfg`` (e.g. ImageNet weights) is never used:
        a distillation teacher must be trained.
        """
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._student_init_rng_state)
            self.student.init_weights()
        for loss in self.distill_losses.values():
            if hasattr(loss, 'init_weights'):
                loss.init_weights()
        self.load_teacher_checkpoint()

    def load_teacher_checkpoint(self) -> None:
        """Load ``teacher_ckpt`` strictly, with errors that name the cause
        (see :func:`load_teacher_weights`)."""
        load_teacher_weights(
            self.teacher, self.teacher_ckpt, self.save_teacher
        )

    @property
    def test_cfg(self) -> dict:
        """The student's ``test_cfg`` (e.g. flip test), which MMPose's
        inferencers read and change on the model they predict with."""
        return self.student.test_cfg

    def train(self, mode: bool = True) -> 'MultiKDDistiller':
        """Set the student's mode; the teacher stays in ``eval()``."""
        super().train(mode)
        self.teacher.eval()
        return self

    # ------------------------------------------------------------- forward
    def forward(
        self,
        inputs: Tensor,
        data_samples: OptSampleList = None,
        mode: str = 'tensor',
    ) -> ForwardResults:
        """``loss`` distils; ``predict`` and ``tensor`` are the student's."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('predict', 'tensor'):
            return self.student(inputs, data_samples, mode=mode)
        raise RuntimeError(
            f'Invalid mode "{mode}". Only supports loss, '
            'predict and tensor mode.'
        )

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """The student's prediction (flip test per its ``test_cfg``)."""
        return self.student(inputs, data_samples, mode='predict')

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Student losses plus the weighted distillation losses.

        Args:
            inputs (Tensor): Images (N, 3, H, W).
            data_samples (list[PoseDataSample]): With SimDR labels.

        Returns:
            dict: ``loss_kpt``, ``acc_pose`` and one entry per distill loss.
        """
        captures = self.step_captures
        need_simcc = CAPTURE_STUDENT_SIMCC in captures
        need_feats = CAPTURE_STUDENT_STAGES in captures
        teacher_feats, teacher_head_out = self._teacher_forward(
            inputs,
            CAPTURE_TEACHER_STAGES in captures,
            CAPTURE_TEACHER_HEAD in captures,
        )

        # the student's SimDR logits in float32 under autocast (AMP), for
        # its own loss and accuracy (MMPose converts them to NumPy, which
        # has no bfloat16) and for the distillation losses; registered
        # before the taps, which then record the float32 logits
        handles = [
            module.register_forward_hook(float32_output_hook)
            for module in self.student_simcc_taps.modules
        ]
        student_taps = [self.student_simcc_taps] if need_simcc else []
        if need_feats:
            student_taps.append(self.student_taps)
        for taps in student_taps:
            taps.register()
        try:
            losses = self.student.loss(inputs, data_samples)
            step = DistillStep(
                inputs,
                data_samples,
                student_stage_feats=(
                    self.student_taps.pop() if need_feats else None
                ),
                teacher_stage_feats=teacher_feats,
                student_simcc=(
                    tuple(
                        branches[0]
                        for branches in self.student_simcc_taps.pop()
                    )
                    if need_simcc
                    else None
                ),
                teacher_head_output=teacher_head_out,
            )
        finally:
            for taps in student_taps:
                taps.remove()
            for handle in handles:
                handle.remove()

        factor = linear_decay_factor(self.loss_weight_schedule)
        extra_log_vars = {}
        for name, loss_module in self.distill_losses.items():
            value = loss_module(
                *(
                    step.read(input_name)
                    for input_name in self.distill_inputs[name]
                )
            )
            losses[name] = value * factor
            if hasattr(loss_module, 'log_vars'):
                extra_log_vars.update(loss_module.log_vars())
        # logged by MMEngine after the losses, not optimised (no 'loss' in
        # the names)
        losses.update(extra_log_vars)
        return losses

    @torch.no_grad()
    def extract_stage_feats(
        self, inputs: Tensor
    ) -> Tuple[List[List[Tensor]], List[List[Tensor]]]:
        """The tapped stage features of both networks, without gradient.

        What the feature losses read during training, for analysis tools
        (e.g. ``tools/analysis/vis_attention_weights.py``); the student
        runs in its current mode.

        Args:
            inputs (Tensor): Preprocessed images ``(N, 3, H, W)``.

        Returns:
            tuple: ``(student_stage_feats, teacher_stage_feats)``, lists
            over the tapped stages of lists of branch tensors.
        """
        teacher_feats, _ = self._teacher_forward(inputs, True, False)
        with self.student_taps:
            self.student.extract_feat(inputs)
            student_feats = self.student_taps.pop()
        return student_feats, teacher_feats

    @torch.no_grad()
    def _teacher_forward(
        self, inputs: Tensor, need_feats: bool, need_head: bool
    ) -> Tuple[Optional[List[List[Tensor]]], object]:
        """Tapped stage features and the head's output (SimDR logits or
        heatmaps) of the frozen teacher, each only when needed."""
        if not (need_feats or need_head):
            return None, None
        self.teacher.eval()
        if need_feats:
            with self.teacher_taps:
                backbone_feats = self.teacher.extract_feat(inputs)
                teacher_feats = self.teacher_taps.pop()
        else:
            backbone_feats, teacher_feats = (
                self.teacher.extract_feat(inputs),
                None,
            )
        head_out = self.teacher.head(backbone_feats) if need_head else None
        if isinstance(head_out, list):
            head_out = tuple(head_out)
        return teacher_feats, head_out
