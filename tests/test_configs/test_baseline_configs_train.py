# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Each compared distiller's config trains a few iterations.

The demo forms (64x64, ``configs/demo/baselines/``) of
``configs/baselines/`` on generated MPII-format data: one epoch of
MMEngine's Runner, then a test with MpiiPCKAccuracy.
"""

import json

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from ..helpers import REPO_ROOT, run_options, train_and_test

BASELINES = sorted((REPO_ROOT / 'configs' / 'demo' / 'baselines').glob('*.py'))
DEMO_TEACHER = REPO_ROOT / 'configs' / 'demo' / 'simcc_hrnet-w18_demo.py'


@pytest.fixture(scope='module')
def demo_teacher_ckpt(tmp_path_factory) -> str:
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(DEMO_TEACHER)).model)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, path)
    return str(path)


def test_every_compared_method_has_a_config():
    names = {p.name.split('_')[0] for p in BASELINES}
    assert names == {'kd', 'fitnet', 'rkd', 'at', 'sp', 'reviewkd'}
    mpii = {
        p.name.split('_')[0]
        for p in (REPO_ROOT / 'configs' / 'baselines').glob('*.py')
    }
    assert mpii == names


@pytest.mark.slow
@pytest.mark.parametrize('config', BASELINES, ids=lambda p: p.name)
def test_baseline_trains_on_generated_mpii(
    config, mpii_root, demo_teacher_ckpt, tmp_path
):
    options = run_options(mpii_root, seed=0, epochs=1)
    options.update(
        {
            'model.teacher_ckpt': demo_teacher_ckpt,
            'default_hooks.logger.interval': 1,
            'train_dataloader.batch_size': 3 if 'rkd' in config.name else 2,
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'val_dataloader.num_workers': 0,
            'val_dataloader.persistent_workers': False,
            'test_dataloader.num_workers': 0,
            'test_dataloader.persistent_workers': False,
        }
    )
    result = train_and_test(str(config), str(tmp_path), options)
    assert 0.0 <= result['PCKh'] <= 100.0
    logged = [
        json.loads(line)
        for line in next(tmp_path.rglob('vis_data/scalars.json')).open()
    ]
    loss_name = f"loss_{config.name.split('_')[0]}"
    train_steps = [entry for entry in logged if loss_name in entry]
    assert train_steps, f'{loss_name} was never logged'
    assert all(torch.isfinite(torch.tensor(e[loss_name])) for e in train_steps)


def distill_weights(path) -> dict:
    losses = Config.fromfile(str(path)).model.distill_losses
    return {
        name: loss['loss_weight']
        for name, loss in losses.items()
        if loss is not None
    }


@pytest.mark.parametrize('config', BASELINES, ids=lambda p: p.name)
def test_mpii_config_carries_the_demo_weight(config):
    """One rule, one weight: the batch reduction makes the weight set on
    the demo (batch 32) hold for the MPII configs (64 per GPU)."""
    method = config.name.split('_')[0]
    mpii = REPO_ROOT / 'configs' / 'baselines'
    mpii = mpii / f'{method}_litehrnet18_mpii.py'
    assert distill_weights(config) == distill_weights(mpii)


def test_multikd_weights_are_shared_by_demo_and_mpii():
    """The MPII configs carry the weights measured on the demo; VKD's at
    the default's dose where the demo config is the paper's form (the
    heatmap-teacher demo, measured beside r6)."""
    configs = REPO_ROOT / 'configs'
    pairs = [
        (
            'multikd_litehrnet18_mpii.py',
            'demo/multikd_litehrnet18_demo.py',
            1.0,
        ),
        (
            'multikd_hm-teacher_litehrnet18_mpii.py',
            'demo/multikd_hm-teacher_litehrnet18_demo.py',
            0.0625,
        ),
    ]
    for mpii, demo, vkd_dose in pairs:
        weights = distill_weights(configs / mpii)
        assert set(weights) == {'loss_fkd', 'loss_vkd'}
        demo_weights = distill_weights(configs / demo)
        demo_weights['loss_vkd'] *= vkd_dose
        assert weights == pytest.approx(demo_weights), mpii
