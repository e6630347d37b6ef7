# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``multikd_lab/tools/gpu/gpu_check.sh``: the CPU dry run of the GPU
measurements, and the parity helper it uses against a naive recomputation."""

import json
import os
import subprocess
import sys

import pytest
import torch

from multikd_lab.benchmarking.device_parity import (
    distiller_parity,
    relative_error,
)
from tests.helpers import REPO_ROOT

TINY_DISTILLER = str(
    REPO_ROOT
    / 'tests'
    / 'data'
    / 'configs'
    / 'multikd_litehrnet18_tiny_mpii-64x64.py'
)


def test_relative_error_matches_definition():
    torch.manual_seed(0)
    reference = torch.randn(5, 3)
    value = reference + 1e-3 * torch.randn(5, 3)
    expected = (value - reference).norm() / reference.norm()
    assert relative_error(value, reference) == pytest.approx(
        float(expected), rel=1e-6
    )
    assert relative_error(reference, reference) == 0.0


def test_parity_of_a_model_with_itself_is_exact():
    """CPU against CPU: same weights, same batch, so every loss and every
    gradient agrees exactly, and all trainable parameters got one."""
    result = distiller_parity(TINY_DISTILLER, 'cpu', batch_size=2)
    assert result['finite']
    assert result['missing_grads'] == []
    assert {'loss_kpt', 'loss_fkd', 'loss_vkd'} <= set(result['losses'])
    for row in result['losses'].values():
        assert row['rel_err'] == 0.0
        assert row['cpu'] == row['device']
    assert result['grad_max_rel_err'] == 0.0


def test_parity_under_autocast_reports_the_difference():
    """bf16 autocast on the CPU against float32: finite, and close but not
    identical (the comparison sees the cast)."""
    result = distiller_parity(TINY_DISTILLER, 'cpu', 2, autocast='bf16')
    assert result['autocast'] == 'bf16'
    assert result['finite']
    errors = [row['rel_err'] for row in result['losses'].values()]
    assert max(errors) > 0
    assert max(errors) < 0.1


@pytest.mark.slow
def test_dry_run_on_the_cpu(tmp_path):
    """The whole GPU check, tiny sizes, on the CPU: every check passes and
    the summary carries the numbers the docs quote."""
    out = tmp_path / 'out'
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='2')
    proc = subprocess.run(
        [
            'bash',
            str(REPO_ROOT / 'multikd_lab' / 'tools' / 'gpu' / 'gpu_check.sh'),
            '--device',
            'cpu',
            '--dry-run',
            '--out',
            str(out),
            '--work-dir',
            str(tmp_path / 'work'),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1800,
    )
    summary = json.loads((out / 'summary.json').read_text())
    failed = {
        name: result
        for name, result in summary['checks'].items()
        if result['status'] != 'pass'
    }
    assert proc.returncode == 0 and not failed, (
        json.dumps(failed, indent=1)[-3000:] + proc.stdout[-3000:]
    )
    checks = summary['checks']
    assert list(checks) == [
        'parity',
        'train_fp32',
        'train_fp16',
        'train_bf16',
        'train_cost',
        'table2',
        'ddp',
    ]
    parity = checks['parity']['rows']
    assert {row['autocast'] for row in parity} == {'fp32', 'fp16', 'bf16'}
    for name in ('train_fp32', 'train_fp16', 'train_bf16', 'ddp'):
        assert checks[name]['finite']
        assert checks[name]['iterations'] >= 2
    assert checks['ddp']['backend_in_log']
    assert (
        'rows' in checks['train_cost']['report']
        or checks['train_cost']['report']
    )
    assert checks['table2']['report']['rows']
    assert (out / 'summary.md').read_text().count('| pass |') == 7
