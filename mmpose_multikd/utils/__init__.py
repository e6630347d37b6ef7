# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .checkpoint_compat import (
    allow_mmengine_checkpoints,
    mmengine_checkpoint_globals,
)

__all__ = ['allow_mmengine_checkpoints', 'mmengine_checkpoint_globals']
