# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Build-time checks of ``MultiKDDistiller``'s own config options.

MMEngine passes the ``model`` dict of a config as keyword arguments, so a
misspelt or mistyped option would otherwise surface late (a dry run, the
first training step) or not at all (a distillation loss whose name MMEngine
never sums). Every error here names the option as ``model.<key>``.
"""

import difflib
import inspect
import os
from typing import Any, Callable, Mapping, Sequence, Tuple, Union

import torch.nn as nn

from .loss_weight_schedule import SCHEDULE_KEYS, SCHEDULE_TYPES


def signature_options(init: Callable) -> Tuple[str, ...]:
    """The keyword options a distiller's ``__init__`` takes, in order.

    Derived from the signature, so a subclass that adds an option is
    checked against its own list.

    Args:
        init (Callable): The ``__init__`` of the distiller class.

    Returns:
        tuple[str, ...]: The named parameters, without ``self`` and
        ``**kwargs``-style catch-alls.
    """
    return tuple(
        name
        for name, param in inspect.signature(init).parameters.items()
        if name != 'self'
        and param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY)
    )


def check_distiller_options(
    options: Mapping[str, Any],
    unknown: Mapping[str, Any],
    valid_options: Sequence[str],
) -> None:
    """Validate the options ``MultiKDDistiller`` was built with.

    Args:
        options (Mapping[str, Any]): Option name -> value, e.g.
            ``locals()`` at the start of ``__init__``; names other than
            ``MultiKDDistiller``'s own are ignored.
        unknown (Mapping[str, Any]): Keyword arguments the distiller does
            not take.
        valid_options (Sequence[str]): The options it does take
            (:func:`signature_options`), named in the unknown-option
            error.

    Raises:
        TypeError: An unknown option, or an option of the wrong type.
        ValueError: An option of the right type with an invalid value.
    """
    check_unknown_options(unknown, valid_options)
    _check_networks(options)
    check_distill_losses(options['distill_losses'])
    check_loss_weight_schedule(options['loss_weight_schedule'])
    _check_type('save_teacher', options['save_teacher'], bool)
    _check_mmengine_options(options)


def _check_networks(options: Mapping[str, Any]) -> None:
    """``teacher``, ``student``, ``teacher_ckpt`` and the tap paths."""
    for key in ('teacher', 'student'):
        _check_type(key, options[key], (str, dict), 'a config dict or path')
    _check_type(
        'teacher_ckpt',
        options['teacher_ckpt'],
        (str, os.PathLike, type(None)),
        'a file path',
    )
    for key in ('teacher_taps', 'student_taps'):
        if options[key] is not None:
            check_module_paths(key, options[key])
    check_module_paths(
        'student_simcc_taps', options['student_simcc_taps'], length=2
    )


def _check_mmengine_options(options: Mapping[str, Any]) -> None:
    """``data_preprocessor``, ``train_cfg``, ``init_cfg``, ``backbone``."""
    _check_type(
        'data_preprocessor',
        options['data_preprocessor'],
        (dict, nn.Module, type(None)),
        'a dict, a module or None',
    )
    _check_type('train_cfg', options['train_cfg'], (dict, type(None)))
    _check_type('backbone', options['backbone'], (dict, type(None)))
    _check_type(
        'init_cfg',
        options['init_cfg'],
        (dict, list, type(None)),
        'a dict, a list of dicts or None',
    )


def check_unknown_options(
    unknown: Mapping[str, Any], valid_options: Sequence[str]
) -> None:
    """Reject options the distiller does not take, suggesting the nearest.

    Args:
        unknown (Mapping[str, Any]): The unexpected keyword arguments.
        valid_options (Sequence[str]): The options it takes.

    Raises:
        TypeError: Naming each unknown ``model.<key>``.
    """
    if not unknown:
        return
    hints = []
    for key in unknown:
        near = difflib.get_close_matches(key, valid_options, n=1)
        hint = f' (did you mean model.{near[0]}?)' if near else ''
        hints.append(f'model.{key}{hint}')
    raise TypeError(
        f'MultiKDDistiller got unknown option(s) {", ".join(hints)}. '
        f'Valid options: {", ".join(valid_options)}.'
    )


def check_module_paths(key: str, value: Any, length: int = 0) -> None:
    """A non-empty list/tuple of module paths (dotted strings).

    Args:
        key (str): The option name.
        value (Any): The option value.
        length (int): The required number of paths; 0 for any (>= 1).

    Raises:
        TypeError: Not a list/tuple of str.
        ValueError: Empty, an empty path, or not ``length`` paths.
    """
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(path, str) for path in value
    ):
        raise TypeError(
            f'model.{key} must be a list of module paths (str), e.g. '
            f"['backbone.stage0'], got {value!r}"
        )
    if not value or not all(value):
        raise ValueError(
            f'model.{key} must name at least one module and no empty path, '
            f'got {value!r}; use None for the default taps'
        )
    if length and len(value) != length:
        raise ValueError(
            f'model.{key} must be {length} module paths (the x and y SimDR '
            f'logit layers), got {len(value)}: {value!r}'
        )


def check_distill_losses(losses: Any) -> None:
    """A dict of output name -> loss config (with ``type``) or None.

    Names must contain ``'loss'``: MMEngine's ``parse_losses`` only sums
    (and so only optimises) log entries whose name contains it.

    Args:
        losses (Any): The ``distill_losses`` option.

    Raises:
        TypeError: Not a dict, or an entry neither a dict nor None.
        ValueError: A name without ``'loss'``, or a config without
            ``type``.
    """
    _check_type('distill_losses', losses, (dict, type(None)))
    for name, cfg in (losses or {}).items():
        key = f'distill_losses.{name}'
        if not isinstance(name, str) or 'loss' not in name or name == 'loss':
            raise ValueError(
                f'model.{key}: the name must contain "loss" (e.g. loss_fkd) '
                'and not be "loss" itself; MMEngine only optimises entries '
                'whose name contains "loss" and logs their sum as "loss"'
            )
        _check_type(key, cfg, (dict, type(None)), 'a loss config dict')
        if cfg is not None and 'type' not in cfg:
            raise ValueError(
                f'model.{key} has no "type" (the loss class registered in '
                f"MMPose's MODELS), got keys {sorted(cfg)}"
            )


def check_loss_weight_schedule(schedule: Any) -> None:
    """None or ``dict(type='linear', start_factor, end_factor, by_epoch)``.

    Args:
        schedule (Any): The ``loss_weight_schedule`` option.

    Raises:
        TypeError: Not a dict, or a value of the wrong type.
        ValueError: An unknown ``type`` or key.
    """
    key = 'loss_weight_schedule'
    _check_type(key, schedule, (dict, type(None)))
    if schedule is None:
        return
    if schedule.get('type', 'linear') not in SCHEDULE_TYPES:
        raise ValueError(
            f'model.{key}.type must be one of {SCHEDULE_TYPES}, got '
            f'{schedule["type"]!r}'
        )
    unknown = sorted(set(schedule) - set(SCHEDULE_KEYS))
    if unknown:
        raise ValueError(
            f'model.{key} has unknown key(s) {unknown}; valid keys: '
            f'{list(SCHEDULE_KEYS)}'
        )
    for factor in ('start_factor', 'end_factor'):
        value = schedule.get(factor, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f'model.{key}.{factor} must be a number, got {value!r}'
            )
    _check_type(f'{key}.by_epoch', schedule.get('by_epoch', True), bool)


def _check_type(
    key: str, value: Any, types: Union[type, tuple], expected: str = ''
) -> None:
    """Raise ``TypeError`` naming ``model.<key>`` unless of ``types``.

    Args:
        key (str): The option name (dotted for nested options).
        value (Any): The value.
        types (type | tuple): The accepted types.
        expected (str): Words for the accepted types; their names if empty.
    """
    if isinstance(value, types):
        return
    if not expected:
        names = types if isinstance(types, tuple) else (types,)
        expected = ' or '.join(
            'None' if t is type(None) else t.__name__ for t in names
        )
    raise TypeError(
        f'model.{key} must be {expected}, got {type(value).__name__}: '
        f'{value!r}'
    )
