# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Apply :func:`keep_freed_memory` when a run starts."""

from mmengine.hooks import Hook
from mmpose.registry import HOOKS

from ...utils.malloc import keep_freed_memory


@HOOKS.register_module()
class KeepFreedMemoryHook(Hook):
    """Keep freed memory in glibc's heap for the whole run.

    Large activations are then reused from one step to the next instead of
    being mapped and zero-filled by the kernel anew (see
    :mod:`mmpose_multikd.utils.malloc` and ``docs/benchmarks.md``). The
    process keeps its peak resident size; DataLoader workers forked later
    inherit the setting.

    Example:
        >>> custom_hooks = [dict(type='KeepFreedMemoryHook')]

    Args:
        trim_threshold (int): See :func:`keep_freed_memory`.
    """

    priority = 'VERY_HIGH'

    def __init__(self, trim_threshold: int = 1 << 30) -> None:
        self.trim_threshold = trim_threshold

    def before_run(self, runner) -> None:
        applied = keep_freed_memory(self.trim_threshold)
        runner.logger.info(
            'KeepFreedMemoryHook: glibc malloc keeps freed memory'
            if applied
            else 'KeepFreedMemoryHook: not glibc, nothing changed'
        )
