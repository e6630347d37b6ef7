# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The measuring helpers behind tools/benchmark*.py."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from multikd_lab.benchmarking import (
    interleaved_timings,
    markdown_table,
    synthetic_batch,
)


def test_interleaved_timings_rotate_and_count():
    calls = []
    cases = {name: (lambda n=name: calls.append(n)) for name in 'abc'}
    timings = interleaved_timings(cases, warmup=1, repeats=2)
    assert calls == list('abc' 'bca' 'cab')
    assert {name: len(t) for name, t in timings.items()} == dict(a=2, b=2, c=2)
    assert all(s >= 0 for t in timings.values() for s in t)


def test_synthetic_batch_carries_the_codecs_labels():
    codec = dict(
        type='SimCCLabel',
        input_size=(48, 32),
        sigma=2.0,
        simcc_split_ratio=2.0,
    )
    batch = synthetic_batch(codec, batch_size=3, num_keypoints=5, seed=1)
    assert len(batch['inputs']) == len(batch['data_samples']) == 3
    assert batch['inputs'][0].shape == (3, 32, 48)
    assert batch['inputs'][0].dtype == torch.uint8
    sample = batch['data_samples'][0]
    labels = sample.gt_instance_labels
    assert tuple(labels.keypoint_x_labels.shape) == (1, 5, 96)
    assert tuple(labels.keypoint_y_labels.shape) == (1, 5, 64)
    keypoints = sample.gt_instances.keypoints[0]
    # The label peaks sit at the keypoints, in bins of 1 / split_ratio px.
    peak_x = labels.keypoint_x_labels[0].argmax(-1).numpy() / 2.0
    peak_y = labels.keypoint_y_labels[0].argmax(-1).numpy() / 2.0
    np.testing.assert_allclose(peak_x, keypoints[:, 0], atol=0.5)
    np.testing.assert_allclose(peak_y, keypoints[:, 1], atol=0.5)
    other = synthetic_batch(codec, batch_size=3, num_keypoints=5, seed=2)
    assert not torch.equal(batch['inputs'][0], other['inputs'][0])


# In a fresh process, as the benchmark tools measure memory: an earlier
# test of this process may have left freed, resident memory that a new
# allocation reuses without growing the resident set.
PEAK_AFTER_RESET = """
import json
import numpy as np
from multikd_lab.benchmarking import (
    current_rss_mb, peak_rss_mb, reset_peak_rss)
if not reset_peak_rss():
    print(json.dumps(None))  # kernel without clear_refs
else:
    before = current_rss_mb()
    block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
    print(json.dumps(peak_rss_mb() - before))
"""


def test_peak_rss_follows_an_allocation_after_reset():
    out = subprocess.run(
        [sys.executable, '-c', PEAK_AFTER_RESET],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    growth = json.loads(out.splitlines()[-1])
    if growth is None:
        pytest.skip('the kernel cannot reset the peak RSS mark (clear_refs)')
    assert growth > 50


def test_markdown_table():
    table = markdown_table(
        [dict(name='x', value=1.234), dict(name='y')],
        [('name', 'model'), ('value', 'v')],
    )
    assert table.splitlines() == [
        '| model | v |',
        '|---|---|',
        '| x | 1.23 |',
        '| y | - |',
    ]
