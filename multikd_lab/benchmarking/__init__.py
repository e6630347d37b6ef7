# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Measuring helpers of ``tools/benchmark*.py``: batches, interleaved
timings, peak memory, reports, the loss-only training cases and the
systems of the paper's Table 2."""

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
    tensor_mb,
)
from .report import machine_info, markdown_table, write_report
from .table2 import (
    TABLE2,
    Table2Row,
    missing_requirements,
    resolve_config,
    table2_row,
)
from .timing import interleaved_timings, median_ms, synchronize, time_call

__all__ = [
    'MEMORY_TAG',
    'TABLE2',
    'Table2Row',
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
    'missing_requirements',
    'peak_rss_mb',
    'report_child_memory',
    'reset_peak_rss',
    'resolve_config',
    'runtime_baseline_rss_mb',
    'synchronize',
    'synthetic_batch',
    'table2_row',
    'tapped_cross_stage_loss',
    'tensor_mb',
    'time_call',
    'write_report',
]
