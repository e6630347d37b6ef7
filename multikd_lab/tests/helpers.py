# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""How the lab's tests run the lab's commands."""

import importlib
import os
import sys
from types import ModuleType
from typing import Dict, List

from tests.helpers import REPO_ROOT


def lab_command(name: str) -> List[str]:
    """``python -m multikd_lab.tools.<name>`` (``name`` may be dotted)."""
    return [sys.executable, '-m', f'multikd_lab.tools.{name}']


def lab_env(**extra: str) -> Dict[str, str]:
    """The environment of a lab command started from any folder: the
    repository root (which holds the lab) on ``PYTHONPATH``."""
    paths = [str(REPO_ROOT), os.environ.get('PYTHONPATH', '')]
    return dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, paths)), **extra
    )


def lab_tool(name: str) -> ModuleType:
    """The module of ``multikd_lab/tools/<name>.py``, to call its
    functions."""
    return importlib.import_module(f'multikd_lab.tools.{name}')
