# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The cases of ``multikd_lab.tools.benchmark_train`` that isolate the
cross-stage loss: the loss alone and its alignment convolutions alone, on
the stage features tapped from one real distiller step."""

from typing import Callable, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmpose.registry import MODELS

from mmpose_multikd.models.distillers import as_branch_list
from mmpose_multikd.models.losses import CrossStageAttentionKDLoss
from mmpose_multikd.models.losses.cross_stage.aligned_distance import (
    stacked_branch_weights,
)


def adam(model: torch.nn.Module) -> OptimWrapper:
    """Adam over the trainable parameters, in an MMEngine wrapper."""
    params = [p for p in model.parameters() if p.requires_grad]
    return OptimWrapper(torch.optim.Adam(params, lr=1e-4))


def tapped_cross_stage_loss(
    cfg: Config, batch: dict, device: str
) -> Tuple[CrossStageAttentionKDLoss, list, list]:
    """The distiller's ``CrossStageAttentionKDLoss`` and the student and
    teacher stage features it received in one training step (as branch
    lists, detached)."""
    distiller = MODELS.build(cfg.model).to(device).train()
    fkd = [
        loss
        for loss in distiller.distill_losses.values()
        if isinstance(loss, CrossStageAttentionKDLoss)
    ]
    if not fkd:
        raise ValueError(
            'the config has no CrossStageAttentionKDLoss in '
            'model.distill_losses'
        )
    tapped = {}

    def tap(module, args) -> None:  # returning None keeps the inputs
        tapped['student'], tapped['teacher'] = args[0], args[1]

    handle = fkd[0].register_forward_pre_hook(tap)
    distiller.train_step(batch, adam(distiller))
    handle.remove()
    stages = {
        side: [
            [branch.detach() for branch in as_branch_list(feat)]
            for feat in tapped[side]
        ]
        for side in ('student', 'teacher')
    }
    return fkd[0], stages['student'], stages['teacher']


def build_cross_stage_loss(
    cfg: Config, batch: dict, device: str
) -> Callable[[], object]:
    """Forward and backward of the cross-stage loss alone, its student
    features as leaves that need gradients."""
    fkd, student, teacher = tapped_cross_stage_loss(cfg, batch, device)
    student = [
        [branch.requires_grad_() for branch in stage] for stage in student
    ]

    def cross_stage_loss():
        loss = fkd(student, teacher)
        loss.backward()
        return loss

    return cross_stage_loss


def build_aligner_convs(
    cfg: Config, batch: dict, device: str
) -> Callable[[], object]:
    """Forward and backward of the alignment convolutions alone.

    One distiller step taps the student stage features that reach the
    ``CrossStageAttentionKDLoss``. The returned call applies, per used
    branch ``b`` of each student stage ``m``, one conv with the weight
    columns of ``b`` of every valid pair ``(l, m)`` stacked (the same
    multiply-adds as all pairs' ``W_b x_b``, in the fewest and largest
    calls) and back-propagates into the features and the weights.
    """
    fkd, stages, _ = tapped_cross_stage_loss(cfg, batch, device)
    inputs, weights = [], []
    for s_idx, stage in enumerate(stages):
        # All pairs of this student stage share its input: their branch
        # weights stacked along the output channels make one conv per branch.
        aligners = [
            fkd.aligners[fkd.pair_key(t_idx, s_idx)]
            for t_idx, pair_s_idx in fkd.valid_pairs
            if pair_s_idx == s_idx
        ]
        used = stage[: None if fkd.multi_resolution else 1]
        stacked = stacked_branch_weights(aligners, len(used))
        for branch, weight in zip(used, stacked):
            inputs.append(branch.requires_grad_())
            weights.append(weight[:, :, None, None].detach().requires_grad_())

    def aligner_convs():
        total = sum(
            F.conv2d(branch, weight).sum()
            for branch, weight in zip(inputs, weights)
        )
        total.backward()
        return total

    return aligner_convs
