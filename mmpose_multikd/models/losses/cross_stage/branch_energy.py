# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Equal per-branch energy for the teacher targets that MFT fuses."""

import math
from typing import List, Sequence

import torch
from torch import Tensor

EPS = 1e-6


def equalise_branch_energy(branches: Sequence[Tensor]) -> List[Tensor]:
    """Scale each branch of a stage so that all carry the same energy.

    For sample ``i`` and branch ``b`` with ``C_b`` channels (``C_0`` the top
    branch's):

    .. math::

        \\hat x_b[i] = x_b[i] \\, \\sqrt{\\frac{C_0}{C_b}} \\Big/
            \\sqrt{\\operatorname{mean}_{c,h,w} x_b[i]^2 + \\epsilon}

    so every branch has a mean square of ``C_0 / C_b`` per value and the
    same energy ``C_0`` per pixel: once resized to the top branch's size
    (which keeps a map's mean square, up to interpolation) and fused, each
    of the ``B`` branches holds about ``1 / B`` of the target's energy, and
    the top branch a unit mean square. Without it, the coarse branches'
    many channels and large activations dominate the fused target.

    Args:
        branches (Sequence[Tensor]): ``(N, C_b, H_b, W_b)``, highest
            resolution first.

    Returns:
        list[Tensor]: The scaled branches, same shapes and dtypes.
    """
    top_channels = branches[0].shape[1]
    scaled = []
    for branch in branches:
        mean_square = branch.float().pow(2).mean(dim=(1, 2, 3), keepdim=True)
        scale = torch.rsqrt(mean_square + EPS) * math.sqrt(
            top_channels / branch.shape[1]
        )
        scaled.append(branch * scale.to(branch.dtype))
    return scaled
