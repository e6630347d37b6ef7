# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The fused stage distances against the module path, pair by pair."""

import copy

import pytest
import torch

from mmpose_multikd.models.utils import BranchAligner, aligned_map
from mmpose_multikd.models.utils.aligned_distance import (
    AlignedStageDistance,
    stage_pair_distances,
)

DTYPE = torch.float64
BRANCH_CHANNELS = (4, 6, 8)
GROUPS = (5, 7, 3)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """``with_cp`` rebuilds ``y`` 2 channels at a time: every pair spans
    several chunks, one of them partial."""
    monkeypatch.setattr(aligned_map, 'CHUNK_CHANNELS', 2)


def make_case(training, momentum=0.1, seed=0):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    branches = [
        torch.randn(
            3, c, 8 >> b, 8 >> b, generator=generator, dtype=DTYPE
        ).requires_grad_()
        for b, c in enumerate(BRANCH_CHANNELS)
    ]
    aligners = []
    for channels in GROUPS:
        aligner = BranchAligner(BRANCH_CHANNELS, channels).to(DTYPE)
        aligner.bn.momentum = momentum
        aligner.bn.weight.data.uniform_(0.5, 1.5)
        aligner.bn.bias.data.uniform_(-0.5, 0.5)
        aligner.bn.running_mean.uniform_(-0.5, 0.5)
        aligner.bn.running_var.uniform_(0.5, 1.5)
        aligners.append(aligner.train(training))
    targets = [
        torch.randn(3, c, 8, 8, generator=generator, dtype=DTYPE)
        for c in GROUPS
    ]
    return branches, aligners, targets


def reference(branches, aligners, targets):
    """Each pair through its aligner module, then the per-sample MSE."""
    return torch.stack(
        [
            (aligner(branches) - target).pow(2).flatten(1).mean(dim=1)
            for aligner, target in zip(aligners, targets)
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


@pytest.mark.parametrize('with_cp', [False, True])
@pytest.mark.parametrize('training', [True, False])
@pytest.mark.parametrize('momentum', [0.1, None])
def test_values_gradients_and_running_stats(training, momentum, with_cp):
    branches, aligners, targets = make_case(training, momentum)
    ref_aligners = copy.deepcopy(aligners)
    upstream = torch.randn(3, len(GROUPS), dtype=DTYPE)

    fused = stage_pair_distances(branches, aligners, targets, with_cp=with_cp)
    expected = reference(branches, ref_aligners, targets)
    torch.testing.assert_close(fused, expected)
    assert_same_grads(
        fused, aligners, expected, ref_aligners, branches, upstream
    )
    for aligner, ref in zip(aligners, ref_aligners):
        for name, buffer in aligner.bn.named_buffers():
            torch.testing.assert_close(buffer, getattr(ref.bn, name), msg=name)
    if training:  # the buffers did move
        assert int(aligners[0].bn.num_batches_tracked) == 1


@pytest.mark.parametrize('with_cp', [False, True])
@pytest.mark.parametrize('training', [True, False])
def test_gradcheck(training, with_cp):
    branches, aligners, targets = make_case(training)
    weights = [
        torch.cat([a.convs[b].weight.flatten(1) for a in aligners])
        .detach()
        .requires_grad_()
        for b in range(len(BRANCH_CHANNELS))
    ]
    norms = [a.bn for a in aligners]
    gamma = torch.cat([n.weight for n in norms]).detach().requires_grad_()
    beta = torch.cat([n.bias for n in norms]).detach().requires_grad_()
    running = [
        torch.cat([getattr(n, key) for n in norms])
        for key in ('running_mean', 'running_var')
    ]

    def distances(gamma, beta, *branches_and_weights):
        return AlignedStageDistance.apply(
            GROUPS, training, 1e-5, with_cp, targets, gamma, beta, *running,
            *branches_and_weights,
        )[0]  # fmt: skip

    assert torch.autograd.gradcheck(
        distances, (gamma, beta, *branches, *weights)
    )


def saved_bytes(with_cp):
    """Bytes the autograd graph keeps for the fused function's backward
    (tensors only the function saves: its inputs are leaves here)."""
    branches, aligners, targets = make_case(True)
    kept = []

    def pack(tensor):
        kept.append(tensor.numel() * tensor.element_size())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        distances = stage_pair_distances(
            branches, aligners, targets, with_cp=with_cp
        )
    distances.sum().backward()
    aligned_map = 3 * sum(GROUPS) * 8 * 8 * torch.finfo(DTYPE).bits // 8
    return sum(kept), aligned_map, [b.grad for b in branches]


def test_with_cp_keeps_no_aligned_map():
    """``with_cp`` drops exactly the stacked aligned map ``y`` from what the
    backward keeps, and the gradients stay the same."""
    kept, aligned_map, grads = saved_bytes(with_cp=False)
    kept_cp, _, grads_cp = saved_bytes(with_cp=True)
    assert kept - kept_cp == aligned_map
    for grad, grad_cp in zip(grads, grads_cp):
        torch.testing.assert_close(grad_cp, grad)


def test_single_branch_stage():
    branches, aligners, targets = make_case(True)
    single = [BranchAligner(BRANCH_CHANNELS[:1], c).to(DTYPE) for c in GROUPS]
    ref = copy.deepcopy(single)
    torch.testing.assert_close(
        stage_pair_distances(branches[:1], single, targets),
        reference(branches[:1], ref, targets),
    )


@pytest.mark.parametrize('noise', [1.0, 0.05])
def test_float32_against_float64(noise):
    """Float32 sums, combined in float64: close to the float64 module path,
    also when the student nearly matches the teacher (``noise`` is the
    teacher's deviation from the aligned student, relative to its scale)."""
    branches, aligners, _ = make_case(True)
    with torch.no_grad():
        aligned = [a(branches) for a in copy.deepcopy(aligners)]
    generator = torch.Generator().manual_seed(1)
    targets = [
        3.0
        * (m + noise * torch.randn(m.shape, generator=generator, dtype=DTYPE))
        for m in aligned
    ]
    for aligner in aligners:  # the teacher is 3x the aligned map, + noise
        aligner.bn.weight.data.mul_(3.0)
        aligner.bn.bias.data.mul_(3.0)
    upstream = torch.randn(3, len(GROUPS), dtype=DTYPE)

    reference_aligners = copy.deepcopy(aligners)
    expected = reference(branches, reference_aligners, targets)
    expected_grads = torch.autograd.grad(
        (expected * upstream).sum(), parameters(branches, reference_aligners)
    )
    branches32 = [b.detach().float().requires_grad_() for b in branches]
    aligners32 = [copy.deepcopy(a).float() for a in aligners]
    fused = stage_pair_distances(
        branches32, aligners32, [t.float() for t in targets]
    )
    grads = torch.autograd.grad(
        (fused * upstream.float()).sum(), parameters(branches32, aligners32)
    )
    torch.testing.assert_close(fused.double(), expected, rtol=1e-4, atol=0)
    for grad, ref in zip(grads, expected_grads):
        scale = ref.abs().max()
        torch.testing.assert_close(
            grad.double() / scale, ref / scale, rtol=0, atol=1e-4
        )


@pytest.mark.parametrize('with_cp', [False, True])
def test_teacher_maps_in_channel_pieces(with_cp):
    """A pair's teacher map given as channel pieces (never concatenated)
    gives the values and gradients of the whole map."""
    branches, aligners, targets = make_case(True)
    piece_aligners = copy.deepcopy(aligners)
    upstream = torch.randn(3, len(GROUPS), dtype=DTYPE)
    whole = stage_pair_distances(branches, aligners, targets, with_cp=with_cp)
    pieces = [list(t.split([1, t.shape[1] - 1], dim=1)) for t in targets]
    pieces[2] = targets[2]  # pieces and whole maps mixed
    split = stage_pair_distances(
        branches, piece_aligners, pieces, with_cp=with_cp
    )
    torch.testing.assert_close(split, whole)
    assert_same_grads(
        split, piece_aligners, whole, aligners, branches, upstream
    )


def test_teacher_map_channels_must_match_the_aligner():
    branches, aligners, targets = make_case(True)
    targets[1] = [targets[1], targets[1][:, :1]]  # 7 + 1 channels for 7
    with pytest.raises(ValueError, match=r'pair 1 has 8 channels \(\[7, 1\]'):
        stage_pair_distances(branches, aligners, targets)
