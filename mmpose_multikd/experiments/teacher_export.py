# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Carry a cached teacher to another machine: one weights file, restored.

A campaign that spans several machines (the LSP campaign: a teacher of
hours, then rows over days) must not train its teacher again on each. The
teacher cache (:mod:`.teacher_cache`) lives on one machine; this module
turns a finished cached teacher into one file that can be kept with the
campaign's records, and lays that file out again as the cache folder
:func:`.teacher_cache.read_cached_teacher` accepts, under the same key.

The file is an MMEngine checkpoint without the training state: the
teacher's ``state_dict`` and MMEngine's ``meta`` (so ``load_checkpoint``
and a distiller's ``teacher_ckpt`` read it as they read the original),
plus ``multikd_teacher``: the cache folder's name (config name and key)
and the run's ``result.json``. The optimizer's moments, the schedulers and
the message hub are left out: a restored teacher is used, not resumed.
"""

import hashlib
import json
import os
import os.path as osp
import shutil
from typing import Dict, Optional

import torch

from .teacher_cache import read_cached_teacher

EXPORT_KEY = 'multikd_teacher'


def file_sha256(path: str) -> str:
    """SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def export_teacher(work_dir: str, out_file: str) -> Dict[str, object]:
    """Write a finished cached teacher's weights and result to one file.

    Args:
        work_dir (str): The teacher's cache folder
            (``<cache>/<config name>-<key>``), finished.
        out_file (str): The file to write (``.pth``). Written to a
            temporary name first and renamed, so a killed export leaves no
            half-written file under ``out_file``.

    Returns:
        dict: ``file`` (base name), ``sha256`` and ``bytes`` of the file.

    Raises:
        FileNotFoundError: ``work_dir`` holds no finished teacher.
    """
    result = read_cached_teacher(work_dir)
    if result is None:
        raise FileNotFoundError(
            f'{work_dir} holds no finished teacher (no result.json naming '
            'an existing checkpoint): nothing to export'
        )
    checkpoint = torch.load(
        result['checkpoint'], map_location='cpu', weights_only=False
    )
    exported = {
        'meta': checkpoint.get('meta', {}),
        'state_dict': checkpoint['state_dict'],
        EXPORT_KEY: {
            'cache': osp.basename(osp.normpath(work_dir)),
            'result': dict(
                result, checkpoint=osp.basename(result['checkpoint'])
            ),
        },
    }
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    partial = f'{out_file}.partial'
    torch.save(exported, partial)
    os.replace(partial, out_file)
    return dict(
        file=osp.basename(out_file),
        sha256=file_sha256(out_file),
        bytes=osp.getsize(out_file),
    )


def restore_teacher(
    exported_file: str, work_dir: str, sha256: Optional[str] = None
) -> Dict[str, object]:
    """Lay an exported teacher out as the cache folder ``work_dir``.

    A cache folder that already holds a finished teacher is left as it is.
    Otherwise the file is checked (its ``sha256`` when given, and the cache
    folder it was exported from, which must be ``work_dir``'s name: the
    same config, seed and data), then copied in as the checkpoint its
    result names, and ``result.json`` is written last, so a killed restore
    is not taken for a finished teacher.

    Args:
        exported_file (str): A file written by :func:`export_teacher`.
        work_dir (str): The cache folder to restore into.
        sha256 (str, optional): The file's expected SHA-256.

    Returns:
        dict: :func:`.teacher_cache.read_cached_teacher`'s result.

    Raises:
        ValueError: The file's bytes do not match ``sha256``, it is no
            exported teacher, or it was exported from another cache folder
            (another config, seed or data).
    """
    cached = read_cached_teacher(work_dir)
    if cached is not None:
        return cached
    if sha256 is not None and file_sha256(exported_file) != sha256:
        raise ValueError(
            f'{exported_file}: its SHA-256 is not the recorded {sha256} '
            '(a changed or truncated file)'
        )
    exported = torch.load(
        exported_file, map_location='cpu', weights_only=False
    )
    info = exported.get(EXPORT_KEY) if isinstance(exported, dict) else None
    if info is None:
        raise ValueError(
            f'{exported_file} is not an exported teacher (no '
            f'{EXPORT_KEY!r} key): write it with export_teacher'
        )
    name = osp.basename(osp.normpath(work_dir))
    if info['cache'] != name:
        raise ValueError(
            f"{exported_file} holds the teacher {info['cache']}, not {name}: "
            'another config, seed or data than this run asks for'
        )
    os.makedirs(work_dir, exist_ok=True)
    checkpoint = osp.join(work_dir, info['result']['checkpoint'])
    shutil.copyfile(exported_file, checkpoint)
    result = dict(
        info['result'], checkpoint=checkpoint, restored_from=exported_file
    )
    with open(osp.join(work_dir, 'result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return read_cached_teacher(work_dir)
