# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The whole user pipeline on generated MPII-format data, at 64x64.

``mim train mmpose`` (distiller) -> ``mim test mmpose`` (PCKh) ->
``tools/extract_student.py`` -> ``init_model`` + ``inference_topdown`` with
the student's own config and no plugin import, whose keypoints equal the
distiller's.
"""

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from ..helpers import REPO_ROOT, data_root_options, val_sample
from .test_mim_entrypoints import run_mim

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
STUDENT_CFG = TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py'
TEACHER_CFG = TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py'

# init_model + inference_topdown in a fresh interpreter that never imports
# mmpose_multikd (the config's custom_imports is dropped, as for a user
# without the plugin); prints the keypoints as JSON.
PLAIN_INFERENCE = """
import json, sys
import numpy as np
from mmengine.config import Config
from mmpose.apis import inference_topdown, init_model
config_path, checkpoint, image, bbox = sys.argv[1:5]
config = Config.fromfile(config_path, import_custom_modules=False)
config.pop('custom_imports')
model = init_model(config, checkpoint, device='cpu')
result = inference_topdown(model, image, np.array([json.loads(bbox)]))
assert 'mmpose_multikd' not in sys.modules
print(json.dumps(result[0].pred_instances.keypoints.tolist()))
"""


@pytest.mark.slow
def test_distill_test_export_infer(mpii_root, tmp_path):
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CFG)).model)
    teacher_ckpt = tmp_path / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)

    work_dir = tmp_path / 'distill'
    options = [
        *data_root_options(mpii_root),
        f'model.teacher_ckpt={teacher_ckpt}',
    ]
    train_log = run_mim(
        'train',
        'mmpose',
        str(DISTILLER_CFG),
        '--work-dir',
        str(work_dir),
        '--cfg-options',
        *options,
        cwd=tmp_path,
    )
    logged = re.findall(
        r'Epoch\(train\)\s+\[1\]\[(\d)/3\].*?loss: ([\d.]+).*?'
        r'loss_kpt: ([\d.]+).*?loss_fkd: ([\d.]+).*?loss_vkd: ([\d.]+)',
        train_log,
    )
    assert [int(row[0]) for row in logged] == [1, 2, 3], train_log[-3000:]
    for _, total, kpt, fkd, vkd in logged:
        assert float(fkd) > 0 and float(vkd) > 0
        assert (
            abs(float(total) - (float(kpt) + float(fkd) + float(vkd))) < 2e-3
        )
    checkpoint = work_dir / 'epoch_1.pth'
    assert checkpoint.is_file()

    test_log = run_mim(
        'test',
        'mmpose',
        str(DISTILLER_CFG),
        '--checkpoint',
        str(checkpoint),
        '--work-dir',
        str(work_dir),
        '--cfg-options',
        *options,
        cwd=tmp_path,
    )
    assert 'normalized by ``"head_size"``' in test_log
    assert re.search(r'Epoch\(test\).*Head PCK.*  PCK: [\d.]+', test_log)

    exported = tmp_path / 'student.pth'
    subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / 'tools' / 'extract_student.py'),
            str(checkpoint),
            str(exported),
        ],
        check=True,
        capture_output=True,
    )
    plain = torch.load(exported, weights_only=True)
    assert not any(
        k.startswith(('teacher.', 'distill_losses.', 'student.'))
        for k in plain['state_dict']
    )

    image, bbox = val_sample(mpii_root)

    result = subprocess.run(
        [
            sys.executable,
            '-c',
            PLAIN_INFERENCE,
            str(STUDENT_CFG),
            str(exported),
            image,
            json.dumps(bbox),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    student_keypoints = np.array(json.loads(result.stdout.splitlines()[-1]))
    assert student_keypoints.shape == (1, 16, 2)

    from mmpose.apis import inference_topdown, init_model

    # cfg_options={} skips init_model's `config.model.backbone` lookup,
    # which a distiller config does not have.
    distiller = init_model(
        str(DISTILLER_CFG), str(checkpoint), device='cpu', cfg_options={}
    )
    assert type(distiller).__name__ == 'MultiKDDistiller'
    distiller_result = inference_topdown(distiller, image, np.array([bbox]))
    np.testing.assert_allclose(
        distiller_result[0].pred_instances.keypoints,
        student_keypoints,
        rtol=0,
        atol=1e-3,
    )

    # init_student: the student straight from the distiller's config and
    # checkpoint, a plain MMPose model that predicts the same keypoints.
    from mmpose_multikd.apis import init_student

    student = init_student(str(DISTILLER_CFG), str(checkpoint))
    assert type(student).__name__ == 'TopdownPoseEstimator'
    assert student.cfg.model.type == 'TopdownPoseEstimator'
    assert student.dataset_meta['dataset_name'] == 'mpii'
    student_result = inference_topdown(student, image, np.array([bbox]))
    np.testing.assert_allclose(
        student_result[0].pred_instances.keypoints,
        student_keypoints,
        rtol=0,
        atol=1e-3,
    )
