# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Similarity-preserving KD: match the batch similarity matrices."""

from typing import List, Sequence

import torch
from mmpose.registry import MODELS
from torch import Tensor

from ...utils.batch_similarity import batch_similarity
from ...utils.stage_inputs import ChannelSpec
from .stage_feature_kd_loss import StageFeatureKDLoss


@MODELS.register_module()
class SPLoss(StageFeatureKDLoss):
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

        L_{sp} = w \\cdot \\sum_{l=1}^{P}
            \\left\\| G^s_l - G^t_l \\right\\|_F^2
            = w \\cdot \\sum_{i=1}^{N} \\sum_{l=1}^{P}
            \\left\\| G^s_l[i] - G^t_l[i] \\right\\|_2^2

    with ``w`` = ``loss_weight``: a sum over the samples of each sample's
    row error, like the task loss (see :class:`StageFeatureKDLoss`). Each
    row has unit norm, so a row's error does not grow with ``N``; the
    paper's ``1 / N^2`` in front (with its weight ``gamma = 3000``) makes
    the loss fall as ``1 / N``. :meth:`feature_loss` returns the batch
    mean of the rows' errors, ``1 / N`` of the sum. ``G`` is
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

    def __init__(
        self,
        student_channels: Sequence[ChannelSpec],
        teacher_channels: Sequence[ChannelSpec],
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__(student_channels, teacher_channels, loss_weight)

    def feature_loss(
        self, student: List[Tensor], teacher: List[Tensor], batch_size: int
    ) -> Tensor:
        """The unweighted loss (see :class:`StageFeatureKDLoss`)."""
        stage_losses = [
            (self._similarity(student_feat) - self._similarity(teacher_feat))
            .pow(2)
            .sum()
            for student_feat, teacher_feat in zip(
                student[: self.num_pairs], teacher[: self.num_pairs]
            )
        ]
        return torch.stack(stage_losses).sum() / batch_size

    @staticmethod
    def _similarity(feat: Tensor) -> Tensor:
        """Row-normalised batch Gram matrix (:func:`batch_similarity`,
        formed in float32 whatever the autocast state).

        Args:
            feat (Tensor): Feature ``(N, C, H, W)``.

        Returns:
            Tensor: ``rownorm(Q Q^T)`` with ``Q = feat.flatten(1)``,
            shaped ``(N, N)``.
        """
        return batch_similarity(feat)
