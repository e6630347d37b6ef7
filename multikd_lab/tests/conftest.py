# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The lab's tests use the package tests' fixtures (generated MPII data,
MMPose's default scope, one torch thread)."""

from tests.conftest import (  # noqa: F401
    mmpose_default_scope,
    mpii_mini_root,
    mpii_root,
    one_torch_thread,
)
