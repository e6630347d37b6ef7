# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``tools/dist_train.sh`` with 2 CPU ranks (gloo) on the tiny distiller.

Both ranks see different images (MMEngine's DefaultSampler shards), DDP
finds no unused parameter (``find_unused_parameters`` stays False) and the
ranks end with identical students and distillation modules, while the
frozen teacher is neither trained nor synchronised.
"""

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from mmpose_multikd.data_prep import data_root_options, generate_synthetic_mpii
from tests.helpers import REPO_ROOT

from ..helpers import lab_tool

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
TEACHER_CFG = TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py'
NUM_TRAIN, BATCH = 8, 2
# The tiny distiller plus a hook that saves each rank's final model.
RANK_STATE_CFG = """
_base_ = ['{base}']
custom_imports = dict(
    imports=['mmpose_multikd', 'tests.test_engine.rank_state_hook'],
    allow_failed_imports=False)
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='NonFiniteLossHook'),
    dict(type='RankStateHook'),
]
"""


benchmark_ddp = lab_tool('benchmark_ddp')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Generated data (8 images), a random teacher, the config and the
    ``--cfg-options`` shared by the runs."""
    root = tmp_path_factory.mktemp('dist_train')
    generate_synthetic_mpii(
        str(root / 'data'), NUM_TRAIN, 1, image_size=64, seed=0
    )
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CFG)).model)
    teacher_ckpt = root / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)
    config = root / 'multikd_rank_state.py'
    config.write_text(RANK_STATE_CFG.format(base=DISTILLER_CFG))
    options = [
        f'{key}={value}'
        for key, value in data_root_options(str(root / 'data')).items()
    ]
    options += [
        f'model.teacher_ckpt={teacher_ckpt}',
        f'train_dataloader.batch_size={BATCH}',
        'train_cfg.val_begin=1000',  # no validation
        'log_processor.window_size=1',  # each iteration's own time
        'default_hooks.checkpoint.save_last=False',  # no checkpoint
    ]
    return root, str(config), options, teacher_ckpt


@pytest.fixture(scope='module')
def two_ranks(setup):
    """2 ranks, 2 epochs of 2 iterations each."""
    root, config, options, _ = setup
    work_dir = root / 'two_ranks'
    run = benchmark_ddp.run_dist_train(
        config, 2, str(work_dir), options + ['train_cfg.max_epochs=2']
    )
    assert run.returncode == 0, run.stdout[-4000:]
    return run.stdout, work_dir


@pytest.mark.slow
def test_two_ranks_end_identical(setup, two_ranks):
    log, work_dir = two_ranks
    assert 'unused parameters' not in log.lower()
    assert 'find_unused_parameters' not in log
    assert 'gloo' in log
    states = [
        torch.load(work_dir / f'rank{r}.pth', weights_only=True)
        for r in (0, 1)
    ]
    assert all(s['wrapper'] == 'MMDistributedDataParallel' for s in states)

    # the ranks shard each epoch's 8 images: 4 different ones each
    per_epoch = NUM_TRAIN // 2
    for epoch in range(2):
        seen = [
            set(s['img_ids'][epoch * per_epoch : (epoch + 1) * per_epoch])
            for s in states
        ]
        assert not seen[0] & seen[1]
        assert len(seen[0] | seen[1]) == NUM_TRAIN

    # DDP trains the student and the distillation modules, not the teacher
    trainable = states[0]['trainable']
    assert not any(name.startswith('teacher.') for name in trainable)
    assert any(name.startswith('student.') for name in trainable)
    assert any(
        name.startswith('distill_losses.loss_fkd.aligners.')
        for name in trainable
    )

    final = [s['state_dict'] for s in states]
    for key, value in final[0].items():
        assert torch.equal(value, final[1][key]), key
    teacher = torch.load(setup[3], weights_only=True)['state_dict']
    for key, value in teacher.items():
        assert torch.equal(final[0][f'teacher.{key}'], value), key
    # training did change the student, from the same start on both ranks
    for key, value in states[0]['initial_student'].items():
        assert torch.equal(value, states[1]['initial_student'][key]), key
    assert any(
        not torch.equal(value, final[0][f'student.{key}'])
        for key, value in states[0]['initial_student'].items()
    )


@pytest.mark.slow
def test_throughput_one_vs_two_ranks(setup, two_ranks, tmp_path):
    """Prints images/s (not asserted: CPU timings depend on the load)."""
    _, config, options, _ = setup
    one = benchmark_ddp.run_dist_train(
        config,
        1,
        str(tmp_path / 'one_rank'),
        options + ['train_cfg.max_epochs=1'],
    )
    assert one.returncode == 0, one.stdout[-4000:]
    throughput = {}
    for ranks, log in ((1, one.stdout), (2, two_ranks[0])):
        times = benchmark_ddp.iteration_times(log)
        assert len(times) == 4  # 8 images per epoch over all ranks
        throughput[ranks] = benchmark_ddp.images_per_second(
            times, ranks, BATCH, warmup=1
        )
    print(
        f'\nDDP throughput (tiny distiller, 64x64, batch {BATCH}/rank, '
        f'CPU): 1 rank {throughput[1]:.2f} images/s, 2 ranks '
        f'{throughput[2]:.2f} images/s'
    )
