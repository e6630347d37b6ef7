# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .nonfinite_loss_hook import NonFiniteLossHook

__all__ = ['NonFiniteLossHook']
