# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""keep_freed_memory: a freed large buffer is reused without page faults."""

import json
import subprocess
import sys

import pytest
from mmengine.registry import HOOKS

# Fill a 64 MiB tensor and free it, again and again (as training steps do
# with their buffers); report the minor page faults of fills 3 to 6 (a fresh
# mapping faults on each 4 KiB page, a reused one on none).
LAST_FILL_FAULTS = """
import json, resource, sys
import torch
if sys.argv[1] == 'keep':
    from mmpose_multikd.utils import keep_freed_memory
    assert keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(2):
    torch.ones(16 * 2**20)  # 64 MiB, freed at once
before = faults()
for _ in range(4):
    torch.ones(16 * 2**20)
print(json.dumps(faults() - before))
"""
PAGES = 16 * 2**20 * 4 // 4096


def last_fill_faults(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, '-c', LAST_FILL_FAULTS, mode],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


@pytest.mark.skipif(
    not sys.platform.startswith('linux'), reason='glibc/Linux only'
)
def test_freed_buffer_is_reused_without_page_faults():
    # default: every fill maps its pages anew
    assert last_fill_faults('default') > 3.5 * PAGES
    # kept: the heap grows at most once more, then the pages are reused
    assert last_fill_faults('keep') < 1.2 * PAGES


def test_hook_is_registered_and_applies(monkeypatch):
    calls = []
    monkeypatch.setattr(
        'mmpose_multikd.engine.hooks.malloc_hook.keep_freed_memory',
        lambda threshold: calls.append(threshold) or True,
    )
    hook = HOOKS.build(dict(type='KeepFreedMemoryHook', trim_threshold=123))

    class Runner:
        class logger:  # noqa: N801
            messages = []
            info = messages.append

    hook.before_run(Runner)
    assert calls == [123]
    assert 'keeps freed memory' in Runner.logger.messages[0]


def test_distiller_configs_keep_freed_memory():
    from mmengine.config import Config

    from ..helpers import REPO_ROOT

    for name in ('multikd_litehrnet18_mpii.py', 'multikd_litehrnet30_mpii.py'):
        cfg = Config.fromfile(str(REPO_ROOT / 'configs' / name))
        assert 'KeepFreedMemoryHook' in [h.type for h in cfg.custom_hooks]
