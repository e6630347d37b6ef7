# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The rules of the LSP to MPII conversion: joints, person box, head box and
split (see :mod:`mmpose_multikd.data_prep.lsp` for their statement)."""

import math
from typing import List, Optional, Tuple

import numpy as np

from .annotations import (
    DEFAULT_SCALE_FACTOR,
    LSP_TO_MPII,
    MPII_CENTER_SHIFT,
    MPII_HEAD_SIZE_FACTOR,
    MPII_L_HIP,
    MPII_L_SHOULDER,
    MPII_PELVIS,
    MPII_R_HIP,
    MPII_R_SHOULDER,
    MPII_THORAX,
    NUM_MPII_JOINTS,
    PELVIS_THORAX_RULES,
    LSPConversionError,
)


def lsp_to_mpii_joints(
    joints: np.ndarray,
    labelled: np.ndarray,
    pelvis_thorax: str = 'derive',
) -> Tuple[np.ndarray, np.ndarray]:
    """LSP's 14 joints in MPII's 16-joint order.

    Args:
        joints (np.ndarray): ``(..., 14, 2)`` LSP joints.
        labelled (np.ndarray): ``(..., 14)`` bool.
        pelvis_thorax (str): ``'derive'`` (pelvis = mid-hips, thorax =
            mid-shoulders, labelled when both joints are) or
            ``'unlabelled'``.

    Returns:
        tuple: ``(..., 16, 2)`` joints and ``(..., 16)`` int ``joints_vis``;
        unlabelled joints are ``[-1, -1]`` with ``joints_vis`` 0.
    """
    if pelvis_thorax not in PELVIS_THORAX_RULES:
        raise ValueError(
            f'pelvis_thorax must be one of {PELVIS_THORAX_RULES}, got '
            f'{pelvis_thorax!r}'
        )
    joints = np.asarray(joints, np.float64)
    labelled = np.asarray(labelled, bool)
    lead = joints.shape[:-2]
    out = np.zeros(lead + (NUM_MPII_JOINTS, 2), np.float64)
    vis = np.zeros(lead + (NUM_MPII_JOINTS,), bool)
    out[..., LSP_TO_MPII, :] = joints
    vis[..., LSP_TO_MPII] = labelled
    if pelvis_thorax == 'derive':
        for target, (a, b) in (
            (MPII_PELVIS, (MPII_R_HIP, MPII_L_HIP)),
            (MPII_THORAX, (MPII_R_SHOULDER, MPII_L_SHOULDER)),
        ):
            out[..., target, :] = (out[..., a, :] + out[..., b, :]) / 2
            vis[..., target] = vis[..., a] & vis[..., b]
    out[~vis] = -1.0
    return out, vis.astype(np.int64)


def person_box(joints: np.ndarray, joints_vis: np.ndarray) -> np.ndarray:
    """``[x1, y1, x2, y2]``: the tight box of the labelled joints."""
    points = np.asarray(joints)[np.asarray(joints_vis) > 0]
    if len(points) == 0:
        raise ValueError('no labelled joint')
    return np.concatenate([points.min(axis=0), points.max(axis=0)])


def mpii_center_scale(
    box: np.ndarray, scale_factor: float = DEFAULT_SCALE_FACTOR
) -> Tuple[np.ndarray, float]:
    """MPII's ``center`` and ``scale`` of a person box, as written.

    ``scale = scale_factor * max(w, h) / 200``; ``center`` is the box
    centre moved up by ``15 * scale`` (``MpiiDataset`` moves it back down).

    Args:
        box (np.ndarray): ``[x1, y1, x2, y2]`` (1-based).
        scale_factor (float): box side over the joints' extent.

    Returns:
        tuple: ``center`` ``[x, y]`` and ``scale``.
    """
    x1, y1, x2, y2 = box
    scale = scale_factor * max(x2 - x1, y2 - y1) / 200.0
    center = np.array(
        [(x1 + x2) / 2, (y1 + y2) / 2 - MPII_CENTER_SHIFT * scale]
    )
    return center, float(scale)


def segment_length(start: np.ndarray, end: np.ndarray) -> float:
    """``sqrt(dx^2 + dy^2)`` in plain float64 arithmetic, one rounding per
    operation, so that it is the same number on every machine.

    ``np.linalg.norm`` takes a BLAS dot product whose kernel OpenBLAS picks
    by processor: its AVX-512 kernel rounds differently in the last bit,
    which changed the head boxes of ``mpii_gt_val.mat``, and so the data's
    bytes, between machines.
    """
    dx = float(end[0]) - float(start[0])
    dy = float(end[1]) - float(start[1])
    return math.sqrt(dx * dx + dy * dy)


def head_box(neck: np.ndarray, head_top: np.ndarray) -> np.ndarray:
    """The head box whose MPII head size is the neck-to-head-top distance.

    A square centred on the segment's mid-point with side
    ``d / (0.6 * sqrt(2))``, so that ``0.6 * diagonal == d``.

    Returns:
        np.ndarray: ``(2, 2)`` ``[[x1, y1], [x2, y2]]``.
    """
    neck = np.asarray(neck, np.float64)
    head_top = np.asarray(head_top, np.float64)
    distance = segment_length(neck, head_top)
    half = distance / (MPII_HEAD_SIZE_FACTOR * np.sqrt(2.0)) / 2
    centre = (neck + head_top) / 2
    return np.stack([centre - half, centre + half])


def split_indices(
    usable: np.ndarray,
    val_eligible: np.ndarray,
    num_val: int,
    num_train: Optional[int] = None,
    seed: int = 0,
) -> Tuple[List[int], List[int]]:
    """The seeded train/val split (0-based annotation indices, sorted).

    The usable annotations are shuffled with
    ``numpy.random.default_rng(seed)``; val takes the first ``num_val``
    of them that are also ``val_eligible``, train the rest (its first
    ``num_train`` when given).

    Raises:
        LSPConversionError: not enough eligible annotations.
    """
    if num_val < 0:
        raise LSPConversionError(f'num_val must be >= 0, got {num_val}')
    if num_train is not None and num_train < 1:
        raise LSPConversionError(f'num_train must be >= 1, got {num_train}')
    usable = np.asarray(usable, bool)
    val_eligible = np.asarray(val_eligible, bool) & usable
    order = np.random.default_rng(seed).permutation(np.flatnonzero(usable))
    eligible = [int(i) for i in order if val_eligible[i]]
    if num_val > len(eligible):
        raise LSPConversionError(
            f'--num-val {num_val}: only {len(eligible)} annotations can be '
            'val images (neck and head top labelled, for the head size)'
        )
    val = eligible[:num_val]
    taken = set(val)
    rest = [int(i) for i in order if int(i) not in taken]
    if num_train is not None:
        if num_train > len(rest):
            raise LSPConversionError(
                f'--num-train {num_train}: only {len(rest)} usable '
                f'annotations are left after {num_val} val images'
            )
        rest = rest[:num_train]
    if not rest:
        raise LSPConversionError(
            f'no annotation is left for the train set after {num_val} val '
            'images'
        )
    return sorted(rest), sorted(val)


def dev_indices(
    usable: np.ndarray,
    val_eligible: np.ndarray,
    num_val: int,
    num_train: int,
    num_dev: int,
    seed: int = 0,
) -> List[int]:
    """A dev split for choices, disjoint from :func:`split_indices`' val and
    train (0-based annotation indices, sorted).

    In the same seeded order as :func:`split_indices`, the dev split takes
    the first ``num_dev`` annotations that are ``val_eligible`` (scored
    with the head size) among those neither val nor train.

    Raises:
        LSPConversionError: not enough eligible annotations left.
    """
    if num_dev < 1:
        raise LSPConversionError(f'num_dev must be >= 1, got {num_dev}')
    train, val = split_indices(usable, val_eligible, num_val, num_train, seed)
    taken = set(train) | set(val)
    usable = np.asarray(usable, bool)
    eligible = np.asarray(val_eligible, bool) & usable
    order = np.random.default_rng(seed).permutation(np.flatnonzero(usable))
    left = [int(i) for i in order if eligible[i] and int(i) not in taken]
    if num_dev > len(left):
        raise LSPConversionError(
            f'--num-dev {num_dev}: only {len(left)} annotations outside '
            f'the {len(val)} val and {len(train)} train images can be dev '
            'images (neck and head top labelled, for the head size)'
        )
    return sorted(left[:num_dev])
