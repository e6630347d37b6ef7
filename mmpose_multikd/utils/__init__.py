# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .checkpoint_compat import (
    allow_mmengine_checkpoints,
    mmengine_checkpoint_globals,
)
from .malloc import keep_freed_memory

__all__ = [
    'allow_mmengine_checkpoints',
    'keep_freed_memory',
    'mmengine_checkpoint_globals',
]
