# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Train-then-test one config with MMEngine's Runner and report numbers.

Used by ``tools/demo.py`` and ``tools/run_ablation.py``. Everything runs
through MMEngine's real ``Runner`` (the same code path as ``mim train`` /
``mim test``); this module only times it and collects the metrics.
"""

import json
import multiprocessing
import multiprocessing.connection
import os
import os.path as osp
import sys
import time
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner


def data_root_options(data_root: str) -> Dict[str, str]:
    """``cfg_options`` that point an MPII config at ``data_root``.

    Args:
        data_root (str): A folder with ``images/`` and ``annotations/``
            (``mpii_train.json``, ``mpii_val.json``, ``mpii_gt_val.mat``).

    Returns:
        dict: The train, val and test dataloaders' data roots and head-box
        files.
    """
    data_root = data_root.rstrip('/') + '/'
    headbox_file = f'{data_root}annotations/mpii_gt_val.mat'
    options = {'train_dataloader.dataset.data_root': data_root}
    for loader in ('val_dataloader', 'test_dataloader'):
        options[f'{loader}.dataset.data_root'] = data_root
        options[f'{loader}.dataset.headbox_file'] = headbox_file
    return options


def experiment_options(
    data_root: str, seed: int, epochs: Optional[int] = None, tiny: bool = False
) -> Dict[str, object]:
    """``cfg_options`` for a demo or ablation run.

    Args:
        data_root (str): The (generated) MPII-format data.
        seed (int): ``randomness.seed``.
        epochs (int, optional): Overrides the schedule's length; validation
            and checkpoint at its end.
        tiny (bool): Batches of 4 without worker processes (CI).

    Returns:
        dict: The options.
    """
    options = {
        'randomness.seed': seed,
        **data_root_options(osp.abspath(data_root)),
    }
    if epochs is not None:
        options.update(
            {
                'train_cfg.max_epochs': epochs,
                'train_cfg.val_interval': epochs,
                'default_hooks.checkpoint.interval': epochs,
            }
        )
    if tiny:
        for loader in (
            'train_dataloader',
            'val_dataloader',
            'test_dataloader',
        ):
            options.update(
                {
                    f'{loader}.batch_size': 4,
                    f'{loader}.num_workers': 0,
                    f'{loader}.persistent_workers': False,
                }
            )
    return options


def load_config(
    config_path: str, work_dir: str, cfg_options: Optional[dict] = None
) -> Config:
    """Load a config, apply ``cfg_options`` and set ``work_dir``."""
    cfg = Config.fromfile(config_path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir
    if cfg.get('visualizer') is not None:
        # MMEngine reuses a visualizer of the same name across Runners of
        # one process (MMPose names it 'visualizer'): give each run its own
        # so that its logs land in its own work_dir.
        cfg.visualizer.name = f'visualizer:{osp.abspath(work_dir)}'
    return cfg


def count_student_params(model) -> int:
    """Parameters of the deployed model (the student of a distiller)."""
    model = getattr(model, 'module', model)
    deployed = getattr(model, 'student', model)
    return sum(p.numel() for p in deployed.parameters())


def run_experiment(
    config_path: str, work_dir: str, cfg_options: Optional[dict] = None
) -> Dict[str, float]:
    """Train a config, then test the final weights.

    Args:
        config_path (str): An MMPose config (model, data, schedule).
        work_dir (str): Where MMEngine writes logs and checkpoints.
        cfg_options (dict, optional): Overrides, as ``--cfg-options``.

    Returns:
        dict: ``PCKh`` (PCKh@0.5), ``PCKh@0.1``, ``params_m``,
        ``train_s`` and ``checkpoint`` (the last checkpoint's path).
    """
    cfg = load_config(config_path, work_dir, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_s = time.perf_counter() - start
    metrics = runner.test()
    result = {
        'config': config_path,
        'PCKh': float(metrics['PCK']),
        'PCKh@0.1': float(metrics['PCK@0.1']),
        'params_m': count_student_params(runner.model) / 1e6,
        'train_s': train_s,
        'checkpoint': osp.join(work_dir, f'epoch_{runner.max_epochs}.pth'),
    }
    with open(osp.join(work_dir, 'result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result


def _experiment_child(
    config_path: str,
    work_dir: str,
    cfg_options: Optional[dict],
    num_threads: int,
    log_file: Optional[str],
) -> None:
    """Body of :func:`start_experiment_process` (a spawned process)."""
    torch.set_num_threads(num_threads)
    if log_file is not None:
        os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
        log = open(log_file, 'w', buffering=1)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    import mmpose_multikd  # noqa: F401  (registers our modules)

    run_experiment(config_path, work_dir, cfg_options)


def start_experiment_process(
    config_path: str,
    work_dir: str,
    cfg_options: Optional[dict] = None,
    num_threads: int = 1,
    log_file: Optional[str] = None,
) -> multiprocessing.Process:
    """Start :func:`run_experiment` in a fresh (spawned) process.

    On a small CPU two light runs side by side, one thread each, finish
    sooner than one after the other with all threads each: LiteHRNet's
    many small operators hardly use a second thread (on the 2-core demo
    machine a LiteHRNet-18 step takes 1.10 s with one thread beside a
    second run and 1.10 s with two threads alone).

    Args:
        config_path (str): The config to train and test.
        work_dir (str): Its work directory (``result.json`` lands there).
        cfg_options (dict, optional): Overrides, as ``--cfg-options``.
        num_threads (int): ``torch.set_num_threads`` in the process.
        log_file (str, optional): Where the process's stdout and stderr go
            (MMEngine's own log file is written to ``work_dir`` either
            way). Default: the parent's console.

    Returns:
        multiprocessing.Process: The started process; pass it to
        :func:`finish_experiment_process`.
    """
    stale_result = osp.join(work_dir, 'result.json')
    if osp.isfile(stale_result):
        # A failed run must not be read as finished by its old result.
        os.remove(stale_result)
    process = multiprocessing.get_context('spawn').Process(
        target=_experiment_child,
        args=(config_path, work_dir, cfg_options, num_threads, log_file),
        name=f'experiment:{osp.basename(config_path)}',
    )
    process.start()
    return process


def finish_experiment_process(
    process: multiprocessing.Process,
    work_dir: str,
    log_file: Optional[str] = None,
) -> Dict[str, float]:
    """Wait for a run started by :func:`start_experiment_process`.

    Returns:
        dict: The run's ``result.json`` (see :func:`run_experiment`).

    Raises:
        RuntimeError: The process failed; the message names the run, its
            exit code and where its log is.
    """
    process.join()
    result_file = osp.join(work_dir, 'result.json')
    if process.exitcode != 0 or not osp.isfile(result_file):
        where = log_file or 'the console output above'
        raise RuntimeError(
            f'{process.name} failed with exit code {process.exitcode} '
            f'(work_dir {work_dir}); see {where}'
        )
    with open(result_file) as f:
        return json.load(f)


def run_experiments_side_by_side(runs: list, jobs: int) -> None:
    """Train ``runs`` in spawned processes, ``jobs`` at a time.

    Each run is a dict with ``config``, ``work_dir``, ``options`` and
    ``log_file`` (``None``: the console); its ``result`` key is set from
    :func:`finish_experiment_process`. A new run starts as soon as one
    ends; every process gets ``max(1, cpus // jobs)`` threads. A line is
    printed when a run starts and when it ends (with its PCKh@0.5), so a
    long queue shows its progress.
    """
    threads = max(1, (os.cpu_count() or 1) // jobs)
    pending, running = list(runs), {}
    while pending or running:
        while pending and len(running) < jobs:
            run = pending.pop(0)
            process = start_experiment_process(
                run['config'],
                run['work_dir'],
                run['options'],
                num_threads=threads,
                log_file=run['log_file'],
            )
            running[process.sentinel] = (process, run)
            print(f"started {run['work_dir']}", flush=True)
        for sentinel in multiprocessing.connection.wait(list(running)):
            process, run = running.pop(sentinel)
            run['result'] = finish_experiment_process(
                process, run['work_dir'], run['log_file']
            )
            print(
                f"finished {run['work_dir']}: PCKh@0.5 "
                f"{run['result']['PCKh']:.2f}, {len(pending)} queued, "
                f'{len(running)} running',
                flush=True,
            )


def mean_pose_floor(
    config_path: str, cfg_options: Optional[dict] = None
) -> Dict[str, float]:
    """PCKh of always predicting the training set's mean pose.

    The mean pose is each joint's mean offset from the person box centre in
    units of the box scale, over visible training joints; it is placed in
    every validation box and scored with MMPose's ``MpiiPCKAccuracy``. This
    is the floor a model must beat to show it learned anything.

    Returns:
        dict: ``PCKh`` and ``PCKh@0.1`` of the mean pose.
    """
    from mmpose.evaluation import MpiiPCKAccuracy
    from mmpose.registry import DATASETS

    cfg = load_config(config_path, '', cfg_options)
    init_default_scope('mmpose')

    def load(dataset_cfg):
        dataset_cfg = dataset_cfg.copy()
        dataset_cfg.pipeline = []
        return DATASETS.build(dataset_cfg)

    train_set = load(cfg.train_dataloader.dataset)
    offsets, weights = [], []
    for idx in range(len(train_set)):
        info = train_set.get_data_info(idx)
        offsets.append(
            (info['keypoints'][0] - info['bbox_center'][0])
            / info['bbox_scale'][0]
        )
        weights.append(info['keypoints_visible'][0][:, None])
    offsets, weights = np.stack(offsets), np.stack(weights)
    mean_offset = (offsets * weights).sum(0) / np.maximum(weights.sum(0), 1)

    val_set = load(cfg.val_dataloader.dataset)
    metric = MpiiPCKAccuracy()
    samples = []
    for idx in range(len(val_set)):
        info = val_set.get_data_info(idx)
        pred = info['bbox_center'][0] + mean_offset * info['bbox_scale'][0]
        samples.append(
            dict(
                pred_instances=dict(keypoints=pred[None]),
                gt_instances=dict(
                    keypoints=info['keypoints'],
                    keypoints_visible=info['keypoints_visible'],
                    head_size=info['head_size'],
                ),
            )
        )
    metric.process([], samples)
    metrics = metric.evaluate(len(samples))
    return {
        'PCKh': float(metrics['PCK']),
        'PCKh@0.1': float(metrics['PCK@0.1']),
    }
