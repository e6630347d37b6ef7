# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""VKDLoss against an explicit-loop reference of the SPEC's L_vkd."""

import re

import pytest
import torch
from mmpose.registry import MODELS

from mmpose_multikd.models.losses import VKDLoss

NUM_SAMPLES, NUM_KEYPOINTS, BINS_X, BINS_Y = 2, 3, 5, 4


def make_simcc(seed: int, requires_grad: bool = False, scale: float = 2.0):
    """Random ``(pred_x, pred_y)`` logits in float64."""
    generator = torch.Generator().manual_seed(seed)
    pred_x = (
        torch.randn(
            NUM_SAMPLES,
            NUM_KEYPOINTS,
            BINS_X,
            generator=generator,
            dtype=torch.float64,
        )
        * scale
    )
    pred_y = (
        torch.randn(
            NUM_SAMPLES,
            NUM_KEYPOINTS,
            BINS_Y,
            generator=generator,
            dtype=torch.float64,
        )
        * scale
    )
    return (
        pred_x.requires_grad_(requires_grad),
        pred_y.requires_grad_(requires_grad),
    )


def naive_softmax(row, temperature):
    """Softmax of a 1-D tensor with scalar ops, as a list of scalars."""
    exps = [torch.exp(row[i] / temperature) for i in range(row.shape[0])]
    total = sum(exps)
    return [value / total for value in exps]


def naive_vkd(student, teacher, temperature, loss_weight=1.0, weights=None):
    """Explicit-loop reference: sum_n sum_k [KL_x + KL_y] tau^2."""
    total = 0.0
    for n in range(NUM_SAMPLES):
        for k in range(NUM_KEYPOINTS):
            keypoint_kl = 0.0
            for student_axis, teacher_axis in zip(student, teacher):
                t_prob = naive_softmax(
                    teacher_axis[n, k].detach(), temperature
                )
                s_prob = naive_softmax(student_axis[n, k], temperature)
                for t_i, s_i in zip(t_prob, s_prob):
                    keypoint_kl = keypoint_kl + t_i * (
                        torch.log(t_i) - torch.log(s_i)
                    )
            weight = 1.0 if weights is None else weights[n, k]
            total = total + weight * keypoint_kl
    return loss_weight * total * temperature**2


@pytest.mark.parametrize('use_target_weight', [False, True])
@pytest.mark.parametrize('temperature', [1.0, 4.0])
def test_matches_naive_value_and_gradient(temperature, use_target_weight):
    student = make_simcc(0, requires_grad=True)
    teacher = make_simcc(1)
    weights = torch.tensor(
        [[1.0, 0.0, 0.5], [1.0, 1.0, 0.0]], dtype=torch.float64
    )
    loss_fn = VKDLoss(
        temperature=temperature,
        loss_weight=0.7,
        use_target_weight=use_target_weight,
    )
    target_weight = weights if use_target_weight else None

    loss = loss_fn(student, teacher, target_weight)
    expected = naive_vkd(student, teacher, temperature, 0.7, target_weight)

    assert loss.dim() == 0
    torch.testing.assert_close(loss, expected)
    grads = torch.autograd.grad(loss, student)
    expected_grads = torch.autograd.grad(expected, student)
    for grad, expected_grad in zip(grads, expected_grads):
        torch.testing.assert_close(grad, expected_grad)


def naive_argmax(row):
    best = 0
    for i in range(row.shape[0]):
        if row[i] > row[best]:
            best = i
    return best


@pytest.mark.parametrize('radius', [0, 1, 3])
def test_teacher_error_mask_matches_naive(radius):
    """Only keypoints whose teacher peak is within ``radius`` bins of the
    label's peak on both axes are distilled."""
    student = make_simcc(0, requires_grad=True)
    teacher = make_simcc(1)
    labels = tuple(t.detach().softmax(-1) for t in make_simcc(2))
    weights = torch.ones(NUM_SAMPLES, NUM_KEYPOINTS, dtype=torch.float64)
    for n in range(NUM_SAMPLES):
        for k in range(NUM_KEYPOINTS):
            for teacher_axis, label_axis in zip(teacher, labels):
                gap = abs(
                    naive_argmax(teacher_axis[n, k])
                    - naive_argmax(label_axis[n, k])
                )
                if gap > radius:
                    weights[n, k] = 0.0
    loss_fn = VKDLoss(temperature=2.0, teacher_error_radius=radius)
    assert 'keypoint_labels' in loss_fn.distill_inputs
    loss = loss_fn(student, teacher, None, keypoint_labels=labels)
    expected = naive_vkd(student, teacher, 2.0, weights=weights)
    torch.testing.assert_close(loss, expected)
    for grad, expected_grad in zip(
        torch.autograd.grad(loss, student),
        torch.autograd.grad(expected, student),
    ):
        torch.testing.assert_close(grad, expected_grad)
    # the mask composes with the visibility mask
    visible = torch.tensor(
        [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], dtype=torch.float64
    )
    both = VKDLoss(
        temperature=2.0, teacher_error_radius=radius, use_target_weight=True
    )(student, teacher, visible, keypoint_labels=labels)
    torch.testing.assert_close(
        both, naive_vkd(student, teacher, 2.0, weights=weights * visible)
    )


def test_teacher_error_mask_needs_labels():
    student, teacher = make_simcc(0), make_simcc(1)
    loss_fn = VKDLoss(teacher_error_radius=2)
    with pytest.raises(ValueError, match='needs keypoint_labels'):
        loss_fn(student, teacher)
    with pytest.raises(ValueError, match='x keypoint_labels must be shaped'):
        loss_fn(student, teacher, keypoint_labels=(teacher[0][:1], teacher[1]))
    with pytest.raises(ValueError, match='must be >= 0 bins'):
        VKDLoss(teacher_error_radius=-1)
    assert 'keypoint_labels' not in VKDLoss().distill_inputs


def test_loss_is_positive_and_zero_for_identical_logits():
    student = make_simcc(0)
    loss_fn = VKDLoss(temperature=2.0)
    assert loss_fn(student, make_simcc(1)) > 0
    identical = tuple(pred.clone() for pred in student)
    zero = loss_fn(student, identical)
    torch.testing.assert_close(zero, torch.zeros_like(zero))


def test_masked_keypoint_does_not_contribute():
    weights = torch.ones(NUM_SAMPLES, NUM_KEYPOINTS, dtype=torch.float64)
    weights[0, 1] = 0.0
    student = make_simcc(0, requires_grad=True)
    teacher = make_simcc(1)
    changed = tuple(pred.detach().clone() for pred in student)
    for pred in changed:
        pred[0, 1] += torch.linspace(
            -3.0, 5.0, pred.shape[-1], dtype=torch.float64
        )
    masked = VKDLoss(temperature=2.0, use_target_weight=True)
    unmasked = VKDLoss(temperature=2.0)

    loss = masked(student, teacher, weights)
    torch.testing.assert_close(masked(changed, teacher, weights), loss)
    assert not torch.allclose(
        unmasked(changed, teacher), unmasked(student, teacher)
    )

    loss.backward()
    for pred in student:
        assert torch.all(pred.grad[0, 1] == 0)
        assert pred.grad[1, 1].abs().sum() > 0


def test_target_weight_required_when_used():
    loss_fn = VKDLoss(use_target_weight=True)
    with pytest.raises(ValueError, match='target_weight'):
        loss_fn(make_simcc(0), make_simcc(1))


def test_teacher_gets_no_gradient():
    student = make_simcc(0, requires_grad=True)
    teacher = make_simcc(1, requires_grad=True)
    VKDLoss(temperature=4.0)(student, teacher).backward()
    assert all(pred.grad is None for pred in teacher)
    assert all(pred.grad.abs().sum() > 0 for pred in student)


def test_summed_over_the_batch_like_the_task_loss():
    # KLDiscretLoss sums over the samples; so does L_vkd (no 1/N): the
    # batch repeated twice gives twice the loss.
    student, teacher = make_simcc(0), make_simcc(1)
    doubled_student = tuple(torch.cat([pred, pred]) for pred in student)
    doubled_teacher = tuple(torch.cat([pred, pred]) for pred in teacher)
    loss_fn = VKDLoss(temperature=2.0)
    torch.testing.assert_close(
        loss_fn(doubled_student, doubled_teacher),
        2 * loss_fn(student, teacher),
    )


def test_shape_mismatch_names_both_shapes_and_axis():
    student = make_simcc(0)
    teacher = (make_simcc(1)[0], torch.zeros(NUM_SAMPLES, NUM_KEYPOINTS, 7))
    message = (
        f'y axis: student ({NUM_SAMPLES}, {NUM_KEYPOINTS}, {BINS_Y}) '
        f'vs teacher ({NUM_SAMPLES}, {NUM_KEYPOINTS}, 7)'
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        VKDLoss()(student, teacher)


def test_invalid_temperature():
    with pytest.raises(ValueError, match='temperature'):
        VKDLoss(temperature=0.0)


def test_build_from_registry():
    loss_fn = MODELS.build(
        dict(
            type='VKDLoss',
            temperature=4.0,
            loss_weight=0.5,
            use_target_weight=True,
        )
    )
    assert isinstance(loss_fn, VKDLoss)
    assert loss_fn.temperature == 4.0
    assert loss_fn.loss_weight == 0.5
    assert loss_fn.use_target_weight
