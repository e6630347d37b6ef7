# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .feature_taps import (
    FeatureTaps,
    as_branch_list,
    default_tap_paths,
    resolve_module,
)
from .heads import LightSimCCHead, LowRankSimCCHead

__all__ = [
    'FeatureTaps',
    'LightSimCCHead',
    'LowRankSimCCHead',
    'as_branch_list',
    'default_tap_paths',
    'resolve_module',
]
