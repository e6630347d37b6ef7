# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`make demo`: the whole Multi-KD pipeline on generated MPII-format data.

1. generates the synthetic MPII dataset (once; ``data/synthetic_mpii``);
2. trains the SimDR HRNet teacher (demo form: W18 widths, 64x64, 36
   epochs) once: it is cached (``--teacher-cache``, keyed by its config,
   seed and data) and reused by later runs and by
   ``multikd_lab.tools.run_ablation``;
3. trains the SimDR LiteHRNet-18 student alone (the baseline) and
4. distils the teacher into the same student with Multi-KD, side by side
   in two processes (``--sequential``: one after the other);
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
from mmpose_multikd.data_prep import generate_synthetic_mpii
from multikd_lab.experiments import (
    DEFAULT_CACHE_DIR,
    cached_teacher,
    experiment_options,
    mean_pose_floor,
    run_experiment,
    run_experiments_side_by_side,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO = REPO_ROOT / 'configs' / 'demo'
STAGES = [
    ('teacher: SimDR HRNet-W18', 'simcc_hrnet-w18_demo.py'),
    (
        'student alone: SimDR LiteHRNet-18',
        'simcc_litehrnet18_demo.py',
    ),
    (
        'student with Multi-KD: SimDR LiteHRNet-18',
        'multikd_litehrnet18_demo.py',
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
        '--sequential',
        action='store_true',
        help='train the two students one after the other instead of side '
        'by side (one thread each)',
    )
    parser.add_argument(
        '--teacher-cache',
        default=DEFAULT_CACHE_DIR,
        help='where trained demo teachers are kept',
    )
    parser.add_argument(
        '--retrain-teacher',
        action='store_true',
        help='train the teacher again even if it is cached',
    )
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


def stage_work_dir(args: argparse.Namespace, config: str) -> str:
    """Work directory of one demo stage."""
    return osp.join(args.work_dir, osp.splitext(config)[0])


def train_stages(args: argparse.Namespace, options: dict) -> list:
    """Train and test the teacher, then both students.

    The teacher comes from the cache or trains first in this process
    (its row then says ``cached`` and gives the time it took when it was
    trained). The two students (alone and
    with Multi-KD) are independent given the teacher, so they run side by
    side in two processes with one thread each (sooner on 2 cores than
    one after the other, see ``docs/benchmarks.md``; ``--sequential``
    turns this off).
    The Multi-KD run prints to the console, the other to ``console.log``
    in its work directory.

    Returns:
        list[dict]: A row per stage: its name and :func:`run_experiment`'s
        result.
    """
    (teacher_name, teacher_config), *student_stages = STAGES
    print(f'\n=== {teacher_name} ({teacher_config}) ===')
    teacher = cached_teacher(
        str(DEMO / teacher_config),
        args.data_root,
        options,
        cache_dir=args.teacher_cache,
        retrain=args.retrain_teacher,
    )
    if teacher['cached']:
        teacher_name += ' (cached)'
    rows = [dict(name=teacher_name, **teacher)]
    student_options = {
        config: dict(options, **{'model.teacher_ckpt': teacher['checkpoint']})
        if 'multikd' in config
        else dict(options)
        for _, config in student_stages
    }
    if args.sequential:
        for name, config in student_stages:
            print(f'\n=== {name} ({config}) ===')
            result = run_experiment(
                str(DEMO / config),
                stage_work_dir(args, config),
                student_options[config],
            )
            rows.append(dict(name=name, **result))
        return rows

    runs = []
    for name, config in student_stages:
        work_dir = stage_work_dir(args, config)
        log_file = (
            None if 'multikd' in config else osp.join(work_dir, 'console.log')
        )
        where = 'below' if log_file is None else f'log: {log_file}'
        print(f'\n=== {name} ({config}), side by side ({where}) ===')
        runs.append(
            dict(
                name=name,
                config=str(DEMO / config),
                work_dir=work_dir,
                options=student_options[config],
                log_file=log_file,
            )
        )
    run_experiments_side_by_side(runs, jobs=len(runs))
    rows.extend(dict(name=run['name'], **run['result']) for run in runs)
    return rows


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

    rows = train_stages(args, options)
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
