# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The parts of Multi-KD at each input size: same-seed differences side by
side.

    python -m multikd_lab.tools.plot_input_size docs/data/lsp \\
        --out docs/images/lsp_input_size.png

Reads the ``summary.json`` of the attribution study (64x64) and of the
input-size study (128x128) under the campaign's records folder
(``multikd_lab.tools.run_lsp_campaign --part report --study ...``). For
each part of ``FIGURE_PARTS`` (MFT, WA given MFT, the VKD dose given MFT
and WA, the default against r2), one line per size: a dot
per seed and the mean with one standard deviation. A part a study has not
compared yet is left out at that size.
"""

import argparse
import json
import os
import os.path as osp
from typing import Dict, List, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt

from ..experiments.report_tables import find_comparison
from ..lsp_campaign.report import size_summaries
from ..lsp_campaign.table import SIZE_PARTS, sized_parts
from .plot_differences import draw_comparison, finish

# One colour per input size, in SIZE_STUDIES order.
COLORS = ('tab:blue', 'tab:orange', 'tab:green')
# The parts drawn: MFT, WA and VKD and their sum; cross-stage KD's own
# lift over the student alone (about +15) would squeeze them to a corner
# (the tables give it).
FIGURE_PARTS = SIZE_PARTS[1:]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'records',
        help='the campaign records folder (docs/data/lsp) that holds '
        '<study>/summary.json',
    )
    parser.add_argument(
        '--title',
        default='The parts of Multi-KD at two input sizes (LSPet val)',
    )
    parser.add_argument('--out', default='work_dirs/input_size.png')
    return parser.parse_args()


def read_reports(records: str) -> Dict[str, dict]:
    """The study reports by input size, in ``SIZE_STUDIES`` order.

    Raises:
        FileNotFoundError: a study's ``summary.json`` is missing, named
            with the command that writes it.
    """
    reports = {}
    for size, path in size_summaries(records).items():
        if not osp.isfile(path):
            study = osp.basename(osp.dirname(path))
            raise FileNotFoundError(
                f'{path} is missing: run `python -m '
                'multikd_lab.tools.run_lsp_campaign --part report --study '
                f'{study}` first'
            )
        with open(path) as f:
            reports[size] = json.load(f)
    return reports


def part_comparisons(
    reports: Dict[str, dict],
) -> List[Tuple[str, Dict[str, dict]]]:
    """``(part label, {size: comparison})`` for each part some size has
    compared: the comparison of ``sized(a) - sized(b)`` in that size's
    report."""
    parts = []
    for part, a, b, pairs in sized_parts(reports):
        if (part, a, b) not in FIGURE_PARTS:
            continue
        found = {
            size: comparison
            for size, pair in pairs.items()
            if (comparison := find_comparison(reports[size], *pair))
        }
        if found:
            parts.append((f'{part}\n({a} - {b})', found))
    return parts


def draw(
    parts: List[Tuple[str, Dict[str, dict]]],
    sizes: List[str],
    out: str,
    title: str,
) -> plt.Figure:
    """One band per part, the first at the top, with a line per size
    inside it; saved to ``out`` and returned (closed)."""
    if not parts:
        raise ValueError('no part compared at any size')
    fig, axis = plt.subplots(figsize=(7.5, 0.9 * len(parts) + 1.5))
    offsets = {
        size: 0.18 * (len(sizes) - 1) / 2 - 0.18 * index
        for index, size in enumerate(sizes)
    }
    labelled = set()
    for index, (_, comparisons) in enumerate(parts):
        y = len(parts) - 1 - index
        for size, comparison in comparisons.items():
            color = COLORS[sizes.index(size) % len(COLORS)]
            draw_comparison(
                axis,
                comparison,
                y + offsets[size],
                color=color,
                mean_color=color,
                label=None if size in labelled else size,
            )
            labelled.add(size)
    finish(axis, fig, [label for label, _ in parts], out, title)
    return fig


def main() -> None:
    args = parse_args()
    reports = read_reports(args.records)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    draw(part_comparisons(reports), list(reports), args.out, args.title)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
