# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Precision of the distillation losses under mixed precision (AMP).

Under ``torch.autocast`` (MMEngine's ``AmpOptimWrapper``, ``--amp``) the
networks run their convolutions and matrix products in float16 or
bfloat16. The distillation losses do not: they are sums over positions,
channels and bins (Gram matrices over up to 64 x 64 positions, squared
differences, 512-bin softmaxes), whose values overflow float16 (largest
finite value 65504) and lose most of their digits in bfloat16 (8 bits).
So every loss of this package, and every function that forms such sums,
computes in float32 whatever the autocast state (float64 inputs, as in the
gradient checks, stay float64):

- :func:`float32_forward` wraps a loss's ``forward``: when autocast is on
  for its inputs' device, it is switched off for the call and the float16 /
  bfloat16 input tensors are cast to float32 (their gradients flow back in
  their own dtype). With autocast off it passes the inputs through, so a
  float32 run is unchanged;
- the custom autograd functions and the moment-based distances switch
  autocast off and cast to :func:`compute_dtype` themselves, in forward
  and backward, so they are right when called directly too.

Why not ``torch.amp.custom_fwd(cast_inputs=torch.float32)``: it takes one
``device_type`` (``'cuda'`` does nothing under CPU autocast, and the
project runs on both), it acts only while that device's autocast is on
(mixed float16 / float32 inputs outside autocast still reach the
function), and it leaves float64 inputs to the caller. The explicit
``torch.autocast(device_type=x.device.type, enabled=False)`` and casts here
work alike on torch 2.1 to 2.14, on the CPU and on CUDA. On a device
without autocast (``meta``) nothing is switched.
"""

import contextlib
import functools
from typing import Any, Callable, Optional

import torch
from torch import Tensor

# Floating dtypes that a loss never computes in.
LOW_PRECISION = (torch.float16, torch.bfloat16)

_NO_CONTEXT = contextlib.nullcontext()


def compute_dtype(*tensors: Tensor) -> torch.dtype:
    """float64 when an input is float64, else float32: the dtype products
    and sums are formed in."""
    if any(t.dtype == torch.float64 for t in tensors):
        return torch.float64
    return torch.float32


def autocast_enabled(device_type: str) -> bool:
    """Whether autocast is on for ``device_type`` (False for a device type
    without autocast, e.g. ``'meta'``).

    torch 2.4 and later ask per device type
    (``torch.amp.is_autocast_available``, ``torch.is_autocast_enabled(
    device_type)``); the torch 2.1 to 2.3 API has one flag for CUDA
    (``torch.is_autocast_enabled()``) and one for the CPU.
    """
    is_available = getattr(torch.amp, 'is_autocast_available', None)
    if is_available is not None:
        return is_available(device_type) and torch.is_autocast_enabled(
            device_type
        )
    if device_type == 'cpu':
        return torch.is_autocast_cpu_enabled()
    if device_type == 'cuda':
        return torch.is_autocast_enabled()
    return False


def autocast_disabled(device_type: str):
    """A context that switches autocast off for ``device_type`` when it is
    on (else a no-op context)."""
    if autocast_enabled(device_type):
        return torch.autocast(device_type=device_type, enabled=False)
    return _NO_CONTEXT


def upcast(obj: Any) -> Any:
    """``obj`` with its float16 / bfloat16 tensors as float32, through
    lists and tuples; ``obj`` itself when it holds none."""
    if isinstance(obj, Tensor):
        return obj.float() if obj.dtype in LOW_PRECISION else obj
    if isinstance(obj, (list, tuple)):
        items = [upcast(item) for item in obj]
        if all(new is old for new, old in zip(items, obj)):
            return obj
        return items if isinstance(obj, list) else tuple(items)
    return obj


def _device_type(obj: Any) -> Optional[str]:
    """The device type of the first tensor in ``obj`` (lists, tuples)."""
    if isinstance(obj, Tensor):
        return obj.device.type
    if isinstance(obj, (list, tuple)):
        for item in obj:
            found = _device_type(item)
            if found is not None:
                return found
    return None


def float32_forward(forward: Callable) -> Callable:
    """Decorate a loss's ``forward(self, *args, **kwargs)`` to compute in
    float32 under autocast.

    When autocast is on for the device of the first input tensor, the call
    runs with it off and with every float16 / bfloat16 input tensor (also
    inside lists and tuples) cast to float32; the loss's own parameters
    are float32 under AMP, so its layers and sums run in float32. When
    autocast is off the inputs are passed through as they are.
    """

    @functools.wraps(forward)
    def wrapper(self, *args, **kwargs):
        device_type = _device_type(args)
        if device_type is None or not autocast_enabled(device_type):
            return forward(self, *args, **kwargs)
        with torch.autocast(device_type=device_type, enabled=False):
            return forward(
                self,
                *upcast(args),
                **{key: upcast(value) for key, value in kwargs.items()},
            )

    return wrapper


def float32_output_hook(module, args, output):
    """A forward hook that turns a module's float16 / bfloat16 output
    (a tensor, or a list or tuple of them) into float32, e.g. SimDR logits
    that MMPose's heads convert to NumPy (which has no bfloat16) and soften
    over hundreds of bins. Returns None (the output as it is) when there
    is nothing to cast."""
    cast = upcast(output)
    return None if cast is output else cast
