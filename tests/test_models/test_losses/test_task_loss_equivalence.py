# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""L_task is MMPose's KLDiscretLoss up to a constant and a scale.

SPEC: ``L_task = - sum_n sum_k M[n,k] * (1/L) * sum_i V_i log S_i`` per
axis. MMPose's ``KLDiscretLoss(use_target_weight=True)`` computes
``(1/K) sum_n sum_k M[n,k] * (1/L) sum_i V_i (log V_i - log S_i)``, i.e.
``(L_task - H) / K`` with ``H`` the labels' (constant) entropy term: the
same gradients up to the factor 1/K, so the project reuses MMPose's loss.
"""

import math

import torch
from mmpose.codecs import SimCCLabel
from mmpose.models.losses import KLDiscretLoss


def naive_task_loss(pred_simcc, gt_simcc, weights) -> torch.Tensor:
    """The SPEC's soft-label cross-entropy with explicit loops."""
    total = torch.zeros(())
    for pred, label in zip(pred_simcc, gt_simcc):
        num_samples, num_keypoints, num_bins = pred.shape
        for n in range(num_samples):
            for k in range(num_keypoints):
                log_probs = torch.log_softmax(pred[n, k], dim=0)
                cross_entropy = -sum(
                    label[n, k, i] * log_probs[i] for i in range(num_bins)
                )
                total = total + weights[n, k] * cross_entropy / num_bins
    return total


def label_entropy_term(gt_simcc, weights) -> float:
    """sum_n sum_k M (1/L) sum_i V_i log V_i (0 log 0 = 0)."""
    total = 0.0
    for label in gt_simcc:
        num_samples, num_keypoints, num_bins = label.shape
        for n in range(num_samples):
            for k in range(num_keypoints):
                total += (
                    float(weights[n, k])
                    * sum(
                        float(v) * math.log(float(v))
                        for v in label[n, k]
                        if v > 0
                    )
                    / num_bins
                )
    return total


def test_kldiscret_equals_task_loss_up_to_constant_and_scale():
    torch.manual_seed(0)
    num_samples, num_keypoints = 3, 4
    codec = SimCCLabel(input_size=(32, 24), sigma=2.0, simcc_split_ratio=2.0)
    keypoints = torch.rand(num_samples, num_keypoints, 2).numpy() * [30, 22]
    visible = torch.ones(num_samples, num_keypoints).numpy()
    visible[1, 2] = 0
    labels = [
        codec.encode(kp[None], vis[None])
        for kp, vis in zip(keypoints, visible)
    ]
    gt_simcc = tuple(
        torch.cat([torch.from_numpy(lab[key]).float() for lab in labels])
        for key in ('keypoint_x_labels', 'keypoint_y_labels')
    )
    weights = torch.cat(
        [torch.from_numpy(lab['keypoint_weights']).float() for lab in labels]
    )
    assert weights[1, 2] == 0

    logits = (
        torch.randn(num_samples, num_keypoints, 64, requires_grad=True),
        torch.randn(num_samples, num_keypoints, 48, requires_grad=True),
    )
    mmpose_loss = KLDiscretLoss(use_target_weight=True)(
        logits, gt_simcc, weights
    )
    task_loss = naive_task_loss(logits, gt_simcc, weights)

    # values: KLDiscretLoss = (L_task + sum M (1/L) sum V log V) / K
    expected = (
        task_loss.item() + label_entropy_term(gt_simcc, weights)
    ) / num_keypoints
    assert math.isclose(mmpose_loss.item(), expected, rel_tol=1e-5)

    # gradients: identical up to the factor 1/K
    grads_mmpose = torch.autograd.grad(mmpose_loss, logits)
    grads_task = torch.autograd.grad(task_loss, logits)
    for g_mmpose, g_task in zip(grads_mmpose, grads_task):
        torch.testing.assert_close(g_mmpose * num_keypoints, g_task)
    # the masked keypoint gets no gradient
    assert grads_mmpose[0][1, 2].abs().sum() == 0
