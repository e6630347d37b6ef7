# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Seconds per training iteration of a config, data loading included.

A few iterations of the config's own training through MMEngine's Runner
(its dataloader, pipeline, model, optimizer and hooks), no checkpoint, and
optionally one timed validation pass; the cost is read from the run's log
(:func:`~multikd_lab.experiments.logs.iteration_times`). Several
configs can be timed side by side, each in its own process, as a campaign
trains them.
"""

import json
import multiprocessing
import os.path as osp
import time
from typing import Dict, List, Optional

import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from .logs import iteration_times
from .options import load_config
from .side_by_side import redirect_output


def timing_options(batch_size: int, iters: int) -> Dict[str, object]:
    """``cfg_options`` that make a run ``iters`` iterations of one epoch
    (the first ``iters * batch_size`` training samples), log every
    iteration and neither validate nor save a checkpoint."""
    return {
        'train_dataloader.dataset.indices': iters * batch_size,
        'train_cfg.max_epochs': 1,
        'train_cfg.val_begin': 2,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.interval': 10**6,
        'default_hooks.checkpoint.save_last': False,
    }


def time_training(
    config_path: str,
    work_dir: str,
    cfg_options: Optional[dict] = None,
    iters: int = 20,
    skip: int = 5,
    val: bool = False,
) -> Dict[str, object]:
    """Train ``iters`` iterations of a config and time them.

    Args:
        config_path (str): The config.
        work_dir (str): The run's work dir (``timing.json`` lands there).
        cfg_options (dict, optional): Overrides (data root, teacher
            checkpoint, ...), applied before the timing options.
        iters (int): Iterations to run.
        skip (int): First iterations left out of the median (warm-up).
        val (bool): Then run one validation pass (the whole val set, as
            after every epoch) and time it as ``val_s``.

    Returns:
        dict: ``config``, ``iters``, ``threads``, the medians of
        :func:`~multikd_lab.experiments.logs.iteration_times` and
        ``val_s`` (with ``val``).
    """
    cfg = load_config(config_path, work_dir, cfg_options)
    cfg.merge_from_dict(timing_options(cfg.train_dataloader.batch_size, iters))
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    result = {
        'config': config_path,
        'iters': iters,
        'skip': skip,
        'threads': torch.get_num_threads(),
        **iteration_times(work_dir, skip=skip),
    }
    if val:
        start = time.perf_counter()
        runner.val()
        result['val_s'] = time.perf_counter() - start
    with open(osp.join(work_dir, 'timing.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result


def _timing_child(
    config_path: str,
    work_dir: str,
    cfg_options: Optional[dict],
    iters: int,
    skip: int,
    val: bool,
    num_threads: int,
    log_file: str,
) -> None:
    """Body of a :func:`time_side_by_side` process."""
    torch.set_num_threads(num_threads)
    redirect_output(log_file)
    import mmpose_multikd  # noqa: F401  (registers our modules)

    time_training(config_path, work_dir, cfg_options, iters, skip, val)


def time_side_by_side(
    runs: List[dict], iters: int = 20, skip: int = 5, val: bool = False
) -> List[Dict[str, object]]:
    """Time several configs at once, each in its own spawned process.

    Args:
        runs (list[dict]): Each with ``config``, ``work_dir``, ``options``
            and ``threads`` (``torch.set_num_threads`` in its process);
            the process's output goes to ``console.log`` in the work dir.
        iters (int): Iterations of each run.
        skip (int): Warm-up iterations left out of each median.
        val (bool): Time a validation pass after the iterations.

    Returns:
        list[dict]: :func:`time_training`'s result of each run, in order.

    Raises:
        RuntimeError: A run failed (naming its log).
    """
    context = multiprocessing.get_context('spawn')
    processes = []
    for run in runs:
        log_file = osp.join(run['work_dir'], 'console.log')
        process = context.Process(
            target=_timing_child,
            args=(
                run['config'],
                run['work_dir'],
                run['options'],
                iters,
                skip,
                val,
                run['threads'],
                log_file,
            ),
            name=f"timing:{osp.basename(run['config'])}",
        )
        process.start()
        processes.append((process, run, log_file))
    results = []
    for process, run, log_file in processes:
        process.join()
        result_file = osp.join(run['work_dir'], 'timing.json')
        if process.exitcode != 0 or not osp.isfile(result_file):
            raise RuntimeError(
                f'{process.name} failed with exit code {process.exitcode}; '
                f'see {log_file}'
            )
        with open(result_file) as f:
            results.append(json.load(f))
    return results
