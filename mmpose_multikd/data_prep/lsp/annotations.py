# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""LSP / LSPet annotations: the joint orders, ``joints.mat`` in either
layout, and the images beside it (see :mod:`mmpose_multikd.data_prep.lsp`)."""

import os
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np

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
