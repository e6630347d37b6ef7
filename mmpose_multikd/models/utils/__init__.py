# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Building blocks that two or more of the models' modules share."""

from .batch_similarity import batch_similarity
from .model_config import load_model_config
from .resize import pool_resized, resize_bilinear

__all__ = [
    'batch_similarity',
    'load_model_config',
    'pool_resized',
    'resize_bilinear',
]
