# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The distillation baselines compared with Multi-KD.

Importing this package registers them in MMPose's ``MODELS``: ``ATLoss``,
``FitNetLoss``, ``RKDLoss``, ``ReviewKDLoss``, ``SPLoss`` and, because
MMPose already owns the name ``KDLoss``, :class:`KDLoss` as
``'HintonKDLoss'``.
"""

from .at_loss import ATLoss
from .fitnet_loss import FitNetLoss
from .kd_loss import KDLoss
from .reviewkd_loss import AttentionBasedFusion, ReviewKDLoss
from .rkd_loss import RKDLoss
from .sp_loss import SPLoss

__all__ = [
    'ATLoss',
    'AttentionBasedFusion',
    'FitNetLoss',
    'KDLoss',
    'RKDLoss',
    'ReviewKDLoss',
    'SPLoss',
]
