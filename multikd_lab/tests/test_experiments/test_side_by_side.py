# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Runs in a spawned process: failures are reported, never read as done;
a stopped queue takes its runs with it."""

import json
import multiprocessing
import os
import signal
import time

import pytest

from multikd_lab.experiments import (
    finish_experiment_process,
    side_by_side,
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


@pytest.mark.parametrize('stop', ['sigterm', 'ctrl-c'])
def test_stopped_queue_terminates_its_runs(tmp_path, monkeypatch, stop):
    """Stopping the parent must not leave its runs training unattended."""
    started = []

    def start_sleeper(*args, **kwargs):
        process = multiprocessing.get_context('spawn').Process(
            target=time.sleep, args=(120,)
        )
        process.start()
        started.append(process)
        return process

    def stopped_while_waiting(sentinels):
        assert len(sentinels) == 2 and all(p.is_alive() for p in started)
        if stop == 'sigterm':
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises before this ends
        raise KeyboardInterrupt

    monkeypatch.setattr(
        side_by_side, 'start_experiment_process', start_sleeper
    )
    monkeypatch.setattr(
        side_by_side.multiprocessing.connection, 'wait', stopped_while_waiting
    )
    handler_before = signal.getsignal(signal.SIGTERM)
    runs = [
        dict(
            config='c.py',
            work_dir=str(tmp_path / f'run{k}'),
            options={},
            log_file=None,
        )
        for k in range(3)
    ]
    expected = SystemExit if stop == 'sigterm' else KeyboardInterrupt
    with pytest.raises(expected):
        side_by_side.run_experiments_side_by_side(runs, jobs=2)

    assert len(started) == 2  # the third run never started
    assert not any(process.is_alive() for process in started)
    assert signal.getsignal(signal.SIGTERM) is handler_before
