# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The aligners' BatchNorm statistics when the cross-stage distances form
them from moments (:mod:`.aligned_distance`): synchronised over the ranks
for ``torch.nn.SyncBatchNorm``, and the running buffers updated as
``BatchNorm2d.forward`` updates them."""

from typing import Mapping, Optional, Sequence, Tuple

import torch
import torch.distributed as dist
import torch.nn as nn
from torch import Tensor


def sync_group(norms: Sequence[nn.Module]) -> Optional[object]:
    """The process group to all-reduce the batch statistics over: that of
    the norms when they are ``torch.nn.SyncBatchNorm`` and a process group
    is initialised, else None (per-rank statistics, as ``SyncBatchNorm``
    computes without one)."""
    synced = [isinstance(norm, nn.SyncBatchNorm) for norm in norms]
    if not any(synced):
        return None
    if not all(synced):
        kinds = [type(norm).__name__ for norm in norms]
        raise ValueError(
            'stage_pair_distances: the aligners of one student stage mix '
            f'SyncBatchNorm and other norms ({kinds}); convert all or none'
        )
    if not (dist.is_available() and dist.is_initialized()):
        return None
    groups = {id(norm.process_group) for norm in norms}
    if len(groups) > 1:
        raise ValueError(
            'stage_pair_distances: the SyncBatchNorms of one student stage '
            'use different process groups'
        )
    return norms[0].process_group or dist.group.WORLD


def all_reduce_sums(
    sum_y: Tensor, sum_yy: Tensor, count: int, group: object
) -> Tuple[Tensor, Tensor, Tensor]:
    """The batch sums ``S_y``, ``S_yy`` (``(C,)``) and the number of values
    per channel, summed over the ranks of ``group`` in one all-reduce,
    differentiably (each rank's gradient is that of the sum of all ranks'
    losses, as with ``SyncBatchNorm``)."""
    from torch.distributed.nn.functional import all_reduce

    channels = sum_y.shape[0]
    packed = torch.cat([sum_y, sum_yy, sum_y.new_full((1,), count)])
    packed = all_reduce(packed, op=dist.ReduceOp.SUM, group=group)
    return packed[:channels], packed[channels:-1], packed[-1]


@torch.no_grad()
def update_running_stats(
    norms: Sequence[torch.nn.BatchNorm2d], mean: Tensor, unbiased_var: Tensor
) -> None:
    """What ``BatchNorm2d.forward`` does to its buffers in training (the
    statistics cast to the buffers' dtype)."""
    dtype = norms[0].running_mean.dtype
    mean, unbiased_var = mean.to(dtype), unbiased_var.to(dtype)
    start = 0
    for norm in norms:
        stop = start + norm.num_features
        norm.num_batches_tracked.add_(1)
        momentum = norm.momentum
        if momentum is None:  # cumulative moving average
            momentum = 1.0 / float(norm.num_batches_tracked)
        norm.running_mean.lerp_(mean[start:stop], momentum)
        norm.running_var.lerp_(unbiased_var[start:stop], momentum)
        start = stop


def check_aligner_norms(aligners: Mapping[str, nn.Module], owner: str) -> None:
    """The moment path knows ``BatchNorm2d`` and PyTorch's
    ``SyncBatchNorm``: any other norm of ``aligners`` (e.g. MMCV's
    ``SyncBatchNorm`` of ``sync_bn='mmcv'``) is refused with its module
    path (``aligners.<key>.bn``), in a message starting with ``owner``."""
    for key, aligner in aligners.items():
        if not isinstance(aligner.bn, (nn.BatchNorm2d, nn.SyncBatchNorm)):
            norm = type(aligner.bn)
            raise TypeError(
                f'{owner}: aligners.{key}.bn is '
                f'{norm.__module__}.{norm.__qualname__}; the moment-'
                'based distances support torch.nn.BatchNorm2d and '
                "torch.nn.SyncBatchNorm (sync_bn='torch' in the config)"
            )
