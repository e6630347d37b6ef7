# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Where a demo training iteration goes: the Runner against the network.

    python -m multikd_lab.tools.profile_demo_iteration \\
        configs/demo/multikd_litehrnet18_demo.py --teacher-ckpt TEACHER.pth \\
        --out work_dirs/profile/multikd.json

Trains one epoch of the config with MMEngine's real Runner (no validation,
logging every iteration) and reads each iteration's ``time`` and
``data_time`` from its ``scalars.json``; then times ``model.train_step``
(preprocessing, forward, backward, optimizer step) on one fixed batch of
the same loader, with nothing else around it. The difference is what the
Runner adds: waiting for data (``data_time``), hooks and logging. Medians
over the iterations after the first ``--skip``. Run it with nothing else
on the machine.
"""

import argparse
import json
import os
import os.path as osp
import statistics
import tempfile
import time

import torch
from mmengine.config import DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from multikd_lab.experiments import experiment_options, load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--teacher-ckpt', default=None)
    parser.add_argument('--data-root', default='data/synthetic_mpii')
    parser.add_argument('--skip', type=int, default=3)
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--out', default=None)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override settings of the config, e.g. '
        'train_dataloader.num_workers=0 '
        'train_dataloader.persistent_workers=False',
    )
    return parser.parse_args()


def runner_for(args: argparse.Namespace, work_dir: str) -> Runner:
    options = experiment_options(args.data_root, seed=0, epochs=1)
    options.update(
        {
            'train_cfg.val_begin': 1000,  # no validation
            'default_hooks.logger.interval': 1,
            'default_hooks.checkpoint.interval': 1000,
            'default_hooks.checkpoint.save_last': False,
        }
    )
    if args.teacher_ckpt:
        options['model.teacher_ckpt'] = args.teacher_ckpt
    options.update(args.cfg_options)
    cfg = load_config(args.config, work_dir, options)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    return Runner.from_cfg(cfg)


def runner_iterations(runner: Runner, skip: int) -> dict:
    """Median ``time`` and ``data_time`` of the Runner's iterations."""
    runner.train()
    scalars = next(
        osp.join(folder, name)
        for folder, _, names in os.walk(runner.work_dir)
        for name in names
        if name == 'scalars.json'
    )
    with open(scalars) as f:
        logged = [json.loads(line) for line in f]
    steps = [entry for entry in logged if 'data_time' in entry][skip:]
    return dict(
        iterations=len(steps),
        iteration_s=statistics.median(e['time'] for e in steps),
        data_time_s=statistics.median(e['data_time'] for e in steps),
    )


def bare_train_step(runner: Runner, repeats: int) -> float:
    """Median seconds of ``train_step`` on one fixed batch."""
    batch = next(iter(runner.train_dataloader))
    model, optim_wrapper = runner.model, runner.optim_wrapper
    model.train()
    seconds = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        model.train_step(batch, optim_wrapper)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds[1:])


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as work_dir:
        runner = runner_for(args, work_dir)
        result = runner_iterations(runner, args.skip)
        result['train_step_s'] = bare_train_step(runner, args.repeats)
    result['runner_overhead_s'] = (
        result['iteration_s'] - result['train_step_s']
    )
    result['runner_overhead'] = (
        result['runner_overhead_s'] / result['iteration_s']
    )
    result.update(
        config=args.config,
        threads=torch.get_num_threads(),
        batch_size=runner.cfg.train_dataloader.batch_size,
        num_workers=runner.cfg.train_dataloader.num_workers,
        cfg_options=args.cfg_options,
    )
    print(
        f"{osp.basename(args.config)}: Runner iteration "
        f"{result['iteration_s']:.3f} s (data wait "
        f"{result['data_time_s']:.3f} s), bare train_step "
        f"{result['train_step_s']:.3f} s: the Runner adds "
        f"{result['runner_overhead_s']:.3f} s "
        f"({100 * result['runner_overhead']:.0f} %), "
        f"{result['threads']} threads, batch {result['batch_size']}, "
        f"{result['num_workers']} loader workers"
    )
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
