# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Draw a (distilled) student's skeleton on an image with MMPose.

    python tools/demo_image.py \
        configs/simdr/simcc_litehrnet18_8xb64-210e_mpii-256x256.py \
        litehrnet18_multikd.pth person.jpg --out vis.png [--bbox x1 y1 x2 y2]

CONFIG/CHECKPOINT: the student's own MMPose config and a plain checkpoint
(``tools/extract_student.py``), or a ``MultiKDDistiller`` config and the
checkpoint its training wrote (e.g.
``configs/demo/multikd_litehrnet18_demo.py`` and
``work_dirs/.../epoch_12.pth``): the student is drawn.

Boxes: ``--bbox``; or, given an MMDetection detector config and checkpoint
(``--det-config``/``--det-checkpoint``), the detected persons (MMPose's
top-down-with-detector pattern); otherwise the whole image. The keypoints
are also written as JSON beside the picture (``<out>.json``).
"""

import argparse
import os.path as osp
from typing import Optional

import numpy as np
from mmpose.apis import inference_topdown
from mmpose.structures import merge_data_samples

from mmpose_multikd.apis import draw_pose, init_student, write_pose_json


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='student or MultiKDDistiller config')
    parser.add_argument(
        'checkpoint', help='student or MultiKDDistiller checkpoint'
    )
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
    # A distiller config and checkpoint give their student; a plain MMPose
    # config and checkpoint give that model (as mmpose.apis.init_model).
    model = init_student(args.config, args.checkpoint, device=args.device)
    results = inference_topdown(model, args.image, person_boxes(args))
    pose = merge_data_samples(results)

    draw_pose(
        model.cfg.visualizer,
        model.dataset_meta,
        args.image,
        pose,
        args.out,
        radius=args.radius,
        thickness=args.thickness,
        kpt_thr=args.kpt_thr,
    )
    write_pose_json(pose, f'{args.out}.json')
    print(f'{len(results)} person(s); wrote {args.out} and {args.out}.json')


if __name__ == '__main__':
    main()
