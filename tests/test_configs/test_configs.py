# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Every shipped config builds; SimDR models run on real MPII samples."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmpose.registry import DATASETS, MODELS

from ..helpers import REPO_ROOT, data_root_options

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
    for model in ('litehrnet-18', 'litehrnet-30', 'hrnet-w32', 'hrnet-w48'):
        assert f'simcc_{model}_8xb64-210e_mpii-256x256.py' in names
    heatmap_twin = Config.fromfile(
        str(
            CONFIG_DIR
            / 'heatmap'
            / 'td-hm_litehrnet-18_8xb64-210e_mpii-256x256.py'
        )
    )
    assert heatmap_twin.model.head.type == 'HeatmapHead'
    assert heatmap_twin.model.backbone.type == 'LiteHRNet'


@pytest.mark.parametrize('config_path', SIMDR_CONFIGS, ids=config_id)
def test_simdr_forward_on_real_mpii(config_path, mpii_mini_root):
    """MMPose's real val pipeline on the 5 MPII samples -> (N, 16, 512)."""
    cfg = load_config(config_path, mpii_mini_root)
    assert cfg.model.head.type.endswith('SimCCHead')
    assert cfg.codec.type == 'SimCCLabel'
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(dataset) == 5
    batch = pseudo_collate([dataset[i] for i in range(len(dataset))])

    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        data = model.data_preprocessor(batch, training=False)
        assert data['inputs'].shape == (5, 3, 256, 256)
        pred_x, pred_y = model(data['inputs'], None, mode='tensor')
        results = model(data['inputs'], data['data_samples'], mode='predict')

    assert pred_x.shape == (5, 16, 512)
    assert pred_y.shape == (5, 16, 512)
    assert torch.isfinite(pred_x).all() and torch.isfinite(pred_y).all()
    keypoints = results[0].pred_instances.keypoints
    assert keypoints.shape == (1, 16, 2)


def test_litehrnet30_differs_from_18_only_in_modules():
    cfg18 = load_config(
        CONFIG_DIR / 'simdr' / 'simcc_litehrnet-18_8xb64-210e_mpii-256x256.py'
    )
    cfg30 = load_config(
        CONFIG_DIR / 'simdr' / 'simcc_litehrnet-30_8xb64-210e_mpii-256x256.py'
    )
    spec18 = cfg18.model.backbone.extra.stages_spec
    spec30 = cfg30.model.backbone.extra.stages_spec
    assert spec18.num_modules == (2, 4, 2)
    assert spec30.num_modules == (3, 8, 3)
    assert spec18.num_channels == spec30.num_channels
