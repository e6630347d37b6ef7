# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""multikd_lab/tools/profile_demo_iteration.py on generated data."""

import json
import subprocess

import pytest

from tests.helpers import REPO_ROOT

from ..helpers import lab_command, lab_env


@pytest.mark.slow
def test_profile_reads_every_runner_iteration(mpii_root, tmp_path):
    out = tmp_path / 'profile.json'
    result = subprocess.run(
        [
            *lab_command('profile_demo_iteration'),
            str(REPO_ROOT / 'configs' / 'demo' / 'simcc_litehrnet18_demo.py'),
            '--data-root',
            mpii_root,
            '--skip',
            '0',
            '--repeats',
            '2',
            '--out',
            str(out),
            '--cfg-options',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=lab_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    profile = json.loads(out.read_text())
    # 6 generated training images in batches of 32: one Runner iteration
    assert profile['iterations'] == 1 and profile['batch_size'] == 32
    assert profile['num_workers'] == 0  # --cfg-options reached the Runner
    assert 0 <= profile['data_time_s'] < profile['iteration_s']
    assert profile['train_step_s'] > 0
    assert profile['runner_overhead_s'] == pytest.approx(
        profile['iteration_s'] - profile['train_step_s']
    )
    assert 'the Runner adds' in result.stdout
