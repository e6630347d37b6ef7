# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The compared KD baselines against explicit-loop references."""

import math
import re

import pytest
import torch
import torch.nn.functional as F
from mmpose.registry import MODELS

from mmpose_multikd.models.losses import VKDLoss
from mmpose_multikd.models.losses.baselines import (
    ATLoss,
    FitNetLoss,
    KDLoss,
    ReviewKDLoss,
    RKDLoss,
    SPLoss,
    StageFeatureKDLoss,
)

DTYPE = torch.float64
NUM_SAMPLES = 4
# Top-branch channels differ per stage (4/5/6 vs 6/7/8) so that a wrong
# stage index cannot go unnoticed; the last teacher stage is a bare tensor.
STUDENT_CHANNELS = [[4, 6], [5, 6, 8], [6, 6, 8, 8]]
TEACHER_CHANNELS = [[6, 8], [7, 8, 8], 8]
STUDENT_SIZE, TEACHER_SIZE = 8, 4
# Real configuration: LiteHRNet-18 student, HRNet-W32 teacher.
LITEHRNET18_CHANNELS = [[40, 80], [40, 80, 160], [40, 80, 160, 320]]
HRNET_W32_CHANNELS = [[32, 64], [32, 64, 128], [32]]
FEATURE_LOSSES = [FitNetLoss, RKDLoss, ATLoss, SPLoss, ReviewKDLoss]


# --------------------------------------------------------------- helpers
def make_stage_feats(
    channels, batch_size, sizes, seed, requires_grad=False, scale=1.0
):
    """Random stage features: a tensor per int stage, else branch lists.

    ``sizes`` is the top branch's side length, one int for all stages or one
    per stage; every further branch halves it.
    """
    generator = torch.Generator().manual_seed(seed)
    if isinstance(sizes, int):
        sizes = [sizes] * len(channels)

    def branch(num_channels, top_size, level):
        size = max(1, top_size >> level)
        feat = torch.randn(
            batch_size,
            num_channels,
            size,
            size,
            generator=generator,
            dtype=DTYPE,
        )
        return (feat * scale).requires_grad_(requires_grad)

    return [
        branch(stage, top_size, 0)
        if isinstance(stage, int)
        else [
            branch(num_channels, top_size, level)
            for level, num_channels in enumerate(stage)
        ]
        for stage, top_size in zip(channels, sizes)
    ]


def make_inputs(
    batch_size=NUM_SAMPLES,
    student_channels=STUDENT_CHANNELS,
    teacher_channels=TEACHER_CHANNELS,
    student_sizes=STUDENT_SIZE,
    teacher_sizes=TEACHER_SIZE,
    seed=0,
):
    student = make_stage_feats(
        student_channels, batch_size, student_sizes, seed, True
    )
    teacher = make_stage_feats(
        teacher_channels, batch_size, teacher_sizes, seed + 1
    )
    return student, teacher


def branches_of(stage_feat):
    return [stage_feat] if torch.is_tensor(stage_feat) else list(stage_feat)


def flat_tensors(stage_feats):
    return [branch for stage in stage_feats for branch in branches_of(stage)]


def top(stage_feat):
    return branches_of(stage_feat)[0]


def grads_or_zeros(loss, tensors):
    grads = torch.autograd.grad(
        loss, tensors, allow_unused=True, retain_graph=True
    )
    return [
        torch.zeros_like(tensor) if grad is None else grad
        for grad, tensor in zip(grads, tensors)
    ]


def check_against_naive(loss, expected, loss_fn, student):
    """Same value and same gradients w.r.t. student maps and parameters."""
    assert loss.dim() == 0
    torch.testing.assert_close(loss, expected)
    tensors = [
        param for param in loss_fn.parameters() if param.requires_grad
    ] + flat_tensors(student)
    actual_grads = grads_or_zeros(loss, tensors)
    expected_grads = grads_or_zeros(expected, tensors)
    assert any(grad.abs().sum() > 0 for grad in expected_grads)
    for actual, reference in zip(actual_grads, expected_grads):
        torch.testing.assert_close(actual, reference)


def randomise_batchnorms(module):
    """Non-trivial BatchNorm statistics and affine parameters."""
    for norm in module.modules():
        if isinstance(norm, torch.nn.BatchNorm2d):
            norm.running_mean.uniform_(-0.5, 0.5)
            norm.running_var.uniform_(0.5, 1.5)
            norm.weight.data.uniform_(0.5, 1.5)
            norm.bias.data.uniform_(-0.5, 0.5)
    return module


def build(loss_cls, student_channels, teacher_channels, seed=0, **kwargs):
    torch.manual_seed(seed)
    loss_fn = loss_cls(student_channels, teacher_channels, **kwargs)
    return randomise_batchnorms(loss_fn.to(DTYPE))


def naive_resize(feat, size):
    """Bilinear resize of one sample ``(1, C, H, W)`` when sizes differ."""
    if tuple(feat.shape[-2:]) == tuple(size):
        return feat
    return F.interpolate(
        feat, size=tuple(size), mode='bilinear', align_corners=False
    )


def squared_sum(first, second):
    return ((first - second) ** 2).sum()


# -------------------------------------------------------------------- KD
NUM_KEYPOINTS, BINS_X, BINS_Y = 3, 5, 4


def make_simcc(seed, requires_grad=False):
    generator = torch.Generator().manual_seed(seed)
    return tuple(
        (
            torch.randn(
                NUM_SAMPLES,
                NUM_KEYPOINTS,
                bins,
                generator=generator,
                dtype=DTYPE,
            )
            * 3.0
        ).requires_grad_(requires_grad)
        for bins in (BINS_X, BINS_Y)
    )


def naive_kd(student, teacher, temperature, loss_weight, weights=None):
    """sum_n sum_k m_nk sum_axes sum_i T_i (log T_i - log S_i) tau^2."""

    def softmax(row):
        exps = [torch.exp(value / temperature) for value in row]
        return [value / sum(exps) for value in exps]

    total = 0.0
    for n in range(NUM_SAMPLES):
        for k in range(NUM_KEYPOINTS):
            kl = 0.0
            for student_axis, teacher_axis in zip(student, teacher):
                t_probs = softmax(teacher_axis[n, k].detach())
                s_probs = softmax(student_axis[n, k])
                for t_prob, s_prob in zip(t_probs, s_probs):
                    kl = kl + t_prob * (torch.log(t_prob) - torch.log(s_prob))
            total = total + (1.0 if weights is None else weights[n, k]) * kl
    return loss_weight * total * temperature**2


@pytest.mark.parametrize('use_target_weight', [False, True])
def test_kd_matches_naive(use_target_weight):
    student, teacher = make_simcc(0, True), make_simcc(1)
    weights = torch.tensor(
        [[1.0, 0.0, 0.5], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1, 1, 1]],
        dtype=DTYPE,
    )
    loss_fn = KDLoss(loss_weight=0.7, use_target_weight=use_target_weight)
    target_weight = weights if use_target_weight else None

    loss = loss_fn(student, teacher, target_weight)
    expected = naive_kd(student, teacher, 4.0, 0.7, target_weight)

    assert loss.dim() == 0
    torch.testing.assert_close(loss, expected)
    for grad, reference in zip(
        torch.autograd.grad(loss, student),
        torch.autograd.grad(expected, student),
    ):
        torch.testing.assert_close(grad, reference)


def test_kd_zero_for_identical_logits_and_teacher_gets_no_gradient():
    student, teacher = make_simcc(0, True), make_simcc(1, True)
    loss_fn = KDLoss()
    loss = loss_fn(student, teacher)
    assert loss > 0
    loss.backward()
    assert all(pred.grad is None for pred in teacher)
    assert all(pred.grad.abs().sum() > 0 for pred in student)

    identical = tuple(pred.detach().clone() for pred in student)
    zero = loss_fn(student, identical)
    torch.testing.assert_close(zero, torch.zeros_like(zero))


def test_kd_shape_mismatch():
    student = make_simcc(0)
    teacher = (student[0], torch.zeros(NUM_SAMPLES, NUM_KEYPOINTS, 7))
    message = (
        f'y axis: student ({NUM_SAMPLES}, {NUM_KEYPOINTS}, {BINS_Y}) '
        f'vs teacher ({NUM_SAMPLES}, {NUM_KEYPOINTS}, 7)'
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        KDLoss()(student, teacher)


def test_kd_build_from_registry_keeps_mmpose_kdloss():
    loss_fn = MODELS.build(dict(type='HintonKDLoss', loss_weight=0.5))
    assert isinstance(loss_fn, KDLoss)
    assert isinstance(loss_fn, VKDLoss)
    assert loss_fn.temperature == 4.0
    assert loss_fn.loss_weight == 0.5
    assert KDLoss.distill_inputs[:2] == ('student_simcc', 'teacher_simcc')
    # MMPose's own (DWPose) KDLoss must not be overridden.
    assert MODELS.get('KDLoss') is not KDLoss
    assert MODELS.get('KDLoss').__module__.startswith('mmpose.')


# ---------------------------------------------------------------- FitNet
def naive_fitnet(loss_fn, student, teacher):
    """Per-sample squared error, divided by N * C_t * H_t * W_t."""
    guided = top(student[loss_fn.student_stage])
    hint = top(teacher[loss_fn.teacher_stage]).detach()
    if loss_fn.training:  # BatchNorm statistics of the whole batch
        regressed = loss_fn.regressor(guided)
        per_sample = [regressed[n : n + 1] for n in range(guided.shape[0])]
    else:
        per_sample = [
            loss_fn.regressor(guided[n : n + 1])
            for n in range(guided.shape[0])
        ]
    total = 0.0
    for n, regressed in enumerate(per_sample):
        resized = naive_resize(regressed, hint.shape[-2:])
        total = total + squared_sum(resized, hint[n : n + 1])
    # the per-sample mean over C_t * H_t * W_t, summed over the samples
    return loss_fn.loss_weight * total / hint[0].numel()


@pytest.mark.parametrize(
    'student_stage,teacher_stage,teacher_size',
    [(1, 1, TEACHER_SIZE), (0, 2, STUDENT_SIZE), (-1, -1, TEACHER_SIZE)],
)
def test_fitnet_matches_naive(student_stage, teacher_stage, teacher_size):
    loss_fn = build(
        FitNetLoss,
        STUDENT_CHANNELS,
        TEACHER_CHANNELS,
        student_stage=student_stage,
        teacher_stage=teacher_stage,
        loss_weight=0.3,
    ).eval()
    student, teacher = make_inputs(teacher_sizes=teacher_size)
    loss = loss_fn(student, teacher)
    check_against_naive(
        loss, naive_fitnet(loss_fn, student, teacher), loss_fn, student
    )


def test_fitnet_matches_naive_train_mode_batchnorm():
    loss_fn = build(FitNetLoss, STUDENT_CHANNELS, TEACHER_CHANNELS).train()
    student, teacher = make_inputs()
    loss = loss_fn(student, teacher)
    check_against_naive(
        loss, naive_fitnet(loss_fn, student, teacher), loss_fn, student
    )


def test_fitnet_regressor_and_gradient_only_on_the_guided_stage():
    loss_fn = build(
        FitNetLoss, STUDENT_CHANNELS, TEACHER_CHANNELS, student_stage=-1
    )
    assert loss_fn.student_stage == 2 and loss_fn.teacher_stage == 1
    assert loss_fn.regressor[0].in_channels == 6
    assert loss_fn.regressor[0].out_channels == 7
    student, teacher = make_inputs()
    grads = grads_or_zeros(loss_fn(student, teacher), flat_tensors(student))
    used = [branch is student[2][0] for branch in flat_tensors(student)]
    assert [bool(grad.abs().sum() > 0) for grad in grads] == used


def test_fitnet_invalid_stage():
    with pytest.raises(ValueError, match='student_stage=3 is out of range'):
        FitNetLoss(STUDENT_CHANNELS, TEACHER_CHANNELS, student_stage=3)
    with pytest.raises(ValueError, match='teacher_stage=-4 is out of range'):
        FitNetLoss(STUDENT_CHANNELS, TEACHER_CHANNELS, teacher_stage=-4)


# ------------------------------------------------------------------- RKD
def huber(diff):
    """Smooth L1 (beta = 1) of a scalar difference."""
    return 0.5 * diff**2 if diff.abs() < 1 else diff.abs() - 0.5


def naive_embeddings(feat):
    """Global average pooling, one channel at a time."""
    return [
        torch.stack([feat[n, c].mean() for c in range(feat.shape[1])])
        for n in range(feat.shape[0])
    ]


def naive_distances(embeds):
    num = len(embeds)
    dist = {
        (i, j): torch.sqrt(((embeds[i] - embeds[j]) ** 2).sum())
        for i in range(num)
        for j in range(num)
        if i != j
    }
    mean = sum(dist.values()) / (num * (num - 1))
    return {pair: value / mean for pair, value in dist.items()}


def naive_cosine(embeds, i, j, k):
    first, second = embeds[j] - embeds[i], embeds[k] - embeds[i]
    return torch.dot(first, second) / (first.norm() * second.norm())


def naive_rkd(loss_fn, student, teacher):
    """Loops over pairs and triplets; degenerate ones add 0 to the sums."""
    s_embeds = naive_embeddings(top(student[loss_fn.student_stage]))
    t_embeds = naive_embeddings(top(teacher[loss_fn.teacher_stage]).detach())
    num = len(s_embeds)
    s_dist, t_dist = naive_distances(s_embeds), naive_distances(t_embeds)
    distance = sum(huber(s_dist[pair] - t_dist[pair]) for pair in s_dist)
    angle = 0.0
    for i in range(num):
        for j in range(num):
            for k in range(num):
                if i in (j, k):
                    continue  # zero difference vector: cosine 0 on both
                angle = angle + huber(
                    naive_cosine(s_embeds, i, j, k)
                    - naive_cosine(t_embeds, i, j, k)
                )
    # means over pairs and triplets, times N (summed over the samples)
    return (
        num
        * loss_fn.loss_weight
        * (
            loss_fn.distance_weight * distance / num**2
            + loss_fn.angle_weight * angle / num**3
        )
    )


@pytest.mark.parametrize(
    'stage,distance_weight,angle_weight',
    [(-1, 25.0, 50.0), (0, 1.0, 2.0), (1, 3.0, 0.0)],
)
def test_rkd_matches_naive(stage, distance_weight, angle_weight):
    loss_fn = build(
        RKDLoss,
        STUDENT_CHANNELS,
        TEACHER_CHANNELS,
        stage=stage,
        distance_weight=distance_weight,
        angle_weight=angle_weight,
        loss_weight=0.5,
    )
    # With seed 3 some angle differences of the last stage exceed 1, so
    # both branches of the smooth L1 are exercised.
    student, teacher = make_inputs(seed=3)
    loss = loss_fn(student, teacher)
    check_against_naive(
        loss, naive_rkd(loss_fn, student, teacher), loss_fn, student
    )


def test_rkd_zero_for_identical_and_similar_embeddings():
    channels = [[5, 6], [6, 8]]
    loss_fn = RKDLoss(channels, channels)
    student = make_stage_feats(channels, NUM_SAMPLES, 4, 0, True)
    assert loss_fn(student, make_stage_feats(channels, NUM_SAMPLES, 4, 1)) > 0
    for teacher in (
        [[b.detach().clone() for b in stage] for stage in student],
        # relations ignore scale and translation of the embeddings
        [[2.5 * b.detach() + 0.3 for b in stage] for stage in student],
    ):
        zero = loss_fn(student, teacher)
        torch.testing.assert_close(zero, torch.zeros_like(zero))


def test_rkd_needs_enough_samples():
    loss_fn = RKDLoss(STUDENT_CHANNELS, TEACHER_CHANNELS)
    with pytest.raises(ValueError, match='at least 3 samples.*got student'):
        loss_fn(*make_inputs(batch_size=2))
    distance_only = RKDLoss(
        STUDENT_CHANNELS, TEACHER_CHANNELS, angle_weight=0.0
    )
    student, teacher = make_inputs(batch_size=2)
    loss = distance_only(student, teacher)
    torch.testing.assert_close(
        loss, naive_rkd(distance_only, student, teacher)
    )
    with pytest.raises(ValueError, match='at least 2 samples'):
        distance_only(*make_inputs(batch_size=1))


def test_rkd_invalid_options():
    with pytest.raises(ValueError, match=r'stage \(teacher\)=3'):
        RKDLoss(STUDENT_CHANNELS + [4], TEACHER_CHANNELS, stage=3)
    with pytest.raises(ValueError, match='angle_weight must be >= 0'):
        RKDLoss(STUDENT_CHANNELS, TEACHER_CHANNELS, angle_weight=-1.0)


# -------------------------------------------------------------------- AT
def naive_attention(feat, p, size):
    """One sample's ``(C, H, W)`` map -> L2-normalised attention vector."""
    num_channels = feat.shape[0]
    attention = sum(feat[c].abs() ** p for c in range(num_channels))
    attention = attention / num_channels
    attention = naive_resize(attention[None, None], size)[0, 0].flatten()
    return attention / torch.sqrt((attention**2).sum())


def naive_at(loss_fn, student, teacher):
    num_pairs = min(len(student), len(teacher))
    total = 0.0
    for stage in range(num_pairs):
        s_feat, t_feat = top(student[stage]), top(teacher[stage]).detach()
        size = t_feat.shape[-2:]
        stage_sum = sum(
            squared_sum(
                naive_attention(s_feat[n], loss_fn.p, size),
                naive_attention(t_feat[n], loss_fn.p, size),
            )
            for n in range(s_feat.shape[0])
        )
        # per-sample mean over positions, summed over the samples
        total = total + stage_sum / (size[0] * size[1])
    return loss_fn.loss_weight * total / num_pairs


@pytest.mark.parametrize(
    'student_channels,teacher_channels,p',
    [
        (STUDENT_CHANNELS, TEACHER_CHANNELS, 2),
        (STUDENT_CHANNELS, TEACHER_CHANNELS, 3),
        (STUDENT_CHANNELS[:2], TEACHER_CHANNELS, 2),
        (STUDENT_CHANNELS, TEACHER_CHANNELS[:2], 2),
    ],
)
def test_at_matches_naive(student_channels, teacher_channels, p):
    loss_fn = ATLoss(student_channels, teacher_channels, p=p, loss_weight=7)
    student, teacher = make_inputs(
        student_channels=student_channels,
        teacher_channels=teacher_channels,
        teacher_sizes=[4, 8, 2],
    )
    loss = loss_fn(student, teacher)
    check_against_naive(
        loss, naive_at(loss_fn, student, teacher), loss_fn, student
    )


def test_at_zero_for_identical_features_and_scale_invariant():
    loss_fn = ATLoss(STUDENT_CHANNELS, STUDENT_CHANNELS)
    student = make_stage_feats(STUDENT_CHANNELS, NUM_SAMPLES, 4, 0, True)
    other = make_stage_feats(STUDENT_CHANNELS, NUM_SAMPLES, 4, 1)
    assert loss_fn(student, other) > 0
    for factor in (1.0, -3.0):
        teacher = [[factor * b.detach() for b in st] for st in student]
        zero = loss_fn(student, teacher)
        torch.testing.assert_close(zero, torch.zeros_like(zero))


def test_at_unpaired_student_stage_is_ignored():
    loss_fn = ATLoss(STUDENT_CHANNELS, TEACHER_CHANNELS[:2])
    student, teacher = make_inputs(teacher_channels=TEACHER_CHANNELS[:2])
    loss = loss_fn(student, teacher)
    shifted = student[:2] + [[b + 5.0 for b in student[2]]]
    torch.testing.assert_close(loss_fn(shifted, teacher), loss)
    grads = grads_or_zeros(loss, student[2])
    assert all(torch.all(grad == 0) for grad in grads)


def test_at_invalid_p():
    with pytest.raises(ValueError, match='p must be > 0, got 0'):
        ATLoss(STUDENT_CHANNELS, TEACHER_CHANNELS, p=0)


# -------------------------------------------------------------------- SP
def naive_similarity(feat):
    """Row-normalised Gram matrix from explicit dot products."""
    flats = [feat[n].flatten() for n in range(feat.shape[0])]
    rows = []
    for first in flats:
        row = [torch.dot(first, second) for second in flats]
        norm = torch.sqrt(sum(value**2 for value in row))
        rows.append([value / norm for value in row])
    return rows


def naive_sp(loss_fn, student, teacher):
    num = top(student[0]).shape[0]
    total = 0.0
    for stage in range(min(len(student), len(teacher))):
        s_sim = naive_similarity(top(student[stage]))
        t_sim = naive_similarity(top(teacher[stage]).detach())
        for i in range(num):
            for j in range(num):
                total = total + (s_sim[i][j] - t_sim[i][j]) ** 2
    # each row's squared error, summed over the rows (samples)
    return loss_fn.loss_weight * total


@pytest.mark.parametrize(
    'student_channels,teacher_channels',
    [
        (STUDENT_CHANNELS, TEACHER_CHANNELS),
        (STUDENT_CHANNELS[:1], TEACHER_CHANNELS),
        (STUDENT_CHANNELS, TEACHER_CHANNELS[:2]),
    ],
)
def test_sp_matches_naive(student_channels, teacher_channels):
    loss_fn = SPLoss(student_channels, teacher_channels, loss_weight=3.0)
    student, teacher = make_inputs(
        student_channels=student_channels, teacher_channels=teacher_channels
    )
    loss = loss_fn(student, teacher)
    check_against_naive(
        loss, naive_sp(loss_fn, student, teacher), loss_fn, student
    )


def test_sp_sums_the_stage_pairs():
    student, teacher = make_inputs()
    total = SPLoss(STUDENT_CHANNELS, TEACHER_CHANNELS)(student, teacher)
    singles = [
        SPLoss([STUDENT_CHANNELS[i]], [TEACHER_CHANNELS[i]])(
            [student[i]], [teacher[i]]
        )
        for i in range(3)
    ]
    torch.testing.assert_close(total, sum(singles))


def test_sp_zero_for_identical_and_scaled_features():
    loss_fn = SPLoss(STUDENT_CHANNELS, STUDENT_CHANNELS)
    student = make_stage_feats(STUDENT_CHANNELS, NUM_SAMPLES, 4, 0, True)
    other = make_stage_feats(STUDENT_CHANNELS, NUM_SAMPLES, 4, 1)
    assert loss_fn(student, other) > 0
    for factor in (1.0, 2.0):
        teacher = [[factor * b.detach() for b in st] for st in student]
        zero = loss_fn(student, teacher)
        torch.testing.assert_close(zero, torch.zeros_like(zero))


# -------------------------------------------------------------- ReviewKD
def naive_nearest(feat, size):
    """Nearest-neighbour resize by explicit source indices."""
    rows = [math.floor(i * feat.shape[-2] / size[0]) for i in range(size[0])]
    cols = [math.floor(j * feat.shape[-1] / size[1]) for j in range(size[1])]
    return feat[:, :, rows][:, :, :, cols]


def naive_avg_pool(feat, level):
    """Adaptive average pooling of ``(C, H, W)`` with explicit bins."""
    height, width = feat.shape[-2:]
    cells = []
    for i in range(level):
        row = []
        top_row = math.floor(i * height / level)
        bottom = math.ceil((i + 1) * height / level)
        for j in range(level):
            left = math.floor(j * width / level)
            right = math.ceil((j + 1) * width / level)
            row.append(feat[:, top_row:bottom, left:right].mean(dim=(1, 2)))
        cells.append(torch.stack(row, dim=1))
    return torch.stack(cells, dim=1)


def naive_review(loss_fn, student_stages, n):
    """ABF outputs of sample ``n``, deepest stage first, then reversed."""
    num_pairs = len(loss_fn.abfs)
    outputs, residual = {}, None
    for stage in reversed(range(num_pairs)):
        abf = loss_fn.abfs[stage]
        fused = abf.reduce(top(student_stages[stage])[n : n + 1])
        if stage != num_pairs - 1:
            upsampled = naive_nearest(residual, fused.shape[-2:])
            masks = abf.attention(torch.cat([fused, upsampled], dim=1))
            fused = fused * masks[:, 0:1] + upsampled * masks[:, 1:2]
        outputs[stage] = abf.output(fused)
        residual = fused
    return outputs


def naive_reviewkd(loss_fn, student, teacher):
    """Per sample ABFs (eval mode) and per-sample HCL sums."""
    num = top(student[0]).shape[0]
    per_sample = [naive_review(loss_fn, student, n) for n in range(num)]
    total = 0.0
    for stage in range(len(loss_fn.abfs)):
        target = top(teacher[stage]).detach()
        height, width = target.shape[-2:]
        levels = [level for level in (4, 2, 1) if level < min(height, width)]
        weights = [0.5 ** (idx + 1) for idx in range(len(levels))]
        full, pooled = 0.0, [0.0] * len(levels)
        for n in range(num):
            output = naive_resize(per_sample[n][stage], (height, width))[0]
            full = full + squared_sum(output, target[n]) / target.numel()
            for idx, level in enumerate(levels):
                pooled[idx] = pooled[idx] + squared_sum(
                    naive_avg_pool(output, level),
                    naive_avg_pool(target[n], level),
                ) / (num * target.shape[1] * level**2)
        weighted = full + sum(w * value for w, value in zip(weights, pooled))
        total = total + weighted / (1.0 + sum(weights))
    # the papers' batch mean, times N (summed over the samples)
    return loss_fn.loss_weight * total * num


@pytest.mark.parametrize(
    'student_channels,teacher_channels,student_sizes,teacher_sizes',
    [
        # residual upsampling, output resize, HCL without level 4 (4x4)
        (STUDENT_CHANNELS, TEACHER_CHANNELS, [8, 4, 2], [8, 8, 4]),
        (STUDENT_CHANNELS, TEACHER_CHANNELS[:2], 8, 8),
        (STUDENT_CHANNELS[:2], TEACHER_CHANNELS, [8, 4], [4, 4, 4]),
    ],
)
def test_reviewkd_matches_naive(
    student_channels, teacher_channels, student_sizes, teacher_sizes
):
    loss_fn = build(
        ReviewKDLoss,
        student_channels,
        teacher_channels,
        mid_channels=5,
        loss_weight=0.6,
    ).eval()
    student, teacher = make_inputs(
        student_channels=student_channels,
        teacher_channels=teacher_channels,
        student_sizes=student_sizes,
        teacher_sizes=teacher_sizes,
    )
    loss = loss_fn(student, teacher)
    check_against_naive(
        loss, naive_reviewkd(loss_fn, student, teacher), loss_fn, student
    )


@pytest.mark.parametrize('size,weight_sum', [(8, 1.875), (4, 1.75)])
def test_reviewkd_hcl_level_weights(size, weight_sum):
    """A +-c checkerboard error vanishes after pooling: HCL = c^2 / sum."""
    target = torch.randn(2, 3, size, size, dtype=DTYPE)
    signs = (torch.arange(size)[:, None] + torch.arange(size)) % 2 * 2 - 1
    checker = target + 0.5 * signs.to(DTYPE)
    torch.testing.assert_close(
        ReviewKDLoss.hcl(checker, target),
        torch.tensor(0.25 / weight_sum, dtype=DTYPE),
    )
    # A constant error is the same at every level: HCL = c^2.
    torch.testing.assert_close(
        ReviewKDLoss.hcl(target + 0.5, target),
        torch.tensor(0.25, dtype=DTYPE),
    )


def test_reviewkd_modules_and_train_mode_gradients():
    loss_fn = build(
        ReviewKDLoss, STUDENT_CHANNELS, TEACHER_CHANNELS, mid_channels=5
    ).train()
    assert len(loss_fn.abfs) == 3
    assert loss_fn.abfs[2].attention is None
    assert loss_fn.abfs[0].attention is not None
    assert loss_fn.abfs[1].reduce[0].in_channels == 5
    assert loss_fn.abfs[1].output[0].out_channels == 7
    loss_fn(*make_inputs()).backward()
    for name, param in loss_fn.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_reviewkd_invalid_mid_channels():
    with pytest.raises(ValueError, match='mid_channels must be a positive'):
        ReviewKDLoss(STUDENT_CHANNELS, TEACHER_CHANNELS, mid_channels=0)


# ------------------------------------------- shared feature-loss checks
@pytest.mark.parametrize('loss_cls', FEATURE_LOSSES)
def test_build_from_registry_with_distiller_channels(loss_cls):
    loss_fn = MODELS.build(
        dict(
            type=loss_cls.__name__,
            student_channels=LITEHRNET18_CHANNELS,
            teacher_channels=HRNET_W32_CHANNELS,
            loss_weight=2.0,
        )
    )
    assert type(loss_fn) is loss_cls
    assert loss_cls.distill_inputs == (
        'student_stage_feats',
        'teacher_stage_feats',
    )
    assert loss_fn.loss_weight == 2.0
    assert loss_fn.teacher_channels == [[32, 64], [32, 64, 128], [32]]


@pytest.mark.parametrize('loss_cls', FEATURE_LOSSES)
def test_loss_weight_scales_the_feature_loss(loss_cls):
    assert issubclass(loss_cls, StageFeatureKDLoss)
    student, teacher = make_inputs()
    unit = build(loss_cls, STUDENT_CHANNELS, TEACHER_CHANNELS).eval()
    weighted = build(
        loss_cls, STUDENT_CHANNELS, TEACHER_CHANNELS, loss_weight=2.5
    ).eval()
    torch.testing.assert_close(
        weighted(student, teacher), 2.5 * unit(student, teacher)
    )


def test_stage_feature_base_needs_a_feature_loss():
    base = StageFeatureKDLoss(STUDENT_CHANNELS, TEACHER_CHANNELS)
    student, teacher = make_inputs()
    with pytest.raises(NotImplementedError, match='StageFeatureKDLoss'):
        base(student, teacher)


@pytest.mark.parametrize('loss_cls', FEATURE_LOSSES)
def test_teacher_features_get_no_gradient(loss_cls):
    loss_fn = build(loss_cls, STUDENT_CHANNELS, TEACHER_CHANNELS)
    student, _ = make_inputs()
    teacher = make_stage_feats(
        TEACHER_CHANNELS, NUM_SAMPLES, TEACHER_SIZE, 5, requires_grad=True
    )
    loss = loss_fn(student, teacher)
    assert loss.dim() == 0 and loss > 0
    loss.backward()
    assert all(branch.grad is None for branch in flat_tensors(teacher))
    assert any(branch.grad is not None for branch in flat_tensors(student))


@pytest.mark.parametrize('loss_cls', FEATURE_LOSSES)
def test_bare_tensor_and_one_item_list_are_the_same_stage(loss_cls):
    loss_fn = build(loss_cls, STUDENT_CHANNELS, TEACHER_CHANNELS).eval()
    student, teacher = make_inputs()
    assert torch.is_tensor(teacher[2])
    as_list = teacher[:2] + [[teacher[2]]]
    torch.testing.assert_close(
        loss_fn(student, as_list), loss_fn(student, teacher)
    )


@pytest.mark.parametrize('loss_cls', FEATURE_LOSSES)
def test_input_errors_name_stages_and_shapes(loss_cls):
    loss_fn = build(loss_cls, STUDENT_CHANNELS, TEACHER_CHANNELS)
    student, teacher = make_inputs()
    name = loss_cls.__name__

    with pytest.raises(ValueError, match=f'{name}: expected 3 teacher '):
        loss_fn(student, teacher[:2])
    bad = make_stage_feats(
        [[4, 6], [7, 6, 8], [6, 6, 8, 8]], NUM_SAMPLES, STUDENT_SIZE, 0
    )
    with pytest.raises(
        ValueError,
        match=re.escape(
            'student stage 1 branch 0: expected 5 channels, got 7 '
            f'(shape ({NUM_SAMPLES}, 7, 8, 8))'
        ),
    ):
        loss_fn(bad, teacher)
    with pytest.raises(ValueError, match='student stage 0: expected 2 br'):
        loss_fn([student[0][:1]] + student[1:], teacher)
    with pytest.raises(
        ValueError,
        match=re.escape(
            'teacher stage 2 branch 0: expected a (N, C, H, W) tensor, got '
            f'shape ({NUM_SAMPLES}, 8, 4)'
        ),
    ):
        loss_fn(student, teacher[:2] + [teacher[2][..., 0]])
    short = teacher[:1] + [[b[:2] for b in teacher[1]]] + teacher[2:]
    with pytest.raises(
        ValueError,
        match=re.escape(
            f'batch size mismatch: student stage 0 has {NUM_SAMPLES} '
        )
        + r'.*teacher stage 1 has 2 \(shape \(2, 7, 4, 4\)\)',
    ):
        loss_fn(student, short)


@pytest.mark.parametrize('loss_cls', FEATURE_LOSSES)
def test_invalid_channel_configs(loss_cls):
    name = loss_cls.__name__
    with pytest.raises(
        ValueError, match=f'{name}: student_channels must list at least'
    ):
        loss_cls([], TEACHER_CHANNELS)
    with pytest.raises(
        ValueError, match=re.escape(f'{name}: teacher_channels[1] must be')
    ):
        loss_cls(STUDENT_CHANNELS, [[6], [0, 4]])


# ---------------------------------------------------------- distiller
def test_all_baselines_in_the_distiller(tmp_path):
    """Channels filled in by the distiller; one training step on the real
    LiteHRNet-18 / HRNet-W32 (64x64) features and SimDR logits."""
    from mmengine.config import Config

    from ..test_distillers.test_multikd_distiller import (
        STUDENT_CFG,
        TEACHER_CFG,
        make_batch,
    )

    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(TEACHER_CFG).model)
    teacher_ckpt = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)
    distill_losses = dict(
        loss_kd=dict(type='HintonKDLoss'),
        loss_fitnet=dict(type='FitNetLoss'),
        loss_rkd=dict(type='RKDLoss'),
        loss_at=dict(type='ATLoss'),
        loss_sp=dict(type='SPLoss'),
        loss_reviewkd=dict(type='ReviewKDLoss', mid_channels=8),
    )
    model = MODELS.build(
        dict(
            type='MultiKDDistiller',
            teacher=TEACHER_CFG,
            student=STUDENT_CFG,
            teacher_ckpt=teacher_ckpt,
            distill_losses=distill_losses,
        )
    )
    model.init_weights()
    model.train()
    assert model.distill_losses['loss_at'].student_channels == [
        [40, 80],
        [40, 80, 160],
        [40, 80, 160, 320],
    ]

    losses = model(*make_batch(batch_size=3), mode='loss')
    for name in distill_losses:
        assert losses[name].dim() == 0 and torch.isfinite(losses[name])
        assert losses[name] > 0, name
    total, _ = model.parse_losses(losses)
    total.backward()
    for name in ('loss_fitnet', 'loss_reviewkd'):
        params = list(model.distill_losses[name].parameters())
        assert params and all(p.grad is not None for p in params), name
