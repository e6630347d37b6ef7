# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Training-loop components (MMEngine hooks) registered in MMPose."""

from .hooks import NonFiniteLossHook

__all__ = ['NonFiniteLossHook']
