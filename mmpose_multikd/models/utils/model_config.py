# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The ``model`` dict of a pose estimator, from a dict or a config path."""

import os.path as osp
from typing import Union

from mmengine.config import Config, ConfigDict

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
        from mmengine.config.utils import _get_package_and_cfg_path
        from mmengine.utils import get_installed_path

        package, rel_path = _get_package_and_cfg_path(spec)
        spec = osp.join(
            get_installed_path(package), '.mim', 'configs', rel_path
        )
    if not osp.isfile(spec):
        raise FileNotFoundError(f'Model config file {spec!r} does not exist')
    return Config.fromfile(spec).model
