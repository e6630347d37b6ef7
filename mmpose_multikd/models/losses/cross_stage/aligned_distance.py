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
``<U_a p, U_b q> = <p, U_a^T U_b q>`` (:func:`adjoint_resize`). A branch
with few channels (the top branch always, and any with ``c_b <= C / 4``
for ``C`` stacked channels) enters through its own channels, the others
through their conv outputs ``z_b = W_b x_b`` at their own resolution:

- ``<U_a W_a x_a, U_b W_b x_b> = W_a (x_a' x_b'^T) W_b^T`` per output
  channel (a ``c_a x c_b`` Gram matrix, ``40 x 40`` for LiteHRNet-18's
  top branch),
- ``<U_a W_a x_a, U_b z_b> = W_a \\cdot (z_b x_a'^T)``,
  ``<U_a W_a x_a, U_k t_k> = W_a \\cdot (x_a' t_k'^T)``,
- ``<U_b z_b, U_c z_c>`` and ``<U_b z_b, U_k t_k>`` channel by channel,

with ``'`` the factor brought to the smaller of the two sizes.

The products of an input branch at its own size (its Gram matrix, its
sums, and its products with the teacher branches at least as large) come
from one :class:`.channel_products.BranchProducts` node, whose backward
writes the branch's gradient into one buffer. The sums are combined in
float64, and autograd differentiates the whole (the saved tensors are the
low-resolution maps and small matrices).

Mixed precision: the moments are formed in float32 (float64 for float64
inputs) whatever the autocast state: autocast is switched off and float16
/ bfloat16 maps are cast to float32 first. A channel's sum of squares over
``64 x 64`` positions reaches ``1e7`` on LiteHRNet-18 (float16 stops at
65504), and the distance is a difference of such sums, which bfloat16's
8 bits would not resolve (:mod:`.precision`).

Synchronised BatchNorm: when the aligners' norms are
``torch.nn.SyncBatchNorm`` (MMEngine's ``sync_bn='torch'``) and a process
group is initialised, the batch sums ``S_y`` and ``S_yy`` and the sample
count are all-reduced over the norms' group before the statistics are
formed, with gradients (``torch.distributed.nn.functional.all_reduce``),
as ``SyncBatchNorm`` itself does; the running statistics get the global
mean and unbiased variance.
Values, gradients and running statistics are those of the module path
(:class:`BranchAligner`, resizing, then the MSE):
``tests/test_models/test_utils/test_aligned_distance.py`` checks them.
"""

from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ...utils.precision import autocast_disabled, compute_dtype
from ...utils.resize import (
    adjoint_resize,
    adjoint_resize_ones,
    resize_bilinear,
)
from .aligner_batch_stats import (
    all_reduce_sums,
    sync_group,
    update_running_stats,
)
from .branch_aligner import BranchAligner
from .channel_products import ResizedChannelDots, branch_products, channel_dots

Size = Tuple[int, int]


def _weighted_sums(feat: Tensor, full: Size) -> Tensor:
    """``sum_{h,w} U feat`` per ``(n, c)``, ``U`` resizing ``feat`` to
    ``full``, taken at ``feat``'s own size as ``<feat, U^T 1>``."""
    if tuple(feat.shape[-2:]) == tuple(full):
        return feat.flatten(2).sum(dim=2)
    ones = adjoint_resize_ones(feat.shape[-2:], full, feat)
    return feat.flatten(2) @ ones.flatten()


class TeacherStageMoments:
    """A teacher stage's fused map ``T = concat_k U_k t_k``, never built.

    Holds its detached branches and the per-``(n, c)`` sums ``S_T`` and
    ``S_TT`` of ``T``, computed once per step for all the student stages
    the teacher stage is paired with.

    Args:
        branches (Sequence[Tensor]): ``(N, C_k, H_k, W_k)``, highest
            resolution (that of ``T``) first; kept in float32 (float64 if
            any is float64), the sums formed with autocast off.
    """

    def __init__(self, branches: Sequence[Tensor]) -> None:
        dtype = compute_dtype(*branches)
        self.branches = [branch.detach().to(dtype) for branch in branches]
        self.size: Size = tuple(self.branches[0].shape[-2:])
        self.channels = sum(branch.shape[1] for branch in self.branches)
        with autocast_disabled(self.branches[0].device.type):
            self.sums = torch.cat(
                [_weighted_sums(t, self.size) for t in self.branches], dim=1
            )
            self.squares = torch.cat(
                [
                    channel_dots(t, adjoint_resize(t, t.shape[-2:], self.size))
                    for t in self.branches
                ],
                dim=1,
            )
        self._at: Dict[Tuple[int, Size], Tensor] = {}

    def branch_at(self, k_idx: int, size: Size) -> Tensor:
        """``U_s^T U_k t_k`` at ``size`` (cached): ``<U_s p, U_k t_k> =
        <p, branch_at(k, s)>`` for any ``p`` at ``s``."""
        key = (k_idx, tuple(size))
        if key not in self._at:
            branch = self.branches[k_idx]
            with autocast_disabled(branch.device.type):
                self._at[key] = adjoint_resize(branch, size, self.size)
        return self._at[key]

    def at(self, size: Size) -> List[Tensor]:
        """:meth:`branch_at` ``size`` for every branch: ``<U_s p, T> =
        <p, concat_k at(s)[k]>`` for any ``p`` at ``s``."""
        return [self.branch_at(k, size) for k in range(len(self.branches))]


TeacherStage = Union[TeacherStageMoments, Sequence[Tensor]]


def _student_moments(
    branches: Sequence[Tensor],
    weights: Sequence[Tensor],
    teachers: Sequence[TeacherStageMoments],
) -> Tuple[Tensor, Tensor, Tensor]:
    """``S_y``, ``S_yy`` and ``S_yT`` (float64, ``(N, C)``) of
    ``y = sum_b U_b W_b x_b`` against the teachers' channels in order.

    A branch enters through its own channels ``x_b`` (with ``W_b`` applied
    to the small products) when it has few of them (the top branch always,
    and any with ``c_b <= C / 4``), else through its conv output
    ``z_b = W_b x_b`` at its own resolution.
    """
    full: Size = tuple(branches[0].shape[-2:])
    channels = weights[0].shape[0]
    inputs = [
        b_idx
        for b_idx, branch in enumerate(branches)
        if b_idx == 0 or 4 * branch.shape[1] <= channels
    ]
    outputs = {
        b_idx: F.conv2d(branch, weights[b_idx][:, :, None, None])
        for b_idx, branch in enumerate(branches)
        if b_idx not in inputs
    }
    weights64 = {b_idx: weights[b_idx].double() for b_idx in inputs}
    resized: Dict[Tuple[int, Size], Tensor] = {}

    def input_at(b_idx: int, size) -> Tensor:
        """``x_b`` brought to ``size`` (``U_size^T U_b x_b``), cached."""
        key = (b_idx, tuple(size))
        if key not in resized:
            resized[key] = adjoint_resize(branches[b_idx], size, full)
        return resized[key]

    def products(first: Tensor, second: Tensor) -> Tensor:
        """``<U first_j, U second_k>`` for all channel pairs, taken at the
        smaller size: ``(N, C_1, C_2)``."""
        return torch.bmm(first.flatten(2), second.flatten(2).transpose(1, 2))

    def smaller(b_idx: int, other: Tensor) -> Tuple[Tensor, Tensor]:
        """Input branch ``b`` and ``other`` with equal inner products, at
        the smaller of their sizes (the larger one brought down)."""
        size_b, size_o = branches[b_idx].shape[-2:], other.shape[-2:]
        if size_o.numel() <= size_b.numel():
            return input_at(b_idx, size_o), other
        return branches[b_idx], adjoint_resize(other, size_b, full)

    teacher_branches = [
        (teacher, k_idx, t)
        for teacher in teachers
        for k_idx, t in enumerate(teacher.branches)
    ]
    # Per input branch, its products at its own size in one autograd node
    # (one gradient buffer): its Gram matrix, its cross products with the
    # teacher branches at least as large (brought down to it), and its sums
    # (against U^T 1); each smaller teacher branch against x_a brought down
    # to it. ``own_teacher_crosses[a]`` is (N, C, c_a) in teacher order.
    own_gram, own_teacher_crosses, sum_y = {}, {}, 0
    for a_idx in inputs:
        feat = branches[a_idx]
        size_a = feat.shape[-2:]
        large = [
            t.shape[-2:].numel() >= size_a.numel()
            for _, _, t in teacher_branches
        ]
        fixed = [
            teacher.branch_at(k_idx, size_a)
            for (teacher, k_idx, _), is_large in zip(teacher_branches, large)
            if is_large
        ]
        ones = adjoint_resize_ones(size_a, full, feat)
        fixed.append(ones.expand(feat.shape[0], 1, *size_a))
        gram, cross = branch_products(feat, fixed, full)
        own_gram[a_idx] = gram.double()
        cross = cross.double().transpose(1, 2)  # (N, K + 1, c_a)
        sum_y = sum_y + cross[:, -1] @ weights64[a_idx].t()
        own = iter(cross[:, :-1].split([f.shape[1] for f in fixed[:-1]], 1))
        own_teacher_crosses[a_idx] = torch.cat(
            [
                next(own)
                if is_large
                else products(t, input_at(a_idx, t.shape[-2:])).double()
                for (_, _, t), is_large in zip(teacher_branches, large)
            ],
            dim=1,
        )
    for z_b in outputs.values():
        sum_y = sum_y + _weighted_sums(z_b, full).double()
    # <U W_a x_a, U W_b x_b> = W_a <U x_a, U x_b^T> W_b^T, per output channel
    sum_yy = 0
    for i, a_idx in enumerate(inputs):
        for b_idx in inputs[i:]:
            if b_idx == a_idx:
                gram = own_gram[a_idx]
            else:
                gram = products(*smaller(a_idx, branches[b_idx])).double()
            quad = ((weights64[a_idx] @ gram) * weights64[b_idx]).sum(dim=2)
            sum_yy = sum_yy + (quad if b_idx == a_idx else 2 * quad)
        for z_b in outputs.values():
            first, second = smaller(a_idx, z_b)
            cross = products(second, first)  # (N, C, c_a)
            sum_yy = sum_yy + 2 * (cross.double() * weights64[a_idx]).sum(2)
    lower = list(outputs.values())
    for b_idx, z_b in enumerate(lower):
        for c_idx, z_c in enumerate(lower[b_idx:]):
            dots = ResizedChannelDots.apply(z_b, z_c, full).double()
            sum_yy = sum_yy + (dots if c_idx == 0 else 2 * dots)
    # <U W_a x_a, T>, from the crosses above
    sum_yt = sum(
        (own_teacher_crosses[a] * weights64[a]).sum(dim=2) for a in inputs
    )
    # <U_b z_b, T> = <z_b, U_b^T T>, the teachers' side cached per size
    for z_b in lower:
        teacher_maps = [m for t in teachers for m in t.at(z_b.shape[-2:])]
        widths = [m.shape[1] for m in teacher_maps]
        sum_yt = (
            sum_yt
            + torch.cat(
                [
                    channel_dots(z_slice, teacher_map)
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
    with autocast_disabled(branches[0].device.type):
        return _distances(branches, aligners, norms, teachers, full)


def _distances(
    branches: Sequence[Tensor],
    aligners: Sequence[BranchAligner],
    norms: Sequence[nn.BatchNorm2d],
    teachers: Sequence[TeacherStageMoments],
    full: Size,
) -> Tensor:
    """:func:`stage_pair_distances` once its inputs are checked, in the
    compute dtype (autocast off)."""
    dtype = compute_dtype(*branches)
    branches = [branch.to(dtype) for branch in branches]
    weights = [
        w.to(dtype) for w in stacked_branch_weights(aligners, len(branches))
    ]
    sum_y, sum_yy, sum_yt = _student_moments(branches, weights, teachers)
    sum_t = torch.cat([t.sums for t in teachers], dim=1).double()
    sum_tt = torch.cat([t.squares for t in teachers], dim=1).double()
    positions = full[0] * full[1]
    count = branches[0].shape[0] * positions
    training = norms[0].training
    if training:
        batch_y, batch_yy = sum_y.sum(dim=0), sum_yy.sum(dim=0)
        group = sync_group(norms)
        if group is not None:  # SyncBatchNorm: the statistics of all ranks
            batch_y, batch_yy, count = all_reduce_sums(
                batch_y, batch_yy, count, group
            )
        mean = batch_y / count
        var = (batch_yy / count - mean.square()).clamp(min=0)
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
    ).to(dtype)
    if training:
        if isinstance(count, Tensor):
            unbiased = count / (count - 1).clamp(min=1)
        else:
            unbiased = count / max(count - 1, 1)
        update_running_stats(norms, mean.detach(), var.detach() * unbiased)
    return distances


def pair_module_distance(
    aligner: BranchAligner,
    student_branches: List[Tensor],
    teacher_feat: Tensor,
) -> Tensor:
    """Per-sample MSE between a teacher map and the aligned student map,
    through the aligner module (the path for teacher maps that are not at
    the student's top-branch size).

    Args:
        aligner (BranchAligner): ``f_lm`` of the pair.
        student_branches (list[Tensor]): The student stage's used branches.
        teacher_feat (Tensor): Fused teacher stage feature
            ``(N, Ct, Ht, Wt)``.

    Returns:
        Tensor: ``mean_{C,H,W} (F_t - f_lm(F_s))^2``, shaped ``(N,)``.
    """
    aligned = aligner(student_branches)
    aligned = resize_bilinear(aligned, teacher_feat.shape[-2:])
    return (aligned - teacher_feat).pow(2).flatten(1).mean(dim=1)
