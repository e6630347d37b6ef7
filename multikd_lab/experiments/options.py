# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Config options of a demo or ablation run (data root, seed, schedule)."""

import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config

from mmpose_multikd.data_prep import data_root_options


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
