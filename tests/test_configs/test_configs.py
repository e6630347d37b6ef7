# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Every shipped config builds; SimDR models run on MPII-format data."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmpose.registry import DATASETS, MODELS

from ..helpers import GENERATED_VAL, REPO_ROOT, data_root_options

CONFIG_DIR = REPO_ROOT / 'configs'
ALL_CONFIGS = sorted(
    p for p in CONFIG_DIR.rglob('*.py') if '_base_' not in p.parts
)
SIMDR_CONFIGS = sorted((CONFIG_DIR / 'simdr').glob('*.py'))


def config_id(path: Path) -> str:
    return str(path.relative_to(CONFIG_DIR))


def load_config(path: Path, data_root: str = None) -> Config:
    cfg = Config.fromfile(str(path))
    if data_root is not None:
        cfg.merge_from_dict(
            dict(opt.split('=', 1) for opt in data_root_options(data_root))
        )
    return cfg


@pytest.mark.parametrize('config_path', ALL_CONFIGS, ids=config_id)
def test_config_builds(config_path):
    cfg = load_config(config_path)
    assert cfg.custom_imports['imports'] == ['mmpose_multikd']
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    assert cfg.val_evaluator['type'] == 'MpiiPCKAccuracy'
    assert cfg.train_dataloader.dataset.type == 'MpiiDataset'


def test_expected_configs_exist():
    names = {p.name for p in SIMDR_CONFIGS}
    for model in ('litehrnet18', 'litehrnet30', 'hrnet-w32', 'hrnet-w48'):
        assert f'simcc_{model}_8xb64-210e_mpii-256x256.py' in names
    heatmap_twin = Config.fromfile(
        str(
            CONFIG_DIR
            / 'heatmap'
            / 'td-hm_litehrnet18_8xb64-210e_mpii-256x256.py'
        )
    )
    assert heatmap_twin.model.head.type == 'HeatmapHead'
    assert heatmap_twin.model.backbone.type == 'LiteHRNet'


# data -> (fixture, number of val samples): the generated root, and the
# five real MPII samples as an extra check (skipped where absent).
MPII_DATA = {
    'generated': ('mpii_root', GENERATED_VAL),
    'real-mpii-mini': ('mpii_mini_root', 5),
}


@pytest.mark.parametrize('data', list(MPII_DATA))
@pytest.mark.parametrize('config_path', SIMDR_CONFIGS, ids=config_id)
def test_simdr_forward_on_mpii_data(config_path, data, request):
    """MMPose's real val pipeline on MPII-format data -> (N, 16, 512)."""
    fixture, num_val = MPII_DATA[data]
    cfg = load_config(config_path, request.getfixturevalue(fixture))
    assert cfg.model.head.type.endswith('SimCCHead')
    assert cfg.codec.type == 'SimCCLabel'
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(dataset) == num_val
    batch = pseudo_collate([dataset[i] for i in range(len(dataset))])

    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        data = model.data_preprocessor(batch, training=False)
        assert data['inputs'].shape == (num_val, 3, 256, 256)
        pred_x, pred_y = model(data['inputs'], None, mode='tensor')
        results = model(data['inputs'], data['data_samples'], mode='predict')

    assert pred_x.shape == (num_val, 16, 512)
    assert pred_y.shape == (num_val, 16, 512)
    assert torch.isfinite(pred_x).all() and torch.isfinite(pred_y).all()
    keypoints = results[0].pred_instances.keypoints
    assert keypoints.shape == (1, 16, 2)


def test_litehrnet30_differs_from_18_only_in_modules():
    cfg18 = load_config(
        CONFIG_DIR / 'simdr' / 'simcc_litehrnet18_8xb64-210e_mpii-256x256.py'
    )
    cfg30 = load_config(
        CONFIG_DIR / 'simdr' / 'simcc_litehrnet30_8xb64-210e_mpii-256x256.py'
    )
    spec18 = cfg18.model.backbone.extra.stages_spec
    spec30 = cfg30.model.backbone.extra.stages_spec
    assert spec18.num_modules == (2, 4, 2)
    assert spec30.num_modules == (3, 8, 3)
    assert spec18.num_channels == spec30.num_channels


# The paper's form of the switches that depart from it (docs/method.md):
# the paper's formulas, written here independently of the configs.
PAPER_FKD = dict(
    branch_norm=False, attention_detach_student=False, attention_temperature=1
)
PAPER_VKD = dict(use_target_weight=False, teacher_error_radius=None)
ABLATION_ROWS = sorted(
    p
    for folder in ('ablation', 'demo/ablation', 'lsp/ablation')
    for p in (CONFIG_DIR / folder).glob('*_r[2-6]_*.py')
)


@pytest.mark.parametrize('config_path', ABLATION_ROWS, ids=config_id)
def test_ablation_rows_are_the_papers(config_path):
    """Rows r2-r6 of every family distil what their name says (``cs``,
    ``mft``, ``wa``, ``vkd``) with the paper's formulas, whatever
    departures the default config of the family turns on."""
    parts = config_path.stem.rsplit('_', 1)[1].split('-')
    losses = Config.fromfile(str(config_path)).model.distill_losses
    fkd = losses.loss_fkd
    assert fkd.type == 'CrossStageAttentionKDLoss'
    assert fkd.multi_resolution == ('mft' in parts)
    assert fkd.weight_adaptation == ('wa' in parts)
    for key, value in PAPER_FKD.items():
        assert fkd.get(key, value) == value, key
    if 'vkd' not in parts:
        assert losses.get('loss_vkd') is None
        return
    assert losses.loss_vkd.type == 'VKDLoss'
    assert losses.loss_vkd.temperature == 1
    for key, value in PAPER_VKD.items():
        assert losses.loss_vkd.get(key, value) == value, key
    assert losses.loss_vkd.loss_weight == rule_vkd_weight(config_path)


def rule_vkd_weight(config_path: Path) -> float:
    """lambda by the rule for a config's family: the LSP record's
    measurement for the LSP configs, the demo's for the others."""
    cfg = Config.fromfile(str(config_path))
    if 'lsp_weights' in cfg:
        return cfg.lsp_weights['loss_vkd']
    if 'hm_teacher_vkd_rule_weight' in cfg:  # measured with its teacher
        return cfg.hm_teacher_vkd_rule_weight
    return cfg.vkd_rule_weight


DEFAULTS = [
    CONFIG_DIR / name
    for name in (
        'multikd_litehrnet18_mpii.py',
        'multikd_litehrnet30_mpii.py',
        'multikd_hm-teacher_litehrnet18_mpii.py',
        'demo/multikd_litehrnet18_demo.py',
        'lsp/multikd_litehrnet18_lspet.py',
        'lsp/multikd_litehrnet18_lspet-128x128.py',
    )
]


@pytest.mark.parametrize('config_path', DEFAULTS, ids=config_id)
def test_defaults_are_the_four_parts_with_the_chosen_dose(config_path):
    """Every family's default distils the four parts as the paper does,
    except VKD at the dose chosen on the LSPet dev split: a sixteenth of
    its family's rule lambda."""
    losses = Config.fromfile(str(config_path)).model.distill_losses
    fkd, vkd = losses.loss_fkd, losses.loss_vkd
    assert fkd.multi_resolution and fkd.weight_adaptation
    for key, value in PAPER_FKD.items():
        assert fkd.get(key, value) == value, key
    for key, value in PAPER_VKD.items():
        assert vkd.get(key, value) == value, key
    assert vkd.loss_weight == rule_vkd_weight(config_path) * 0.0625
