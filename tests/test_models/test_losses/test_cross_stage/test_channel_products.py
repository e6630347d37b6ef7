# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Products of resized maps against ``F.interpolate`` and ``gradcheck``."""

import pytest
import torch
import torch.nn.functional as F

from mmpose_multikd.models.losses.cross_stage.channel_products import (
    ResizedChannelDots,
    branch_products,
)
from mmpose_multikd.models.utils.resize import (
    adjoint_resize,
    adjoint_resize_ones,
)

DTYPE = torch.float64
FULL = (8, 8)


def up(feat):
    """``U``: the map resized to ``FULL`` by PyTorch itself."""
    return F.interpolate(feat, size=FULL, mode='bilinear', align_corners=False)


def randn(*shape, seed=0, grad=False):
    generator = torch.Generator().manual_seed(seed)
    feat = torch.randn(*shape, generator=generator, dtype=DTYPE)
    return feat.requires_grad_(grad)


@pytest.mark.parametrize('sizes', [((4, 4), (2, 2)), ((2, 2), (8, 8))])
def test_resized_channel_dots(sizes):
    """``<U p, U q>`` per ``(n, c)``; gradients by ``gradcheck``, also with
    ``p is q``."""
    p, q = (
        randn(2, 3, *size, seed=s_idx, grad=True)
        for s_idx, size in enumerate(sizes)
    )
    torch.testing.assert_close(
        ResizedChannelDots.apply(p, q, FULL), (up(p) * up(q)).sum((2, 3))
    )
    assert torch.autograd.gradcheck(
        lambda p, q: ResizedChannelDots.apply(p, q, FULL), (p, q)
    )
    assert torch.autograd.gradcheck(
        lambda p: ResizedChannelDots.apply(p, p, FULL), (p,)
    )
    torch.testing.assert_close(
        ResizedChannelDots.apply(p, p, FULL), up(p).square().sum((2, 3))
    )


@pytest.mark.parametrize('size', [(8, 8), (4, 4), (2, 4)])
def test_branch_products_against_resized_maps(size):
    """Gram and cross products of a branch at ``size`` against the resized
    maps themselves, with fixed maps brought to its size: one at the same
    size (``U^T U s``), one at ``FULL`` (``U^T t``) and ``U^T 1`` (the
    sums)."""
    feat = randn(2, 3, *size, grad=True)
    same = randn(2, 4, *size, seed=1)
    large = randn(2, 2, *FULL, seed=2)
    ones = adjoint_resize_ones(size, FULL, feat).expand(2, 1, *size)
    fixed = [
        adjoint_resize(same, size, FULL),
        adjoint_resize(large, size, FULL),
        ones,
    ]
    gram, cross = branch_products(feat, fixed, FULL)

    resized = up(feat).flatten(2)
    expected_cross = torch.cat(
        [
            resized @ up(same).flatten(2).transpose(1, 2),
            resized @ large.flatten(2).transpose(1, 2),
            resized.sum(2, keepdim=True),
        ],
        dim=2,
    )
    torch.testing.assert_close(gram, resized @ resized.transpose(1, 2))
    torch.testing.assert_close(cross, expected_cross)

    # the hand-written backward against autograd of the naive form
    grad_gram = randn(*gram.shape, seed=3)
    grad_cross = randn(*cross.shape, seed=4)
    (gram * grad_gram).sum().add((cross * grad_cross).sum()).backward()
    expected = feat.grad.clone()
    feat.grad = None
    naive_gram = resized @ resized.transpose(1, 2)
    (naive_gram * grad_gram).sum().add(
        (expected_cross * grad_cross).sum()
    ).backward()
    torch.testing.assert_close(expected, feat.grad)

    assert torch.autograd.gradcheck(
        lambda x: branch_products(x, fixed, FULL), (feat,)
    )


def test_branch_products_rejects_a_fixed_map_of_another_size():
    feat = randn(2, 3, 4, 4, grad=True)
    with pytest.raises(ValueError, match=r'fixed map 1 is \(2, 1, 2, 2\)'):
        branch_products(feat, [randn(2, 2, 4, 4), randn(2, 1, 2, 2)], FULL)
    with pytest.raises(ValueError, match='at least one fixed map'):
        branch_products(feat, [], FULL)
