# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .float32_head_output_hook import Float32HeadOutputHook
from .malloc_hook import KeepFreedMemoryHook
from .nonfinite_loss_hook import NonFiniteLossHook
from .training_record_hook import TrainingRecordHook

__all__ = [
    'Float32HeadOutputHook',
    'KeepFreedMemoryHook',
    'NonFiniteLossHook',
    'TrainingRecordHook',
]
