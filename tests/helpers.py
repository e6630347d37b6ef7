# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Helpers shared by the tests (paths, data layout, config options)."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Dict, Optional

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
MPII_MINI = REPO_ROOT.parent / 'shared' / 'data' / 'mpii_mini'
# The generated MPII data root of the ``mpii_root`` fixture (6 train
# images: 3 iterations at the tiny configs' batch of 2).
GENERATED_TRAIN, GENERATED_VAL, GENERATED_SIZE = 6, 4, 96
# MPII joint order: 8 upper neck, 9 head top.
UPPER_NECK, HEAD_TOP = 8, 9


def write_headboxes(annotations: list, mat_path: str) -> None:
    """Write ``headboxes_src`` (2, 2, N) as MPII's ``mpii_gt_val.mat`` has it.

    The box is the square spanned by the upper neck and the head top, so its
    diagonal is about the head size, as in MPII.
    """
    from scipy.io import savemat

    boxes = []
    for ann in annotations:
        joints = np.asarray(ann['joints'], dtype=np.float64)
        neck, top = joints[UPPER_NECK], joints[HEAD_TOP]
        half = np.linalg.norm(top - neck) / 2
        centre = (neck + top) / 2
        boxes.append([centre - half, centre + half])
    headboxes_src = np.transpose(np.asarray(boxes), [1, 2, 0])
    savemat(mat_path, {'headboxes_src': headboxes_src})


def data_root_options(data_root: str) -> list:
    """``--cfg-options`` that point an MPII config at ``data_root``."""
    from mmpose_multikd.data_prep import data_root_options as options

    return [f'{key}={value}' for key, value in options(data_root).items()]


def run_options(
    data_root: str, seed: int, epochs: Optional[int] = None
) -> Dict[str, object]:
    """``cfg_options`` of a test run: its data root and seed, and a
    schedule of ``epochs`` validated and saved at its end."""
    from mmpose_multikd.data_prep import data_root_options as options

    result = {'randomness.seed': seed, **options(str(data_root))}
    if epochs is not None:
        result.update(
            {
                'train_cfg.max_epochs': epochs,
                'train_cfg.val_interval': epochs,
                'default_hooks.checkpoint.interval': epochs,
            }
        )
    return result


def load_config(
    config_path: str, work_dir: str, cfg_options: Optional[dict] = None
):
    """A config with ``cfg_options`` merged and ``work_dir`` set."""
    from mmengine.config import Config

    cfg = Config.fromfile(config_path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir
    if cfg.get('visualizer') is not None:
        # one visualizer per run (MMEngine reuses one of the same name)
        cfg.visualizer.name = f'visualizer:{work_dir}'
    return cfg


def train_and_test(
    config_path: str, work_dir: str, cfg_options: Optional[dict] = None
) -> Dict[str, float]:
    """Train a config with MMEngine's Runner, then test it.

    Returns:
        dict: ``PCKh`` and ``PCKh@0.1`` of MMPose's ``MpiiPCKAccuracy``.
    """
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    cfg = load_config(config_path, work_dir, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    return {'PCKh': metrics['PCK'], 'PCKh@0.1': metrics['PCK@0.1']}


def val_sample(data_root: str, index: int = 0) -> tuple:
    """An MPII val image of ``data_root`` and its person box.

    Returns:
        tuple: The image path and the box ``[x1, y1, x2, y2]`` (MPII's
        ``center`` +- ``scale * 100``, the 200-px person scale halved).
    """
    with open(Path(data_root) / 'annotations' / 'mpii_val.json') as f:
        sample = json.load(f)[index]
    center, half = np.array(sample['center']), sample['scale'] * 100
    image = str(Path(data_root) / 'images' / sample['image'])
    return image, [*(center - half), *(center + half)]


def load_tool(relpath: str) -> ModuleType:
    """A script under ``tools/`` imported as a module (``relpath`` from the
    repository root), to call its functions."""
    path = REPO_ROOT / relpath
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
