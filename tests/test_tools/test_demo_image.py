# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`tools/demo_image.py` draws the model's own prediction, from a plain
student or from a distiller config and checkpoint (its student)."""

import json
import subprocess
import sys

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.apis import inference_topdown, init_model
from mmpose.registry import MODELS

from ..helpers import REPO_ROOT, val_sample

STUDENT_CFG = str(
    REPO_ROOT
    / 'tests'
    / 'data'
    / 'configs'
    / 'simcc_litehrnet18_tiny_mpii-64x64.py'
)
DISTILLER_CFG = str(
    REPO_ROOT
    / 'tests'
    / 'data'
    / 'configs'
    / 'multikd_litehrnet18_tiny_mpii-64x64.py'
)


def run_demo_image(config, checkpoint, image, out, bbox, cwd):
    return subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / 'tools' / 'demo_image.py'),
            config,
            str(checkpoint),
            image,
            '--out',
            str(out),
            '--bbox',
            *map(str, bbox),
            '--radius',
            '2',
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


@pytest.mark.slow
def test_demo_image_draws_the_prediction(mpii_root, tmp_path):
    torch.manual_seed(0)
    student = MODELS.build(Config.fromfile(STUDENT_CFG).model)
    checkpoint = tmp_path / 'student.pth'
    torch.save({'state_dict': student.state_dict()}, checkpoint)
    image, bbox = val_sample(mpii_root, 1)
    out = tmp_path / 'vis.png'

    result = run_demo_image(
        STUDENT_CFG, checkpoint, image, out, bbox, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    drawn_keypoints = np.array(
        json.loads((tmp_path / 'vis.png.json').read_text())['keypoints']
    )

    # the JSON holds exactly what MMPose's inference gives for this box
    model = init_model(STUDENT_CFG, str(checkpoint), device='cpu')
    expected = inference_topdown(model, image, np.array([bbox]))
    np.testing.assert_allclose(
        drawn_keypoints, expected[0].pred_instances.keypoints, atol=1e-3
    )

    # and the picture has a drawn mark at every keypoint inside the image
    original, picture = mmcv.imread(image), mmcv.imread(str(out))
    assert picture.shape == original.shape
    height, width = original.shape[:2]
    changed = 0
    inside = 0
    for x, y in drawn_keypoints[0]:
        col, row = int(round(x)), int(round(y))
        if 0 <= col < width and 0 <= row < height:
            inside += 1
            changed += int(
                np.abs(
                    picture[row, col].astype(int)
                    - original[row, col].astype(int)
                ).sum()
                > 30
            )
    assert inside > 0 and changed == inside
    # pixels far from the person box are untouched (up to JPEG-free PNG)
    x1, y1, x2, y2 = bbox
    far = [
        (r, c)
        for r, c in [
            (0, 0),
            (height - 1, width - 1),
            (0, width - 1),
            (height - 1, 0),
        ]
        if not (x1 - 10 <= c <= x2 + 10 and y1 - 10 <= r <= y2 + 10)
    ]
    for row, col in far:
        assert np.array_equal(picture[row, col], original[row, col])


@pytest.mark.slow
def test_demo_image_draws_the_student_of_a_distiller(mpii_root, tmp_path):
    """A distiller config and the checkpoint its training wrote (as
    ``mim train`` saves it: ``state_dict`` with ``student.``/``teacher.``
    keys and a ``meta`` holding NumPy arrays) draw the student's
    prediction, where MMPose's ``init_model`` fails on the distiller config
    (``'ConfigDict' object has no attribute 'backbone'``)."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    torch.manual_seed(0)
    distiller = MODELS.build(Config.fromfile(DISTILLER_CFG).model)
    with torch.no_grad():
        for param in distiller.student.parameters():
            param.add_(0.01 * torch.randn_like(param))
    checkpoint = tmp_path / 'epoch_1.pth'
    dataset_meta = parse_pose_metainfo(
        dict(from_file='configs/_base_/datasets/mpii.py')
    )
    torch.save(
        {
            'state_dict': distiller.state_dict(),
            'meta': dict(epoch=1, iter=3, dataset_meta=dataset_meta),
        },
        checkpoint,
    )
    image, bbox = val_sample(mpii_root, 1)
    out = tmp_path / 'vis.png'

    result = run_demo_image(
        DISTILLER_CFG, checkpoint, image, out, bbox, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert out.is_file()
    drawn_keypoints = np.array(
        json.loads((tmp_path / 'vis.png.json').read_text())['keypoints']
    )

    # the keypoints are the student's: its own config, its weights
    student = init_model(STUDENT_CFG, None, device='cpu')
    student.load_state_dict(distiller.student.state_dict())
    expected = inference_topdown(student, image, np.array([bbox]))
    np.testing.assert_allclose(
        drawn_keypoints, expected[0].pred_instances.keypoints, atol=1e-3
    )
