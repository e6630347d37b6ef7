# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A SimDR head whose 1-d projections read strip-pooled keypoint maps."""

from typing import Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmpose.models.heads import SimCCHead
from mmpose.registry import MODELS
from torch import Tensor

from .utils import simcc_keypoint_maps


@MODELS.register_module()
class LightSimCCHead(SimCCHead):
    """MMPose's :class:`SimCCHead` with strip-pooled inputs to its linears.

    ``SimCCHead`` flattens each keypoint map ``(h, w)`` and projects it with
    ``Linear(h * w, L)`` per axis; on a 64x64 map with 512 bins that is
    2 x 2.1 M weights, four times the whole LiteHRNet-18 backbone. Here the
    x projection reads the map averaged within ``strips`` horizontal bands
    (``(strips, w)`` values per keypoint), the y projection the map averaged
    within ``strips`` vertical bands (``(h, strips)``)::

        pred_x = Linear(strips * w, Lx)(avgpool_{(strips, w)}(M))
        pred_y = Linear(h * strips, Ly)(avgpool_{(h, strips)}(M))

    with ``M`` the ``(K, h, w)`` keypoint maps of the final 1x1 conv. It is
    ``SimCCHead``'s projection with its weights tied within each band (a
    factorised projection): ``strips=1`` reads the marginals of each map
    along the other axis. The loss, decoder, flip test and the
    ``mlp_head_x`` / ``mlp_head_y`` module names are ``SimCCHead``'s, so
    ``MultiKDDistiller``'s default SimDR taps work unchanged.

    Args:
        strips (int): Bands per axis. Defaults to 2.
        **kwargs: :class:`SimCCHead`'s arguments; ``in_featuremap_size`` is
            ``(w, h)`` of the map the projections read.
    """

    def __init__(self, *args, strips: int = 2, **kwargs) -> None:
        if not isinstance(strips, int) or strips < 1:
            raise ValueError(
                'LightSimCCHead: strips must be a positive int, got '
                f'{strips!r}'
            )
        super().__init__(*args, **kwargs)
        map_w, map_h = self.heatmap_size
        if strips > min(map_w, map_h):
            raise ValueError(
                f'LightSimCCHead: strips={strips} exceeds the map size '
                f'(w, h)={tuple(self.heatmap_size)}'
            )
        self.strips = strips
        bins_x = int(self.input_size[0] * self.simcc_split_ratio)
        bins_y = int(self.input_size[1] * self.simcc_split_ratio)
        self.mlp_head_x = nn.Linear(strips * map_w, bins_x)
        self.mlp_head_y = nn.Linear(map_h * strips, bins_y)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, Tensor]:
        """SimDR logits from the backbone features.

        Args:
            feats (Sequence[Tensor]): Multi-scale features; the last one is
                used, as in ``SimCCHead``.

        Returns:
            tuple[Tensor, Tensor]: ``pred_x`` ``(N, K, Lx)`` and ``pred_y``
            ``(N, K, Ly)``.
        """
        maps = self._keypoint_maps(feats)
        map_h, map_w = maps.shape[-2:]
        bands_x = F.adaptive_avg_pool2d(maps, (self.strips, map_w))
        bands_y = F.adaptive_avg_pool2d(maps, (map_h, self.strips))
        pred_x = self.mlp_head_x(bands_x.flatten(2))
        pred_y = self.mlp_head_y(bands_y.flatten(2))
        return pred_x, pred_y

    def _keypoint_maps(self, feats: Sequence[Tensor]) -> Tensor:
        """``(N, K, h, w)`` maps, checked against ``in_featuremap_size``."""
        maps = simcc_keypoint_maps(self, feats)
        expected = tuple(self.heatmap_size)
        if (maps.shape[-1], maps.shape[-2]) != expected:
            raise ValueError(
                f'LightSimCCHead: keypoint maps are (w, h)='
                f'{(maps.shape[-1], maps.shape[-2])}, but the projections '
                f'were built for in_featuremap_size {expected}'
            )
        return maps
