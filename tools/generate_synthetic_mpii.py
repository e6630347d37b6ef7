# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Generate a synthetic MPII-format dataset (rendered articulated figures).

Writes ``images/*.png`` and ``annotations/{mpii_train.json, mpii_val.json,
mpii_gt_val.mat}`` under OUT_DIR, the layout MMPose's ``MpiiDataset`` reads
(see ``mmpose_multikd/data_prep/synthetic_mpii/`` for the format and its
1-based coordinates). Example::

    python tools/generate_synthetic_mpii.py data/synthetic_mpii \\
        --num-train 400 --num-val 100 --image-size 256 --seed 0 \\
        --preview work_dirs/synthetic_mpii_preview.png
"""

import argparse
import json
import os
import os.path as osp
import time
from typing import List, Optional

import cv2
import numpy as np

from mmpose_multikd.data_prep import generate_synthetic_mpii

# MPII limbs (joint index pairs) and their preview colours (BGR):
# right side red, left side blue, centre line green.
SKELETON = (
    ((0, 1), (0, 0, 255)),
    ((1, 2), (0, 0, 255)),
    ((2, 6), (0, 0, 255)),
    ((3, 6), (255, 0, 0)),
    ((3, 4), (255, 0, 0)),
    ((4, 5), (255, 0, 0)),
    ((6, 7), (0, 255, 0)),
    ((7, 8), (0, 255, 0)),
    ((8, 9), (0, 255, 0)),
    ((10, 11), (0, 0, 255)),
    ((11, 12), (0, 0, 255)),
    ((12, 7), (0, 0, 255)),
    ((13, 7), (255, 0, 0)),
    ((13, 14), (255, 0, 0)),
    ((14, 15), (255, 0, 0)),
)
RIGHT = (0, 1, 2, 10, 11, 12)
LEFT = (3, 4, 5, 13, 14, 15)


def draw_annotation(image: np.ndarray, record: dict) -> np.ndarray:
    """Draw an MPII record (1-based coordinates) onto a copy of its image.

    Visible joints are dots, invisible ones crosses; the person box is the
    square of side ``scale * 200`` around the centre as ``MpiiDataset``
    loads it (moved down by ``15 * scale``, then made 0-based).

    Args:
        image (np.ndarray): BGR image.
        record (dict): the record from ``mpii_*.json``.

    Returns:
        np.ndarray: the annotated copy.
    """
    out = image.copy()
    joints = np.asarray(record['joints'], np.float64) - 1.0
    vis = np.asarray(record['joints_vis'])
    pts = [tuple(int(round(v)) for v in p) for p in joints]
    for (a, b), colour in SKELETON:
        if vis[a] and vis[b]:
            cv2.line(out, pts[a], pts[b], colour, 1, cv2.LINE_AA)
    for k, p in enumerate(pts):
        colour = (
            (0, 0, 255)
            if k in RIGHT
            else (255, 0, 0)
            if k in LEFT
            else (0, 255, 0)
        )
        if vis[k]:
            cv2.circle(out, p, 2, colour, -1, cv2.LINE_AA)
        else:
            cv2.drawMarker(out, p, colour, cv2.MARKER_TILTED_CROSS, 5, 1)
    scale = record['scale']
    cx = record['center'][0] - 1
    cy = record['center'][1] + 15 * scale - 1
    half = scale * 100
    cv2.rectangle(
        out,
        (int(round(cx - half)), int(round(cy - half))),
        (int(round(cx + half)), int(round(cy + half))),
        (255, 255, 255),
        1,
    )
    return out


def write_preview(
    data_root: str, path: str, num: int = 8, cols: int = 4
) -> str:
    """Write a grid of the first training samples with their annotations.

    Args:
        data_root (str): a generated data root.
        path (str): the PNG to write.
        num (int): number of samples.
        cols (int): samples per row.

    Returns:
        str: ``path``.
    """
    with open(osp.join(data_root, 'annotations', 'mpii_train.json')) as f:
        records = json.load(f)[:num]
    if not records:
        raise ValueError('no training samples to preview')
    tiles = [
        draw_annotation(
            cv2.imread(osp.join(data_root, 'images', r['image'])), r
        )
        for r in records
    ]
    while len(tiles) % cols:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [
        np.concatenate(tiles[i : i + cols], 1)
        for i in range(0, len(tiles), cols)
    ]
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    cv2.imwrite(path, np.concatenate(rows, 0))
    return path


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument('out_dir', help='data root to write')
    parser.add_argument(
        '--num-train', type=int, default=400, help='training images'
    )
    parser.add_argument(
        '--num-val', type=int, default=100, help='validation images'
    )
    parser.add_argument(
        '--image-size', type=int, default=256, help='square image side'
    )
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--occlusion-prob',
        type=float,
        default=0.35,
        help='probability of occluders over the figure',
    )
    parser.add_argument(
        '--distractor-prob',
        type=float,
        default=0.7,
        help='probability of figure-like clutter',
    )
    parser.add_argument(
        '--truncation-prob',
        type=float,
        default=0.15,
        help='probability that the figure crosses the image border',
    )
    parser.add_argument(
        '--back-view-prob',
        type=float,
        default=0.1,
        help='probability of a figure seen from behind',
    )
    parser.add_argument(
        '--preview',
        metavar='PATH',
        help='also write a PNG grid of training samples with their joints',
    )
    parser.add_argument(
        '--preview-num', type=int, default=8, help='samples in the preview'
    )
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    start = time.perf_counter()
    summary = generate_synthetic_mpii(
        args.out_dir,
        num_train=args.num_train,
        num_val=args.num_val,
        image_size=args.image_size,
        seed=args.seed,
        occlusion_prob=args.occlusion_prob,
        distractor_prob=args.distractor_prob,
        truncation_prob=args.truncation_prob,
        back_view_prob=args.back_view_prob,
    )
    seconds = time.perf_counter() - start
    if args.preview:
        summary['preview'] = write_preview(
            args.out_dir, args.preview, args.preview_num
        )
    print(json.dumps(summary, indent=2))
    total = args.num_train + args.num_val
    print(
        f'{total} images in {seconds:.1f} s '
        f'({1000 * seconds / max(total, 1):.1f} ms per image)'
    )
    return summary


if __name__ == '__main__':
    main()
