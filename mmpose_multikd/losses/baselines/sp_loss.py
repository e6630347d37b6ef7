# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Similarity-preserving KD: match the batch similarity matrices."""

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor

from ._utils import (
    ChannelSpec,
    StageFeature,
    parse_stage_channels,
    top_branch_inputs,
)


@MODELS.register_module()
class SPLoss(nn.Module):
    """Similarity-preserving knowledge distillation.

    Tung and Mori, "Similarity-Preserving Knowledge Distillation", ICCV 2019.
    Student stage ``l`` is paired with teacher stage ``l`` for
    ``l < min(L_s, L_t)``; each uses its top (highest-resolution) branch.
    With ``Q`` a stage's features flattened to ``(N, C * H * W)``, the batch
    similarity is the Gram matrix with L2-normalised rows:

    .. math::

        G = \\mathrm{rownorm}(Q Q^\\top) \\in \\mathbb{R}^{N \\times N}

    and the loss, summed over the ``P = min(L_s, L_t)`` stage pairs as in
    the paper's Eq. (4), is

    .. math::

        L_{sp} = w \\cdot \\sum_{l=1}^{P} \\frac{1}{N^2}
            \\left\\| G^s_l - G^t_l \\right\\|_F^2

    with ``w`` = ``loss_weight`` (the paper's ``gamma``). ``G`` is
    ``N x N`` whatever the channels and spatial size, so no resizing or
    projection is needed. The teacher features are detached.

    Args:
        student_channels (Sequence[int | Sequence[int]]): Per student stage,
            its channels (an int for one branch or each branch's channels,
            highest resolution first). Filled in by the distiller; used to
            check the inputs.
        teacher_channels (Sequence[int | Sequence[int]]): The same for the
            teacher.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
    """

    # Tells ``MultiKDDistiller`` to call the loss with stage features.
    DISTILL_INPUTS = 'stage_feats'

    def __init__(
        self,
        student_channels: Sequence[ChannelSpec],
        teacher_channels: Sequence[ChannelSpec],
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.student_channels = parse_stage_channels(
            student_channels, 'student', owner
        )
        self.teacher_channels = parse_stage_channels(
            teacher_channels, 'teacher', owner
        )
        self.loss_weight = float(loss_weight)

    @property
    def num_pairs(self) -> int:
        """int: Number of (student, teacher) stage pairs."""
        return min(len(self.student_channels), len(self.teacher_channels))

    def forward(
        self,
        student_stage_feats: Sequence[StageFeature],
        teacher_stage_feats: Sequence[StageFeature],
    ) -> Tensor:
        """Compute the similarity-preserving loss.

        Args:
            student_stage_feats (Sequence[Tensor | Sequence[Tensor]]): Per
                student stage, a tensor ``(N, C, H, W)`` or its branch
                tensors, highest resolution first.
            teacher_stage_feats (Sequence[Tensor | Sequence[Tensor]]): The
                same for the teacher (detached here).

        Returns:
            Tensor: The scalar loss.
        """
        owner = type(self).__name__
        student, teacher, batch_size = top_branch_inputs(
            student_stage_feats,
            teacher_stage_feats,
            self.student_channels,
            self.teacher_channels,
            owner,
        )
        stage_losses = [
            (self._similarity(student_feat) - self._similarity(teacher_feat))
            .pow(2)
            .sum()
            for student_feat, teacher_feat in zip(
                student[: self.num_pairs], teacher[: self.num_pairs]
            )
        ]
        loss = torch.stack(stage_losses).sum() / batch_size**2
        return loss * self.loss_weight

    @staticmethod
    def _similarity(feat: Tensor) -> Tensor:
        """Row-normalised batch Gram matrix.

        Args:
            feat (Tensor): Feature ``(N, C, H, W)``.

        Returns:
            Tensor: ``rownorm(Q Q^T)`` with ``Q = feat.flatten(1)``,
            shaped ``(N, N)``.
        """
        flat = feat.flatten(1)
        return F.normalize(flat @ flat.t(), dim=1)
