# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The lab's commands, run from the repository root as
``python -m multikd_lab.tools.<name>``."""
