# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Same-seed differences of a campaign report, one line per comparison.

    python -m multikd_lab.tools.plot_differences \\
        docs/data/lsp/attribution/summary.json \\
        --pairs multikd-r2 multikd-fitnet multikd-reviewkd multikd-r6 \\
        --target 1.0 --out docs/images/lsp_attribution_differences.png

Reads the ``comparisons`` of a ``summary.json``
(``multikd_lab.tools.run_lsp_campaign --part report``): for the pair ``a-b``,
the difference ``PCKh(a, seed) - PCKh(b, seed)`` on each seed both rows ran.
Each seed is a dot (labelled with its seed), the mean a diamond with one
standard deviation; a line at 0 and, with ``--target``, one at the target
margin.
"""

import argparse
import json
import os
import os.path as osp
from typing import List, Optional, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('summary', help="a campaign report's summary.json")
    parser.add_argument(
        '--pairs',
        nargs='+',
        default=None,
        help='comparisons to draw, as a-b (row a minus row b), in this '
        'order (default: every comparison of the report)',
    )
    parser.add_argument(
        '--target',
        type=float,
        default=None,
        help='draw a line at this margin (e.g. 1.0 PCKh@0.5)',
    )
    parser.add_argument('--title', default='Same-seed differences')
    parser.add_argument('--out', default='work_dirs/differences.png')
    return parser.parse_args()


def select_comparisons(
    report: dict, pairs: Optional[Sequence[str]] = None
) -> List[dict]:
    """The report's comparisons named by ``pairs`` (``a-b``), in that
    order; all of them when ``pairs`` is None.

    Raises:
        ValueError: a pair the report does not compare, naming the pairs
            it does.
    """
    comparisons = report.get('comparisons') or []
    by_pair = {f"{c['a']}-{c['b']}": c for c in comparisons}
    if pairs is None:
        return list(comparisons)
    unknown = [pair for pair in pairs if pair not in by_pair]
    if unknown:
        raise ValueError(
            f'the report compares no {unknown}; it compares '
            f'{sorted(by_pair)}'
        )
    return [by_pair[pair] for pair in pairs]


def draw_comparison(
    axis: plt.Axes,
    comparison: dict,
    y: float,
    color: str = 'tab:blue',
    mean_color: str = 'black',
    label: Optional[str] = None,
) -> None:
    """One comparison on line ``y``: a dot per seed (labelled with its
    seed) in ``color`` and the mean as a diamond with one standard
    deviation in ``mean_color``, in the legend as ``label``."""
    for seed, difference in zip(
        comparison['seeds'], comparison['differences']
    ):
        axis.scatter(difference, y, color=color, s=18, zorder=3)
        axis.annotate(
            str(seed),
            (difference, y),
            textcoords='offset points',
            xytext=(0, 5),
            ha='center',
            fontsize=7,
            color=color,
        )
    axis.errorbar(
        comparison['mean'],
        y,
        xerr=comparison.get('std') or 0.0,
        fmt='D',
        color=mean_color,
        markeredgecolor='black',
        markersize=5,
        capsize=3,
        zorder=4,
        label=label,
    )


def finish(
    axis: plt.Axes,
    fig: plt.Figure,
    labels: Sequence[str],
    out: str,
    title: str,
    target: Optional[float] = None,
) -> None:
    """The zero line, the target line, ``labels`` from the top line down,
    the legend and the title; the figure is saved to ``out`` and closed."""
    axis.axvline(0.0, color='grey', linewidth=1)
    if target is not None:
        axis.axvline(
            target,
            color='tab:green',
            linestyle='--',
            label=f'target margin (+{target:g})',
        )
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=8, loc='lower right')
    axis.set_yticks(range(len(labels)))
    axis.set_yticklabels(list(reversed(labels)), fontsize=8)
    axis.set_xlabel(
        'PCKh@0.5 difference on the same seed (dots: seeds; diamond: '
        'mean ± std)',
        fontsize=8,
    )
    axis.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def draw(
    comparisons: Sequence[dict],
    out: str,
    title: str,
    target: Optional[float] = None,
) -> plt.Figure:
    """One horizontal line per comparison, the first at the top; the
    figure is saved to ``out`` and returned (closed)."""
    if not comparisons:
        raise ValueError('no comparison to draw')
    fig, axis = plt.subplots(figsize=(7, 0.55 * len(comparisons) + 1.4))
    for index, comparison in enumerate(comparisons):
        draw_comparison(axis, comparison, len(comparisons) - 1 - index)
    labels = [f"{c['a']} - {c['b']}" for c in comparisons]
    finish(axis, fig, labels, out, title, target)
    return fig


def main() -> None:
    args = parse_args()
    with open(args.summary) as f:
        report = json.load(f)
    comparisons = select_comparisons(report, args.pairs)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    draw(comparisons, args.out, args.title, args.target)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
