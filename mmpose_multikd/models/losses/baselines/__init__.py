# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The distillation baselines compared with Multi-KD.

Importing this package registers them in MMPose's ``MODELS``: ``ATLoss``,
``FitNetLoss``, ``RKDLoss``, ``ReviewKDLoss``, ``SPLoss`` and, because
MMPose already owns the name ``KDLoss``, :class:`KDLoss` as
``'HintonKDLoss'``. The five feature losses share
:class:`StageFeatureKDLoss` (input checks, top branches, ``loss_weight``).
"""

from .at_loss import ATLoss
from .fitnet_loss import FitNetLoss
from .kd_loss import KDLoss
from .reviewkd_loss import AttentionBasedFusion, ReviewKDLoss
from .rkd_loss import RKDLoss
from .sp_loss import SPLoss
from .stage_feature_kd_loss import StageFeatureKDLoss

__all__ = [
    'ATLoss',
    'AttentionBasedFusion',
    'FitNetLoss',
    'KDLoss',
    'RKDLoss',
    'ReviewKDLoss',
    'SPLoss',
    'StageFeatureKDLoss',
]
