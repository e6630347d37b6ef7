# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Runs in a spawned process: failures are reported, never read as done."""

import json

import pytest

from mmpose_multikd.experiments import (
    finish_experiment_process,
    start_experiment_process,
)


def test_failed_run_names_itself_and_its_log(tmp_path):
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    # A result left by an earlier run must not pass for this one.
    (work_dir / 'result.json').write_text(json.dumps({'PCKh': 99.0}))
    log_file = tmp_path / 'console.log'
    missing = tmp_path / 'no_such_config.py'

    process = start_experiment_process(
        str(missing), str(work_dir), log_file=str(log_file)
    )
    with pytest.raises(RuntimeError) as error:
        finish_experiment_process(process, str(work_dir), str(log_file))

    message = str(error.value)
    assert 'no_such_config.py' in message
    assert 'exit code 1' in message and str(log_file) in message
    assert not (work_dir / 'result.json').exists()
    # The child's traceback went to its log file, naming the missing file.
    assert 'no_such_config.py' in log_file.read_text()
