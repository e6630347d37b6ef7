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
import shutil
import tempfile
from typing import Dict, List, Optional

import numpy as np

from ..synthetic_mpii.mpii_files import (
    mpii_record,
    write_mpii_gt_mat,
    write_mpii_json,
)
from .annotations import (
    _MAT_HEADER,
    DEFAULT_SCALE_FACTOR,
    IMAGE_MARGIN,
    LSP_JOINT_NAMES,
    LSP_TO_MPII,
    META_FILE,
    MIN_HEAD_SEGMENT,
    MPII_HEAD_TOP,
    MPII_UPPER_NECK,
    NUM_MPII_JOINTS,
    PELVIS_THORAX_RULES,
    LSPAnnotations,
    LSPConversionError,
    find_lsp_images,
    image_sizes,
    load_lsp_joints,
)
from .rules import (
    dev_indices,
    head_box,
    lsp_to_mpii_joints,
    mpii_center_scale,
    person_box,
    split_indices,
)

# The converter's public names, wherever they are defined.
__all__ = [
    'DEFAULT_SCALE_FACTOR',
    'LSP_JOINT_NAMES',
    'LSP_TO_MPII',
    'META_FILE',
    'PELVIS_THORAX_RULES',
    'LSPAnnotations',
    'LSPConversionError',
    'convert_lsp_to_mpii',
    'find_lsp_images',
    'head_box',
    'load_lsp_joints',
    'lsp_to_mpii_joints',
    'mpii_center_scale',
    'person_box',
    'split_indices',
]


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
    num_dev: int = 0,
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
        num_dev (int): When positive, the val files (``mpii_val.json``,
            ``mpii_gt_val.mat``) hold a dev split of that many images
            instead (:func:`dev_indices`: outside the val and train images
            of the same ``num_val``, ``num_train`` and ``seed``, which
            need ``num_train``); train is the same. Choices are made on
            such a root, val is scored on the plain one. Defaults to 0.

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
    dev = {}
    if num_dev:
        if num_train is None:
            raise LSPConversionError(
                '--num-dev needs --num-train: the dev images come from '
                'those left after val and train'
            )
        val_idx = dev_indices(
            usable, val_eligible, num_val, num_train, num_dev, seed
        )
        # the scored split is dev; the val split it avoids is recorded
        dev = dict(
            scored_split='dev', num_dev=num_dev, num_val_avoided=num_val
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
            **dev,
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
