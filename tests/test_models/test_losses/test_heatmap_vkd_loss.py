# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""HeatmapVKDLoss against an explicit-loop reference of its formula."""

import math

import pytest
import torch

from mmpose_multikd.models.losses import HeatmapVKDLoss, VKDLoss

DTYPE = torch.float64
N, K, H, W = 2, 3, 5, 4  # heatmaps of 5 rows x 4 columns
BINS_X, BINS_Y = 16, 20  # split ratio 2 at stride 2: 4 bins per cell


def make_inputs(seed=0):
    generator = torch.Generator().manual_seed(seed)
    heatmaps = torch.rand(N, K, H, W, generator=generator, dtype=DTYPE)
    student = tuple(
        torch.randn(N, K, bins, generator=generator, dtype=DTYPE)
        .mul(2.0)
        .requires_grad_()
        for bins in (BINS_X, BINS_Y)
    )
    return student, heatmaps


def naive_interpolate(marginal, num_bins):
    """Bin b sits at cell u = b * cells / bins; linear between cells."""
    cells = len(marginal)
    values = []
    for b in range(num_bins):
        u = b * cells / num_bins
        left = min(int(math.floor(u)), cells - 1)
        right = min(left + 1, cells - 1)
        frac = min(max(u - left, 0.0), 1.0)
        values.append((1 - frac) * marginal[left] + frac * marginal[right])
    total = sum(values)
    return [value / total for value in values]


def naive_loss(student, heatmaps, tau_h, tau, weight, target_weight=None):
    total = 0.0
    for n in range(N):
        for k in range(K):
            exps = [
                [torch.exp(heatmaps[n, k, i, j] / tau_h) for j in range(W)]
                for i in range(H)
            ]
            norm = sum(sum(row) for row in exps)
            probs = [[value / norm for value in row] for row in exps]
            marginal_x = [sum(probs[i][j] for i in range(H)) for j in range(W)]
            marginal_y = [sum(probs[i][j] for j in range(W)) for i in range(H)]
            keypoint = 0.0
            for marginal, logits in zip(
                (marginal_x, marginal_y), (student[0][n, k], student[1][n, k])
            ):
                teacher = naive_interpolate(marginal, len(logits))
                s_exps = [torch.exp(z / tau) for z in logits]
                s_norm = sum(s_exps)
                for t_i, s_exp in zip(teacher, s_exps):
                    keypoint = keypoint + t_i * (
                        torch.log(t_i) - torch.log(s_exp / s_norm)
                    )
            m = 1.0 if target_weight is None else target_weight[n, k]
            total = total + m * keypoint
    return weight * total * tau**2


@pytest.mark.parametrize('use_target_weight', [False, True])
def test_matches_naive_values_and_student_gradients(use_target_weight):
    student, heatmaps = make_inputs()
    target_weight = torch.tensor(
        [[1.0, 0.0, 0.5], [1.0, 1.0, 0.0]], dtype=DTYPE
    )
    loss_fn = HeatmapVKDLoss(
        heatmap_temperature=0.3,
        temperature=2.0,
        loss_weight=0.7,
        use_target_weight=use_target_weight,
    )
    weights = target_weight if use_target_weight else None
    loss = loss_fn(student, heatmaps, weights)
    expected = naive_loss(student, heatmaps, 0.3, 2.0, 0.7, weights)
    torch.testing.assert_close(loss, expected)
    grads = torch.autograd.grad(loss, student)
    expected_grads = torch.autograd.grad(expected, student)
    for grad, reference in zip(grads, expected_grads):
        torch.testing.assert_close(grad, reference)
    if use_target_weight:  # a keypoint of weight 0 gets no gradient
        assert grads[0][0, 1].abs().max() == 0


def test_teacher_peak_lands_on_the_bin_of_the_same_image_coordinate():
    # A heatmap peaked at row 3, column 1 (stride 2: image x = 2, y = 6)
    # must give SimDR distributions peaked at bins x * 2 = 4 and y * 2 = 12.
    heatmaps = torch.zeros(1, 1, H, W, dtype=DTYPE)
    heatmaps[0, 0, 3, 1] = 1.0
    student = (
        torch.zeros(1, 1, BINS_X, dtype=DTYPE),
        torch.zeros(1, 1, BINS_Y, dtype=DTYPE),
    )
    loss_fn = HeatmapVKDLoss(heatmap_temperature=0.01)
    log_x, log_y = loss_fn.teacher_log_probs(heatmaps, student)
    assert log_x.exp().argmax().item() == 4
    assert log_y.exp().argmax().item() == 12
    for log_probs in (log_x, log_y):
        torch.testing.assert_close(
            log_probs.exp().sum(dim=-1), torch.ones(1, 1, dtype=DTYPE)
        )


def test_no_gradient_into_the_teacher_and_summed_over_the_batch():
    student, heatmaps = make_inputs()
    heatmaps.requires_grad_()
    loss_fn = HeatmapVKDLoss()
    loss = loss_fn(student, heatmaps)
    loss.backward()
    assert heatmaps.grad is None
    doubled = loss_fn(
        tuple(torch.cat([pred, pred]) for pred in student),
        torch.cat([heatmaps, heatmaps]),
    )
    torch.testing.assert_close(doubled, 2 * loss)


def test_is_a_vkd_loss_with_the_heatmap_input_kind():
    assert issubclass(HeatmapVKDLoss, VKDLoss)
    assert HeatmapVKDLoss.distill_inputs[1] == 'teacher_heatmaps'


@pytest.mark.parametrize(
    'heatmaps, message',
    [
        (torch.zeros(N, K, BINS_X), r'heatmaps shaped \(N, K, h, w\)'),
        (torch.zeros(N, K + 1, H, W), r'do not match the teacher heatmaps'),
    ],
)
def test_bad_inputs_name_the_shapes(heatmaps, message):
    student, _ = make_inputs()
    with pytest.raises(ValueError, match=message):
        HeatmapVKDLoss()(student, heatmaps.to(DTYPE))


def test_temperature_must_be_positive():
    with pytest.raises(ValueError, match='heatmap_temperature must be > 0'):
        HeatmapVKDLoss(heatmap_temperature=0)
