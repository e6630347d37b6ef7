# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""mmpose-multikd: Multi-KD distillation for MMPose.

Importing the package registers every component in MMPose's registries and
lets MMEngine checkpoints load under torch's ``weights_only`` default. Configs
load it with::

    custom_imports = dict(imports=['mmpose_multikd'],
                          allow_failed_imports=False)

The supported versions of the host stack are in ``version.SUPPORTED``.
"""

from .version import __version__ as __version__
from .version import check_stack_versions

# Refuse an unsupported torch, MMEngine, MMCV or MMPose before registering
# anything, with the versions found and the ranges supported.
check_stack_versions()

from .utils import allow_mmengine_checkpoints  # noqa: E402

allow_mmengine_checkpoints()

# Importing the subpackages registers their components in MMPose's registries.
from . import engine, models  # noqa: E402,F401
