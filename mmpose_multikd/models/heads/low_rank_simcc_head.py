# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A SimDR head whose two projections share a low-rank first factor."""

from typing import Sequence, Tuple

import torch.nn as nn
from mmpose.models.heads import SimCCHead
from mmpose.registry import MODELS
from torch import Tensor

from .utils import simcc_keypoint_maps


@MODELS.register_module()
class LowRankSimCCHead(SimCCHead):
    """MMPose's :class:`SimCCHead` with factorised projections.

    ``SimCCHead`` maps each flattened keypoint map (``h * w`` values) to the
    x and y bins with two full linears, ``2 * h * w * L`` weights. Here both
    axes share a first factor of rank ``rank``::

        z      = Linear(h * w, rank)(flatten(M))      (shared)
        pred_x = Linear(rank, Lx)(z)
        pred_y = Linear(rank, Ly)(z)

    i.e. each of ``SimCCHead``'s projection matrices is constrained to
    rank ``rank`` with a common row space. The loss, decoder, flip test and
    the ``mlp_head_x`` / ``mlp_head_y`` names (now the second factors) are
    ``SimCCHead``'s, so ``MultiKDDistiller``'s SimDR taps see the logits.

    Args:
        rank (int): Rank of the shared factor. Defaults to 32.
        **kwargs: :class:`SimCCHead`'s arguments.
    """

    def __init__(self, *args, rank: int = 32, **kwargs) -> None:
        if not isinstance(rank, int) or rank < 1:
            raise ValueError(
                f'LowRankSimCCHead: rank must be a positive int, got {rank!r}'
            )
        super().__init__(*args, **kwargs)
        self.rank = rank
        self.shared_projection = nn.Linear(self.mlp_head_x.in_features, rank)
        self.mlp_head_x = nn.Linear(rank, self.mlp_head_x.out_features)
        self.mlp_head_y = nn.Linear(rank, self.mlp_head_y.out_features)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, Tensor]:
        """SimDR logits ``(N, K, Lx)``, ``(N, K, Ly)`` from the features."""
        maps = simcc_keypoint_maps(self, feats)
        shared = self.shared_projection(maps.flatten(2))
        return self.mlp_head_x(shared), self.mlp_head_y(shared)
