# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The ``model`` dict of a pose estimator, from a dict or a config path."""

import os.path as osp
from typing import Union

from mmengine.config import Config, ConfigDict
from mmengine.utils import get_installed_path

ModelSpec = Union[str, dict, ConfigDict]


def load_model_config(spec: ModelSpec) -> ConfigDict:
    """The ``model`` dict of a pose estimator given as dict or config path.

    Args:
        spec (str | dict): A model config dict, or the path of a full MMPose
            config (``mmpose::`` package paths included) whose ``model`` is
            used.

    Returns:
        ConfigDict: The model config.
    """
    if isinstance(spec, dict):
        return ConfigDict(spec)
    if not isinstance(spec, str):
        raise TypeError(
            'teacher/student must be a config dict or a config '
            f'file path, got {type(spec).__name__}'
        )
    if '::' in spec:
        spec = package_config_path(spec)
    if not osp.isfile(spec):
        raise FileNotFoundError(f'Model config file {spec!r} does not exist')
    return Config.fromfile(spec).model


def package_config_path(spec: str) -> str:
    """The file of a ``package::relative/config.py`` path: the config as
    the package installs it for MIM (``<package>/.mim/configs/...``).

    Raises:
        ValueError: ``spec`` names no package or no config.
        FileNotFoundError: The package is not installed.
    """
    package, rel_path = spec.split('::', 1)
    if not package or not rel_path:
        raise ValueError(
            f'{spec!r}: a package config path reads "package::path/to/'
            'config.py", e.g. "mmpose::body_2d_keypoint/..."'
        )
    try:
        package_path = get_installed_path(package)
    except Exception as err:
        raise FileNotFoundError(
            f'{spec!r}: package {package!r} is not installed ({err})'
        ) from err
    return osp.join(package_path, '.mim', 'configs', rel_path)
