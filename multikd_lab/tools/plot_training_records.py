# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Draw what a set of runs recorded per epoch (``TrainingRecordHook``):
loss terms, WA's pair weights gamma, each term's gradient on the student
backbone against the task loss's, and the val curve.

    python -m multikd_lab.tools.plot_training_records \\
        docs/data/lsp/attribution/runs/*/seed0.json \\
        --out docs/images/lsp_training_records.png

Each input is a campaign run record (its ``training`` list, as
``multikd_lab/tools/run_lsp_campaign.py`` saves it) or the hook's own
``training_record.json`` (its ``epochs``). Six panels:

1. the task loss ``loss_kpt`` per epoch (mean over the epoch);
2. the distillation terms (solid ``loss_fkd``, dashed ``loss_vkd``,
   dotted any other), as weighted in the total;
3. gamma per pair ``(l, m)`` (teacher stage ``l``, student stage ``m``)
   of every run with WA: one colour per pair, one line style per run;
4. ``||dL_j/d theta|| / ||dL_task/d theta||`` on the student backbone,
   on the first batch of each epoch (log scale);
5. ``cos(dL_j/d theta, dL_task/d theta)``;
6. val PCKh@0.5 per epoch (from the record's ``curve``, if any).
"""

import argparse
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

TERM_STYLES = {'loss_fkd': '-', 'loss_vkd': '--'}
RUN_STYLES = ('-', '--', ':', '-.')


def load_record(path: str) -> dict:
    """A record's label (its row and seed, else the file name), per-epoch
    entries and val curve.

    Raises:
        ValueError: The file holds no per-epoch training record.
    """
    with open(path) as f:
        record = json.load(f)
    epochs = record.get('training') or record.get('epochs')
    if not epochs:
        raise ValueError(
            f'{path}: no per-epoch training record (no "training" or '
            '"epochs" list; runs saved before TrainingRecordHook have none)'
        )
    label = (
        f"{record['row']} seed {record['seed']}"
        if 'row' in record
        else osp.basename(osp.dirname(osp.abspath(path)))
    )
    return dict(label=label, epochs=epochs, curve=record.get('curve', []))


def series(record: dict) -> Dict[str, object]:
    """The panels' data of one record.

    Returns:
        dict: ``epoch`` (list), ``means`` (term -> list), ``gamma`` (pair
        -> list), ``grad_ratio`` and ``cosine`` (term -> list; None where
        not recorded), ``curve`` (``(epoch, PCKh)`` pairs).
    """
    epochs = record['epochs']
    task = 'loss_kpt'
    names = sorted({n for e in epochs for n in e['means']})
    losses = [n for n in names if n.startswith('loss_')]
    gammas = [n for n in names if n.startswith('gamma_t')]
    grad_terms = sorted(
        {n for e in epochs for n in e.get('grad_norms', {})} - {task, 'loss'}
    )

    def ratio(epoch: dict, name: str):
        norms = epoch.get('grad_norms', {})
        if not norms.get(task) or norms.get(name) is None:
            return None
        return norms[name] / norms[task]

    return dict(
        epoch=[e['epoch'] for e in epochs],
        means={n: [e['means'].get(n) for e in epochs] for n in losses},
        gamma={n: [e['means'].get(n) for e in epochs] for n in gammas},
        grad_ratio={n: [ratio(e, n) for e in epochs] for n in grad_terms},
        cosine={
            n: [e.get('grad_cosines', {}).get(n) for e in epochs]
            for n in grad_terms
        },
        curve=[(p['epoch'], p['PCKh']) for p in record['curve']],
    )


def _plot(ax, xs, ys, **kwargs) -> None:
    points = [(x, y) for x, y in zip(xs, ys) if y is not None]
    if points:
        ax.plot(*zip(*points), **kwargs)


def draw(records: Sequence[dict], out: str, title: str = '') -> None:
    """Write the six panels of ``records`` to ``out`` (PNG)."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    (task_ax, terms_ax, gamma_ax), (ratio_ax, cos_ax, curve_ax) = axes
    colours = plt.rcParams['axes.prop_cycle'].by_key()['color']
    wa_runs = 0
    for index, record in enumerate(records):
        data = series(record)
        colour = colours[index % len(colours)]
        label = record['label']
        epoch = data['epoch']
        _plot(
            task_ax,
            epoch,
            data['means'].get('loss_kpt', []),
            color=colour,
            label=label,
        )
        for name, values in data['means'].items():
            if name == 'loss_kpt':
                continue
            _plot(
                terms_ax,
                epoch,
                values,
                color=colour,
                linestyle=TERM_STYLES.get(name, ':'),
                label=f'{label}: {name}',
            )
        if data['gamma']:
            style = RUN_STYLES[wa_runs % len(RUN_STYLES)]
            wa_runs += 1
            for pair_index, (name, values) in enumerate(
                sorted(data['gamma'].items())
            ):
                _plot(
                    gamma_ax,
                    epoch,
                    values,
                    color=colours[pair_index % len(colours)],
                    linestyle=style,
                    label=f"{label}: {name[len('gamma_'):]}",
                )
        for name, values in data['grad_ratio'].items():
            style = TERM_STYLES.get(name, ':')
            _plot(
                ratio_ax,
                epoch,
                values,
                color=colour,
                linestyle=style,
                marker='.',
                label=f'{label}: {name}',
            )
            _plot(
                cos_ax,
                epoch,
                data['cosine'][name],
                color=colour,
                linestyle=style,
                marker='.',
                label=f'{label}: {name}',
            )
        if data['curve']:
            curve_ax.plot(
                *zip(*data['curve']), color=colour, label=label, marker='o'
            )
    panels = (
        (task_ax, 'task loss loss_kpt (epoch mean)', None),
        (terms_ax, 'distillation terms, weighted (epoch mean)', None),
        (gamma_ax, 'WA pair weights gamma (epoch mean)', None),
        (ratio_ax, '||grad term|| / ||grad loss_kpt||, backbone', 'log'),
        (cos_ax, 'cos(grad term, grad loss_kpt), backbone', None),
        (curve_ax, 'val PCKh@0.5', None),
    )
    for ax, name, scale in panels:
        ax.set_title(name, fontsize=10)
        ax.set_xlabel('epoch')
        ax.grid(alpha=0.3)
        if scale:
            ax.set_yscale(scale)
        if ax.has_data():
            ax.legend(fontsize=6, ncol=2)
    cos_ax.axhline(0, color='black', linewidth=0.8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('records', nargs='+', help='run record JSON files')
    parser.add_argument('--out', required=True, help='the PNG to write')
    parser.add_argument('--title', default='')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    records: List[dict] = [load_record(path) for path in args.records]
    draw(records, args.out, args.title)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
