# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""SimDR logits in float32 under bf16/fp16 autocast, for any SimDR model."""

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpose.registry import HOOKS

from ...models.utils.precision import float32_output_hook

# The layers that produce the x / y logits: MMPose's SimCCHead (and this
# package's light SimDR heads), MMPose's RTMCCHead.
LOGIT_LAYERS = ('mlp_head_x', 'mlp_head_y', 'cls_x', 'cls_y')


@HOOKS.register_module()
class Float32HeadOutputHook(Hook):
    """Make a SimDR head's logits float32 under mixed precision.

    Under ``--amp`` with ``optim_wrapper.dtype=bfloat16``, MMPose's
    ``SimCCHead.loss`` converts the bfloat16 SimDR logits to NumPy for its
    accuracy, which NumPy cannot hold (``TypeError: Got unsupported
    ScalarType BFloat16``); 512-bin softmaxes are better computed in float32
    anyway. This hook registers, when training starts, a forward hook on
    the head's logit layers (``LOGIT_LAYERS``; the student's head for a
    distiller) that returns their float16 / bfloat16 outputs as float32
    (the head's ``forward`` itself is called directly by its ``loss``, so
    a hook on the head module would not run). Without autocast the outputs are
    float32 already and pass through unchanged. ``MultiKDDistiller`` does
    the same for its student by itself; this hook serves plain MMPose
    configs (a student trained alone).

    Example:
        >>> custom_hooks = [dict(type='Float32HeadOutputHook')]
    """

    priority = 'NORMAL'

    def __init__(self) -> None:
        self._handles = []

    def before_train(self, runner) -> None:
        model = (
            runner.model.module
            if is_model_wrapper(runner.model)
            else (runner.model)
        )
        owner = getattr(model, 'student', model)
        head = getattr(owner, 'head', None)
        layers = [
            getattr(head, name) for name in LOGIT_LAYERS if hasattr(head, name)
        ]
        if not layers:
            raise TypeError(
                f'Float32HeadOutputHook: {type(owner).__name__} has no SimDR '
                f'head with logit layers {LOGIT_LAYERS} (its head: '
                f'{type(head).__name__})'
            )
        if not self._handles:
            self._handles = [
                layer.register_forward_hook(float32_output_hook)
                for layer in layers
            ]

    def after_train(self, runner) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
