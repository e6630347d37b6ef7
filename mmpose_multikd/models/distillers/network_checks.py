# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Checks that a teacher and a student can be distilled one into the other:
one normalised input, heads that predict the same keypoints."""

from typing import Optional, Sequence, Tuple

import torch.nn as nn
from mmengine.config import ConfigDict

from ..losses.distill_loss import DISTILL_INPUTS


def check_same_preprocessing(
    student_cfg: ConfigDict, teacher_cfg: ConfigDict
) -> None:
    """Both networks see one input tensor: normalisation must agree."""
    keys = ('mean', 'std', 'bgr_to_rgb')
    student_pre = student_cfg.get('data_preprocessor') or {}
    teacher_pre = teacher_cfg.get('data_preprocessor') or {}
    for key in keys:
        if (
            key in student_pre
            and key in teacher_pre
            and (
                list(student_pre[key])
                if key != 'bgr_to_rgb'
                else student_pre[key]
            )
            != (
                list(teacher_pre[key])
                if key != 'bgr_to_rgb'
                else teacher_pre[key]
            )
        ):
            raise ValueError(
                f'Teacher and student data_preprocessor.{key} differ '
                f'({teacher_pre[key]} vs {student_pre[key]}); both '
                'networks receive the same normalised input.'
            )


def simdr_output_shape(head: nn.Module) -> Optional[Tuple[int, ...]]:
    """(K, Lx, Ly) of a SimDR head, None for other heads."""
    if not hasattr(head, 'simcc_split_ratio'):
        return None
    width, height = head.input_size
    ratio = head.simcc_split_ratio
    return (head.out_channels, int(width * ratio), int(height * ratio))


def check_heads_agree(student_head: nn.Module, teacher_head: nn.Module) -> str:
    """Check both heads predict the same keypoints at one input size.

    Returns:
        str: ``'simcc'`` for a SimDR teacher head, ``'heatmap'`` for a
        heatmap head (one whose decoder has a ``heatmap_size``), else
        ``'other'``.
    """
    student_shape = simdr_output_shape(student_head)
    teacher_shape = simdr_output_shape(teacher_head)
    decoder = getattr(teacher_head, 'decoder', None)
    if teacher_shape is None and hasattr(decoder, 'heatmap_size'):
        if student_shape is None:
            return 'heatmap'
        teacher_input = tuple(int(v) for v in decoder.input_size)
        student_input = tuple(int(v) for v in student_head.input_size)
        teacher_keypoints = getattr(teacher_head, 'out_channels', None)
        if (
            teacher_keypoints != student_shape[0]
            or teacher_input != student_input
        ):
            raise ValueError(
                f'The heatmap teacher ({type(teacher_head).__name__}: '
                f'{teacher_keypoints} keypoints, decoder input_size '
                f'{teacher_input}) and the SimDR student '
                f'({student_shape[0]} keypoints, head input_size '
                f'{student_input}) must predict the same keypoints '
                'from the same input size.'
            )
        return 'heatmap'
    if student_shape != teacher_shape:
        raise ValueError(
            'Teacher and student SimDR outputs differ: teacher '
            f'(K, Lx, Ly)={teacher_shape}, student {student_shape}. Both '
            'need the same keypoints (out_channels), input_size and '
            'simcc_split_ratio.'
        )
    return 'simcc' if teacher_shape is not None else 'other'


def check_inputs_fit_teacher_head(
    loss_name: str,
    loss: nn.Module,
    input_names: Sequence[str],
    teacher_head: nn.Module,
    teacher_head_kind: str,
) -> None:
    """Refuse a loss input that needs another teacher head kind (e.g.
    ``teacher_simcc`` from a heatmap teacher).

    Raises:
        ValueError: Naming the loss, the input and the teacher head.
    """
    for input_name in input_names:
        head_kind = DISTILL_INPUTS[input_name].teacher_head
        if head_kind is None or head_kind == teacher_head_kind:
            continue
        hint = (
            'use HeatmapVKDLoss, which reads SimDR distributions off the '
            'heatmaps'
            if teacher_head_kind == 'heatmap'
            else 'use VKDLoss'
        )
        raise ValueError(
            f'distill_losses.{loss_name}: {type(loss).__name__} takes '
            f'{input_name!r}, a {head_kind} teacher output, but the teacher '
            f'head is {type(teacher_head).__name__} ({teacher_head_kind}): '
            f'{hint}'
        )
