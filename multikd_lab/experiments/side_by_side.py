# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Experiments in spawned processes, several side by side.

A run's process writes its ``result.json`` (:func:`run_experiment`); the
parent starts runs, waits for them and reads their results.
"""

import json
import multiprocessing
import multiprocessing.connection
import os
import os.path as osp
import signal
import sys
import threading
from typing import Callable, Dict, Optional

import torch

from .runner import run_experiment


def redirect_output(log_file: str) -> None:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so
    child processes and C extensions too) to ``log_file``, line-buffered."""
    os.makedirs(osp.dirname(osp.abspath(log_file)), exist_ok=True)
    log = open(log_file, 'w', buffering=1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)


def _experiment_child(
    config_path: str,
    work_dir: str,
    cfg_options: Optional[dict],
    num_threads: int,
    log_file: Optional[str],
    resume: bool = False,
) -> None:
    """Body of :func:`start_experiment_process` (a spawned process)."""
    torch.set_num_threads(num_threads)
    if log_file is not None:
        redirect_output(log_file)
    import mmpose_multikd  # noqa: F401  (registers our modules)

    run_experiment(config_path, work_dir, cfg_options, resume=resume)


def start_experiment_process(
    config_path: str,
    work_dir: str,
    cfg_options: Optional[dict] = None,
    num_threads: int = 1,
    log_file: Optional[str] = None,
    resume: bool = False,
) -> multiprocessing.Process:
    """Start :func:`run_experiment` in a fresh (spawned) process.

    On a small CPU two light runs side by side, one thread each, finish
    sooner than one after the other with all threads each: LiteHRNet's
    many small operators hardly use a second thread (measured in
    ``docs/benchmarks.md``).

    Args:
        config_path (str): The config to train and test.
        work_dir (str): Its work directory (``result.json`` lands there).
        cfg_options (dict, optional): Overrides, as ``--cfg-options``.
        num_threads (int): ``torch.set_num_threads`` in the process.
        log_file (str, optional): Where the process's stdout and stderr go
            (MMEngine's own log file is written to ``work_dir`` either
            way). Default: the parent's console.
        resume (bool): Continue from the last checkpoint in ``work_dir``
            (see :func:`run_experiment`). Defaults to False.

    Returns:
        multiprocessing.Process: The started process; pass it to
        :func:`finish_experiment_process`.
    """
    stale_result = osp.join(work_dir, 'result.json')
    if osp.isfile(stale_result):
        # A failed run must not be read as finished by its old result.
        os.remove(stale_result)
    process = multiprocessing.get_context('spawn').Process(
        target=_experiment_child,
        args=(
            config_path,
            work_dir,
            cfg_options,
            num_threads,
            log_file,
            resume,
        ),
        name=f'experiment:{osp.basename(config_path)}',
    )
    process.start()
    return process


def finish_experiment_process(
    process: multiprocessing.Process,
    work_dir: str,
    log_file: Optional[str] = None,
) -> Dict[str, float]:
    """Wait for a run started by :func:`start_experiment_process`.

    Returns:
        dict: The run's ``result.json`` (see :func:`run_experiment`).

    Raises:
        RuntimeError: The process failed; the message names the run, its
            exit code and where its log is.
    """
    process.join()
    result_file = osp.join(work_dir, 'result.json')
    if process.exitcode != 0 or not osp.isfile(result_file):
        where = log_file or 'the console output above'
        raise RuntimeError(
            f'{process.name} failed with exit code {process.exitcode} '
            f'(work_dir {work_dir}); see {where}'
        )
    with open(result_file) as f:
        return json.load(f)


def run_experiments_side_by_side(
    runs: list, jobs: int, on_finish: Optional[Callable] = None
) -> None:
    """Train ``runs`` in spawned processes, ``jobs`` at a time.

    Each run is a dict with ``config``, ``work_dir``, ``options`` and
    ``log_file`` (``None``: the console), and optionally ``resume``
    (continue from the work dir's last checkpoint); its ``result`` key is
    set from :func:`finish_experiment_process`. A new run starts as soon as
    one ends; every process gets ``max(1, cpus // jobs)`` threads. A line
    is printed when a run starts and when it ends (with its PCKh@0.5), so
    a long queue shows its progress. ``on_finish(run)``, if given, is
    called as each run ends (e.g. to save its result at once).

    If this process is stopped (SIGTERM, Ctrl-C), the runs still training
    are terminated with it (each resumes from its last checkpoint when
    started again) instead of training on, unattended, beside the next
    command. A run that fails leaves the others to finish.
    """
    threads = max(1, (os.cpu_count() or 1) // jobs)
    pending, running = list(runs), {}
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        previous_handler = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                run = pending.pop(0)
                process = start_experiment_process(
                    run['config'],
                    run['work_dir'],
                    run['options'],
                    num_threads=threads,
                    log_file=run['log_file'],
                    resume=run.get('resume', False),
                )
                running[process.sentinel] = (process, run)
                print(f"started {run['work_dir']}", flush=True)
            for sentinel in multiprocessing.connection.wait(list(running)):
                process, run = running.pop(sentinel)
                run['result'] = finish_experiment_process(
                    process, run['work_dir'], run['log_file']
                )
                print(
                    f"finished {run['work_dir']}: PCKh@0.5 "
                    f"{run['result']['PCKh']:.2f}, {len(pending)} queued, "
                    f'{len(running)} running',
                    flush=True,
                )
                if on_finish is not None:
                    on_finish(run)
    except (KeyboardInterrupt, SystemExit):
        for process, _ in running.values():
            process.terminate()
        for process, _ in running.values():
            process.join()
        raise
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)


def _exit_on_sigterm(signum, frame) -> None:
    """SIGTERM as ``SystemExit``, so that ``finally`` and ``except``
    blocks run (the default action ends the process without them)."""
    raise SystemExit(128 + signum)
