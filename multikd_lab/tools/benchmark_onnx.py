# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""onnxruntime against PyTorch on the CPU: the student's latency, side by side.

    python -m multikd_lab.tools.benchmark_onnx \\
        configs/simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py \\
        [--checkpoint student.pth] [--onnx student.onnx] \\
        --batch-sizes 1 32 --threads 2 --out work_dirs/bench/onnx.json

Exports the student (``export_onnx``, checked) unless ``--onnx`` names an
export, then times ``input -> (simcc_x, simcc_y)`` in onnxruntime and in
PyTorch (``torch.no_grad``, eval) interleaved in one process, the same
number of intra-op threads for both, on seeded random inputs of each batch
size. Latency: the median of ``--repeats`` after ``--warmup``.
"""

import argparse
import os.path as osp
import tempfile

import numpy as np
import torch

from mmpose_multikd.apis import (
    export_onnx,
    init_student,
    onnx_runner,
    torch_runner,
)
from multikd_lab.benchmarking import (
    interleaved_timings,
    machine_info,
    markdown_table,
    median_ms,
    write_report,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='student or distiller config')
    parser.add_argument('--checkpoint', help='weights (default: initial)')
    parser.add_argument('--onnx', help='an existing export of the student')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 32])
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--out', default='work_dirs/bench/onnx.json')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp_dir:
        onnx_file = args.onnx
        if onnx_file is None:
            onnx_file = osp.join(tmp_dir, 'student.onnx')
            export_onnx(args.config, args.checkpoint, onnx_file)
        model = init_student(args.config, args.checkpoint)
        width, height = model.head.input_size
        runners = {
            'onnxruntime': onnx_runner(onnx_file, num_threads=args.threads),
            'pytorch': torch_runner(model),
        }
        rows = []
        for batch_size in args.batch_sizes:
            inputs = (
                np.random.default_rng(0)
                .standard_normal((batch_size, 3, height, width))
                .astype(np.float32)
            )
            timings = interleaved_timings(
                {
                    name: (lambda run=run, inputs=inputs: run(inputs))
                    for name, run in runners.items()
                },
                args.warmup,
                args.repeats,
            )
            ms = {name: median_ms(t) for name, t in timings.items()}
            rows.append(
                dict(
                    batch=batch_size,
                    ort_ms=ms['onnxruntime'],
                    torch_ms=ms['pytorch'],
                    speedup=ms['pytorch'] / ms['onnxruntime'],
                    timings_s=timings,
                )
            )
    table = markdown_table(
        rows,
        [
            ('batch', 'batch'),
            ('ort_ms', 'onnxruntime ms'),
            ('torch_ms', 'PyTorch ms'),
            ('speedup', 'PyTorch / onnxruntime'),
        ],
    )
    print(table)
    write_report(
        args.out,
        table,
        dict(args=vars(args), machine=machine_info('cpu'), rows=rows),
    )


if __name__ == '__main__':
    main()
