# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Training throughput of tools/dist_train.sh with 1, 2, ... ranks.

Each setting is a real ``tools/dist_train.sh`` run of a distiller config on
generated MPII-format data (a random teacher checkpoint, no validation, no
checkpoint), ``--iters`` measured iterations per rank after ``--warmup``
ones. Throughput is read from MMEngine's per-iteration ``time:`` (logged
every iteration with ``log_processor.window_size=1``)::

    images/s = ranks * batch_size / mean(iteration time after warm-up)

On a CPU-only machine the ranks use gloo (see tools/dist_train.sh) and
``--threads`` intra-op threads each. Example::

    python -m multikd_lab.tools.benchmark_ddp --ranks 1 2 --iters 4 \\
        --batch-size 2 --image-size 64 \\
        --out work_dirs/benchmark_ddp/result.json
"""

import argparse
import json
import os
import os.path as osp
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST_TRAIN = REPO_ROOT / 'tools' / 'dist_train.sh'
DEFAULT_CONFIG = str(
    REPO_ROOT / 'configs' / 'demo' / 'multikd_litehrnet18_demo.py'
)
# `time: 0.123` of an Epoch(train) log line (not `data_time:`).
ITER_TIME = re.compile(r'Epoch\(train\).*?(?<![\w])time: ([\d.]+)')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--ranks', type=int, nargs='+', default=[1, 2])
    parser.add_argument(
        '--iters', type=int, default=4, help='measured iterations per rank'
    )
    parser.add_argument(
        '--warmup', type=int, default=1, help='iterations not measured'
    )
    parser.add_argument(
        '--batch-size', type=int, default=2, help='images per rank and step'
    )
    parser.add_argument(
        '--image-size',
        type=int,
        default=64,
        help='side of the generated images (the model input size is the '
        "config's)",
    )
    parser.add_argument(
        '--threads', type=int, default=1, help='OMP_NUM_THREADS per rank'
    )
    parser.add_argument('--work-dir', default='work_dirs/benchmark_ddp')
    parser.add_argument('--out', default=None, help='write the JSON here')
    parser.add_argument('--python', default=sys.executable)
    return parser.parse_args(argv)


def free_port() -> int:
    """A TCP port nobody listens on now (for torchrun's rendezvous)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def iteration_times(log: str) -> List[float]:
    """Per-iteration ``time`` of every ``Epoch(train)`` line of a log.

    Args:
        log (str): MMEngine's training log (``window_size=1``).

    Returns:
        list[float]: Seconds per iteration, in order.
    """
    return [float(t) for t in ITER_TIME.findall(log)]


def images_per_second(
    times: Sequence[float], ranks: int, batch_size: int, warmup: int = 1
) -> float:
    """Images per second over the iterations after ``warmup``.

    Args:
        times (Sequence[float]): Seconds per iteration (rank 0's).
        ranks (int): Processes, each with its own batch.
        batch_size (int): Images per rank and iteration.
        warmup (int): Leading iterations left out.

    Returns:
        float: Throughput of all ranks together.
    """
    measured = list(times)[warmup:]
    if not measured:
        raise ValueError(
            f'no iteration after the {warmup} warm-up ones: {times}'
        )
    return ranks * batch_size / statistics.mean(measured)


def prepare(args: argparse.Namespace) -> Dict[str, str]:
    """Generate the data and a random teacher checkpoint (once).

    Args:
        args (argparse.Namespace): The parsed arguments.

    Returns:
        dict: ``data_root`` and ``teacher_ckpt``.
    """
    import torch
    from mmengine.config import Config
    from mmpose.registry import MODELS

    from mmpose_multikd.data_prep import generate_synthetic_mpii
    from mmpose_multikd.models.utils import load_model_config

    per_rank = (args.iters + args.warmup) * args.batch_size
    data_root = osp.join(args.work_dir, 'data')
    generate_synthetic_mpii(
        data_root, per_rank * max(args.ranks), 1, args.image_size, seed=0
    )
    teacher_cfg = load_model_config(Config.fromfile(args.config).model.teacher)
    torch.manual_seed(0)
    teacher = MODELS.build(teacher_cfg)
    teacher_ckpt = osp.join(args.work_dir, 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)
    return dict(data_root=data_root, teacher_ckpt=teacher_ckpt)


def train_options(
    prepared: Dict[str, str], ranks: int, batch_size: int, iters: int
) -> List[str]:
    """``--cfg-options``: ``iters`` iterations per rank, one epoch, no
    validation or checkpoint, every iteration's time logged.

    Args:
        prepared (dict): ``data_root`` and ``teacher_ckpt``.
        ranks (int): Number of processes.
        batch_size (int): Images per rank and iteration.
        iters (int): Iterations per rank (warm-up included).

    Returns:
        list[str]: ``key=value`` options.
    """
    from mmpose_multikd.data_prep import data_root_options

    options = dict(data_root_options(prepared['data_root']))
    options.update(
        {
            'model.teacher_ckpt': prepared['teacher_ckpt'],
            'train_dataloader.batch_size': batch_size,
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'train_dataloader.dataset.indices': ranks * batch_size * iters,
            'train_cfg.max_epochs': 1,
            'train_cfg.val_begin': 1000,
            'default_hooks.logger.interval': 1,
            'default_hooks.checkpoint.interval': 1000,
            'default_hooks.checkpoint.save_last': False,
            'log_processor.window_size': 1,
            'randomness.seed': 0,
        }
    )
    return [f'{key}={value}' for key, value in options.items()]


def run_dist_train(
    config: str,
    ranks: int,
    work_dir: str,
    options: Sequence[str],
    python: str = sys.executable,
    threads: int = 1,
    timeout: float = 900,
) -> subprocess.CompletedProcess:
    """Run ``tools/dist_train.sh CONFIG RANKS`` and capture its output.

    Args:
        config (str): The config path.
        ranks (int): Number of processes.
        work_dir (str): ``--work-dir``.
        options (Sequence[str]): ``--cfg-options`` items.
        python (str): The interpreter (``PYTHON`` of dist_train.sh).
        threads (int): ``OMP_NUM_THREADS`` of each rank.
        timeout (float): Seconds before the run is killed.

    Returns:
        subprocess.CompletedProcess: With text ``stdout`` (stderr merged).
    """
    env = dict(os.environ, PYTHON=python, PORT=str(free_port()))
    env['OMP_NUM_THREADS'] = str(threads)
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    command = ['bash', str(DIST_TRAIN), config, str(ranks)]
    command += ['--work-dir', work_dir, '--cfg-options', *options]
    return subprocess.run(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


def benchmark(args: argparse.Namespace, prepared: Dict[str, str]) -> list:
    """One training run per rank count.

    Args:
        args (argparse.Namespace): The parsed arguments.
        prepared (dict): ``data_root`` and ``teacher_ckpt``.

    Returns:
        list[dict]: Per setting, its measurements.
    """
    results = []
    for ranks in args.ranks:
        iters = args.iters + args.warmup
        options = train_options(prepared, ranks, args.batch_size, iters)
        work_dir = osp.join(args.work_dir, f'ranks{ranks}')
        start = time.perf_counter()
        run = run_dist_train(
            args.config, ranks, work_dir, options, args.python, args.threads
        )
        wall = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(f'{ranks} rank(s) failed:\n{run.stdout[-4000:]}')
        times = iteration_times(run.stdout)
        results.append(
            dict(
                ranks=ranks,
                batch_size_per_rank=args.batch_size,
                iterations=len(times),
                warmup=args.warmup,
                iter_time_s=statistics.mean(times[args.warmup :]),
                images_per_s=images_per_second(
                    times, ranks, args.batch_size, args.warmup
                ),
                wall_s=wall,
            )
        )
    return results


def main(argv: Optional[Sequence[str]] = None) -> dict:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    prepared = prepare(args)
    report = dict(
        config=args.config,
        image_size=args.image_size,
        threads_per_rank=args.threads,
        settings=benchmark(args, prepared),
    )
    for setting in report['settings']:
        print(
            f"{setting['ranks']} rank(s): {setting['images_per_s']:.2f} "
            f"images/s ({setting['iter_time_s']:.3f} s/iteration, "
            f"{setting['wall_s']:.0f} s wall)"
        )
    print(json.dumps(report, indent=2))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=2)
    return report


if __name__ == '__main__':
    main()
