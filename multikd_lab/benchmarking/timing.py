# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Interleaved wall-clock timings.

Every round runs each case once, in a rotated order, so that a slow phase
of the machine hits all cases alike and their ratios stay fair. Latency is
the median over the timed rounds after warm-up; on a GPU each call is
bracketed by ``torch.cuda.synchronize()``.
"""

import statistics
import time
from typing import Callable, Dict, List, Sequence

import torch


def interleaved_timings(
    cases: Dict[str, Callable[[], object]],
    warmup: int,
    repeats: int,
    device: str = 'cpu',
) -> Dict[str, List[float]]:
    """Time each case ``repeats`` times, interleaved, after ``warmup``.

    Round ``r`` runs the cases in the order rotated by ``r``.

    Args:
        cases (dict): Name -> a call without arguments.
        warmup (int): Untimed rounds.
        repeats (int): Timed rounds.
        device (str): ``'cuda'`` synchronises around each call.

    Returns:
        dict: Name -> the ``repeats`` durations in seconds.
    """
    names = list(cases)
    timings: Dict[str, List[float]] = {name: [] for name in names}
    for round_idx in range(warmup + repeats):
        shift = round_idx % len(names)
        for name in names[shift:] + names[:shift]:
            seconds = time_call(cases[name], device)
            if round_idx >= warmup:
                timings[name].append(seconds)
    return timings


def time_call(call: Callable[[], object], device: str = 'cpu') -> float:
    """Wall time of one call in seconds (synchronised on a GPU)."""
    synchronize(device)
    start = time.perf_counter()
    call()
    synchronize(device)
    return time.perf_counter() - start


def synchronize(device: str) -> None:
    """Wait for the GPU's queued work (nothing on a CPU)."""
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def median_ms(seconds: Sequence[float]) -> float:
    """Median of durations in seconds, in milliseconds."""
    return 1000.0 * statistics.median(seconds)
