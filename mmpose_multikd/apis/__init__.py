# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .experiment import load_config, mean_pose_floor, run_experiment

__all__ = ['load_config', 'mean_pose_floor', 'run_experiment']
