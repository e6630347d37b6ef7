# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Demo and ablation experiments: train, test and compare configs."""

from .campaign_report import write_report
from .logs import iteration_times, read_scalars, val_curve
from .options import data_root_options, experiment_options, load_config
from .runner import (
    count_student_params,
    finished_run,
    mean_pose_floor,
    run_experiment,
)
from .side_by_side import (
    finish_experiment_process,
    redirect_output,
    run_experiments_side_by_side,
    start_experiment_process,
)
from .teacher_cache import (
    DEFAULT_CACHE_DIR,
    RUN_KEYS,
    cached_teacher,
    cached_teacher_dir,
    data_fingerprint,
    read_cached_teacher,
    teacher_key,
)
from .teacher_export import (
    export_teacher,
    export_training_state,
    file_sha256,
    last_checkpoint,
    restore_teacher,
    restore_training_state,
)
from .timing import time_side_by_side, time_training, timing_options

__all__ = [
    'DEFAULT_CACHE_DIR',
    'RUN_KEYS',
    'cached_teacher',
    'cached_teacher_dir',
    'data_fingerprint',
    'read_cached_teacher',
    'teacher_key',
    'export_teacher',
    'export_training_state',
    'last_checkpoint',
    'file_sha256',
    'restore_teacher',
    'restore_training_state',
    'count_student_params',
    'data_root_options',
    'experiment_options',
    'finish_experiment_process',
    'finished_run',
    'iteration_times',
    'load_config',
    'mean_pose_floor',
    'read_scalars',
    'redirect_output',
    'run_experiment',
    'run_experiments_side_by_side',
    'start_experiment_process',
    'time_side_by_side',
    'time_training',
    'timing_options',
    'val_curve',
    'write_report',
]
