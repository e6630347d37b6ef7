# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The loss contract: a loss declares its inputs, the distiller reads them.

A toy loss with a new input kind is plugged in through the contract alone
(``register_distill_input`` and ``DistillLoss.distill_inputs``): nothing in
the distiller is touched, and the loss receives exactly what it declared.
"""

import pytest
import torch
from mmpose.registry import MODELS

from mmpose_multikd.models.losses import (
    DISTILL_INPUTS,
    DistillLoss,
    register_distill_input,
)

from .test_multikd_distiller import (
    build_distiller,
    make_batch,
    teacher_ckpt,  # noqa: F401 (a fixture)
)

NEW_INPUT = 'toy_input_area'


class RecordingLoss(DistillLoss):
    """Takes the student's logits and the new input; records what it got."""

    distill_inputs = ('student_simcc', NEW_INPUT)

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight
        self.calls = []

    def forward(self, student_simcc, area):
        self.calls.append((student_simcc, area))
        return self.loss_weight * area * student_simcc[0].mean()


class TooFewArguments(DistillLoss):
    distill_inputs = ('student_simcc', 'teacher_simcc', 'target_weight')

    def forward(self, student_simcc):
        return student_simcc[0].sum()


class UndeclaredLoss(torch.nn.Module):
    def forward(self, student_simcc, teacher_simcc):
        return student_simcc[0].sum() * 0


@pytest.fixture
def toy_contract():
    """Registers the toy losses and the new input kind; removes them after
    the test (the registries are global)."""
    reads = []

    def read_area(step):
        reads.append(step)
        height, width = step.inputs.shape[-2:]
        return float(height * width)

    register_distill_input(NEW_INPUT, read_area)
    for cls in (RecordingLoss, TooFewArguments, UndeclaredLoss):
        MODELS.register_module(module=cls, force=True)
    yield reads
    del DISTILL_INPUTS[NEW_INPUT]
    for cls in (RecordingLoss, TooFewArguments, UndeclaredLoss):
        MODELS._module_dict.pop(cls.__name__)


def test_a_new_input_kind_reaches_a_toy_loss(
    teacher_ckpt,  # noqa: F811
    toy_contract,
):
    model = build_distiller(
        teacher_ckpt,
        distill_losses=dict(
            loss_toy=dict(type='RecordingLoss', loss_weight=0.5),
            loss_toy2=dict(type='RecordingLoss'),
        ),
    )
    assert model.distill_inputs == dict(
        loss_toy=('student_simcc', NEW_INPUT),
        loss_toy2=('student_simcc', NEW_INPUT),
    )
    inputs, samples = make_batch()
    model.train()
    teacher_calls = []
    handle = model.teacher.register_forward_hook(
        lambda *args: teacher_calls.append(1)
    )
    model.student.eval()  # the logits can then be compared with a rerun
    losses = model.loss(inputs, samples)
    handle.remove()
    ((student_simcc, area),) = model.distill_losses['loss_toy'].calls
    # the new input, read once for both losses
    assert area == 64 * 64
    assert len(toy_contract) == 1
    # the student's own logits, as its head computes them
    with torch.no_grad():
        expected = model.student.head(model.student.extract_feat(inputs))
    for got, want in zip(student_simcc, expected):
        torch.testing.assert_close(got.detach(), want)
    torch.testing.assert_close(
        losses['loss_toy'], 0.5 * area * student_simcc[0].mean()
    )
    # no declared input needs the teacher: it does not run
    assert not teacher_calls


def test_the_contract_is_checked_when_the_loss_is_built(
    teacher_ckpt,  # noqa: F811
    toy_contract,
):
    with pytest.raises(TypeError, match=r'loss_bad \(TooFewArguments\)'):
        build_distiller(
            teacher_ckpt,
            distill_losses=dict(loss_bad=dict(type='TooFewArguments')),
        )
    with pytest.raises(ValueError, match='cannot tell what it takes'):
        build_distiller(
            teacher_ckpt,
            distill_losses=dict(loss_plain=dict(type='UndeclaredLoss')),
        )
    with pytest.raises(ValueError, match=r"unknown inputs \['student_kpts'\]"):
        build_distiller(
            teacher_ckpt,
            distill_losses=dict(
                loss_plain=dict(
                    type='UndeclaredLoss',
                    inputs=('student_simcc', 'student_kpts'),
                )
            ),
        )
    # a loss outside the contract is called with the inputs its config names
    model = build_distiller(
        teacher_ckpt,
        distill_losses=dict(
            loss_plain=dict(
                type='UndeclaredLoss', inputs=('student_simcc', NEW_INPUT)
            )
        ),
    )
    assert model.distill_inputs['loss_plain'] == ('student_simcc', NEW_INPUT)


def test_registering_an_input_twice_or_with_unknown_captures_fails(
    toy_contract,
):
    with pytest.raises(KeyError, match=NEW_INPUT):
        register_distill_input(NEW_INPUT, lambda step: None)
    with pytest.raises(ValueError, match='unknown captures'):
        register_distill_input(
            'toy_other', lambda step: None, captures=('student_heatmaps',)
        )
    assert 'toy_other' not in DISTILL_INPUTS
