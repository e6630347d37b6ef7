# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Models, laid out as ``mmpose.models``: importing registers them in
MMPose's ``MODELS``."""

from .distillers import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403
