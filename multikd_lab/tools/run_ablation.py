# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Run configs over several seeds and tabulate PCKh as mean ± std.

    python -m multikd_lab.tools.run_ablation --seeds 0 1 2 --jobs 2

Default configs: the six ablation rows of LiteHRNet-18 in demo form
(``configs/demo/ablation/``). Other distillers plug in by listing their
configs (e.g. ``configs/demo/baselines/*.py``). Distiller configs get
``model.teacher_ckpt``: ``--teacher-ckpt`` if given, else the cached demo
teacher of the distiller's own ``model.teacher`` config (trained once, seed
``--teacher-seed``, on the same data; see
``multikd_lab.experiments.cached_teacher``). Plain student configs run as
they are. Each run is MMEngine's real Runner (train, then test with
``MpiiPCKAccuracy``).
"""

import argparse
import json
import os
import os.path as osp
import statistics
from pathlib import Path
from typing import List, Optional

from mmengine.config import Config

from multikd_lab.experiments import (
    DEFAULT_CACHE_DIR,
    cached_teacher,
    data_root_options,
    experiment_options,
    finished_run,
    mean_pose_floor,
    run_experiment,
    run_experiments_side_by_side,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIGS = sorted(
    str(p) for p in (REPO_ROOT / 'configs' / 'demo' / 'ablation').glob('*.py')
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='*', default=DEFAULT_CONFIGS)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--teacher-ckpt',
        default=None,
        help='one teacher checkpoint for every distiller config (default: '
        "the cached teacher of each config's model.teacher)",
    )
    parser.add_argument('--teacher-seed', type=int, default=0)
    parser.add_argument(
        '--retrain-teacher',
        action='store_true',
        help='train the cached teachers again',
    )
    parser.add_argument(
        '--teacher-cache',
        default=DEFAULT_CACHE_DIR,
        help='where trained demo teachers are kept',
    )
    parser.add_argument('--data-root', default='data/synthetic_mpii')
    parser.add_argument('--work-dir', default='work_dirs/ablation')
    parser.add_argument('--epochs', type=int, default=None)
    parser.add_argument(
        '--tiny', action='store_true', help='batches of 4, no workers (CI)'
    )
    parser.add_argument(
        '--jobs',
        type=int,
        default=1,
        help='runs trained side by side, each in its own process with '
        'max(1, cpus // jobs) threads (2 suits a 2-core machine: '
        'LiteHRNet hardly uses a second thread)',
    )
    parser.add_argument(
        '--rerun',
        action='store_true',
        help='train again even where a run already wrote result.json',
    )
    return parser.parse_args()


def teacher_config(config_path: str) -> Optional[str]:
    """The teacher config path of a distiller config, None otherwise.

    Raises:
        ValueError: A distiller whose ``model.teacher`` is not a config path
            (an inline dict) and no ``--teacher-ckpt``.
    """
    model = Config.fromfile(config_path).model
    if model.type != 'MultiKDDistiller':
        return None
    if not isinstance(model.teacher, str):
        raise ValueError(
            f'{config_path}: model.teacher is not a config path, so no '
            'cached teacher can be trained for it: pass --teacher-ckpt'
        )
    return model.teacher


def teacher_runs(args: argparse.Namespace, teacher_configs: List[str]) -> dict:
    """Teacher config -> ``checkpoint`` (and ``PCKh`` when known):
    ``--teacher-ckpt`` or the cache."""
    if args.teacher_ckpt is not None:
        if not osp.isfile(args.teacher_ckpt):
            raise FileNotFoundError(
                f'--teacher-ckpt {args.teacher_ckpt!r} does not exist'
            )
        return {
            config: dict(checkpoint=args.teacher_ckpt, PCKh=None)
            for config in teacher_configs
        }
    checkpoints = {}
    for config in dict.fromkeys(teacher_configs):
        print(f'teacher for the distillers: {config}')
        teacher = cached_teacher(
            config,
            args.data_root,
            experiment_options(
                args.data_root,
                args.teacher_seed,
                epochs=1 if args.tiny else None,
                tiny=args.tiny,
            ),
            cache_dir=args.teacher_cache,
            retrain=args.retrain_teacher,
        )
        checkpoints[config] = dict(
            checkpoint=teacher['checkpoint'], PCKh=teacher['PCKh']
        )
    return checkpoints


def mean_std(values: list) -> str:
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f'{statistics.mean(values):.2f} ± {std:.2f}'


def summarise(config_path: str, runs: list) -> dict:
    pckh = [run['PCKh'] for run in runs]
    pckh01 = [run['PCKh@0.1'] for run in runs]
    return dict(
        config=osp.relpath(config_path, REPO_ROOT),
        name=osp.splitext(osp.basename(config_path))[0],
        seeds=[run['seed'] for run in runs],
        PCKh=pckh,
        PCKh_mean=statistics.mean(pckh),
        PCKh_std=statistics.stdev(pckh) if len(pckh) > 1 else 0.0,
        table_row=(
            f'| {osp.splitext(osp.basename(config_path))[0]} | '
            f'{mean_std(pckh)} | {mean_std(pckh01)} | '
            f"{', '.join(f'{v:.2f}' for v in pckh)} |"
        ),
    )


def plan_runs(args: argparse.Namespace, teachers: dict) -> List[dict]:
    """One entry per (config, seed): its work dir, options and any result.

    Args:
        args (argparse.Namespace): The command line.
        teachers (dict): Teacher config -> ``checkpoint`` (see
            :func:`teacher_runs`), given to the distiller configs.
    """
    runs = []
    for config_path in args.configs:
        name = osp.splitext(osp.basename(config_path))[0]
        teacher = teacher_config(config_path)
        for seed in args.seeds:
            options = experiment_options(
                args.data_root, seed, epochs=args.epochs, tiny=args.tiny
            )
            if teacher:
                options['model.teacher_ckpt'] = teachers[teacher]['checkpoint']
            work_dir = osp.join(args.work_dir, name, f'seed{seed}')
            result = (
                None if args.rerun else finished_run(work_dir, config_path)
            )
            if result is not None:
                print(f'reusing the finished run in {work_dir}')
            runs.append(
                dict(
                    config=config_path,
                    seed=seed,
                    work_dir=work_dir,
                    options=options,
                    result=result,
                )
            )
    return runs


def train_pending(runs: List[dict], jobs: int) -> None:
    """Train the runs without a result, ``jobs`` at a time.

    With ``jobs > 1`` each run is its own process
    (:func:`start_experiment_process`) logging to ``console.log`` in its
    work dir; a new one starts as soon as one ends.
    """
    pending = [run for run in runs if run['result'] is None]
    if jobs <= 1:
        for run in pending:
            run['result'] = run_experiment(
                run['config'], run['work_dir'], run['options']
            )
        return
    for run in pending:
        run['log_file'] = osp.join(run['work_dir'], 'console.log')
        print(f"queued {run['work_dir']} (log: {run['log_file']})")
    run_experiments_side_by_side(pending, jobs)


def main() -> None:
    args = parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    teacher_configs = [
        teacher_config(path) for path in args.configs if teacher_config(path)
    ]
    teachers = teacher_runs(args, teacher_configs)
    runs = plan_runs(args, teachers)
    train_pending(runs, args.jobs)
    floor = mean_pose_floor(
        args.configs[0], data_root_options(osp.abspath(args.data_root))
    )
    summaries = [
        summarise(
            config_path,
            [
                dict(seed=run['seed'], **run['result'])
                for run in runs
                if run['config'] == config_path
            ],
        )
        for config_path in args.configs
    ]

    table = '\n'.join(
        [
            '| config | PCKh@0.5 (mean ± std) | PCKh@0.1 (mean ± std) | '
            'PCKh@0.5 per seed |',
            '|---|---|---|---|',
            *[summary['table_row'] for summary in summaries],
        ]
    )
    print(f'\nseeds {args.seeds}\n\n{table}')
    with open(osp.join(args.work_dir, 'ablation.md'), 'w') as f:
        f.write(f'Seeds {args.seeds}\n\n{table}\n')
    with open(osp.join(args.work_dir, 'ablation.json'), 'w') as f:
        json.dump(
            dict(
                summaries=summaries,
                teachers=teachers,
                floor=floor,
                args=vars(args),
            ),
            f,
            indent=2,
        )
    print(f'\nwrote {args.work_dir}/ablation.md and ablation.json')


if __name__ == '__main__':
    main()
