# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Training-loop components (MMEngine hooks) registered in MMPose."""

from .hooks import KeepFreedMemoryHook, NonFiniteLossHook

__all__ = ['KeepFreedMemoryHook', 'NonFiniteLossHook']
