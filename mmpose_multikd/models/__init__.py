# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .feature_taps import (
    FeatureTaps,
    as_branch_list,
    default_tap_paths,
    resolve_module,
)
from .heads import LightSimCCHead

__all__ = [
    'FeatureTaps',
    'LightSimCCHead',
    'as_branch_list',
    'default_tap_paths',
    'resolve_module',
]
