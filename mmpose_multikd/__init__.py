# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""mmpose-multikd: Multi-KD distillation for MMPose.

Importing the package registers every component in MMPose's registries and
lets MMEngine checkpoints load under torch's ``weights_only`` default. Configs
load it with::

    custom_imports = dict(imports=['mmpose_multikd'],
                          allow_failed_imports=False)
"""

from .utils import allow_mmengine_checkpoints

allow_mmengine_checkpoints()

# Importing the subpackages registers their components in MMPose's MODELS.
from . import distillers, engine, losses, models  # noqa: E402,F401

__version__ = '0.1.0'
