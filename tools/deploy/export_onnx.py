# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Export a SimDR student to ONNX with torch.onnx (dynamo), no MMDeploy.

    python tools/deploy/export_onnx.py CONFIG CHECKPOINT \
        [--out student.onnx] [--no-check] [--opset N]

CONFIG/CHECKPOINT: the student's own MMPose config and a plain checkpoint
(``tools/extract_student.py``), or a ``MultiKDDistiller`` config and
checkpoint (its ``student.*`` weights). The model takes the normalised crop
``input`` ``(N, 3, H, W)`` (dynamic N) and gives the SimDR logits
``simcc_x`` ``(N, K, W*k)`` and ``simcc_y`` ``(N, K, H*k)``; see
docs/deploy.md. Unless ``--no-check``, onnxruntime is compared with
PyTorch on random inputs of batch 1 and 3 (max abs difference <= 1e-4).
"""

import argparse

from mmpose_multikd.apis import export_onnx


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='student or MultiKDDistiller config')
    parser.add_argument('checkpoint', help='its checkpoint')
    parser.add_argument(
        '--out', default='student.onnx', help='ONNX file (%(default)s)'
    )
    parser.add_argument(
        '--no-check',
        action='store_true',
        help='skip the onnxruntime-vs-PyTorch check',
    )
    parser.add_argument(
        '--opset', type=int, default=None, help="ONNX opset (torch's default)"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    result = export_onnx(
        args.config,
        args.checkpoint,
        args.out,
        opset=args.opset,
        check=not args.no_check,
    )
    outputs = ', '.join(
        f'{name} {shape}' for name, shape in result['output_shapes'].items()
    )
    print(
        f'Wrote {result["path"]} (opset {result["opset"]}): '
        f'{result["input_name"]} {result["input_shape"]} -> {outputs}'
    )
    if result['max_abs_diff'] is None:
        print('Check skipped (--no-check)')
    else:
        for batch, diffs in result['max_abs_diff'].items():
            text = ', '.join(f'{k} {v:.3g}' for k, v in diffs.items())
            print(f'Check passed, batch {batch}: max |ort - torch| {text}')


if __name__ == '__main__':
    main()
