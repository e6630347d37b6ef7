# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Writing the MPII files: JSON records, the head-box ``.mat``, images.

``generate_synthetic_mpii`` renders every sample from its own seeded
generator and writes ``images/*.png`` and ``annotations/{mpii_train.json,
mpii_val.json, mpii_gt_val.mat}`` (1-based coordinates; the ``.mat`` has
a fixed header so that the same seed gives byte-identical files).

The writers (``mpii_record``, ``write_mpii_json``, ``write_mpii_gt_mat``)
are shared with the other producers of MPII-format data (e.g. the LSP
converter, ``mmpose_multikd.data_prep.lsp``).
"""

import io
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import cv2
import numpy as np

from .render import render_sample
from .skeleton import MPII_CENTER_SHIFT, NUM_JOINTS, SyntheticSample

_MAT_HEADER = b'MATLAB 5.0 MAT-file, Platform: posix, Created by: mmpose_multikd synthetic_mpii'  # noqa: E501


def _r(x: float) -> float:
    return round(float(x), 3)


def mpii_record(
    image_name: str,
    center: Sequence[float],
    scale: float,
    joints: Sequence[Sequence[float]],
    joints_vis: Sequence[int],
) -> dict:
    """An MPII JSON record from values already in MPII's convention.

    Args:
        image_name (str): file name under ``images/``.
        center (sequence of float): ``[x, y]`` as written (1-based, before
            the ``15 * scale`` shift ``MpiiDataset`` adds when loading).
        scale (float): person box size / 200.
        joints (sequence): 16 ``[x, y]`` (1-based, MPII order).
        joints_vis (sequence of int): 16 flags, 1 for a labelled joint.

    Returns:
        dict: ``image``, ``center``, ``scale``, ``joints``, ``joints_vis``
        (coordinates rounded to 1/1000 px, scale to 6 decimals).
    """
    cx, cy = center
    return {
        'image': image_name,
        'center': [_r(cx), _r(cy)],
        'scale': round(float(scale), 6),
        'joints': [[_r(x), _r(y)] for x, y in joints],
        'joints_vis': [int(v) for v in joints_vis],
    }


def to_mpii_record(sample: SyntheticSample, image_name: str) -> dict:
    """The MPII JSON record of a sample (1-based coordinates).

    The centre is moved up by ``15 * scale`` pixels to cancel the shift
    MMPose's ``MpiiDataset`` applies when loading.

    Args:
        sample (SyntheticSample): the rendered sample (0-based).
        image_name (str): file name under ``images/``.

    Returns:
        dict: ``image``, ``center``, ``scale``, ``joints``, ``joints_vis``.
    """
    cx, cy = sample.center + 1.0
    cy -= MPII_CENTER_SHIFT * sample.scale
    return mpii_record(
        image_name,
        (cx, cy),
        sample.scale,
        [(x + 1, y + 1) for x, y in sample.joints],
        sample.joints_vis,
    )


def _savemat_deterministic(
    path: str, data: dict, header: bytes = _MAT_HEADER
) -> None:
    """``scipy.io.savemat`` with a fixed header (no creation time)."""
    from scipy.io import savemat

    buf = io.BytesIO()
    savemat(buf, data)
    raw = bytearray(buf.getvalue())
    raw[:116] = header.ljust(116, b' ')[:116]
    with open(path, 'wb') as f:
        f.write(bytes(raw))


def write_mpii_json(path: str, records: List[dict]) -> None:
    """Write a list of MPII records (``mpii_{train,val}.json``)."""
    with open(path, 'w') as f:
        json.dump(records, f)


def write_mpii_gt_mat(
    path: str,
    headboxes: np.ndarray,
    joints: np.ndarray,
    joints_missing: np.ndarray,
    header: bytes = _MAT_HEADER,
) -> None:
    """Write ``mpii_gt_val.mat`` in MPII's layout.

    MMPose's ``MpiiDataset`` (``headbox_file``) reads ``headboxes_src``
    and takes ``0.6 * ||(x2, y2) - (x1, y1)||`` of each box as the PCKh
    head size; ``pos_gt_src`` and ``jnt_missing`` complete MPII's file.
    Record ``i`` of ``mpii_val.json`` goes with box ``i``.

    Args:
        path (str): the ``.mat`` file to write.
        headboxes (np.ndarray): ``(N, 2, 2)`` boxes ``[[x1, y1], [x2, y2]]``
            (1-based).
        joints (np.ndarray): ``(N, 16, 2)`` joints (1-based).
        joints_missing (np.ndarray): ``(N, 16)``, 1 for an unlabelled joint.
        header (bytes): the fixed 116-byte text header (no creation time,
            so that the same input gives the same bytes).
    """
    n = len(headboxes)
    _savemat_deterministic(
        path,
        {
            # MPII layout: (2, 2, N), (16, 2, N), (16, N).
            'headboxes_src': np.transpose(
                np.asarray(headboxes, np.float64).reshape(n, 2, 2),
                [1, 2, 0],
            ),
            'pos_gt_src': np.transpose(
                np.asarray(joints, np.float64).reshape(n, 16, 2),
                [1, 2, 0],
            ),
            'jnt_missing': np.asarray(joints_missing, np.uint8)
            .reshape(n, 16)
            .T,
        },
        header,
    )


def generate_synthetic_mpii(
    out_dir: str,
    num_train: int = 400,
    num_val: int = 100,
    image_size: int = 256,
    seed: int = 0,
    *,
    occlusion_prob: float = 0.35,
    distractor_prob: float = 0.7,
    truncation_prob: float = 0.15,
    back_view_prob: float = 0.1,
) -> dict:
    """Write a synthetic MPII-format dataset that ``MpiiDataset`` reads.

    Sample ``i`` of a split is rendered from
    ``np.random.default_rng([seed, split, i])`` (split 0 train, 1 val), so
    the files are a pure function of the arguments. Images are named
    ``000000000001.png`` ... (train first, then val; unique integers, as
    ``MpiiDataset`` uses ``int(name)`` as the image id).

    Args:
        out_dir (str): the data root to write (created if needed).
        num_train (int): number of training images (one person each).
        num_val (int): number of validation images.
        image_size (int): side of the square images in pixels.
        seed (int): non-negative random seed.
        occlusion_prob (float): probability of occluders per image.
        distractor_prob (float): probability of figure-like clutter.
        truncation_prob (float): probability that the figure crosses the
            image border.
        back_view_prob (float): probability of a figure seen from behind.

    Returns:
        dict: ``data_root``, ``img_dir``, ``train_ann``, ``val_ann``,
        ``headbox_file``, ``num_train``, ``num_val``, ``image_size``,
        ``seed`` and ``visible_fraction`` (share of joints with
        ``joints_vis`` 1).
    """
    if seed < 0:
        raise ValueError(f'seed must be non-negative, got {seed}')
    img_dir = osp.join(out_dir, 'images')
    ann_dir = osp.join(out_dir, 'annotations')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    options = dict(
        occlusion_prob=occlusion_prob,
        distractor_prob=distractor_prob,
        truncation_prob=truncation_prob,
        back_view_prob=back_view_prob,
    )

    image_id = 0
    visible = 0
    records: Dict[str, List[dict]] = {}
    headboxes, gt_joints, missing = [], [], []
    for split, (name, count) in enumerate(
        (('train', num_train), ('val', num_val))
    ):
        records[name] = []
        for i in range(count):
            image_id += 1
            rng = np.random.default_rng([seed, split, i])
            sample = render_sample(rng, image_size, **options)
            file_name = f'{image_id:012d}.png'
            cv2.imwrite(osp.join(img_dir, file_name), sample.image)
            records[name].append(to_mpii_record(sample, file_name))
            visible += int(sample.joints_vis.sum())
            if name == 'val':
                headboxes.append(sample.headbox + 1.0)
                gt_joints.append(sample.joints + 1.0)
                missing.append(1 - sample.joints_vis)

    paths = {}
    for name in ('train', 'val'):
        paths[name] = osp.join(ann_dir, f'mpii_{name}.json')
        write_mpii_json(paths[name], records[name])
    headbox_file = osp.join(ann_dir, 'mpii_gt_val.mat')
    write_mpii_gt_mat(headbox_file, headboxes, gt_joints, missing)
    total = num_train + num_val
    return dict(
        data_root=out_dir,
        img_dir=img_dir,
        train_ann=paths['train'],
        val_ann=paths['val'],
        headbox_file=headbox_file,
        num_train=num_train,
        num_val=num_val,
        image_size=image_size,
        seed=seed,
        visible_fraction=round(visible / max(1, total * NUM_JOINTS), 4),
    )
