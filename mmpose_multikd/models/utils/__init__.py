# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Building blocks shared by the distiller and the losses."""

from .branch_aligner import BranchAligner
from .feature_taps import (
    FeatureTaps,
    as_branch_list,
    default_tap_paths,
    resolve_module,
)
from .loss_weight_schedule import linear_decay_factor
from .model_config import load_model_config
from .resize import pool_resized, resize_bilinear
from .stage_similarity import batch_similarity, spatial_similarity

__all__ = [
    'BranchAligner',
    'FeatureTaps',
    'as_branch_list',
    'batch_similarity',
    'default_tap_paths',
    'linear_decay_factor',
    'load_model_config',
    'pool_resized',
    'resize_bilinear',
    'resolve_module',
    'spatial_similarity',
]
