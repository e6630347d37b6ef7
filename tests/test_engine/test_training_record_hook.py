# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""TrainingRecordHook: per-epoch means of the logged terms (against
MMEngine's own scalar history), gradient norms and cosines (against a naive
``backward()`` per term), no effect on training, and resume."""

import json

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.registry import HOOKS, MODELS

from mmpose_multikd.data_prep import data_root_options, generate_synthetic_mpii
from mmpose_multikd.engine import TrainingRecordHook

from ..helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
TEACHER_CFG = TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py'
EPOCHS = 2
ITERS_PER_EPOCH = 2  # 4 images, batch 2

pytestmark = pytest.mark.usefixtures('one_torch_thread')


@pytest.fixture(scope='module')
def data_and_teacher(tmp_path_factory):
    root = tmp_path_factory.mktemp('record')
    generate_synthetic_mpii(str(root / 'data'), 4, 1, image_size=64, seed=0)
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CFG)).model)
    teacher_ckpt = root / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)
    return str(root / 'data'), str(teacher_ckpt)


def tiny_cfg(data_and_teacher, work_dir, record: bool, epochs=EPOCHS):
    data_root, teacher_ckpt = data_and_teacher
    cfg = Config.fromfile(str(DISTILLER_CFG))
    cfg.merge_from_dict(data_root_options(data_root))
    cfg.merge_from_dict(
        {
            'model.teacher_ckpt': teacher_ckpt,
            # WA on: gamma entries are logged
            'model.distill_losses.loss_fkd.weight_adaptation': True,
            'train_cfg.max_epochs': epochs,
            'train_cfg.val_begin': 100,  # no validation
            'default_hooks.checkpoint.save_best': None,
        }
    )
    if record:
        cfg.merge_from_dict(
            {'default_hooks.training_record': dict(type='TrainingRecordHook')}
        )
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'record_{work_dir.name}_{record}'
    return cfg


def train(cfg) -> Runner:
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


@pytest.fixture(scope='module')
def recorded(data_and_teacher, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('with_record')
    runner = train(tiny_cfg(data_and_teacher, work_dir, record=True))
    record = json.loads((work_dir / 'training_record.json').read_text())
    # the trained student, before other tests run the model again
    runner.trained_student = {
        name: tensor.clone()
        for name, tensor in runner.model.student.state_dict().items()
    }
    return runner, record, work_dir


def test_registered():
    assert HOOKS.get('TrainingRecordHook') is TrainingRecordHook


def test_epoch_means_equal_the_logged_history(recorded):
    runner, record, _ = recorded
    epochs = record['epochs']
    assert [e['epoch'] for e in epochs] == list(range(1, EPOCHS + 1))
    names = set(epochs[0]['means'])
    assert {'loss', 'loss_kpt', 'loss_fkd', 'loss_vkd', 'acc_pose'} <= names
    gammas = sorted(n for n in names if n.startswith('gamma_t'))
    assert gammas  # WA: one entry per valid pair
    for name in ('loss_kpt', 'loss_fkd', 'loss_vkd', 'loss', gammas[0]):
        history = runner.message_hub.get_scalar(f'train/{name}').data[0]
        assert len(history) == EPOCHS * ITERS_PER_EPOCH
        for epoch in epochs:
            start = (epoch['epoch'] - 1) * ITERS_PER_EPOCH
            naive = history[start : start + ITERS_PER_EPOCH].mean()
            assert epoch['means'][name] == pytest.approx(naive, rel=1e-6)
    # the epoch's pair weights of one sample sum to 1, so do their means
    assert sum(epochs[0]['means'][g] for g in gammas) == pytest.approx(1)


def test_gradient_norms_against_naive_backward(recorded, data_and_teacher):
    runner, _, _ = recorded
    model = runner.model
    batch = next(iter(runner.train_dataloader))
    hook = TrainingRecordHook()
    buffers = [b.clone() for b in model.buffers()]
    result = hook.loss_gradients(runner, batch)
    # the hook leaves every buffer (BN statistics) as it found it
    for before, after in zip(buffers, model.buffers()):
        assert torch.equal(before, after)

    params = list(model.student.backbone.parameters())
    naive = {}
    for name in ('loss_kpt', 'loss_fkd', 'loss_vkd'):
        model.zero_grad()
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode='loss')
        losses[name].backward()
        naive[name] = torch.cat(
            [
                (p.grad if p.grad is not None else torch.zeros_like(p))
                .flatten()
                .clone()
                for p in params
            ]
        )
        model.zero_grad()
    for name, grad in naive.items():
        assert result['grad_norms'][name] == pytest.approx(
            grad.norm().item(), rel=1e-4
        )
    total = sum(naive.values())
    assert result['grad_norms']['loss'] == pytest.approx(
        total.norm().item(), rel=1e-4
    )
    for name in ('loss_fkd', 'loss_vkd'):
        cosine = torch.nn.functional.cosine_similarity(
            naive[name], naive['loss_kpt'], dim=0
        )
        assert result['grad_cosines'][name] == pytest.approx(
            cosine.item(), abs=1e-4
        )
    assert 'loss_kpt' not in result['grad_cosines']


def test_the_record_does_not_change_training(recorded, data_and_teacher):
    runner, record, _ = recorded
    plain = train(
        tiny_cfg(
            data_and_teacher,
            recorded[2].parent / 'without_record',
            record=False,
        )
    )
    for (name, with_hook), without in zip(
        runner.trained_student.items(),
        plain.model.student.state_dict().values(),
    ):
        assert torch.equal(with_hook, without), name
    for epoch in record['epochs']:
        assert epoch['grad_norms']['loss_kpt'] > 0


def test_resume_keeps_the_finished_epochs(recorded, data_and_teacher):
    _, record, work_dir = recorded
    resumed_dir = work_dir.parent / 'resumed'
    resumed_dir.mkdir()
    # a run killed after epoch 1: its checkpoint and its record so far
    cfg = tiny_cfg(data_and_teacher, resumed_dir, record=True, epochs=1)
    train(cfg)
    first = json.loads((resumed_dir / 'training_record.json').read_text())
    assert [e['epoch'] for e in first['epochs']] == [1]
    cfg = tiny_cfg(data_and_teacher, resumed_dir, record=True)
    cfg.resume = True
    cfg.load_from = str(resumed_dir / 'epoch_1.pth')
    train(cfg)
    resumed = json.loads((resumed_dir / 'training_record.json').read_text())
    assert [e['epoch'] for e in resumed['epochs']] == [1, 2]
    # the killed run's epoch is kept as written (epoch 2's augmentation
    # differs: without workers it draws from the resumed process's RNG)
    assert resumed['epochs'][0] == first['epochs'][0] == record['epochs'][0]
    assert set(resumed['epochs'][1]['means']) == set(
        record['epochs'][1]['means']
    )


def test_unknown_grad_module_is_named(recorded):
    runner, _, _ = recorded
    with pytest.raises(AttributeError, match="grad_module='neck'"):
        TrainingRecordHook(grad_module='neck')._grad_params(runner)
