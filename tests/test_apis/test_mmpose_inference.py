# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""MMPose's own inference entry points take a distiller config and the
checkpoint training wrote: ``init_model`` + ``inference_topdown`` and
``MMPoseInferencer`` predict with the student, without the teacher's file.

The reference is the student alone (``init_student``, whose loading is
tested in ``test_student.py``) on the same image and box.
"""

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.apis import MMPoseInferencer, inference_topdown, init_model

from mmpose_multikd.apis import init_student
from mmpose_multikd.data_prep import data_root_options

from ..helpers import REPO_ROOT, val_sample

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = str(TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py')
TEACHER_CFG = str(TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py')

pytestmark = pytest.mark.usefixtures('one_torch_thread')


@pytest.fixture(scope='module')
def trained(mpii_root, tmp_path_factory):
    """One epoch of the tiny distiller through MMEngine's Runner (as
    ``mim train`` runs it); its teacher file is deleted afterwards."""
    import torch
    from mmpose.registry import MODELS

    root = tmp_path_factory.mktemp('inference')
    teacher_ckpt = root / 'teacher.pth'
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(TEACHER_CFG).model)
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)
    cfg = Config.fromfile(DISTILLER_CFG)
    cfg.merge_from_dict(data_root_options(mpii_root))
    cfg.merge_from_dict(
        {
            'model.teacher_ckpt': str(teacher_ckpt),
            'train_cfg.val_begin': 100,
            'default_hooks.checkpoint.save_best': None,
        }
    )
    cfg.work_dir = str(root / 'work_dir')
    cfg.experiment_name = 'inference_entry_points'
    Runner.from_cfg(cfg).train()
    teacher_ckpt.unlink()  # inference must not need it
    # the config a user holds: the training config, teacher_ckpt included
    cfg.dump(str(root / 'config.py'))
    return str(root / 'config.py'), str(root / 'work_dir' / 'epoch_1.pth')


def reference_keypoints(config, checkpoint, image, box):
    student = init_student(config, checkpoint)
    boxes = None if box is None else np.array([box])
    return inference_topdown(student, image, boxes)[0].pred_instances


def test_init_model_and_inference_topdown(trained, mpii_root):
    config, checkpoint = trained
    image, box = val_sample(mpii_root)
    model = init_model(config, checkpoint, device='cpu')
    assert model.test_cfg is model.student.test_cfg
    assert model.dataset_meta['dataset_name'] == 'mpii'
    result = inference_topdown(model, image, np.array([box]))[0]
    expected = reference_keypoints(config, checkpoint, image, box)
    np.testing.assert_allclose(
        result.pred_instances.keypoints, expected.keypoints, rtol=0, atol=1e-4
    )
    np.testing.assert_allclose(
        result.pred_instances.keypoint_scores,
        expected.keypoint_scores,
        rtol=0,
        atol=1e-5,
    )


def test_mmpose_inferencer(trained, mpii_root):
    config, checkpoint = trained
    image, _ = val_sample(mpii_root)
    inferencer = MMPoseInferencer(
        pose2d=config, pose2d_weights=checkpoint, det_model='whole_image'
    )
    result = next(inferencer(image, return_datasamples=True))
    predicted = result['predictions'][0].pred_instances
    expected = reference_keypoints(config, checkpoint, image, None)
    np.testing.assert_allclose(
        predicted.keypoints, expected.keypoints, rtol=0, atol=1e-4
    )
