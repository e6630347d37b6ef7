# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""NonFiniteLossHook: a NaN/Inf loss stops training before any checkpoint
of that iteration is written, naming the iteration, the losses and the last
good checkpoint."""

import hashlib
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.runner import EpochBasedTrainLoop, Runner
from mmpose.registry import HOOKS, MODELS

from mmpose_multikd.data_prep import data_root_options, generate_synthetic_mpii
from mmpose_multikd.engine import NonFiniteLossHook
from mmpose_multikd.models.losses import VKDLoss

from ..helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
TEACHER_CFG = TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py'


pytestmark = pytest.mark.usefixtures('one_torch_thread')


def fake_runner(work_dir, iteration: int = 6, outputs_hub=None):
    """What the hook reads from a runner, for unit tests."""
    return SimpleNamespace(
        work_dir=str(work_dir),
        iter=iteration,
        epoch=1,
        train_loop=EpochBasedTrainLoop.__new__(EpochBasedTrainLoop),
        message_hub=outputs_hub or MessageHub.get_current_instance(),
    )


def sha256(path) -> str:
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_registered_and_in_the_distiller_configs():
    assert HOOKS.get('NonFiniteLossHook') is NonFiniteLossHook
    # before CheckpointHook (VERY_LOW) and LoggerHook (BELOW_NORMAL)
    assert NonFiniteLossHook.priority == 'ABOVE_NORMAL'
    for path in (
        DISTILLER_CFG,
        REPO_ROOT / 'configs' / 'multikd_litehrnet18_mpii.py',
        REPO_ROOT
        / 'configs'
        / 'ablation'
        / 'multikd_litehrnet30_mpii_r2_cs.py',
    ):
        hooks = [h['type'] for h in Config.fromfile(str(path)).custom_hooks]
        assert hooks[:2] == ['SyncBuffersHook', 'NonFiniteLossHook'], path


def test_finite_losses_and_non_loss_entries_pass(tmp_path):
    hook = NonFiniteLossHook()
    outputs = dict(
        loss=torch.tensor(1.0),
        loss_kpt=torch.tensor(0.5),
        acc_pose=torch.tensor(float('nan')),  # not a loss: not checked
    )
    hook.after_train_iter(fake_runner(tmp_path), 0, outputs=outputs)


def test_inf_loss_without_checkpoint(tmp_path):
    outputs = dict(
        loss=torch.tensor(math.inf), loss_fkd=torch.tensor(-math.inf)
    )
    with pytest.raises(FloatingPointError) as err:
        NonFiniteLossHook().after_train_iter(
            fake_runner(tmp_path), 2, outputs=outputs
        )
    message = str(err.value)
    assert 'iteration 7 (epoch 2, batch 3)' in message
    assert 'loss=inf, loss_fkd=-inf' in message
    assert 'Last good checkpoint: none saved yet.' in message


def test_reads_the_message_hub_without_outputs(tmp_path):
    hub = MessageHub.get_instance('test_nonfinite_loss_hook')
    hub.update_scalar('train/loss_vkd', float('nan'))
    hub.update_scalar('train/lr', 0.1)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_4.pth'))
    with pytest.raises(FloatingPointError) as err:
        NonFiniteLossHook().after_train_iter(
            fake_runner(tmp_path, outputs_hub=hub), 0, outputs=None
        )
    message = str(err.value)
    assert 'loss_vkd=nan' in message and 'lr=' not in message
    assert f'Last good checkpoint: {tmp_path / "iter_4.pth"}' in message


def nan_at_call(monkeypatch, call: int, on_nan) -> None:
    """Make ``VKDLoss`` return NaN at its ``call``-th forward (1-based).

    ``on_nan`` runs first, while the earlier checkpoints are complete.
    """
    forward = VKDLoss.forward
    calls = []

    def patched(self, *args, **kwargs):
        calls.append(1)
        value = forward(self, *args, **kwargs)
        if len(calls) == call:
            on_nan()
            return value * float('nan')
        return value

    monkeypatch.setattr(VKDLoss, 'forward', patched)


def tiny_runner_cfg(tmp_path) -> Config:
    """The tiny distiller: 4 images (2 iterations/epoch), 3 epochs, a
    checkpoint every 2 iterations, no validation."""
    data_root = tmp_path / 'data'
    generate_synthetic_mpii(str(data_root), 4, 1, image_size=64, seed=0)
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CFG)).model)
    teacher_ckpt = tmp_path / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)

    cfg = Config.fromfile(str(DISTILLER_CFG))
    cfg.merge_from_dict(data_root_options(str(data_root)))
    cfg.merge_from_dict(
        {
            'model.teacher_ckpt': str(teacher_ckpt),
            'train_cfg.max_epochs': 3,
            'train_cfg.val_begin': 100,  # no validation
            'default_hooks.checkpoint.by_epoch': False,
            'default_hooks.checkpoint.interval': 2,
            'default_hooks.checkpoint.save_best': None,
        }
    )
    cfg.work_dir = str(tmp_path / 'work_dir')
    cfg.experiment_name = f'nonfinite_{tmp_path.name}'
    return cfg


@pytest.mark.slow
def test_nan_at_iteration_4_keeps_the_last_good_checkpoint(
    tmp_path, monkeypatch
):
    """NaN at iteration 4, the very iteration CheckpointHook would save
    (interval 2), so only the hooks' order keeps iter_4.pth unwritten."""
    work_dir = tmp_path / 'work_dir'
    good = work_dir / 'iter_2.pth'
    digest = {}
    nan_at_call(
        monkeypatch, 4, lambda: digest.setdefault('before', sha256(good))
    )
    runner = Runner.from_cfg(tiny_runner_cfg(tmp_path))
    names = [type(h).__name__ for h in runner.hooks]
    assert names.index('NonFiniteLossHook') < names.index('CheckpointHook')

    with pytest.raises(FloatingPointError) as err:
        runner.train()

    message = str(err.value)
    assert 'Non-finite loss at iteration 4 (epoch 2, batch 2)' in message
    assert 'loss_vkd=nan' in message and 'loss=nan' in message
    assert 'loss_kpt' not in message and 'loss_fkd' not in message
    assert f'Last good checkpoint: {good}' in message
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['iter_2.pth']
    assert (work_dir / 'last_checkpoint').read_text() == str(good)
    assert sha256(good) == digest['before']
    checkpoint = torch.load(good, map_location='cpu', weights_only=True)
    assert checkpoint['meta']['iter'] == 2
    assert all(
        torch.isfinite(v).all()
        for v in checkpoint['state_dict'].values()
        if v.is_floating_point()
    )
