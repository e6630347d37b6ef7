# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""multikd_lab/tools/plot_input_size.py: each part is the same pair of
rows at each size (the 128x128 twins by name), the drawn points are the
reports' same-seed differences, a part a size has not compared is left
out there, and a missing report is named with the command that writes
it."""

import json

import pytest
from matplotlib.collections import PathCollection

from ..helpers import lab_tool

SMALL = {'r2': [38.9, 38.7, 39.0], 'r3': [36.3, 37.0, 36.4]}
LARGE = {'r2-128x128': [50.0, 49.0], 'r3-128x128': [50.5, 48.25]}


def report(pckh, pairs):
    def compare(a, b):
        differences = [x - y for x, y in zip(pckh[a], pckh[b])]
        return dict(
            a=a,
            b=b,
            seeds=list(range(len(differences))),
            differences=differences,
            mean=sum(differences) / len(differences),
            std=None,
        )

    return dict(comparisons=[compare(a, b) for a, b in pairs])


def test_parts_pair_the_twins_and_draw_their_differences(tmp_path):
    tool = lab_tool('plot_input_size')
    reports = {
        '64x64': report(SMALL, [('r3', 'r2')]),
        '128x128': report(LARGE, [('r3-128x128', 'r2-128x128')]),
    }
    parts = tool.part_comparisons(reports)
    # only MFT was compared: the other parts are left out
    assert [label for label, _ in parts] == ['MFT\n(r3 - r2)']
    found = parts[0][1]
    assert (found['128x128']['a'], found['128x128']['b']) == (
        'r3-128x128',
        'r2-128x128',
    )
    out = tmp_path / 'sizes.png'
    fig = tool.draw(parts, list(reports), str(out), 'title')
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    dots = sorted(
        round(float(c.get_offsets()[0][0]), 6)
        for c in fig.axes[0].collections
        if isinstance(c, PathCollection)
    )
    naive = [
        a - b
        for pckh, (ra, rb) in (
            (SMALL, ('r3', 'r2')),
            (LARGE, ('r3-128x128', 'r2-128x128')),
        )
        for a, b in zip(pckh[ra], pckh[rb])
    ]
    assert dots == pytest.approx(sorted(naive))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ['64x64', '128x128']
    # a part at one size only
    only_small = tool.part_comparisons(
        {'64x64': reports['64x64'], '128x128': report(LARGE, [])}
    )
    assert list(only_small[0][1]) == ['64x64']


def test_missing_report_is_named(tmp_path):
    tool = lab_tool('plot_input_size')
    (tmp_path / 'attribution').mkdir()
    (tmp_path / 'attribution' / 'summary.json').write_text(json.dumps({}))
    with pytest.raises(
        FileNotFoundError, match='input-size.*--study input-size'
    ):
        tool.read_reports(str(tmp_path))
    with pytest.raises(ValueError, match='no part'):
        tool.draw([], ['64x64'], str(tmp_path / 'x.png'), 'title')
