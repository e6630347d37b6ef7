# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``--part report``: the summary of the saved runs and the pages'
generated tables."""

import os.path as osp
from pathlib import Path
from typing import Sequence

from ..experiments import experiment_options, mean_pose_floor, write_report
from ..experiments.doc_blocks import update_blocks
from ..experiments.report_tables import (
    differences_table,
    results_table,
    sizes_differences_table,
    sizes_table,
    summary_table,
)
from .records import data_summary, read_json, run_record_path, write_json
from .settings import Campaign
from .table import (
    COMPARISONS,
    MAIN_ROWS,
    ROW_TABLE,
    ROWS,
    SIZE_ROWS,
    SIZE_STUDIES,
    STUDIES,
    TEACHERS,
    repo_path,
    scored_split,
    sized,
    sized_parts,
    study_size,
    unsized,
)

# How the tables label the campaign's teachers.
TEACHER_LABEL = 'teacher: SimDR HRNet-W18'


def save_floor(campaign: Campaign) -> None:
    """The mean-pose floor of the converted split (``floor.json``),
    computed once where the data is at hand."""
    path = osp.join(campaign.out, 'floor.json')
    if osp.isfile(path) or not osp.isdir(campaign.data_root):
        return
    options = experiment_options(campaign.data_root, 0, tiny=campaign.tiny)
    floor = mean_pose_floor(repo_path(ROWS['r1'].config), options)
    floor.update(data=data_summary(campaign.data_root), rule='mean_pose_floor')
    write_json(path, floor)
    print(f"mean-pose floor: PCKh@0.5 {floor['PCKh']:.2f} ({path})")


def doc_row(row: str, size: str = '64x64') -> dict:
    """How the results table shows ``row`` (of input ``size``)."""
    entry = ROWS[row]
    label, what, paper = entry.label, entry.what, entry.paper
    suffix = '' if size == '64x64' else f', {size}'
    name = row if size == '64x64' else f'{row}-{size}'
    return dict(row=name, label=label + suffix, what=what, paper=paper)


def short_config_name(config: str) -> str:
    """``r1_baseline`` for ``multikd_litehrnet18_lspet_r1_baseline.py``,
    ``fitnet`` for ``fitnet_litehrnet18_lspet.py``."""
    name = Path(config).stem.replace('multikd_litehrnet18_lspet_', '')
    return name.replace('_litehrnet18_lspet', '')


def doc_tables(report: dict) -> dict:
    """The main table's generated blocks of ``docs/results.md``, by name
    (:mod:`multikd_lab.experiments.doc_blocks`); the README's comes from
    the attribution study (:func:`study_tables`)."""
    main_rows = [
        doc_row(r.name) for r in ROW_TABLE if r.label and r.name in MAIN_ROWS
    ]
    return {
        'lsp-64x64': results_table(
            report, main_rows, '64x64', 'r1', 'student alone', TEACHER_LABEL
        ),
        'lsp-64x64-differences': differences_table(
            report,
            [pair for pair in COMPARISONS if '128x128' not in pair[0]],
        ),
        'lsp-128x128': results_table(
            report,
            [doc_row(row, '128x128') for row in ('r2', 'r3', 'multikd')],
            '128x128',
            'r2-128x128',
            'r2',
            TEACHER_LABEL,
            floor=False,
        ),
    }


def reused_runs(campaign: Campaign, study: dict) -> list:
    """The main table's run records a study counts as its own (its
    ``reuse``: rows whose runs it would repeat bit for bit)."""
    found = []
    for name, seeds in study.get('reuse', {}).items():
        config = repo_path(ROWS[name].config)
        for seed in seeds:
            path = run_record_path(campaign.out, config, seed)
            if osp.isfile(path):
                found.append(dict(read_json(path), reused_from=path))
    return found


def readme_table(report: dict, rows: Sequence[str]) -> str:
    """The README's short form of ``report``: ``rows`` by their README
    label, with the 64x64 teacher and the floor."""
    return summary_table(
        report,
        [
            dict(
                row=row,
                label=ROWS[row].readme,
                config_name=short_config_name(ROWS[row].config),
            )
            for row in rows
        ],
        '64x64',
        TEACHER_LABEL,
        Path(TEACHERS['64x64']).stem,
    )


def study_tables(name: str, report: dict) -> dict:
    """The generated blocks of a study: its results and differences, and
    the README's table where the study has one (its ``readme`` rows)."""
    study = STUDIES[name]
    readme = (
        {'lsp-readme': readme_table(report, study['readme'])}
        if 'readme' in study
        else {}
    )
    size = study_size(name)
    return {
        **readme,
        f'lsp-{name}': results_table(
            report,
            [doc_row(unsized(row, size), size) for row in study['rows']],
            size,
            *study.get('baseline', ('r1', 'student alone')),
            TEACHER_LABEL,
            # the mean-pose floor was measured at 64x64
            floor=size == '64x64',
            split=scored_split(study),
        ),
        f'lsp-{name}-differences': differences_table(
            report, study['comparisons']
        ),
    }


def size_tables(reports: dict) -> dict:
    """The input-size section's blocks from the reports of
    :data:`SIZE_STUDIES` (by size): the rows and the parts of Multi-KD at
    each size side by side."""
    rows = [
        (ROWS[row].label, {size: sized(row, size) for size in reports})
        for row in SIZE_ROWS
    ]
    parts = [(part, pairs) for part, _, _, pairs in sized_parts(reports)]
    return {
        'lsp-input-size-sides': sizes_table(reports, rows, TEACHER_LABEL),
        'lsp-input-size-parts': sizes_differences_table(reports, parts),
    }


def size_summaries(out: str) -> dict:
    """The ``summary.json`` path of each of :data:`SIZE_STUDIES` under
    ``out``, by input size, in that order."""
    return {
        study_size(name): osp.join(out, name, 'summary.json')
        for name in SIZE_STUDIES
    }


def committed_tables(out: str) -> dict:
    """The generated blocks of every report saved under ``out`` (the main
    table's and each study's ``summary.json``), so that a page that shows
    several reports is rewritten whole by any one of them."""
    tables = {}
    main = osp.join(out, 'summary.json')
    if osp.isfile(main):
        tables.update(doc_tables(read_json(main)))
    for name in STUDIES:
        summary = osp.join(out, name, 'summary.json')
        if osp.isfile(summary):
            tables.update(study_tables(name, read_json(summary)))
    summaries = size_summaries(out)
    if all(osp.isfile(path) for path in summaries.values()):
        tables.update(
            size_tables(
                {size: read_json(path) for size, path in summaries.items()}
            )
        )
    return tables


def part_report(campaign: Campaign) -> None:
    """``summary.{md,json}`` and ``curves.png`` of the main table (or of
    ``--study``), and the generated blocks of ``--docs`` pages (this
    report's, and the other saved reports' as they are)."""
    save_floor(campaign)
    if campaign.study:
        study = STUDIES[campaign.study]
        report = write_report(
            campaign.records,
            study['rows'],
            study['comparisons'],
            # the teachers and the floor were scored on val: not beside
            # runs scored on dev
            references=campaign.out
            if scored_split(study) == 'val'
            else campaign.records,
            reused=reused_runs(campaign, study),
        )
        fresh = study_tables(campaign.study, report)
    else:
        report = write_report(campaign.out, list(ROWS), COMPARISONS)
        fresh = doc_tables(report)
    tables = {**committed_tables(campaign.out), **fresh}
    for page in campaign.docs:
        written = update_blocks(page, tables)
        print(f"{page}: rewrote {', '.join(written)}")
