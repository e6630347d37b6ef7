# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Float32HeadOutputHook: a plain SimDR model trains under bf16 autocast
(MMPose's SimCCHead accuracy converts its logits to NumPy, which has no
bfloat16), and the hook changes nothing in float32."""

from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

from mmpose_multikd.engine import Float32HeadOutputHook

from ..helpers import REPO_ROOT
from ..test_models.test_distillers.test_multikd_distiller import make_batch

STUDENT_CFG = (
    REPO_ROOT
    / 'tests'
    / 'data'
    / 'configs'
    / 'simcc_litehrnet18_tiny_mpii-64x64.py'
)

pytestmark = pytest.mark.usefixtures('one_torch_thread')


@pytest.fixture(scope='module')
def student_and_batch():
    init_default_scope('mmpose')
    cfg = Config.fromfile(str(STUDENT_CFG))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    # preprocessed images with MMPose's SimDR labels at the config's size
    inputs, samples = make_batch(batch_size=2)
    return model, dict(inputs=inputs, data_samples=samples)


def bf16_loss(model, data):
    with torch.autocast('cpu', dtype=torch.bfloat16):
        return model.loss(data['inputs'], data['data_samples'])


def test_bf16_needs_the_hook_and_works_with_it(student_and_batch):
    model, data = student_and_batch
    with pytest.raises(TypeError, match='BFloat16'):
        bf16_loss(model, data)

    hook = Float32HeadOutputHook()
    hook.before_train(SimpleNamespace(model=model))
    try:
        outputs = []
        # runs after the cast (hooks run in the order they were added)
        probe = model.head.mlp_head_x.register_forward_hook(
            lambda module, args, out: outputs.append((args[0], out))
        )
        losses = bf16_loss(model, data)
        probe.remove()
    finally:
        hook.after_train(None)
    assert torch.isfinite(losses['loss_kpt'])
    # the layer ran in bf16 under autocast; its logits leave as float32
    layer_input, logits = outputs[0]
    assert layer_input.dtype == torch.bfloat16  # autocast was on
    assert logits.dtype == torch.float32
    # removed after training: the failure is back
    with pytest.raises(TypeError, match='BFloat16'):
        bf16_loss(model, data)


def test_float32_is_unchanged(student_and_batch):
    model, data = student_and_batch
    torch.manual_seed(1)
    reference = model.loss(data['inputs'], data['data_samples'])
    hook = Float32HeadOutputHook()
    hook.before_train(SimpleNamespace(model=model))
    try:
        torch.manual_seed(1)
        hooked = model.loss(data['inputs'], data['data_samples'])
    finally:
        hook.after_train(None)
    assert torch.equal(hooked['loss_kpt'], reference['loss_kpt'])


def test_a_model_without_head_is_refused():
    hook = Float32HeadOutputHook()
    with pytest.raises(TypeError, match='has no SimDR head'):
        hook.before_train(SimpleNamespace(model=torch.nn.Linear(2, 2)))
