# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The student out of a distiller: export and ``init_student``."""

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from mmpose_multikd.apis import (
    export_student,
    extract_student_state_dict,
    init_student,
    student_config,
)

from ..helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = str(TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py')
STUDENT_CFG = str(TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py')


@pytest.fixture(scope='module')
def distiller_checkpoint(tmp_path_factory):
    """A distiller with a changed student weight, saved as MMEngine does."""
    torch.manual_seed(0)
    distiller = MODELS.build(Config.fromfile(DISTILLER_CFG).model)
    with torch.no_grad():
        for param in distiller.student.parameters():
            param.add_(0.01 * torch.randn_like(param))
    path = tmp_path_factory.mktemp('distiller') / 'epoch_1.pth'
    torch.save(
        {'state_dict': distiller.state_dict(), 'meta': dict(epoch=1, iter=3)},
        path,
    )
    return distiller, str(path)


def assert_same_weights(model, reference):
    expected = reference.state_dict()
    loaded = model.state_dict()
    assert loaded.keys() == expected.keys()
    for key, value in expected.items():
        torch.testing.assert_close(loaded[key], value, msg=key)


def test_student_config_replaces_the_distiller_model():
    cfg = student_config(DISTILLER_CFG)
    plain = Config.fromfile(STUDENT_CFG)
    assert cfg.model.to_dict() == plain.model.to_dict()
    # everything else (data, codec, evaluator) stays the distiller's
    assert cfg.val_evaluator == Config.fromfile(DISTILLER_CFG).val_evaluator
    # a plain config is returned as it is
    assert student_config(STUDENT_CFG).model == plain.model


def test_init_student_from_a_distiller_checkpoint(distiller_checkpoint):
    distiller, path = distiller_checkpoint
    student = init_student(DISTILLER_CFG, path)
    assert type(student).__name__ == 'TopdownPoseEstimator'
    assert not student.training
    assert student.dataset_meta['num_keypoints'] == 16
    assert_same_weights(student, distiller.student)

    inputs = torch.randn(2, 3, 64, 64)
    distiller.eval()
    with torch.no_grad():
        expected = distiller(inputs, None, mode='tensor')
        got = student(inputs, None, mode='tensor')
    for out, ref in zip(got, expected):
        torch.testing.assert_close(out, ref)


def test_export_then_init_student_from_the_plain_checkpoint(
    distiller_checkpoint, tmp_path
):
    distiller, path = distiller_checkpoint
    out = tmp_path / 'sub' / 'student.pth'
    exported = export_student(path, str(out))
    assert exported['meta']['epoch'] == 1 and exported['meta']['iter'] == 3
    assert not (tmp_path / 'sub' / 'student.pth.tmp').exists()
    plain = torch.load(out, weights_only=True)
    assert set(plain['state_dict']) == set(distiller.student.state_dict())
    assert_same_weights(init_student(STUDENT_CFG, str(out)), distiller.student)


def test_extract_names_a_checkpoint_without_a_student():
    with pytest.raises(KeyError, match="No key starts with 'student.'"):
        extract_student_state_dict({'backbone.conv.weight': torch.zeros(1)})


def test_missing_checkpoint_is_named(tmp_path):
    missing = tmp_path / 'nope.pth'
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        init_student(DISTILLER_CFG, str(missing))
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        export_student(str(missing), str(tmp_path / 'out.pth'))
    assert not (tmp_path / 'out.pth').exists()
