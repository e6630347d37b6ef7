# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .experiment import (
    data_root_options,
    experiment_options,
    load_config,
    mean_pose_floor,
    run_experiment,
)

__all__ = [
    'data_root_options',
    'experiment_options',
    'load_config',
    'mean_pose_floor',
    'run_experiment',
]
