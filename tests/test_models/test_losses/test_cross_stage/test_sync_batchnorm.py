# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The moment-based distances with ``SyncBatchNorm`` aligners
(MMEngine's ``sync_bn='torch'``): batch statistics over all ranks.

Two gloo processes on the CPU, each with part of a batch (2 and 1
samples), against the module path with a plain BatchNorm on the whole
batch: the same distances, running statistics, the branches' gradients,
and the aligners' gradients summed over the ranks (what DDP averages).
"""

import copy

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from mmengine.model import convert_sync_batchnorm

from mmpose_multikd.models.losses import CrossStageAttentionKDLoss
from mmpose_multikd.models.losses.cross_stage.aligned_distance import (
    stage_pair_distances,
)

from .test_aligned_distance import GROUPS, make_case, parameters, reference

DTYPE = torch.float64
RANK_SAMPLES = ([0, 1], [2])


def synced(aligners):
    """The aligners as MMEngine's ``sync_bn='torch'`` converts them."""
    return [convert_sync_batchnorm(a, 'torch') for a in aligners]


def upstream():
    generator = torch.Generator().manual_seed(5)
    return torch.randn(3, len(GROUPS), generator=generator, dtype=DTYPE)


def rank_step(rank, world_size, init_file, out_dir):
    """One rank's distances, gradients and running statistics on its
    samples, saved to ``out_dir/rank{rank}.pt``."""
    dist.init_process_group(
        'gloo',
        init_method=f'file://{init_file}',
        rank=rank,
        world_size=world_size,
    )
    try:
        branches, aligners, teachers = make_case(True)
        aligners = synced(aligners)
        idx = RANK_SAMPLES[rank]
        mine = [b.detach()[idx].requires_grad_() for b in branches]
        distances = stage_pair_distances(
            mine, aligners, [[t[idx] for t in teacher] for teacher in teachers]
        )
        grads = torch.autograd.grad(
            (distances * upstream()[idx]).sum(), parameters(mine, aligners)
        )
        torch.save(
            dict(
                distances=distances.detach(),
                branch_grads=grads[: len(mine)],
                aligner_grads=grads[len(mine) :],
                buffers=[dict(a.bn.named_buffers()) for a in aligners],
            ),
            f'{out_dir}/rank{rank}.pt',
        )
    finally:
        dist.destroy_process_group()


def test_two_ranks_use_the_statistics_of_the_whole_batch(tmp_path):
    world_size = len(RANK_SAMPLES)
    mp.spawn(
        rank_step,
        args=(world_size, str(tmp_path / 'init'), str(tmp_path)),
        nprocs=world_size,
    )
    ranks = [
        torch.load(tmp_path / f'rank{r}.pt', weights_only=True)
        for r in range(world_size)
    ]

    branches, aligners, teachers = make_case(True)
    expected = reference(branches, aligners, teachers)
    grads = torch.autograd.grad(
        (expected * upstream()).sum(), parameters(branches, aligners)
    )
    torch.testing.assert_close(
        torch.cat([r['distances'] for r in ranks]), expected.detach()
    )
    for b_idx, grad in enumerate(grads[: len(branches)]):
        torch.testing.assert_close(
            torch.cat([r['branch_grads'][b_idx] for r in ranks]), grad
        )
    for p_idx, grad in enumerate(grads[len(branches) :]):
        torch.testing.assert_close(
            sum(r['aligner_grads'][p_idx] for r in ranks), grad
        )
    for rank in ranks:
        for aligner, buffers in zip(aligners, rank['buffers']):
            for name, buffer in aligner.bn.named_buffers():
                torch.testing.assert_close(buffers[name], buffer, msg=name)


@pytest.fixture
def one_process_group(tmp_path):
    dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path / "init"}', rank=0, world_size=1
    )
    yield
    dist.destroy_process_group()


def test_one_rank_all_reduces_through_autograd(one_process_group, monkeypatch):
    """In a process group of one: the statistics go through the
    differentiable all-reduce (once per student stage), with the values
    and gradients of the plain path."""
    import torch.distributed.nn.functional as dist_fn

    calls = []
    all_reduce = dist_fn.all_reduce

    def counted(tensor, *args, **kwargs):
        calls.append(tensor.shape)
        return all_reduce(tensor, *args, **kwargs)

    monkeypatch.setattr(dist_fn, 'all_reduce', counted)
    branches, aligners, teachers = make_case(True)
    plain = copy.deepcopy(aligners)
    distances = stage_pair_distances(branches, synced(aligners), teachers)
    expected = stage_pair_distances(branches, plain, teachers)
    assert calls == [(2 * sum(GROUPS) + 1,)]
    torch.testing.assert_close(distances, expected)
    torch.testing.assert_close(
        torch.autograd.grad(distances.sum(), branches),
        torch.autograd.grad(expected.sum(), branches),
    )


def test_without_a_process_group_sync_batchnorm_is_per_rank(monkeypatch):
    """As ``SyncBatchNorm`` itself: no process group, no all-reduce."""
    import torch.distributed.nn.functional as dist_fn

    monkeypatch.setattr(dist_fn, 'all_reduce', None)  # must not be called
    branches, aligners, teachers = make_case(True)
    plain = copy.deepcopy(aligners)
    torch.testing.assert_close(
        stage_pair_distances(branches, synced(aligners), teachers),
        stage_pair_distances(branches, plain, teachers),
    )


def test_mixed_norms_and_other_sync_norms_are_refused():
    branches, aligners, teachers = make_case(True)
    mixed = synced(aligners[:1]) + aligners[1:]
    with pytest.raises(ValueError, match='mix SyncBatchNorm and other'):
        stage_pair_distances(branches, mixed, teachers)

    class OtherSyncBatchNorm(nn.Module):  # e.g. MMCV's (sync_bn='mmcv')
        pass

    loss = CrossStageAttentionKDLoss([[4, 8]], [[4, 8]], embed_dim=4)
    loss.aligners['t0_s0'].bn = OtherSyncBatchNorm()
    feats = [[torch.randn(2, 4, 8, 8), torch.randn(2, 8, 4, 4)]]
    with pytest.raises(TypeError, match=r'aligners\.t0_s0\.bn is .*Other'):
        loss(feats, feats)
