# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""multikd_lab/tools/plot_training_records.py: the panels' data taken from a
run record (ratios and cosines as recorded), a PNG, and a clear error for
a record without the per-epoch training record."""

import json

import pytest

from ..helpers import lab_tool


def epoch(number, fkd, gamma, grad_fkd, grad_kpt, cosine):
    return dict(
        epoch=number,
        iterations=125,
        means=dict(
            loss=1.0 + fkd,
            loss_kpt=1.0,
            loss_fkd=fkd,
            acc_pose=0.1,
            gamma_t0_s0=gamma,
            gamma_t0_s1=1 - gamma,
        ),
        grad_norms=dict(loss_kpt=grad_kpt, loss_fkd=grad_fkd, loss=3.0),
        grad_cosines=dict(loss_fkd=cosine),
    )


@pytest.fixture
def record_file(tmp_path):
    record = dict(
        row='r6',
        seed=0,
        curve=[dict(epoch=1, PCKh=5.0), dict(epoch=2, PCKh=9.0)],
        training=[
            epoch(1, 2.0, 0.3, 4.0, 2.0, 0.1),
            epoch(2, 1.5, 0.2, 1.0, 4.0, -0.2),
        ],
    )
    path = tmp_path / 'seed0.json'
    path.write_text(json.dumps(record))
    return path


def test_series_and_figure(record_file, tmp_path):
    tool = lab_tool('plot_training_records')
    record = tool.load_record(str(record_file))
    assert record['label'] == 'r6 seed 0'
    data = tool.series(record)
    assert data['epoch'] == [1, 2]
    assert data['means']['loss_fkd'] == [2.0, 1.5]
    assert 'acc_pose' not in data['means']
    assert data['gamma']['gamma_t0_s1'] == pytest.approx([0.7, 0.8])
    # the backbone gradient of each term against the task's: 4/2, 1/4
    assert data['grad_ratio'] == {'loss_fkd': [2.0, 0.25]}
    assert data['cosine'] == {'loss_fkd': [0.1, -0.2]}
    assert data['curve'] == [(1, 5.0), (2, 9.0)]
    out = tmp_path / 'figure' / 'records.png'
    tool.main([str(record_file), '--out', str(out), '--title', 't'])
    assert out.read_bytes()[:4] == b'\x89PNG'


def test_a_record_without_training_is_named(tmp_path):
    tool = lab_tool('plot_training_records')
    old = tmp_path / 'old.json'
    old.write_text(json.dumps(dict(row='r1', seed=0, curve=[])))
    with pytest.raises(ValueError, match='old.json: no per-epoch training'):
        tool.load_record(str(old))
