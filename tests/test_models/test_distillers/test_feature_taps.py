# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Feature taps on MMPose's real LiteHRNet and HRNet."""

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from mmpose_multikd.models import FeatureTaps, default_tap_paths

from ...helpers import REPO_ROOT

SIMDR = REPO_ROOT / 'configs' / 'simdr'
INPUT = 64  # stride-4 top branch -> 16x16


def build(config_name: str):
    cfg = Config.fromfile(str(SIMDR / config_name))
    cfg.model.head.input_size = (INPUT, INPUT)
    cfg.model.head.in_featuremap_size = (INPUT // 4, INPUT // 4)
    return MODELS.build(cfg.model).eval()


# (config, expected tap paths, channels per stage and branch)
CASES = [
    (
        'simcc_litehrnet18_8xb64-210e_mpii-256x256.py',
        ['backbone.stage0', 'backbone.stage1', 'backbone.stage2'],
        [[40, 80], [40, 80, 160], [40, 80, 160, 320]],
    ),
    (
        'simcc_hrnet-w32_8xb64-210e_mpii-256x256.py',
        ['backbone.stage2', 'backbone.stage3', 'backbone.stage4'],
        [[32, 64], [32, 64, 128], [32]],
    ),
]


@pytest.mark.parametrize('config_name,paths,channels', CASES)
def test_taps_shapes_and_no_side_effect(config_name, paths, channels):
    torch.manual_seed(0)
    model = build(config_name)
    inputs = torch.randn(2, 3, INPUT, INPUT)
    assert default_tap_paths(model) == paths

    with torch.no_grad():
        reference = model(inputs, None, mode='tensor')
        with FeatureTaps(model, paths) as taps:
            tapped = model(inputs, None, mode='tensor')
            stage_feats = taps.pop()
        after = model(inputs, None, mode='tensor')

    # the model's output is unchanged by the taps
    for ref, out, out_after in zip(reference, tapped, after):
        assert torch.equal(ref, out) and torch.equal(ref, out_after)

    assert len(stage_feats) == len(channels)
    for stage_idx, (branches, stage_channels) in enumerate(
        zip(stage_feats, channels)
    ):
        assert len(branches) == len(stage_channels), stage_idx
        for branch_idx, (feat, ch) in enumerate(zip(branches, stage_channels)):
            side = INPUT // 4 // 2**branch_idx
            assert feat.shape == (2, ch, side, side), (stage_idx, branch_idx)


def test_taps_record_what_the_head_receives():
    """LiteHRNet's head_layer output is exactly what the SimCC head gets."""
    model = build('simcc_litehrnet18_8xb64-210e_mpii-256x256.py')
    inputs = torch.randn(1, 3, INPUT, INPUT)
    with torch.no_grad(), FeatureTaps(model, ['backbone.head_layer']) as taps:
        backbone_out = model.extract_feat(inputs)
        (head_input,) = taps.pop()
    assert torch.equal(backbone_out[0], head_input[0])


def test_hooks_are_removed_and_pop_clears():
    model = build('simcc_litehrnet18_8xb64-210e_mpii-256x256.py')
    module = model.backbone.stage0
    taps = FeatureTaps(model, ['backbone.stage0']).register()
    assert len(module._forward_hooks) == 1
    taps.register()  # idempotent
    assert len(module._forward_hooks) == 1
    with torch.no_grad():
        model.extract_feat(torch.randn(1, 3, INPUT, INPUT))
    taps.pop()
    with pytest.raises(RuntimeError, match='backbone.stage0'):
        taps.pop()  # nothing recorded since the last pop
    taps.remove()
    assert len(module._forward_hooks) == 0


def test_bad_module_path_names_nearest_paths():
    model = build('simcc_litehrnet18_8xb64-210e_mpii-256x256.py')
    with pytest.raises(KeyError) as err:
        FeatureTaps(model, ['backbone.stage9'])
    message = str(err.value)
    assert "'backbone.stage9'" in message
    assert 'backbone.stage0' in message


def test_other_backbones_need_explicit_taps():
    model = MODELS.build(
        dict(
            type='TopdownPoseEstimator',
            backbone=dict(type='ResNet', depth=18),
            head=dict(
                type='HeatmapHead',
                in_channels=512,
                out_channels=16,
                deconv_out_channels=None,
            ),
        )
    )
    with pytest.raises(TypeError, match='ResNet'):
        default_tap_paths(model)
    with (
        torch.no_grad(),
        FeatureTaps(model, ['backbone.layer2', 'backbone.layer3']) as taps,
    ):
        model.extract_feat(torch.randn(1, 3, INPUT, INPUT))
        layer2, layer3 = taps.pop()
    assert layer2[0].shape == (1, 128, 8, 8)
    assert layer3[0].shape == (1, 256, 4, 4)
