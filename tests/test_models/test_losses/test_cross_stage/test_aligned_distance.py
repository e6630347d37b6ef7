# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The moment-based stage distances against the module path, pair by pair."""

import copy

import pytest
import torch

from mmpose_multikd.models.losses.cross_stage import BranchAligner
from mmpose_multikd.models.losses.cross_stage.aligned_distance import (
    TeacherStageMoments,
    stage_pair_distances,
)
from mmpose_multikd.models.utils import resize_bilinear
from mmpose_multikd.models.utils.resize import (
    adjoint_resize,
    adjoint_resize_ones,
)

DTYPE = torch.float64
BRANCH_CHANNELS = (4, 6, 8)
# The stacked aligners have 15 channels: a branch with at most 15 / 4 of
# its own enters through them (the top branch always), the others through
# their conv outputs. Defaults: only the top branch; also all and mixed.
BRANCH_CHANNEL_SETS = [BRANCH_CHANNELS, (4, 2, 3), (4, 3, 8)]
# Per pair, the teacher stage's branch channels (its fused map has their
# sum), highest resolution first, at 8x8, 4x4, 2x2.
TEACHER_BRANCHES = ((3, 2), (4, 2, 1), (3,))
GROUPS = tuple(sum(channels) for channels in TEACHER_BRANCHES)


def make_case(training, momentum=0.1, seed=0, branch_channels=BRANCH_CHANNELS):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    branches = [
        torch.randn(
            3, c, 8 >> b, 8 >> b, generator=generator, dtype=DTYPE
        ).requires_grad_()
        for b, c in enumerate(branch_channels)
    ]
    aligners = []
    for channels in GROUPS:
        aligner = BranchAligner(branch_channels, channels).to(DTYPE)
        aligner.bn.momentum = momentum
        aligner.bn.weight.data.uniform_(0.5, 1.5)
        aligner.bn.bias.data.uniform_(-0.5, 0.5)
        aligner.bn.running_mean.uniform_(-0.5, 0.5)
        aligner.bn.running_var.uniform_(0.5, 1.5)
        aligners.append(aligner.train(training))
    teachers = [
        [
            torch.randn(3, c, 8 >> k, 8 >> k, generator=generator, dtype=DTYPE)
            for k, c in enumerate(channels)
        ]
        for channels in TEACHER_BRANCHES
    ]
    return branches, aligners, teachers


def fused(teacher):
    """The teacher stage's fused map, built (MFT): branches resized to the
    first one's size and concatenated."""
    size = teacher[0].shape[-2:]
    return torch.cat([resize_bilinear(t, size) for t in teacher], dim=1)


def reference(branches, aligners, teachers):
    """Each pair through its aligner module (which resizes and sums the
    branches), then the per-sample MSE against the built fused map."""
    return torch.stack(
        [
            (aligner(branches) - fused(teacher)).pow(2).flatten(1).mean(1)
            for aligner, teacher in zip(aligners, teachers)
        ],
        dim=1,
    )


def parameters(branches, aligners):
    return [
        *branches,
        *(p for aligner in aligners for p in aligner.parameters()),
    ]


def assert_same_grads(
    distances, aligners, expected, expected_aligners, branches, upstream
):
    """Gradients of ``sum(upstream * D)`` w.r.t. the branches and each
    side's aligner parameters agree."""
    grads = torch.autograd.grad(
        (distances * upstream).sum(), parameters(branches, aligners)
    )
    expected_grads = torch.autograd.grad(
        (expected * upstream).sum(), parameters(branches, expected_aligners)
    )
    for grad, ref in zip(grads, expected_grads):
        torch.testing.assert_close(grad, ref)


@pytest.mark.parametrize('branch_channels', BRANCH_CHANNEL_SETS)
@pytest.mark.parametrize('training', [True, False])
@pytest.mark.parametrize('momentum', [0.1, None])
def test_values_gradients_and_running_stats(
    training, momentum, branch_channels
):
    branches, aligners, teachers = make_case(
        training, momentum, branch_channels=branch_channels
    )
    ref_aligners = copy.deepcopy(aligners)
    upstream = torch.randn(3, len(GROUPS), dtype=DTYPE)

    distances = stage_pair_distances(branches, aligners, teachers)
    expected = reference(branches, ref_aligners, teachers)
    torch.testing.assert_close(distances, expected)
    assert_same_grads(
        distances, aligners, expected, ref_aligners, branches, upstream
    )
    for aligner, ref in zip(aligners, ref_aligners):
        for name, buffer in aligner.bn.named_buffers():
            torch.testing.assert_close(buffer, getattr(ref.bn, name), msg=name)
    if training:  # the buffers did move
        assert int(aligners[0].bn.num_batches_tracked) == 1


@pytest.mark.parametrize('branch_channels', BRANCH_CHANNEL_SETS)
@pytest.mark.parametrize('training', [True, False])
def test_gradcheck(training, branch_channels):
    branches, aligners, teachers = make_case(
        training, branch_channels=branch_channels
    )
    for aligner in aligners:
        aligner.requires_grad_(False)

    def distances(*branches):
        return stage_pair_distances(branches, aligners, teachers)

    assert torch.autograd.gradcheck(distances, tuple(branches))


def test_keeps_no_full_size_aligned_map():
    """What the backward keeps is the inputs, low-resolution maps and
    small matrices: no tensor is even half the size of the stacked aligned
    map ``y`` at the top branch's size."""
    branches, aligners, teachers = make_case(True)
    kept = []

    def pack(tensor):
        kept.append(tensor.numel())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        distances = stage_pair_distances(branches, aligners, teachers)
    distances.sum().backward()
    aligned_map = 3 * sum(GROUPS) * 8 * 8
    assert kept and max(kept) < aligned_map / 2
    assert all(b.grad is not None for b in branches)


def test_single_branch_stage():
    branches, _, teachers = make_case(True)
    single = [BranchAligner(BRANCH_CHANNELS[:1], c).to(DTYPE) for c in GROUPS]
    ref = copy.deepcopy(single)
    torch.testing.assert_close(
        stage_pair_distances(branches[:1], single, teachers),
        reference(branches[:1], ref, teachers),
    )


@pytest.mark.parametrize('noise', [1.0, 0.05])
def test_float32_against_float64(noise):
    """Float32 moments, combined in float64: close to the float64 module
    path, also when the student nearly matches the teacher (``noise`` is
    the teacher's deviation from the aligned student, relative to its
    scale)."""
    branches, aligners, _ = make_case(True)
    with torch.no_grad():
        aligned = [a(branches) for a in copy.deepcopy(aligners)]
    generator = torch.Generator().manual_seed(1)
    teachers = [
        [
            3.0
            * (
                m
                + noise
                * torch.randn(m.shape, generator=generator, dtype=DTYPE)
            )
        ]
        for m in aligned
    ]
    for aligner in aligners:  # the teacher is 3x the aligned map, + noise
        aligner.bn.weight.data.mul_(3.0)
        aligner.bn.bias.data.mul_(3.0)
    upstream = torch.randn(3, len(GROUPS), dtype=DTYPE)

    reference_aligners = copy.deepcopy(aligners)
    expected = reference(branches, reference_aligners, teachers)
    expected_grads = torch.autograd.grad(
        (expected * upstream).sum(), parameters(branches, reference_aligners)
    )
    branches32 = [b.detach().float().requires_grad_() for b in branches]
    aligners32 = [copy.deepcopy(a).float() for a in aligners]
    distances = stage_pair_distances(
        branches32, aligners32, [[t[0].float()] for t in teachers]
    )
    grads = torch.autograd.grad(
        (distances * upstream.float()).sum(),
        parameters(branches32, aligners32),
    )
    torch.testing.assert_close(distances.double(), expected, rtol=1e-4, atol=0)
    for grad, ref in zip(grads, expected_grads):
        scale = ref.abs().max()
        torch.testing.assert_close(
            grad.double() / scale, ref / scale, rtol=0, atol=1e-4
        )


def test_teacher_stage_moments():
    """The sums and squares of a teacher stage equal those of its built
    fused map, and shared moments give the distances of the branch lists."""
    branches, aligners, teachers = make_case(True)
    teacher = teachers[1]
    moments = TeacherStageMoments(teacher)
    whole = fused(teacher)
    assert moments.channels == whole.shape[1]
    torch.testing.assert_close(moments.sums, whole.sum(dim=(2, 3)))
    torch.testing.assert_close(moments.squares, whole.square().sum((2, 3)))
    shared_aligners = copy.deepcopy(aligners)
    shared = [TeacherStageMoments(t) for t in teachers]
    torch.testing.assert_close(
        stage_pair_distances(branches, shared_aligners, shared),
        stage_pair_distances(branches, aligners, teachers),
    )


@pytest.mark.parametrize('size', [(4, 2), (8, 8), (2, 4)])
@pytest.mark.parametrize('other', [(2, 4), (8, 8), (4, 4)])
def test_adjoint_resize(size, other):
    """``<U_a p, U_b q> = <p, adjoint_resize(q, a, full)>`` against
    ``F.interpolate``, and ``sum(U x) = <x, U^T 1>``."""
    full = (8, 8)

    def up(feat):
        return torch.nn.functional.interpolate(
            feat, size=full, mode='bilinear', align_corners=False
        )

    generator = torch.Generator().manual_seed(0)
    p = torch.randn(2, 3, *size, generator=generator, dtype=DTYPE)
    q = torch.randn(2, 3, *other, generator=generator, dtype=DTYPE)
    torch.testing.assert_close(
        (p * adjoint_resize(q, size, full)).sum((2, 3)),
        (up(p) * up(q)).sum((2, 3)),
    )
    torch.testing.assert_close(
        (p * adjoint_resize_ones(size, full, p)).sum((2, 3)),
        up(p).sum((2, 3)),
    )


def test_teacher_map_must_match_the_aligner():
    branches, aligners, teachers = make_case(True)
    wrong = copy.deepcopy(teachers)
    wrong[1] = wrong[1] + [wrong[1][-1]]  # 7 + 1 channels for 7
    with pytest.raises(
        ValueError, match=r'pair 1 has 8 channels \(\[4, 2, 1, 1\] by'
    ):
        stage_pair_distances(branches, aligners, wrong)
    wrong = copy.deepcopy(teachers)
    wrong[2] = [torch.zeros(3, 3, 4, 4, dtype=DTYPE)]
    with pytest.raises(ValueError, match=r'pair 2 is \(4, 4\), the student'):
        stage_pair_distances(branches, aligners, wrong)
