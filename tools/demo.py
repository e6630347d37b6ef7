# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`make demo`: the whole Multi-KD pipeline on generated MPII-format data.

1. generates the synthetic MPII dataset (once; ``data/synthetic_mpii``);
2. trains the SimDR HRNet teacher (demo form: W18 widths, 64x64);
3. trains the SimDR LiteHRNet-18 student alone (the baseline);
4. distils the teacher into the same student with Multi-KD;
5. tests each with MMPose's ``MpiiPCKAccuracy`` and prints one table
   (PCKh@0.5, PCKh@0.1, params, train time), written to
   ``work_dirs/demo/results.{md,json}``, with the mean-pose floor.

Every step is MMEngine's real Runner on the configs in ``configs/demo/``,
which inherit from the real MPII configs.
"""

import argparse
import json
import os
import os.path as osp
import time
from pathlib import Path

import mmcv
import mmengine
import mmpose
import torch

import mmpose_multikd
from mmpose_multikd.apis import (
    experiment_options,
    mean_pose_floor,
    run_experiment,
)
from mmpose_multikd.datasets import generate_synthetic_mpii

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO = REPO_ROOT / 'configs' / 'demo'
STAGES = [
    ('teacher: SimDR HRNet-W18', 'simcc_hrnet-w18_demo_synthetic-64x64.py'),
    (
        'student alone: SimDR LiteHRNet-18',
        'simcc_litehrnet-18_demo_synthetic-64x64.py',
    ),
    (
        'student with Multi-KD: SimDR LiteHRNet-18',
        'multikd_litehrnet18_demo_synthetic-64x64.py',
    ),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default='data/synthetic_mpii')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--num-train', type=int, default=800)
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--image-size', type=int, default=128)
    parser.add_argument(
        '--epochs', type=int, default=None, help='default: the configs'
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--tiny',
        action='store_true',
        help='a few images and one epoch: proves the pipeline runs (CI)',
    )
    return parser.parse_args()


def ensure_data(args: argparse.Namespace) -> None:
    """Generate the dataset unless its annotations already exist."""
    ann = osp.join(args.data_root, 'annotations', 'mpii_gt_val.mat')
    if osp.isfile(ann):
        print(f'Using the generated data at {args.data_root}')
        return
    start = time.perf_counter()
    generate_synthetic_mpii(
        args.data_root,
        num_train=args.num_train,
        num_val=args.num_val,
        image_size=args.image_size,
        seed=args.seed,
    )
    print(
        f'Generated {args.num_train} + {args.num_val} images in '
        f'{time.perf_counter() - start:.0f} s at {args.data_root}'
    )


def format_table(rows: list, floor: dict) -> str:
    lines = [
        '| model | PCKh@0.5 | PCKh@0.1 | params (M) | train time (s) |',
        '|---|---|---|---|---|',
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['PCKh']:.2f} | "
            f"{row['PCKh@0.1']:.2f} | {row['params_m']:.2f} | "
            f"{row['train_s']:.0f} |"
        )
    lines.append(
        f"| floor: mean pose | {floor['PCKh']:.2f} | "
        f"{floor['PCKh@0.1']:.2f} | - | - |"
    )
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    if args.tiny:
        args.num_train, args.num_val, args.image_size = 8, 4, 128
        args.epochs = 1
    print(
        f'torch {torch.__version__} | mmengine {mmengine.__version__} | '
        f'mmcv {mmcv.__version__} | mmpose {mmpose.__version__} | '
        f'mmpose_multikd {mmpose_multikd.__version__}'
    )
    ensure_data(args)
    options = experiment_options(
        args.data_root, args.seed, epochs=args.epochs, tiny=args.tiny
    )
    os.makedirs(args.work_dir, exist_ok=True)

    rows, teacher_ckpt = [], None
    for name, config in STAGES:
        stage_options_ = dict(options)
        if 'multikd' in config:
            stage_options_['model.teacher_ckpt'] = teacher_ckpt
        work_dir = osp.join(args.work_dir, osp.splitext(config)[0])
        print(f'\n=== {name} ({config}) ===')
        result = run_experiment(str(DEMO / config), work_dir, stage_options_)
        if teacher_ckpt is None:
            teacher_ckpt = result['checkpoint']
        rows.append(dict(name=name, **result))

    floor = mean_pose_floor(
        str(DEMO / STAGES[1][1]),
        {k: v for k, v in options.items() if 'dataset' in k},
    )
    table = format_table(rows, floor)
    print('\n' + table)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(
            f'Demo on generated data ({args.num_train} train / '
            f'{args.num_val} val images, seed {args.seed}):\n\n'
            f'{table}\n'
        )
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(rows=rows, floor=floor, args=vars(args)), f, indent=2)
    print(f'\nwrote {args.work_dir}/results.md and results.json')


if __name__ == '__main__':
    main()
