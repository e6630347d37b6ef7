# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The contract between ``MultiKDDistiller`` and a distillation loss.

A distillation loss declares the inputs its ``forward`` takes, by name and
in order, in ``distill_inputs``; the distiller captures what those inputs
need in a training step (stage features, SimDR logits, the teacher's head
output), reads each one from the step and calls the loss with them::

    @MODELS.register_module()
    class MyLoss(DistillLoss):
        distill_inputs = ('student_simcc', 'teacher_simcc', 'target_weight')

        def forward(self, student_simcc, teacher_simcc, target_weight):
            ...

Every input a loss can ask for is one :class:`DistillInput` in
:data:`DISTILL_INPUTS`, added by :func:`register_distill_input`: a new
input kind is one registration (its name, how it is read from a
:class:`DistillStep`, what the step must capture for it), and nothing in
the distiller changes. A loss that does not subclass :class:`DistillLoss`
(e.g. one of MMPose's) gets its inputs from an ``inputs`` key in its
config: a tuple of input names, or one of :data:`INPUT_GROUPS`.
"""

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Iterable, Optional, Tuple

import torch
import torch.nn as nn
from mmpose.utils.typing import SampleList
from torch import Tensor

# What a step captures, each only when a loss needs it.
CAPTURE_STUDENT_STAGES = 'student_stage_feats'
CAPTURE_TEACHER_STAGES = 'teacher_stage_feats'
CAPTURE_STUDENT_SIMCC = 'student_simcc'
CAPTURE_TEACHER_HEAD = 'teacher_head_output'
CAPTURES = (
    CAPTURE_STUDENT_STAGES,
    CAPTURE_TEACHER_STAGES,
    CAPTURE_STUDENT_SIMCC,
    CAPTURE_TEACHER_HEAD,
)


@dataclass
class DistillStep:
    """What one training step of the distiller holds for its losses.

    Args:
        inputs (Tensor): The preprocessed images ``(N, 3, H, W)``.
        data_samples (list[PoseDataSample]): With the codec's labels.
        student_stage_feats (list, optional): Per tapped student stage, its
            branch tensors, highest resolution first.
        teacher_stage_feats (list, optional): The same for the teacher
            (computed without gradient).
        student_simcc (tuple[Tensor, Tensor], optional): The student's
            SimDR logits ``(pred_x, pred_y)``.
        teacher_head_output (object, optional): The teacher head's output:
            ``(pred_x, pred_y)`` of a SimDR head or ``(N, K, h, w)``
            heatmaps.
    """

    inputs: Tensor
    data_samples: SampleList
    student_stage_feats: Optional[list] = None
    teacher_stage_feats: Optional[list] = None
    student_simcc: Optional[Tuple[Tensor, Tensor]] = None
    teacher_head_output: Any = None
    _read: Dict[str, Any] = field(default_factory=dict, repr=False)

    def read(self, name: str) -> Any:
        """The input ``name`` of :data:`DISTILL_INPUTS`, read once per step
        (two losses that ask for it share the value)."""
        if name not in self._read:
            self._read[name] = DISTILL_INPUTS[name].read(self)
        return self._read[name]


@dataclass(frozen=True)
class DistillInput:
    """One input a distillation loss can be called with.

    Args:
        name (str): The name a loss lists in ``distill_inputs``.
        read (Callable[[DistillStep], Any]): Reads it from a step.
        captures (frozenset[str]): What the step must capture for it
            (members of :data:`CAPTURES`).
        teacher_head (str, optional): The teacher head kind it needs,
            ``'simcc'`` or ``'heatmap'``; None for any.
    """

    name: str
    read: Callable[[DistillStep], Any]
    captures: FrozenSet[str] = frozenset()
    teacher_head: Optional[str] = None


DISTILL_INPUTS: Dict[str, DistillInput] = {}


def register_distill_input(
    name: str,
    read: Callable[[DistillStep], Any],
    captures: Iterable[str] = (),
    teacher_head: Optional[str] = None,
) -> DistillInput:
    """Add an input kind to :data:`DISTILL_INPUTS`.

    Args:
        name (str): Its name; must be new.
        read (Callable[[DistillStep], Any]): How it is read from a step.
        captures (Iterable[str]): What the step must capture for it.
        teacher_head (str, optional): ``'simcc'`` or ``'heatmap'`` when it
            only exists for that teacher head.

    Returns:
        DistillInput: The registered input.

    Raises:
        KeyError: ``name`` is taken.
        ValueError: An unknown capture or head kind.
    """
    if name in DISTILL_INPUTS:
        raise KeyError(f'distillation input {name!r} is already registered')
    unknown = sorted(set(captures) - set(CAPTURES))
    if unknown:
        raise ValueError(
            f'distillation input {name!r}: unknown captures {unknown}; '
            f'a step captures {CAPTURES}'
        )
    if teacher_head not in (None, 'simcc', 'heatmap'):
        raise ValueError(
            f"distillation input {name!r}: teacher_head must be 'simcc', "
            f"'heatmap' or None, got {teacher_head!r}"
        )
    distill_input = DistillInput(name, read, frozenset(captures), teacher_head)
    DISTILL_INPUTS[name] = distill_input
    return distill_input


def captures_of(input_names: Iterable[str]) -> FrozenSet[str]:
    """What a step must capture for these inputs of
    :data:`DISTILL_INPUTS`."""
    return frozenset(
        capture
        for name in input_names
        for capture in DISTILL_INPUTS[name].captures
    )


def keypoint_weights(data_samples: SampleList) -> Tensor:
    """(N, K) keypoint weights (visibility) of the batch."""
    return torch.cat(
        [sample.gt_instance_labels.keypoint_weights for sample in data_samples]
    )


def keypoint_labels(data_samples: SampleList) -> Tuple[Tensor, Tensor]:
    """The SimDR labels ``(x, y)`` of the batch, ``(N, K, Lx)`` and
    ``(N, K, Ly)`` (``SimCCLabel``'s ``keypoint_x_labels`` and
    ``keypoint_y_labels``, as ``SimCCHead.loss`` reads them).

    Raises:
        KeyError: The samples carry no SimDR labels (e.g. heatmap targets).
    """
    labels = []
    for axis in ('x', 'y'):
        key = f'keypoint_{axis}_labels'
        if key not in data_samples[0].gt_instance_labels:
            raise KeyError(
                f'the data samples have no gt_instance_labels.{key}: a loss '
                'that reads the SimDR labels needs the SimCCLabel codec in '
                'GenerateTarget'
            )
        labels.append(
            torch.cat([s.gt_instance_labels[key] for s in data_samples])
        )
    return labels[0], labels[1]


register_distill_input(
    'student_stage_feats',
    lambda step: step.student_stage_feats,
    captures=(CAPTURE_STUDENT_STAGES,),
)
register_distill_input(
    'teacher_stage_feats',
    lambda step: step.teacher_stage_feats,
    captures=(CAPTURE_TEACHER_STAGES,),
)
register_distill_input(
    'student_simcc',
    lambda step: step.student_simcc,
    captures=(CAPTURE_STUDENT_SIMCC,),
)
register_distill_input(
    'teacher_simcc',
    lambda step: step.teacher_head_output,
    captures=(CAPTURE_TEACHER_HEAD,),
    teacher_head='simcc',
)
register_distill_input(
    'teacher_heatmaps',
    lambda step: step.teacher_head_output,
    captures=(CAPTURE_TEACHER_HEAD,),
    teacher_head='heatmap',
)
register_distill_input(
    'target_weight', lambda step: keypoint_weights(step.data_samples)
)
register_distill_input(
    'keypoint_labels', lambda step: keypoint_labels(step.data_samples)
)

# Names a config's ``inputs`` key may give for a whole argument list.
INPUT_GROUPS: Dict[str, Tuple[str, ...]] = {
    'stage_feats': ('student_stage_feats', 'teacher_stage_feats'),
    'simcc': ('student_simcc', 'teacher_simcc', 'target_weight'),
    'teacher_heatmaps': ('student_simcc', 'teacher_heatmaps', 'target_weight'),
}


class DistillLoss(nn.Module):
    """Base of a loss that ``MultiKDDistiller`` calls.

    A subclass sets ``distill_inputs`` (on the class, or on the instance in
    ``__init__`` when an option adds an input) to the names of its
    ``forward``'s arguments in :data:`DISTILL_INPUTS`, in order, and may
    override :meth:`log_vars`. The distiller checks the names and that
    ``forward`` accepts them when it builds the loss.
    """

    distill_inputs: Tuple[str, ...] = ()

    def log_vars(self) -> Dict[str, Tensor]:
        """Scalars to log after the step (not optimised). Defaults to none."""
        return {}


def resolve_distill_inputs(
    loss_name: str, loss: nn.Module, inputs: Any = None
) -> Tuple[str, ...]:
    """The checked input names a built loss is called with.

    Args:
        loss_name (str): Its key in ``distill_losses`` (for messages).
        loss (nn.Module): The built loss.
        inputs (str | Sequence[str], optional): The config's ``inputs``: a
            group of :data:`INPUT_GROUPS` or input names; overrides the
            loss's ``distill_inputs``.

    Returns:
        tuple[str, ...]: Names of :data:`DISTILL_INPUTS`.

    Raises:
        ValueError: No inputs declared, or an unknown name.
        TypeError: ``forward`` does not take that many arguments.
    """
    owner = f'distill_losses.{loss_name} ({type(loss).__name__})'
    if inputs is None:
        inputs = getattr(loss, 'distill_inputs', None) or None
    if isinstance(inputs, str):
        if inputs not in INPUT_GROUPS:
            raise ValueError(
                f'{owner}: inputs={inputs!r} is none of the groups '
                f'{sorted(INPUT_GROUPS)}; give a tuple of input names of '
                f'{sorted(DISTILL_INPUTS)}'
            )
        inputs = INPUT_GROUPS[inputs]
    if not inputs:
        raise ValueError(
            f'{owner}: cannot tell what it takes; subclass DistillLoss and '
            f'set distill_inputs, or set inputs in its config (a tuple of '
            f'{sorted(DISTILL_INPUTS)} or one of {sorted(INPUT_GROUPS)})'
        )
    inputs = tuple(inputs)
    unknown = [name for name in inputs if name not in DISTILL_INPUTS]
    if unknown:
        raise ValueError(
            f'{owner}: unknown inputs {unknown}; registered inputs: '
            f'{sorted(DISTILL_INPUTS)} (register_distill_input adds one)'
        )
    try:
        inspect.signature(loss.forward).bind(*inputs)
    except TypeError as error:
        raise TypeError(
            f'{owner}: forward{inspect.signature(loss.forward)} cannot take '
            f'the inputs {inputs}: {error}'
        ) from None
    return inputs
