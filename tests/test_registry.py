# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`import mmpose_multikd` registers every component in MMPose's MODELS."""

import subprocess
import sys

REGISTERED = [
    'MultiKDDistiller',
    'CrossStageAttentionKDLoss',
    'VKDLoss',
    # the compared distillers; MMPose already has a `KDLoss` (DWPose's)
    'HintonKDLoss',
    'FitNetLoss',
    'RKDLoss',
    'ATLoss',
    'SPLoss',
    'ReviewKDLoss',
]


def test_import_registers_components():
    from mmpose.registry import MODELS

    import mmpose_multikd  # noqa: F401

    for name in REGISTERED:
        module = MODELS.get(name)
        assert module is not None, name
        assert module.__module__.startswith('mmpose_multikd.'), name


def test_custom_imports_registers_in_a_fresh_process():
    """What `custom_imports` in a config does, without importing us first."""
    code = (
        'from mmengine.config import Config\n'
        'from mmpose.registry import MODELS\n'
        f'assert all(MODELS.get(n) is None for n in {REGISTERED!r})\n'
        "cfg = Config(dict(custom_imports=dict(imports=['mmpose_multikd'],"
        ' allow_failed_imports=False)))\n'
        'from mmengine.utils import import_modules_from_strings\n'
        'import_modules_from_strings(**cfg.custom_imports)\n'
        f'assert all(MODELS.get(n) is not None for n in {REGISTERED!r})\n'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
