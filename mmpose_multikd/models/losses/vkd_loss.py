# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Vanilla KD on SimDR: KL between teacher and student distributions."""

from typing import Optional, Sequence, Tuple

import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor

from ..utils.precision import float32_forward
from .distill_loss import DistillLoss

AXIS_NAMES = ('x', 'y')


@MODELS.register_module()
class VKDLoss(DistillLoss):
    """Vanilla knowledge distillation loss on SimDR (SimCC) distributions.

    For every keypoint the teacher's and the student's 1-D logits along each
    axis are turned into distributions with a temperature ``tau`` and the
    student is pulled towards the teacher with the KL divergence:

    .. math::

        L_{vkd} = w \\cdot \\sum_{n=1}^{N} \\sum_{k=1}^{K}
            m_{n,k} \\left[ KL(T^x_{n,k} \\| S^x_{n,k})
            + KL(T^y_{n,k} \\| S^y_{n,k}) \\right] \\tau^2

    with :math:`T = softmax(z_t / \\tau)`, :math:`S = softmax(z_s / \\tau)`
    over the bins (last dim), :math:`KL(T \\| S) = \\sum_i T_i (\\log T_i -
    \\log S_i)`, :math:`w` the ``loss_weight`` and :math:`m_{n,k}` the target
    weight (``1`` when ``use_target_weight=False``). Both log-distributions
    are computed with ``log_softmax`` for numerical stability. The teacher
    logits are detached: no gradient flows into the teacher.

    The KL is **summed** over the samples of the batch, as MMPose's
    ``KLDiscretLoss`` (the task loss ``L_task``) sums its per-keypoint terms
    over the samples: the ratio ``lambda * L_vkd / L_task`` then does not
    depend on the batch size, so one ``loss_weight`` holds at the demo's
    batch 32 and at 64 per GPU. The paper writes ``1/N`` in front of the
    sum; that factor is dropped on purpose (``docs/method.md``).

    Note:
        The source paper writes a minus sign in front of the KL term. That is
        a typo: minimising a negative KL would push the student *away* from
        the teacher. The positive KL above is implemented.

    Under autocast (AMP) the loss computes in float32
    (:func:`float32_forward`): the softmaxes run over hundreds of bins.

    Args:
        temperature (float): Softmax temperature ``tau`` (> 0).
            Defaults to 1.0.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
        use_target_weight (bool): Multiply each keypoint's KL by its target
            weight, so that keypoints with weight 0 contribute nothing.
            Defaults to False.
        teacher_error_radius (float, optional): Distil only where the
            teacher is right: :math:`m_{n,k}` is further multiplied by 1
            where the teacher's most likely bin lies within this many bins
            of the label's on both axes, else 0 (a departure from the
            paper, ``docs/method.md``). Needs the SimDR labels
            (``keypoint_labels``, which ``MultiKDDistiller`` passes).
            Defaults to None (off).
    """

    # What ``MultiKDDistiller`` calls the loss with (``distill_loss``).
    distill_inputs = ('student_simcc', 'teacher_simcc', 'target_weight')

    def __init__(
        self,
        temperature: float = 1.0,
        loss_weight: float = 1.0,
        use_target_weight: bool = False,
        teacher_error_radius: Optional[float] = None,
    ) -> None:
        super().__init__()
        if teacher_error_radius is not None and teacher_error_radius < 0:
            raise ValueError(
                'VKDLoss: teacher_error_radius must be >= 0 bins, got '
                f'{teacher_error_radius}.'
            )
        self.teacher_error_radius = teacher_error_radius
        if teacher_error_radius is not None:  # the SimDR labels too
            self.distill_inputs = (*self.distill_inputs, 'keypoint_labels')
        if temperature <= 0:
            raise ValueError(
                f'VKDLoss: temperature must be > 0, got {temperature}.'
            )
        self.temperature = float(temperature)
        self.loss_weight = float(loss_weight)
        self.use_target_weight = use_target_weight

    @float32_forward
    def forward(
        self,
        student_simcc: Sequence[Tensor],
        teacher_simcc: Sequence[Tensor],
        target_weight: Optional[Tensor] = None,
        keypoint_labels: Optional[Sequence[Tensor]] = None,
    ) -> Tensor:
        """Compute the VKD loss.

        Args:
            student_simcc (Sequence[Tensor]): Student logits
                ``(pred_x, pred_y)`` shaped ``(N, K, Lx)`` and
                ``(N, K, Ly)``.
            teacher_simcc (Sequence[Tensor]): Teacher logits with the same
                shapes as the student's.
            target_weight (Tensor, optional): Keypoint weights ``(N, K)``.
                Required when ``use_target_weight=True``.
            keypoint_labels (Sequence[Tensor], optional): The SimDR labels
                ``(x, y)``, shaped like the logits. Required with
                ``teacher_error_radius``.

        Returns:
            Tensor: The scalar loss.
        """
        self._check_inputs(student_simcc, teacher_simcc)
        teacher_log_probs = self.teacher_log_probs(
            teacher_simcc, student_simcc
        )
        per_keypoint = sum(
            self._axis_kl(student, log_teacher)
            for student, log_teacher in zip(student_simcc, teacher_log_probs)
        )
        if self.use_target_weight:
            per_keypoint = per_keypoint * self._checked_target_weight(
                target_weight, per_keypoint
            )
        if self.teacher_error_radius is not None:
            per_keypoint = per_keypoint * self.teacher_right_mask(
                teacher_log_probs, keypoint_labels
            )
        loss = per_keypoint.sum() * self.temperature**2
        return loss * self.loss_weight

    def teacher_log_probs(
        self, teacher_simcc: Sequence[Tensor], student_simcc: Sequence[Tensor]
    ) -> Tuple[Tensor, Tensor]:
        """The teacher's log-distributions ``log T`` on the student's bins.

        Args:
            teacher_simcc (Sequence[Tensor]): Teacher logits
                ``(pred_x, pred_y)``, detached here.
            student_simcc (Sequence[Tensor]): Student logits (unused here;
                subclasses read the bins from them).

        Returns:
            tuple[Tensor, Tensor]: ``log softmax(z_t / tau)`` per axis,
            shaped like the student's logits.
        """
        return tuple(
            F.log_softmax(teacher.detach() / self.temperature, dim=-1)
            for teacher in teacher_simcc
        )

    def teacher_right_mask(
        self,
        teacher_log_probs: Sequence[Tensor],
        keypoint_labels: Optional[Sequence[Tensor]],
    ) -> Tensor:
        """1 where the teacher's most likely bin is within
        ``teacher_error_radius`` bins of the label's on both axes, else 0.

        Returns:
            Tensor: ``(N, K)``, in the logits' dtype.
        """
        if keypoint_labels is None or len(keypoint_labels) != 2:
            raise ValueError(
                'VKDLoss: teacher_error_radius needs keypoint_labels, the '
                'SimDR labels (x, y) shaped like the logits.'
            )
        right = None
        for axis, log_teacher, labels in zip(
            AXIS_NAMES, teacher_log_probs, keypoint_labels
        ):
            if labels.shape != log_teacher.shape:
                raise ValueError(
                    f'VKDLoss: {axis} keypoint_labels must be shaped '
                    f'{tuple(log_teacher.shape)}, got {tuple(labels.shape)}.'
                )
            gap = (log_teacher.argmax(-1) - labels.argmax(-1)).abs()
            axis_right = gap <= self.teacher_error_radius
            right = axis_right if right is None else right & axis_right
        return right.to(teacher_log_probs[0].dtype)

    def _axis_kl(self, student_logits: Tensor, log_teacher: Tensor) -> Tensor:
        """KL(T || S) per keypoint along one axis.

        Args:
            student_logits (Tensor): Student logits ``(N, K, L)``.
            log_teacher (Tensor): The teacher's log-probabilities
                ``(N, K, L)``.

        Returns:
            Tensor: ``sum_i T_i (log T_i - log S_i)``, shaped ``(N, K)``.
        """
        log_student = F.log_softmax(student_logits / self.temperature, dim=-1)
        kl = F.kl_div(
            log_student, log_teacher, reduction='none', log_target=True
        )
        return kl.sum(dim=-1)

    @staticmethod
    def _check_inputs(
        student_simcc: Sequence[Tensor], teacher_simcc: Sequence[Tensor]
    ) -> None:
        """Check that both predictions are matching ``(x, y)`` pairs."""
        for name, simcc in (
            ('student', student_simcc),
            ('teacher', teacher_simcc),
        ):
            if not isinstance(simcc, (list, tuple)) or len(simcc) != 2:
                raise ValueError(
                    f'VKDLoss: {name}_simcc must be a pair (pred_x, pred_y).'
                )
        for axis, student, teacher in zip(
            AXIS_NAMES, student_simcc, teacher_simcc
        ):
            if student.dim() != 3:
                raise ValueError(
                    f'VKDLoss: {axis} logits must be shaped (N, K, L), got '
                    f'student {tuple(student.shape)}.'
                )
            if student.shape != teacher.shape:
                raise ValueError(
                    'VKDLoss: student and teacher SimCC logits differ on '
                    f'the {axis} axis: student {tuple(student.shape)} vs '
                    f'teacher {tuple(teacher.shape)}.'
                )

    @staticmethod
    def _checked_target_weight(
        target_weight: Optional[Tensor], per_keypoint: Tensor
    ) -> Tensor:
        """Return ``target_weight`` after checking it matches ``(N, K)``."""
        if target_weight is None:
            raise ValueError(
                'VKDLoss: use_target_weight=True needs a '
                'target_weight tensor of shape (N, K).'
            )
        if target_weight.shape != per_keypoint.shape:
            raise ValueError(
                'VKDLoss: target_weight must be shaped '
                f'{tuple(per_keypoint.shape)} (N, K), got '
                f'{tuple(target_weight.shape)}.'
            )
        return target_weight.to(per_keypoint.dtype)
