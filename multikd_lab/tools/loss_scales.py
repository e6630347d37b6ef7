# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Distillation loss weights by one rule: each term a fixed multiple of
``loss_kpt`` at the start of training.

    python -m multikd_lab.tools.loss_scales \\
        configs/demo/multikd_litehrnet18_demo.py configs/demo/baselines/*.py \\
        --teacher-ckpt TEACHER.pth \\
        --out work_dirs/loss_scales.json

For every distiller config: build it as training would (MMEngine's seed,
``init_weights``, the teacher from ``--teacher-ckpt``), set every
distillation loss's ``loss_weight`` to 1, run ``model.loss`` on the first
``--batches`` training batches of the config's own dataloader (MMPose's
pipeline) and average each term. A term that reads stage features
(one that takes ``student_stage_feats``) gets the weight that makes it start
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

from multikd_lab.experiments.loss_scales import (
    LossScaleRule,
    markdown,
    measure,
)


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


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.teacher_ckpt):
        raise FileNotFoundError(
            f'--teacher-ckpt {args.teacher_ckpt!r} does not exist'
        )
    rule = LossScaleRule(
        teacher_ckpt=args.teacher_ckpt,
        data_root=args.data_root,
        batches=args.batches,
        seed=args.seed,
        feature_multiple=args.feature_multiple,
        distribution_multiple=args.distribution_multiple,
    )
    results = [measure(config, rule) for config in args.configs]
    print(markdown(results))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(results=results, args=vars(args)), f, indent=2)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
