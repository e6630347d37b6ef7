# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""BranchAligner: branch-wise 1x1 convs equal one conv on the fused map."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmpose_multikd.models.losses.cross_stage import BranchAligner

BRANCH_CHANNELS = (3, 5, 7)


def make_branches(batch_size=2, top=8, dtype=torch.float64):
    generator = torch.Generator().manual_seed(0)
    return [
        torch.randn(
            batch_size,
            channels,
            top >> level,
            top >> level,
            generator=generator,
            dtype=dtype,
        ).requires_grad_()
        for level, channels in enumerate(BRANCH_CHANNELS)
    ]


def fused_reference(aligner, branches):
    """Resize every branch to the top size, concatenate, one conv, BN."""
    size = branches[0].shape[-2:]
    fused = torch.cat(
        [
            F.interpolate(b, size=size, mode='bilinear', align_corners=False)
            if b.shape[-2:] != size
            else b
            for b in branches
        ],
        dim=1,
    )
    return aligner.bn(F.conv2d(fused, aligner.fused_weight))


@pytest.mark.parametrize('training', [True, False])
def test_equals_one_conv_on_the_fused_map(training):
    aligner = BranchAligner(BRANCH_CHANNELS, 4).double().train(training)
    aligner.bn.running_mean.uniform_(-0.5, 0.5)
    aligner.bn.running_var.uniform_(0.5, 1.5)
    branches = make_branches()
    aligned = aligner(branches)
    expected = fused_reference(aligner, branches)
    assert aligned.shape == (2, 4, 8, 8)
    torch.testing.assert_close(aligned, expected)

    weights = torch.randn_like(aligned)
    grads = torch.autograd.grad(
        (aligned * weights).sum(), branches + [aligner.convs[1].weight]
    )
    expected_grads = torch.autograd.grad(
        (expected * weights).sum(), branches + [aligner.convs[1].weight]
    )
    for grad, reference in zip(grads, expected_grads):
        torch.testing.assert_close(grad, reference)


def test_hooks_see_one_conv_per_branch():
    aligner = BranchAligner(BRANCH_CHANNELS, 4).double()
    seen = []
    for conv in aligner.modules():
        if isinstance(conv, nn.Conv2d):
            conv.register_forward_hook(
                lambda module, args, out: seen.append(tuple(out.shape))
            )
    aligner(make_branches())
    assert seen == [(2, 4, 8, 8), (2, 4, 4, 4), (2, 4, 2, 2)]
    assert aligner.fused_weight.shape == (4, sum(BRANCH_CHANNELS), 1, 1)


def test_init_as_one_conv_over_the_fused_channels():
    torch.manual_seed(0)
    aligner = BranchAligner((64, 192), 32)
    bound = 1.0 / math.sqrt(256)
    weight = aligner.fused_weight
    assert weight.abs().max() <= bound
    # uniform on [-b, b]: the max is close to b, the std to b / sqrt(3)
    assert weight.abs().max() > 0.98 * bound
    assert weight.std().item() == pytest.approx(bound / math.sqrt(3), 0.05)


def test_wrong_number_of_branches_is_named():
    aligner = BranchAligner(BRANCH_CHANNELS, 4)
    with pytest.raises(ValueError, match='built for 3 branches'):
        aligner(make_branches(dtype=torch.float32)[:2])
