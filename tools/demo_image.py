# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Draw a (distilled) student's skeleton on an image with MMPose.

    python tools/demo_image.py \
        configs/simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py \
        litehrnet18_multikd.pth person.jpg --out vis.png [--bbox x1 y1 x2 y2]

Boxes: ``--bbox``; or, given an MMDetection detector config and checkpoint
(``--det-config``/``--det-checkpoint``), the detected persons (MMPose's
top-down-with-detector pattern); otherwise the whole image. The keypoints
are also written as JSON beside the picture (``<out>.json``).
"""

import argparse
import json
import os
import os.path as osp
from typing import Optional

import mmcv
import numpy as np
from mmpose.apis import inference_topdown, init_model
from mmpose.registry import VISUALIZERS
from mmpose.structures import merge_data_samples


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='pose model config (the student)')
    parser.add_argument('checkpoint', help='pose model checkpoint')
    parser.add_argument('image', help='input image')
    parser.add_argument('--out', default='vis.png', help='output picture')
    parser.add_argument(
        '--bbox', type=float, nargs=4, help='person box x1 y1 x2 y2'
    )
    parser.add_argument('--det-config', help='MMDetection config')
    parser.add_argument('--det-checkpoint', help='MMDetection checkpoint')
    parser.add_argument('--det-cat-id', type=int, default=0)
    parser.add_argument('--bbox-thr', type=float, default=0.3)
    parser.add_argument('--kpt-thr', type=float, default=0.0)
    parser.add_argument('--radius', type=int, default=3)
    parser.add_argument('--thickness', type=int, default=1)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args()


def detect_persons(args: argparse.Namespace) -> np.ndarray:
    """Person boxes from an MMDetection detector, as MMPose's demo does."""
    from mmdet.apis import inference_detector, init_detector

    detector = init_detector(
        args.det_config, args.det_checkpoint, device=args.device
    )
    instances = inference_detector(detector, args.image).pred_instances
    keep = (instances.labels == args.det_cat_id) & (
        instances.scores > args.bbox_thr
    )
    return instances.bboxes[keep].cpu().numpy()


def person_boxes(args: argparse.Namespace) -> Optional[np.ndarray]:
    """(N, 4) boxes, or None for the whole image."""
    if args.bbox is not None:
        return np.array([args.bbox], dtype=np.float32)
    if args.det_config or args.det_checkpoint:
        if not (args.det_config and args.det_checkpoint):
            raise ValueError('--det-config and --det-checkpoint go together')
        return detect_persons(args)
    return None


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.image):
        raise FileNotFoundError(f'Image {args.image!r} not found')
    model = init_model(args.config, args.checkpoint, device=args.device)
    results = inference_topdown(model, args.image, person_boxes(args))
    pose = merge_data_samples(results)

    visualizer = VISUALIZERS.build(model.cfg.visualizer)
    visualizer.set_dataset_meta(model.dataset_meta)
    visualizer.radius = args.radius
    visualizer.line_width = args.thickness
    image = mmcv.imread(args.image, channel_order='rgb')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    visualizer.add_datasample(
        'result',
        image,
        data_sample=pose,
        draw_gt=False,
        draw_bbox=True,
        kpt_thr=args.kpt_thr,
        show=False,
        out_file=args.out,
    )

    with open(f'{args.out}.json', 'w') as f:
        json.dump(
            dict(
                keypoints=pose.pred_instances.keypoints.tolist(),
                keypoint_scores=pose.pred_instances.keypoint_scores.tolist(),
                bboxes=pose.pred_instances.bboxes.tolist(),
            ),
            f,
        )
    print(f'{len(results)} person(s); wrote {args.out} and {args.out}.json')


if __name__ == '__main__':
    main()
