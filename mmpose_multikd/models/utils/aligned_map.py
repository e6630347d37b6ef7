# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The aligned map of one student stage, and its gradient pass.

The stacked aligners of a stage's pairs (one 1x1 conv ``W_b`` per student
branch, the pairs' output channels one after the other) give

.. math::

    y = \\sum_b up_b(W_b x_b)

at the top branch's size. Here: building ``y`` (whole, or a slice of its
channels, :data:`CHUNK_CHANNELS` at a time), the adjoint of the resizing,
and the gradients w.r.t. the branches and the stacked weights from that of
``y``, which :class:`~.aligned_distance.AlignedStageDistance` writes as
``A y + B + C T`` per ``(n, c)``.
"""

from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .resize import resize_matrices


def conv1x1(feat: Tensor, weight: Tensor) -> Tensor:
    """``W x`` at every position: ``(N, c, h, w)`` -> ``(N, C, h, w)``."""
    return F.conv2d(feat, weight[:, :, None, None])


def conv1x1_backward(
    grad_out: Tensor, feat: Tensor, weight: Tensor, needs: Tuple[bool, bool]
) -> Tuple[Tensor, Tensor]:
    """Gradients of :func:`conv1x1` w.r.t. ``feat`` and ``weight``."""
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


def add_upsampled(out: Tensor, feats: Sequence[Tensor]) -> None:
    """``out += sum_b resize_bilinear(feats[b], out size)``, in place.

    ``sum_b R_b F_b C_b^T = [R_b F_b]_b [C_b]_b^T``: each branch's rows
    first (small), then one matrix product over all branches at once, added
    into ``out`` in a single pass.
    """
    if not feats:
        return
    num, channels, height, width = out.shape
    maps = num * channels
    parts, all_cols = [], []
    for feat in feats:
        rows, cols = resize_matrices(feat.shape[-2:], (height, width), out)
        parts.append(torch.matmul(rows, feat.reshape(maps, *feat.shape[-2:])))
        all_cols.append(cols)
    wide = torch.cat(parts, dim=2).view(maps * height, -1)
    out.view(maps * height, width).addmm_(wide, torch.cat(all_cols, 1).t())


def downsampled_grads(
    grad_out: Tensor, shapes: Sequence[Sequence[int]]
) -> List[Tensor]:
    """``R_b^T G C_b`` for every branch size: the adjoint of
    :func:`add_upsampled`, reading ``G`` once (``G [C_b]_b``)."""
    if not shapes:
        return []
    num, channels, height, width = grad_out.shape
    maps = num * channels
    mats = [
        resize_matrices(shape, (height, width), grad_out) for shape in shapes
    ]
    wide = grad_out.view(maps * height, width) @ torch.cat(
        [cols for _, cols in mats], dim=1
    )
    wide = wide.view(maps, height, -1)
    grads, start = [], 0
    for shape, (rows, _) in zip(shapes, mats):
        stop = start + int(shape[1])
        grad = torch.matmul(rows.t(), wide[:, :, start:stop])
        grads.append(grad.view(num, channels, *grad.shape[-2:]))
        start = stop
    return grads


def aligned_map(
    branches: Sequence[Tensor], weights: Sequence[Tensor]
) -> Tensor:
    """``y = sum_b up_b(W_b x_b)``, accumulated in place in the top map."""
    y = conv1x1(branches[0], weights[0])
    add_upsampled(
        y,
        [
            conv1x1(branch, weight)
            for branch, weight in zip(branches[1:], weights[1:])
        ],
    )
    return y


# Channels of ``y`` built at a time by the ``recompute`` path: 64 maps of
# 64x64 at batch 16 are 16 MB, against 92 MB for LiteHRNet-18's last stage.
CHUNK_CHANNELS = 64


def channel_chunks(
    teacher_maps: Sequence[Tensor],
) -> List[Tuple[int, int, Tensor]]:
    """``(start, stop, T[:, start:stop])`` over the stacked channels of the
    pairs, at most :data:`CHUNK_CHANNELS` each, never across two pairs."""
    size = CHUNK_CHANNELS
    chunks, offset = [], 0
    for target in teacher_maps:
        channels = target.shape[1]
        for start in range(0, channels, size):
            stop = min(start + size, channels)
            chunks.append(
                (offset + start, offset + stop, target[:, start:stop])
            )
        offset += channels
    return chunks


def per_map(coef: Tensor, like: Tensor) -> Tensor:
    """``(N, C)`` float64 coefficients -> ``(N, C, 1, 1)`` of ``like``'s
    dtype, broadcast over the maps."""
    return coef.to(like.dtype)[:, :, None, None]


def aligned_map_grad(
    y: Tensor,
    targets: Sequence[Tensor],
    coefs: Tuple[Tensor, Tensor, Tensor],
    in_place: bool = False,
) -> Tensor:
    """``dD/dy = A y + B + C T`` per ``(n, c)`` for the channels of ``y``
    (those of ``targets``, one after the other); written over ``y`` when
    ``in_place``."""
    coef_y, coef_0, coef_t = coefs
    if in_place:
        grad_y = y.mul_(per_map(coef_y, y)).add_(per_map(coef_0, y))
    else:
        grad_y = torch.addcmul(per_map(coef_0, y), y, per_map(coef_y, y))
    widths = [target.shape[1] for target in targets]
    for grad_g, target, coef in zip(
        grad_y.split(widths, dim=1), targets, coef_t.split(widths, dim=1)
    ):
        grad_g.addcmul_(target, per_map(coef, y))
    return grad_y


def branch_grads(
    grad_y: Tensor,
    branches: Sequence[Tensor],
    weights: Sequence[Tensor],
    needs: Sequence[Tuple[bool, bool]],
) -> Tuple[List[Tensor], List[Tensor]]:
    """Gradients w.r.t. the branches and the stacked weights from that of
    ``y = sum_b up_b(W_b x_b)``."""
    grad_zs = [grad_y] + downsampled_grads(
        grad_y, [branch.shape[-2:] for branch in branches[1:]]
    )
    grads = [
        conv1x1_backward(grad_z, branch, weight, need)
        for branch, weight, grad_z, need in zip(
            branches, weights, grad_zs, needs
        )
    ]
    return [grad[0] for grad in grads], [grad[1] for grad in grads]


def chunked_input_grads(
    branches: Sequence[Tensor],
    weights: Sequence[Tensor],
    teacher_maps: Sequence[Tensor],
    coefs: Tuple[Tensor, Tensor, Tensor],
    needs: Sequence[Tuple[bool, bool]],
) -> Tuple[List[Tensor], List[Tensor]]:
    """:func:`branch_grads` with ``y`` rebuilt chunk by chunk of its
    channels and overwritten by its gradient: the branch gradients are the
    sums over the chunks, the weight gradients their rows."""
    grad_branches: List = [None] * len(branches)
    weight_rows: List[List[Tensor]] = [[] for _ in branches]
    for start, stop, target in channel_chunks(teacher_maps):
        chunk_weights = [weight[start:stop] for weight in weights]
        with torch.no_grad():
            y = aligned_map(branches, chunk_weights)
        grad_y = aligned_map_grad(
            y,
            [target],
            tuple(coef[:, start:stop] for coef in coefs),
            in_place=True,
        )
        chunk_branch_grads, chunk_weight_grads = branch_grads(
            grad_y, branches, chunk_weights, needs
        )
        for b_idx, grad in enumerate(chunk_branch_grads):
            if grad is None:
                continue
            if grad_branches[b_idx] is None:
                grad_branches[b_idx] = grad
            else:
                grad_branches[b_idx].add_(grad)
        for rows, grad in zip(weight_rows, chunk_weight_grads):
            rows.append(grad)
    grad_weights = [
        torch.cat(rows) if rows[0] is not None else None
        for rows in weight_rows
    ]
    return grad_branches, grad_weights
