# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Similarity vectors of a stage's features, projected for attention.

``CrossStageAttentionKDLoss`` turns each stage's (fused) feature map into a
similarity vector per sample before projecting it to an embedding; these
are the two modes of its ``similarity`` option.
"""

from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor

from .resize import pool_resized


def spatial_similarity(branches: List[Tensor], pool_size: int) -> Tensor:
    """Cosine self-similarity of the pooled positions of each sample.

    The fused map ``concat_b resize(x_b)`` is adaptive-average-pooled to
    ``P x P`` positions; each position's channel vector is L2-normalised
    and the ``P^2 x P^2`` matrix of their dot products is flattened. The
    pooling is done branch by branch (:func:`pool_resized`), the same values
    without building the fused map. Independent of the batch size.

    Args:
        branches (list[Tensor]): The used branches ``(N, C_b, H_b, W_b)``,
            highest resolution first.
        pool_size (int): Pooled side ``P``.

    Returns:
        Tensor: ``(N, P**4)``.
    """
    size = branches[0].shape[-2:]
    pooled = torch.cat(
        [pool_resized(branch, size, pool_size) for branch in branches], dim=1
    )
    positions = F.normalize(pooled.flatten(2).transpose(1, 2), dim=2)
    return torch.bmm(positions, positions.transpose(1, 2)).flatten(1)


def batch_similarity(feat: Tensor) -> Tensor:
    """Row-normalised batch Gram matrix (SemCKD).

    Args:
        feat (Tensor): Feature ``(N, C, H, W)``.

    Returns:
        Tensor: ``normalize(F F^T)`` along rows, ``(N, N)``, with ``F`` the
        features flattened to ``(N, C * H * W)``.
    """
    flat = feat.flatten(1)
    return F.normalize(flat @ flat.t(), dim=1)
