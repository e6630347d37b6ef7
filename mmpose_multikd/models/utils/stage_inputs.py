# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Stage-feature inputs of the ``'stage_feats'`` losses, checked.

Shared by Multi-KD's ``CrossStageAttentionKDLoss`` and the compared
feature distillers: channel configs, stage inputs, batch sizes and stage
indices. Every error starts with the calling loss's name.
"""

from typing import List, Sequence, Tuple, Union

import torch
from torch import Tensor

from .resize import resize_bilinear

ChannelSpec = Union[int, Sequence[int]]
StageFeature = Union[Tensor, Sequence[Tensor]]


def parse_stage_channels(
    channels: Sequence[ChannelSpec], side: str, owner: str
) -> List[List[int]]:
    """Normalise a channel config to a list of branch-channel lists.

    Args:
        channels (Sequence[int | Sequence[int]]): Per stage, an int for a
            single-branch stage or the channels of each branch, highest
            resolution first.
        side (str): ``'student'`` or ``'teacher'`` (for error messages).
        owner (str): Name of the calling loss (for error messages).

    Returns:
        list[list[int]]: Per stage, the channels of its branches.
    """
    if isinstance(channels, int) or len(channels) == 0:
        raise ValueError(
            f'{owner}: {side}_channels must list at least one stage, got '
            f'{channels!r}.'
        )
    stages = []
    for stage_idx, stage in enumerate(channels):
        branches = [stage] if isinstance(stage, int) else list(stage)
        valid = len(branches) > 0 and all(
            isinstance(c, int) and not isinstance(c, bool) and c > 0
            for c in branches
        )
        if not valid:
            raise ValueError(
                f'{owner}: {side}_channels[{stage_idx}] must be a positive '
                f'int or a non-empty list of positive ints, got {stage!r}.'
            )
        stages.append(branches)
    return stages


def resolve_stage(index: int, num_stages: int, name: str, owner: str) -> int:
    """Turn a (possibly negative) stage index into a checked positive one.

    Args:
        index (int): The configured index; negative values count from the
            last stage as in Python.
        num_stages (int): Number of configured stages.
        name (str): Name of the option (for error messages).
        owner (str): Name of the calling loss (for error messages).

    Returns:
        int: The index in ``[0, num_stages)``.
    """
    if not -num_stages <= index < num_stages:
        raise ValueError(
            f'{owner}: {name}={index} is out of range for {num_stages} '
            'configured stages.'
        )
    return index % num_stages


def stage_branches(
    stage_feats: Sequence[StageFeature],
    channels: List[List[int]],
    side: str,
    owner: str,
) -> List[List[Tensor]]:
    """Check the stage inputs against the config; return their branches.

    Args:
        stage_feats (Sequence[Tensor | Sequence[Tensor]]): Per stage, a
            tensor ``(N, C, H, W)`` (a one-branch stage) or the branch
            tensors, highest resolution first.
        channels (list[list[int]]): The configured branch channels.
        side (str): ``'student'`` or ``'teacher'``.
        owner (str): Name of the calling loss (for error messages).

    Returns:
        list[list[Tensor]]: Per stage, its branch tensors.
    """
    if isinstance(stage_feats, Tensor) or len(stage_feats) != len(channels):
        got = (
            'a single tensor'
            if isinstance(stage_feats, Tensor)
            else len(stage_feats)
        )
        raise ValueError(
            f'{owner}: expected {len(channels)} {side} stages (as '
            f'configured in {side}_channels), got {got}.'
        )
    stages = []
    for stage_idx, (stage, expected) in enumerate(zip(stage_feats, channels)):
        branches = [stage] if isinstance(stage, Tensor) else list(stage)
        prefix = f'{owner}: {side} stage {stage_idx}'
        if len(branches) != len(expected):
            raise ValueError(
                f'{prefix}: expected {len(expected)} branches (channels '
                f'{expected}), got {len(branches)}.'
            )
        for branch_idx, (branch, num_channels) in enumerate(
            zip(branches, expected)
        ):
            if not isinstance(branch, Tensor) or branch.dim() != 4:
                got = (
                    f'shape {tuple(branch.shape)}'
                    if isinstance(branch, Tensor)
                    else type(branch).__name__
                )
                raise ValueError(
                    f'{prefix} branch {branch_idx}: expected a (N, C, H, W) '
                    f'tensor, got {got}.'
                )
            if branch.shape[1] != num_channels:
                raise ValueError(
                    f'{prefix} branch {branch_idx}: expected {num_channels} '
                    f'channels, got {branch.shape[1]} (shape '
                    f'{tuple(branch.shape)}).'
                )
        stages.append(branches)
    return stages


def top_branches(
    stage_feats: Sequence[StageFeature],
    channels: List[List[int]],
    side: str,
    owner: str,
) -> List[Tensor]:
    """Check the stage inputs (:func:`stage_branches`); return each top one.

    Returns:
        list[Tensor]: Per stage, its first (highest-resolution) branch.
    """
    return [
        branches[0]
        for branches in stage_branches(stage_feats, channels, side, owner)
    ]


def check_batch_sizes(
    student: Sequence[StageFeature],
    teacher: Sequence[StageFeature],
    owner: str,
) -> int:
    """Check that all stage maps share one batch size and return it.

    Args:
        student (Sequence[Tensor | Sequence[Tensor]]): Per student stage, a
            map ``(N, C, H, W)`` or its branch maps.
        teacher (Sequence[Tensor | Sequence[Tensor]]): The same for the
            teacher.
        owner (str): Name of the calling loss (for error messages).

    Returns:
        int: The batch size ``N``, that of the student's first map.
    """
    first = student[0] if isinstance(student[0], Tensor) else student[0][0]
    batch_size = first.shape[0]
    for side, stages in (('student', student), ('teacher', teacher)):
        for stage_idx, stage in enumerate(stages):
            branches = (
                [(f'stage {stage_idx}', stage)]
                if isinstance(stage, Tensor)
                else [
                    (f'stage {stage_idx} branch {branch_idx}', branch)
                    for branch_idx, branch in enumerate(stage)
                ]
            )
            for where, feat in branches:
                if feat.shape[0] != batch_size:
                    raise ValueError(
                        f'{owner}: batch size mismatch: student stage 0 has '
                        f'{batch_size} samples (shape {tuple(first.shape)}),'
                        f' {side} {where} has {feat.shape[0]} (shape '
                        f'{tuple(feat.shape)}).'
                    )
    return batch_size


def top_branch_inputs(
    student_stage_feats: Sequence,
    teacher_stage_feats: Sequence,
    student_channels: List[List[int]],
    teacher_channels: List[List[int]],
    owner: str,
) -> Tuple[List[Tensor], List[Tensor], int]:
    """Checked top branches of both sides, the teacher's detached.

    Returns:
        tuple: Student top branches, detached teacher top branches and the
        common batch size.
    """
    student = top_branches(
        student_stage_feats, student_channels, 'student', owner
    )
    teacher = [
        feat.detach()
        for feat in top_branches(
            teacher_stage_feats, teacher_channels, 'teacher', owner
        )
    ]
    return student, teacher, check_batch_sizes(student, teacher, owner)


def fused_pieces(branches: Sequence[Tensor]) -> List[Tensor]:
    """The channel pieces of a stage's fused feature, not concatenated.

    The fused feature is ``concat_b resize(x_b)`` at the top branch's size
    (MFT); its pieces are the top branch itself (not copied) and each
    lower branch resized to that size.

    Args:
        branches (Sequence[Tensor]): ``(N, C_b, H_b, W_b)``, highest
            resolution first.

    Returns:
        list[Tensor]: ``(N, C_b, H_0, W_0)`` each.
    """
    size = branches[0].shape[-2:]
    return [branches[0]] + [
        resize_bilinear(branch, size) for branch in branches[1:]
    ]


def pairs_to_grid(
    values: Tensor,
    grid_index: Tensor,
    num_teacher_stages: int,
    num_student_stages: int,
) -> Tensor:
    """Scatter per-pair values ``(N, P)`` to a zero-filled grid
    ``(N, num_teacher_stages, num_student_stages)`` at ``(l, m)``.

    Args:
        values (Tensor): ``(N, P)``, one column per pair.
        grid_index (Tensor): ``(P,)`` int64 on ``values``' device, pair
            ``(l, m)`` as ``l * num_student_stages + m`` (see
            :func:`pair_grid_index`; a module keeps it as a buffer, so no
            index is copied from the host at each step).
        num_teacher_stages (int): ``L``.
        num_student_stages (int): ``M``.

    Returns:
        Tensor: ``(N, L, M)``.
    """
    grid = values.new_zeros(
        values.shape[0], num_teacher_stages * num_student_stages
    )
    grid.index_copy_(1, grid_index, values)
    return grid.view(-1, num_teacher_stages, num_student_stages)


def pair_grid_index(
    pairs: Sequence[Tuple[int, int]], num_student_stages: int
) -> Tensor:
    """The :func:`pairs_to_grid` index of ``pairs`` ``(l, m)``: ``(P,)``
    int64 on the CPU, ``l * num_student_stages + m``."""
    return torch.tensor(
        [t_idx * num_student_stages + s_idx for t_idx, s_idx in pairs],
        dtype=torch.long,
    )
