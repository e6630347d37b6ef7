# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The plugin's version and the versions of its host stack it supports.

``SUPPORTED`` holds the ranges of the host stack that the plugin supports:
``import mmpose_multikd`` checks the installed stack against them
(:func:`check_stack_versions`), the way ``mmpose/__init__.py`` checks its
MMCV and MMEngine, and ``requirements/runtime.txt`` (``install_requires``)
states the same ranges (a test keeps the two equal). A lower bound is the
oldest release the test suite runs on (``requirements/constraints/
oldest.txt``); an upper bound excludes the next minor or major release of
an OpenMMLab package, which MMPose 1.3 does not admit or nobody has tested.
"""

from typing import Dict, Mapping, Optional, Tuple

__version__ = '0.1.0'

#: distribution name -> (lowest supported version, first unsupported or None)
SUPPORTED: Dict[str, Tuple[str, Optional[str]]] = {
    'torch': ('2.1.0', None),
    'mmengine': ('0.10.3', '1.0.0'),
    'mmcv': ('2.1.0', '2.2.0'),
    'mmpose': ('1.3.1', '1.4.0'),
    'mmdet': ('3.2.0', '3.4.0'),
}


def requirement(name: str) -> str:
    """The pip requirement of one supported package.

    Args:
        name (str): a key of :data:`SUPPORTED`, e.g. ``'mmcv'``.

    Returns:
        str: e.g. ``'mmcv>=2.1.0,<2.2.0'``.
    """
    lowest, first_unsupported = SUPPORTED[name]
    spec = f'{name}>={lowest}'
    if first_unsupported is not None:
        spec += f',<{first_unsupported}'
    return spec


def _installed_versions() -> Dict[str, str]:
    """The ``__version__`` of each supported package, as imported."""
    import mmcv
    import mmdet
    import mmengine
    import mmpose
    import torch

    modules = dict(
        torch=torch, mmengine=mmengine, mmcv=mmcv, mmpose=mmpose, mmdet=mmdet
    )
    return {name: module.__version__ for name, module in modules.items()}


def unsupported_versions(found: Mapping[str, str]) -> Dict[str, str]:
    """The packages of ``found`` whose version lies outside its range.

    Versions compare by their release numbers, pre-releases below their
    release (MMEngine's ``digit_version``); a local part such as torch's
    ``+cu121`` is ignored.

    Args:
        found (Mapping[str, str]): package name -> installed version.

    Returns:
        Dict[str, str]: package name -> one line naming the package, the
        version found and the range supported; empty when all fit.
    """
    from mmengine.utils import digit_version

    problems = {}
    for name, version in found.items():
        lowest, first_unsupported = SUPPORTED[name]
        installed = digit_version(version)
        too_old = installed < digit_version(lowest)
        too_new = first_unsupported is not None and installed >= digit_version(
            first_unsupported
        )
        if too_old or too_new:
            problems[name] = (
                f'{name} {version} is installed; mmpose_multikd '
                f'{__version__} supports {requirement(name)}'
            )
    return problems


def check_stack_versions(found: Optional[Mapping[str, str]] = None) -> None:
    """Raise if torch or an OpenMMLab package is outside its range.

    Args:
        found (Mapping[str, str], optional): package name -> version to
            check. Defaults to the installed packages' ``__version__``.

    Raises:
        ImportError: naming every package outside its range, the version
            found and the range supported.
    """
    problems = unsupported_versions(
        _installed_versions() if found is None else found
    )
    if problems:
        raise ImportError(
            'mmpose_multikd cannot run in this environment:\n  '
            + '\n  '.join(problems.values())
            + '\nInstall a supported version (README, "Into your MMPose '
            'environment"), or build the tested environment with '
            '`make install`.'
        )
