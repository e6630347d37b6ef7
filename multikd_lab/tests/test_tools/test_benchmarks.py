# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``multikd_lab.tools.benchmark`` and ``multikd_lab.tools.benchmark_train``
in a tiny setting.

Benchmarks are not unit tests: timings are not asserted, only that each
tool runs, measures what it says and writes consistent JSON.
"""

import json
import subprocess

import pytest
from mmengine.config import Config
from mmpose.registry import MODELS

from tests.helpers import REPO_ROOT

from ..helpers import lab_command

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
STUDENT_CFG = TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
LIGHT_CFG = REPO_ROOT / 'configs' / 'demo' / 'simcc_litehrnet18-light_demo.py'


def run_tool(*args):
    proc = subprocess.run(
        [*lab_command(args[0]), *map(str, args[1:])],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def num_params(config_path):
    model = MODELS.build(Config.fromfile(str(config_path)).model)
    model = getattr(model, 'student', model)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.slow
def test_inference_benchmark(tmp_path):
    out = tmp_path / 'inference.json'
    stdout = run_tool(
        'benchmark',
        STUDENT_CFG,
        LIGHT_CFG,
        DISTILLER_CFG,
        '--batch-sizes', '1', '2',
        '--warmup', '0',
        '--repeats', '1',
        '--out', out,
    )  # fmt: skip
    assert '| config |' in stdout
    rows = {row['config']: row for row in json.loads(out.read_text())['rows']}
    for config in (STUDENT_CFG, LIGHT_CFG, DISTILLER_CFG):
        row = rows[config.stem]
        # A distiller config deploys (and is measured as) its student.
        assert row['params_m'] * 1e6 == pytest.approx(num_params(config))
        assert row['gflops'] > 0
        assert row['input'] == '64x64'
        assert len(row['timings_b1_s']) == len(row['timings_b2_s']) == 1
        assert row['images_per_s'] == pytest.approx(
            2000.0 / row['latency_b2_ms']
        )
        assert row['peak_mb'] >= row['peak_over_import_mb'] >= 0
    assert (
        rows[LIGHT_CFG.stem]['params_m'] < rows[STUDENT_CFG.stem]['params_m']
    )
    assert (tmp_path / 'inference.md').read_text().startswith('| config |')


@pytest.mark.slow
def test_training_benchmark(tmp_path):
    out = tmp_path / 'train.json'
    run_tool(
        'benchmark_train',
        DISTILLER_CFG,
        '--batch-size', '2',
        '--warmup', '0',
        '--repeats', '1',
        '--out', out,
        '--cfg-options',
        'model.distill_losses.loss_fkd.weight_adaptation=False',
    )  # fmt: skip
    report = json.loads(out.read_text())
    assert report['args']['cfg_options'] == {
        'model.distill_losses.loss_fkd.weight_adaptation': False
    }
    ms = {row['case']: row['ms'] for row in report['rows']}
    assert set(ms) == {
        'student_step',
        'teacher_forward',
        'multikd_step',
        'dwpose_step',
        'aligner_convs',
        'cross_stage_loss',
        'networks_in_sequence',
    }
    ratios = report['ratios']
    floor = ms['student_step'] + ms['teacher_forward']
    assert ratios['multikd_over_floor'] == pytest.approx(
        ms['multikd_step'] / floor
    )
    assert ratios['multikd_over_dwpose'] == pytest.approx(
        ms['multikd_step'] / ms['dwpose_step']
    )
    assert ratios['floor_with_aligner_convs'] == pytest.approx(
        (floor + ms['aligner_convs']) / floor
    )
    assert ratios['multikd_over_sequence_with_aligner_convs'] == (
        pytest.approx(
            ms['multikd_step']
            / (ms['networks_in_sequence'] + ms['aligner_convs'])
        )
    )
    assert ratios['cross_stage_loss_over_aligner_convs'] == pytest.approx(
        ms['cross_stage_loss'] / ms['aligner_convs']
    )
    for row in report['rows']:
        assert row['peak_mb'] >= row['peak_over_import_mb'] >= 0
    # The distiller trains the student plus its aligners: more memory than
    # the teacher's no-grad forward alone.
    peaks = {row['case']: row['peak_over_import_mb'] for row in report['rows']}
    assert peaks['multikd_step'] > peaks['teacher_forward']


def test_training_benchmark_rejects_a_non_distiller_config(tmp_path):
    proc = subprocess.run(
        [
            *lab_command('benchmark_train'),
            str(STUDENT_CFG),
            '--out',
            str(tmp_path / 'x.json'),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert 'is not a MultiKDDistiller config' in proc.stderr
