# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Train-then-test one config with MMEngine's Runner; the mean-pose floor.

Used by ``multikd_lab.tools.demo`` and ``multikd_lab.tools.run_ablation``.
Everything runs through MMEngine's real ``Runner`` (the same code path as ``mim
train`` / ``mim test``); this module only times it, collects the metrics and
writes them to the run's ``result.json``.
"""

import json
import os.path as osp
import time
from typing import Dict, Optional

import numpy as np
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, find_latest_checkpoint

from .options import load_config


def count_student_params(model) -> int:
    """Parameters of the deployed model (the student of a distiller)."""
    model = getattr(model, 'module', model)
    deployed = getattr(model, 'student', model)
    return sum(p.numel() for p in deployed.parameters())


def run_experiment(
    config_path: str,
    work_dir: str,
    cfg_options: Optional[dict] = None,
    resume: bool = False,
) -> Dict[str, float]:
    """Train a config, then test the final weights.

    Args:
        config_path (str): An MMPose config (model, data, schedule).
        work_dir (str): Where MMEngine writes logs and checkpoints.
        cfg_options (dict, optional): Overrides, as ``--cfg-options``.
        resume (bool): Continue from the last checkpoint in ``work_dir``
            (MMEngine's ``resume``: weights, optimizer, schedulers, epoch
            and iteration); a work dir without one trains from the start
            (from the config's ``load_from``, if any). ``train_s`` is then
            the time of this process only. Defaults to False.

    Returns:
        dict: ``PCKh`` (PCKh@0.5), ``PCKh@0.1``, ``params_m``,
        ``train_s`` and ``checkpoint`` (the last checkpoint's path).
    """
    cfg = load_config(config_path, work_dir, cfg_options)
    latest = find_latest_checkpoint(work_dir) if resume else None
    if latest is not None and osp.isfile(latest):
        # resume from this run's own checkpoint (a config's load_from, the
        # initial weights, is only for a run that starts)
        cfg.resume = True
        cfg.load_from = latest
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


def finished_run(work_dir: str, config_path: str) -> Optional[dict]:
    """The result of a finished run of ``config_path`` in ``work_dir``.

    Lets a long comparison be run in parts (e.g. one seed a day): a run
    whose ``result.json`` names the same config is read, not trained again.
    """
    result_file = osp.join(work_dir, 'result.json')
    if not osp.isfile(result_file):
        return None
    with open(result_file) as f:
        result = json.load(f)
    if osp.abspath(result.get('config', '')) != osp.abspath(config_path):
        return None
    return result
