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
from .cross_stage_attention_kd_loss import CrossStageAttentionKDLoss
from .heatmap_vkd_loss import HeatmapVKDLoss, marginal_to_bins_matrix
from .vkd_loss import VKDLoss

__all__ = [
    'ATLoss',
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
