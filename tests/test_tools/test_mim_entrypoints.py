# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`mim train mmpose` / `mim test mmpose` with our configs, as users run them.

A real MMEngine run of MMPose's own tools/train.py and tools/test.py on
generated MPII-format data and, where ``../shared`` has them, on the five
real MPII samples (64x64 input, one epoch of 3 iterations).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..helpers import REPO_ROOT, data_root_options

TINY_STUDENT = (
    REPO_ROOT
    / 'tests'
    / 'data'
    / 'configs'
    / 'simcc_litehrnet18_tiny_mpii-64x64.py'
)
MIM = str(Path(sys.executable).parent / 'mim')


def run_mim(*args: str, cwd: Path) -> str:
    """Run ``mim`` and return its combined output; fail with its tail."""
    env = dict(os.environ)
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)  # users don't set it
    result = subprocess.run(
        [MIM, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


@pytest.mark.slow
@pytest.mark.parametrize('data_fixture', ['mpii_root', 'mpii_mini_root'])
def test_mim_train_then_test(data_fixture, request, tmp_path):
    work_dir = tmp_path / 'work_dir'
    options = data_root_options(request.getfixturevalue(data_fixture))
    train_log = run_mim(
        'train',
        'mmpose',
        str(TINY_STUDENT),
        '--work-dir',
        str(work_dir),
        '--cfg-options',
        *options,
        cwd=tmp_path,
    )
    # three iterations of loss logging, then a validation with PCKh
    assert re.search(r'Epoch\(train\)\s+\[1\]\[3/3\].*loss_kpt', train_log)
    # MpiiPCKAccuracy normalised by head size = PCKh; 'PCK' is PCKh@0.5
    assert 'normalized by ``"head_size"``' in train_log
    assert re.search(r'Epoch\(val\).*Head PCK: [\d.]+.*PCK: [\d.]+', train_log)
    checkpoint = work_dir / 'epoch_1.pth'
    assert checkpoint.is_file()

    # MMEngine's checkpoint loads without TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD
    test_log = run_mim(
        'test',
        'mmpose',
        str(TINY_STUDENT),
        '--checkpoint',
        str(checkpoint),
        '--work-dir',
        str(work_dir),
        '--cfg-options',
        *options,
        cwd=tmp_path,
    )
    assert 'normalized by ``"head_size"``' in test_log
    match = re.search(r'Epoch\(test\).*Head PCK.*  PCK: ([\d.]+)', test_log)
    assert match, test_log[-3000:]
    assert 0.0 <= float(match.group(1)) <= 100.0
