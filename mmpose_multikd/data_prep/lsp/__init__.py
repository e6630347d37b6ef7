# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""LSP and LSP Extended to MMPose's MPII format: the annotations
(``annotations``), the rules (``rules``: joints, person box, head box,
splits) and the converter (``converter``)."""

from .converter import *  # noqa: F401,F403
from .converter import __all__  # noqa: F401
