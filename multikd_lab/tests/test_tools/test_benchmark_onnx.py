# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``multikd_lab.tools.benchmark_onnx``: onnxruntime against PyTorch on an
export made by the package's ``tools/deploy/export_onnx.py`` path."""

import json
import subprocess

import pytest

from tests.test_apis.test_deploy import (
    STUDENT_CFG,
    exported,  # noqa: F401 (fixture)
)

from ..helpers import lab_command, lab_env


@pytest.mark.slow
def test_latency_tool_reports_both_backends(
    exported,  # noqa: F811
    tmp_path,
):
    """``multikd_lab.tools.benchmark_onnx`` on an existing export: one row
    per batch size, speed-up = PyTorch / onnxruntime of the medians."""
    out = tmp_path / 'onnx.json'
    result = subprocess.run(
        [
            *lab_command('benchmark_onnx'),
            STUDENT_CFG,
            '--checkpoint',
            exported.student_ckpt,
            '--onnx',
            exported.onnx_file,
            '--batch-sizes',
            '1',
            '2',
            '--threads',
            '1',
            '--warmup',
            '0',
            '--repeats',
            '2',
            '--out',
            str(out),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=lab_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(out.read_text())['rows']
    assert [row['batch'] for row in rows] == [1, 2]
    for row in rows:
        assert len(row['timings_s']['onnxruntime']) == 2
        assert row['speedup'] == pytest.approx(row['torch_ms'] / row['ort_ms'])
        assert row['ort_ms'] > 0 and row['torch_ms'] > 0
    assert (tmp_path / 'onnx.md').read_text().startswith('| batch |')
