# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Bilinear resizing as small matrix products, shared by every KD loss.

PyTorch's bilinear interpolation with ``align_corners=False`` acts on rows
and columns separately, so resizing a map ``X`` (``H x W`` per channel) to
``H' x W'`` is

.. math::

    \\mathrm{resize}(X) = R \\, X \\, C^{\\top}

with ``R`` (``H' x H``) and ``C`` (``W' x W``) the 1-d interpolation
matrices. Column ``i`` of each is PyTorch's own linear interpolation of
the unit signal ``e_i``, so the values are those of ``F.interpolate`` (up
to float rounding); on a CPU the two small products are cheaper than
``interpolate``, forward and backward (see ``docs/benchmarks.md``).

The matrices are built once on the CPU in float32 and kept, per size,
device and dtype, where they are used (:func:`device_cache`): a training step
copies nothing from the host to the device.
"""

import functools
from typing import Callable, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def device_cache(builder: Callable[..., Optional[Tensor]]) -> Callable:
    """Cache ``builder(*sizes)`` (a CPU tensor, or None) per device and
    dtype: ``device_cache(builder)(*sizes, like=x)`` is the matrix on
    ``x``'s device in ``x``'s dtype, copied there on the first call and
    shared by the later ones (never modify it in place)."""

    @functools.lru_cache(maxsize=256)
    def on(sizes: tuple, device: torch.device, dtype: torch.dtype):
        matrix = builder(*sizes)
        return None if matrix is None else matrix.to(device, dtype)

    def get(*sizes: int, like: Tensor) -> Optional[Tensor]:
        return on(sizes, like.device, like.dtype)

    get.cache_clear = on.cache_clear
    return get


@functools.lru_cache(maxsize=64)
def resize_matrix(in_size: int, out_size: int) -> Tensor:
    """1-d bilinear (``align_corners=False``) resizing as a matrix.

    Args:
        in_size (int): Input length.
        out_size (int): Output length.

    Returns:
        Tensor: ``(out_size, in_size)``; column ``i`` is PyTorch's own
        linear interpolation of the unit signal ``e_i``.
    """
    basis = torch.eye(in_size).unsqueeze(0)
    resized = F.interpolate(
        basis, size=out_size, mode='linear', align_corners=False
    )
    return resized[0].t().contiguous()


@functools.lru_cache(maxsize=64)
def pool_resize_matrix(in_size: int, out_size: int, pool_size: int) -> Tensor:
    """1-d linear map of bilinear resizing then adaptive average pooling.

    Args:
        in_size (int): Length before resizing.
        out_size (int): Length after resizing.
        pool_size (int): Pooled length ``P``.

    Returns:
        Tensor: ``(P, in_size)``; row ``p`` averages bin ``p`` of the
        resized signal, expressed on the input samples.
    """
    resized = resize_matrix(in_size, out_size).t().unsqueeze(0)
    return F.adaptive_avg_pool1d(resized, pool_size)[0].t().contiguous()


def resize_matrices(
    src: Sequence[int], dst: Sequence[int], like: Tensor
) -> Tuple[Tensor, Tensor]:
    """Row and column matrices ``R``, ``C`` of resizing ``src`` -> ``dst``.

    Args:
        src (Sequence[int]): Input ``(H, W)``.
        dst (Sequence[int]): Output ``(H', W')``.
        like (Tensor): Their dtype and device.

    Returns:
        tuple[Tensor, Tensor]: ``R (H', H)`` and ``C (W', W)``.
    """
    rows = _resize_matrix_on(int(src[0]), int(dst[0]), like=like)
    cols = _resize_matrix_on(int(src[1]), int(dst[1]), like=like)
    return rows, cols


def resize_bilinear(feat: Tensor, size: Sequence[int]) -> Tensor:
    """Bilinearly resize ``feat`` (``align_corners=False``) when it differs.

    Computes ``R X C^T`` (see the module docstring).

    Args:
        feat (Tensor): Map ``(N, C, H, W)``.
        size (Sequence[int]): Target ``(H', W')``.

    Returns:
        Tensor: ``feat`` itself when the size already matches, else the
        resized map ``(N, C, H', W')``.
    """
    size = tuple(size)
    if tuple(feat.shape[-2:]) == size:
        return feat
    rows, cols = resize_matrices(feat.shape[-2:], size, feat)
    return rows @ feat @ cols.t()


def pool_resized(feat: Tensor, size: Sequence[int], pool_size: int) -> Tensor:
    """``adaptive_avg_pool(resize_bilinear(feat, size), pool_size)`` at once.

    Both steps act on rows and columns separately, so their composition is
    ``R_p X C_p^T`` with ``R_p`` (``P x h``) and ``C_p`` (``P x w``) from
    :func:`pool_resize_matrix`; the resized map is never built.

    Args:
        feat (Tensor): ``(N, C, h, w)``.
        size (Sequence[int]): The size ``(H, W)`` it is resized to.
        pool_size (int): Pooled side ``P``.

    Returns:
        Tensor: ``(N, C, P, P)``.
    """
    if tuple(feat.shape[-2:]) == tuple(size):
        return F.adaptive_avg_pool2d(feat, pool_size)
    rows = _pool_resize_matrix_on(
        feat.shape[-2], size[0], pool_size, like=feat
    )
    cols = _pool_resize_matrix_on(
        feat.shape[-1], size[1], pool_size, like=feat
    )
    return rows @ (feat @ cols.t())


def _adjoint_matrix(src: int, dst: int, full: int) -> Optional[Tensor]:
    """``R_dst^T R_src`` (``dst x src``), ``R_s`` resizing ``s -> full``
    (the identity when ``s == full``); None when both are the identity."""
    if src == full and dst == full:
        return None
    if dst == full:
        return resize_matrix(src, full)
    if src == full:
        return resize_matrix(dst, full).t()
    return resize_matrix(dst, full).t() @ resize_matrix(src, full)


def adjoint_resize(
    feat: Tensor, size: Sequence[int], full: Sequence[int]
) -> Tensor:
    """``U_size^T U_feat feat``: ``feat`` resized to ``full``, then brought
    to ``size`` by the adjoint of resizing ``size -> full``.

    With ``U_a`` resizing size ``a`` to ``full`` bilinearly (the identity
    when ``a == full``), inner products of resized maps are taken at the
    smaller size: ``<U_a p, U_b q> = <p, adjoint_resize(q, size_a, full)>``.
    Computed as ``(R_a^T R_b) X (C_b^T C_a)``; the resized map is never
    built.

    Args:
        feat (Tensor): ``(..., h, w)``.
        size (Sequence[int]): The size ``(h', w')`` it is brought to.
        full (Sequence[int]): The common size ``(H, W)`` of the inner
            product.

    Returns:
        Tensor: ``(..., h', w')``.
    """
    rows = _adjoint_matrix_on(
        int(feat.shape[-2]), int(size[0]), int(full[0]), like=feat
    )
    cols = _adjoint_matrix_on(
        int(feat.shape[-1]), int(size[1]), int(full[1]), like=feat
    )
    # columns first: one matrix product over all rows of all maps
    if cols is not None:
        feat = torch.matmul(feat, cols.t())
    if rows is not None:
        feat = torch.matmul(rows, feat)
    return feat


def adjoint_resize_ones(
    size: Sequence[int], full: Sequence[int], like: Tensor
) -> Tensor:
    """``U^T 1`` at ``size`` (``U`` resizing ``size -> full``), so that
    ``sum(U x) = <x, U^T 1>``: ``(h, w)`` of ``like``'s dtype and device."""
    return _ones_on(
        int(size[0]), int(size[1]), int(full[0]), int(full[1]), like=like
    )


def _adjoint_ones(height: int, width: int, full_h: int, full_w: int):
    """:func:`adjoint_resize_ones` on the CPU in float32."""
    rows = resize_matrix(height, full_h).sum(dim=0)
    cols = resize_matrix(width, full_w).sum(dim=0)
    return torch.outer(rows, cols)


# The matrices where they are used, per device and dtype.
_resize_matrix_on = device_cache(resize_matrix)
_pool_resize_matrix_on = device_cache(pool_resize_matrix)
_adjoint_matrix_on = device_cache(_adjoint_matrix)
_ones_on = device_cache(_adjoint_ones)
