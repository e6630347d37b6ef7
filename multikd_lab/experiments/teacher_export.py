# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Carry a cached teacher to another machine: weights, or a killed run.

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

A teacher whose training does not fit one stay on a machine is carried as
its training state instead (:func:`export_training_state`): the last
checkpoint MMEngine left, whole (weights, optimizer, schedulers, message
hub, epoch), split into files of at most ``chunk_bytes`` (50 MB by
default, so that no file needs large-file handling in git), and the
``scalars.json`` logs of the run so far (its curve and step times).
:func:`restore_training_state` lays them out again with MMEngine's
``last_checkpoint`` marker, so the run resumes where it stopped.
"""

import hashlib
import json
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional, Sequence

import torch

from .teacher_cache import read_cached_teacher

EXPORT_KEY = 'multikd_teacher'
CHUNK_BYTES = 50 * 1000 * 1000


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
    exported_file: str,
    work_dir: str,
    sha256: Optional[str] = None,
    aliases: Sequence[str] = (),
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
        aliases (Sequence[str]): Other names of the same cache folder that
            the file may hold (the folder's name under an earlier key
            formula, from the committed record). Defaults to ().

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
    if info['cache'] != name and info['cache'] not in aliases:
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


def last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint MMEngine would resume ``work_dir`` from: the path
    its ``last_checkpoint`` marker holds, if that file exists; else None."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


def run_logs(work_dir: str) -> Dict[str, str]:
    """The ``<timestamp>/vis_data/scalars.json`` files of a run, by their
    path relative to ``work_dir``."""
    logs = {}
    for folder in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, folder, 'vis_data', 'scalars.json')
        if osp.isfile(path):
            with open(path) as f:
                logs[osp.relpath(path, work_dir)] = f.read()
    return logs


def export_training_state(
    work_dir: str, out_prefix: str, chunk_bytes: int = CHUNK_BYTES
) -> Dict[str, object]:
    """Save a killed or running teacher's last checkpoint and logs.

    Args:
        work_dir (str): The teacher's cache folder, with MMEngine's
            ``last_checkpoint``.
        out_prefix (str): The files are ``<out_prefix>.part<k>``, each
            written under a temporary name and renamed.
        chunk_bytes (int): The largest part. Defaults to 50 MB.

    Returns:
        dict: ``cache`` (the folder's name), ``checkpoint`` (its base
        name), ``parts`` (base names, in order), ``sha256`` and ``bytes``
        of the whole checkpoint, and ``logs`` (:func:`run_logs`).

    Raises:
        FileNotFoundError: ``work_dir`` has no checkpoint to resume from.
    """
    checkpoint = last_checkpoint(work_dir)
    if checkpoint is None:
        raise FileNotFoundError(
            f'{work_dir} has no checkpoint to resume from (no '
            'last_checkpoint naming an existing file)'
        )
    os.makedirs(osp.dirname(osp.abspath(out_prefix)), exist_ok=True)
    digest = hashlib.sha256()
    parts: List[str] = []
    with open(checkpoint, 'rb') as f:
        for block in iter(lambda: f.read(chunk_bytes), b''):
            digest.update(block)
            part = f'{out_prefix}.part{len(parts)}'
            with open(f'{part}.partial', 'wb') as out:
                out.write(block)
            os.replace(f'{part}.partial', part)
            parts.append(osp.basename(part))
    return dict(
        cache=osp.basename(osp.normpath(work_dir)),
        checkpoint=osp.basename(checkpoint),
        parts=parts,
        sha256=digest.hexdigest(),
        bytes=osp.getsize(checkpoint),
        logs=run_logs(work_dir),
    )


def restore_training_state(
    state: Dict[str, object], parts_dir: str, work_dir: str
) -> Optional[str]:
    """Lay a saved training state out in ``work_dir`` to resume from.

    Nothing is done when ``work_dir`` already has a checkpoint to resume
    from or a finished teacher. Otherwise the parts are joined into the
    checkpoint, checked against the recorded SHA-256, the logs are written
    back, and MMEngine's ``last_checkpoint`` marker last.

    Args:
        state (dict): :func:`export_training_state`'s record.
        parts_dir (str): The folder holding its parts.
        work_dir (str): The cache folder to restore into; its name must be
            the recorded ``cache``.

    Returns:
        str | None: The restored checkpoint, or None when nothing was done.

    Raises:
        ValueError: Another cache folder's state, or joined parts whose
            bytes differ from the recorded ones.
        FileNotFoundError: A part is missing.
    """
    if last_checkpoint(work_dir) or read_cached_teacher(work_dir):
        return None
    name = osp.basename(osp.normpath(work_dir))
    if state['cache'] != name:
        raise ValueError(
            f"the saved training state is of {state['cache']}, not {name}: "
            'another config, seed or data than this run asks for'
        )
    missing = [
        part
        for part in state['parts']
        if not osp.isfile(osp.join(parts_dir, part))
    ]
    if missing:
        raise FileNotFoundError(
            f'training state of {name}: missing parts {missing} in '
            f'{parts_dir}'
        )
    os.makedirs(work_dir, exist_ok=True)
    checkpoint = osp.join(work_dir, state['checkpoint'])
    digest = hashlib.sha256()
    with open(f'{checkpoint}.partial', 'wb') as out:
        for part in state['parts']:
            with open(osp.join(parts_dir, part), 'rb') as f:
                block = f.read()
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != state['sha256']:
        os.remove(f'{checkpoint}.partial')
        raise ValueError(
            f'training state of {name}: the joined parts in {parts_dir} '
            f"are not the recorded checkpoint (SHA-256 {state['sha256']})"
        )
    os.replace(f'{checkpoint}.partial', checkpoint)
    for relpath, text in state['logs'].items():
        path = osp.join(work_dir, relpath)
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(checkpoint)
    return checkpoint
