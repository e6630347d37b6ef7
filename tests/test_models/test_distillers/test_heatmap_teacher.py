# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""MultiKDDistiller with MMPose's heatmap HRNet teacher (model-zoo form)."""

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from .test_multikd_distiller import STUDENT_CFG, TEACHER_CFG, TINY, make_batch

HEATMAP_TEACHER_CFG = str(TINY / 'td-hm_hrnet-w32_tiny_mpii-64x64.py')


@pytest.fixture(scope='module')
def heatmap_teacher_ckpt(tmp_path_factory) -> str:
    torch.manual_seed(7)
    teacher = MODELS.build(Config.fromfile(HEATMAP_TEACHER_CFG).model)
    path = tmp_path_factory.mktemp('hm_teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, path)
    return str(path)


def build(teacher_ckpt, teacher=HEATMAP_TEACHER_CFG, **losses):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='MultiKDDistiller',
            teacher=teacher,
            student=STUDENT_CFG,
            teacher_ckpt=teacher_ckpt,
            distill_losses=losses
            or dict(
                loss_fkd=dict(
                    type='CrossStageAttentionKDLoss', embed_dim=16, pool_size=4
                ),
                loss_vkd=dict(type='HeatmapVKDLoss', heatmap_temperature=0.1),
            ),
        )
    )
    model.init_weights()
    return model


def test_heatmap_teacher_teaches_a_simdr_student(heatmap_teacher_ckpt):
    model = build(heatmap_teacher_ckpt)
    assert model.teacher_head_kind == 'heatmap'
    assert model.distill_inputs == dict(
        loss_fkd=('student_stage_feats', 'teacher_stage_feats'),
        loss_vkd=('student_simcc', 'teacher_heatmaps', 'target_weight'),
    )
    model.eval()  # deterministic BN: compare with the networks' outputs
    inputs, samples = make_batch()
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        student_simcc = model.student(inputs, None, mode='tensor')
        heatmaps = model.teacher(inputs, None, mode='tensor')
    assert heatmaps.shape == (2, 16, 16, 16)
    expected = model.distill_losses['loss_vkd'](student_simcc, heatmaps)
    torch.testing.assert_close(losses['loss_vkd'].detach(), expected)

    model.train()
    losses = model.loss(inputs, samples)
    total, _ = model.parse_losses(losses)
    total.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    head_grad = model.student.head.mlp_head_x.weight.grad
    assert head_grad is not None and head_grad.abs().sum() > 0


def test_vkd_loss_with_a_heatmap_teacher_says_what_to_use(
    heatmap_teacher_ckpt,
):
    with pytest.raises(ValueError, match='use HeatmapVKDLoss') as err:
        build(heatmap_teacher_ckpt, loss_vkd=dict(type='VKDLoss'))
    assert 'HeatmapHead' in str(err.value)


def test_heatmap_vkd_loss_with_a_simdr_teacher_is_refused(tmp_path):
    teacher = MODELS.build(Config.fromfile(TEACHER_CFG).model)
    path = tmp_path / 'simdr_teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, path)
    with pytest.raises(ValueError, match='SimCCHead .*use VKDLoss'):
        build(
            str(path),
            teacher=TEACHER_CFG,
            loss_vkd=dict(type='HeatmapVKDLoss'),
        )


def test_input_sizes_must_agree(heatmap_teacher_ckpt):
    teacher = Config.fromfile(HEATMAP_TEACHER_CFG).model
    teacher.head.decoder.input_size = (96, 96)
    teacher.head.decoder.heatmap_size = (24, 24)
    with pytest.raises(ValueError, match=r'input_size \(96, 96\)'):
        build(heatmap_teacher_ckpt, teacher=teacher)


def test_mmpose_0x_model_zoo_checkpoint_loads(heatmap_teacher_ckpt, tmp_path):
    """MMPose's model-zoo heatmap HRNets are MMPose 0.x checkpoints
    (``keypoint_head.*``): MMPose's own load hooks rename them."""
    state = torch.load(heatmap_teacher_ckpt, weights_only=True)['state_dict']
    old_style = {
        key.replace('head.', 'keypoint_head.', 1)
        if key.startswith('head.')
        else key: value
        for key, value in state.items()
    }
    assert any(key.startswith('keypoint_head.') for key in old_style)
    path = tmp_path / 'hrnet_w32_mpii_256x256_0x.pth'
    torch.save({'state_dict': old_style}, path)
    model = build(str(path))
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, state[key]), key
