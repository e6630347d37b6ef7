# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Distillation losses (registered in MMPose's ``MODELS``): Multi-KD's own
and, in ``baselines``, the compared distillers."""

from .baselines import (
    ATLoss,
    FitNetLoss,
    KDLoss,
    ReviewKDLoss,
    RKDLoss,
    SPLoss,
)
from .cross_stage import BranchAligner, CrossStageAttentionKDLoss
from .distill_loss import (
    DISTILL_INPUTS,
    DistillInput,
    DistillLoss,
    DistillStep,
    register_distill_input,
)
from .heatmap_vkd_loss import HeatmapVKDLoss, marginal_to_bins_matrix
from .vkd_loss import VKDLoss

__all__ = [
    'DISTILL_INPUTS',
    'DistillInput',
    'DistillLoss',
    'DistillStep',
    'register_distill_input',
    'ATLoss',
    'BranchAligner',
    'CrossStageAttentionKDLoss',
    'FitNetLoss',
    'HeatmapVKDLoss',
    'KDLoss',
    'RKDLoss',
    'ReviewKDLoss',
    'SPLoss',
    'VKDLoss',
    'marginal_to_bins_matrix',
]
