# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Multi-KD's cross-stage feature distillation: the loss
(:class:`CrossStageAttentionKDLoss`) and its machinery, the learned
alignments (``branch_aligner``), the aligned distance computed without the
aligned map (``aligned_distance``, ``channel_products``,
``aligner_batch_stats``), MFT's branch energies (``branch_energy``) and the
per-sample pair attention (``stage_attention``)."""

from .branch_aligner import BranchAligner
from .cross_stage_attention_kd_loss import CrossStageAttentionKDLoss
from .stage_attention import pair_attention_weights, spatial_similarity

__all__ = [
    'BranchAligner',
    'CrossStageAttentionKDLoss',
    'pair_attention_weights',
    'spatial_similarity',
]
