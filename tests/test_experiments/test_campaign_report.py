# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The campaign report's targets: teacher margin, plateau, seed std."""

import pytest

from mmpose_multikd.experiments.campaign_report import (
    check_targets,
    last_quarter_gain,
    summarise_row,
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
