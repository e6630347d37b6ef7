# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Run an exported student with onnxruntime on one image and draw it.

    python tools/deploy/onnx_infer.py student.onnx CONFIG person.jpg \
        [--bbox x1 y1 x2 y2] [--out vis.png] [--no-flip]

The crop and normalisation are those of CONFIG's test pipeline and data
preprocessor (as ``mmpose.apis.inference_topdown``), the flip test follows
CONFIG's ``model.test_cfg.flip_test`` (``--no-flip`` turns it off), and
the logits are decoded by ``mmpose_multikd.apis.decode_simcc``. The
skeleton is drawn with MMPose's visualizer (as ``tools/demo_image.py``)
and the keypoints are written as JSON beside the picture (``<out>.json``).
No box: the whole image.
"""

import argparse

import numpy as np
from mmpose.apis.inference import dataset_meta_from_config

from mmpose_multikd.apis import (
    draw_pose,
    onnx_runner,
    pose_data_sample,
    predict_topdown,
    student_config,
    write_pose_json,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('model', help='ONNX file from export_onnx.py')
    parser.add_argument('config', help='student or MultiKDDistiller config')
    parser.add_argument('image', help='input image')
    parser.add_argument(
        '--bbox', type=float, nargs=4, help='person box x1 y1 x2 y2'
    )
    parser.add_argument('--out', default='vis.png', help='output picture')
    parser.add_argument('--no-flip', action='store_true', help='no flip test')
    parser.add_argument('--kpt-thr', type=float, default=0.0)
    parser.add_argument('--radius', type=int, default=3)
    parser.add_argument('--thickness', type=int, default=1)
    parser.add_argument(
        '--threads', type=int, default=0, help='onnxruntime threads (0: auto)'
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = student_config(args.config)
    dataset_meta = dataset_meta_from_config(cfg, dataset_mode='train')
    bboxes = None if args.bbox is None else np.array([args.bbox])
    result = predict_topdown(
        onnx_runner(args.model, num_threads=args.threads),
        cfg,
        args.image,
        bboxes,
        flip_test=False if args.no_flip else None,
        dataset_meta=dataset_meta,
    )
    pose = pose_data_sample(**result)
    draw_pose(
        cfg.visualizer,
        dataset_meta,
        args.image,
        pose,
        args.out,
        radius=args.radius,
        thickness=args.thickness,
        kpt_thr=args.kpt_thr,
    )
    write_pose_json(pose, f'{args.out}.json')
    print(
        f'{len(result["bboxes"])} person(s); wrote {args.out} and '
        f'{args.out}.json'
    )


if __name__ == '__main__':
    main()
