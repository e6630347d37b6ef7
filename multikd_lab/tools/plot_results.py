# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Bars of PCKh@0.5 over seeds from ``multikd_lab.tools.run_ablation``
results.

    python -m multikd_lab.tools.plot_results \\
        work_dirs/ablation/ablation.json \\
        work_dirs/table1/ablation.json --out docs/images/results_demo.png

Also reads a campaign's ``summary.json`` (``multikd_lab.tools.run_lsp_campaign
--part report``; ``--size 64x64`` keeps its rows and teacher of that input
size). One bar per config (mean over seeds, error bar one standard deviation,
each seed a dot), in the order of the files and their configs; the mean-pose
floor and each teacher used (from the files' ``floor`` and ``teachers``) as
horizontal lines.
"""

import argparse
import json
import os
import os.path as osp
import statistics
from typing import List, Optional

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt

TEACHER_COLOURS = ('tab:green', 'tab:purple', 'tab:olive')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'results', nargs='+', help='ablation.json or summary.json files'
    )
    parser.add_argument('--out', default='work_dirs/results.png')
    parser.add_argument('--title', default='PCKh@0.5 on the generated val set')
    parser.add_argument(
        '--size',
        default=None,
        help="a campaign summary's rows and teachers of this input size "
        'only, e.g. 64x64 (default: all)',
    )
    return parser.parse_args()


def from_campaign_report(report: dict, size: Optional[str] = None) -> dict:
    """A campaign's ``summary.json`` (``multikd_lab.tools.run_lsp_campaign
    --part report``) in the form of ``run_ablation``'s ``ablation.json``; with
    ``size``, only its rows and teachers of that input size."""
    return dict(
        summaries=[
            dict(name=row['row'], config=row['config'], PCKh=row['PCKh'])
            for row in report['rows']
            if size in (None, row['size'])
        ],
        teachers={
            f"{teacher['size']} ({osp.basename(teacher['config'])})": teacher
            for teacher in report.get('teachers', [])
            if size in (None, teacher['size'])
        },
        floor=report.get('floor'),
    )


def load(paths: List[str], size: Optional[str] = None) -> dict:
    """Summaries (first occurrence of a config wins), floor, teachers;
    ``size`` filters campaign summaries (:func:`from_campaign_report`)."""
    summaries, names, teachers, floor = [], set(), {}, None
    for path in paths:
        with open(path) as f:
            result = json.load(f)
        if 'rows' in result:
            result = from_campaign_report(result, size)
        for summary in result['summaries']:
            if summary['name'] not in names:
                names.add(summary['name'])
                summaries.append(summary)
        for config, teacher in (result.get('teachers') or {}).items():
            if teacher.get('PCKh') is not None:
                teachers[osp.splitext(osp.basename(config))[0]] = teacher
        floor = floor or result.get('floor')
    if not summaries:
        raise ValueError(f'no summaries in {paths}')
    return dict(summaries=summaries, teachers=teachers, floor=floor)


def draw(results: dict, out: str, title: str) -> None:
    summaries = results['summaries']
    fig, axis = plt.subplots(figsize=(max(6, 0.9 * len(summaries) + 2), 4.8))
    for index, summary in enumerate(summaries):
        values = summary['PCKh']
        mean = statistics.mean(values)
        std = statistics.stdev(values) if len(values) > 1 else 0.0
        axis.bar(index, mean, color='tab:blue', alpha=0.75)
        axis.errorbar(index, mean, yerr=std, color='black', capsize=4)
        axis.scatter(
            [index] * len(values), values, color='black', s=10, zorder=3
        )
        axis.text(
            index, mean + std + 0.5, f'{mean:.1f}', ha='center', fontsize=8
        )
    lines = []
    if results['floor']:
        lines.append(
            ('mean-pose floor', results['floor']['PCKh'], 'tab:red', ':')
        )
    for colour, (name, teacher) in zip(
        TEACHER_COLOURS, results['teachers'].items()
    ):
        lines.append((f'teacher {name}', teacher['PCKh'], colour, '--'))
    for label, value, colour, style in lines:
        axis.axhline(
            value,
            color=colour,
            linestyle=style,
            label=f'{label} ({value:.1f})',
        )
    axis.set_xticks(range(len(summaries)))
    axis.set_xticklabels(
        [summary['name'] for summary in summaries],
        rotation=35,
        ha='right',
        fontsize=8,
    )
    axis.set_ylabel('PCKh@0.5 (mean ± std over seeds)')
    axis.set_title(title, fontsize=10)
    if lines:
        axis.legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main() -> None:
    args = parse_args()
    results = load(args.results, args.size)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    draw(results, args.out, args.title)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
