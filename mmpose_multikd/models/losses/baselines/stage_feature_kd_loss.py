# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Base of the compared distillers that read paired stage features."""

from typing import List, Sequence

from torch import Tensor

from ...utils.precision import float32_forward
from ...utils.stage_inputs import (
    ChannelSpec,
    StageFeature,
    parse_stage_channels,
    top_branch_inputs,
)
from ..distill_loss import DistillLoss


class StageFeatureKDLoss(DistillLoss):
    """A loss on the top branches of the student and teacher stages.

    ``MultiKDDistiller`` calls it (``distill_inputs``) with the tapped stage
    features of both networks. This base class checks them against the
    configured channels (stage count, branch count, channels, one batch size),
    keeps each stage's top (highest-resolution) branch, detaches the teacher's
    and returns

    .. math::

        L = w \\cdot N \\cdot \\ell(F^s, F^t)

    with ``w`` = ``loss_weight``, ``N`` the batch size and ``l`` the
    subclass's :meth:`feature_loss`, the loss as its paper defines it (a
    mean over the batch: of per-sample terms, or of the batch's pairs and
    triplets for the relational losses). The factor ``N`` turns that mean
    into a sum over the samples, the reduction of the task loss (MMPose's
    ``KLDiscretLoss``) and of Multi-KD's terms, so that a weight keeps its
    meaning at any batch size. Not registered: a subclass is the loss.

    Under autocast (AMP) every subclass computes in float32, its layers
    included (:func:`float32_forward`): Gram matrices and squared
    differences of stage features overflow float16.

    Args:
        student_channels (Sequence[int | Sequence[int]]): Per student stage,
            its channels (an int for one branch or each branch's channels,
            highest resolution first). Filled in by the distiller; used to
            check the inputs.
        teacher_channels (Sequence[int | Sequence[int]]): The same for the
            teacher.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
    """

    # What ``MultiKDDistiller`` calls the loss with (``distill_loss``).
    distill_inputs = ('student_stage_feats', 'teacher_stage_feats')

    def __init__(
        self,
        student_channels: Sequence[ChannelSpec],
        teacher_channels: Sequence[ChannelSpec],
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__()
        self.student_channels = parse_stage_channels(
            student_channels, 'student', self.owner
        )
        self.teacher_channels = parse_stage_channels(
            teacher_channels, 'teacher', self.owner
        )
        self.loss_weight = float(loss_weight)

    @property
    def owner(self) -> str:
        """str: The loss's class name, which starts its error messages."""
        return type(self).__name__

    @property
    def num_pairs(self) -> int:
        """int: Number of (student, teacher) stage pairs, ``min(L_s, L_t)``."""
        return min(len(self.student_channels), len(self.teacher_channels))

    @float32_forward
    def forward(
        self,
        student_stage_feats: Sequence[StageFeature],
        teacher_stage_feats: Sequence[StageFeature],
    ) -> Tensor:
        """Check the inputs and compute the weighted loss.

        Args:
            student_stage_feats (Sequence[Tensor | Sequence[Tensor]]): Per
                student stage, a tensor ``(N, C, H, W)`` or its branch
                tensors, highest resolution first.
            teacher_stage_feats (Sequence[Tensor | Sequence[Tensor]]): The
                same for the teacher (detached here).

        Returns:
            Tensor: The scalar loss ``w * N * feature_loss(...)``.
        """
        student_feats, teacher_feats, batch_size = top_branch_inputs(
            student_stage_feats,
            teacher_stage_feats,
            self.student_channels,
            self.teacher_channels,
            self.owner,
        )
        loss = self.feature_loss(student_feats, teacher_feats, batch_size)
        return loss * (batch_size * self.loss_weight)

    def feature_loss(
        self,
        student_feats: List[Tensor],
        teacher_feats: List[Tensor],
        batch_size: int,
    ) -> Tensor:
        """The unweighted loss on the checked top branches.

        Args:
            student_feats (list[Tensor]): Per student stage, its top branch
                ``(N, C, H, W)``.
            teacher_feats (list[Tensor]): The same for the teacher,
                detached.
            batch_size (int): ``N``, common to all maps.

        Returns:
            Tensor: The scalar loss before ``loss_weight``.
        """
        raise NotImplementedError(
            f'{self.owner} must implement feature_loss()'
        )
