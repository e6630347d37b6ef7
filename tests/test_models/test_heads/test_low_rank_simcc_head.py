# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""LowRankSimCCHead: SimCCHead's projections as products of two factors."""

import pytest
import torch
from mmengine.config import Config
from mmpose.models.heads import SimCCHead
from mmpose.registry import MODELS

from mmpose_multikd.models import LowRankSimCCHead

from ...helpers import REPO_ROOT

HEAD_KWARGS = dict(
    in_channels=6,
    out_channels=3,
    input_size=(32, 24),
    in_featuremap_size=(8, 6),
    simcc_split_ratio=2.0,
    deconv_out_channels=None,
)


def test_equals_simcc_head_with_the_product_weights():
    torch.manual_seed(0)
    low_rank = LowRankSimCCHead(**HEAD_KWARGS, rank=5)
    plain = SimCCHead(**HEAD_KWARGS)
    plain.final_layer.load_state_dict(low_rank.final_layer.state_dict())
    shared = low_rank.shared_projection
    with torch.no_grad():
        for name in ('mlp_head_x', 'mlp_head_y'):
            second = getattr(low_rank, name)
            # W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)
            getattr(plain, name).weight.copy_(second.weight @ shared.weight)
            getattr(plain, name).bias.copy_(
                second.weight @ shared.bias + second.bias
            )
    feats = (torch.randn(4, 6, 6, 8),)
    for pred, expected in zip(low_rank(feats), plain(feats)):
        assert pred.shape == expected.shape
        torch.testing.assert_close(pred, expected, atol=1e-5, rtol=1e-5)
    assert torch.linalg.matrix_rank(plain.mlp_head_x.weight) <= 5


def test_gradients_reach_both_factors():
    head = LowRankSimCCHead(**HEAD_KWARGS, rank=4)
    pred_x, pred_y = head((torch.randn(2, 6, 6, 8),))
    (pred_x.sum() + pred_y.sum()).backward()
    for module in (head.shared_projection, head.mlp_head_x, head.final_layer):
        assert module.weight.grad.abs().sum() > 0


def test_low_rank_student_fits_the_parameter_budget():
    cfg = Config.fromfile(
        str(
            REPO_ROOT
            / 'configs'
            / 'simdr'
            / 'simcc_litehrnet18-lowrank_8xb64-210e_mpii-256x256.py'
        )
    )
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) <= 1.3e6


def test_rank_must_be_positive():
    with pytest.raises(ValueError, match='rank must be a positive int'):
        LowRankSimCCHead(**HEAD_KWARGS, rank=0)
