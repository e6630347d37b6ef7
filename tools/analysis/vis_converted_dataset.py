# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Draw samples of an MPII-format data root from its files, to check them.

    python tools/analysis/vis_converted_dataset.py DATA_ROOT \
        [--out docs/images/lsp_converted_skeletons.png] [--num 8] \
        [--split both|train|val] [--seed 0] [--tile 280]

Reads what MMPose's ``MpiiDataset`` reads (``annotations/mpii_*.json``,
``annotations/mpii_gt_val.mat``, ``images/``), e.g. the output of
``tools/dataset_converters/lsp2mpii.py``, and draws a grid of samples:
the skeleton with left limbs in blue and right limbs in orange (joints
labelled ``L*``/``R*``: shoulder, wrist, ankle), the centre line in
green, the person box MMPose loads (``center``, ``scale * 200``, grey) and,
for val images, the head box (yellow) with its PCKh head size. The JSON's
coordinates are 1-based (MATLAB, as MPII's): a joint at ``x`` is drawn at
pixel ``x - 1``. With ``--split both`` half the samples come from each
split.
"""

import argparse
import json
import os
import os.path as osp
from typing import List

import cv2
import numpy as np

# MPII joints: 0 r_ankle, 1 r_knee, 2 r_hip, 3 l_hip, 4 l_knee, 5 l_ankle,
# 6 pelvis, 7 thorax, 8 upper_neck, 9 head_top, 10 r_wrist, 11 r_elbow,
# 12 r_shoulder, 13 l_shoulder, 14 l_elbow, 15 l_wrist.
LEFT_LINKS = ((3, 4), (4, 5), (13, 14), (14, 15))
RIGHT_LINKS = ((2, 1), (1, 0), (12, 11), (11, 10))
CENTRE_LINKS = (
    (6, 7),
    (7, 8),
    (8, 9),
    (6, 2),
    (6, 3),
    (7, 12),
    (7, 13),
    (2, 3),
    (12, 13),
)
LABELS = {13: 'LS', 15: 'LW', 5: 'LA', 12: 'RS', 10: 'RW', 0: 'RA'}
LEFT_JOINTS = (3, 4, 5, 13, 14, 15)
RIGHT_JOINTS = (0, 1, 2, 10, 11, 12)
# BGR
LEFT_COLOUR = (230, 120, 20)
RIGHT_COLOUR = (20, 140, 255)
CENTRE_COLOUR = (60, 200, 60)
BOX_COLOUR = (170, 170, 170)
HEAD_COLOUR = (0, 230, 255)
CAPTION_H = 22
PIXEL_STD, CENTER_SHIFT, HEAD_SIZE_FACTOR = 200.0, 15.0, 0.6


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='MPII-format data root')
    parser.add_argument(
        '--out',
        default='lsp_converted_skeletons.png',
        help='picture to write (%(default)s)',
    )
    parser.add_argument('--num', type=int, default=8, help='samples')
    parser.add_argument(
        '--split', choices=('both', 'train', 'val'), default='both'
    )
    parser.add_argument('--seed', type=int, default=0, help='sample choice')
    parser.add_argument('--tile', type=int, default=280, help='tile side')
    parser.add_argument('--cols', type=int, default=4, help='grid columns')
    return parser.parse_args()


def load_split(data_root: str, split: str) -> List[dict]:
    """The records of ``mpii_<split>.json`` (val ones with ``headbox``)."""
    with open(osp.join(data_root, 'annotations', f'mpii_{split}.json')) as f:
        records = json.load(f)
    for record in records:
        record['split'] = split
    if split == 'val':
        from scipy.io import loadmat

        mat = loadmat(osp.join(data_root, 'annotations', 'mpii_gt_val.mat'))
        boxes = np.transpose(mat['headboxes_src'], [2, 0, 1])
        if len(boxes) != len(records):
            raise ValueError(
                f'{data_root}: {len(records)} val records but '
                f'{len(boxes)} head boxes'
            )
        for record, box in zip(records, boxes):
            record['headbox'] = box
    return records


def choose(data_root: str, split: str, num: int, seed: int) -> List[dict]:
    """``num`` records, a seeded choice (half from each split for both)."""
    rng = np.random.default_rng(seed)
    splits = ('train', 'val') if split == 'both' else (split,)
    chosen = []
    for k, name in enumerate(splits):
        records = load_split(data_root, name)
        count = num // len(splits) + (k < num % len(splits))
        picks = rng.permutation(len(records))[:count]
        chosen += [records[i] for i in sorted(picks)]
    return chosen


def _pt(xy: np.ndarray, zoom: float) -> tuple:
    """A 1-based annotation point as an integer pixel of the zoomed tile."""
    pixel = (np.asarray(xy, np.float64) - 1.0 + 0.5) * zoom - 0.5
    return tuple(int(round(v)) for v in pixel)


def draw_record(data_root: str, record: dict, tile: int) -> np.ndarray:
    """One tile: the image with the record's skeleton and boxes."""
    path = osp.join(data_root, 'images', record['image'])
    image = cv2.imread(path)
    if image is None:
        raise FileNotFoundError(f'{path}: cannot read the image')
    height, width = image.shape[:2]
    zoom = tile / max(height, width)
    image = cv2.resize(
        image,
        (max(1, round(width * zoom)), max(1, round(height * zoom))),
        interpolation=cv2.INTER_LINEAR,
    )
    joints = np.asarray(record['joints'], np.float64)
    vis = np.asarray(record['joints_vis']) > 0
    line = max(1, round(tile / 150))

    # the person box MpiiDataset loads: centre moved down by 15 * scale
    scale = record['scale']
    center = np.array(record['center'], np.float64)
    center[1] += CENTER_SHIFT * scale
    half = scale * PIXEL_STD / 2
    cv2.rectangle(
        image, _pt(center - half, zoom), _pt(center + half, zoom), BOX_COLOUR
    )
    head_text = ''
    if 'headbox' in record:
        (x1, y1), (x2, y2) = record['headbox']
        cv2.rectangle(
            image, _pt((x1, y1), zoom), _pt((x2, y2), zoom), HEAD_COLOUR, line
        )
        size = HEAD_SIZE_FACTOR * np.hypot(x2 - x1, y2 - y1)
        head_text = f' head {size:.1f}px'

    for links, colour in (
        (CENTRE_LINKS, CENTRE_COLOUR),
        (LEFT_LINKS, LEFT_COLOUR),
        (RIGHT_LINKS, RIGHT_COLOUR),
    ):
        for a, b in links:
            if vis[a] and vis[b]:
                cv2.line(
                    image,
                    _pt(joints[a], zoom),
                    _pt(joints[b], zoom),
                    colour,
                    line + 1,
                    cv2.LINE_AA,
                )
    for j in np.flatnonzero(vis):
        colour = (
            LEFT_COLOUR
            if j in LEFT_JOINTS
            else RIGHT_COLOUR
            if j in RIGHT_JOINTS
            else CENTRE_COLOUR
        )
        cv2.circle(image, _pt(joints[j], zoom), line + 2, colour, -1)
        cv2.circle(image, _pt(joints[j], zoom), line + 2, (255, 255, 255), 1)
        if j in LABELS:
            x, y = _pt(joints[j], zoom)
            _text(image, LABELS[j], (x + 5, y - 4), colour, 0.45)

    canvas = np.full((tile + CAPTION_H, tile, 3), 255, np.uint8)
    canvas[: image.shape[0], : image.shape[1]] = image
    _text(
        canvas,
        f'{record["split"]} {record["image"]} ({width}x{height}){head_text}',
        (4, tile + CAPTION_H - 7),
        (0, 0, 0),
        0.42,
        outline=False,
    )
    return canvas


def _text(
    image: np.ndarray,
    text: str,
    org: tuple,
    colour: tuple,
    size: float,
    outline: bool = True,
) -> None:
    font = cv2.FONT_HERSHEY_SIMPLEX
    if outline:
        cv2.putText(image, text, org, font, size, (255, 255, 255), 3)
    cv2.putText(image, text, org, font, size, colour, 1, cv2.LINE_AA)


def legend(width: int) -> np.ndarray:
    strip = np.full((28, width, 3), 255, np.uint8)
    x = 6
    for text, colour in (
        ('left limbs (L*)', LEFT_COLOUR),
        ('right limbs (R*)', RIGHT_COLOUR),
        ('centre', CENTRE_COLOUR),
        ('person box (scale x 200)', BOX_COLOUR),
        ('head box, val (0.6 x diag = head size)', HEAD_COLOUR),
    ):
        cv2.rectangle(strip, (x, 9), (x + 14, 21), colour, -1)
        _text(strip, text, (x + 19, 20), (0, 0, 0), 0.42, outline=False)
        x += 28 + 8 * len(text)
    return strip


def render_grid(
    data_root: str,
    records: List[dict],
    tile: int = 280,
    cols: int = 4,
) -> np.ndarray:
    """The tiles of ``records`` in a grid, with a legend below."""
    tiles = [draw_record(data_root, r, tile) for r in records]
    rows = -(-len(tiles) // cols)
    gap = 4
    height = rows * (tile + CAPTION_H + gap)
    width = cols * (tile + gap) - gap
    grid = np.full((height, width, 3), 255, np.uint8)
    for k, t in enumerate(tiles):
        r, c = divmod(k, cols)
        y, x = r * (tile + CAPTION_H + gap), c * (tile + gap)
        grid[y : y + t.shape[0], x : x + t.shape[1]] = t
    return np.concatenate([grid, legend(width)])


def main() -> None:
    args = parse_args()
    records = choose(args.data_root, args.split, args.num, args.seed)
    grid = render_grid(args.data_root, records, args.tile, args.cols)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, grid, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f'{args.out}: cannot write the picture')
    print(f'Wrote {args.out} ({len(records)} samples)')


if __name__ == '__main__':
    main()
