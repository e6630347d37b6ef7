# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Distances of one student stage to all its teachers, from moments.

All pairs ``(l, m)`` of a student stage ``m`` share its branches ``x_b``.
Their aligners (:class:`BranchAligner`: a 1x1 conv ``W_b`` per branch,
then BatchNorm) stacked along the output channels form one aligner whose
channel groups ``g`` are the pairs. With ``U_b`` the bilinear resizing of
branch ``b`` to the top branch's ``H x W`` (``U_0 = I``), and the teacher
map of pair ``g`` its stage's fused map ``T = concat_k U_k t_k`` (MFT):

.. math::

    y = \\sum_b U_b (W_b x_b), \\qquad
    a_c = \\gamma_c \\frac{y_c - \\mu_c}{\\sqrt{\\sigma_c^2 + \\epsilon}}
        + \\beta_c, \\qquad
    D_{n,g} = \\frac{1}{|g| H W} \\sum_{c \\in g} \\sum_{h,w}
        (a_{n,c,h,w} - T_{n,c,h,w})^2

with ``mu`` and ``sigma^2`` the batch statistics over ``(N, H, W)`` in
training (BatchNorm's biased variance) or the running statistics in eval.
Per ``(n, c)``, with ``s = gamma / sigma`` and ``o = beta - s mu``,

.. math::

    \\sum_{h,w} (s y + o - T)^2 = s^2 S_{yy} + 2 s o S_y - 2 s S_{yT}
        + H W o^2 - 2 o S_T + S_{TT}

and the batch statistics are ``S_y`` and ``S_yy`` summed over the batch.
No map at ``H x W`` with the stacked channels is ever built: every inner
product is taken at the lower resolution of its two factors, through
``<U_a p, U_b q> = <p, U_a^T U_b q>`` (:func:`adjoint_resize`), and the
top branch enters through its own channels, ``z_0 = W_0 x_0``:

- ``<z_0, z_0> = W_0 (x_0 x_0^T) W_0^T`` (a ``c_0 x c_0`` Gram matrix),
- ``<z_0, U_b z_b> = W_0 \\cdot (z_b (U_b^T x_0)^T)``,
- ``<z_0, U_k t_k> = W_0 \\cdot ((U_k^T x_0) t_k^T)``,
- ``<U_b z_b, U_{b'} z_{b'}>`` and ``<U_b z_b, U_k t_k>`` at the resolution
  of branch ``b``.

The sums are combined in float64, and autograd differentiates the whole
(the saved tensors are the low-resolution maps and small matrices).
Values, gradients and running statistics are those of the module path
(:class:`BranchAligner`, resizing, then the MSE):
``tests/test_models/test_utils/test_aligned_distance.py`` checks them.
"""

from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from .branch_aligner import BranchAligner
from .resize import adjoint_resize, adjoint_resize_ones

Size = Tuple[int, int]


def _channel_dots(first: Tensor, second: Tensor) -> Tensor:
    """``sum_{h,w} first * second`` per ``(n, c)``: ``(N, C)``."""
    return torch.linalg.vecdot(first.flatten(2), second.flatten(2), dim=2)


def _weighted_sums(feat: Tensor, full: Size) -> Tensor:
    """``sum_{h,w} U feat`` per ``(n, c)``, ``U`` resizing ``feat`` to
    ``full``, taken at ``feat``'s own size as ``<feat, U^T 1>``."""
    if tuple(feat.shape[-2:]) == tuple(full):
        return feat.flatten(2).sum(dim=2)
    ones = adjoint_resize_ones(feat.shape[-2:], full, feat)
    return feat.flatten(2) @ ones.flatten()


class ResizedChannelDots(torch.autograd.Function):
    """``<U_p p, U_q q>`` per ``(n, c)``, ``U`` resizing to ``full``.

    ``apply(first, second, full)`` with ``first`` ``(N, C, h, w)`` and
    ``second`` ``(N, C, h', w')``: computed at ``first``'s size as
    ``<first, adjoint_resize(second)>``. Only the two inputs are saved (the
    maps the caller keeps anyway); the backward takes the adjoint resizing
    again, each way:

    .. math::

        \\partial / \\partial p = g \\, U_p^T U_q q, \\qquad
        \\partial / \\partial q = g \\, U_q^T U_p p
    """

    @staticmethod
    def forward(ctx, first: Tensor, second: Tensor, full: Size) -> Tensor:  # type: ignore[override]
        ctx.full = tuple(full)
        ctx.same = first is second
        ctx.save_for_backward(first, second)
        return _channel_dots(
            first, adjoint_resize(second, first.shape[-2:], ctx.full)
        )

    @staticmethod
    def backward(ctx, grad: Tensor):
        first, second = ctx.saved_tensors
        per_map = grad[:, :, None, None]
        grad_first = grad_second = None
        if ctx.needs_input_grad[0]:
            grad_first = per_map * adjoint_resize(
                second, first.shape[-2:], ctx.full
            )
            if ctx.same:  # <U p, U p>: both factors' share, on one edge
                return 2 * grad_first, None, None
        if ctx.needs_input_grad[1]:
            grad_second = per_map * adjoint_resize(
                first, second.shape[-2:], ctx.full
            )
        return grad_first, grad_second, None


class TeacherStageMoments:
    """A teacher stage's fused map ``T = concat_k U_k t_k``, never built.

    Holds its detached branches and the per-``(n, c)`` sums ``S_T`` and
    ``S_TT`` of ``T``, computed once per step for all the student stages
    the teacher stage is paired with.

    Args:
        branches (Sequence[Tensor]): ``(N, C_k, H_k, W_k)``, highest
            resolution (that of ``T``) first.
    """

    def __init__(self, branches: Sequence[Tensor]) -> None:
        self.branches = [branch.detach() for branch in branches]
        self.size: Size = tuple(self.branches[0].shape[-2:])
        self.channels = sum(branch.shape[1] for branch in self.branches)
        self.sums = torch.cat(
            [_weighted_sums(t, self.size) for t in self.branches], dim=1
        )
        self.squares = torch.cat(
            [
                _channel_dots(t, adjoint_resize(t, t.shape[-2:], self.size))
                for t in self.branches
            ],
            dim=1,
        )
        self._at: Dict[Size, List[Tensor]] = {}

    def at(self, size: Size) -> List[Tensor]:
        """``U_s^T U_k t_k`` at ``size`` for every branch ``k`` (cached):
        ``<U_s p, T> = <p, concat_k at(s)[k]>`` for any ``p`` at ``s``."""
        size = tuple(size)
        if size not in self._at:
            self._at[size] = [
                adjoint_resize(t, size, self.size) for t in self.branches
            ]
        return self._at[size]


TeacherStage = Union[TeacherStageMoments, Sequence[Tensor]]


def _student_moments(
    branches: Sequence[Tensor],
    weights: Sequence[Tensor],
    teachers: Sequence[TeacherStageMoments],
) -> Tuple[Tensor, Tensor, Tensor]:
    """``S_y``, ``S_yy`` and ``S_yT`` (float64, ``(N, C)``) of
    ``y = sum_b U_b W_b x_b`` against the teachers' channels in order."""
    top = branches[0]
    full: Size = tuple(top.shape[-2:])
    top_flat = top.flatten(2)
    top_weight = weights[0].double()
    lower = [
        F.conv2d(branch, weight[:, :, None, None])
        for branch, weight in zip(branches[1:], weights[1:])
    ]
    top_at: Dict[Size, Tensor] = {full: top}

    def top_resized(size) -> Tensor:
        size = tuple(size)
        if size not in top_at:
            top_at[size] = adjoint_resize(top, size, full)
        return top_at[size]

    def top_dots(others: Tensor, size) -> Tensor:
        """``W_0 . (others (U^T x_0)^T)``: ``<z_0, U others>`` per (n, c)."""
        cross = torch.bmm(
            others.flatten(2), top_resized(size).flatten(2).transpose(1, 2)
        )
        return (cross.double() * top_weight).sum(dim=2)

    gram = torch.bmm(top_flat, top_flat.transpose(1, 2)).double()
    sum_y = top_flat.sum(dim=2).double() @ top_weight.t()
    sum_yy = ((top_weight @ gram) * top_weight).sum(dim=2)
    for b_idx, z_b in enumerate(lower):
        sum_y = sum_y + _weighted_sums(z_b, full).double()
        sum_yy = sum_yy + 2 * top_dots(z_b, z_b.shape[-2:])
        for c_idx, z_c in enumerate(lower[b_idx:]):
            dots = ResizedChannelDots.apply(z_b, z_c, full).double()
            sum_yy = sum_yy + (dots if c_idx == 0 else 2 * dots)
    # <z_0, T>: each teacher branch against x_0 at that branch's size
    cross_t = torch.cat(
        [
            torch.bmm(
                top_resized(t.shape[-2:]).flatten(2),
                t.flatten(2).transpose(1, 2),
            )
            for teacher in teachers
            for t in teacher.branches
        ],
        dim=2,
    )
    sum_yt = (cross_t.double().transpose(1, 2) * top_weight).sum(dim=2)
    # <U_b z_b, T> = <z_b, U_b^T T>, the teachers' side cached per size
    for z_b in lower:
        teacher_maps = [m for t in teachers for m in t.at(z_b.shape[-2:])]
        widths = [m.shape[1] for m in teacher_maps]
        sum_yt = (
            sum_yt
            + torch.cat(
                [
                    _channel_dots(z_slice, teacher_map)
                    for z_slice, teacher_map in zip(
                        z_b.split(widths, dim=1), teacher_maps
                    )
                ],
                dim=1,
            ).double()
        )
    return sum_y, sum_yy, sum_yt


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
    teacher_stages: Sequence[TeacherStage],
) -> Tensor:
    """``D (N, G)`` of one student stage to ``G`` teacher stages.

    The same values and gradients as, per pair ``g``,
    ``(aligners[g](branches) - T_g).pow(2).flatten(1).mean(1)`` with
    ``T_g`` the fused map of ``teacher_stages[g]`` (see the module
    docstring), including BatchNorm's running statistics updates in
    training mode (``momentum``, or the cumulative average when it is
    None, with the unbiased batch variance).

    Args:
        branches (Sequence[Tensor]): The used student branches, highest
            resolution first, ``(N, c_b, h_b, w_b)``.
        aligners (Sequence[BranchAligner]): One per pair, built for these
            branches, with affine BatchNorms that track running statistics
            and share one ``eps``.
        teacher_stages (Sequence[TeacherStageMoments | Sequence[Tensor]]):
            One per pair: the teacher stage's used branches (highest
            resolution first, the first at ``branches[0]``'s size), or
            their :class:`TeacherStageMoments` to share between calls;
            detached here.

    Returns:
        Tensor: ``(N, G)``.
    """
    teachers = [
        stage
        if isinstance(stage, TeacherStageMoments)
        else TeacherStageMoments(stage)
        for stage in teacher_stages
    ]
    norms = [aligner.bn for aligner in aligners]
    full = tuple(branches[0].shape[-2:])
    for g_idx, (teacher, norm) in enumerate(zip(teachers, norms)):
        if teacher.channels != norm.num_features:
            raise ValueError(
                f'stage_pair_distances: the teacher map of pair {g_idx} has '
                f'{teacher.channels} channels '
                f'({[t.shape[1] for t in teacher.branches]} by branch), its '
                f'aligner {norm.num_features}'
            )
        if teacher.size != full:
            raise ValueError(
                f'stage_pair_distances: the teacher map of pair {g_idx} is '
                f'{teacher.size}, the student top branch {full}'
            )
    weights = stacked_branch_weights(aligners, len(branches))
    sum_y, sum_yy, sum_yt = _student_moments(branches, weights, teachers)
    sum_t = torch.cat([t.sums for t in teachers], dim=1).double()
    sum_tt = torch.cat([t.squares for t in teachers], dim=1).double()
    positions = full[0] * full[1]
    count = branches[0].shape[0] * positions
    training = norms[0].training
    if training:
        mean = sum_y.sum(dim=0) / count
        var = (sum_yy.sum(dim=0) / count - mean.square()).clamp(min=0)
    else:
        mean = torch.cat([norm.running_mean for norm in norms]).double()
        var = torch.cat([norm.running_var for norm in norms]).double()
    gamma = torch.cat([norm.weight for norm in norms]).double()
    beta = torch.cat([norm.bias for norm in norms]).double()
    scale = gamma * (var + float(norms[0].eps)).rsqrt()
    shift = beta - mean * scale
    squares = (
        scale.square() * sum_yy
        + 2 * scale * shift * sum_y
        - 2 * scale * sum_yt
        + positions * shift.square()
        - 2 * shift * sum_t
        + sum_tt
    ).clamp(min=0)
    groups = [norm.num_features for norm in norms]
    distances = torch.stack(
        [
            group.sum(dim=1) / (group.shape[1] * positions)
            for group in squares.split(groups, dim=1)
        ],
        dim=1,
    ).to(branches[0].dtype)
    if training:
        dtype = branches[0].dtype
        _update_running_stats(
            norms,
            mean.detach().to(dtype),
            (var.detach() * count / max(count - 1, 1)).to(dtype),
        )
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
