# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .experiment import (
    data_root_options,
    experiment_options,
    finish_experiment_process,
    load_config,
    mean_pose_floor,
    run_experiment,
    run_experiments_side_by_side,
    start_experiment_process,
)

__all__ = [
    'data_root_options',
    'experiment_options',
    'finish_experiment_process',
    'load_config',
    'mean_pose_floor',
    'run_experiment',
    'run_experiments_side_by_side',
    'start_experiment_process',
]
