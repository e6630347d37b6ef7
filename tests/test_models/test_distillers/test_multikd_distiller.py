# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""MultiKDDistiller on MMPose's real LiteHRNet-18 / HRNet-W32 at 64x64."""

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.structures import InstanceData
from mmpose.codecs import SimCCLabel
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from mmpose_multikd.models.distillers import MultiKDDistiller

from ...helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
TEACHER_CFG = str(TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py')
STUDENT_CFG = str(TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py')
SIZE = 64
NUM_KEYPOINTS = 16


def make_batch(batch_size: int = 2, seed: int = 0):
    """Images and data samples with SimDR labels from MMPose's codec."""
    rng = np.random.default_rng(seed)
    codec = SimCCLabel(
        input_size=(SIZE, SIZE), sigma=2.0, simcc_split_ratio=2.0
    )
    samples = []
    for _ in range(batch_size):
        keypoints = rng.uniform(4, SIZE - 4, (1, NUM_KEYPOINTS, 2))
        visible = np.ones((1, NUM_KEYPOINTS), dtype=np.float32)
        visible[0, rng.integers(0, NUM_KEYPOINTS)] = 0  # one hidden joint
        encoded = codec.encode(keypoints, visible)
        labels = InstanceData(
            keypoint_x_labels=torch.from_numpy(
                encoded['keypoint_x_labels']
            ).float(),
            keypoint_y_labels=torch.from_numpy(
                encoded['keypoint_y_labels']
            ).float(),
            keypoint_weights=torch.from_numpy(
                encoded['keypoint_weights']
            ).float(),
        )
        sample = PoseDataSample(gt_instance_labels=labels)
        sample.set_metainfo(
            dict(
                input_size=(SIZE, SIZE),
                input_center=np.array([SIZE / 2, SIZE / 2]),
                input_scale=np.array([SIZE, SIZE], dtype=np.float32),
                flip_indices=list(range(NUM_KEYPOINTS)),
            )
        )
        sample.gt_instances = InstanceData(
            bboxes=np.array([[0, 0, SIZE, SIZE]], dtype=np.float32),
            bbox_scores=np.ones(1, dtype=np.float32),
        )
        samples.append(sample)
    inputs = torch.from_numpy(
        rng.standard_normal((batch_size, 3, SIZE, SIZE))
    ).float()
    return inputs, samples


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory) -> str:
    """A teacher checkpoint in MMEngine's layout (weights under
    ``state_dict``)."""
    torch.manual_seed(123)
    teacher = MODELS.build(Config.fromfile(TEACHER_CFG).model)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, path)
    return str(path)


def build_distiller(teacher_ckpt, **overrides) -> MultiKDDistiller:
    cfg = dict(
        type='MultiKDDistiller',
        teacher=TEACHER_CFG,
        student=STUDENT_CFG,
        teacher_ckpt=teacher_ckpt,
        distill_losses=dict(
            loss_fkd=dict(
                type='CrossStageAttentionKDLoss', embed_dim=16, pool_size=4
            ),
            loss_vkd=dict(type='VKDLoss', temperature=2.0),
        ),
    )
    cfg.update(overrides)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_registered_and_channels_inferred(teacher_ckpt):
    assert MODELS.get('MultiKDDistiller') is MultiKDDistiller
    model = build_distiller(teacher_ckpt)
    fkd = model.distill_losses['loss_fkd']
    assert fkd.valid_pairs == [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    assert model.distill_inputs == dict(
        loss_fkd=('student_stage_feats', 'teacher_stage_feats'),
        loss_vkd=('student_simcc', 'teacher_simcc', 'target_weight'),
    )
    # the teacher's weights are the checkpoint's, exactly
    saved = torch.load(teacher_ckpt, weights_only=True)['state_dict']
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key


def test_training_step_freezes_teacher(teacher_ckpt):
    model = build_distiller(teacher_ckpt)
    model.train()
    assert model.student.training and not model.teacher.training
    teacher_before = {
        k: v.clone() for k, v in model.teacher.state_dict().items()
    }
    student_bn_before = (
        model.student.backbone.stem.conv1.bn.running_mean.clone()
    )
    inputs, samples = make_batch()

    losses = model(inputs, samples, mode='loss')
    fkd = model.distill_losses['loss_fkd']
    gammas = {f'gamma_t{t}_s{s}' for t, s in fkd.valid_pairs}
    assert set(losses) == {
        'loss_kpt',
        'acc_pose',
        'loss_fkd',
        'loss_vkd',
        *gammas,
    }
    # the logged gamma is the batch mean of the loss's per-sample weights;
    # each sample's weights sum to 1 over the valid pairs
    for t_idx, s_idx in fkd.valid_pairs:
        torch.testing.assert_close(
            losses[f'gamma_t{t_idx}_s{s_idx}'],
            fkd.last_weights[:, t_idx, s_idx].mean(),
        )
    torch.testing.assert_close(
        sum(losses[name] for name in gammas), torch.tensor(1.0)
    )
    total, log_vars = model.parse_losses(losses)
    assert gammas <= set(log_vars)  # logged ...
    torch.testing.assert_close(  # ... but not optimised
        total,
        losses['loss_kpt'] + losses['loss_fkd'] + losses['loss_vkd'],
    )
    total.backward()

    assert all(p.grad is None for p in model.teacher.parameters())
    assert all(not p.requires_grad for p in model.teacher.parameters())
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key  # BN buffers too
    assert not torch.equal(
        model.student.backbone.stem.conv1.bn.running_mean, student_bn_before
    )  # the student does train its BN
    student_grads = [
        p.grad for p in model.student.parameters() if p.grad is not None
    ]
    assert student_grads and any(g.abs().sum() > 0 for g in student_grads)
    fkd_params = list(model.distill_losses['loss_fkd'].parameters())
    assert fkd_params and all(p.grad is not None for p in fkd_params)
    # alignment/projection modules are saved with the distiller
    assert any(
        k.startswith('distill_losses.loss_fkd.') for k in model.state_dict()
    )
    # no hooks left behind after the step
    assert not model.student.backbone.stage0._forward_hooks
    assert not model.teacher.backbone.stage2._forward_hooks


def test_distill_losses_see_the_networks_outputs(teacher_ckpt):
    """The VKD term equals VKDLoss on the two networks' own outputs."""
    model = build_distiller(teacher_ckpt)
    model.eval()  # deterministic BN for a like-for-like comparison
    inputs, samples = make_batch()
    losses = model.loss(inputs, samples)
    with torch.no_grad():
        student_simcc = model.student(inputs, None, mode='tensor')
        teacher_simcc = model.teacher(inputs, None, mode='tensor')
    expected = model.distill_losses['loss_vkd'](student_simcc, teacher_simcc)
    torch.testing.assert_close(losses['loss_vkd'].detach(), expected)
    assert losses['loss_vkd'] > 0 and losses['loss_fkd'] > 0


def repeated_twice(inputs, samples):
    """The batch followed by itself: the same samples, 2N of them."""
    return torch.cat([inputs, inputs]), [*samples, *samples]


@pytest.mark.parametrize(
    'distill_losses',
    [
        None,  # Multi-KD: L_fkd with WA and MFT, and L_vkd
        dict(
            loss_fkd=None,
            loss_vkd=None,
            loss_kd=dict(type='HintonKDLoss'),
            loss_fitnet=dict(type='FitNetLoss'),
            loss_at=dict(type='ATLoss'),
            loss_sp=dict(type='SPLoss'),
            loss_review=dict(type='ReviewKDLoss', mid_channels=8),
        ),
    ],
    ids=['multikd', 'baselines'],
)
def test_every_term_sums_over_the_batch_like_the_task_loss(
    teacher_ckpt, distill_losses
):
    """Batch N vs the same batch repeated (2N): every term doubles.

    MMPose's KLDiscretLoss (``loss_kpt``) sums over the samples; every
    distillation term must too, so that the ratios ``beta * L_fkd /
    L_task`` and ``lambda * L_vkd / L_task`` do not depend on N. Train mode:
    a repeated batch has the same BatchNorm statistics. (RKD is left out:
    a repeated batch adds zero distances between the copies, which changes
    its normalisation by design.)
    """
    overrides = (
        {} if distill_losses is None else dict(distill_losses=distill_losses)
    )
    model = build_distiller(teacher_ckpt, **overrides)
    model.train()
    inputs, samples = make_batch(batch_size=3)
    with torch.no_grad():
        single = model.loss(inputs, samples)
        double = model.loss(*repeated_twice(inputs, samples))
    terms = [name for name in single if name.startswith('loss_')]
    assert 'loss_kpt' in terms and len(terms) >= 3
    for name in terms:
        torch.testing.assert_close(
            double[name], 2 * single[name], rtol=1e-4, atol=0, msg=name
        )
        assert single[name] > 0, name
    # hence each distillation term stands in the same ratio to the task
    # loss at N and at 2N
    for name in terms:
        torch.testing.assert_close(
            double[name] / double['loss_kpt'],
            single[name] / single['loss_kpt'],
            rtol=1e-4,
            atol=0,
        )


def test_loss_weight_schedule_scales_distill_losses(teacher_ckpt):
    model = build_distiller(teacher_ckpt)
    scheduled = build_distiller(
        teacher_ckpt,
        loss_weight_schedule=dict(
            type='linear', start_factor=1.0, end_factor=0.0
        ),
    )
    scheduled.load_state_dict(model.state_dict())
    model.eval()
    scheduled.eval()
    hub = MessageHub.get_current_instance()
    hub.update_info('epoch', 3)
    hub.update_info('max_epochs', 4)
    inputs, samples = make_batch()
    plain = model.loss(inputs, samples)
    decayed = scheduled.loss(inputs, samples)
    for name in ('loss_fkd', 'loss_vkd'):
        torch.testing.assert_close(decayed[name], 0.25 * plain[name])
    torch.testing.assert_close(decayed['loss_kpt'], plain['loss_kpt'])


def test_switched_off_losses_and_no_teacher_forward(teacher_ckpt):
    model = build_distiller(
        teacher_ckpt, distill_losses=dict(loss_fkd=None, loss_vkd=None)
    )
    assert len(model.distill_losses) == 0
    calls = []
    model.teacher.register_forward_hook(lambda *args: calls.append(1))
    losses = model.loss(*make_batch())
    assert set(losses) == {'loss_kpt', 'acc_pose'}
    assert not calls  # the teacher is not run when nothing needs it


def test_predict_is_the_students(teacher_ckpt):
    model = build_distiller(teacher_ckpt).eval()
    inputs, samples = make_batch()
    with torch.no_grad():
        ours = model(inputs, samples, mode='predict')
        _, fresh_samples = make_batch()
        theirs = model.student(inputs, fresh_samples, mode='predict')
        tensor_out = model(inputs, None, mode='tensor')
        student_out = model.student(inputs, None, mode='tensor')
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(
            a.pred_instances.keypoints, b.pred_instances.keypoints
        )
    for a, b in zip(tensor_out, student_out):
        assert torch.equal(a, b)


def test_teacher_checkpoint_errors(teacher_ckpt, tmp_path):
    with pytest.raises(ValueError, match='model.teacher_ckpt is not set'):
        build_distiller(None)
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        build_distiller(missing)
    # a checkpoint of another architecture (the student's)
    student = MODELS.build(Config.fromfile(STUDENT_CFG).model)
    wrong = tmp_path / 'student.pth'
    torch.save({'state_dict': student.state_dict()}, wrong)
    with pytest.raises(RuntimeError) as err:
        build_distiller(str(wrong))
    message = str(err.value)
    assert 'does not match the teacher' in message
    assert 'missing keys' in message and 'backbone.' in message


def test_mismatched_simdr_bins_raise(teacher_ckpt):
    student = Config.fromfile(STUDENT_CFG).model
    student.head.simcc_split_ratio = 3.0
    student.head.decoder.simcc_split_ratio = 3.0
    with pytest.raises(ValueError) as err:
        build_distiller(teacher_ckpt, student=student)
    assert 'teacher (K, Lx, Ly)=(16, 128, 128)' in str(err.value)
    assert 'student (16, 192, 192)' in str(err.value)


def test_save_teacher_false_leaves_the_teacher_out(teacher_ckpt, tmp_path):
    full = build_distiller(teacher_ckpt).state_dict()
    model = build_distiller(teacher_ckpt, save_teacher=False)
    slim = model.state_dict()
    teacher_keys = {k for k in full if k.startswith('teacher.')}
    assert teacher_keys and not any(k.startswith('teacher.') for k in slim)
    assert set(slim) == set(full) - teacher_keys
    # MMEngine's own state-dict walk (used for checkpoints) agrees
    from mmengine.runner.checkpoint import get_state_dict

    assert set(get_state_dict(model)) == set(slim)

    # a strict load of the slim state keeps the loaded teacher's weights
    teacher_before = {
        k: v.clone() for k, v in model.teacher.state_dict().items()
    }
    changed = {k: v.clone() for k, v in slim.items()}
    for key, value in changed.items():
        if key.startswith('student.') and value.is_floating_point():
            value.add_(1.0)
    model.load_state_dict(changed, strict=True)
    for key, value in model.teacher.state_dict().items():
        torch.testing.assert_close(value, teacher_before[key])
    student_key = next(k for k in changed if k.endswith('weight'))
    torch.testing.assert_close(
        model.state_dict()[student_key], changed[student_key]
    )

    # resuming without the teacher file names the switch
    missing = str(tmp_path / 'gone.pth')
    with pytest.raises(FileNotFoundError, match='save_teacher=False'):
        build_distiller(missing, save_teacher=False)
    with pytest.raises(TypeError, match='model.save_teacher must be bool'):
        build_distiller(teacher_ckpt, save_teacher='no')
