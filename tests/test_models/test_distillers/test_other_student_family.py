# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Multi-KD into a student that is not (Lite)HRNet: MMPose's own RTMPose-m.

The student is MMPose's upstream RTMPose-m MPII config (CSPNeXt backbone,
RTMCCHead, its own Albumentation pipeline) at 64x64; stages and SimCC
outputs are tapped by module path. It trains one epoch through MMEngine's
Runner on generated MPII-format data.
"""

import json

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

from ...helpers import REPO_ROOT, run_options, train_and_test

CONFIG = REPO_ROOT / 'tests' / 'data' / 'configs'
CONFIG = CONFIG / 'multikd_rtmpose-m_tiny_mpii-64x64.py'
DEMO_TEACHER = REPO_ROOT / 'configs' / 'demo' / 'simcc_hrnet-w18_demo.py'


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory) -> str:
    init_default_scope('mmpose')
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(DEMO_TEACHER)).model)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, path)
    return str(path)


def test_rtmpose_student_taps_by_module_path(teacher_ckpt):
    init_default_scope('mmpose')
    cfg = Config.fromfile(str(CONFIG))
    cfg.model.teacher_ckpt = teacher_ckpt
    model = MODELS.build(cfg.model)
    assert type(model.student.backbone).__name__ == 'CSPNeXt'
    assert type(model.student.head).__name__ == 'RTMCCHead'
    fkd = model.distill_losses['loss_fkd']
    # CSPNeXt-m stages 2-4: one map each, read off the tapped modules
    assert fkd.student_channels == [[192], [384], [768]]
    assert fkd.teacher_channels == [[18, 36], [18, 36, 72], [18]]


@pytest.mark.slow
def test_rtmpose_student_trains_on_generated_mpii(
    mpii_root, teacher_ckpt, tmp_path
):
    pytest.importorskip(
        'albumentations',
        reason="RTMPose's pipeline needs requirements/albu.txt",
    )
    options = run_options(mpii_root, seed=0)
    options.update(
        {
            'model.teacher_ckpt': teacher_ckpt,
            'default_hooks.logger.interval': 1,
        }
    )
    result = train_and_test(str(CONFIG), str(tmp_path), options)
    assert 0.0 <= result['PCKh'] <= 100.0
    logged = [
        json.loads(line)
        for line in next(tmp_path.rglob('vis_data/scalars.json')).open()
    ]
    steps = [entry for entry in logged if 'loss_fkd' in entry]
    assert len(steps) == 3  # 6 images, batches of 2, one epoch
    for entry in steps:
        for name in ('loss_kpt', 'loss_fkd', 'loss_vkd'):
            assert torch.isfinite(torch.tensor(entry[name])), name
            assert entry[name] > 0, name
