# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Peak memory of a benchmark case.

- GPU: ``torch.cuda.max_memory_allocated`` around the case's calls;
- CPU: the peak resident set size (``VmHWM``) of a clean subprocess that
  runs only that case, minus its resident size once the imports are done
  and PyTorch's CPU kernels are paged in (a small conv net's training step,
  see :func:`runtime_baseline_rss_mb`); the kernel's peak mark is reset at
  that point, so the imports' own peak does not hide the model's.
  ``peak_rss_mb`` keeps the absolute value too.
"""

import json
import os
import resource
import subprocess
import sys
from typing import Callable, Dict, List

import torch

# The repository root, which holds the lab (not installed).
LAB_PARENT = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)

# Printed by a memory child on its last line, read by the parent.
MEMORY_TAG = 'BENCHMARK_MEMORY_JSON '


def current_rss_mb() -> float:
    """Resident set size of this process now (Linux ``/proc``)."""
    with open('/proc/self/statm') as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf('SC_PAGE_SIZE') / 2**20


def runtime_baseline_rss_mb() -> float:
    """Resident size after paging in PyTorch's common CPU kernels.

    The first call of a kernel maps pages of the PyTorch libraries into the
    process, the same few hundred MB whatever the model. One training step
    of a small conv/BN/linear net with Adam is run before reading the
    baseline, so the reported difference is the model's own memory.
    """
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.BatchNorm2d(8),
        torch.nn.ReLU(),
        torch.nn.Conv2d(8, 8, 3, padding=1, groups=8),
        torch.nn.Upsample(scale_factor=2, mode='bilinear'),
        torch.nn.AdaptiveAvgPool2d(4),
        torch.nn.Flatten(),
        torch.nn.Linear(128, 16),
    )
    optimizer = torch.optim.Adam(net.parameters())
    loss = net(torch.rand(2, 3, 16, 16)).log_softmax(1).mean()
    loss.backward()
    optimizer.step()
    del net, optimizer, loss
    reset_peak_rss()
    return current_rss_mb()


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0).

    Writing ``5`` to ``/proc/self/clear_refs`` sets ``VmHWM`` to the
    current resident size, so that the peak read later is the peak of what
    ran since, not of the imports.

    Returns:
        bool: Whether the mark could be reset.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak resident set size (``VmHWM``) since start or the last reset."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def report_child_memory(baseline_rss_mb: float) -> None:
    """Print this (child) process's peak memory for the parent to read:
    its peak RSS, the peak above ``baseline_rss_mb`` and, when CUDA was
    used, ``torch.cuda.max_memory_allocated`` (``peak_gpu_mb``)."""
    peak = peak_rss_mb()
    report = dict(peak_rss_mb=peak, peak_over_import_mb=peak - baseline_rss_mb)
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
        report['peak_gpu_mb'] = torch.cuda.max_memory_allocated() / 2**20
    print(MEMORY_TAG + json.dumps(report), flush=True)


def memory_in_subprocess(argv: List[str]) -> Dict[str, float]:
    """Run ``python argv...`` in a clean process and read its memory report.

    Args:
        argv (list[str]): Script and arguments; the script must end by
            calling :func:`report_child_memory`.

    Returns:
        dict: ``peak_rss_mb`` and ``peak_over_import_mb``.
    """
    proc = subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        # ``python -m multikd_lab...`` finds the lab from any folder
        env=dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(
                [LAB_PARENT, os.environ.get('PYTHONPATH', '')]
            ),
        ),
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MEMORY_TAG):
            return json.loads(line[len(MEMORY_TAG) :])
    raise RuntimeError(
        f'memory measurement {argv} failed (exit {proc.returncode}):\n'
        f'{proc.stderr[-3000:]}'
    )


def gpu_peak_memory_mb(
    call: Callable[[], object], times: int = 2, resident_mb: float = 0.0
) -> float:
    """Peak CUDA memory that ``call`` needs, run ``times`` times.

    What was allocated before the call (e.g. other models measured in the
    same process) is not counted: the result is the peak allocated while
    the call runs above what was allocated before it, plus ``resident_mb``,
    the call's own tensors allocated before it (its model's weights, its
    input). Valid for calls that allocate no lasting state (inference);
    measure a training step in a clean process instead.
    """
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    for _ in range(times):
        call()
    torch.cuda.synchronize()
    return (torch.cuda.max_memory_allocated() - before) / 2**20 + resident_mb


def tensor_mb(*tensors: torch.Tensor) -> float:
    """Storage of ``tensors`` in MiB."""
    return sum(t.numel() * t.element_size() for t in tensors) / 2**20
