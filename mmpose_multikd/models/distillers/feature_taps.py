# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Forward hooks that record multi-stage, multi-branch features.

The distiller needs every stage's output (all branches) of the teacher and the
student while their heads keep receiving exactly what they receive today. We
do not copy or subclass MMPose's backbones: a :class:`FeatureTaps` registers a
forward hook on each named submodule (e.g. ``backbone.stage0`` of MMPose's
``LiteHRNet``) and keeps that module's output of the last forward.
"""

import difflib
from typing import Dict, List, Sequence, Union

import torch.nn as nn
from torch import Tensor

StageFeature = List[Tensor]


def resolve_module(model: nn.Module, module_path: str) -> nn.Module:
    """Return the submodule of ``model`` at ``module_path``.

    Args:
        model (nn.Module): The root module, e.g. a ``TopdownPoseEstimator``.
        module_path (str): Dotted path, e.g. ``'backbone.stage0'``.

    Returns:
        nn.Module: The submodule.

    Raises:
        KeyError: When no submodule has that path; the message lists the
            nearest valid module paths.
    """
    try:
        return model.get_submodule(module_path)
    except AttributeError:
        valid_paths = [name for name, _ in model.named_modules() if name]
        nearest = difflib.get_close_matches(
            module_path, valid_paths, n=5, cutoff=0.5
        )
        if not nearest:
            nearest = [p for p in valid_paths if p.count('.') <= 1][:10]
        raise KeyError(
            f'Feature tap {module_path!r} names no module of '
            f'{type(model).__name__}. Nearest valid module paths: '
            f'{nearest}'
        ) from None


def default_tap_paths(pose_model: nn.Module) -> List[str]:
    """Default stage taps for MMPose's ``LiteHRNet`` and ``HRNet``.

    LiteHRNet: ``backbone.stage{i}`` for each of its stages (2, 3, 4 branches
    for LiteHRNet-18/30). HRNet: ``backbone.stage2..stage4`` (2, 3 and, with
    MMPose's default ``multiscale_output=False``, 1 branch), the stages at the
    same depth as LiteHRNet's three stages.

    Args:
        pose_model (nn.Module): A pose estimator with a ``backbone``.

    Returns:
        list[str]: Module paths relative to ``pose_model``.

    Raises:
        TypeError: For other backbones, which need explicit taps.
    """
    from mmpose.models.backbones import HRNet, LiteHRNet

    backbone = getattr(pose_model, 'backbone', None)
    if isinstance(backbone, LiteHRNet):
        return [f'backbone.stage{i}' for i in range(backbone.num_stages)]
    if isinstance(backbone, HRNet):
        return ['backbone.stage2', 'backbone.stage3', 'backbone.stage4']
    raise TypeError(
        f'No default feature taps for backbone {type(backbone).__name__}; '
        'give the module paths of its stages explicitly (e.g. '
        "['backbone.layer2', 'backbone.layer3'])."
    )


def as_branch_list(output: Union[Tensor, Sequence[Tensor]]) -> StageFeature:
    """Normalise a module output to a list of branch tensors."""
    if isinstance(output, Tensor):
        return [output]
    if isinstance(output, (list, tuple)) and all(
        isinstance(t, Tensor) for t in output
    ):
        return list(output)
    raise TypeError(
        'A tapped module must output a tensor or a list/tuple '
        f'of tensors, got {type(output).__name__}'
    )


class FeatureTaps:
    """Record the outputs of named submodules during a forward pass.

    Hooks only store references to outputs the model computes anyway, so the
    model's own output is unchanged and no extra compute is spent.

    Example:
        >>> taps = FeatureTaps(pose_model, ['backbone.stage0'])
        >>> with taps:
        ...     pose_model.extract_feat(inputs)
        ...     stage_feats = taps.pop()  # list (stages) of lists (branches)

    Args:
        model (nn.Module): The root module.
        module_paths (Sequence[str]): Dotted paths of the modules to tap,
            shallowest stage first.
    """

    def __init__(self, model: nn.Module, module_paths: Sequence[str]):
        if not module_paths:
            raise ValueError('FeatureTaps needs at least one module path')
        self.module_paths = list(module_paths)
        self.modules = [resolve_module(model, p) for p in self.module_paths]
        self._outputs: Dict[str, StageFeature] = {}
        self._handles: list = []

    def _make_hook(self, module_path: str):
        def hook(module, args, output):
            self._outputs[module_path] = as_branch_list(output)

        return hook

    def register(self) -> 'FeatureTaps':
        """Attach the forward hooks (idempotent)."""
        if not self._handles:
            self._handles = [
                module.register_forward_hook(self._make_hook(path))
                for path, module in zip(self.module_paths, self.modules)
            ]
        return self

    def remove(self) -> None:
        """Detach the hooks and drop recorded outputs."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._outputs = {}

    def pop(self) -> List[StageFeature]:
        """Return and clear the recorded outputs, in tap order.

        Returns:
            list[list[Tensor]]: One entry per tap, each a list of branch
            tensors (highest resolution first).
        """
        missing = [p for p in self.module_paths if p not in self._outputs]
        if missing:
            raise RuntimeError(
                f'Feature taps {missing} recorded nothing: the module did not '
                'run in the last forward (are the hooks registered?)'
            )
        stage_feats = [self._outputs[p] for p in self.module_paths]
        self._outputs = {}
        return stage_feats

    def __enter__(self) -> 'FeatureTaps':
        return self.register()

    def __exit__(self, *exc_info) -> None:
        self.remove()
