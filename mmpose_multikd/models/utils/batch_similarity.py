# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The row-normalised batch Gram matrix of a feature map (SemCKD, SP)."""

import torch.nn.functional as F
from torch import Tensor

from .precision import autocast_disabled, compute_dtype


def batch_similarity(feat: Tensor) -> Tensor:
    """Row-normalised batch Gram matrix (SemCKD).

    The Gram matrix sums over all ``C * H * W`` values of a sample: it is
    formed in float32 (float64 for float64 features) with autocast off,
    beyond float16's range otherwise (:mod:`.precision`).

    Args:
        feat (Tensor): Feature ``(N, C, H, W)``.

    Returns:
        Tensor: ``normalize(F F^T)`` along rows, ``(N, N)``, with ``F`` the
        features flattened to ``(N, C * H * W)``.
    """
    with autocast_disabled(feat.device.type):
        flat = feat.flatten(1).to(compute_dtype(feat))
        return F.normalize(flat @ flat.t(), dim=1)
