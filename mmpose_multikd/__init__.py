# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""mmpose-multikd: Multi-KD distillation for MMPose.

Importing the package registers every component in MMPose's registries and
lets MMEngine checkpoints load under torch's ``weights_only`` default. Configs
load it with::

    custom_imports = dict(imports=['mmpose_multikd'],
                          allow_failed_imports=False)
"""

__version__ = '0.1.0'

from .utils import allow_mmengine_checkpoints  # noqa: E402

allow_mmengine_checkpoints()

# Importing the subpackages registers their components in MMPose's registries.
from . import engine, models  # noqa: E402,F401
