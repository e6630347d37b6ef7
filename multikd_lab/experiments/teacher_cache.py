# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Train a demo teacher once and reuse it: a cache keyed by what it learned.

The demo teachers train for minutes on a CPU and every demo or ablation run
distils from the same one, so ``make demo`` and
``multikd_lab.tools.run_ablation`` train a teacher only when no run with
the same key exists. The key is a hash of

- the parts of the resolved config (after the run's ``cfg_options``) that
  MMEngine's Runner builds the run from (:data:`RUN_KEYS`: the model, the
  data, the schedule, the hooks and the seed ``randomness.seed``); helper
  variables of the config files (e.g. ``demo_*`` in
  ``configs/demo/_base_``) and ``work_dir`` are left out, so refactoring
  the files without changing the run keeps the teacher;
- the data: the relative path and the bytes of every file under the data
  root (images and annotations).

A cached teacher is a folder ``<cache_dir>/<config name>-<key>/`` holding
MMEngine's work dir of that run and its ``result.json``; it counts as
cached only once ``result.json`` names an existing checkpoint, so a run
killed half way is trained again, never half used.
"""

import hashlib
import json
import os
import os.path as osp
from typing import Dict, Optional

from mmpose_multikd.data_prep.lsp import META_FILE as LSP_CONVERSION_RECORD

from .options import load_config
from .runner import run_experiment

# The config keys that define a training run for MMEngine's Runner.
RUN_KEYS = (
    'model',
    'train_dataloader',
    'train_cfg',
    'optim_wrapper',
    'param_scheduler',
    'randomness',
    'val_dataloader',
    'val_cfg',
    'val_evaluator',
    'test_dataloader',
    'test_cfg',
    'test_evaluator',
    'default_hooks',
    'custom_hooks',
    'env_cfg',
    'auto_scale_lr',
    'load_from',
    'default_scope',
)
DEFAULT_CACHE_DIR = osp.join(
    osp.expanduser('~'), '.cache', 'mmpose-multikd', 'teachers'
)


# Files of a data root that record where the data came from (the LSP
# converter's absolute source paths): no run reads them, so the key skips
# them and the same bytes converted from another folder keep their teacher.
PROVENANCE_FILES = (LSP_CONVERSION_RECORD,)


def data_fingerprint(data_root: str) -> str:
    """SHA-256 over the relative paths and bytes of the files of a dataset,
    provenance records (:data:`PROVENANCE_FILES` at the top) left out.

    Args:
        data_root (str): The dataset folder.

    Returns:
        str: The hex digest.

    Raises:
        FileNotFoundError: ``data_root`` is not a folder.
    """
    if not osp.isdir(data_root):
        raise FileNotFoundError(f'data root {data_root!r} is not a folder')
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(data_root):
        subfolders.sort()
        for name in sorted(files):
            if folder == data_root and name in PROVENANCE_FILES:
                continue
            path = osp.join(folder, name)
            digest.update(osp.relpath(path, data_root).encode())
            with open(path, 'rb') as f:
                digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


def teacher_key(
    config_path: str,
    data_root: str,
    cfg_options: Optional[dict] = None,
    cache_dir: Optional[str] = None,
) -> str:
    """The cache key of a teacher run (16 hex digits).

    Args:
        config_path (str): The teacher's config.
        data_root (str): The data it trains on.
        cfg_options (dict, optional): The run's overrides (seed, data root,
            schedule).
        cache_dir (str, optional): The teacher cache. A teacher that starts
            from another cached teacher (``load_from``) names its
            checkpoint by its path there; that folder is left out of the
            key, as the data root is, so the key is the same on every
            machine.

    Returns:
        str: The first 16 hex digits of SHA-256 over the resolved config
        and :func:`data_fingerprint`.
    """
    cfg = load_config(config_path, '', cfg_options)
    resolved = {key: cfg.get(key) for key in RUN_KEYS}
    # The data's place on disk is not part of what the teacher learned:
    # a clone elsewhere with the same bytes reuses the same teacher.
    resolved_text = json.dumps(resolved, sort_keys=True, default=str)
    resolved_text = resolved_text.replace(
        osp.abspath(data_root).rstrip('/'), '<data_root>'
    )
    if cache_dir is not None:
        resolved_text = resolved_text.replace(
            osp.abspath(cache_dir).rstrip('/'), '<cache_dir>'
        )
    digest = hashlib.sha256()
    digest.update(resolved_text.encode())
    digest.update(data_fingerprint(data_root).encode())
    return digest.hexdigest()[:16]


def cached_teacher_dir(
    config_path: str,
    data_root: str,
    cfg_options: Optional[dict] = None,
    cache_dir: str = DEFAULT_CACHE_DIR,
) -> str:
    """The folder a teacher run is (or would be) cached in."""
    name = osp.splitext(osp.basename(config_path))[0]
    key = teacher_key(config_path, data_root, cfg_options, cache_dir)
    return osp.join(cache_dir, f'{name}-{key}')


def read_cached_teacher(work_dir: str) -> Optional[Dict[str, object]]:
    """The result of a finished cached run, or None.

    A run counts only when its ``result.json`` exists and the checkpoint
    it names exists in ``work_dir`` (looked up there by file name, so a
    cache folder that was moved still counts).
    """
    result_file = osp.join(work_dir, 'result.json')
    if not osp.isfile(result_file):
        return None
    with open(result_file) as f:
        result = json.load(f)
    checkpoint = osp.join(
        work_dir, osp.basename(result.get('checkpoint') or 'missing.pth')
    )
    if not osp.isfile(checkpoint):
        return None
    return dict(result, checkpoint=checkpoint)


def cached_teacher(
    config_path: str,
    data_root: str,
    cfg_options: Optional[dict] = None,
    cache_dir: str = DEFAULT_CACHE_DIR,
    retrain: bool = False,
    resume: bool = False,
) -> Dict[str, object]:
    """Return a trained teacher, training it only if it is not cached.

    Args:
        config_path (str): The teacher's config.
        data_root (str): The data it trains on (part of the key).
        cfg_options (dict, optional): The run's overrides.
        cache_dir (str): The cache folder. Defaults to
            ``~/.cache/mmpose-multikd/teachers``.
        retrain (bool): Train again even when cached; the old
            ``result.json`` is removed first, so a retraining killed half
            way is not taken for a finished teacher. Defaults to False.
        resume (bool): A teacher not cached yet continues from the last
            checkpoint of a killed run in its cache folder, if there is
            one (never with ``retrain``). Defaults to False.

    Returns:
        dict: :func:`run_experiment`'s result (``PCKh``, ``checkpoint``,
        ...) plus ``cached`` (whether it was reused) and ``work_dir``.
    """
    work_dir = cached_teacher_dir(
        config_path, data_root, cfg_options, cache_dir
    )
    result = None if retrain else read_cached_teacher(work_dir)
    if result is not None:
        print(
            f'Reusing the cached teacher {work_dir} '
            f"(PCKh@0.5 {result['PCKh']:.2f}; --retrain-teacher trains "
            'it again)'
        )
        return dict(result, cached=True, work_dir=work_dir)
    if retrain and osp.isfile(osp.join(work_dir, 'result.json')):
        os.remove(osp.join(work_dir, 'result.json'))
    print(f'Training the teacher into the cache: {work_dir}')
    result = run_experiment(
        config_path, work_dir, cfg_options, resume=resume and not retrain
    )
    return dict(result, cached=False, work_dir=work_dir)
