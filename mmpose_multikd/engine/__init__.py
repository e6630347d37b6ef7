# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Training-loop components (MMEngine hooks) registered in MMPose."""

from .hooks import (
    Float32HeadOutputHook,
    KeepFreedMemoryHook,
    NonFiniteLossHook,
    TrainingRecordHook,
)

__all__ = [
    'Float32HeadOutputHook',
    'KeepFreedMemoryHook',
    'NonFiniteLossHook',
    'TrainingRecordHook',
]
