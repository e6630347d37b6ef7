# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The paper's Table 2 systems (``multikd_lab.benchmarking.table2``)
and ``multikd_lab/tools/benchmark.py --table2``.

Every config of the list resolves and loads at 256x256 with MPII's 16
keypoints (fast); every model builds offline and runs one image (the
8-stack Hourglass, 752 M parameters, only in the slow set); the tool's
``--table2`` path runs in-process on a tiny stand-in list.
"""

import json
import sys

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from multikd_lab.benchmarking import (
    TABLE2,
    Table2Row,
    missing_requirements,
    resolve_config,
    table2_row,
)
from multikd_lab.benchmarking.table2 import drop_pretrained, load_config
from tests.helpers import REPO_ROOT

from ..helpers import lab_tool

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
STUDENT_CFG = TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py'
LIGHT_CFG = REPO_ROOT / 'configs' / 'demo' / 'simcc_litehrnet18-light_demo.py'

PAPER_ORDER = [
    'ViTPose-B',
    'HRNet-W48',
    'HRNet-W32',
    '8-stack Hourglass',
    'SimpleBaseline',
    'MobileNetV2',
    'ShuffleNetV2',
    '2-stack Hourglass',
    'OKDHP',
    'LiteHRNet-18',
    'LiteHRNet-30',
    'Multi-KD (LiteHRNet-18)',
    'Multi-KD (LiteHRNet-30)',
]
CONFIG_ROWS = [row for row in TABLE2 if row.config is not None]
HEAVY = {'8-stack Hourglass'}


def row_id(row: Table2Row) -> str:
    return row.name


def head_cfg(cfg):
    """The head of the deployed model (a distiller's student, which may be
    given as a config path)."""
    model = cfg.model
    if 'student' in model:
        model = model.student
        if isinstance(model, str):
            model = Config.fromfile(model).model
    return model.head


def test_table2_lists_the_papers_systems_in_order():
    assert [row.name for row in TABLE2] == PAPER_ORDER
    okdhp = table2_row('OKDHP')
    assert okdhp.config is None
    assert 'no MMPose config' in okdhp.note
    assert table2_row('ViTPose-B').requires == ('mmpretrain',)
    for row in TABLE2:
        assert row.pckh_source
        if row.pckh is not None:
            assert row.pckh_source in ('paper', 'MMPose model zoo')
            assert 80.0 < row.pckh < 95.0
    # The Multi-KD rows quote the paper's published result (SPEC).
    assert table2_row('Multi-KD (LiteHRNet-18)').pckh == 87.7
    assert table2_row('Multi-KD (LiteHRNet-30)').pckh == 88.9
    with pytest.raises(KeyError, match='not a Table 2 system'):
        table2_row('DeepPose')


@pytest.mark.parametrize('row', CONFIG_ROWS, ids=row_id)
def test_table2_config_resolves_at_256x256_with_16_keypoints(row):
    assert resolve_config(row.config).endswith('.py')
    cfg = load_config(row.config, row.overrides)
    assert tuple(cfg.codec['input_size']) == (256, 256)
    assert head_cfg(cfg).out_channels == 16
    if row.config.startswith('mmpose::'):
        assert 'mpii' in row.config or row.name == 'ViTPose-B'
    assert "'Pretrained'" not in str(cfg.model)


def test_resolve_config_and_drop_pretrained(tmp_path, monkeypatch):
    mmpose_path = resolve_config(
        'mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
        'td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py'
    )
    assert '/mmpose/.mim/configs/body_2d_keypoint/' in mmpose_path
    # A repository path resolves from any working directory.
    monkeypatch.chdir(tmp_path)
    assert resolve_config('configs/multikd_litehrnet18_mpii.py') == str(
        REPO_ROOT / 'configs' / 'multikd_litehrnet18_mpii.py'
    )
    with pytest.raises(FileNotFoundError):
        resolve_config('mmpose::body_2d_keypoint/no_such_config.py')
    with pytest.raises(FileNotFoundError, match='not found'):
        resolve_config('package_that_is_not_installed::a.py')
    model = dict(
        backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='http://x')),
        head=dict(init_cfg=[dict(type='Normal', std=0.01)]),
    )
    drop_pretrained(model)
    assert model['backbone']['init_cfg'] is None
    assert model['head']['init_cfg'] == [dict(type='Normal', std=0.01)]


@pytest.mark.parametrize(
    'row',
    [
        pytest.param(row, marks=pytest.mark.slow) if row.name in HEAVY else row
        for row in CONFIG_ROWS
    ],
    ids=row_id,
)
def test_table2_model_builds_offline_and_runs(row, one_torch_thread):
    missing = missing_requirements(row)
    if missing:
        pytest.skip(f'{row.name} needs {missing} (not installed)')
    cfg = load_config(row.config, row.overrides)
    model = MODELS.build(cfg.model)
    model = getattr(model, 'student', model).eval()
    # Building fetches nothing; initialising must not either.
    model.init_weights()
    with torch.no_grad():
        out = model(torch.rand(1, 3, 256, 256), None, mode='tensor')
    outputs = out if isinstance(out, (list, tuple)) else [out]
    for output in outputs:
        assert output.shape[:2] == (1, 16)
        assert torch.isfinite(output).all()


def load_benchmark_tool():
    return lab_tool('benchmark')


def test_benchmark_table2_runs_the_list_and_quotes_pckh(
    tmp_path, monkeypatch, capsys, one_torch_thread
):
    tool = load_benchmark_tool()
    tiny_rows = [
        Table2Row('Tiny student', str(STUDENT_CFG), 50.0, 'paper'),
        Table2Row(
            'Tiny student, 8 keypoints',
            str(STUDENT_CFG),
            None,
            'not known to us',
            overrides={'model.head.out_channels': 8},
            variant='8 keypoints',
        ),
        Table2Row(
            'No config', None, None, 'not known to us', note='no config'
        ),
        Table2Row(
            'Needs a package',
            str(STUDENT_CFG),
            None,
            'not known to us',
            requires=('package_that_is_not_installed',),
        ),
    ]
    monkeypatch.setattr(tool, 'TABLE2', tiny_rows)
    out = tmp_path / 'table2.json'
    argv = ['benchmark.py', '--table2', str(LIGHT_CFG), '--batch-sizes', '1',
            '--warmup', '0', '--repeats', '1', '--no-memory',
            '--out', str(out)]  # fmt: skip
    monkeypatch.setattr(sys, 'argv', argv)
    tool.main()
    stdout = capsys.readouterr().out
    assert '| system | config |' in stdout
    assert 'PCKh@0.5 (quoted)' in stdout
    rows = json.loads(out.read_text())['rows']
    # The list in its order, then the explicit config.
    assert [row.get('system') for row in rows] == [
        'Tiny student',
        'Tiny student, 8 keypoints',
        'No config',
        'Needs a package',
        None,
    ]
    student, eight, no_config, needs, light = rows
    assert student['pckh_quoted'] == 50.0
    assert student['pckh_source'] == 'paper'
    assert student['input'] == '64x64'
    assert student['latency_b1_ms'] > 0
    # The overrides reach the built model.
    assert eight['config'].endswith('(8 keypoints)')
    assert eight['overrides'] == {'model.head.out_channels': 8}
    assert eight['params_m'] < student['params_m']
    assert no_config['skipped'] == 'no config'
    assert 'latency_b1_ms' not in no_config
    assert needs['skipped'] == (
        'needs package_that_is_not_installed (not installed)'
    )
    assert 'latency_b1_ms' not in needs
    assert light['config'] == LIGHT_CFG.stem
    assert light['latency_b1_ms'] > 0


def test_benchmark_needs_configs_or_table2(monkeypatch):
    tool = load_benchmark_tool()
    monkeypatch.setattr(sys, 'argv', ['benchmark.py'])
    with pytest.raises(SystemExit):
        tool.parse_args()
