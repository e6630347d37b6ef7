# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The alignment ``f_lm`` of a (multi-branch) student stage."""

import math
from typing import Sequence

import torch
import torch.nn as nn
from torch import Tensor

from ...utils.resize import resize_bilinear


class BranchAligner(nn.Module):
    """1x1 conv (no bias) + BatchNorm of a stage's fused branches.

    Multi-resolution feature transfer fuses a stage's branches ``x_b``
    (highest resolution first) as ``concat_b up_b(x_b)``, ``up_b`` being
    bilinear resizing to the first branch's size. A 1x1 conv ``W`` mixes
    channels only and ``up_b`` is linear and acts on positions only, so they
    commute:

    .. math::

        W \\, \\mathrm{concat}_b\\, up_b(x_b) = \\sum_b up_b(W_b x_b)

    with ``W_b`` the columns of ``W`` for branch ``b``. This module holds
    one conv per branch (``W_b``) and computes the right-hand side: each
    branch is projected to the output channels at its own (lower)
    resolution before resizing, so the wide fused map is never built, and
    forward hooks and FLOP counters see every convolution. BatchNorm then
    sees the same tensor as on the fused map. :attr:`fused_weight` is ``W``.

    The branch convs are initialised as one conv over all
    ``sum(branch_channels)`` input channels would be (PyTorch's default,
    uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` with the fused
    ``fan_in``).

    Args:
        branch_channels (Sequence[int]): Channels of the used branches,
            highest resolution first (one entry: a single-branch stage).
        out_channels (int): The teacher stage's channels.
    """

    def __init__(self, branch_channels: Sequence[int], out_channels: int):
        super().__init__()
        self.branch_channels = [int(c) for c in branch_channels]
        self.convs = nn.ModuleList(
            nn.Conv2d(channels, out_channels, kernel_size=1, bias=False)
            for channels in self.branch_channels
        )
        self.bn = nn.BatchNorm2d(out_channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The default init of one conv over the fused channels."""
        bound = 1.0 / math.sqrt(sum(self.branch_channels))
        for conv in self.convs:
            nn.init.uniform_(conv.weight, -bound, bound)
        self.bn.reset_parameters()

    @property
    def fused_weight(self) -> Tensor:
        """Tensor: ``W`` of the conv on the fused map, ``(C_out, C_in, 1,
        1)`` with ``C_in = sum(branch_channels)``."""
        return torch.cat([conv.weight for conv in self.convs], dim=1)

    def forward(self, branches: Sequence[Tensor]) -> Tensor:
        """Align the branches.

        Args:
            branches (Sequence[Tensor]): One ``(N, C_b, H_b, W_b)`` map per
                entry of ``branch_channels``, highest resolution first.

        Returns:
            Tensor: ``BN(sum_b up_b(W_b x_b))`` at the first branch's
            resolution, ``(N, C_out, H_0, W_0)``.
        """
        if len(branches) != len(self.convs):
            raise ValueError(
                f'BranchAligner: built for {len(self.convs)} branches '
                f'(channels {self.branch_channels}), got {len(branches)}.'
            )
        size = branches[0].shape[-2:]
        aligned = None
        for conv, branch in zip(self.convs, branches):
            part = resize_bilinear(conv(branch), size)
            aligned = part if aligned is None else aligned + part
        return self.bn(aligned)
