# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Crash-safe resume: SIGKILL ``mim train mmpose`` mid-epoch, then
``--resume``.

The tiny distiller trains 4 epochs of 2 iterations (4 generated images,
batch 2) with a checkpoint per epoch and a linear loss-weight schedule
from 0 to 1 (factor epoch/4: the distillation losses are exactly 0 in the
first epoch and 0.5x in the third). The run is killed (whole process
group) once epoch 3 has started; every checkpoint left must load, and the
resumed run must continue from the last one: iteration counter, optimizer
(Adam ``step``), LR schedulers, the trained aligners/projections and the
epoch that drives the loss-weight schedule.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

import mmpose_multikd  # noqa: F401  (MMEngine checkpoint safe globals)
from mmpose_multikd.data_prep import data_root_options, generate_synthetic_mpii

from ..helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
TEACHER_CFG = TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py'
MIM = str(Path(sys.executable).parent / 'mim')
ITERS_PER_EPOCH, MAX_EPOCHS = 2, 4
MAX_ITERS = ITERS_PER_EPOCH * MAX_EPOCHS
EPOCH_3_STARTED = f'Epoch(train) [3][1/{ITERS_PER_EPOCH}]'
# The student config's schedule: Adam 5e-4 with a linear warm-up from
# 0.001x over 500 iterations (longer than this run).
BASE_LR, WARMUP_START, WARMUP_ITERS = 5e-4, 0.001, 500
CHECKPOINT_KEYS = {
    'meta',
    'state_dict',
    'optimizer',
    'param_schedulers',
    'message_hub',
}


def warmup_lr(iteration: int) -> float:
    """LR of 0-based ``iteration`` under the warm-up (MMEngine's LinearLR
    reaches the full LR at its last iteration, ``end - 1``)."""
    progress = iteration / (WARMUP_ITERS - 1)
    return BASE_LR * (WARMUP_START + (1 - WARMUP_START) * progress)


def train_command(work_dir: Path, options: list, resume: bool) -> list:
    command = [MIM, 'train', 'mmpose', str(DISTILLER_CFG)]
    command += ['--work-dir', str(work_dir)]
    command += ['--resume'] if resume else []
    return command + ['--cfg-options', *options]


def train_env() -> dict:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    return env


def train_lines(log: str) -> list:
    """(epoch, batch, lr, loss_fkd, loss_vkd) of each training log line."""
    pattern = (
        r'Epoch\(train\)\s+\[(\d+)\]\[\s*(\d+)/\d+\]\s+lr: ([\d.e+-]+)'
        r'.*?loss_fkd: ([\d.e+-]+).*?loss_vkd: ([\d.e+-]+)'
    )
    return [
        (int(e), int(b), float(lr), float(fkd), float(vkd))
        for e, b, lr, fkd, vkd in re.findall(pattern, log)
    ]


def run_until_epoch_3_then_kill(command: list, log_path: Path, work_dir):
    """Start training in its own process group; SIGKILL the group once
    epoch_2.pth exists and epoch 3 has logged an iteration."""
    with open(log_path, 'w') as log_file:
        process = subprocess.Popen(
            command,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=train_env(),
            start_new_session=True,
        )
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            started_3 = EPOCH_3_STARTED in log_path.read_text()
            if started_3 and (work_dir / 'epoch_2.pth').is_file():
                break
            assert process.poll() is None, log_path.read_text()[-4000:]
            time.sleep(0.2)
        else:
            pytest.fail('epoch 3 did not start within 10 minutes')
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return log_path.read_text()


@pytest.mark.slow
@pytest.mark.parametrize('save_teacher', [True, False])
def test_sigkill_then_resume(save_teacher, tmp_path):
    """With ``save_teacher=False`` the checkpoints hold no teacher and the
    resumed run reloads it from ``teacher_ckpt``."""
    data_root = tmp_path / 'data'
    generate_synthetic_mpii(
        str(data_root), 2 * ITERS_PER_EPOCH, 1, image_size=64, seed=0
    )
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CFG)).model)
    teacher_ckpt = tmp_path / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)
    options = [
        f'{key}={value}'
        for key, value in data_root_options(str(data_root)).items()
    ]
    options += [
        f'model.teacher_ckpt={teacher_ckpt}',
        'model.loss_weight_schedule.type=linear',
        'model.loss_weight_schedule.start_factor=0.0',
        'model.loss_weight_schedule.end_factor=1.0',
        f'train_cfg.max_epochs={MAX_EPOCHS}',
        'train_cfg.val_begin=1000',  # no validation
        'default_hooks.checkpoint.interval=1',
        f'model.save_teacher={save_teacher}',
    ]
    work_dir = tmp_path / 'work_dir'

    killed_log = run_until_epoch_3_then_kill(
        train_command(work_dir, options, resume=False),
        tmp_path / 'killed.log',
        work_dir,
    )
    assert not (work_dir / f'epoch_{MAX_EPOCHS}.pth').exists()
    killed = train_lines(killed_log)
    assert killed[0][:2] == (1, 1)
    # schedule factor epoch/4: no distillation in epoch 1
    assert all(fkd == 0 and vkd == 0 for e, *_, fkd, vkd in killed if e == 1)

    # every checkpoint on disk is complete and loads
    saved = sorted(work_dir.glob('epoch_*.pth'))
    assert [p.name for p in saved[:2]] == ['epoch_1.pth', 'epoch_2.pth']
    for path in saved:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
        assert set(checkpoint) >= CHECKPOINT_KEYS, path
        has_teacher = any(
            k.startswith('teacher.') for k in checkpoint['state_dict']
        )
        assert has_teacher == save_teacher, path
    last = Path((work_dir / 'last_checkpoint').read_text().strip())
    last_ckpt = torch.load(last, map_location='cpu', weights_only=True)
    epoch, iteration = last_ckpt['meta']['epoch'], last_ckpt['meta']['iter']
    assert iteration == epoch * ITERS_PER_EPOCH and epoch >= 2

    result = subprocess.run(
        train_command(work_dir, options, resume=True),
        capture_output=True,
        text=True,
        env=train_env(),
        timeout=600,
    )
    resumed_log = result.stdout + result.stderr
    assert result.returncode == 0, resumed_log[-4000:]
    assert f'resumed epoch: {epoch}, iter: {iteration}' in resumed_log
    resumed = train_lines(resumed_log)
    assert resumed[0][:2] == (epoch + 1, 1)
    assert len(resumed) == MAX_ITERS - iteration
    # LR schedulers restored: the warm-up continues where it stopped
    assert resumed[0][2] == pytest.approx(warmup_lr(iteration), rel=1e-5)
    if epoch == 2:  # the killed run logged that iteration too
        assert resumed[0][2] == pytest.approx(killed[iteration][2])
    # the epoch that drives the loss-weight schedule continues (factor > 0)
    assert all(fkd > 0 and vkd > 0 for *_, fkd, vkd in resumed)

    final = torch.load(
        work_dir / f'epoch_{MAX_EPOCHS}.pth',
        map_location='cpu',
        weights_only=True,
    )
    assert final['meta']['iter'] == MAX_ITERS
    assert final['meta']['epoch'] == MAX_EPOCHS
    assert final['message_hub']['runtime_info']['epoch'] == MAX_EPOCHS - 1
    # optimizer restored: Adam counted every step of both runs
    steps = {float(s['step']) for s in final['optimizer']['state'].values()}
    assert steps == {float(MAX_ITERS)}
    warmup = final['param_schedulers'][0]
    assert warmup['last_step'] == MAX_ITERS
    # the aligners/projections were restored and trained on, not re-built
    # (a re-initialised conv differs by far more than the last steps move)
    last_steps = MAX_ITERS - iteration
    bound = 4 * last_steps * warmup_lr(MAX_ITERS)
    distill_keys = [
        k for k in final['state_dict'] if k.startswith('distill_losses.')
    ]
    assert any('.aligners.' in k for k in distill_keys)
    assert any('projections.' in k for k in distill_keys)
    for key in distill_keys:
        before, after = last_ckpt['state_dict'][key], final['state_dict'][key]
        if after.dim() == 4:  # conv weights
            assert not torch.equal(before, after), key
            assert (after - before).abs().max() <= bound, key
