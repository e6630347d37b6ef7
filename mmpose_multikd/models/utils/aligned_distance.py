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
by hand: the forward keeps only ``y`` (one map per stage, not the
BatchNorm output, the difference and its square per pair), the backward
recomputes ``a - T`` group by group and writes every gradient of the map
size into one buffer, in place. Same values as the module path
(:class:`BranchAligner`, then the MSE), with fewer and smaller
temporaries; ``tests/test_models/test_utils/test_aligned_distance.py``
checks values and gradients against it.
"""

from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .branch_aligner import BranchAligner
from .resize import resize_matrix


def _conv1x1(feat: Tensor, weight: Tensor) -> Tensor:
    """``W x`` at every position: ``(N, c, h, w)`` -> ``(N, C, h, w)``."""
    return F.conv2d(feat, weight[:, :, None, None])


def _conv1x1_backward(
    grad_out: Tensor, feat: Tensor, weight: Tensor, needs: Tuple[bool, bool]
) -> Tuple[Tensor, Tensor]:
    """Gradients of :func:`_conv1x1` w.r.t. ``feat`` and ``weight``."""
    grad_feat, grad_weight, _ = torch.ops.aten.convolution_backward(
        grad_out,
        feat,
        weight[:, :, None, None],
        None,
        [1, 1],
        [0, 0],
        [1, 1],
        False,
        [0, 0],
        1,
        [needs[0], needs[1], False],
    )
    if grad_weight is not None:
        grad_weight = grad_weight.flatten(1)
    return grad_feat, grad_weight


def _resize_matrices(
    src: Sequence[int], dst: Sequence[int], like: Tensor
) -> Tuple[Tensor, Tensor]:
    """Row and column matrices of bilinear resizing ``src`` -> ``dst``."""
    rows = resize_matrix(int(src[0]), int(dst[0])).to(like)
    cols = resize_matrix(int(src[1]), int(dst[1])).to(like)
    return rows, cols


def _add_upsampled(out: Tensor, feat: Tensor) -> None:
    """``out += resize_bilinear(feat, out size)``, in place.

    ``R feat C^T``: the columns first (one matrix product over all rows),
    then the rows as a batched product accumulated into ``out``.
    """
    num, channels, height, width = out.shape
    rows, cols = _resize_matrices(feat.shape[-2:], (height, width), out)
    wide = torch.matmul(feat, cols.t()).view(num * channels, -1, width)
    out.view(num * channels, height, width).baddbmm_(
        rows.expand(num * channels, height, rows.shape[1]), wide
    )


def _channel_stats(feat: Tensor) -> Tuple[Tensor, Tensor]:
    """Per-channel mean and biased variance over ``(N, H, W)``.

    From the per-``(n, c)`` sums and sums of squares over the contiguous
    ``H x W`` (two fast reductions; ``var_mean`` over non-innermost
    dimensions is several times slower on CPU):
    ``var = E[y^2] - E[y]^2``, clamped at 0.
    """
    flat = feat.flatten(2)
    count = flat.shape[0] * flat.shape[2]
    mean = flat.sum(dim=2).sum(dim=0) / count
    squares = torch.linalg.vector_norm(flat, dim=2).square_().sum(dim=0)
    var = (squares / count - mean.square()).clamp_(min=0)
    return mean, var


def _channel(values: Tensor) -> Tensor:
    """``(C,)`` -> ``(C, 1, 1)``, broadcast over ``(N, C, H, W)``."""
    return values[:, None, None]


class AlignedStageDistance(torch.autograd.Function):
    """``D (N, G)`` of one student stage to its ``G`` teacher maps.

    ``forward(ctx, groups, training, eps, teacher_maps, gamma, beta,
    stats_mean, stats_var, *branches_and_weights)`` with ``groups`` the
    channel counts of the pairs, ``teacher_maps`` their detached teacher
    maps ``(N, |g|, H, W)`` at the top branch's size, ``stats_*`` the
    running statistics (used in eval) and ``branches_and_weights`` the
    branches ``x_b`` followed by their stacked weights ``W_b (C, c_b)``.
    Returns ``D``, the batch mean and the biased batch variance of ``y``
    (the last two for the running statistics, without gradient).
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx,
        groups: Tuple[int, ...],
        training: bool,
        eps: float,
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
        # y = sum_b up_b(W_b x_b), accumulated in place in the top map
        y = _conv1x1(branches[0], weights[0])
        for branch, weight in zip(branches[1:], weights[1:]):
            _add_upsampled(y, _conv1x1(branch, weight))

        if training:
            mean, var = _channel_stats(y)
        else:
            mean, var = stats_mean, stats_var
        invstd = (var + eps).rsqrt()
        scale = gamma * invstd
        shift = beta - mean * scale

        distances = y.new_empty(y.shape[0], len(groups))
        start = 0
        for g_idx, (channels, target) in enumerate(zip(groups, teacher_maps)):
            stop = start + channels
            diff = torch.addcmul(
                _channel(shift[start:stop]),
                y[:, start:stop],
                _channel(scale[start:stop]),
            ).sub_(target)
            norms = torch.linalg.vector_norm(diff.flatten(1), dim=1)
            distances[:, g_idx] = norms.square_() / diff[0].numel()
            start = stop

        ctx.groups, ctx.training = groups, training
        ctx.num_branches = num_branches
        ctx.save_for_backward(
            y, mean, invstd, scale, shift, *teacher_maps, *branches, *weights
        )
        ctx.num_teacher_maps = len(teacher_maps)
        ctx.mark_non_differentiable(mean, var)
        return distances, mean.detach(), var.detach()

    @staticmethod
    def backward(ctx, grad_distances: Tensor, *unused_grads: Tensor):
        saved = ctx.saved_tensors
        y, mean, invstd, scale, shift = saved[:5]
        teacher_maps = saved[5 : 5 + ctx.num_teacher_maps]
        rest = saved[5 + ctx.num_teacher_maps :]
        branches = rest[: ctx.num_branches]
        weights = rest[ctx.num_branches :]

        # dD/da = 2 (a - T) / (|g| H W), scaled per sample by grad_D
        grad_a = torch.empty_like(y)
        start = 0
        for g_idx, (channels, target) in enumerate(
            zip(ctx.groups, teacher_maps)
        ):
            stop = start + channels
            group_grad = grad_a[:, start:stop]
            torch.addcmul(
                _channel(shift[start:stop]),
                y[:, start:stop],
                _channel(scale[start:stop]),
                out=group_grad,
            )
            group_grad.sub_(target)
            factor = grad_distances[:, g_idx] * (2.0 / target[0].numel())
            group_grad.mul_(factor[:, None, None, None])
            start = stop

        # BatchNorm: gamma/beta gradients, then d/dy in place in grad_a
        grad_beta = grad_a.flatten(2).sum(dim=2).sum(dim=0)
        grad_a_dot_y = torch.linalg.vecdot(
            grad_a.flatten(2), y.flatten(2), dim=2
        ).sum(dim=0)
        grad_gamma = (grad_a_dot_y - mean * grad_beta) * invstd
        if ctx.training:
            count = y.numel() // y.shape[1]
            k_y = -scale * invstd * grad_gamma / count
            k_0 = -scale * grad_beta / count - k_y * mean
            grad_a.mul_(_channel(scale)).addcmul_(y, _channel(k_y))
            grad_a.add_(_channel(k_0))
        else:
            grad_a.mul_(_channel(scale))
        grad_y = grad_a

        needs = ctx.needs_input_grad[8:]
        grad_branches, grad_weights = [], []
        for b_idx, (branch, weight) in enumerate(zip(branches, weights)):
            if b_idx == 0:
                grad_z = grad_y
            else:
                rows, cols = _resize_matrices(
                    branch.shape[-2:], y.shape[-2:], y
                )
                grad_z = rows.t() @ grad_y @ cols
            grad_branch, grad_weight = _conv1x1_backward(
                grad_z,
                branch,
                weight,
                (needs[b_idx], needs[ctx.num_branches + b_idx]),
            )
            grad_branches.append(grad_branch)
            grad_weights.append(grad_weight)
        return (
            None,
            None,
            None,
            None,
            grad_gamma if ctx.needs_input_grad[4] else None,
            grad_beta if ctx.needs_input_grad[5] else None,
            None,
            None,
            *grad_branches,
            *grad_weights,
        )


def stage_pair_distances(
    branches: Sequence[Tensor],
    aligners: Sequence[BranchAligner],
    teacher_maps: Sequence[Tensor],
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
        teacher_maps (Sequence[Tensor]): One per pair, ``(N, C_g, h_0,
            w_0)`` (the first branch's size); detached here.

    Returns:
        Tensor: ``(N, G)``.
    """
    norms = [aligner.bn for aligner in aligners]
    training = norms[0].training
    weights = [
        torch.cat([aligner.convs[b].weight.flatten(1) for aligner in aligners])
        for b in range(len(branches))
    ]
    distances, mean, var = AlignedStageDistance.apply(
        tuple(norm.num_features for norm in norms),
        training,
        float(norms[0].eps),
        [target.detach() for target in teacher_maps],
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
