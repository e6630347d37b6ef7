# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The GPU bundle: ``python -m multikd_lab.tools.gpu.gpu_check``."""
