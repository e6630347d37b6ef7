# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The campaign report's targets (teacher margin, plateau, seed std) and
its differences between rows on the same seeds."""

import json

import pytest

from multikd_lab.experiments.campaign_report import (
    check_targets,
    last_quarter_gain,
    paired_differences,
    summarise_row,
    write_report,
)


def record(seed, final, curve_end):
    curve = [
        dict(epoch=epoch, PCKh=curve_end - 0.25 * (16 - epoch))
        for epoch in range(1, 17)
    ]
    return dict(
        row='r1',
        config='configs/lsp/r1.py',
        size='64x64',
        seed=seed,
        PCKh=final,
        curve=curve,
        iteration=dict(time_s=0.7),
        **{'PCKh@0.1': 1.0},
    )


def test_targets_met_and_missed():
    # curves rise 0.25 per epoch: the last quarter (12 -> 16) adds 1.0
    rows = [record(seed, 20.0 + seed, 20.0) for seed in (0, 1, 2)]
    student = summarise_row('r1', rows)
    assert last_quarter_gain(student['mean_curve']) == pytest.approx(1.0)
    teachers = [dict(size='64x64', PCKh=30.5), dict(size='128x128', PCKh=1)]
    targets = {t['target']: t for t in check_targets([student], teachers)}
    margin = targets['teacher - r1 >= 10']
    assert margin['value'] == pytest.approx(30.5 - 21.0)
    assert margin['met'] is False  # 9.5 < 10
    plateau = targets['r1 last-quarter gain < 1']
    assert plateau['met'] is False  # 1.0 is not < 1
    spread = targets['r1 seed std <= 1.5']
    assert spread['value'] == pytest.approx(1.0) and spread['met'] is True

    teachers[0]['PCKh'] = 31.0
    targets = {t['target']: t for t in check_targets([student], teachers)}
    assert targets['teacher - r1 >= 10']['met'] is True


def test_targets_wait_for_what_they_need():
    one_seed = summarise_row('r1', [record(0, 20.0, 20.0)])
    targets = {t['target']: t for t in check_targets([one_seed], [])}
    assert targets['teacher - r1 >= 10']['met'] is None  # no teacher
    assert targets['r1 seed std <= 1.5']['met'] is None  # one seed
    assert targets['r1 last-quarter gain < 1']['met'] is False
    other = dict(one_seed, row='r6')
    assert check_targets([other], []) == []  # no student alone yet


def row_records(row, finals):
    return [
        dict(record(seed, final, final), row=row)
        for seed, final in finals.items()
    ]


def test_paired_differences_against_naive_formula():
    rows = {
        'r1': row_records('r1', {0: 20.0, 1: 23.0, 2: 21.0}),
        'r6': row_records('r6', {0: 24.0, 1: 22.5, 2: 26.0}),
        # seed 2 not run yet, seed 3 not run by r1
        'r2': row_records('r2', {0: 30.0, 1: 31.0, 3: 40.0}),
    }
    pairs = [('r6', 'r1'), ('r2', 'r1'), ('r6', 'absent'), ('r1', 'r1')]
    comparisons = paired_differences(rows, pairs)
    assert [(c['a'], c['b']) for c in comparisons] == [
        ('r6', 'r1'),
        ('r2', 'r1'),
        ('r1', 'r1'),
    ]
    r6_r1, r2_r1, r1_r1 = comparisons
    naive = [24.0 - 20.0, 22.5 - 23.0, 26.0 - 21.0]
    mean = sum(naive) / 3
    std = (sum((d - mean) ** 2 for d in naive) / (3 - 1)) ** 0.5
    assert r6_r1['seeds'] == [0, 1, 2]
    assert r6_r1['differences'] == pytest.approx(naive)
    assert r6_r1['mean'] == pytest.approx(mean)
    assert r6_r1['std'] == pytest.approx(std)
    assert r6_r1['a_ahead'] == 2  # seed 1: r6 behind
    assert r2_r1['seeds'] == [0, 1]  # only the seeds both have
    assert r2_r1['differences'] == pytest.approx([10.0, 8.0])
    assert r1_r1['a_ahead'] == 0 and r1_r1['std'] == pytest.approx(0.0)
    one_seed = paired_differences(
        {'a': rows['r1'][:1], 'b': rows['r6']}, [('a', 'b')]
    )
    assert one_seed[0]['std'] is None


def test_report_tabulates_the_differences(tmp_path):
    runs = {
        'r1': row_records('r1', {0: 20.0, 1: 23.0}),
        'r6': row_records('r6', {0: 24.0, 1: 22.5}),
    }
    for row, records in runs.items():
        folder = tmp_path / 'runs' / row
        folder.mkdir(parents=True)
        for rec in records:
            (folder / f"seed{rec['seed']}.json").write_text(json.dumps(rec))
    report = write_report(str(tmp_path), ['r1', 'r6'], [('r6', 'r1')])
    (comparison,) = report['comparisons']
    assert comparison['differences'] == pytest.approx([4.0, -0.5])
    summary = (tmp_path / 'summary.md').read_text()
    assert '| r6 - r1 | 0, 1 | +4.00, -0.50 | +1.75 ± 3.18 | 1 of 2 |' in (
        summary
    )
    saved = json.loads((tmp_path / 'summary.json').read_text())
    assert saved['comparisons'][0]['a_ahead'] == 1
