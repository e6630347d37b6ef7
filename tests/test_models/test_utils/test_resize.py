# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The matrix form of bilinear resizing against ``F.interpolate``."""

import pytest
import torch
import torch.nn.functional as F

from mmpose_multikd.models.utils import pool_resized, resize_bilinear


@pytest.mark.parametrize(
    'in_size, out_size',
    [((8, 8), (64, 64)), ((7, 5), (13, 16)), ((13, 9), (6, 4))],
)
def test_matrix_resize_equals_interpolate(in_size, out_size):
    feat = torch.randn(2, 3, *in_size, requires_grad=True)
    resized = resize_bilinear(feat, out_size)
    expected = F.interpolate(
        feat, size=out_size, mode='bilinear', align_corners=False
    )
    torch.testing.assert_close(resized, expected, atol=1e-5, rtol=1e-5)
    weights = torch.randn_like(expected)
    (grad,) = torch.autograd.grad((resized * weights).sum(), feat)
    (expected_grad,) = torch.autograd.grad((expected * weights).sum(), feat)
    torch.testing.assert_close(grad, expected_grad, atol=1e-5, rtol=1e-5)


def test_same_size_is_returned_as_is():
    feat = torch.randn(1, 2, 5, 6)
    assert resize_bilinear(feat, (5, 6)) is feat


def test_resize_keeps_dtype():
    feat = torch.randn(1, 2, 3, 3, dtype=torch.float64)
    assert resize_bilinear(feat, (6, 5)).dtype == torch.float64


def test_branchwise_pooling_equals_pooling_the_fused_map():
    branches = [
        torch.randn(2, c, 24 >> b, 24 >> b) for b, c in enumerate((3, 5, 7))
    ]
    pooled = torch.cat([pool_resized(b, (24, 24), 4) for b in branches], 1)
    fused = torch.cat(
        [
            F.interpolate(b, size=(24, 24), mode='bilinear')
            if b.shape[-1] != 24
            else b
            for b in branches
        ],
        dim=1,
    )
    torch.testing.assert_close(
        pooled, F.adaptive_avg_pool2d(fused, 4), atol=1e-5, rtol=1e-5
    )
