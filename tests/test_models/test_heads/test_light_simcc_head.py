# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""LightSimCCHead: a SimCCHead whose projections are tied within bands."""

import pytest
import torch
from mmengine.config import Config
from mmpose.models.heads import SimCCHead
from mmpose.registry import MODELS

from mmpose_multikd.models import LightSimCCHead

from ...helpers import REPO_ROOT

SIMDR = REPO_ROOT / 'configs' / 'simdr'
HEAD_KWARGS = dict(
    in_channels=6,
    out_channels=3,
    input_size=(32, 24),
    in_featuremap_size=(8, 6),
    simcc_split_ratio=2.0,
    deconv_out_channels=None,
)


def tied_plain_head(light: LightSimCCHead) -> SimCCHead:
    """A plain SimCCHead whose weights repeat the light head's in bands.

    Plain weight at map position (r, c) of the x projection = light weight
    of (band of r, c) / band height; likewise for y. Both heads must then
    give the same logits.
    """
    plain = SimCCHead(**HEAD_KWARGS)
    plain.final_layer.load_state_dict(light.final_layer.state_dict())
    map_w, map_h = light.heatmap_size
    strips = light.strips
    weight_x = torch.zeros_like(plain.mlp_head_x.weight)
    weight_y = torch.zeros_like(plain.mlp_head_y.weight)
    for row in range(map_h):
        band_r, height = row * strips // map_h, map_h // strips
        for col in range(map_w):
            band_c, width = col * strips // map_w, map_w // strips
            flat = row * map_w + col
            weight_x[:, flat] = (
                light.mlp_head_x.weight[:, band_r * map_w + col] / height
            )
            weight_y[:, flat] = (
                light.mlp_head_y.weight[:, row * strips + band_c] / width
            )
    with torch.no_grad():
        plain.mlp_head_x.weight.copy_(weight_x)
        plain.mlp_head_y.weight.copy_(weight_y)
        plain.mlp_head_x.bias.copy_(light.mlp_head_x.bias)
        plain.mlp_head_y.bias.copy_(light.mlp_head_y.bias)
    return plain


@pytest.mark.parametrize('strips', [1, 2])
def test_equals_simcc_head_with_tied_weights(strips):
    torch.manual_seed(strips)
    light = LightSimCCHead(**HEAD_KWARGS, strips=strips)
    plain = tied_plain_head(light)
    feats = (torch.randn(4, 6, 6, 8),)
    for pred, expected in zip(light(feats), plain(feats)):
        assert pred.shape == expected.shape == (4, 3, pred.shape[-1])
        torch.testing.assert_close(pred, expected, atol=1e-5, rtol=1e-5)
    assert light.mlp_head_x.in_features == strips * 8
    assert light.mlp_head_y.in_features == 6 * strips


def test_one_strip_reads_the_marginals():
    light = LightSimCCHead(**HEAD_KWARGS, strips=1)
    feats = (torch.randn(2, 6, 6, 8),)
    maps = light.final_layer(feats[0])
    pred_x, pred_y = light(feats)
    torch.testing.assert_close(pred_x, light.mlp_head_x(maps.mean(dim=2)))
    torch.testing.assert_close(pred_y, light.mlp_head_y(maps.mean(dim=3)))


def test_loss_and_gradients_use_simcc_machinery():
    light = LightSimCCHead(
        **HEAD_KWARGS,
        decoder=dict(
            type='SimCCLabel', input_size=(32, 24), simcc_split_ratio=2.0
        ),
    )
    pred_x, pred_y = light((torch.randn(2, 6, 6, 8),))
    (pred_x.sum() + pred_y.sum()).backward()
    assert light.mlp_head_x.weight.grad.abs().sum() > 0
    assert light.final_layer.weight.grad.abs().sum() > 0


def test_light_student_fits_the_parameter_budget():
    params = {}
    for name in ('simcc_litehrnet18', 'simcc_litehrnet18-light'):
        cfg = Config.fromfile(
            str(SIMDR / f'{name}_8xb64-210e_mpii-256x256.py')
        )
        model = MODELS.build(cfg.model)
        params[name] = sum(p.numel() for p in model.parameters())
    assert params['simcc_litehrnet18-light'] <= 1.3e6
    assert params['simcc_litehrnet18'] > 4 * params['simcc_litehrnet18-light']


def test_distiller_taps_find_the_light_heads_logits():
    cfg = Config.fromfile(
        str(
            REPO_ROOT
            / 'tests'
            / 'data'
            / 'configs'
            / 'multikd_litehrnet18_tiny_mpii-64x64.py'
        )
    )
    cfg.model.student.head.type = 'LightSimCCHead'
    distiller = MODELS.build(cfg.model)
    inputs = torch.randn(2, 3, 64, 64)
    with distiller.student_simcc_taps:
        expected = distiller.student(inputs, None, mode='tensor')
        tapped = distiller.student_simcc_taps.pop()
    for branches, logits in zip(tapped, expected):
        torch.testing.assert_close(branches[0], logits)


@pytest.mark.parametrize(
    'strips, feats_shape, match',
    [
        (0, None, 'strips must be a positive int'),
        (7, None, 'exceeds the map size'),
        (2, (1, 6, 12, 16), r'built for in_featuremap_size \(8, 6\)'),
    ],
)
def test_errors_name_the_problem(strips, feats_shape, match):
    with pytest.raises(ValueError, match=match):
        head = LightSimCCHead(**HEAD_KWARGS, strips=strips)
        head((torch.randn(*feats_shape),))
