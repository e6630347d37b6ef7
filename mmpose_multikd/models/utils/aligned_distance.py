# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Distances of one student stage to all its teachers, in one fused step.

All pairs ``(l, m)`` of a student stage ``m`` share its branches ``x_b``.
Their aligners (:class:`BranchAligner`: a 1x1 conv ``W_b`` per branch,
then BatchNorm) stacked along the output channels form one aligner whose
channel groups ``g`` are the pairs. For sample ``n`` and pair ``g``:

.. math::

    y = \\sum_b up_b(W_b x_b), \\qquad
    a_c = \\gamma_c \\frac{y_c - \\mu_c}{\\sqrt{\\sigma_c^2 + \\epsilon}}
        + \\beta_c, \\qquad
    D_{n,g} = \\frac{1}{|g| H W} \\sum_{c \\in g} \\sum_{h,w}
        (a_{n,c,h,w} - T^g_{n,c,h,w})^2

with ``mu`` and ``sigma^2`` the batch statistics over ``(N, H, W)`` in
training (BatchNorm's biased variance) or the running statistics in eval.
BatchNorm acts per channel, so stacking the pairs' channels changes no
value. :class:`AlignedStageDistance` computes ``D`` and its gradients
(w.r.t. the branches, the stacked conv weights, ``gamma`` and ``beta``)
by hand from ``y`` and a few per-``(n, c)`` sums: the forward keeps only
``y`` (one map per stage, not the BatchNorm output, the difference and its
square per pair) and the backward writes the gradient of ``y`` in two
passes. Same values as the module path (:class:`BranchAligner`, then the
MSE), with far fewer passes over the maps and full-size temporaries;
``tests/test_models/test_utils/test_aligned_distance.py`` checks values
and gradients against it, in float64 and float32.
"""

from typing import List, NamedTuple, Sequence, Tuple, Union

import torch
from torch import Tensor

from .aligned_map import (
    aligned_map,
    aligned_map_grad,
    branch_grads,
    channel_chunks,
    chunked_input_grads,
)
from .branch_aligner import BranchAligner


class _Sums(NamedTuple):
    """Per-``(n, c)`` sums over ``H x W`` (float64, ``(N, C)``)."""

    y: Tensor
    yy: Tensor
    yt: Tensor
    t: Tensor
    tt: Tensor
    positions: int


# A pair's teacher map: one tensor, or its channel pieces in order.
TeacherMap = Union[Tensor, Sequence[Tensor]]


def _chunk_sums(
    y: Tensor, targets: Sequence[Tensor]
) -> Tuple[Tensor, Tensor, Tensor]:
    """Per-``(n, c)`` ``S_y``, ``S_yy`` and ``S_yT`` (float64) of ``y``,
    whose channels are those of ``targets`` one after the other."""
    flat = y.flatten(2)
    widths = [target.shape[1] for target in targets]
    return (
        flat.sum(dim=2).double(),
        torch.linalg.vector_norm(flat, dim=2).double().square_(),
        torch.cat(
            [
                torch.linalg.vecdot(y_g, t.flatten(2), dim=2)
                for y_g, t in zip(flat.split(widths, dim=1), targets)
            ],
            dim=1,
        ).double(),
    )


class AlignedStageDistance(torch.autograd.Function):
    """``D (N, G)`` of one student stage to its ``G`` teacher maps.

    ``forward(ctx, groups, training, eps, recompute, teacher_maps, gamma,
    beta, stats_mean, stats_var, *branches_and_weights)`` with ``groups`` the
    channel counts of the pairs, ``teacher_maps`` their detached teacher
    maps at the top branch's size in channel order, each pair's as one
    tensor ``(N, |g|, H, W)`` or as several channel pieces (e.g. the
    teacher's resized branches, never concatenated), ``recompute``
    whether the backward builds ``y`` again from the branches (which the
    student keeps for its own backward) instead of keeping it, ``stats_*`` the
    running statistics (used in eval) and ``branches_and_weights`` the
    branches ``x_b`` followed by their stacked weights ``W_b (C, c_b)``.
    Returns ``D``, the batch mean and the biased batch variance of ``y``
    (the last two for the running statistics, without gradient).

    Everything but ``y`` itself is taken from per-``(n, c)`` sums over
    ``H x W`` (``s = gamma / sigma``, ``o = beta - s mu``):

    .. math::

        \\sum_{h,w} (s y + o - T)^2 = s^2 S_{yy} + 2 s o S_y - 2 s S_{yT}
            + H W o^2 - 2 o S_T + S_{TT}

    combined in float64, and the gradient w.r.t. ``y`` (BatchNorm's
    backward included) is, per ``(n, c)``, an affine map of ``y`` and
    ``T``, ``A y + B + C T``, written in two passes: the forward keeps
    ``y`` and the small sums only, and no full-size temporary of the
    BatchNorm output, the difference or its square is built. With
    ``recompute`` the forward keeps no full-size map of its own: the
    backward rebuilds ``y`` (one stacked conv forward more) and overwrites
    it with its gradient, so one stage's map is alive at a time.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx,
        groups: Tuple[int, ...],
        training: bool,
        eps: float,
        recompute: bool,
        teacher_maps: List[Tensor],
        gamma: Tensor,
        beta: Tensor,
        stats_mean: Tensor,
        stats_var: Tensor,
        *branches_and_weights: Tensor,
    ) -> Tuple[Tensor, Tensor, Tensor]:
        num_branches = len(branches_and_weights) // 2
        branches = branches_and_weights[:num_branches]
        weights = branches_and_weights[num_branches:]
        if recompute:  # chunk by chunk: no full-size y is ever built
            chunk_sums = [
                _chunk_sums(
                    aligned_map(branches, [w[start:stop] for w in weights]),
                    [target],
                )
                for start, stop, target in channel_chunks(teacher_maps)
            ]
            y_sum, yy_sum, yt_sum = (
                torch.cat(parts, dim=1) for parts in zip(*chunk_sums)
            )
            y = None
        else:
            y = aligned_map(branches, weights)
            y_sum, yy_sum, yt_sum = _chunk_sums(y, teacher_maps)
        first_map = teacher_maps[0]
        sums = _Sums(
            y=y_sum,
            yy=yy_sum,
            yt=yt_sum,
            t=torch.cat(
                [t.flatten(2).sum(dim=2) for t in teacher_maps], 1
            ).double(),
            tt=torch.cat(
                [
                    torch.linalg.vector_norm(t.flatten(2), dim=2)
                    for t in teacher_maps
                ],
                dim=1,
            )
            .double()
            .square_(),
            positions=first_map.shape[-2] * first_map.shape[-1],
        )
        dtype = first_map.dtype
        if training:
            count = first_map.shape[0] * sums.positions
            mean64 = sums.y.sum(dim=0) / count
            var64 = (sums.yy.sum(dim=0) / count - mean64.square()).clamp_(0)
            mean, var = mean64.to(dtype), var64.to(dtype)
        else:
            mean, var = stats_mean, stats_var
            mean64, var64 = mean.double(), var.double()
        invstd64 = (var64 + eps).rsqrt()
        scale64 = gamma.detach().double() * invstd64
        shift64 = beta.detach().double() - mean64 * scale64
        # sum_hw (s y + o - T)^2 per (n, c), then the mean over each group
        squares = (
            scale64.square() * sums.yy
            + 2 * scale64 * shift64 * sums.y
            - 2 * scale64 * sums.yt
            + sums.positions * shift64.square()
            - 2 * shift64 * sums.t
            + sums.tt
        ).clamp_(min=0)
        distances = torch.stack(
            [
                group.sum(dim=1) / (group.shape[1] * sums.positions)
                for group in squares.split(list(groups), dim=1)
            ],
            dim=1,
        ).to(dtype)

        ctx.groups, ctx.training = groups, training
        ctx.num_branches = num_branches
        ctx.num_teacher_maps = len(teacher_maps)
        ctx.sums = sums
        ctx.stats = (mean64, invstd64, scale64, shift64)
        ctx.recompute = recompute
        kept = () if recompute else (y,)
        ctx.save_for_backward(*teacher_maps, *branches, *weights, *kept)
        ctx.mark_non_differentiable(mean, var)
        return distances, mean.detach(), var.detach()

    @staticmethod
    def backward(ctx, grad_distances: Tensor, *unused_grads: Tensor):
        saved = ctx.saved_tensors
        teacher_maps, rest = (
            saved[: ctx.num_teacher_maps],
            saved[ctx.num_teacher_maps :],
        )
        branches = rest[: ctx.num_branches]
        weights = rest[ctx.num_branches : 2 * ctx.num_branches]
        sums, (mean, invstd, scale, shift) = ctx.sums, ctx.stats

        # dD/da = factor_nc (a - T), factor = 2 grad_D[n, g] / (|g| H W)
        factor = torch.cat(
            [
                (2.0 * grad_distances[:, g_idx : g_idx + 1].double())
                .div(channels * sums.positions)
                .expand(-1, channels)
                for g_idx, channels in enumerate(ctx.groups)
            ],
            dim=1,
        )
        # BatchNorm's gamma/beta gradients from the sums
        grad_beta = (
            factor * (scale * sums.y + sums.positions * shift - sums.t)
        ).sum(dim=0)
        grad_a_dot_y = (
            factor * (scale * sums.yy + shift * sums.y - sums.yt)
        ).sum(dim=0)
        grad_gamma = (grad_a_dot_y - mean * grad_beta) * invstd
        # d/dy = A y + B + C T per (n, c)
        coef_y = scale.square() * factor
        coef_0 = scale * shift * factor
        coef_t = -scale * factor
        if ctx.training:
            count = teacher_maps[0].shape[0] * sums.positions
            k_y = -scale * invstd * grad_gamma / count
            coef_y = coef_y + k_y
            coef_0 = coef_0 - scale * grad_beta / count - k_y * mean
        needs = ctx.needs_input_grad[9:]
        needs = [
            (needs[b_idx], needs[ctx.num_branches + b_idx])
            for b_idx in range(ctx.num_branches)
        ]
        coefs = (coef_y, coef_0, coef_t)
        if ctx.recompute:
            grad_branches, grad_weights = chunked_input_grads(
                branches, weights, teacher_maps, coefs, needs
            )
        else:
            grad_y = aligned_map_grad(saved[-1], teacher_maps, coefs)
            grad_branches, grad_weights = branch_grads(
                grad_y, branches, weights, needs
            )
        dtype = teacher_maps[0].dtype
        return (
            None,
            None,
            None,
            None,
            None,
            grad_gamma.to(dtype) if ctx.needs_input_grad[5] else None,
            grad_beta.to(dtype) if ctx.needs_input_grad[6] else None,
            None,
            None,
            *grad_branches,
            *grad_weights,
        )


def stacked_branch_weights(
    aligners: Sequence[BranchAligner], num_branches: int
) -> List[Tensor]:
    """Per branch ``b``, the aligners' ``W_b`` stacked along the output
    channels: ``(sum_g C_g, c_b)``, one conv for all pairs of a stage."""
    return [
        torch.cat([aligner.convs[b].weight.flatten(1) for aligner in aligners])
        for b in range(num_branches)
    ]


def stage_pair_distances(
    branches: Sequence[Tensor],
    aligners: Sequence[BranchAligner],
    teacher_maps: Sequence[TeacherMap],
    with_cp: bool = False,
) -> Tensor:
    """``D (N, G)`` of one student stage to ``G`` teacher maps, fused.

    The same values and gradients as, per pair ``g``,
    ``(aligners[g](branches) - teacher_maps[g]).pow(2).flatten(1).mean(1)``
    (see the module docstring), including BatchNorm's running statistics
    updates in training mode (``momentum``, or the cumulative average when
    it is None, with the unbiased batch variance).

    Args:
        branches (Sequence[Tensor]): The used student branches, highest
            resolution first, ``(N, c_b, h_b, w_b)``.
        aligners (Sequence[BranchAligner]): One per pair, built for these
            branches, with affine BatchNorms that track running statistics
            and share one ``eps``.
        teacher_maps (Sequence[Tensor | Sequence[Tensor]]): One per pair
            at the first branch's size: ``(N, C_g, h_0, w_0)``, or its
            channel pieces in order (their concatenation is the map, which
            is then never built); detached here.
        with_cp (bool): Build the aligned map ``y`` in 64-channel chunks
            and rebuild them in the backward instead of keeping ``y`` (as
            MMCV's ``with_cp`` trades time for memory): the same values and
            gradients, one stacked conv forward more per step. Defaults to
            False.

    Returns:
        Tensor: ``(N, G)``.
    """
    norms = [aligner.bn for aligner in aligners]
    pieces = []
    for g_idx, (target, norm) in enumerate(zip(teacher_maps, norms)):
        parts = [target] if isinstance(target, Tensor) else list(target)
        channels = sum(part.shape[1] for part in parts)
        if channels != norm.num_features:
            raise ValueError(
                f'stage_pair_distances: the teacher map of pair {g_idx} has '
                f'{channels} channels ({[part.shape[1] for part in parts]} '
                f'in pieces), its aligner {norm.num_features}'
            )
        pieces.extend(part.detach() for part in parts)
    training = norms[0].training
    weights = stacked_branch_weights(aligners, len(branches))
    distances, mean, var = AlignedStageDistance.apply(
        tuple(norm.num_features for norm in norms),
        training,
        float(norms[0].eps),
        with_cp,
        pieces,
        torch.cat([norm.weight for norm in norms]),
        torch.cat([norm.bias for norm in norms]),
        torch.cat([norm.running_mean for norm in norms]),
        torch.cat([norm.running_var for norm in norms]),
        *branches,
        *weights,
    )
    if training:
        count = branches[0].numel() // branches[0].shape[1]
        _update_running_stats(norms, mean, var * count / max(count - 1, 1))
    return distances


@torch.no_grad()
def _update_running_stats(
    norms: Sequence[torch.nn.BatchNorm2d], mean: Tensor, unbiased_var: Tensor
) -> None:
    """What ``BatchNorm2d.forward`` does to its buffers in training."""
    start = 0
    for norm in norms:
        stop = start + norm.num_features
        norm.num_batches_tracked.add_(1)
        momentum = norm.momentum
        if momentum is None:  # cumulative moving average
            momentum = 1.0 / float(norm.num_batches_tracked)
        norm.running_mean.lerp_(mean[start:stop], momentum)
        norm.running_var.lerp_(unbiased_var[start:stop], momentum)
        start = stop
