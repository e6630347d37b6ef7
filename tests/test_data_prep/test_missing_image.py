# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""An annotated image missing on disk stops training with its path.

MMPose's ``LoadImage`` re-raises the loading error with the image path; the
error reaches the user through the distiller's Runner unchanged, here from
a DataLoader worker process, as with the real configs.
"""

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.registry import MODELS

from mmpose_multikd.data_prep import data_root_options, generate_synthetic_mpii

from ..helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
TEACHER_CFG = TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py'


pytestmark = pytest.mark.usefixtures('one_torch_thread')


@pytest.mark.slow
def test_missing_image_path_in_the_error(tmp_path):
    info = generate_synthetic_mpii(
        str(tmp_path / 'data'), 4, 1, image_size=64, seed=0
    )
    missing = tmp_path / 'data' / 'images' / '000000000002.png'
    missing.unlink()
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CFG)).model)
    torch.save({'state_dict': teacher.state_dict()}, tmp_path / 'teacher.pth')

    cfg = Config.fromfile(str(DISTILLER_CFG))
    cfg.merge_from_dict(data_root_options(info['data_root']))
    cfg.merge_from_dict(
        {
            'model.teacher_ckpt': str(tmp_path / 'teacher.pth'),
            'train_cfg.val_begin': 100,  # no validation
            # as in real configs: the error crosses the worker boundary
            'train_dataloader.num_workers': 1,
        }
    )
    cfg.work_dir = str(tmp_path / 'work_dir')
    cfg.experiment_name = f'missing_image_{tmp_path.name}'
    runner = Runner.from_cfg(cfg)
    # one epoch of the 4 images loads every image, the missing one included
    with pytest.raises(FileNotFoundError) as err:
        runner.train()
    assert str(missing) in str(err.value)
    assert 'Please check whether the file exists' in str(err.value)
