# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The report of a campaign run in parts: per row, PCKh@0.5 mean ± std over
seeds, the mean val curve and how much its last quarter adds (the plateau
test), beside the teachers; differences between rows on the same seeds; a
table, a JSON and a figure of the curves."""

import json
import os
import os.path as osp
import statistics
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple


def saved_runs(out: str) -> Dict[str, List[dict]]:
    """Saved row runs by row, each list ordered by seed."""
    rows: Dict[str, List[dict]] = {}
    for path in sorted(Path(out, 'runs').glob('*/seed*.json')):
        record = json.loads(path.read_text())
        rows.setdefault(record['row'], []).append(record)
    for records in rows.values():
        records.sort(key=lambda record: record['seed'])
    return rows


def mean_curve(records: List[dict]) -> List[dict]:
    """The mean PCKh@0.5 over seeds at each epoch every seed validated."""
    by_epoch: Dict[int, list] = {}
    for record in records:
        for point in record['curve']:
            by_epoch.setdefault(point['epoch'], []).append(point['PCKh'])
    return [
        dict(epoch=epoch, PCKh=statistics.mean(values))
        for epoch, values in sorted(by_epoch.items())
        if len(values) == len(records)
    ]


def last_quarter_gain(curve: List[dict]) -> Optional[float]:
    """PCKh at the last epoch minus at three quarters of the schedule."""
    if not curve:
        return None
    points = {point['epoch']: point['PCKh'] for point in curve}
    last = max(points)
    three_quarters = round(0.75 * last)
    if three_quarters not in points:
        return None
    return points[last] - points[three_quarters]


def summarise_row(row: str, records: List[dict]) -> dict:
    """One row's seeds: PCKh mean ± std, the mean curve and its
    last-quarter gain, seconds per iteration."""
    pckh = [record['PCKh'] for record in records]
    curve = mean_curve(records)
    return dict(
        row=row,
        config=records[0]['config'],
        size=records[0]['size'],
        seeds=[record['seed'] for record in records],
        PCKh=pckh,
        PCKh_mean=statistics.mean(pckh),
        PCKh_std=statistics.stdev(pckh) if len(pckh) > 1 else 0.0,
        **{
            'PCKh@0.1_mean': statistics.mean(
                record['PCKh@0.1'] for record in records
            )
        },
        mean_curve=curve,
        last_quarter_gain=last_quarter_gain(curve),
        time_s=statistics.mean(
            record['iteration'].get('time_s', float('nan'))
            for record in records
        ),
    )


def signed(value: Optional[float]) -> str:
    """``+1.23``, or ``-`` for a value that cannot be measured."""
    return '-' if value is None else f'{value:+.2f}'


def check_targets(
    summaries: List[dict],
    teachers: List[dict],
    baseline: str = 'r1',
    margin: float = 10.0,
    plateau: float = 1.0,
    max_std: float = 1.5,
) -> List[dict]:
    """The campaign's targets on its student alone (``baseline``), each
    with its value and whether it is met (None: not measurable yet).

    - the teacher of the student's input size is at least ``margin``
      PCKh@0.5 above the student's mean over seeds;
    - plateau: the student's mean curve gains less than ``plateau`` over
      the last quarter of its schedule;
    - the student's seed std is at most ``max_std`` (needs 2 seeds).

    Returns:
        list[dict]: ``target``, ``value`` and ``met`` per target.
    """
    student = next((s for s in summaries if s['row'] == baseline), None)
    if student is None:
        return []
    teacher = next((t for t in teachers if t['size'] == student['size']), None)
    gap = None if teacher is None else teacher['PCKh'] - student['PCKh_mean']
    gain = student['last_quarter_gain']
    std = student['PCKh_std'] if len(student['seeds']) > 1 else None

    def target(name: str, value: Optional[float], met) -> dict:
        return dict(
            target=name, value=value, met=None if value is None else met
        )

    return [
        target(
            f'teacher - {baseline} >= {margin:g}',
            gap,
            gap is not None and gap >= margin,
        ),
        target(
            f'{baseline} last-quarter gain < {plateau:g}',
            gain,
            gain is not None and gain < plateau,
        ),
        target(
            f'{baseline} seed std <= {max_std:g}',
            std,
            std is not None and std <= max_std,
        ),
    ]


def paired_differences(
    rows: Dict[str, List[dict]], pairs: Sequence[Tuple[str, str]]
) -> List[dict]:
    """Row ``a`` minus row ``b`` on each seed both have run.

    The seeds a row's spread comes from (initialisation, augmentation,
    data order) are shared by runs of the same seed, so the per-seed
    difference ``d_s = PCKh(a, s) - PCKh(b, s)`` answers "is ``a`` better
    than ``b``" with less noise than two means side by side:
    ``mean(d)``, ``std(d)`` (sample std, needs 2 seeds) and on how many
    seeds ``a`` is ahead (``d_s > 0``).

    Args:
        rows (dict): Saved runs by row (:func:`saved_runs`).
        pairs (Sequence[tuple]): ``(a, b)`` row names; a pair with a row
            not run, or with no seed in common, is left out.

    Returns:
        list[dict]: Per pair ``a``, ``b``, ``seeds``, ``differences``,
        ``mean``, ``std`` (None for one seed) and ``a_ahead`` (a count).
    """
    comparisons = []
    for a, b in pairs:
        if a not in rows or b not in rows:
            continue
        b_by_seed = {record['seed']: record['PCKh'] for record in rows[b]}
        seeds = [r['seed'] for r in rows[a] if r['seed'] in b_by_seed]
        if not seeds:
            continue
        a_by_seed = {record['seed']: record['PCKh'] for record in rows[a]}
        differences = [a_by_seed[seed] - b_by_seed[seed] for seed in seeds]
        comparisons.append(
            dict(
                a=a,
                b=b,
                seeds=seeds,
                differences=differences,
                mean=statistics.mean(differences),
                std=(
                    statistics.stdev(differences)
                    if len(differences) > 1
                    else None
                ),
                a_ahead=sum(difference > 0 for difference in differences),
            )
        )
    return comparisons


def comparison_lines(comparisons: List[dict]) -> List[str]:
    """The markdown table of :func:`paired_differences`."""
    if not comparisons:
        return []
    lines = [
        '',
        '| difference (same seeds) | seeds | per seed | mean ± std | '
        'first row ahead on |',
        '|---|---|---|---|---|',
    ]
    for c in comparisons:
        std = '-' if c['std'] is None else f"{c['std']:.2f}"
        lines.append(
            f"| {c['a']} - {c['b']} | {', '.join(map(str, c['seeds']))} | "
            f"{', '.join(signed(d) for d in c['differences'])} | "
            f"{signed(c['mean'])} ± {std} | "
            f"{c['a_ahead']} of {len(c['seeds'])} |"
        )
    return lines


def write_report(
    out: str,
    row_order: Sequence[str],
    pairs: Sequence[Tuple[str, str]] = (),
    references: Optional[str] = None,
    reused: Sequence[dict] = (),
) -> dict:
    """Tabulate the saved runs under ``out`` (``runs/``, ``teachers/``):
    ``summary.md``, ``summary.json`` and ``curves.png`` beside them.

    Args:
        out (str): The campaign's result folder.
        row_order (Sequence[str]): Rows in table order (absent ones are
            left out).
        pairs (Sequence[tuple]): ``(a, b)`` rows whose differences on the
            same seeds are tabulated (:func:`paired_differences`).
        references (str, optional): The folder whose ``teachers/`` and
            ``floor.json`` are shown (a study's are its campaign's).
            Defaults to ``out``.
        reused (Sequence[dict]): Run records of another folder that count
            as runs of this one (the same config, seed and code path).

    Returns:
        dict: ``rows`` (per row: PCKh mean ± std over seeds, the mean
        curve, its last-quarter gain, seconds per iteration),
        ``teachers``, ``floor`` (``floor.json`` under ``out``, if any),
        ``targets`` (:func:`check_targets`) and ``comparisons``
        (:func:`paired_differences`).
    """
    rows = saved_runs(out)
    for record in reused:
        rows.setdefault(record['row'], []).append(record)
        rows[record['row']].sort(key=lambda r: r['seed'])
    references = references or out
    floor_path = Path(references, 'floor.json')
    floor = (
        json.loads(floor_path.read_text()) if floor_path.is_file() else None
    )
    teachers = [
        json.loads(path.read_text())
        for path in sorted(Path(references, 'teachers').glob('*.json'))
    ]
    order = [row for row in row_order if row in rows]
    summaries = [summarise_row(row, rows[row]) for row in order]
    lines = [
        '| row | config | seeds | PCKh@0.5 mean ± std | per seed | '
        'PCKh@0.1 mean | last-quarter gain (mean curve) | s/iteration |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for s in summaries:
        gain = s['last_quarter_gain']
        lines.append(
            f"| {s['row']} | `{osp.basename(s['config'])}` | "
            f"{', '.join(map(str, s['seeds']))} | "
            f"{s['PCKh_mean']:.2f} ± {s['PCKh_std']:.2f} | "
            f"{', '.join(f'{v:.2f}' for v in s['PCKh'])} | "
            f"{s['PCKh@0.1_mean']:.2f} | "
            f"{signed(gain)} | "
            f"{s['time_s']:.3f} |"
        )
    for teacher in teachers:
        lines.append(
            f"| teacher {teacher['size']} | "
            f"`{osp.basename(teacher['config'])}` | {teacher['seed']} | "
            f"{teacher['PCKh']:.2f} | - | "
            f"{teacher['PCKh@0.1']:.2f} | "
            f"{signed(last_quarter_gain(teacher['curve']))} | "
            f"{teacher['iteration'].get('time_s', float('nan')):.3f} |"
        )
    if floor:
        lines.append(
            f"| floor: mean pose | - | - | {floor['PCKh']:.2f} | - | "
            f"{floor['PCKh@0.1']:.2f} | - | - |"
        )
    targets = check_targets(summaries, teachers)
    if targets:
        lines += ['', '| target | value | met |', '|---|---|---|']
    verdicts = {None: 'not yet measurable', True: 'yes', False: 'no'}
    for item in targets:
        value = '-' if item['value'] is None else f"{item['value']:.2f}"
        lines.append(
            f"| {item['target']} | {value} | {verdicts[item['met']]} |"
        )
    comparisons = paired_differences(rows, pairs)
    lines += comparison_lines(comparisons)
    table = '\n'.join(lines)
    print(table)
    os.makedirs(out, exist_ok=True)
    with open(osp.join(out, 'summary.md'), 'w') as f:
        f.write(table + '\n')
    report = dict(
        rows=summaries,
        teachers=teachers,
        floor=floor,
        targets=targets,
        comparisons=comparisons,
    )
    with open(osp.join(out, 'summary.json'), 'w') as f:
        json.dump(report, f, indent=1)
        f.write('\n')
    draw_curves(summaries, teachers, osp.join(out, 'curves.png'), floor)
    print(f'wrote {out}/summary.md, summary.json and curves.png')
    return report


def draw_curves(
    summaries: List[dict],
    teachers: List[dict],
    path: str,
    floor: Optional[dict] = None,
):
    """Two panels: the rows' val PCKh@0.5 per epoch (mean over seeds; one
    line style per input size) with each teacher's final PCKh@0.5, and the
    teachers' own, longer curves; the mean-pose floor in both."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, (rows_ax, teachers_ax) = plt.subplots(
        1, 2, figsize=(12, 5), gridspec_kw=dict(width_ratios=(3, 2))
    )
    for s in summaries:
        curve = s['mean_curve']
        rows_ax.plot(
            [p['epoch'] for p in curve],
            [p['PCKh'] for p in curve],
            '-' if s['size'] == '64x64' else '-.',
            label=f"{s['row']} ({len(s['seeds'])} "
            f"seed{'s' if len(s['seeds']) > 1 else ''})",
        )
    styles = ('--', (0, (5, 1, 1, 1)), ':')
    for teacher, style in zip(teachers, styles):
        label = f"teacher {teacher['size']}"
        rows_ax.axhline(
            teacher['PCKh'],
            color='black',
            linestyle=style,
            label=f"{label}, final ({teacher['PCKh']:.1f})",
        )
        teachers_ax.plot(
            [p['epoch'] for p in teacher['curve']],
            [p['PCKh'] for p in teacher['curve']],
            color='black',
            linestyle=style,
            marker='.',
            label=label,
        )
    for ax in (rows_ax, teachers_ax):
        if floor:
            ax.axhline(
                floor['PCKh'],
                color='tab:red',
                linestyle=':',
                label=f"mean-pose floor ({floor['PCKh']:.1f})",
            )
        ax.set_xlabel('epoch')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    rows_ax.set_ylabel('val PCKh@0.5 (mean over seeds)')
    rows_ax.set_title('students', fontsize=10)
    teachers_ax.set_title('teachers (their own schedules)', fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
