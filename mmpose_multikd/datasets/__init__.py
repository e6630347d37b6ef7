# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Data generation: a synthetic MPII-format dataset (no download needed)."""

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
    'generate_synthetic_mpii',
    'joint_visibility',
    'render_figure',
    'render_sample',
    'sample_figure',
    'to_mpii_record',
]
