# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""ReviewKD: attention-based fusion of student stages + HCL loss."""

from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor

from ...utils.resize import resize_bilinear
from ...utils.stage_inputs import ChannelSpec
from .stage_feature_kd_loss import StageFeatureKDLoss

# Pyramid levels of the hierarchical context loss (output side lengths).
HCL_LEVELS = (4, 2, 1)


class AttentionBasedFusion(nn.Module):
    """One ABF module of ReviewKD.

    ``x = BN(conv1x1(F_s))`` maps the student feature to ``mid_channels``.
    With fusion, the deeper module's residual ``r`` is upsampled (nearest)
    to ``x``'s size and the two are mixed by a learned two-channel spatial
    attention ``(m_x, m_r) = sigmoid(conv1x1([x, r]))``:
    ``x <- m_x * x + m_r * r``. The output is ``BN(conv3x3(x))`` with the
    teacher's channels; ``x`` is passed on as the next residual.

    Args:
        in_channels (int): Channels of the student feature.
        mid_channels (int): Channels of the fused (residual) feature.
        out_channels (int): Channels of the paired teacher feature.
        fuse (bool): Whether the module receives a residual (all but the
            deepest module).
    """

    def __init__(
        self,
        in_channels: int,
        mid_channels: int,
        out_channels: int,
        fuse: bool,
    ) -> None:
        super().__init__()
        self.reduce = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(mid_channels),
        )
        self.attention = (
            nn.Sequential(
                nn.Conv2d(mid_channels * 2, 2, kernel_size=1), nn.Sigmoid()
            )
            if fuse
            else None
        )
        self.output = nn.Sequential(
            nn.Conv2d(
                mid_channels,
                out_channels,
                kernel_size=3,
                padding=1,
                bias=False,
            ),
            nn.BatchNorm2d(out_channels),
        )
        # As in the authors' code: uniform Kaiming init with a = 1.
        nn.init.kaiming_uniform_(self.reduce[0].weight, a=1)
        nn.init.kaiming_uniform_(self.output[0].weight, a=1)

    def forward(
        self, feat: Tensor, residual: Optional[Tensor] = None
    ) -> Tuple[Tensor, Tensor]:
        """Fuse a student feature with the deeper residual.

        Args:
            feat (Tensor): Student feature ``(N, C_in, H, W)``.
            residual (Tensor, optional): The deeper module's fused feature
                ``(N, C_mid, h, w)``; required iff the module fuses.

        Returns:
            tuple[Tensor, Tensor]: The output ``(N, C_out, H, W)`` and the
            fused feature ``(N, C_mid, H, W)`` for the next module.
        """
        fused = self.reduce(feat)
        if self.attention is not None:
            if residual is None:
                raise ValueError(
                    'AttentionBasedFusion: a fusing module needs the deeper '
                    "module's residual."
                )
            residual = F.interpolate(
                residual, size=fused.shape[-2:], mode='nearest'
            )
            masks = self.attention(torch.cat([fused, residual], dim=1))
            fused = fused * masks[:, 0:1] + residual * masks[:, 1:2]
        return self.output(fused), fused


@MODELS.register_module()
class ReviewKDLoss(StageFeatureKDLoss):
    """Knowledge review distillation with ABF fusion and the HCL loss.

    Chen, Liu, Zhao and Jia, "Distilling Knowledge via Knowledge Review",
    CVPR 2021. Student stage ``l`` is paired with teacher stage ``l`` for
    ``l < P = min(L_s, L_t)``; each uses its top (highest-resolution)
    branch. The student stages are reviewed deepest first: an
    :class:`AttentionBasedFusion` module per paired stage maps ``F^s_l`` to
    ``mid_channels`` and (except for the deepest stage) fuses it with the
    residual of stage ``l + 1`` via learned spatial attention; its output
    ``O_l`` (3x3 conv + BN to the teacher stage's channels) is resized
    bilinearly (``align_corners=False``) to the teacher's size when needed.

    Hierarchical context loss of a pair, with ``MSE`` the mean over all
    elements and ``pool_k`` adaptive average pooling to ``k x k``:

    .. math::

        HCL(O, T) = \\frac{MSE(O, T) + \\sum_{j} 2^{-j}
            MSE(pool_{k_j}(O), pool_{k_j}(T))}{1 + \\sum_j 2^{-j}}

    where ``k_1, k_2, ...`` are the levels of ``(4, 2, 1)`` smaller than
    ``min(H_t, W_t)`` (pooling to a level at least as large as the map is
    skipped, as in the authors' code), so for maps larger than 4x4 the
    weights are ``1, 0.5, 0.25, 0.125`` over a sum of ``1.875``. The loss
    sums the pairs:

    .. math::

        L_{review} = w \\cdot N \\cdot \\sum_{l=1}^{P} HCL(O_l, F^t_l)

    with ``w`` = ``loss_weight``. The teacher features are detached; the
    ABF modules are learnable and must be optimised with the student.

    Args:
        student_channels (Sequence[int | Sequence[int]]): Per student stage,
            its channels (an int for one branch or each branch's channels,
            highest resolution first). Filled in by the distiller.
        teacher_channels (Sequence[int | Sequence[int]]): The same for the
            teacher.
        mid_channels (int): Channels of the fused features. Defaults to 64.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
    """

    def __init__(
        self,
        student_channels: Sequence[ChannelSpec],
        teacher_channels: Sequence[ChannelSpec],
        mid_channels: int = 64,
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__(student_channels, teacher_channels, loss_weight)
        owner = self.owner
        if (
            not isinstance(mid_channels, int)
            or isinstance(mid_channels, bool)
            or mid_channels < 1
        ):
            raise ValueError(
                f'{owner}: mid_channels must be a positive int, got '
                f'{mid_channels!r}.'
            )
        self.mid_channels = mid_channels
        deepest = self.num_pairs - 1
        # abfs[l] processes student stage l (reviewed from l = deepest).
        self.abfs = nn.ModuleList(
            AttentionBasedFusion(
                self.student_channels[stage][0],
                mid_channels,
                self.teacher_channels[stage][0],
                fuse=stage != deepest,
            )
            for stage in range(self.num_pairs)
        )

    def feature_loss(
        self, student: List[Tensor], teacher: List[Tensor], batch_size: int
    ) -> Tensor:
        """The unweighted loss (see :class:`StageFeatureKDLoss`)."""
        outputs = self.review(student[: self.num_pairs])
        stage_losses = [
            self.hcl(resize_bilinear(output, target.shape[-2:]), target)
            for output, target in zip(outputs, teacher)
        ]
        return torch.stack(stage_losses).sum()

    def review(self, student_feats: Sequence[Tensor]) -> List[Tensor]:
        """Run the ABF modules from the deepest paired stage upwards.

        Args:
            student_feats (Sequence[Tensor]): The paired student stages'
                top branches, shallowest first.

        Returns:
            list[Tensor]: The ABF outputs, shallowest first, at the student
            stages' spatial sizes.
        """
        outputs: List[Optional[Tensor]] = [None] * len(student_feats)
        residual = None
        for stage in reversed(range(len(student_feats))):
            outputs[stage], residual = self.abfs[stage](
                student_feats[stage], residual
            )
        return outputs

    @staticmethod
    def hcl(pred: Tensor, target: Tensor) -> Tensor:
        """Hierarchical context loss of one stage pair.

        Args:
            pred (Tensor): ABF output ``(N, C, H, W)``.
            target (Tensor): Teacher feature of the same shape.

        Returns:
            Tensor: The scalar HCL (see the class docstring).
        """
        loss = F.mse_loss(pred, target)
        weight, total = 1.0, 1.0
        for level in HCL_LEVELS:
            if level >= min(target.shape[-2:]):
                continue
            weight /= 2.0
            total += weight
            loss = loss + weight * F.mse_loss(
                F.adaptive_avg_pool2d(pred, level),
                F.adaptive_avg_pool2d(target, level),
            )
        return loss / total
