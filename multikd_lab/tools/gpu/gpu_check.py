# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""All GPU measurements of the plugin in one run, with a CPU dry run.

    python -m multikd_lab.tools.gpu.gpu_check --device cuda \\
        --out work_dirs/gpu_check
    python -m multikd_lab.tools.gpu.gpu_check --device cpu --dry-run \\
        --out /tmp/check

(``multikd_lab/tools/gpu/gpu_check.sh`` installs what a bare machine
lacks, then runs this.) The checks, each in its own process with its own
time limit, in this order:

1. ``parity``: every distiller config of ``PARITY_CONFIGS`` on ``--device``
   against the CPU: loss values and gradients in float32 (TF32 off), then
   under fp16 and bf16 autocast (``multikd_lab.benchmarking.
   device_parity``).
2. ``train_fp32``, ``train_fp16``, ``train_bf16``: the MPII Multi-KD config
   at its 256x256 input through MMPose's ``tools/train.py`` (MMEngine's
   Runner) on generated MPII-format data, a random teacher checkpoint:
   plain, ``--amp`` (fp16, MMEngine's ``AmpOptimWrapper`` default) and
   ``--amp`` with ``optim_wrapper.dtype=bfloat16``. Finite losses,
   seconds per iteration and peak memory (MMEngine's logged ``memory``).
3. ``train_cost``: ``multikd_lab.tools.benchmark_train`` (cases (a)-(g),
   the cost of distillation against its floor and DWPose).
4. ``table2``: ``multikd_lab/tools/benchmark.py --table2`` (the paper's Table 2
   systems).
5. ``ddp``: ``tools/dist_train.sh`` with one process (NCCL on a GPU, gloo
   on the CPU).

Writes ``summary.json`` (every check's status, numbers and the JSON its
tool wrote), ``summary.md`` and ``checks.log`` (every command and its
output) under ``--out``, rewriting the summary after each check so that a
run stopped by its time limit keeps what it finished. ``--dry-run`` uses
tiny sizes (batch 2, a few iterations, one repeat) so that the whole path
runs on the CPU in minutes. Exit status 1 when a check failed.
"""

import argparse
import json
import math
import os
import os.path as osp
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from multikd_lab.tools import benchmark_ddp

REPO_ROOT = Path(__file__).resolve().parents[3]

MPII_CONFIG = 'configs/multikd_litehrnet18_mpii.py'
PARITY_CONFIGS = (
    'configs/demo/multikd_litehrnet18_demo.py',
    'configs/demo/multikd_hm-teacher_litehrnet18_demo.py',
    'configs/demo/baselines/kd_litehrnet18_demo.py',
    'configs/demo/baselines/fitnet_litehrnet18_demo.py',
    'configs/demo/baselines/rkd_litehrnet18_demo.py',
    'configs/demo/baselines/at_litehrnet18_demo.py',
    'configs/demo/baselines/sp_litehrnet18_demo.py',
    'configs/demo/baselines/reviewkd_litehrnet18_demo.py',
    MPII_CONFIG,
)
CHECKS = (
    'parity',
    'train_fp32',
    'train_fp16',
    'train_bf16',
    'train_cost',
    'table2',
    'ddp',
)
# Sizes of a real run and of the CPU dry run.
SIZES = {
    False: dict(
        parity_batch=4,
        train_batch=64,
        train_images=512,
        train_epochs=4,
        train_workers=8,
        cost_batch=64,
        warmup=2,
        repeats=5,
        table2_batches=(1, 64),
        ddp_iters=8,
    ),
    True: dict(
        parity_batch=3,  # RKDLoss's angles need 3 samples
        train_batch=2,
        train_images=4,
        train_epochs=1,
        train_workers=0,
        cost_batch=2,
        warmup=0,
        repeats=1,
        table2_batches=(1,),
        ddp_iters=2,
    ),
}
# Absolute float32 tolerances of the parity check (relative errors).
FP32_LOSS_TOL = 1e-4
FP32_GRAD_TOL = 1e-3
# `python -c RUN_WITH_CPU_AMP train.py ...`: MMPose's train.py, cpu_amp first.
RUN_WITH_CPU_AMP = (
    'import runpy, sys, multikd_lab.tools.gpu.cpu_amp; '
    'sys.argv = sys.argv[1:]; '
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)
MEMORY = re.compile(r'Epoch\(train\).*?memory: (\d+)')
LOSS = re.compile(r'Epoch\(train\).*?\bloss: (\S+)')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cuda')
    parser.add_argument('--out', default='work_dirs/gpu_check')
    parser.add_argument(
        '--work-dir',
        default=None,
        help='scratch folder (data, checkpoints, logs); default OUT/../'
        'gpu_check_work',
    )
    parser.add_argument('--dry-run', action='store_true')
    parser.add_argument('--only', nargs='+', choices=CHECKS, default=CHECKS)
    parser.add_argument('--config', default=MPII_CONFIG)
    parser.add_argument(
        '--timeout', type=float, default=240, help='seconds per check'
    )
    parser.add_argument('--python', default=sys.executable)
    parser.add_argument('--parity-child', help='(internal) out JSON path')
    return parser.parse_args(argv)


class CheckRun:
    """Runs the checks' commands, logs them and keeps the summary."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sizes = SIZES[args.dry_run]
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.work = Path(args.work_dir or self.out.parent / 'gpu_check_work')
        self.work.mkdir(parents=True, exist_ok=True)
        self.log = open(self.out / 'checks.log', 'a')
        self.summary: Dict[str, object] = dict(
            device=args.device, dry_run=args.dry_run, checks={}
        )

    def run(self, name: str, command: List[str], env: Optional[dict] = None):
        """Run ``command`` from the repo root; its output goes to the log.

        Returns:
            tuple: ``(returncode, output, seconds)``; returncode is ``None``
            when the check's time limit stopped it.
        """
        self.log.write(f'\n===== {name}: {" ".join(command)}\n')
        self.log.flush()
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                command,
                cwd=REPO_ROOT,
                env=dict(os.environ, **(env or {})),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=self.args.timeout,
            )
            code, output = proc.returncode, proc.stdout
        except subprocess.TimeoutExpired as error:
            code = None
            output = error.stdout or ''
            if isinstance(output, bytes):
                output = output.decode(errors='replace')
        seconds = time.perf_counter() - start
        self.log.write(output)
        self.log.write(f'\n===== {name}: exit {code} in {seconds:.1f} s\n')
        self.log.flush()
        return code, output, seconds

    def record(self, name: str, result: dict) -> None:
        self.summary['checks'][name] = result
        with open(self.out / 'summary.json', 'w') as f:
            json.dump(self.summary, f, indent=2, default=str)
        (self.out / 'summary.md').write_text(summary_markdown(self.summary))
        status = result.get('status')
        print(
            f'[gpu_check] {name}: {status} ({result.get("seconds", 0):.0f} s)'
        )
        sys.stdout.flush()


def status_of(code: Optional[int], ok: bool = True) -> str:
    if code is None:
        return 'timeout'
    return 'pass' if code == 0 and ok else 'fail'


def tail(output: str, chars: int = 1500) -> str:
    return output[-chars:]


def check_parity(run: CheckRun) -> dict:
    child_out = run.work / 'parity.json'
    command = [run.args.python, '-m', __spec__.name, '--parity-child']
    command.append(str(child_out))
    command += ['--device', run.args.device]
    if run.args.dry_run:
        command.append('--dry-run')
    code, output, seconds = run.run('parity', command)
    rows = json.loads(child_out.read_text()) if child_out.exists() else []
    ok = bool(rows) and all(row.get('ok') for row in rows)
    result = dict(status=status_of(code, ok), seconds=seconds, rows=rows)
    if not ok:
        result['output_tail'] = tail(output)
    return result


def parity_child(args: argparse.Namespace) -> None:
    """Every parity config in float32 and under both autocast dtypes."""
    from multikd_lab.benchmarking.device_parity import distiller_parity

    rows = []
    batch = SIZES[args.dry_run]['parity_batch']
    for index, config in enumerate(PARITY_CONFIGS):
        # The dry run casts one config only: CPU fp16 kernels are slow.
        casts = ('fp16', 'bf16') if not args.dry_run or index == 0 else ()
        for autocast in (None, *casts):
            start = time.perf_counter()
            try:
                row = distiller_parity(config, args.device, batch, 0, autocast)
            except Exception as error:  # reported, then the next case
                row = dict(config=config, autocast=autocast or 'fp32')
                row['error'] = f'{type(error).__name__}: {error}'
                row['ok'] = False
            else:
                row['ok'] = row['finite'] and (
                    autocast is not None
                    or (
                        max(r['rel_err'] for r in row['losses'].values())
                        < FP32_LOSS_TOL
                        and row['grad_max_rel_err'] < FP32_GRAD_TOL
                    )
                )
            row['seconds'] = time.perf_counter() - start
            rows.append(row)
            print(json.dumps(row, default=str))
            with open(args.parity_child, 'w') as f:
                json.dump(rows, f, indent=2, default=str)


def prepared_data(run: CheckRun) -> Dict[str, str]:
    """Generated MPII data at the config's input size and a random teacher
    checkpoint (made once per work folder)."""
    marker = run.work / 'prepared.json'
    if marker.exists():
        return json.loads(marker.read_text())
    from mmengine.config import Config

    cfg = Config.fromfile(str(REPO_ROOT / run.args.config))
    image_size = int(cfg.codec['input_size'][0]) if 'codec' in cfg else 256
    prepare_args = argparse.Namespace(
        iters=run.sizes['train_images'] // run.sizes['train_batch'],
        warmup=0,
        batch_size=run.sizes['train_batch'],
        ranks=[1],
        image_size=image_size,
        work_dir=str(run.work),
        config=str(REPO_ROOT / run.args.config),
    )
    prepared = benchmark_ddp.prepare(prepare_args)
    marker.write_text(json.dumps(prepared))
    return prepared


def train_options(run: CheckRun, prepared: Dict[str, str]) -> List[str]:
    sizes = run.sizes
    iters = sizes['train_images'] // sizes['train_batch']
    options = benchmark_ddp.train_options(
        prepared, 1, sizes['train_batch'], iters
    )
    workers = sizes['train_workers']
    options += [
        f'train_cfg.max_epochs={sizes["train_epochs"]}',
        f'train_dataloader.num_workers={workers}',
        f'train_dataloader.persistent_workers={bool(workers)}',
    ]
    return options


def training_result(
    code: Optional[int], output: str, seconds: float, batch: int
) -> dict:
    times = benchmark_ddp.iteration_times(output)
    losses = [float(value) for value in LOSS.findall(output)]
    memory = [int(value) for value in MEMORY.findall(output)]
    finite = bool(losses) and all(math.isfinite(v) for v in losses)
    measured = times[2:] if len(times) > 3 else times
    result = dict(
        status=status_of(code, finite),
        seconds=seconds,
        iterations=len(times),
        s_per_iter=sum(measured) / len(measured) if measured else None,
        images_per_s=batch * len(measured) / sum(measured)
        if measured
        else None,
        peak_memory_mb=max(memory) if memory else None,
        first_loss=losses[0] if losses else None,
        last_loss=losses[-1] if losses else None,
        finite=finite,
    )
    if result['status'] != 'pass':
        result['output_tail'] = tail(output)
    return result


def check_training(run: CheckRun, precision: str) -> dict:
    import mmpose

    train_py = osp.join(osp.dirname(mmpose.__file__), '.mim/tools/train.py')
    prepared = prepared_data(run)
    command = [run.args.python, train_py, run.args.config]
    command += ['--work-dir', str(run.work / f'train_{precision}')]
    env = {}
    if precision != 'fp32':
        command.append('--amp')
    options = train_options(run, prepared)
    if precision == 'bf16':
        options.append('optim_wrapper.dtype=bfloat16')
    if precision != 'fp32' and run.args.device == 'cpu':
        # MMEngine's AmpOptimWrapper refuses to start without a GPU; the
        # dry run lifts that check only (autocast then runs on the CPU).
        command[1:1] = ['-c', RUN_WITH_CPU_AMP]
        env['PYTHONPATH'] = os.pathsep.join(
            [str(REPO_ROOT), os.environ.get('PYTHONPATH', '')]
        )
    if run.args.device == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
    command += ['--cfg-options', *options]
    code, output, seconds = run.run(f'train_{precision}', command, env)
    result = training_result(code, output, seconds, run.sizes['train_batch'])
    result.update(precision=precision, batch_size=run.sizes['train_batch'])
    return result


def check_tool(run: CheckRun, name: str, command: List[str], json_out: Path):
    code, output, seconds = run.run(name, command)
    result = dict(status=status_of(code), seconds=seconds)
    if json_out.exists():
        result['report'] = json.loads(json_out.read_text())
    if result['status'] != 'pass':
        result['output_tail'] = tail(output)
    return result


def check_timing_tool(run: CheckRun, name: str, script: List[str]) -> dict:
    """Run a timing tool (``script``: its path and own arguments) with the
    check's device, warm-up and repeats; its JSON joins the summary."""
    json_out = run.work / f'{name}.json'
    command = [run.args.python, *script, '--device', run.args.device]
    command += ['--out', str(json_out)]
    command += ['--warmup', str(run.sizes['warmup'])]
    command += ['--repeats', str(run.sizes['repeats'])]
    if run.args.dry_run:
        command.append('--no-memory')
    return check_tool(run, name, command, json_out)


def check_train_cost(run: CheckRun) -> dict:
    script = ['-m', 'multikd_lab.tools.benchmark_train', run.args.config]
    script += ['--batch-size', str(run.sizes['cost_batch'])]
    return check_timing_tool(run, 'train_cost', script)


def check_table2(run: CheckRun) -> dict:
    script = ['-m', 'multikd_lab.tools.benchmark', '--table2']
    script += ['--batch-sizes']
    script += [str(size) for size in run.sizes['table2_batches']]
    return check_timing_tool(run, 'table2', script)


def check_ddp(run: CheckRun) -> dict:
    prepared = prepared_data(run)
    batch, iters = run.sizes['train_batch'], run.sizes['ddp_iters']
    options = benchmark_ddp.train_options(prepared, 1, batch, iters)
    start = time.perf_counter()
    run.log.write('\n===== ddp: tools/dist_train.sh, 1 process\n')
    proc = benchmark_ddp.run_dist_train(
        str(REPO_ROOT / run.args.config),
        1,
        str(run.work / 'ddp'),
        options,
        python=run.args.python,
        threads=4,
        timeout=run.args.timeout,
    )
    seconds = time.perf_counter() - start
    run.log.write(proc.stdout)
    backend = 'nccl' if run.args.device.startswith('cuda') else 'gloo'
    result = training_result(proc.returncode, proc.stdout, seconds, batch)
    result['backend'] = backend
    result['backend_in_log'] = backend in proc.stdout
    if not result['backend_in_log']:
        result['status'] = 'fail'
        result['output_tail'] = tail(proc.stdout)
    return result


def summary_markdown(summary: dict) -> str:
    lines = [
        f"# GPU check on `{summary['device']}`"
        + (' (dry run)' if summary['dry_run'] else ''),
        '',
        '| check | status | seconds | numbers |',
        '|---|---|---|---|',
    ]
    for name, result in summary['checks'].items():
        numbers = ''
        if name.startswith('train_') and name != 'train_cost' or name == 'ddp':
            numbers = (
                f"{result.get('s_per_iter') or 0:.3f} s/iter, "
                f"{result.get('images_per_s') or 0:.1f} img/s, "
                f"peak {result.get('peak_memory_mb')} MB, "
                f"loss {result.get('first_loss')} -> {result.get('last_loss')}"
            )
        elif name == 'parity':
            bad = [
                f"{Path(r['config']).stem}/{r['autocast']}"
                for r in result.get('rows', [])
                if not r.get('ok')
            ]
            numbers = f"{len(result.get('rows', []))} cases; failed: {bad}"
        lines.append(
            f"| {name} | {result.get('status')} | "
            f"{result.get('seconds', 0):.0f} | {numbers} |"
        )
    return '\n'.join(lines) + '\n'


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.parity_child:
        parity_child(args)
        return 0
    run = CheckRun(args)
    checks = {
        'parity': lambda: check_parity(run),
        'train_fp32': lambda: check_training(run, 'fp32'),
        'train_fp16': lambda: check_training(run, 'fp16'),
        'train_bf16': lambda: check_training(run, 'bf16'),
        'train_cost': lambda: check_train_cost(run),
        'table2': lambda: check_table2(run),
        'ddp': lambda: check_ddp(run),
    }
    for name in CHECKS:
        if name not in args.only:
            continue
        start = time.perf_counter()
        try:
            result = checks[name]()
        except Exception as error:  # a broken check must not stop the rest
            result = dict(
                status='error', error=f'{type(error).__name__}: ' f'{error}'
            )
        result.setdefault('seconds', time.perf_counter() - start)
        run.record(name, result)
    print((run.out / 'summary.md').read_text())
    failed = [
        name
        for name, result in run.summary['checks'].items()
        if result.get('status') != 'pass'
    ]
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
