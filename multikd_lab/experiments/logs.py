# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""What a run's MMEngine logs say: its validation curve and step times.

MMEngine writes every logged scalar to
``<work_dir>/<timestamp>/vis_data/scalars.json``, one JSON object a line;
a resumed run adds another timestamp folder. Training lines carry ``lr``,
``time`` and ``data_time`` (means over the logger's interval) with the
iteration as ``step``; validation lines carry the metrics (MMPose's
``MpiiPCKAccuracy``: ``PCK``, ``PCK@0.1``) with the epoch as ``step``.
"""

import glob
import json
import os.path as osp
import statistics
from typing import Dict, List


def read_scalars(work_dir: str) -> List[dict]:
    """Every line of every ``scalars.json`` of ``work_dir``, oldest run
    first (timestamp folders sort by time)."""
    lines = []
    pattern = osp.join(work_dir, '*', 'vis_data', 'scalars.json')
    for path in sorted(glob.glob(pattern)):
        with open(path) as f:
            lines += [json.loads(line) for line in f if line.strip()]
    return lines


def val_curve(work_dir: str) -> List[Dict[str, float]]:
    """PCKh@0.5 and PCKh@0.1 after each validated epoch.

    Returns:
        list[dict]: ``epoch``, ``PCKh`` and ``PCKh@0.1`` by epoch. Where a
        resumed run validated an epoch again, its later value is kept; an
        epoch whose validation was killed before it logged has no entry.
    """
    by_epoch = {}
    for line in read_scalars(work_dir):
        if 'PCK' in line:
            by_epoch[int(line['step'])] = {
                'epoch': int(line['step']),
                'PCKh': float(line['PCK']),
                'PCKh@0.1': float(line['PCK@0.1']),
            }
    return [by_epoch[epoch] for epoch in sorted(by_epoch)]


def iteration_times(work_dir: str, skip: int = 0) -> Dict[str, float]:
    """Median seconds per training iteration, from the logged ``time``
    (data loading included) and ``data_time`` (waiting for the batch).

    Args:
        work_dir (str): The run's work dir.
        skip (int): Logged training lines to leave out at the start of
            each run (warm-up: worker start, first allocations).

    Returns:
        dict: ``time_s``, ``data_time_s`` and ``lines`` (how many logged
        lines the medians are over; 0 and no medians when none).
    """
    pattern = osp.join(work_dir, '*', 'vis_data', 'scalars.json')
    times, data_times = [], []
    for path in sorted(glob.glob(pattern)):
        with open(path) as f:
            train = [
                line
                for line in map(json.loads, filter(str.strip, f))
                if 'lr' in line and 'time' in line
            ]
        times += [line['time'] for line in train[skip:]]
        data_times += [line['data_time'] for line in train[skip:]]
    if not times:
        return {'lines': 0}
    return {
        'time_s': statistics.median(times),
        'data_time_s': statistics.median(data_times),
        'lines': len(times),
    }
