# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Measuring helpers shared by ``tools/benchmark.py`` and
``tools/benchmark_train.py``.

Timings are taken *interleaved*: every round runs each case once, in a
rotated order, so that a slow phase of the machine hits all cases alike
and their ratios stay fair. Latency is the median over the timed rounds
after warm-up; on a GPU each call is bracketed by
``torch.cuda.synchronize()``.

Peak memory:

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
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs

# Printed by a memory child on its last line, read by the parent.
MEMORY_TAG = 'BENCHMARK_MEMORY_JSON '


def synthetic_batch(
    codec_cfg: dict, batch_size: int, num_keypoints: int, seed: int = 0
) -> dict:
    """A training batch as MMPose's data pipeline hands it to a model.

    Random images of the codec's ``input_size`` and random keypoints (inside
    the image, all visible) go through MMPose's own ``GenerateTarget`` (with
    ``codec_cfg``) and ``PackPoseInputs``, then ``pseudo_collate``, so the
    batch carries the labels the model's head expects (SimDR or heatmap).

    Args:
        codec_cfg (dict): The model's codec config.
        batch_size (int): Number of samples.
        num_keypoints (int): K.
        seed (int): Seed of the random images and keypoints.

    Returns:
        dict: ``inputs`` (list of uint8 ``(3, h, w)`` tensors) and
        ``data_samples`` (list of ``PoseDataSample``).
    """
    rng = np.random.default_rng(seed)
    width, height = codec_cfg['input_size']
    encode = GenerateTarget(encoder=dict(codec_cfg))
    pack = PackPoseInputs()
    samples = []
    for _ in range(batch_size):
        keypoints = rng.uniform(
            (2, 2), (width - 2, height - 2), size=(1, num_keypoints, 2)
        ).astype(np.float32)
        results = dict(
            img=rng.integers(0, 256, (height, width, 3), dtype=np.uint8),
            keypoints=keypoints,
            keypoints_visible=np.ones((1, num_keypoints), np.float32),
            input_size=(width, height),
            img_shape=(height, width),
            ori_shape=(height, width),
        )
        samples.append(pack(encode(results)))
    return pseudo_collate(samples)


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
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def median_ms(seconds: Sequence[float]) -> float:
    return 1000.0 * statistics.median(seconds)


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
    """Print this (child) process's peak memory for the parent to read."""
    peak = peak_rss_mb()
    print(
        MEMORY_TAG
        + json.dumps(
            dict(peak_rss_mb=peak, peak_over_import_mb=peak - baseline_rss_mb)
        ),
        flush=True,
    )


def memory_in_subprocess(argv: List[str]) -> Dict[str, float]:
    """Run ``python argv...`` in a clean process and read its memory report.

    Args:
        argv (list[str]): Script and arguments; the script must end by
            calling :func:`report_child_memory`.

    Returns:
        dict: ``peak_rss_mb`` and ``peak_over_import_mb``.
    """
    proc = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MEMORY_TAG):
            return json.loads(line[len(MEMORY_TAG) :])
    raise RuntimeError(
        f'memory measurement {argv} failed (exit {proc.returncode}):\n'
        f'{proc.stderr[-3000:]}'
    )


def gpu_peak_memory_mb(call: Callable[[], object], times: int = 2) -> float:
    """Peak CUDA memory allocated while running ``call`` ``times`` times."""
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    for _ in range(times):
        call()
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() / 2**20


def markdown_table(rows: List[dict], columns: List[Tuple[str, str]]) -> str:
    """A markdown table of ``rows`` (dicts) with ``(key, title)`` columns.

    Floats print with 2 decimals, a missing value as ``-``.
    """

    def cell(value) -> str:
        if value is None:
            return '-'
        if isinstance(value, float):
            return f'{value:.2f}'
        return str(value)

    lines = [
        '| ' + ' | '.join(title for _, title in columns) + ' |',
        '|' + '---|' * len(columns),
    ]
    for row in rows:
        lines.append(
            '| ' + ' | '.join(cell(row.get(key)) for key, _ in columns) + ' |'
        )
    return '\n'.join(lines)


def machine_info(device: str) -> dict:
    """What the numbers were measured on."""
    info = dict(
        device=str(device),
        torch=torch.__version__,
        torch_threads=torch.get_num_threads(),
        cpu_count=os.cpu_count(),
    )
    if str(device).startswith('cuda'):
        info['gpu'] = torch.cuda.get_device_name()
    return info


def write_report(
    out_json: str, table: str, payload: dict, out_md: Optional[str] = None
) -> None:
    """Write the JSON payload and the markdown table beside it."""
    os.makedirs(osp.dirname(osp.abspath(out_json)), exist_ok=True)
    with open(out_json, 'w') as f:
        json.dump(payload, f, indent=2)
    out_md = out_md or osp.splitext(out_json)[0] + '.md'
    with open(out_md, 'w') as f:
        f.write(table + '\n')
    print(f'\nwrote {out_json} and {out_md}')
