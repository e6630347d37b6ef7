# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The distiller and what only it uses: feature taps, the loss-weight
schedule, the teacher checkpoint and the config checks."""

from .feature_taps import (
    FeatureTaps,
    as_branch_list,
    default_tap_paths,
    resolve_module,
)
from .loss_weight_schedule import linear_decay_factor
from .multikd_distiller import MultiKDDistiller
from .student_first_dwpose import StudentFirstDWPoseDistiller

__all__ = [
    'FeatureTaps',
    'MultiKDDistiller',
    'StudentFirstDWPoseDistiller',
    'as_branch_list',
    'default_tap_paths',
    'linear_decay_factor',
    'resolve_module',
]
