# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Leeds Sports Pose (LSP and LSP Extended) to MMPose's MPII format.

``convert_lsp_to_mpii`` reads a copy of LSP (``joints.mat`` and
``images/``) and writes what MMPose's ``MpiiDataset`` and
``MpiiPCKAccuracy`` read::

    out_dir/
    ├── images/000001.jpg ...       (symlinks to the LSP images)
    ├── annotations/
    │   ├── mpii_train.json
    │   ├── mpii_val.json
    │   └── mpii_gt_val.mat         (headboxes_src, pos_gt_src, jnt_missing)
    └── lsp2mpii.json               (what was converted, and how)

The rules (also in ``docs/lsp.md``):

**Layout.** ``joints.mat`` holds one matrix ``joints``. The original LSP
(2,000 images) stores it as ``3 x 14 x N``: rows x, y and a flag that is
**1 for an occluded joint and 0 for a visible one** (the reverse of LSPet;
every joint of the original LSP has coordinates, occluded ones where the
annotator estimated them). LSP Extended stores ``14 x 3 x N`` with a flag
that is 1 for a visible joint and 0 for one whose coordinates are not
reliable. The layout is told from the shape; any other shape is an error.

**Labelled joints.** MPII's ``joints_vis`` says whether a joint is
*annotated* (MPII gives annotated but occluded joints ``joints_vis`` 1).
An LSP joint is labelled when it has finite coordinates inside the image
(a margin of ``IMAGE_MARGIN`` pixels allowed: a few annotations sit just
outside the border) and, for LSPet, its flag is 1; in the original LSP
every joint is labelled, whatever its occlusion flag. An unlabelled joint
is written as ``[-1, -1]`` with ``joints_vis`` 0, as MPII does.

**Joints.** LSP's 14 joints map onto MPII's 16 as LSP 0-5 -> MPII 0-5
(legs), LSP 6-11 -> MPII 10-15 (arms), neck -> upper neck (8), head top ->
head top (9). LSP has no pelvis (6) and no thorax (7). By default they are
derived: pelvis = the mid-point of the two hips, thorax = the mid-point of
the two shoulders, each labelled only when both of its joints are
(``pelvis_thorax='derive'``); ``'unlabelled'`` leaves them out
(``joints_vis`` 0). MPII's PCKh leaves pelvis and thorax out of its mean
either way.

**Person box.** The tight box of the labelled joints (pelvis and thorax
included; they lie inside it), side ``s = max(width, height)``.
``scale = scale_factor * s / 200`` with ``scale_factor`` 1.25 by default:
MPII's own ``scale`` is about 1.25 times its labelled joints' extent (the
joints miss the feet, the hands and the hair), so this reproduces MPII's
framing. It is not padding on top of MMPose's: MMPose's
``GetBBoxCenterScale`` (padding 1.25) then enlarges LSP's box exactly as it
enlarges MPII's. ``center`` is the box centre (1-based) moved up by
``15 * scale`` pixels, because ``MpiiDataset`` moves it down by that much
when loading: the loaded centre is the box centre.

**Head size.** MMPose's PCKh normalises by ``0.6 * ||(x2, y2) - (x1,
y1)||`` of the ``headboxes_src`` box. LSP has no head box, so each val
image gets the square centred on the mid-point of neck and head top with
side ``d / (0.6 * sqrt(2))``, ``d`` the neck-to-head-top distance: MMPose's
head size is then exactly ``d``.

**Split.** The usable annotations (at least two labelled joints spanning a
box) are shuffled with ``numpy.random.default_rng(seed)``; the val set is
the first ``num_val`` of them whose neck and head top are both labelled
and at least ``MIN_HEAD_SEGMENT`` pixels apart (PCKh needs a head size);
the train set is the rest, or its first ``num_train``. Images are symlinked
(never copied) as ``images/<LSP index, 6 digits>.jpg``: ``MpiiDataset``
takes ``int(file stem)`` as the image id (``int('im00001')`` fails), and
the number is LSP's own (``000017.jpg`` is ``im00017.jpg``).

**Output.** Written to a temporary folder beside ``out_dir`` and renamed
into place at the end: a failure leaves no half-written output. An
``out_dir`` that holds a previous conversion is replaced only with
``overwrite=True``; any other non-empty folder is never touched.
"""

import json
import os
import os.path as osp
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .synthetic_mpii.mpii_files import (
    mpii_record,
    write_mpii_gt_mat,
    write_mpii_json,
)

LSP_JOINT_NAMES = (
    'right_ankle',
    'right_knee',
    'right_hip',
    'left_hip',
    'left_knee',
    'left_ankle',
    'right_wrist',
    'right_elbow',
    'right_shoulder',
    'left_shoulder',
    'left_elbow',
    'left_wrist',
    'neck',
    'head_top',
)
#: MPII index of each LSP joint.
LSP_TO_MPII = (0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 8, 9)
NUM_MPII_JOINTS = 16
MPII_R_HIP, MPII_L_HIP, MPII_PELVIS, MPII_THORAX = 2, 3, 6, 7
MPII_UPPER_NECK, MPII_HEAD_TOP = 8, 9
MPII_R_SHOULDER, MPII_L_SHOULDER = 12, 13
#: MMPose's PCKh head size is this factor times the head box diagonal.
MPII_HEAD_SIZE_FACTOR = 0.6
#: ``MpiiDataset`` moves ``center`` down by this many ``scale`` units.
MPII_CENTER_SHIFT = 15.0
#: Joints this far outside the image (pixels) still count as labelled.
IMAGE_MARGIN = 2.0
#: Smallest neck-to-head-top distance (pixels) of a val image.
MIN_HEAD_SEGMENT = 2.0
DEFAULT_SCALE_FACTOR = 1.25
PELVIS_THORAX_RULES = ('derive', 'unlabelled')
LAYOUT_LSP, LAYOUT_LSPET = 'lsp', 'lspet'
META_FILE = 'lsp2mpii.json'
_MAT_HEADER = b'MATLAB 5.0 MAT-file, Platform: posix, Created by: mmpose_multikd lsp2mpii'  # noqa: E501
_IMAGE_NAME = re.compile(r'^im(\d+)\.(jpe?g|png)$', re.IGNORECASE)


class LSPConversionError(ValueError):
    """The input cannot be converted, or the output cannot be written."""


@dataclass
class LSPAnnotations:
    """The contents of an LSP ``joints.mat``.

    Attributes:
        path (str): the file read.
        layout (str): ``'lsp'`` (``3 x 14 x N``) or ``'lspet'``
            (``14 x 3 x N``).
        joints (np.ndarray): ``(N, 14, 2)`` x, y as stored (1-based).
        flags (np.ndarray): ``(N, 14)`` the third row/column as stored.
        labelled (np.ndarray): ``(N, 14)`` bool: the flag says the
            coordinates are reliable (LSPet: flag 1; LSP: always) and they
            are finite. The image-border rule is applied later.
    """

    path: str
    layout: str
    joints: np.ndarray
    flags: np.ndarray
    labelled: np.ndarray

    def __len__(self) -> int:
        return len(self.joints)


def load_lsp_joints(path: str) -> LSPAnnotations:
    """Read ``joints.mat`` of LSP or LSPet, telling the layout by shape.

    Args:
        path (str): the ``joints.mat`` file.

    Returns:
        LSPAnnotations: joints, flags and labels, annotation ``i`` (0-based)
        belonging to image ``im<i + 1>``.

    Raises:
        LSPConversionError: the file is missing or unreadable, has no
            ``joints`` matrix, or the matrix has another shape or flags
            other than 0 and 1.
    """
    from scipy.io import loadmat

    if not osp.isfile(path):
        raise LSPConversionError(f'{path}: joints file not found')
    try:
        mat = loadmat(path)
    except NotImplementedError as exc:  # MATLAB v7.3 (HDF5) files
        raise LSPConversionError(
            f'{path}: MATLAB v7.3 files are not supported; save joints '
            f"with MATLAB's -v7 option ({exc})"
        ) from exc
    except Exception as exc:
        raise LSPConversionError(
            f'{path}: not a readable MATLAB file ({exc})'
        ) from exc
    if 'joints' not in mat:
        keys = sorted(k for k in mat if not k.startswith('__'))
        raise LSPConversionError(
            f'{path}: no matrix named "joints" (found: {keys})'
        )
    array = np.asarray(mat['joints'])
    if not np.issubdtype(array.dtype, np.number):
        raise LSPConversionError(
            f'{path}: "joints" is not numeric (dtype {array.dtype})'
        )
    array = array.astype(np.float64)
    stored = ' x '.join(map(str, array.shape))
    if array.ndim == 2:  # MATLAB drops a trailing singleton: one image
        array = array[:, :, None]
    shape = array.shape
    if array.ndim == 3 and shape[:2] == (3, 14):
        layout = LAYOUT_LSP
        joints = np.transpose(array[:2], (2, 1, 0))
        flags = array[2].T
    elif array.ndim == 3 and shape[:2] == (14, 3):
        layout = LAYOUT_LSPET
        joints = np.transpose(array[:, :2], (2, 0, 1))
        flags = array[:, 2].T
    else:
        raise LSPConversionError(
            f'{path}: "joints" has shape {stored}; '
            'expected 3 x 14 x N (LSP) or 14 x 3 x N (LSP Extended)'
        )
    if len(joints) == 0:
        raise LSPConversionError(f'{path}: "joints" holds no annotation')
    bad = ~np.isin(flags, (0.0, 1.0))
    if bad.any():
        n, j = np.argwhere(bad)[0]
        raise LSPConversionError(
            f'{path}: the visibility flags must be 0 or 1; annotation '
            f'{n + 1}, joint {j + 1} has {flags[n, j]!r}'
        )
    finite = np.isfinite(joints).all(axis=-1)
    if layout == LAYOUT_LSP:
        labelled = finite  # every joint annotated; the flag is occlusion
    else:
        labelled = finite & (flags == 1)
    return LSPAnnotations(
        path=path,
        layout=layout,
        joints=joints,
        flags=flags,
        labelled=labelled,
    )


def find_lsp_images(images_dir: str, num: int, joints_path: str) -> List[str]:
    """The image file of each annotation: ``im<number>.jpg`` in ``images_dir``.

    Args:
        images_dir (str): LSP's ``images/`` folder.
        num (int): number of annotations; images ``1 .. num`` are needed
            (more images are ignored).
        joints_path (str): the ``joints.mat`` file, for messages.

    Returns:
        list[str]: absolute paths, item ``i`` for annotation ``i``.

    Raises:
        LSPConversionError: the folder is missing, an image is missing, or
            two files carry the same number.
    """
    if not osp.isdir(images_dir):
        raise LSPConversionError(f'{images_dir}: image folder not found')
    by_number: Dict[int, str] = {}
    digits = 5
    for name in os.listdir(images_dir):
        match = _IMAGE_NAME.match(name)
        if match is None:
            continue
        digits = len(match.group(1))  # name missing files like these
        number = int(match.group(1))
        if number in by_number:
            raise LSPConversionError(
                f'{images_dir}: {by_number[number]} and {name} are both '
                f'image {number}'
            )
        by_number[number] = name
    missing = [i for i in range(1, num + 1) if i not in by_number]
    if missing:
        shown = ', '.join(f'im{i:0{digits}d}.jpg' for i in missing[:5])
        raise LSPConversionError(
            f'{images_dir}: {joints_path} has {num} annotations but only '
            f'{num - len(missing)} of their images are here; missing: '
            f'{shown}{" ..." if len(missing) > 5 else ""} '
            f'({len(missing)} in all)'
        )
    root = osp.abspath(images_dir)
    return [osp.join(root, by_number[i]) for i in range(1, num + 1)]


def image_sizes(paths: Sequence[str]) -> np.ndarray:
    """``(N, 2)`` width and height of each image (header read only)."""
    from PIL import Image

    sizes = np.zeros((len(paths), 2), np.float64)
    for i, path in enumerate(paths):
        try:
            with Image.open(path) as image:
                sizes[i] = image.size
        except Exception as exc:
            raise LSPConversionError(
                f'{path}: not a readable image ({exc})'
            ) from exc
    return sizes


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


def head_box(neck: np.ndarray, head_top: np.ndarray) -> np.ndarray:
    """The head box whose MPII head size is the neck-to-head-top distance.

    A square centred on the segment's mid-point with side
    ``d / (0.6 * sqrt(2))``, so that ``0.6 * diagonal == d``.

    Returns:
        np.ndarray: ``(2, 2)`` ``[[x1, y1], [x2, y2]]``.
    """
    neck = np.asarray(neck, np.float64)
    head_top = np.asarray(head_top, np.float64)
    distance = float(np.linalg.norm(head_top - neck))
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


def _check_out_dir(out_dir: str, overwrite: bool) -> None:
    """Refuse an output folder that must not be replaced."""
    if not osp.lexists(out_dir):
        return
    if not osp.isdir(out_dir) or osp.islink(out_dir):
        raise LSPConversionError(
            f'{out_dir}: exists and is not a folder; choose another output'
        )
    entries = os.listdir(out_dir)
    if not entries:
        return
    if osp.isfile(osp.join(out_dir, META_FILE)):
        if not overwrite:
            raise LSPConversionError(
                f'{out_dir}: already holds a conversion ({META_FILE}); '
                'pass --overwrite to replace it'
            )
        return
    raise LSPConversionError(
        f'{out_dir}: exists, is not empty and holds no conversion '
        f'({META_FILE} missing; found e.g. {sorted(entries)[:3]}); '
        'refusing to write there, even with --overwrite'
    )


def convert_lsp_to_mpii(
    src_dir: str,
    out_dir: str,
    num_val: int = 1000,
    num_train: Optional[int] = None,
    seed: int = 0,
    *,
    pelvis_thorax: str = 'derive',
    scale_factor: float = DEFAULT_SCALE_FACTOR,
    overwrite: bool = False,
    joints_file: Optional[str] = None,
    images_dir: Optional[str] = None,
) -> dict:
    """Convert LSP or LSPet to MMPose's MPII format (see the module doc).

    Args:
        src_dir (str): the LSP folder (``joints.mat`` and ``images/``).
        out_dir (str): the data root to write; it must not exist, be empty,
            or (with ``overwrite``) hold a previous conversion.
        num_val (int): number of val images.
        num_train (int, optional): number of train images (default: all
            the usable rest).
        seed (int): the split's seed.
        pelvis_thorax (str): ``'derive'`` or ``'unlabelled'``.
        scale_factor (float): person box side over the joints' extent.
        overwrite (bool): replace a previous conversion in ``out_dir``.
        joints_file (str, optional): default ``src_dir/joints.mat``.
        images_dir (str, optional): default ``src_dir/images``.

    Returns:
        dict: what was written (also saved as ``out_dir/lsp2mpii.json``):
        paths, layout, counts, the rules' parameters and the images left
        out with their reason.

    Raises:
        LSPConversionError: bad input or an output folder that must not be
            replaced; nothing is written then.
    """
    if pelvis_thorax not in PELVIS_THORAX_RULES:
        raise LSPConversionError(
            f'pelvis_thorax must be one of {PELVIS_THORAX_RULES}, got '
            f'{pelvis_thorax!r}'
        )
    if not scale_factor > 0:
        raise LSPConversionError(
            f'scale_factor must be positive, got {scale_factor}'
        )
    joints_file = joints_file or osp.join(src_dir, 'joints.mat')
    images_dir = images_dir or osp.join(src_dir, 'images')
    out_dir = osp.abspath(out_dir)
    _check_out_dir(out_dir, overwrite)

    ann = load_lsp_joints(joints_file)
    images = find_lsp_images(images_dir, len(ann), joints_file)
    sizes = image_sizes(images)
    low, high = 1.0 - IMAGE_MARGIN, sizes[:, None, :] + IMAGE_MARGIN
    inside = ((ann.joints >= low) & (ann.joints <= high)).all(-1)
    labelled = ann.labelled & inside
    joints16, vis16 = lsp_to_mpii_joints(ann.joints, labelled, pelvis_thorax)

    on = vis16[..., None] > 0
    extent = np.where(on, joints16, -np.inf).max(1) - np.where(
        on, joints16, np.inf
    ).min(1)
    usable = (vis16.sum(-1) >= 2) & (extent.max(-1) > 0)
    head_d = np.linalg.norm(
        joints16[:, MPII_HEAD_TOP] - joints16[:, MPII_UPPER_NECK], axis=-1
    )
    val_eligible = (
        (vis16[:, MPII_UPPER_NECK] > 0)
        & (vis16[:, MPII_HEAD_TOP] > 0)
        & (head_d >= MIN_HEAD_SEGMENT)
    )
    train_idx, val_idx = split_indices(
        usable, val_eligible, num_val, num_train, seed
    )

    parent = osp.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{osp.basename(out_dir)}.tmp-', dir=parent)
    try:
        summary = _write(
            tmp,
            ann,
            images,
            joints16,
            vis16,
            train_idx,
            val_idx,
            scale_factor,
        )
        summary.update(
            source=osp.abspath(src_dir),
            joints_file=osp.abspath(joints_file),
            images_dir=osp.abspath(images_dir),
            layout=ann.layout,
            num_annotations=len(ann),
            seed=seed,
            pelvis_thorax=pelvis_thorax,
            scale_factor=scale_factor,
            image_margin=IMAGE_MARGIN,
            min_head_segment=MIN_HEAD_SEGMENT,
            labelled_fraction=round(float(labelled.mean()), 4),
            unusable=[int(i) + 1 for i in np.flatnonzero(~usable)],
            outside_image=int((ann.labelled & ~inside).sum()),
        )
        with open(osp.join(tmp, META_FILE), 'w') as f:
            json.dump(summary, f, indent=1)
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary.update(
        data_root=out_dir,
        train_ann=osp.join(out_dir, 'annotations', 'mpii_train.json'),
        val_ann=osp.join(out_dir, 'annotations', 'mpii_val.json'),
        headbox_file=osp.join(out_dir, 'annotations', 'mpii_gt_val.mat'),
    )
    return summary


def _write(
    root: str,
    ann: LSPAnnotations,
    images: List[str],
    joints16: np.ndarray,
    vis16: np.ndarray,
    train_idx: List[int],
    val_idx: List[int],
    scale_factor: float,
) -> dict:
    """Write images (symlinks), the JSON files and the head-box ``.mat``."""
    img_dir = osp.join(root, 'images')
    ann_dir = osp.join(root, 'annotations')
    os.makedirs(img_dir)
    os.makedirs(ann_dir)
    records: Dict[str, List[dict]] = {}
    headboxes = []
    for split, indices in (('train', train_idx), ('val', val_idx)):
        records[split] = []
        for i in indices:
            source = images[i]
            ext = osp.splitext(source)[1].lower()
            name = f'{i + 1:06d}{ext}'
            os.symlink(source, osp.join(img_dir, name))
            center, scale = mpii_center_scale(
                person_box(joints16[i], vis16[i]), scale_factor
            )
            records[split].append(
                mpii_record(name, center, scale, joints16[i], vis16[i])
            )
            if split == 'val':
                headboxes.append(
                    head_box(
                        joints16[i, MPII_UPPER_NECK],
                        joints16[i, MPII_HEAD_TOP],
                    )
                )
        write_mpii_json(
            osp.join(ann_dir, f'mpii_{split}.json'), records[split]
        )
    val = np.asarray(val_idx, np.int64)
    write_mpii_gt_mat(
        osp.join(ann_dir, 'mpii_gt_val.mat'),
        np.asarray(headboxes, np.float64).reshape(len(val), 2, 2),
        joints16[val].reshape(len(val), NUM_MPII_JOINTS, 2),
        1 - vis16[val].reshape(len(val), NUM_MPII_JOINTS),
        _MAT_HEADER,
    )
    return dict(
        num_train=len(train_idx),
        num_val=len(val_idx),
        train_images=[i + 1 for i in train_idx],
        val_images=[i + 1 for i in val_idx],
    )


def _replace_dir(new: str, out_dir: str) -> None:
    """Move the finished ``new`` folder to ``out_dir`` (replacing it)."""
    if not osp.lexists(out_dir):
        os.rename(new, out_dir)
        return
    old = tempfile.mkdtemp(
        prefix=f'.{osp.basename(out_dir)}.old-', dir=osp.dirname(out_dir)
    )
    os.rmdir(old)
    os.rename(out_dir, old)
    try:
        os.rename(new, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
