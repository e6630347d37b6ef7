# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The tables the docs show, rendered from a campaign's ``summary.json``
(:func:`~multikd_lab.experiments.write_report`), so that a page's copy
of the numbers is written by the report, never by hand.

Each ``rows`` argument lists the table's rows in order, as dicts with
``row`` (the report's row name) and the text the page shows for it:
``label``, ``what`` (what distils), ``paper`` (the paper's MPII value),
``config_name`` (a link's text).
"""

from typing import Dict, List, Optional, Sequence, Tuple

from .campaign_report import signed

FLOOR = 'floor: mean pose'


def _by_row(report: dict) -> Dict[str, dict]:
    return {summary['row']: summary for summary in report['rows']}


def _references(report: dict, size: str, floor: bool) -> List[tuple]:
    """``('teacher', record)`` for the teachers of input ``size``, then
    ``('floor', record)`` for the mean-pose floor if ``floor`` and known."""
    references = [
        ('teacher', teacher)
        for teacher in report['teachers']
        if teacher['size'] == size
    ]
    if floor and report.get('floor'):
        references.append(('floor', report['floor']))
    return references


def mean_std(summary: dict) -> str:
    """``mean ± std`` over seeds, or ``value (seed s)`` for one seed."""
    if len(summary['seeds']) == 1:
        return f"{summary['PCKh_mean']:.2f} (seed {summary['seeds'][0]})"
    return f"{summary['PCKh_mean']:.2f} ± {summary['PCKh_std']:.2f}"


def _difference(comparison: Optional[dict]) -> str:
    if comparison is None:
        return '-'
    if comparison['std'] is None:
        return signed(comparison['mean'])
    return f"{signed(comparison['mean'])} ± {comparison['std']:.2f}"


def find_comparison(report: dict, a: str, b: str) -> Optional[dict]:
    """The report's comparison of row ``a`` minus row ``b`` (None if it
    has none)."""
    return next(
        (c for c in report['comparisons'] if (c['a'], c['b']) == (a, b)),
        None,
    )


def _quarter_epochs(curve: List[dict]) -> Tuple[int, int]:
    last = max(point['epoch'] for point in curve)
    return round(0.75 * last), last


def results_table(
    report: dict,
    rows: Sequence[dict],
    size: str,
    baseline: str,
    baseline_label: str,
    teacher_label: str,
    floor: bool = True,
    split: str = 'val',
) -> str:
    """Per row: PCKh@0.5 mean ± std over seeds, per seed, the difference
    to ``baseline`` on the same seeds, PCKh@0.1 and what the last quarter
    of the mean curve adds; then the teacher of ``size`` and, if
    ``floor``, the mean-pose floor. Rows not in the report are left out;
    the epochs of the last quarter are those of the first row's curve.
    Runs scored on another ``split`` than val (a dev split) show no
    teacher and no floor: those were scored on val.
    """
    summaries = _by_row(report)
    rows = [row for row in rows if row['row'] in summaries]
    if not rows:
        return 'No run of these rows yet.'
    start, end = _quarter_epochs(summaries[rows[0]['row']]['mean_curve'])
    lines = [
        '| row | what distils | paper, MPII | '
        f'LSPet {split} PCKh@0.5, mean ± std | per seed | '
        f'vs {baseline_label}, same seed | PCKh@0.1 | '
        f'epoch {start} to {end} (mean curve) |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for row in rows:
        summary = summaries[row['row']]
        versus = (
            '-'
            if row['row'] == baseline
            else _difference(find_comparison(report, row['row'], baseline))
        )
        lines.append(
            f"| {row['label']} | {row['what']} | {row['paper']} | "
            f'{mean_std(summary)} | '
            f"{', '.join(f'{value:.2f}' for value in summary['PCKh'])} | "
            f'{versus} | {summary["PCKh@0.1_mean"]:.2f} | '
            f"{signed(summary['last_quarter_gain'])} |"
        )
    references = _references(report, size, floor) if split == 'val' else []
    for kind, record in references:
        label = f'{teacher_label} {size}' if kind == 'teacher' else FLOOR
        lines.append(
            f"| {label} | - | - | {record['PCKh']:.2f} | | | "
            f"{record['PCKh@0.1']:.2f} | |"
        )
    return '\n'.join(lines)


def differences_table(report: dict, pairs: Sequence[Tuple[str, str]]) -> str:
    """Row ``a`` minus row ``b`` on the same seeds: per seed, mean ± std
    and on how many seeds ``a`` is ahead. Pairs the report could not
    compare (a row not run) are left out.
    """
    lines = [
        '| difference | per seed | mean ± std | first ahead on |',
        '|---|---|---|---|',
    ]
    for a, b in pairs:
        comparison = find_comparison(report, a, b)
        if comparison is None:
            continue
        lines.append(
            f'| {a} - {b} | '
            f"{', '.join(signed(d) for d in comparison['differences'])} | "
            f'{_difference(comparison)} | '
            f"{comparison['a_ahead']} of {len(comparison['seeds'])} |"
        )
    return '\n'.join(lines)


def config_link(config: str, name: str) -> str:
    """A Markdown link to ``config`` (a repository path) named ``name``."""
    return f'[`{name}`]({config})'


def summary_table(
    report: dict,
    rows: Sequence[dict],
    size: str,
    teacher_label: str,
    teacher_name: str,
) -> str:
    """The README's short form: row, config link, PCKh@0.5 mean ± std;
    then the teacher of ``size`` and the mean-pose floor. Rows not in the
    report are left out."""
    summaries = _by_row(report)
    lines = [
        '| row | config | PCKh@0.5, mean ± std over seeds |',
        '|---|---|---|',
    ]
    for row in rows:
        summary = summaries.get(row['row'])
        if summary is None:
            continue
        lines.append(
            f"| {row['label']} | "
            f"{config_link(summary['config'], row['config_name'])} | "
            f'{mean_std(summary)} |'
        )
    for kind, record in _references(report, size, floor=True):
        if kind == 'teacher':
            label = teacher_label
            link = config_link(record['config'], teacher_name)
        else:
            label, link = FLOOR, '-'
        lines.append(f"| {label} | {link} | {record['PCKh']:.2f} |")
    return '\n'.join(lines)


def _seeds_and_mean(summary: Optional[dict]) -> str:
    if summary is None:
        return '- | -'
    per_seed = ', '.join(f'{value:.2f}' for value in summary['PCKh'])
    return f'{per_seed} | {mean_std(summary)}'


def sizes_table(
    reports: Dict[str, dict],
    rows: Sequence[Tuple[str, Dict[str, str]]],
    teacher_label: str,
) -> str:
    """One row's PCKh@0.5 at several input sizes side by side.

    Args:
        reports (dict): A report per input size (``'64x64'``), in the
            table's column order.
        rows (Sequence): ``(label, {size: report row name})`` per row; a
            row a size's report lacks shows ``-`` there, a row no report
            has is left out.
        teacher_label (str): How the last line labels the teachers.

    Returns:
        str: The Markdown table: per size, the per-seed values and their
        mean ± std; then each size's teacher.
    """
    sizes = list(reports)
    by_size = {size: _by_row(report) for size, report in reports.items()}
    lines = [
        '| row | '
        + ' | '.join(f'{size} per seed | {size} mean ± std' for size in sizes)
        + ' |',
        '|---|' + '---|---|' * len(sizes),
    ]
    for label, names in rows:
        found = [by_size[size].get(names.get(size)) for size in sizes]
        if not any(found):
            continue
        lines.append(
            f'| {label} | '
            + ' | '.join(_seeds_and_mean(summary) for summary in found)
            + ' |'
        )
    teachers = []
    for size in sizes:
        record = next(
            (r for _, r in _references(reports[size], size, False)), None
        )
        teachers.append('-' if record is None else f"{record['PCKh']:.2f}")
    lines.append(
        f'| {teacher_label} | '
        + ' | '.join(f' | {value}' for value in teachers)
        + ' |'
    )
    return '\n'.join(lines)


def sizes_differences_table(
    reports: Dict[str, dict],
    parts: Sequence[Tuple[str, Dict[str, Tuple[str, str]]]],
) -> str:
    """Same-seed differences of the same pair of rows at several input
    sizes side by side.

    Args:
        reports (dict): A report per input size, in column order.
        parts (Sequence): ``(part, {size: (row a, row b)})``: what the
            difference ``a - b`` measures and its rows in each size's
            report. A pair a report did not compare shows ``-``.

    Returns:
        str: Per size, the per-seed differences, their mean ± std and on
        how many seeds ``a`` is ahead.
    """
    sizes = list(reports)
    lines = [
        '| part | difference | '
        + ' | '.join(
            f'{size} per seed | {size} mean ± std | {size} ahead on'
            for size in sizes
        )
        + ' |',
        '|---|---|' + '---|---|---|' * len(sizes),
    ]
    for part, pairs in parts:
        cells = []
        for size in sizes:
            pair = pairs.get(size)
            comparison = pair and find_comparison(reports[size], *pair)
            if not comparison:
                cells.append('- | - | -')
                continue
            cells.append(
                ', '.join(signed(d) for d in comparison['differences'])
                + f' | {_difference(comparison)} | '
                f"{comparison['a_ahead']} of {len(comparison['seeds'])}"
            )
        a, b = next(iter(pairs.values()))
        lines.append(f'| {part} | {a} - {b} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
