# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Distillation loss weights by one rule: each term a fixed multiple of
``loss_kpt`` at the start of training.

    python tools/analysis/loss_scales.py \\
        configs/demo/multikd_litehrnet18_demo.py configs/demo/baselines/*.py \\
        --teacher-ckpt TEACHER.pth \\
        --out work_dirs/loss_scales.json

For every distiller config: build it as training would (MMEngine's seed,
``init_weights``, the teacher from ``--teacher-ckpt``), set every
distillation loss's ``loss_weight`` to 1, run ``model.loss`` on the first
``--batches`` training batches of the config's own dataloader (MMPose's
pipeline) and average each term. A term that reads stage features
(``DISTILL_INPUTS == 'stage_feats'``) gets the weight that makes it start
at ``--feature-multiple`` x ``loss_kpt``, a term that reads the teacher
head's outputs (``'simcc'``, ``'teacher_heatmaps'``) at
``--distribution-multiple`` x ``loss_kpt``:

    w = multiple * loss_kpt / L(w=1)

rounded to two significant digits. All terms sum over the batch like
``loss_kpt`` (``docs/method.md``), so the weights hold at any batch size.
"""

import argparse
import json
import os
import os.path as osp
import sys
from pathlib import Path
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, set_random_seed
from mmpose.registry import MODELS

# multikd_lab (the experiment lab) sits in the repository, not installed
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from multikd_lab.experiments import data_root_options

KIND_OF_INPUTS = {
    'stage_feats': 'feature',
    'simcc': 'distribution',
    'teacher_heatmaps': 'distribution',
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+', help='distiller configs')
    parser.add_argument('--teacher-ckpt', required=True)
    parser.add_argument('--data-root', default='data/synthetic_mpii')
    parser.add_argument('--batches', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--feature-multiple', type=float, default=2.0)
    parser.add_argument('--distribution-multiple', type=float, default=1.0)
    parser.add_argument('--out', default=None, help='JSON file')
    return parser.parse_args()


def two_digits(value: float) -> float:
    """``value`` rounded to two significant digits."""
    return float(f'{value:.2g}')


def unit_weight_config(config_path: str, args: argparse.Namespace) -> Config:
    """The config with its data, teacher and every loss weight set to 1."""
    cfg = Config.fromfile(config_path)
    if cfg.model.get('type') != 'MultiKDDistiller':
        raise ValueError(
            f'{config_path}: model.type is {cfg.model.get("type")!r}, not '
            'a MultiKDDistiller: only distiller configs have distillation '
            'terms to weigh'
        )
    cfg.merge_from_dict(data_root_options(osp.abspath(args.data_root)))
    cfg.model.teacher_ckpt = args.teacher_ckpt
    for loss_cfg in cfg.model.distill_losses.values():
        if loss_cfg is not None:
            loss_cfg.loss_weight = 1.0
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    return cfg


def mean_losses(cfg: Config, args: argparse.Namespace) -> tuple:
    """Each loss term of ``cfg``'s distiller, averaged over the first
    ``args.batches`` training batches, as training would start (seeded
    init, the config's own pipeline, train mode).

    Returns:
        tuple: ``(means, model)``, ``means`` a dict of the ``loss_*``
        terms.
    """
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    set_random_seed(args.seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=args.seed)
    sums: Dict[str, float] = {}
    seen = 0
    with torch.no_grad():
        for batch in loader:
            if seen == args.batches:
                break
            data = model.data_preprocessor(batch, training=True)
            losses = model(**data, mode='loss')
            for name, value in losses.items():
                if name.startswith('loss_'):
                    sums[name] = sums.get(name, 0.0) + float(value)
            seen += 1
    return {name: total / seen for name, total in sums.items()}, model


def measure(config_path: str, args: argparse.Namespace) -> Dict[str, object]:
    """The rule's weight for every distillation term of a config."""
    cfg = unit_weight_config(config_path, args)
    means, model = mean_losses(cfg, args)
    loss_kpt = means.pop('loss_kpt')
    terms = []
    for name, value in means.items():
        kind = KIND_OF_INPUTS[model.distill_inputs[name]]
        multiple = (
            args.feature_multiple
            if kind == 'feature'
            else args.distribution_multiple
        )
        terms.append(
            dict(
                name=name,
                type=cfg.model.distill_losses[name]['type'],
                kind=kind,
                value_at_weight_1=value,
                multiple=multiple,
                weight=two_digits(multiple * loss_kpt / value),
            )
        )
    return dict(
        config=config_path,
        batch_size=cfg.train_dataloader.batch_size,
        loss_kpt=loss_kpt,
        terms=terms,
    )


def markdown(results: List[dict]) -> str:
    lines = [
        '| config | term | kind | L at weight 1 | loss_kpt | multiple | '
        'weight |',
        '|---|---|---|---|---|---|---|',
    ]
    for result in results:
        for term in result['terms']:
            lines.append(
                f"| {osp.basename(result['config'])} | {term['name']} "
                f"({term['type']}) | {term['kind']} | "
                f"{term['value_at_weight_1']:.4g} | "
                f"{result['loss_kpt']:.4g} | {term['multiple']:g} | "
                f"{term['weight']:g} |"
            )
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.teacher_ckpt):
        raise FileNotFoundError(
            f'--teacher-ckpt {args.teacher_ckpt!r} does not exist'
        )
    results = [measure(config, args) for config in args.configs]
    print(markdown(results))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(results=results, args=vars(args)), f, indent=2)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
