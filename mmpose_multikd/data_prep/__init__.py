# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Data preparation, no registered dataset: a synthetic MPII-format
dataset (``synthetic_mpii``, no download needed), the LSP / LSP Extended
converter to MMPose's MPII format (``lsp``) and the options that point an
MPII config at such a data root (``mpii_root``). MMPose's own
``MpiiDataset`` reads what they write."""

from .mpii_root import data_root_options
from .synthetic_mpii import (
    JOINT_NAMES,
    Figure,
    SyntheticSample,
    generate_synthetic_mpii,
    joint_visibility,
    render_figure,
    render_sample,
    sample_figure,
    to_mpii_record,
)

__all__ = [
    'JOINT_NAMES',
    'Figure',
    'SyntheticSample',
    'data_root_options',
    'generate_synthetic_mpii',
    'joint_visibility',
    'render_figure',
    'render_sample',
    'sample_figure',
    'to_mpii_record',
]
