# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""What the SimDR head variants share."""

from typing import Sequence

from torch import Tensor


def simcc_keypoint_maps(head, feats: Sequence[Tensor]) -> Tensor:
    """The ``(N, K, h, w)`` maps a ``SimCCHead`` flattens.

    The last feature through the head's deconv head, or through its final
    1x1 conv, as in ``SimCCHead.forward``.

    Args:
        head (SimCCHead): The head (or a subclass).
        feats (Sequence[Tensor]): The backbone's multi-scale features.

    Returns:
        Tensor: The keypoint maps.
    """
    if head.deconv_head is not None:
        return head.deconv_head(feats)
    maps = feats[-1]
    if head.final_layer is not None:
        maps = head.final_layer(maps)
    return maps
