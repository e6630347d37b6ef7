# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .light_simcc_head import LightSimCCHead
from .low_rank_simcc_head import LowRankSimCCHead

__all__ = ['LightSimCCHead', 'LowRankSimCCHead']
