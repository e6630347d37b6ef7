# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Relational KD: distance- and angle-wise relations of pooled features."""

from typing import List, Sequence

import torch
import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor

from ...utils.stage_inputs import ChannelSpec, resolve_stage
from .stage_feature_kd_loss import StageFeatureKDLoss

# Floor of squared distances before the square root (as in the reference
# implementation), which keeps the gradient finite for coinciding points.
SQUARED_DISTANCE_EPS = 1e-12


@MODELS.register_module()
class RKDLoss(StageFeatureKDLoss):
    """Relational knowledge distillation (RKD-DA).

    Park, Kim, Lu and Cho, "Relational Knowledge Distillation", CVPR 2019.
    The embedding of a sample is the top (highest-resolution) branch of
    stage ``stage`` global-average-pooled over space, ``e_i`` of size ``C``
    (student and teacher may differ in ``C``: only relations between samples
    are compared). With ``l_delta`` the Huber loss (``F.smooth_l1_loss``,
    ``beta = 1``):

    Distance-wise loss, ``d_ij = ||e_i - e_j||_2`` normalised by its mean
    ``mu`` over the ``N (N - 1)`` off-diagonal pairs (``d_ii = 0``):

    .. math::

        L_D = \\frac{1}{N^2} \\sum_{i, j} l_\\delta\\left(
            \\frac{d^t_{ij}}{\\mu^t}, \\frac{d^s_{ij}}{\\mu^s}\\right)

    Angle-wise loss, vectorised as in the authors' implementation:
    ``u_ij = (e_j - e_i) / ||e_j - e_i||`` for every ordered pair (the zero
    vector for ``j = i``) and ``a_ijk = <u_ij, u_ik>``, the cosine of the
    angle at ``e_i`` (``bmm(U, U^T)`` with ``U`` of shape ``(N, N, C)``):

    .. math::

        L_A = \\frac{1}{N^3} \\sum_{i, j, k} l_\\delta(a^t_{ijk}, a^s_{ijk})

    The means run over all ``N^2`` pairs and ``N^3`` triplets like the
    reference code; degenerate ones (``i = j``; ``j = i``, ``k = i`` or
    ``j = k``) have equal student and teacher values and add 0. The loss
    is

    .. math::

        L_{rkd} = w \\cdot N \\cdot (\\lambda_D L_D + \\lambda_A L_A)

    with ``w`` = ``loss_weight``, ``lambda_D`` = ``distance_weight`` and
    ``lambda_A`` = ``angle_weight``. The teacher features are detached.

    Args:
        student_channels (Sequence[int | Sequence[int]]): Per student stage,
            its channels (an int for one branch or each branch's channels,
            highest resolution first). Filled in by the distiller.
        teacher_channels (Sequence[int | Sequence[int]]): The same for the
            teacher.
        stage (int): Index of the distilled stage on both networks (negative
            values count from each network's last stage). Defaults to -1.
        distance_weight (float): ``lambda_D``. Defaults to 25.0.
        angle_weight (float): ``lambda_A``; with 0 the angle term is not
            computed. Defaults to 50.0.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
    """

    def __init__(
        self,
        student_channels: Sequence[ChannelSpec],
        teacher_channels: Sequence[ChannelSpec],
        stage: int = -1,
        distance_weight: float = 25.0,
        angle_weight: float = 50.0,
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__(student_channels, teacher_channels, loss_weight)
        owner = self.owner
        self.student_stage = resolve_stage(
            stage, len(self.student_channels), 'stage (student)', owner
        )
        self.teacher_stage = resolve_stage(
            stage, len(self.teacher_channels), 'stage (teacher)', owner
        )
        if distance_weight < 0 or angle_weight < 0:
            raise ValueError(
                f'{owner}: distance_weight and angle_weight must be >= 0, '
                f'got {distance_weight} and {angle_weight}.'
            )
        self.distance_weight = float(distance_weight)
        self.angle_weight = float(angle_weight)

    def feature_loss(
        self, student: List[Tensor], teacher: List[Tensor], batch_size: int
    ) -> Tensor:
        """The unweighted loss (see :class:`StageFeatureKDLoss`)."""
        min_samples = 3 if self.angle_weight > 0 else 2
        if batch_size < min_samples:
            raise ValueError(
                f'{self.owner}: needs at least {min_samples} samples per '
                'batch (2 for distances, 3 for angles), got student stage '
                f'{self.student_stage} of shape '
                f'{tuple(student[self.student_stage].shape)}. Use a larger '
                'batch or drop_last=True in the dataloader.'
            )
        student_embed = student[self.student_stage].mean(dim=(2, 3))
        teacher_embed = teacher[self.teacher_stage].mean(dim=(2, 3))

        loss = self.distance_weight * F.smooth_l1_loss(
            self._normalised_distances(student_embed),
            self._normalised_distances(teacher_embed),
        )
        if self.angle_weight > 0:
            loss = loss + self.angle_weight * F.smooth_l1_loss(
                self._angles(student_embed), self._angles(teacher_embed)
            )
        return loss

    @staticmethod
    def _normalised_distances(embed: Tensor) -> Tensor:
        """Pairwise distances divided by their off-diagonal mean.

        Args:
            embed (Tensor): Embeddings ``(N, C)``.

        Returns:
            Tensor: ``d_ij / mu``, shaped ``(N, N)``, zero on the diagonal.
        """
        num = embed.shape[0]
        diff = embed.unsqueeze(0) - embed.unsqueeze(1)
        dist = diff.pow(2).sum(dim=2).clamp(min=SQUARED_DISTANCE_EPS).sqrt()
        off_diagonal = ~torch.eye(num, dtype=torch.bool, device=embed.device)
        dist = torch.where(off_diagonal, dist, torch.zeros_like(dist))
        mean = dist.sum() / (num * (num - 1))
        return dist / mean

    @staticmethod
    def _angles(embed: Tensor) -> Tensor:
        """Cosines ``a_ijk`` of the angles at ``e_i`` of all triplets.

        Args:
            embed (Tensor): Embeddings ``(N, C)``.

        Returns:
            Tensor: ``(N, N, N)``; ``[i, j, k] = <u_ij, u_ik>``.
        """
        units = F.normalize(embed.unsqueeze(0) - embed.unsqueeze(1), dim=2)
        return torch.bmm(units, units.transpose(1, 2))
