# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The docs' tables rendered from a report, and the generated blocks of a
Markdown page they are written into."""

import json
import statistics

import pytest

from multikd_lab.experiments.campaign_report import write_report
from multikd_lab.experiments.doc_blocks import (
    block_names,
    read_block,
    replace_block,
    update_blocks,
)
from multikd_lab.experiments.report_tables import (
    differences_table,
    results_table,
    sizes_differences_table,
    sizes_table,
    summary_table,
)

FINALS = {
    'r1': {0: 20.0, 1: 23.5, 2: 21.25},
    'r2': {0: 30.0, 1: 29.0, 2: 33.5},
}


def write_runs(out, finals=FINALS):
    """Saved run records as ``--part rows`` writes them, curves rising 0.5
    per epoch over 8 epochs to each run's final value."""
    for row, by_seed in finals.items():
        folder = out / 'runs' / f'cfg_{row}'
        folder.mkdir(parents=True)
        for seed, final in by_seed.items():
            curve = [
                dict(epoch=epoch, PCKh=final - 0.5 * (8 - epoch))
                for epoch in range(1, 9)
            ]
            record = dict(
                row=row,
                config=f'configs/lsp/cfg_{row}.py',
                size='64x64',
                seed=seed,
                PCKh=final,
                curve=curve,
                iteration=dict(time_s=1.0),
                **{'PCKh@0.1': final / 10},
            )
            (folder / f'seed{seed}.json').write_text(json.dumps(record))
    (out / 'teachers').mkdir()
    teacher = dict(
        size='64x64',
        config='configs/lsp/teacher.py',
        seed=0,
        PCKh=50.0,
        curve=[dict(epoch=1, PCKh=50.0)],
        iteration=dict(time_s=2.0),
        **{'PCKh@0.1': 5.0},
    )
    (out / 'teachers' / 'teacher.json').write_text(json.dumps(teacher))
    (out / 'floor.json').write_text(json.dumps({'PCKh': 6.0, 'PCKh@0.1': 0.2}))


def cells(table, label):
    """The cells of the table row whose first cell is ``label``."""
    for line in table.splitlines():
        parts = [cell.strip() for cell in line.strip('|').split('|')]
        if parts[0] == label:
            return parts
    raise AssertionError(f'no row {label!r} in\n{table}')


@pytest.fixture
def report(tmp_path):
    write_runs(tmp_path)
    return write_report(str(tmp_path), ['r1', 'r2'], [('r2', 'r1')])


ROWS = [
    dict(row='r1', label='alone', what='-', paper='85.9'),
    dict(row='r2', label='cross-stage', what='top', paper='86.8'),
    dict(row='r9', label='never run', what='-', paper='-'),
]


def test_results_table_against_naive_statistics(report):
    table = results_table(report, ROWS, '64x64', 'r1', 'alone', 'teacher:')
    assert 'epoch 6 to 8 (mean curve)' in table.splitlines()[0]
    assert 'never run' not in table
    r2 = cells(table, 'cross-stage')
    finals = list(FINALS['r2'].values())
    mean, std = statistics.mean(finals), statistics.stdev(finals)
    assert r2[3] == f'{mean:.2f} ± {std:.2f}'
    assert r2[4] == ', '.join(f'{value:.2f}' for value in finals)
    differences = [
        FINALS['r2'][seed] - FINALS['r1'][seed] for seed in (0, 1, 2)
    ]
    assert r2[5] == (
        f'{statistics.mean(differences):+.2f} ± '
        f'{statistics.stdev(differences):.2f}'
    )
    assert r2[6] == f'{mean / 10:.2f}'
    assert r2[7] == '+1.00'  # 0.5 per epoch from epoch 6 to 8
    assert cells(table, 'alone')[5] == '-'
    assert cells(table, 'teacher: 64x64')[3] == '50.00'
    assert cells(table, 'floor: mean pose')[3] == '6.00'
    no_floor = results_table(
        report, ROWS, '64x64', 'r1', 'alone', 'teacher:', floor=False
    )
    assert 'floor' not in no_floor
    # runs scored on dev: the header says so, and the val-scored teacher
    # and floor are not shown beside them
    dev = results_table(
        report, ROWS, '64x64', 'r1', 'alone', 'teacher:', split='dev'
    )
    assert 'LSPet dev PCKh@0.5' in dev.splitlines()[0]
    assert 'teacher' not in dev and 'floor' not in dev
    assert dev.splitlines()[2:] == [
        line
        for line in table.splitlines()[2:]
        if 'teacher:' not in line and 'floor:' not in line
    ]
    # a size with no teacher and rows with no run
    assert (
        'teacher'
        not in results_table(
            report, ROWS[:2], '128x128', 'r1', 'alone', 'teacher:', floor=False
        ).splitlines()[-1]
    )
    assert results_table(report, ROWS[2:], '64x64', 'r9', 'x', 't') == (
        'No run of these rows yet.'
    )


def test_one_seed_and_differences_table(tmp_path):
    write_runs(tmp_path, {'r1': {0: 20.0}, 'r2': {0: 24.5}})
    report = write_report(str(tmp_path), ['r1', 'r2'], [('r2', 'r1')])
    table = results_table(report, ROWS, '64x64', 'r1', 'alone', 'teacher:')
    assert cells(table, 'cross-stage')[3] == '24.50 (seed 0)'
    assert cells(table, 'cross-stage')[5] == '+4.50'  # no std of one seed
    differences = differences_table(report, [('r2', 'r1'), ('r9', 'r1')])
    assert cells(differences, 'r2 - r1')[1:] == ['+4.50', '+4.50', '1 of 1']
    assert 'r9' not in differences


def test_summary_table_links_the_configs(report):
    table = summary_table(
        report,
        [dict(row='r2', label='cross-stage', config_name='r2_cs')],
        '64x64',
        'teacher',
        'teacher_cfg',
    )
    assert cells(table, 'cross-stage')[1] == (
        '[`r2_cs`](configs/lsp/cfg_r2.py)'
    )
    assert cells(table, 'teacher')[1:] == [
        '[`teacher_cfg`](configs/lsp/teacher.py)',
        '50.00',
    ]
    assert cells(table, 'floor: mean pose')[2] == '6.00'


LARGE = {
    'r1-128x128': {0: 30.0, 1: 31.0},
    'r2-128x128': {0: 40.25, 1: 39.0},
}


@pytest.fixture
def reports_by_size(tmp_path):
    """A 64x64 report (rows r1, r2, seeds 0-2) and a 128x128 one (their
    twins, seeds 0-1, with a 128x128 teacher at 57)."""
    small, large = tmp_path / 'small', tmp_path / 'large'
    small.mkdir()
    large.mkdir()
    write_runs(small)
    write_runs(large, LARGE)
    teacher = large / 'teachers' / 'teacher.json'
    teacher.write_text(
        json.dumps(
            dict(json.loads(teacher.read_text()), size='128x128', PCKh=57.0)
        )
    )
    return {
        '64x64': write_report(str(small), ['r1', 'r2'], [('r2', 'r1')]),
        '128x128': write_report(
            str(large),
            list(LARGE),
            [('r2-128x128', 'r1-128x128')],
        ),
    }


def test_sizes_tables_against_naive_statistics(reports_by_size):
    rows = [
        ('alone', {'64x64': 'r1', '128x128': 'r1-128x128'}),
        ('cross-stage', {'64x64': 'r2', '128x128': 'r2-128x128'}),
        ('only small', {'64x64': 'r2', '128x128': 'r9-128x128'}),
        ('never run', {'64x64': 'r9', '128x128': 'r9-128x128'}),
    ]
    table = sizes_table(reports_by_size, rows, 'teacher')
    assert table.splitlines()[0].count('|') == 6
    r2 = cells(table, 'cross-stage')
    small = list(FINALS['r2'].values())
    large = list(LARGE['r2-128x128'].values())
    assert r2[1:] == [
        ', '.join(f'{value:.2f}' for value in small),
        f'{statistics.mean(small):.2f} ± {statistics.stdev(small):.2f}',
        ', '.join(f'{value:.2f}' for value in large),
        f'{statistics.mean(large):.2f} ± {statistics.stdev(large):.2f}',
    ]
    assert cells(table, 'only small')[3:] == ['-', '-']
    assert 'never run' not in table
    assert cells(table, 'teacher')[1:] == ['', '50.00', '', '57.00']

    parts = [
        (
            'distillation',
            {'64x64': ('r2', 'r1'), '128x128': ('r2-128x128', 'r1-128x128')},
        ),
        ('not compared', {'64x64': ('r1', 'r2')}),
    ]
    differences = sizes_differences_table(reports_by_size, parts)
    row = cells(differences, 'distillation')
    assert row[1] == 'r2 - r1'
    for size, finals, first in (
        ('64x64', FINALS, 2),
        ('128x128', LARGE, 5),
    ):
        a, b = parts[0][1][size]
        seeds = sorted(finals[a])
        naive = [finals[a][seed] - finals[b][seed] for seed in seeds]
        ahead = sum(d > 0 for d in naive)
        assert row[first : first + 3] == [
            ', '.join(f'{d:+.2f}' for d in naive),
            f'{statistics.mean(naive):+.2f} ± {statistics.stdev(naive):.2f}',
            f'{ahead} of {len(seeds)}',
        ]
    assert cells(differences, 'not compared')[2:] == ['-'] * 6


PAGE = """# Page

before
<!-- generated: a -->
old a
<!-- /generated: a -->
middle
<!-- generated: b.2 -->
<!-- /generated: b.2 -->
after
"""


def test_replace_block_keeps_the_rest_of_the_page():
    assert block_names(PAGE) == ['a', 'b.2']
    assert read_block(PAGE, 'a') == 'old a'
    assert read_block(PAGE, 'b.2') == ''
    page = replace_block(PAGE, 'a', '| new |\n| a |\n')
    assert read_block(page, 'a') == '| new |\n| a |'
    assert page.replace('| new |\n| a |', 'old a') == PAGE
    assert replace_block(page, 'a', 'old a') == PAGE  # round trip


@pytest.mark.parametrize(
    'page, problem',
    [
        ('<!-- generated: a -->\nx\n', 'found 1 and 0'),
        (PAGE + '<!-- generated: a -->\n', 'found 2 and 1'),
        (
            '<!-- /generated: a -->\n<!-- generated: a -->\n',
            'ends before it starts',
        ),
    ],
)
def test_malformed_blocks_name_the_page(page, problem):
    with pytest.raises(ValueError, match=problem) as error:
        replace_block(page, 'a', 'x', source='docs/page.md')
    assert 'docs/page.md' in str(error.value)


def test_update_blocks_checks_every_block_before_writing(tmp_path):
    page = tmp_path / 'page.md'
    page.write_text(PAGE)
    with pytest.raises(ValueError, match=r"\['b.2'\] are not written"):
        update_blocks(page, {'a': 'new'})
    assert page.read_text() == PAGE  # nothing half-written
    assert update_blocks(page, {'a': 'A', 'b.2': 'B', 'c': 'C'}) == [
        'a',
        'b.2',
    ]
    assert read_block(page.read_text(), 'a') == 'A'
    assert read_block(page.read_text(), 'b.2') == 'B'
    plain = tmp_path / 'plain.md'
    plain.write_text('# no blocks\n')
    with pytest.raises(ValueError, match='no generated block'):
        update_blocks(plain, {'a': 'A'})
