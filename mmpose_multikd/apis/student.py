# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The distilled student, out of a distiller's config and checkpoint.

- :func:`export_student` writes a plain MMPose checkpoint of the student
  (tensors and plain metadata, loadable under ``weights_only=True`` with no
  plugin import);
- :func:`init_student` returns the student as MMPose's ``init_model`` does
  (``cfg`` and ``dataset_meta`` set, in ``eval()``), from a distiller
  config and checkpoint or a plain student config and checkpoint, ready for
  ``mmpose.apis.inference_topdown`` and MMPose's visualizer.
"""

import copy
import os
import os.path as osp
from collections import OrderedDict
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.config import Config
from mmpose.apis import init_model

from ..models.utils.model_config import load_model_config
from ..version import __version__

STUDENT_PREFIX = 'student.'
DISTILLER_TYPE = 'MultiKDDistiller'


def extract_student_state_dict(
    state_dict: dict, prefix: str = STUDENT_PREFIX
) -> OrderedDict:
    """Keys under ``prefix`` with the prefix stripped.

    Args:
        state_dict (dict): A distiller's ``state_dict``.
        prefix (str): The student's attribute path plus a dot.

    Returns:
        OrderedDict: The student's own state dict.

    Raises:
        KeyError: No key starts with ``prefix``.
    """
    student = OrderedDict(
        (key[len(prefix) :], value)
        for key, value in state_dict.items()
        if key.startswith(prefix)
    )
    if not student:
        raise KeyError(
            f'No key starts with {prefix!r} (first keys: '
            f'{list(state_dict)[:5]}): not a MultiKDDistiller checkpoint?'
        )
    return student


def _load_checkpoint_file(path: str) -> dict:
    """A checkpoint's dict, read with ``weights_only=True`` where torch can
    allow-list MMEngine's globals (2.4 and newer; importing mmpose_multikd
    did so), else as torch and MMEngine load it there."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Checkpoint {path!r} not found')
    weights_only = hasattr(torch.serialization, 'add_safe_globals')
    return torch.load(path, map_location='cpu', weights_only=weights_only)


def export_student(
    checkpoint_path: str, out_path: str, prefix: str = STUDENT_PREFIX
) -> dict:
    """Write the student of a distiller checkpoint to ``out_path``.

    The file is written to ``<out_path>.tmp`` then renamed, so a failure
    never leaves a half-written checkpoint.

    Args:
        checkpoint_path (str): A ``MultiKDDistiller`` checkpoint.
        out_path (str): The plain student checkpoint to write.
        prefix (str): State-dict prefix of the student.

    Returns:
        dict: The saved checkpoint: ``state_dict`` and ``meta`` (the
        exporter, the source path, epoch and iteration; no NumPy objects,
        so it loads under ``weights_only=True`` without this plugin).
    """
    checkpoint = _load_checkpoint_file(checkpoint_path)
    state_dict = checkpoint.get('state_dict', checkpoint)
    meta = checkpoint.get('meta', {})
    exported_meta = {
        'exported_by': f'mmpose_multikd {__version__}',
        'source_checkpoint': osp.abspath(checkpoint_path),
        'epoch': int(meta.get('epoch', -1)),
        'iter': int(meta.get('iter', -1)),
    }
    exported = {
        'state_dict': extract_student_state_dict(state_dict, prefix),
        'meta': exported_meta,
    }
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    tmp_path = f'{out_path}.tmp'
    torch.save(exported, tmp_path)
    os.replace(tmp_path, out_path)
    return exported


def is_distiller_config(model_cfg: dict) -> bool:
    """Whether a ``model`` config is a ``MultiKDDistiller``."""
    return model_cfg.get('type') in (
        DISTILLER_TYPE,
        f'mmpose.{DISTILLER_TYPE}',
    )


def student_config(
    config: Union[str, Config], cfg_options: Optional[dict] = None
) -> Config:
    """The config with ``model`` replaced by the student's model.

    Args:
        config (str | Config): A distiller config (its ``model.student``
            is a model dict or a config path) or a plain MMPose config;
            a ``Config`` is copied, never changed.
        cfg_options (dict, optional): Overrides merged in first, as
            ``--cfg-options``.

    Returns:
        Config: A plain MMPose config of the student (data, codec,
        visualizer and the rest as in ``config``).
    """
    cfg = (
        Config.fromfile(config)
        if isinstance(config, str)
        else copy.deepcopy(config)
    )
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if is_distiller_config(cfg.model):
        cfg.model = load_model_config(cfg.model.student)
    return cfg


def init_student(
    config: Union[str, Config],
    checkpoint: Optional[str] = None,
    device: str = 'cpu',
    cfg_options: Optional[dict] = None,
) -> nn.Module:
    """The student as ``mmpose.apis.init_model`` returns a pose model.

    Args:
        config (str | Config): A distiller config, or the student's own
            MMPose config.
        checkpoint (str, optional): A distiller checkpoint (its
            ``student.*`` weights are loaded) or a plain student
            checkpoint (e.g. from :func:`export_student`). None leaves the
            initial weights.
        device (str): Where the model goes.
        cfg_options (dict, optional): Overrides merged into the config
            first, as ``--cfg-options``.

    Returns:
        nn.Module: The student in ``eval()``, with ``cfg`` (the student's
        plain config) and ``dataset_meta`` (from the checkpoint's meta,
        else from the config), for ``inference_topdown``.
    """
    cfg = student_config(config, cfg_options)
    if cfg.model.get('backbone', {}).get('init_cfg') is not None:
        cfg.model.backbone.init_cfg = None  # no download of the init weights
    model = init_model(cfg, checkpoint=None, device='cpu', cfg_options={})
    if checkpoint is not None:
        loaded = _load_checkpoint_file(checkpoint)
        state_dict = loaded.get('state_dict', loaded)
        if any(key.startswith(STUDENT_PREFIX) for key in state_dict):
            state_dict = extract_student_state_dict(state_dict)
        model.load_state_dict(state_dict, strict=True)
        dataset_meta = loaded.get('meta', {}).get('dataset_meta')
        if dataset_meta is not None:
            model.dataset_meta = dataset_meta
    return model.to(device).eval()
