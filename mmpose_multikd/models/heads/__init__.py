# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .light_simcc_head import LightSimCCHead

__all__ = ['LightSimCCHead']
