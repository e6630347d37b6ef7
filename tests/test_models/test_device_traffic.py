# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""No host-device traffic in a training step of the distillation losses.

Every loss runs forward and backward with its module and its inputs on
PyTorch's ``meta`` device, under a dispatch mode that records each
operator that mixes a CPU tensor with a tensor elsewhere (a CPU -> device
copy included: ``_to_copy``, ``copy_``, or a CPU index into a device
tensor). On a GPU each of them is a blocking host-to-device copy. The
first step may build the cached resizing matrices on the device (one copy
each, once); the second must have none. 0-dim CPU tensors (Python
scalars wrapped by PyTorch) are not copies and are not counted.
"""

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from .test_amp import LOSS_CASES, call_inputs, case_inputs, leaves

BATCH, KEYPOINTS, BINS = 3, 4, 32
STUDENT = [[4, 8], [4, 8, 16], [4, 8, 16, 32]]
TEACHER = [[4, 8], [4, 8, 16], [8]]


class HostDeviceMixes(TorchDispatchMode):
    """Records the operators whose tensors are on the CPU and elsewhere."""

    def __init__(self):
        super().__init__()
        self.mixes = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        tensors = [
            t
            for t in tree_flatten((args, kwargs, out))[0]
            if isinstance(t, torch.Tensor)
        ]
        on_cpu = [t for t in tensors if t.device.type == 'cpu' and t.dim()]
        elsewhere = [t for t in tensors if t.device.type != 'cpu']
        if on_cpu and elsewhere:
            shapes = [tuple(t.shape) for t in on_cpu]
            self.mixes.append(f'{func} (CPU tensors {shapes})')
        return out


def meta_stages(channels, size):
    return [
        [
            torch.randn(BATCH, c, size >> b, size >> b, device='meta')
            for b, c in enumerate(stage)
        ]
        for stage in channels
    ]


def meta_inputs():
    """The inputs of every loss kind, on the meta device."""
    return dict(
        student_feats=meta_stages(STUDENT, 16),
        teacher_feats=meta_stages(TEACHER, 16),
        student_simcc=(
            torch.randn(BATCH, KEYPOINTS, BINS, device='meta'),
            torch.randn(BATCH, KEYPOINTS, BINS, device='meta'),
        ),
        teacher_simcc=(
            torch.randn(BATCH, KEYPOINTS, BINS, device='meta'),
            torch.randn(BATCH, KEYPOINTS, BINS, device='meta'),
        ),
        teacher_heatmaps=torch.randn(BATCH, KEYPOINTS, 8, 8, device='meta'),
        target_weight=torch.ones(BATCH, KEYPOINTS, device='meta'),
    )


@pytest.mark.parametrize('name', list(LOSS_CASES))
def test_a_training_step_copies_nothing_from_the_host(name):
    loss = case_inputs(name, meta_inputs())[0].to('meta')
    mixes = []
    for _ in range(2):  # the second step, once the caches are built
        step_inputs = call_inputs(name, meta_inputs())
        for leaf in leaves(step_inputs[0]):
            leaf.requires_grad_()
        with HostDeviceMixes() as mode:
            value = loss(*step_inputs)
            value.backward()
        assert value.device.type == 'meta'
        mixes.append(mode.mixes)
    params = [p for p in loss.parameters() if p.requires_grad]
    assert all(p.grad is not None for p in params)
    assert mixes[1] == [], f'{name}: host tensors in step 2: {mixes[1]}'
