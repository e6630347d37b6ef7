# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Inference cost of pose models: the paper's Table 2 columns and more.

    python -m multikd_lab.tools.benchmark \\
        configs/simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py \\
        configs/simdr/simcc_litehrnet18-light_8xb64-210e_mpii-256x256.py \\
        configs/heatmap/td-hm_litehrnet18_8xb64-210e_mpii-256x256.py \\
        --out work_dirs/benchmarks/inference.json

For each config's deployed model (a distiller config deploys its student):
parameters, FLOPs (MMEngine's ``get_model_complexity_info``; one
multiply-add counts as one FLOP, as MMEngine counts), latency at each batch
size (median of timed repeats after warm-up, all configs interleaved so
that their ratios are fair), throughput (images/s at the largest batch)
and peak memory at the largest batch (CPU: a clean subprocess per model;
GPU: ``torch.cuda.max_memory_allocated``). The input is the config's codec
``input_size``; the forward is MMPose's ``mode='tensor'`` (backbone, neck
and head, no post-processing) under ``torch.no_grad()`` in eval mode.
Prints a markdown table and writes JSON (and the table beside it).

``--table2`` measures the systems of the paper's Table 2
(``multikd_lab.benchmarking.table2.TABLE2``: MMPose's own MPII configs
through ``mmpose::`` paths, our Multi-KD students), in the paper's order
and before any config given explicitly; its table adds the PCKh@0.5 that
the list quotes (not measured) and lists, unmeasured, the systems that
have no config or miss a package:

    python -m multikd_lab.tools.benchmark --table2 --batch-sizes 1 8 \\
        --out docs/data/table2_cpu.json

Configs may be ``mmpose::`` paths. No ``Pretrained`` ``init_cfg`` is kept,
so nothing is downloaded.
"""

import argparse
import os.path as osp
from typing import Dict, List, Optional

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.registry import init_default_scope

from multikd_lab.benchmarking import (
    gpu_peak_memory_mb,
    interleaved_timings,
    machine_info,
    markdown_table,
    median_ms,
    memory_in_subprocess,
    report_child_memory,
    runtime_baseline_rss_mb,
    tensor_mb,
    write_report,
)
from multikd_lab.benchmarking.table2 import (
    TABLE2,
    load_config,
    missing_requirements,
    table2_row,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='*')
    parser.add_argument(
        '--table2',
        action='store_true',
        help="the paper's Table 2 systems (before any config given)",
    )
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 32])
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument('--out', default='work_dirs/benchmarks/inference.json')
    parser.add_argument(
        '--memory-child', action='store_true', help='(internal)'
    )
    parser.add_argument('--table2-row', help='(internal)')
    args = parser.parse_args()
    if not args.configs and not args.table2:
        parser.error('give configs, --table2, or both')
    return args


def benchmark_cases(args: argparse.Namespace) -> List[dict]:
    """What to measure, in order: ``name``, ``config``, ``overrides`` and,
    for a Table 2 system, its row (``skipped`` says why one is not
    measured)."""
    cases = []
    if args.table2:
        for row in TABLE2:
            case = dict(
                name=row.name,
                config=row.config,
                overrides=row.overrides,
                row=row,
            )
            missing = missing_requirements(row)
            if row.config is None:
                case['skipped'] = row.note
            elif missing:
                case['skipped'] = f'needs {", ".join(missing)} (not installed)'
            cases.append(case)
    for path in args.configs:
        name = osp.splitext(osp.basename(path))[0]
        cases.append(dict(name=name, config=path, overrides=None, row=None))
    names = [case['name'] for case in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f'configs measured twice: {duplicates}')
    return cases


def deployed_model(
    config_path: str, device: str, overrides: Optional[dict] = None
) -> torch.nn.Module:
    """The model a config deploys, in eval mode on ``device``: a
    distiller config's student, built alone (no teacher is allocated, so
    that its memory is not counted)."""
    from mmpose.registry import MODELS

    from mmpose_multikd.apis import student_config

    cfg = student_config(load_config(config_path, overrides))
    return MODELS.build(cfg.model).to(device).eval()


def input_size(config_path: str, overrides: Optional[dict] = None) -> tuple:
    """``(w, h)`` of the config's network input."""
    cfg = load_config(config_path, overrides)
    if 'codec' not in cfg or 'input_size' not in cfg.codec:
        raise KeyError(
            f'{config_path}: no codec.input_size to take the input size from'
        )
    return tuple(cfg.codec['input_size'])


def forward_call(model: torch.nn.Module, inputs: torch.Tensor):
    def forward():
        with torch.no_grad():
            return model(inputs, None, mode='tensor')

    return forward


def complexity(model: torch.nn.Module, size: tuple, device: str) -> dict:
    width, height = size
    inputs = torch.zeros(1, 3, height, width, device=device)
    # As MMPose's tools/analysis_tools/get_flops.py: trace ``_forward``.
    model.forward = model._forward
    try:
        info = get_model_complexity_info(
            model, inputs=(inputs,), show_table=False, show_arch=False
        )
    finally:
        del model.forward  # back to the class's forward
    return dict(
        params_m=sum(p.numel() for p in model.parameters()) / 1e6,
        gflops=info['flops'] / 1e9,
    )


def run_memory_child(args: argparse.Namespace) -> None:
    (config_path,) = args.configs
    overrides = (
        table2_row(args.table2_row).overrides if args.table2_row else None
    )
    baseline = runtime_baseline_rss_mb()
    model = deployed_model(config_path, args.device, overrides)
    width, height = input_size(config_path, overrides)
    forward = forward_call(
        model, torch.rand(max(args.batch_sizes), 3, height, width)
    )
    for _ in range(3):
        forward()
    report_child_memory(baseline)


def peak_memory(
    args: argparse.Namespace,
    case: dict,
    model: torch.nn.Module,
    inputs: torch.Tensor,
) -> Dict[str, float]:
    if args.device.startswith('cuda'):
        # In this process, beside the other models: the peak above what was
        # allocated before, plus this model's weights and input.
        forward = forward_call(model, inputs)
        resident = tensor_mb(*model.parameters(), *model.buffers(), inputs)
        return dict(peak_mb=gpu_peak_memory_mb(forward, resident_mb=resident))
    child_args = [
        '-m',
        'multikd_lab.tools.benchmark',
        case['config'],
        '--batch-sizes',
        str(max(args.batch_sizes)),
        '--memory-child',
    ]
    if case['row'] is not None:
        child_args += ['--table2-row', case['row'].name]
    child = memory_in_subprocess(child_args)
    return dict(
        peak_mb=child['peak_rss_mb'],
        peak_over_import_mb=child['peak_over_import_mb'],
    )


def benchmark(args: argparse.Namespace) -> List[dict]:
    cases = benchmark_cases(args)
    measured = [case for case in cases if 'skipped' not in case]
    models, sizes = {}, {}
    for case in measured:
        name, path, overrides = case['name'], case['config'], case['overrides']
        models[name] = deployed_model(path, args.device, overrides)
        sizes[name] = input_size(path, overrides)
    rows = {case['name']: case_row(case) for case in cases}
    for name, model in models.items():
        rows[name].update(
            input=f'{sizes[name][0]}x{sizes[name][1]}',
            **complexity(model, sizes[name], args.device),
        )
    for batch_size in args.batch_sizes:
        calls, inputs_of = {}, {}
        for name, model in models.items():
            width, height = sizes[name]
            inputs_of[name] = torch.rand(
                batch_size, 3, height, width, device=args.device
            )
            calls[name] = forward_call(model, inputs_of[name])
        timings = interleaved_timings(
            calls, args.warmup, args.repeats, args.device
        )
        for name, seconds in timings.items():
            rows[name][f'latency_b{batch_size}_ms'] = median_ms(seconds)
            rows[name][f'timings_b{batch_size}_s'] = seconds
        largest = batch_size
    for name in models:
        rows[name]['images_per_s'] = (
            1000.0 * largest / rows[name][f'latency_b{largest}_ms']
        )
    if not args.no_memory:
        for case in measured:
            name = case['name']
            rows[name].update(
                peak_memory(args, case, models[name], inputs_of[name])
            )
    return [rows[case['name']] for case in cases]


def case_row(case: dict) -> dict:
    """A result row before measuring: what the case is."""
    row = case['row']
    if row is None:
        return dict(config=case['name'])
    config = None
    if row.config is not None:
        config = osp.splitext(osp.basename(row.config))[0]
        if row.variant:
            config += f' ({row.variant})'
    return dict(
        system=row.name,
        config=config,
        config_path=row.config,
        overrides=dict(row.overrides) or None,
        pckh_quoted=row.pckh,
        pckh_source=row.pckh_source,
        paper_params_m=row.paper_params_m,
        paper_memory_mb=row.paper_memory_mb,
        paper_speed_s=row.paper_speed_s,
        note=row.note,
        skipped=case.get('skipped'),
    )


def main() -> None:
    args = parse_args()
    init_default_scope('mmpose')
    import mmpose_multikd  # noqa: F401  (registers our modules)

    args.batch_sizes = sorted(set(args.batch_sizes))
    if args.memory_child:
        run_memory_child(args)
        return
    rows = benchmark(args)
    largest = args.batch_sizes[-1]
    columns = [
        *([('system', 'system')] if args.table2 else []),
        ('config', 'config'),
        ('input', 'input'),
        ('params_m', 'params (M)'),
        ('gflops', 'GFLOPs'),
        *[
            (f'latency_b{b}_ms', f'latency b{b} (ms)')
            for b in args.batch_sizes
        ],
        ('images_per_s', f'images/s (b{largest})'),
        ('peak_mb', f'peak memory b{largest} (MB)'),
        ('peak_over_import_mb', 'above imports (MB)'),
    ]
    if args.table2:
        columns += [
            ('pckh_quoted', 'PCKh@0.5 (quoted)'),
            ('pckh_source', 'PCKh source'),
            ('skipped', 'not measured'),
        ]
    table = markdown_table(rows, columns)
    print(table)
    write_report(
        args.out,
        table,
        dict(args=vars(args), machine=machine_info(args.device), rows=rows),
    )


if __name__ == '__main__':
    main()
