# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Inner products of resized maps, channel by channel, with their own
backward passes.

With ``U_a`` the bilinear resizing of size ``a`` to a common ``full`` size
(the identity when ``a == full``), the moment-based stage distances
(:mod:`.aligned_distance`) need inner products ``<U_a p, U_b q>`` over the
positions. Both autograd functions here take them at the smaller size,
through :func:`adjoint_resize`, and save only their low-resolution inputs.

Mixed precision: both functions compute in float32 (float64 when an input
is float64, :func:`.precision.compute_dtype`), forward and backward, with
autocast switched off for their inputs' device: the products are sums over
up to ``64 x 64`` positions, beyond float16's range. Inputs of lower or
mixed dtypes are cast in the forward; the gradients, formed in the compute
dtype, reach each input in its own dtype (autograd casts them). See
:mod:`.precision` for why this and not ``torch.amp.custom_fwd``.
"""

from typing import Sequence, Tuple

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from ...utils.precision import autocast_disabled, compute_dtype
from ...utils.resize import adjoint_resize

Size = Tuple[int, int]


def channel_dots(first: Tensor, second: Tensor) -> Tensor:
    """``sum_{h,w} first * second`` per ``(n, c)``: ``(N, C)``."""
    return torch.linalg.vecdot(first.flatten(2), second.flatten(2), dim=2)


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
        with autocast_disabled(first.device.type):
            dtype = compute_dtype(first, second)
            first = first.to(dtype)
            second = first if ctx.same else second.to(dtype)
            ctx.save_for_backward(first, second)
            return channel_dots(
                first, adjoint_resize(second, first.shape[-2:], ctx.full)
            )

    @staticmethod
    @once_differentiable
    def backward(ctx, grad: Tensor):
        first, second = ctx.saved_tensors
        grad_first = grad_second = None
        with autocast_disabled(grad.device.type):
            per_map = grad.to(first.dtype)[:, :, None, None]
            if ctx.needs_input_grad[0]:
                grad_first = per_map * adjoint_resize(
                    second, first.shape[-2:], ctx.full
                )
                if ctx.same:  # <U p, U p>: both factors' share, one edge
                    return 2 * grad_first, None, None
            if ctx.needs_input_grad[1]:
                grad_second = per_map * adjoint_resize(
                    first, second.shape[-2:], ctx.full
                )
        return grad_first, grad_second, None


class BranchProducts(torch.autograd.Function):
    """All products of one branch ``x`` (``(N, c, h, w)``) taken at its own
    size: its Gram matrix and its cross products with fixed maps.

    ``apply(feat, full, *fixed)`` with ``fixed`` maps ``f_k``
    (``(N, K_k, h, w)``, no gradient) returns

    .. math::

        G = \\langle U x_j, U x_i \\rangle_{ij}
          = (A x) \\, x^{\\top}, \\qquad
        P_k = x \\, f_k^{\\top}

    ``(N, c, c)`` and ``(N, c, sum_k K_k)``, positions flattened, with
    ``A = U^T U`` (:func:`adjoint_resize` to the branch's own size; the
    identity at ``full``). A fixed map is typically a map at a larger size
    already brought down (``U^T U' t``, so that ``<U x, U' t> = x f^T``), or
    ``U^T 1`` for the sums. The backward writes the branch's gradient into
    one buffer, with ``A`` self-adjoint:

    .. math::

        \\partial / \\partial x = (\\bar G + \\bar G^{\\top}) (A x)
            + \\sum_k \\bar P_k f_k

    where autograd would accumulate one full-size gradient per product.
    Saved: ``A x`` (a view of ``x`` at ``full``) and the fixed maps.
    """

    @staticmethod
    def forward(ctx, feat: Tensor, full: Size, *fixed: Tensor):  # type: ignore[override]
        with autocast_disabled(feat.device.type):
            dtype = compute_dtype(feat, *fixed)
            feat = feat.to(dtype)
            fixed = [f.to(dtype) for f in fixed]
            flat = feat.flatten(2)
            resized = adjoint_resize(feat, feat.shape[-2:], full).flatten(2)
            gram = torch.bmm(resized, flat.transpose(1, 2))
            cross = torch.cat(
                [torch.bmm(flat, f.flatten(2).transpose(1, 2)) for f in fixed],
                dim=2,
            )
        ctx.save_for_backward(resized, *fixed)
        ctx.shape = feat.shape
        return gram, cross

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_gram: Tensor, grad_cross: Tensor):
        resized, *fixed = ctx.saved_tensors
        with autocast_disabled(resized.device.type):
            grad_gram = grad_gram.to(resized.dtype)
            grad_cross = grad_cross.to(resized.dtype)
            grad = torch.bmm(grad_gram + grad_gram.transpose(1, 2), resized)
            start = 0
            for f in fixed:
                stop = start + f.shape[1]
                grad.baddbmm_(grad_cross[:, :, start:stop], f.flatten(2))
                start = stop
        return (grad.view(ctx.shape), None) + (None,) * len(fixed)


def branch_products(
    feat: Tensor, fixed: Sequence[Tensor], full: Size
) -> Tuple[Tensor, Tensor]:
    """:class:`BranchProducts` of ``feat`` and the (detached) ``fixed``
    maps at its size: ``(G (N, c, c), P (N, c, sum_k K_k))``."""
    if not fixed:
        raise ValueError('branch_products: needs at least one fixed map')
    size = tuple(feat.shape[-2:])
    for f_idx, f in enumerate(fixed):
        if tuple(f.shape[-2:]) != size or f.shape[0] != feat.shape[0]:
            raise ValueError(
                f'branch_products: fixed map {f_idx} is {tuple(f.shape)}, '
                f'the branch {tuple(feat.shape)} (same batch and size)'
            )
    return BranchProducts.apply(
        feat, tuple(full), *[f.detach() for f in fixed]
    )
