# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""multikd_lab/tools/plot_differences.py: the drawn points are the report's
same-seed differences, recomputed here from the rows' per-seed PCKh; the
pairs come in the order asked; an unknown pair is named; the documented
command's pairs exist in the committed attribution report."""

import json

import pytest
from matplotlib.collections import PathCollection

from tests.helpers import REPO_ROOT

from ..helpers import lab_tool

PCKH = {'r2': [38.9, 38.7, 39.0], 'fitnet': [40.0, 37.4], 'multikd': [37.1]}


@pytest.fixture
def report():
    """A summary.json as the campaign writes it: rows with per-seed PCKh,
    comparisons over the seeds both rows ran."""

    def compare(a, b):
        seeds = range(min(len(PCKH[a]), len(PCKH[b])))
        differences = [PCKH[a][s] - PCKH[b][s] for s in seeds]
        mean = sum(differences) / len(differences)
        return dict(
            a=a,
            b=b,
            seeds=list(seeds),
            differences=differences,
            mean=mean,
            std=None,
        )

    return dict(
        rows=[dict(row=name, PCKh=values) for name, values in PCKH.items()],
        comparisons=[compare('fitnet', 'r2'), compare('multikd', 'r2')],
    )


def test_points_are_the_same_seed_differences(report, tmp_path):
    tool = lab_tool('plot_differences')
    chosen = tool.select_comparisons(report, ['multikd-r2', 'fitnet-r2'])
    assert [(c['a'], c['b']) for c in chosen] == [
        ('multikd', 'r2'),
        ('fitnet', 'r2'),
    ]
    out = tmp_path / 'differences.png'
    fig = tool.draw(chosen, str(out), 'title', target=1.0)
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    axis = fig.axes[0]
    # the seed dots, one scatter per seed, top line first
    dots = [
        float(value)
        for c in axis.collections
        if isinstance(c, PathCollection)
        for value in c.get_offsets()[0]
    ]
    expected = [PCKH['multikd'][0] - PCKH['r2'][0], 1.0]
    for seed in (0, 1):
        expected += [PCKH['fitnet'][seed] - PCKH['r2'][seed], 0.0]
    assert dots == pytest.approx(expected)
    labels = [t.get_text() for t in axis.get_yticklabels()]
    assert labels == ['fitnet - r2', 'multikd - r2']
    assert 1.0 in [line.get_xdata()[0] for line in axis.get_lines()]


def test_unknown_pair_is_named(report):
    tool = lab_tool('plot_differences')
    with pytest.raises(ValueError, match=r"no \['r6-r2'\].*fitnet-r2"):
        tool.select_comparisons(report, ['fitnet-r2', 'r6-r2'])
    assert len(tool.select_comparisons(report)) == 2


def test_documented_pairs_are_in_the_attribution_report():
    tool = lab_tool('plot_differences')
    summary = REPO_ROOT / 'docs/data/lsp/attribution/summary.json'
    report = json.loads(summary.read_text())
    pairs = ['multikd-r2', 'multikd-fitnet', 'multikd-reviewkd', 'multikd-r6']
    chosen = tool.select_comparisons(report, pairs)
    assert [f"{c['a']}-{c['b']}" for c in chosen] == pairs
