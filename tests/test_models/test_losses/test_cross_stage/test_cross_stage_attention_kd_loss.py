# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""CrossStageAttentionKDLoss against an explicit-loop reference of L_fkd."""

import pytest
import torch
import torch.nn.functional as F
from mmpose.registry import MODELS

from mmpose_multikd.models.losses import CrossStageAttentionKDLoss

STUDENT_CHANNELS = [[4, 6], [4, 6, 8], [4, 6, 8, 8]]
TEACHER_CHANNELS = [[6, 8], [6, 8, 8], 5]
STUDENT_SIZE, TEACHER_SIZE = 8, 4
DTYPE = torch.float64


def make_stage_feats(
    channels, batch_size, top_size, seed, requires_grad=False
):
    """Random stage features: a tensor per int stage, else branch lists."""
    generator = torch.Generator().manual_seed(seed)

    def branch(num_channels, level):
        size = max(1, top_size >> level)
        feat = torch.randn(
            batch_size,
            num_channels,
            size,
            size,
            generator=generator,
            dtype=DTYPE,
        )
        return feat.requires_grad_(requires_grad)

    return [
        branch(stage, 0)
        if isinstance(stage, int)
        else [
            branch(num_channels, level)
            for level, num_channels in enumerate(stage)
        ]
        for stage in channels
    ]


def make_inputs(
    batch_size=2,
    student_channels=STUDENT_CHANNELS,
    teacher_channels=TEACHER_CHANNELS,
    seed=0,
):
    student = make_stage_feats(
        student_channels, batch_size, STUDENT_SIZE, seed, requires_grad=True
    )
    teacher = make_stage_feats(
        teacher_channels, batch_size, TEACHER_SIZE, seed + 1
    )
    return student, teacher


def build_loss(
    student_channels=STUDENT_CHANNELS,
    teacher_channels=TEACHER_CHANNELS,
    seed=0,
    **kwargs,
):
    """Float64 loss with tiny sizes and non-trivial BatchNorm statistics."""
    torch.manual_seed(seed)
    kwargs.setdefault('embed_dim', 16)
    kwargs.setdefault('pool_size', 4)
    loss_fn = CrossStageAttentionKDLoss(
        student_channels, teacher_channels, **kwargs
    ).to(DTYPE)
    for aligner in loss_fn.aligners.values():
        norm = aligner.bn
        norm.running_mean.uniform_(-0.5, 0.5)
        norm.running_var.uniform_(0.5, 1.5)
        norm.weight.data.uniform_(0.5, 1.5)
        norm.bias.data.uniform_(-0.5, 0.5)
    return loss_fn


def branches_of(stage_feat):
    return [stage_feat] if torch.is_tensor(stage_feat) else list(stage_feat)


def flat_tensors(stage_feats):
    return [branch for stage in stage_feats for branch in branches_of(stage)]


def naive_fuse(branches, multi_resolution):
    """Fuse one sample's branches ``(1, C, H, W)`` of one stage."""
    if not multi_resolution:
        return branches[0]
    size = tuple(branches[0].shape[-2:])
    resized = [
        branch
        if tuple(branch.shape[-2:]) == size
        else F.interpolate(
            branch, size=size, mode='bilinear', align_corners=False
        )
        for branch in branches
    ]
    return torch.cat(resized, dim=1)


def naive_spatial_similarity(feat, pool_size):
    """Cosine similarity of every pair of pooled positions, scalar dots."""
    pooled = F.adaptive_avg_pool2d(feat, pool_size)[0]
    vectors = [
        pooled[:, row, col]
        for row in range(pool_size)
        for col in range(pool_size)
    ]
    return torch.stack(
        [
            torch.dot(first, second) / (first.norm() * second.norm())
            for first in vectors
            for second in vectors
        ]
    )


def naive_batch_similarity(fused, stage, sample):
    """Row ``sample`` of the batch Gram matrix, L2-normalised."""
    flats = [per_sample[stage].flatten() for per_sample in fused]
    row = torch.stack([torch.dot(flats[sample], other) for other in flats])
    return row / row.norm()


def naive_embedding(loss_fn, side, fused, stage, sample):
    if loss_fn.similarity == 'spatial':
        similarity = naive_spatial_similarity(
            fused[sample][stage], loss_fn.pool_size
        )
    else:
        similarity = naive_batch_similarity(fused, stage, sample)
    projection = getattr(loss_fn, f'{side}_projections')[stage]
    embedding = projection.weight @ similarity + projection.bias
    return embedding / embedding.norm()


def fused_align(aligner, fused):
    """The alignment as one 1x1 conv on the fused map, then BatchNorm."""
    return aligner.bn(F.conv2d(fused, aligner.fused_weight))


def naive_aligned(loss_fn, fused_student, pair, sample):
    """Aligned student map of one sample (BatchNorm over the batch when
    the module is in training mode)."""
    teacher_stage, student_stage = pair
    aligner = loss_fn.aligners[f't{teacher_stage}_s{student_stage}']
    if not loss_fn.training:
        return fused_align(aligner, fused_student[sample][student_stage])
    batch = torch.cat(
        [per_sample[student_stage] for per_sample in fused_student]
    )
    return fused_align(aligner, batch)[sample : sample + 1]


def naive_branch_norm(branches):
    """One sample's branches, each times sqrt(C_0 / C_b) over its root
    mean square, by explicit sums."""
    top = branches[0].shape[1]
    scaled = []
    for branch in branches:
        values = branch.flatten()
        mean_square = sum(v * v for v in values) / len(values)
        scaled.append(
            branch
            * (top / branch.shape[1]) ** 0.5
            / (mean_square + 1e-6) ** 0.5
        )
    return scaled


def naive_loss(loss_fn, student_feats, teacher_feats):
    """Reference loss with explicit loops over samples and stage pairs
    (and the departures: branch_norm, attention temperature, detached
    student attention)."""
    student = [branches_of(stage) for stage in student_feats]
    teacher = [
        [branch.detach() for branch in branches_of(stage)]
        for stage in teacher_feats
    ]
    num_samples = student[0][0].shape[0]
    num_teacher, num_student = len(teacher), len(student)
    mft = loss_fn.multi_resolution

    def teacher_sample(stage, i):
        branches = [b[i : i + 1] for b in stage]
        return naive_branch_norm(branches) if loss_fn.branch_norm else branches

    fused_s = [
        [naive_fuse([b[i : i + 1] for b in stage], mft) for stage in student]
        for i in range(num_samples)
    ]
    fused_t = [
        [naive_fuse(teacher_sample(stage, i), mft) for stage in teacher]
        for i in range(num_samples)
    ]
    # what the student's attention embeddings see
    fused_s_attention = (
        [[fused.detach() for fused in stages] for stages in fused_s]
        if loss_fn.attention_detach_student
        else fused_s
    )
    pairs = [
        (t_idx, s_idx)
        for t_idx in range(num_teacher)
        for s_idx in range(num_student)
        if s_idx >= t_idx
    ]
    embeddings = {}

    def embedding(side, fused, stage, sample):
        key = (side, stage, sample)
        if key not in embeddings:
            embeddings[key] = naive_embedding(
                loss_fn, side, fused, stage, sample
            )
        return embeddings[key]

    weights = torch.zeros(num_samples, num_teacher, num_student, dtype=DTYPE)
    total = 0.0
    for i in range(num_samples):
        distances, logits = [], []
        for t_idx, s_idx in pairs:
            target = fused_t[i][t_idx]
            aligned = naive_aligned(loss_fn, fused_s, (t_idx, s_idx), i)
            if aligned.shape[-2:] != target.shape[-2:]:
                aligned = F.interpolate(
                    aligned,
                    size=tuple(target.shape[-2:]),
                    mode='bilinear',
                    align_corners=False,
                )
            distances.append(((aligned - target) ** 2).mean())
            if loss_fn.weight_adaptation:
                s_emb = embedding('student', fused_s_attention, s_idx, i)
                t_emb = embedding('teacher', fused_t, t_idx, i)
                logits.append(
                    torch.dot(s_emb, t_emb) / loss_fn.attention_temperature
                )
        if loss_fn.weight_adaptation:
            exps = [torch.exp(logit) for logit in logits]
            gammas = [value / sum(exps) for value in exps]
        else:
            gammas = [torch.tensor(1.0 / len(pairs), dtype=DTYPE)] * len(pairs)
        for (t_idx, s_idx), gamma, distance in zip(pairs, gammas, distances):
            total = total + gamma * distance
            weights[i, t_idx, s_idx] = gamma.detach()
    return loss_fn.loss_weight * total, weights  # summed over samples


def grads_or_zeros(loss, tensors):
    grads = torch.autograd.grad(
        loss, tensors, allow_unused=True, retain_graph=True
    )
    return [
        torch.zeros_like(tensor) if grad is None else grad
        for grad, tensor in zip(grads, tensors)
    ]


def check_against_naive(loss_fn, student, teacher):
    params = [param for param in loss_fn.parameters() if param.requires_grad]
    inputs = flat_tensors(student)
    loss = loss_fn(student, teacher)
    expected, expected_weights = naive_loss(loss_fn, student, teacher)

    torch.testing.assert_close(loss, expected)
    torch.testing.assert_close(loss_fn.last_weights, expected_weights)
    actual_grads = grads_or_zeros(loss, params + inputs)
    expected_grads = grads_or_zeros(expected, params + inputs)
    for actual, reference in zip(actual_grads, expected_grads):
        torch.testing.assert_close(actual, reference)


@pytest.mark.parametrize('multi_resolution', [True, False])
@pytest.mark.parametrize('weight_adaptation', [True, False])
def test_matches_naive_eval(weight_adaptation, multi_resolution):
    loss_fn = build_loss(
        weight_adaptation=weight_adaptation,
        multi_resolution=multi_resolution,
        loss_weight=0.3,
    ).eval()
    check_against_naive(loss_fn, *make_inputs(batch_size=3))


@pytest.mark.parametrize(
    'student_channels,teacher_channels',
    [
        (STUDENT_CHANNELS[:2], TEACHER_CHANNELS),
        (STUDENT_CHANNELS, TEACHER_CHANNELS[:2]),
    ],
)
def test_matches_naive_unequal_stage_counts(
    student_channels, teacher_channels
):
    loss_fn = build_loss(student_channels, teacher_channels).eval()
    check_against_naive(
        loss_fn, *make_inputs(2, student_channels, teacher_channels)
    )


@pytest.mark.parametrize(
    'switches',
    [
        dict(branch_norm=True),
        dict(attention_temperature=3.0),
        dict(attention_detach_student=True),
        dict(
            branch_norm=True,
            attention_temperature=0.5,
            attention_detach_student=True,
        ),
    ],
)
def test_departures_match_naive(switches):
    loss_fn = build_loss(loss_weight=0.7, **switches).train()
    check_against_naive(loss_fn, *make_inputs(batch_size=3))


def test_detached_attention_changes_only_the_student_gradient():
    """Same loss value and pair weights; the student's gradient loses the
    part that flows through gamma (the naive test above checks which)."""
    student, teacher = make_inputs(batch_size=2)
    inputs = flat_tensors(student)
    paper = build_loss().eval()
    detached = build_loss(attention_detach_student=True).eval()
    paper_loss, detached_loss = (
        paper(student, teacher),
        detached(student, teacher),
    )
    torch.testing.assert_close(paper_loss, detached_loss)
    torch.testing.assert_close(paper.last_weights, detached.last_weights)
    paper_grads = grads_or_zeros(paper_loss, inputs)
    detached_grads = grads_or_zeros(detached_loss, inputs)
    assert any(
        not torch.allclose(a, b) for a, b in zip(paper_grads, detached_grads)
    )


def test_temperature_bounds_the_pair_weights():
    for tau in (1.0, 4.0):
        loss_fn = build_loss(attention_temperature=tau).eval()
        loss_fn(*make_inputs(batch_size=3))
        weights = loss_fn.last_weights.flatten(1)
        weights = weights[weights > 0].view(3, -1)
        ratio = weights.max(1).values / weights.min(1).values
        assert (ratio <= torch.exp(torch.tensor(2.0 / tau)) + 1e-9).all()


def test_branch_norm_equalises_the_fused_energy():
    from mmpose_multikd.models.losses.cross_stage.branch_energy import (
        equalise_branch_energy,
    )

    generator = torch.Generator().manual_seed(0)
    branches = [
        torch.randn(2, c, s, s, generator=generator, dtype=DTYPE) * scale
        for c, s, scale in ((4, 8, 0.1), (8, 4, 3.0), (16, 2, 10.0))
    ]
    scaled = equalise_branch_energy(branches)
    energies = torch.stack(
        [(b**2).sum(dim=(1, 2, 3)) / b[0, 0].numel() for b in scaled]
    )  # energy per pixel, (branches, samples)
    torch.testing.assert_close(
        energies, torch.full_like(energies, 4.0), rtol=1e-3, atol=0
    )
    with pytest.raises(ValueError, match='needs multi_resolution=True'):
        build_loss(branch_norm=True, multi_resolution=False)
    with pytest.raises(ValueError, match='attention_temperature must be'):
        build_loss(attention_temperature=0.0)


def test_matches_naive_train_mode_batchnorm():
    loss_fn = build_loss().train()
    check_against_naive(loss_fn, *make_inputs(batch_size=3))


def test_matches_naive_batch_similarity():
    loss_fn = build_loss(similarity='batch', batch_size=3).eval()
    check_against_naive(loss_fn, *make_inputs(batch_size=3))


def test_spatial_loss_is_sum_of_per_sample_losses():
    loss_fn = build_loss().eval()
    student, teacher = make_inputs(batch_size=2)
    both = loss_fn(student, teacher)

    def take(stage_feats, sample):
        return [
            [branch[sample : sample + 1] for branch in branches_of(stage)]
            for stage in stage_feats
        ]

    singles = [
        loss_fn(take(student, sample), take(teacher, sample))
        for sample in range(2)
    ]
    torch.testing.assert_close(both, singles[0] + singles[1])


@pytest.mark.parametrize('weight_adaptation', [True, False])
def test_last_weights(weight_adaptation):
    loss_fn = build_loss(weight_adaptation=weight_adaptation)
    loss_fn(*make_inputs(batch_size=4))
    weights = loss_fn.last_weights
    num_valid = len(loss_fn.valid_pairs)

    assert weights.shape == (4, 3, 3)
    assert not weights.requires_grad
    torch.testing.assert_close(
        weights.sum(dim=(1, 2)), torch.ones(4, dtype=DTYPE)
    )
    invalid = torch.ones(3, 3).tril(diagonal=-1).bool()
    assert torch.all(weights[:, invalid] == 0)
    assert torch.all(weights[:, ~invalid] > 0)
    if weight_adaptation:
        assert not torch.allclose(weights[0], weights[1])
    else:
        torch.testing.assert_close(
            weights[:, ~invalid],
            torch.full((4, num_valid), 1 / num_valid, dtype=DTYPE),
        )


def test_valid_pairs_and_aligner_keys():
    loss_fn = build_loss()
    expected = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    assert loss_fn.valid_pairs == expected
    assert set(loss_fn.aligners) == {f't{t}_s{s}' for t, s in expected}


def test_multi_resolution_switch():
    student, teacher = make_inputs()
    with_mft = build_loss(multi_resolution=True)
    without_mft = build_loss(multi_resolution=False)

    assert with_mft.aligners['t1_s2'].fused_weight.shape[1] == 4 + 6 + 8 + 8
    assert with_mft.aligners['t1_s2'].fused_weight.shape[0] == 6 + 8 + 8
    assert without_mft.aligners['t1_s2'].fused_weight.shape[1] == 4
    assert without_mft.aligners['t1_s2'].fused_weight.shape[0] == 6
    assert not torch.allclose(
        with_mft(student, teacher), without_mft(student, teacher)
    )

    for loss_fn, lower_used in ((with_mft, True), (without_mft, False)):
        lower = [branch for stage in student for branch in stage[1:]]
        grads = grads_or_zeros(loss_fn(student, teacher), lower)
        assert all((grad.abs().sum() > 0) == lower_used for grad in grads)


def test_student_stage0_only_learns_from_first_teacher_stage():
    loss_fn = build_loss(weight_adaptation=False, loss_weight=2.0).eval()
    student, teacher = make_inputs()
    stage0 = student[0]
    grads = grads_or_zeros(loss_fn(student, teacher), stage0)

    fused_student = naive_fuse(stage0, True)
    fused_teacher = naive_fuse(teacher[0], True)
    aligned = F.interpolate(
        fused_align(loss_fn.aligners['t0_s0'], fused_student),
        size=(4, 4),
        mode='bilinear',
        align_corners=False,
    )
    # per-sample MSE, summed over the samples
    squared = (aligned - fused_teacher) ** 2
    pair_loss = 2.0 / 6 * squared.mean(dim=(1, 2, 3)).sum()
    expected = grads_or_zeros(pair_loss, stage0)
    for grad, reference in zip(grads, expected):
        torch.testing.assert_close(grad, reference)


def test_unpaired_teacher_stage_is_ignored():
    student_channels = STUDENT_CHANNELS[:2]
    loss_fn = build_loss(student_channels, TEACHER_CHANNELS).eval()
    student, teacher = make_inputs(2, student_channels, TEACHER_CHANNELS)
    loss = loss_fn(student, teacher)
    teacher[2] = teacher[2] + 10.0

    torch.testing.assert_close(loss_fn(student, teacher), loss)
    assert len(loss_fn.teacher_projections) == 2
    assert loss_fn.last_weights.shape == (2, 3, 2)
    assert torch.all(loss_fn.last_weights[:, 2] == 0)


def test_teacher_features_get_no_gradient():
    loss_fn = build_loss()
    student, _ = make_inputs()
    teacher = make_stage_feats(
        TEACHER_CHANNELS, 2, TEACHER_SIZE, 5, requires_grad=True
    )
    loss_fn(student, teacher).backward()
    assert all(branch.grad is None for branch in flat_tensors(teacher))
    assert all(branch.grad is not None for branch in flat_tensors(student))


def test_projection_layers_get_gradient():
    loss_fn = build_loss(weight_adaptation=True)
    loss_fn(*make_inputs()).backward()
    projections = [*loss_fn.student_projections, *loss_fn.teacher_projections]
    assert len(projections) == 6
    for projection in projections:
        assert projection.weight.grad.abs().sum() > 0

    uniform = build_loss(weight_adaptation=False)
    assert not hasattr(uniform, 'student_projections')
    assert not hasattr(uniform, 'teacher_projections')


def test_batch_similarity_needs_the_built_batch_size():
    loss_fn = build_loss(similarity='batch', batch_size=3)
    assert loss_fn.student_projections[0].in_features == 3
    loss = loss_fn(*make_inputs(batch_size=3))
    assert torch.isfinite(loss)
    with pytest.raises(ValueError, match='batch size 2 differs.*drop_last'):
        loss_fn(*make_inputs(batch_size=2))
    with pytest.raises(ValueError, match='batch_size'):
        build_loss(similarity='batch')


def test_channel_mismatch_names_stage_and_branch():
    loss_fn = build_loss()
    bad_channels = [[4, 6], [4, 6, 5], [4, 6, 8, 8]]
    student, teacher = make_inputs(student_channels=bad_channels)
    message = 'student stage 1 branch 2: expected 8 channels, got 5'
    with pytest.raises(ValueError, match=message):
        loss_fn(student, teacher)


def test_stage_count_and_batch_mismatch():
    loss_fn = build_loss()
    student, teacher = make_inputs()
    with pytest.raises(ValueError, match='expected 3 teacher stages.*got 2'):
        loss_fn(student, teacher[:2])
    teacher[1][0] = teacher[1][0][:1]
    with pytest.raises(ValueError, match='batch size mismatch'):
        loss_fn(student, teacher)


def test_invalid_configs():
    with pytest.raises(ValueError, match='student_channels'):
        CrossStageAttentionKDLoss([], TEACHER_CHANNELS)
    with pytest.raises(ValueError, match='teacher_channels'):
        CrossStageAttentionKDLoss(STUDENT_CHANNELS, [])
    with pytest.raises(ValueError, match='similarity'):
        CrossStageAttentionKDLoss(
            STUDENT_CHANNELS, TEACHER_CHANNELS, similarity='channel'
        )


def test_build_from_registry():
    loss_fn = MODELS.build(
        dict(
            type='CrossStageAttentionKDLoss',
            student_channels=[[40, 80], [40, 80, 160]],
            teacher_channels=[[32, 64], [32, 64, 128], [32]],
            embed_dim=16,
            pool_size=4,
        )
    )
    assert isinstance(loss_fn, CrossStageAttentionKDLoss)
    assert loss_fn.aligners['t1_s1'].fused_weight.shape[1] == 280
    assert loss_fn.aligners['t1_s1'].fused_weight.shape[0] == 224
    assert loss_fn.valid_pairs == [(0, 0), (0, 1), (1, 1)]
