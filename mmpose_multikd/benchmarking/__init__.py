# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Measuring helpers of ``tools/benchmark*.py``: batches, interleaved
timings, peak memory, reports and the loss-only training cases."""

from .batches import synthetic_batch
from .loss_cases import (
    adam,
    build_aligner_convs,
    build_cross_stage_loss,
    tapped_cross_stage_loss,
)
from .memory import (
    MEMORY_TAG,
    current_rss_mb,
    gpu_peak_memory_mb,
    memory_in_subprocess,
    peak_rss_mb,
    report_child_memory,
    reset_peak_rss,
    runtime_baseline_rss_mb,
)
from .report import machine_info, markdown_table, write_report
from .timing import interleaved_timings, median_ms, synchronize, time_call

__all__ = [
    'MEMORY_TAG',
    'adam',
    'build_aligner_convs',
    'build_cross_stage_loss',
    'current_rss_mb',
    'gpu_peak_memory_mb',
    'interleaved_timings',
    'machine_info',
    'markdown_table',
    'median_ms',
    'memory_in_subprocess',
    'peak_rss_mb',
    'report_child_memory',
    'reset_peak_rss',
    'runtime_baseline_rss_mb',
    'synchronize',
    'synthetic_batch',
    'tapped_cross_stage_loss',
    'time_call',
    'write_report',
]
