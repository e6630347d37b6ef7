# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`tools/analysis/vis_predictions.py`: its PCKh count against a naive
loop, and a picture of MMPose's predictions from a plain student and from
a distiller checkpoint (its student)."""

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from ..helpers import REPO_ROOT, load_tool

CONFIGS = REPO_ROOT / 'tests' / 'data' / 'configs'
STUDENT_CFG = str(CONFIGS / 'simcc_litehrnet18_tiny_mpii-64x64.py')
DISTILLER_CFG = str(CONFIGS / 'multikd_litehrnet18_tiny_mpii-64x64.py')


def load_vis_predictions():
    return load_tool('tools/analysis/vis_predictions.py')


def test_pckh_hits_matches_a_naive_count():
    tool = load_vis_predictions()
    rng = np.random.default_rng(0)
    for _ in range(20):
        gt = rng.uniform(0, 100, (16, 2))
        pred = gt + rng.normal(0, 8, (16, 2))
        visible = rng.integers(0, 2, 16)
        head_size = rng.uniform(5, 30)
        hits = scored = 0
        for k in range(16):
            if visible[k] and k not in (6, 7):
                scored += 1
                dx, dy = pred[k] - gt[k]
                hits += (dx * dx + dy * dy) ** 0.5 <= 0.5 * head_size
        assert tool.pckh_hits(pred, gt, visible, head_size) == (hits, scored)


def test_too_many_images_named():
    tool = load_vis_predictions()
    with pytest.raises(ValueError, match='--num 5: the val set holds 4'):
        tool.choose_indices(4, 5, seed=0)
    assert tool.choose_indices(10, 3, seed=1) == sorted(
        tool.choose_indices(10, 3, seed=1)
    )


def test_picture_of_a_student_and_a_distiller(mpii_root, tmp_path):
    tool = load_vis_predictions()
    torch.manual_seed(0)
    student = MODELS.build(Config.fromfile(STUDENT_CFG).model)
    student_ckpt = tmp_path / 'student.pth'
    torch.save({'state_dict': student.state_dict()}, student_ckpt)
    distiller_ckpt = tmp_path / 'distiller.pth'
    distiller_state = {
        f'student.{key}': value for key, value in student.state_dict().items()
    }
    torch.save({'state_dict': distiller_state}, distiller_ckpt)
    out = tmp_path / 'pred.png'
    tile = 64
    tool.main(
        [
            mpii_root,
            '--model',
            'alone',
            STUDENT_CFG,
            str(student_ckpt),
            '--model',
            'distilled',
            DISTILLER_CFG,
            str(distiller_ckpt),
            '--indices',
            '0',
            '2',
            '--tile',
            str(tile),
            '--out',
            str(out),
        ]
    )
    picture = mmcv.imread(str(out))
    # 2 images x (ground truth + 2 models)
    assert picture.shape == (2 * (tile + tool.CAPTION_H), 3 * tile, 3)
    first_row = picture[:tile]
    ground_truth, alone, distilled = np.split(first_row, 3, axis=1)
    # the same weights give the same drawing; the ground truth differs
    np.testing.assert_array_equal(alone, distilled)
    assert np.abs(ground_truth.astype(int) - alone.astype(int)).sum() > 0
