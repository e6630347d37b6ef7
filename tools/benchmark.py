# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Inference cost of pose models: the paper's Table 2 columns and more.

    python tools/benchmark.py \\
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
"""

import argparse
import os.path as osp
from typing import Dict, List

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmpose_multikd.benchmarking import (
    gpu_peak_memory_mb,
    interleaved_timings,
    machine_info,
    markdown_table,
    median_ms,
    memory_in_subprocess,
    report_child_memory,
    runtime_baseline_rss_mb,
    write_report,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 32])
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument('--out', default='work_dirs/benchmarks/inference.json')
    parser.add_argument(
        '--memory-child', action='store_true', help='(internal)'
    )
    return parser.parse_args()


def deployed_model(config_path: str, device: str) -> torch.nn.Module:
    """The model a config deploys, in eval mode on ``device``."""
    from mmpose.registry import MODELS

    model = MODELS.build(Config.fromfile(config_path).model)
    model = getattr(model, 'student', model)
    return model.to(device).eval()


def input_size(config_path: str) -> tuple:
    """``(w, h)`` of the config's network input."""
    cfg = Config.fromfile(config_path)
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
    baseline = runtime_baseline_rss_mb()
    model = deployed_model(config_path, args.device)
    width, height = input_size(config_path)
    forward = forward_call(
        model, torch.rand(max(args.batch_sizes), 3, height, width)
    )
    for _ in range(3):
        forward()
    report_child_memory(baseline)


def peak_memory(
    args: argparse.Namespace, config_path: str, forward
) -> Dict[str, float]:
    if args.device.startswith('cuda'):
        return dict(peak_mb=gpu_peak_memory_mb(forward))
    child = memory_in_subprocess(
        [
            osp.abspath(__file__),
            config_path,
            '--batch-sizes',
            str(max(args.batch_sizes)),
            '--memory-child',
        ]
    )
    return dict(
        peak_mb=child['peak_rss_mb'],
        peak_over_import_mb=child['peak_over_import_mb'],
    )


def benchmark(args: argparse.Namespace) -> List[dict]:
    names = [osp.splitext(osp.basename(p))[0] for p in args.configs]
    models = {
        name: deployed_model(path, args.device)
        for name, path in zip(names, args.configs)
    }
    sizes = {name: input_size(p) for name, p in zip(names, args.configs)}
    rows = {
        name: dict(
            config=name,
            input=f'{sizes[name][0]}x{sizes[name][1]}',
            **complexity(models[name], sizes[name], args.device),
        )
        for name in names
    }
    for batch_size in args.batch_sizes:
        cases = {}
        for name, model in models.items():
            width, height = sizes[name]
            inputs = torch.rand(
                batch_size, 3, height, width, device=args.device
            )
            cases[name] = forward_call(model, inputs)
        timings = interleaved_timings(
            cases, args.warmup, args.repeats, args.device
        )
        for name, seconds in timings.items():
            rows[name][f'latency_b{batch_size}_ms'] = median_ms(seconds)
            rows[name][f'timings_b{batch_size}_s'] = seconds
        largest = batch_size
    for name in names:
        rows[name]['images_per_s'] = (
            1000.0 * largest / rows[name][f'latency_b{largest}_ms']
        )
    if not args.no_memory:
        for name, path in zip(names, args.configs):
            rows[name].update(peak_memory(args, path, cases[name]))
    return [rows[name] for name in names]


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
    table = markdown_table(rows, columns)
    print(table)
    write_report(
        args.out,
        table,
        dict(args=vars(args), machine=machine_info(args.device), rows=rows),
    )


if __name__ == '__main__':
    main()
