# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""No weight or training-state file enters the repository: every tracked
file stays under 5 MB (checkpoints live outside the tree; docs/model_zoo.md
lists them with their SHA-256)."""

import shutil
import subprocess

import pytest

from ..helpers import REPO_ROOT

LIMIT_BYTES = 5 * 1024 * 1024


def tracked_files():
    if shutil.which('git') is None or not (REPO_ROOT / '.git').exists():
        pytest.skip('not a git checkout: nothing is tracked')
    listing = subprocess.run(
        ['git', 'ls-files', '-z'],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    )
    return [name for name in listing.stdout.decode().split('\0') if name]


def test_no_tracked_file_over_5_mb():
    files = tracked_files()
    assert files
    sizes = {
        name: (REPO_ROOT / name).stat().st_size
        for name in files
        if (REPO_ROOT / name).is_file()
    }
    too_big = {n: s for n, s in sizes.items() if s > LIMIT_BYTES}
    assert not too_big, (
        f'tracked files over {LIMIT_BYTES} bytes (weights and training '
        f'states belong outside the repository): {too_big}'
    )
    # the check would see such a file: the largest tracked file is counted
    assert max(sizes.values()) > 0
