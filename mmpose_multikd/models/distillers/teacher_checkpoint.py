# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The frozen teacher's weights: loading ``teacher_ckpt`` with errors that
name the cause, and leaving the teacher out of saved state dicts."""

import os
import os.path as osp
from typing import Optional, Sequence

import torch.nn as nn
from mmengine.runner import CheckpointLoader

TEACHER_PREFIX = 'teacher.'


def load_teacher_weights(
    teacher: nn.Module, path: Optional[str], save_teacher: bool = True
) -> None:
    """Load a trained teacher checkpoint into ``teacher``; every key must
    match (after MMPose's own load hooks).

    ``path`` is whatever MMEngine's checkpoint loader takes: a local file,
    an ``http(s)://`` URL (a model-zoo checkpoint, downloaded once into
    torch's hub cache), ``open-mmlab://``, ``torchvision://`` or a storage
    backend's prefix.

    Args:
        teacher (nn.Module): The teacher pose model.
        path (str, optional): ``model.teacher_ckpt``.
        save_teacher (bool): The distiller's switch; named in the error
            when the file is gone and checkpoints do not hold the teacher.

    Raises:
        ValueError: ``path`` is not set.
        FileNotFoundError: ``path`` is a local file that does not exist.
        RuntimeError: The checkpoint cannot be read (or downloaded) or is
            of another
            architecture (missing, unexpected or mis-shaped keys).
    """
    if not path:
        raise ValueError(
            'model.teacher_ckpt is not set. Train the SimDR teacher first '
            '(e.g. `mim train mmpose configs/simdr/'
            'simcc_hrnet-w32_8xb64-210e_mpii-256x256.py`), then pass '
            '--cfg-options model.teacher_ckpt=PATH/TO/best.pth'
        )
    path = os.fspath(path)
    # MMEngine reads every path with a scheme ('https://',
    # 'open-mmlab://', ...) through that scheme's loader, any other path
    # from the local disk
    if '://' not in path and not osp.isfile(osp.expanduser(path)):
        reason = (
            ''
            if save_teacher
            else ' (model.save_teacher=False: checkpoints of this run '
            'do not hold the teacher, it is reloaded from this file)'
        )
        raise FileNotFoundError(
            f'model.teacher_ckpt {path!r} does not exist{reason}'
        )
    try:
        checkpoint = CheckpointLoader.load_checkpoint(
            path, map_location='cpu', logger='current'
        )
    except Exception as err:
        raise RuntimeError(
            f'model.teacher_ckpt {path!r} could not be read: {err}'
        ) from err
    state_dict = checkpoint.get('state_dict', checkpoint)
    # Not strict here, so that MMPose's own load hooks run first: they
    # rename the keys of MMPose 0.x model-zoo checkpoints
    # (``keypoint_head.*`` -> ``head.*``). Then every key must match.
    try:
        incompatible = teacher.load_state_dict(state_dict, strict=False)
    except RuntimeError as err:  # shapes differ
        expected = teacher.state_dict()
        raise RuntimeError(
            mismatch_message(
                path,
                sorted(set(expected) - set(state_dict)),
                sorted(set(state_dict) - set(expected)),
                str(err),
            )
        ) from err
    if incompatible.missing_keys or incompatible.unexpected_keys:
        raise RuntimeError(
            mismatch_message(
                path,
                incompatible.missing_keys,
                incompatible.unexpected_keys,
            )
        )


def mismatch_message(
    path: str,
    missing: Sequence[str],
    unexpected: Sequence[str],
    detail: str = '',
) -> str:
    """The error of a teacher checkpoint of another architecture."""
    return (
        f'model.teacher_ckpt {path!r} does not match the teacher '
        f'architecture: {len(missing)} missing keys {list(missing)[:5]}, '
        f'{len(unexpected)} unexpected keys {list(unexpected)[:5]}'
        + (f'; {detail[:600]}' if detail else '')
    )


def drop_teacher_state(module, state_dict, prefix, local_metadata):
    """State-dict hook: leave the teacher's entries out."""
    for key in [
        k for k in state_dict if k.startswith(prefix + TEACHER_PREFIX)
    ]:
        del state_dict[key]
    return state_dict


def keep_teacher_state(module, state_dict, prefix, *args) -> None:
    """Load pre-hook: a state dict without the teacher keeps the current
    teacher weights (strict loads pass)."""
    for key, value in module.teacher.state_dict().items():
        state_dict.setdefault(prefix + TEACHER_PREFIX + key, value)
