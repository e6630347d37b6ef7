from .cross_stage_attention_kd_loss import CrossStageAttentionKDLoss
from .vkd_loss import VKDLoss

__all__ = ['CrossStageAttentionKDLoss', 'VKDLoss']
