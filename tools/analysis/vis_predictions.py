# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Draw several models' predictions side by side on val images.

    python tools/analysis/vis_predictions.py DATA_ROOT \
        --model 'student alone' CONFIG CHECKPOINT \
        --model 'Multi-KD' CONFIG CHECKPOINT \
        --model teacher CONFIG CHECKPOINT \
        [--num 4] [--seed 0] [--indices 3 17 ...] [--tile 240] \
        [--out docs/images/lsp_predictions.png]

One row per val image of DATA_ROOT (an MPII-format data root, e.g. the
output of ``tools/dataset_converters/lsp2mpii.py``), one column for the
ground truth and one per ``--model``. Each model predicts through MMPose's
``inference_topdown`` on the val box that ``MpiiDataset`` loads (the box
MMPose scores), and its skeleton is drawn by MMPose's visualizer of its
config. A CONFIG/CHECKPOINT is a plain MMPose model or a
``MultiKDDistiller`` config and checkpoint (its student is drawn,
:func:`mmpose_multikd.apis.init_student`). Each tile is cropped to the
person box and captioned with the number of scored joints within half a
head size of the ground truth (MPII's PCKh@0.5 joints: pelvis and thorax
are not scored).
"""

import argparse
import os
import os.path as osp
from typing import List, Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.apis import inference_topdown
from mmpose.registry import DATASETS, VISUALIZERS
from mmpose.structures import PoseDataSample

from mmpose_multikd.apis import init_student, pose_data_sample
from mmpose_multikd.data_prep import data_root_options

# MpiiPCKAccuracy leaves pelvis (6) and thorax (7) out of its mean
UNSCORED_JOINTS = (6, 7)
CAPTION_H = 24


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='MPII-format data root')
    parser.add_argument(
        '--model',
        nargs=3,
        action='append',
        metavar=('LABEL', 'CONFIG', 'CHECKPOINT'),
        required=True,
        help='a column: its label, config and checkpoint (repeat)',
    )
    parser.add_argument('--num', type=int, default=4, help='val images')
    parser.add_argument('--seed', type=int, default=0, help='image choice')
    parser.add_argument(
        '--indices', type=int, nargs='+', help='val indices (not --num)'
    )
    parser.add_argument('--tile', type=int, default=240, help='tile side')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--out', default='predictions.png', help='picture (%(default)s)'
    )
    return parser.parse_args(argv)


def pckh_hits(
    pred: np.ndarray,
    gt: np.ndarray,
    visible: np.ndarray,
    head_size: float,
    thr: float = 0.5,
    unscored: Sequence[int] = UNSCORED_JOINTS,
) -> Tuple[int, int]:
    """Scored joints within ``thr`` head sizes of the ground truth.

    A joint ``k`` counts where it is labelled (``visible[k] > 0``) and not
    in ``unscored``; it is a hit where ``||pred_k - gt_k|| <= thr *
    head_size`` (MPII's PCKh).

    Args:
        pred (np.ndarray): ``(K, 2)`` predicted pixels.
        gt (np.ndarray): ``(K, 2)`` labelled pixels.
        visible (np.ndarray): ``(K,)`` labels' flags.
        head_size (float): MPII's head size (0.6 x head box diagonal).
        thr (float): Threshold in head sizes.
        unscored (Sequence[int]): Joints left out.

    Returns:
        tuple: ``(hits, scored joints)``.
    """
    scored = np.asarray(visible).reshape(-1) > 0
    scored[list(unscored)] = False
    distance = np.linalg.norm(np.asarray(pred) - np.asarray(gt), axis=-1)
    hits = scored & (distance <= thr * head_size)
    return int(hits.sum()), int(scored.sum())


def val_dataset(config: str, data_root: str):
    """MMPose's val dataset of ``config`` over ``data_root`` (no
    pipeline: the raw records MpiiDataset loads, with ``head_size``)."""
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(data_root_options(data_root))
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    dataset_cfg = cfg.val_dataloader.dataset.copy()
    dataset_cfg.update(pipeline=[], test_mode=True)
    return DATASETS.build(dataset_cfg)


def choose_indices(size: int, num: int, seed: int) -> List[int]:
    """``num`` val indices, a seeded choice, in order."""
    if num > size:
        raise ValueError(f'--num {num}: the val set holds {size} records')
    rng = np.random.default_rng(seed)
    return sorted(int(i) for i in rng.permutation(size)[:num])


def render(
    visualizer, image: np.ndarray, pose: PoseDataSample, kpt_thr: float
) -> np.ndarray:
    """``image`` (RGB) with ``pose.pred_instances`` drawn by MMPose."""
    visualizer.add_datasample(
        'prediction',
        image,
        data_sample=pose,
        draw_gt=False,
        draw_bbox=False,
        kpt_thr=kpt_thr,
        show=False,
    )
    return visualizer.get_image()


def crop_tile(
    image: np.ndarray, bbox: np.ndarray, tile: int, caption: str
) -> np.ndarray:
    """The person box of ``image`` (RGB), padded to a square of side
    ``tile`` with a caption strip below."""
    x1, y1, x2, y2 = bbox
    side = max(x2 - x1, y2 - y1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    height, width = image.shape[:2]
    left, top = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    right = int(min(width, cx + side / 2))
    bottom = int(min(height, cy + side / 2))
    crop = image[top:bottom, left:right]
    zoom = tile / max(crop.shape[:2])
    crop = cv2.resize(
        crop,
        (
            max(1, round(crop.shape[1] * zoom)),
            max(1, round(crop.shape[0] * zoom)),
        ),
        interpolation=cv2.INTER_AREA,
    )
    canvas = np.full((tile + CAPTION_H, tile, 3), 255, np.uint8)
    canvas[: crop.shape[0], : crop.shape[1]] = crop
    cv2.putText(
        canvas,
        caption,
        (4, tile + CAPTION_H - 8),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.45,
        (0, 0, 0),
        1,
        cv2.LINE_AA,
    )
    return canvas


def main(argv=None) -> int:
    args = parse_args(argv)
    labels = [label for label, _, _ in args.model]
    models = [
        init_student(config, checkpoint, device=args.device)
        for _, config, checkpoint in args.model
    ]
    dataset = val_dataset(args.model[0][1], args.data_root)
    indices = args.indices or choose_indices(len(dataset), args.num, args.seed)
    visualizer = VISUALIZERS.build(models[0].cfg.visualizer)
    visualizer.set_dataset_meta(models[0].dataset_meta)

    rows = []
    for index in indices:
        info = dataset.get_data_info(index)
        image = mmcv.imread(info['img_path'], channel_order='rgb')
        bbox = np.asarray(info['bbox'], np.float32).reshape(1, 4)
        gt = np.asarray(info['keypoints'], np.float32).reshape(-1, 2)
        visible = np.asarray(info['keypoints_visible']).reshape(-1)
        head_size = float(np.asarray(info['head_size']).reshape(-1)[0])
        side = max(bbox[0, 2] - bbox[0, 0], bbox[0, 3] - bbox[0, 1])
        visualizer.radius = max(2, round(side / 80))
        visualizer.line_width = max(1, round(side / 120))

        gt_pose = pose_data_sample(
            gt[None], visible[None].astype(np.float32), bbox
        )
        name = osp.basename(info['img_path'])
        tiles = [
            crop_tile(
                render(visualizer, image, gt_pose, kpt_thr=0.5),
                bbox[0],
                args.tile,
                f'ground truth ({name})',
            )
        ]
        for label, model in zip(labels, models):
            (result,) = inference_topdown(model, info['img_path'], bbox)
            pred = result.pred_instances.keypoints[0]
            hits, scored = pckh_hits(pred, gt, visible, head_size)
            pose = pose_data_sample(
                pred[None], np.ones((1, len(pred)), np.float32), bbox
            )
            tiles.append(
                crop_tile(
                    render(visualizer, image, pose, kpt_thr=0.0),
                    bbox[0],
                    args.tile,
                    f'{label}: {hits}/{scored} within 0.5 head',
                )
            )
        rows.append(np.concatenate(tiles, axis=1))

    picture = np.concatenate(rows, axis=0)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    mmcv.imwrite(picture[..., ::-1], args.out)
    print(
        f'wrote {args.out}: {len(indices)} val images '
        f'(indices {indices}) x ground truth + {", ".join(labels)}'
    )
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
