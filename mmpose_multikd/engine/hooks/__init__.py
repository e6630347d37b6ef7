# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .malloc_hook import KeepFreedMemoryHook
from .nonfinite_loss_hook import NonFiniteLossHook

__all__ = ['KeepFreedMemoryHook', 'NonFiniteLossHook']
