# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Mixed precision (AMP): every distillation loss under float16 and
bfloat16 autocast against its float32 result, and distiller training steps.

The inputs are real stage features and SimDR logits: those of the tiny
test distiller's networks (LiteHRNet-18 student, HRNet-W32 teacher, 64x64
images, train mode), where a student channel's sum of squares over its
16 x 16 positions reaches 4.5e6, far beyond float16's 65504. The
randomly initialised teacher's features are small (standard deviations
0.02 to 0.1): each teacher branch is scaled to the standard deviation of
the student's top branch of the same stage, so both sides carry network
magnitudes. Teacher heatmaps are Gaussians of peak 1, as MMPose's.

Under autocast the networks hand the losses float16 / bfloat16 tensors.
Each loss is run twice on the same rounded inputs: under autocast, and in
float32 without autocast (the reference). Tolerances (relative, as norms
of the differences over norms of the reference):

- values: ``VALUE_RTOL`` (the losses compute in float32 under autocast:
  measured 0, the same operations on the same values);
- gradients of the loss's own parameters (float32): ``VALUE_RTOL``
  (measured 0);
- gradients of the input features, which reach them in the features' own
  dtype: ``GRAD_RTOL[dtype]``, the rounding of float16 / bfloat16 (unit
  roundoff 2^-11 / 2^-8); measured at most 2.5e-4 / 1.8e-3.

The backward runs outside autocast on the loss times GradScaler's initial
scale, as MMEngine's ``AmpOptimWrapper`` runs it.
"""

import contextlib
import copy
import warnings

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmpose.registry import MODELS

import mmpose_multikd.models.losses as plugin_losses
from mmpose_multikd.models.losses.cross_stage.channel_products import (
    ResizedChannelDots,
    branch_products,
)
from mmpose_multikd.models.losses.distill_loss import keypoint_weights
from mmpose_multikd.models.utils.precision import (
    autocast_disabled,
    autocast_enabled,
    float32_forward,
)

from .test_distillers.test_multikd_distiller import (  # noqa: F401
    build_distiller,
    make_batch,
    teacher_ckpt,
)


def cpu_autocast_takes(dtype: torch.dtype) -> bool:
    """Whether this torch's CPU autocast computes in ``dtype``: torch 2.1
    takes only bfloat16 there (it warns and disables itself, or raises,
    for float16); later releases take both."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            with torch.autocast('cpu', dtype=dtype):
                product = torch.mm(torch.ones(2, 2), torch.ones(2, 2))
        except RuntimeError:
            return False
    return product.dtype == dtype


NO_CPU_FP16 = pytest.mark.skipif(
    not cpu_autocast_takes(torch.float16),
    reason=f'the CPU autocast of torch {torch.__version__} takes only '
    'bfloat16 (float16 from torch 2.2 on); float16 is checked on CUDA '
    'by multikd_lab/tools/gpu/gpu_check.sh',
)
AMP_DTYPES = [
    pytest.param(torch.float16, id='fp16', marks=NO_CPU_FP16),
    pytest.param(torch.bfloat16, id='bf16'),
]
VALUE_RTOL = 1e-6
GRAD_RTOL = {torch.float16: 1e-3, torch.bfloat16: 4e-3}
BATCH = 3  # RKD's angles need three samples
LOSS_SCALE = 2.0**16  # GradScaler's initial scale


# --------------------------------------------------------------- inputs
@pytest.fixture(scope='module')
def network_outputs(teacher_ckpt):  # noqa: F811
    """Stage features and SimDR logits of the tiny distiller's networks
    on one batch (float32, detached), and the keypoint weights."""
    model = build_distiller(teacher_ckpt).train()
    inputs, samples = make_batch(batch_size=BATCH)
    student_feats, teacher_feats = model.extract_stage_feats(inputs)
    teacher_feats = [
        [branch * (student[0].std() / branch.std()) for branch in teacher]
        for student, teacher in zip(student_feats, teacher_feats)
    ]
    with torch.no_grad():
        student_simcc = model.student(inputs, None, mode='tensor')
        teacher_simcc = model.teacher(inputs, None, mode='tensor')
    return dict(
        student_feats=student_feats,
        teacher_feats=teacher_feats,
        student_simcc=tuple(student_simcc),
        teacher_simcc=tuple(teacher_simcc),
        teacher_heatmaps=heatmaps(BATCH, student_simcc[0].shape[1]),
        target_weight=keypoint_weights(samples),
    )


def heatmaps(batch, keypoints, size=16, sigma=1.0):
    """MSRA-like heatmaps: a Gaussian of peak 1 per keypoint, plus noise."""
    generator = torch.Generator().manual_seed(0)
    centre = torch.rand(batch, keypoints, 2, generator=generator) * size
    grid = torch.arange(size, dtype=torch.float32)
    dy = (grid[:, None] - centre[..., 1, None, None]) ** 2
    dx = (grid[None, :] - centre[..., 0, None, None]) ** 2
    maps = torch.exp(-(dx + dy) / (2 * sigma**2))
    return maps + 0.01 * torch.randn(maps.shape, generator=generator)


def channels(stage_feats):
    return [[branch.shape[1] for branch in stage] for stage in stage_feats]


def halved(stage_feats):
    """Teacher stages at half the size: the loss's per-pair module path."""
    return [[F.avg_pool2d(b, 2) for b in stage] for stage in stage_feats]


# One case per registered loss (and the cross-stage loss's other paths):
# (config, the inputs it is called with).
STAGE_FEATS = ('student_feats', 'teacher_feats')
SIMCC = ('student_simcc', 'teacher_simcc', 'target_weight')
HEATMAPS = ('student_simcc', 'teacher_heatmaps', 'target_weight')
LOSS_CASES = {
    'cross_stage': (
        dict(type='CrossStageAttentionKDLoss', embed_dim=16, pool_size=4),
        STAGE_FEATS,
    ),
    'cross_stage_batch_similarity': (
        dict(
            type='CrossStageAttentionKDLoss',
            embed_dim=16,
            similarity='batch',
            batch_size=BATCH,
        ),
        STAGE_FEATS,
    ),
    'cross_stage_module_path': (
        dict(type='CrossStageAttentionKDLoss', embed_dim=16, pool_size=4),
        STAGE_FEATS,
    ),
    'vkd': (
        dict(type='VKDLoss', temperature=2.0, use_target_weight=True),
        SIMCC,
    ),
    'hinton_kd': (dict(type='HintonKDLoss'), SIMCC),
    'heatmap_vkd': (
        dict(type='HeatmapVKDLoss', heatmap_temperature=0.035),
        HEATMAPS,
    ),
    'fitnet': (dict(type='FitNetLoss'), STAGE_FEATS),
    'rkd': (dict(type='RKDLoss'), STAGE_FEATS),
    'at': (dict(type='ATLoss'), STAGE_FEATS),
    'sp': (dict(type='SPLoss'), STAGE_FEATS),
    'reviewkd': (dict(type='ReviewKDLoss', mid_channels=8), STAGE_FEATS),
}


def test_the_cases_cover_every_registered_loss():
    in_registry = [
        cls for cls in MODELS.module_dict.values() if isinstance(cls, type)
    ]
    registered = {
        getattr(plugin_losses, name)
        for name in plugin_losses.__all__
        if any(getattr(plugin_losses, name) is cls for cls in in_registry)
    }
    assert len(registered) >= 9  # the check sees the losses
    covered = {MODELS.get(cfg['type']) for cfg, _ in LOSS_CASES.values()}
    assert registered == covered


def call_inputs(name, outputs):
    """What case ``name``'s loss is called with, taken from ``outputs``."""
    _, keys = LOSS_CASES[name]
    inputs = [outputs[key] for key in keys]
    if name == 'cross_stage_module_path':
        inputs[1] = halved(inputs[1])
    return inputs


def case_inputs(name, outputs):
    """Case ``name``'s loss (train mode, seeded) and its inputs."""
    cfg, keys = LOSS_CASES[name]
    inputs = call_inputs(name, outputs)
    if keys == STAGE_FEATS:
        cfg = dict(
            cfg,
            student_channels=channels(inputs[0]),
            teacher_channels=channels(inputs[1]),
        )
    torch.manual_seed(0)
    return MODELS.build(cfg).train(), inputs


def rounded(obj, dtype, mixed=False):
    """``obj``'s tensors (through lists and tuples) as the network would
    hand them over under autocast: in ``dtype``; with ``mixed`` every
    other one is kept in float32 (mixed inputs)."""
    count = [0]

    def cast(item):
        if isinstance(item, torch.Tensor):
            count[0] += 1
            keep = mixed and count[0] % 2 == 1
            return item.clone() if keep else item.to(dtype)
        return [cast(i) for i in item]

    return cast(obj)


def as_float32(obj):
    """A float32 copy of ``obj``'s tensors (through lists and tuples)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().float().clone()
    return [as_float32(item) for item in obj]


def leaves(obj):
    if isinstance(obj, torch.Tensor):
        return [obj]
    return [leaf for item in obj for leaf in leaves(item)]


def run(loss, inputs, amp_dtype=None):
    """The loss value, and the gradients of the student's inputs and of
    the loss's parameters, as ``AmpOptimWrapper`` forms them: the backward
    outside autocast, of the loss times ``GradScaler``'s initial scale
    (float16 gradients below 6e-8 would vanish otherwise; each gradient
    in its tensor's dtype, scaled)."""
    student = leaves(inputs[0])
    for leaf in student:
        leaf.requires_grad_()
    context = (
        torch.autocast('cpu', dtype=amp_dtype)
        if amp_dtype is not None
        else contextlib.nullcontext()
    )
    with context:
        value = loss(*inputs)
    params = [p for p in loss.parameters() if p.requires_grad]
    grads = torch.autograd.grad(
        value * LOSS_SCALE, student + params, allow_unused=True
    )
    return value.detach(), grads[: len(student)], grads[len(student) :]


def relative_error(value, reference):
    """``|value - reference| / |reference|`` (Frobenius norms, float64)."""
    value, reference = value.double(), reference.double()
    return float((value - reference).norm() / reference.norm())


# ---------------------------------------------------------------- losses
@pytest.mark.parametrize('mixed', [False, True], ids=['amp', 'mixed'])
@pytest.mark.parametrize('amp_dtype', AMP_DTYPES)
@pytest.mark.parametrize('name', list(LOSS_CASES))
def test_loss_under_autocast_matches_float32(
    network_outputs, name, amp_dtype, mixed
):
    """Values and gradients under autocast against float32 on the same
    (rounded) inputs; ``mixed``: every other student input in float32."""
    loss, inputs = case_inputs(name, network_outputs)
    amp_inputs = [rounded(inputs[0], amp_dtype, mixed)] + [
        rounded(item, amp_dtype) for item in inputs[1:]
    ]
    ref_inputs = [as_float32(item) for item in amp_inputs]
    reference = copy.deepcopy(loss)

    value, input_grads, param_grads = run(loss, amp_inputs, amp_dtype)
    ref_value, ref_input_grads, ref_param_grads = run(reference, ref_inputs)

    assert value.dtype == torch.float32 and torch.isfinite(value)
    assert relative_error(value, ref_value) <= VALUE_RTOL
    for grad, ref, leaf in zip(
        input_grads, ref_input_grads, leaves(amp_inputs[0])
    ):
        if ref is None:  # an input the loss does not read
            assert grad is None
            continue
        assert grad.dtype == leaf.dtype
        assert torch.isfinite(grad).all()
        assert relative_error(grad, ref) <= GRAD_RTOL[amp_dtype]
    for grad, ref in zip(param_grads, ref_param_grads):
        assert torch.isfinite(grad).all()
        assert relative_error(grad, ref) <= VALUE_RTOL
    # BatchNorm statistics (aligners, regressors) move alike
    for (key, buffer), ref in zip(loss.named_buffers(), reference.buffers()):
        if buffer.is_floating_point():
            assert relative_error(buffer, ref) <= VALUE_RTOL, key


# ------------------------------------------- the autograd functions alone
@pytest.mark.parametrize('amp_dtype', AMP_DTYPES)
def test_custom_autograd_functions_take_mixed_dtypes(
    network_outputs, amp_dtype
):
    """``ResizedChannelDots`` and ``BranchProducts`` called directly under
    autocast with a float32 and a float16 / bfloat16 input: float32
    products (beyond float16's range here), the float32 results on the
    same values, and each gradient in its input's dtype."""
    top, lower = network_outputs['student_feats'][2][:2]  # 16x16, 8x8
    full = tuple(top.shape[-2:])
    fixed = top[:, :5].detach().to(amp_dtype)  # a map at the branch size

    def products(first, second, fixed_map):
        dots = ResizedChannelDots.apply(
            first, second[:, : first.shape[1]], full
        )
        gram, cross = branch_products(first, [fixed_map], full)
        return dots, gram, cross

    def forward_backward(first, second, fixed_map, amp):
        first = first.detach().requires_grad_()
        second = second.detach().requires_grad_()
        context = (
            torch.autocast('cpu', dtype=amp_dtype)
            if amp
            else contextlib.nullcontext()
        )
        with context:
            outputs = products(first, second, fixed_map)
        total = sum((o.double() / o.double().norm()).sum() for o in outputs)
        grads = torch.autograd.grad(total, (first, second))
        return outputs, grads

    low = lower.to(amp_dtype)
    outputs, grads = forward_backward(top, low, fixed, amp=True)
    ref_outputs, ref_grads = forward_backward(
        top, low.float(), fixed.float(), amp=False
    )
    assert outputs[1].abs().max() > torch.finfo(torch.float16).max
    for out, ref in zip(outputs, ref_outputs):
        assert out.dtype == torch.float32
        assert relative_error(out, ref) <= VALUE_RTOL
    assert [g.dtype for g in grads] == [torch.float32, amp_dtype]
    assert relative_error(grads[0], ref_grads[0]) <= VALUE_RTOL
    assert relative_error(grads[1], ref_grads[1]) <= GRAD_RTOL[amp_dtype]


def test_float32_forward_passes_float32_inputs_through():
    """Without autocast a decorated forward gets its inputs as they are
    (no copy, whatever their dtype); under autocast it runs with autocast
    off, float16 / bfloat16 inputs as float32."""
    seen = []

    class Probe(torch.nn.Module):
        @float32_forward
        def forward(self, feats, extra=None):
            seen.append((feats, extra, autocast_enabled('cpu')))
            return feats[0]

    feats = [torch.ones(2), torch.ones(2, dtype=torch.float16)]
    Probe()(feats, extra=feats[1])
    assert seen[-1][0] is feats and seen[-1][1] is feats[1]
    assert not seen[-1][2]
    with torch.autocast('cpu', dtype=torch.bfloat16):
        Probe()(feats, extra=feats[1])
    cast, extra, enabled = seen[-1]
    assert cast[0] is feats[0] and cast[1].dtype == torch.float32
    assert extra.dtype == torch.float32 and not enabled
    with torch.autocast('cpu', dtype=torch.bfloat16):
        with autocast_disabled('cpu'):
            assert not autocast_enabled('cpu')
        assert autocast_enabled('cpu')
    with autocast_disabled('meta'):  # no autocast there: nothing to do
        pass


# ------------------------------------------------------------- distiller
class CPUAutocastOptimWrapper(OptimWrapper):
    """``AmpOptimWrapper``'s step without loss scaling, for the CPU
    (``AmpOptimWrapper`` asserts a GPU, and MMEngine's CPU autocast takes
    only bfloat16): the forward under ``torch.autocast``, the backward and
    the step outside it."""

    def __init__(self, dtype, **kwargs):
        super().__init__(**kwargs)
        self.dtype = dtype

    @contextlib.contextmanager
    def optim_context(self, model):
        with super().optim_context(model):
            with torch.autocast('cpu', dtype=self.dtype):
                yield


def amp_optim_wrapper(kind, params, monkeypatch):
    optimizer = torch.optim.Adam(params, lr=1e-3)
    if kind == 'AmpOptimWrapper':
        # MMEngine's own wrapper: its GPU check passes, its GradScaler
        # disables itself without CUDA, its autocast is bfloat16 on the CPU
        monkeypatch.setattr(
            'mmengine.optim.optimizer.amp_optimizer_wrapper.'
            'is_cuda_available',
            lambda: True,
        )
        return AmpOptimWrapper(optimizer=optimizer, dtype='bfloat16')
    return CPUAutocastOptimWrapper(
        {'fp16': torch.float16, 'bf16': torch.bfloat16}[kind],
        optimizer=optimizer,
    )


@pytest.mark.parametrize(
    'distill_losses',
    [None, dict(loss_fkd=None, loss_vkd=None)],
    ids=['multikd', 'student_alone'],
)
@pytest.mark.parametrize(
    'kind',
    [pytest.param('fp16', marks=NO_CPU_FP16), 'bf16', 'AmpOptimWrapper'],
)
def test_distiller_trains_under_autocast(
    teacher_ckpt,  # noqa: F811
    kind,
    distill_losses,
    monkeypatch,
):
    """A few training steps (forward under autocast, Adam steps): finite
    losses and parameters; the student's SimDR logits reach MMPose's loss
    in float32 (its accuracy goes through NumPy, which has no
    bfloat16)."""
    overrides = (
        {} if distill_losses is None else dict(distill_losses=distill_losses)
    )
    model = build_distiller(teacher_ckpt, **overrides).train()
    params = [p for p in model.parameters() if p.requires_grad]
    wrapper = amp_optim_wrapper(kind, params, monkeypatch)
    logits = []
    model.student.head.mlp_head_x.register_forward_hook(
        lambda module, args, output: logits.append(output.dtype)
    )
    before = [p.detach().clone() for p in params]
    for step in range(2):
        inputs, samples = make_batch(batch_size=2, seed=step)
        log_vars = model.train_step(
            dict(inputs=inputs, data_samples=samples), wrapper
        )
        losses = {k: v for k, v in log_vars.items() if k.startswith('loss')}
        assert 'loss_kpt' in losses
        if distill_losses is None:
            assert {'loss_fkd', 'loss_vkd'} <= set(losses)
        for name, value in log_vars.items():
            assert torch.isfinite(torch.as_tensor(value)), (step, name)
    assert all(torch.isfinite(p).all() for p in params)
    assert any(not torch.equal(p, b) for p, b in zip(params, before))
    # the network ran in low precision, its logits were handed on in
    # float32 (the hook above runs before the distiller's cast)
    assert logits and all(dtype != torch.float32 for dtype in logits)
