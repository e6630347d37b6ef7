# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Distillation losses of Multi-KD (registered in MMPose's ``MODELS``)."""

from . import baselines  # noqa: F401  (KD, FitNet, RKD, AT, SP, ReviewKD)
from .cross_stage_attention_kd_loss import CrossStageAttentionKDLoss
from .vkd_loss import VKDLoss

__all__ = ['CrossStageAttentionKDLoss', 'VKDLoss']
