# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`tools/demo_image.py` draws the model's own prediction."""

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


@pytest.mark.slow
def test_demo_image_draws_the_prediction(mpii_root, tmp_path):
    torch.manual_seed(0)
    student = MODELS.build(Config.fromfile(STUDENT_CFG).model)
    checkpoint = tmp_path / 'student.pth'
    torch.save({'state_dict': student.state_dict()}, checkpoint)
    image, bbox = val_sample(mpii_root, 1)
    out = tmp_path / 'vis.png'

    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / 'tools' / 'demo_image.py'),
            STUDENT_CFG,
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
        cwd=tmp_path,
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
