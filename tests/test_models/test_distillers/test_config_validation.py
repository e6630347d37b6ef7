# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""MultiKDDistiller rejects bad options at build time, naming model.<key>.

The checks run before anything is built, so each bad case costs nothing;
one valid build (one student tap) shows that a valid (l, m >= l) stage pair
always exists.
"""

import pytest
import torch
from mmpose.registry import MODELS

from ...helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
TEACHER_CFG = str(TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py')
STUDENT_CFG = str(TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py')
FKD = dict(type='CrossStageAttentionKDLoss', embed_dim=16, pool_size=4)


pytestmark = pytest.mark.usefixtures('one_torch_thread')


def distiller_cfg(**overrides) -> dict:
    """The tiny distiller's ``model`` dict with ``overrides`` merged in."""
    cfg = dict(
        type='MultiKDDistiller',
        teacher=TEACHER_CFG,
        student=STUDENT_CFG,
        distill_losses=dict(loss_fkd=FKD),
    )
    cfg.update(overrides)
    return cfg


BAD_OPTIONS = [
    # (overrides, error type, text the message must contain)
    (dict(teacher_tap=['backbone.stage2']), TypeError, 'model.teacher_tap '),
    (dict(teacher_tap=None), TypeError, 'did you mean model.teacher_taps'),
    (dict(distil_losses={}), TypeError, 'model.distil_losses'),
    (dict(teacher=3), TypeError, 'model.teacher '),
    (dict(student=None), TypeError, 'model.student '),
    (dict(teacher_ckpt=1), TypeError, 'model.teacher_ckpt'),
    (dict(teacher_taps='backbone.stage2'), TypeError, 'model.teacher_taps'),
    (dict(teacher_taps=['backbone.stage2', 3]), TypeError, 'teacher_taps'),
    (dict(teacher_taps=[]), ValueError, 'model.teacher_taps'),
    (dict(student_taps=('',)), ValueError, 'model.student_taps'),
    (
        dict(student_simcc_taps=['head.mlp_head_x']),
        ValueError,
        'model.student_simcc_taps must be 2',
    ),
    (dict(student_simcc_taps='head'), TypeError, 'model.student_simcc_taps'),
    (dict(distill_losses=[FKD]), TypeError, 'model.distill_losses '),
    (
        dict(distill_losses=dict(loss_fkd='CrossStageAttentionKDLoss')),
        TypeError,
        'model.distill_losses.loss_fkd',
    ),
    (
        dict(distill_losses=dict(loss_fkd=dict(embed_dim=16))),
        ValueError,
        'model.distill_losses.loss_fkd has no "type"',
    ),
    (
        dict(distill_losses=dict(fkd=FKD)),
        ValueError,
        'model.distill_losses.fkd: the name must contain "loss"',
    ),
    (
        dict(distill_losses=dict(loss=FKD)),
        ValueError,
        'model.distill_losses.loss:',
    ),
    (
        dict(loss_weight_schedule='linear'),
        TypeError,
        'model.loss_weight_schedule ',
    ),
    (
        dict(loss_weight_schedule=dict(type='cosine')),
        ValueError,
        'model.loss_weight_schedule.type',
    ),
    (
        dict(loss_weight_schedule=dict(type='linear', end=0.0)),
        ValueError,
        "model.loss_weight_schedule has unknown key(s) ['end']",
    ),
    (
        dict(loss_weight_schedule=dict(start_factor='1')),
        TypeError,
        'model.loss_weight_schedule.start_factor',
    ),
    (
        dict(loss_weight_schedule=dict(by_epoch='yes')),
        TypeError,
        'model.loss_weight_schedule.by_epoch',
    ),
    (dict(data_preprocessor='pose'), TypeError, 'model.data_preprocessor'),
    (dict(train_cfg=[1]), TypeError, 'model.train_cfg'),
    (dict(init_cfg='kaiming'), TypeError, 'model.init_cfg'),
]


@pytest.mark.parametrize(
    'overrides, error, text',
    BAD_OPTIONS,
    ids=[
        '-'.join(f'{k}={v!r}'[:40] for k, v in case[0].items())
        for case in BAD_OPTIONS
    ],
)
def test_bad_option_names_the_key(overrides, error, text, monkeypatch):
    # the check runs first: nothing (no config file) is loaded before it
    monkeypatch.setattr(
        'mmpose_multikd.models.distillers.multikd_distiller.load_model_config',
        lambda spec: pytest.fail('built before the options were checked'),
    )
    with pytest.raises(error) as err:
        MODELS.build(distiller_cfg(**overrides))
    assert text in str(err.value)


def test_unknown_options_are_all_listed():
    with pytest.raises(TypeError) as err:
        MODELS.build(distiller_cfg(teacher_ckpts='t.pth', foo=1))
    message = str(err.value)
    assert 'model.teacher_ckpts (did you mean model.teacher_ckpt?)' in message
    assert 'model.foo' in message
    assert 'Valid options: teacher, student' in message


def test_valid_options_pass_and_one_student_tap_still_pairs():
    """Good values of every checked type build; a single student stage
    still has the valid pair (teacher stage 0, student stage 0), so no
    configuration of non-empty taps is left without a pair."""
    torch.manual_seed(0)
    model = MODELS.build(
        distiller_cfg(
            teacher_ckpt=None,
            teacher_taps=('backbone.stage2', 'backbone.stage3'),
            student_taps=['backbone.stage0'],
            student_simcc_taps=('head.mlp_head_x', 'head.mlp_head_y'),
            distill_losses=dict(
                loss_fkd=FKD, loss_vkd=dict(type='VKDLoss'), loss_off=None
            ),
            loss_weight_schedule=dict(
                type='linear', start_factor=1, end_factor=0.0, by_epoch=False
            ),
            train_cfg=None,
            init_cfg=None,
        )
    )
    assert model.distill_losses['loss_fkd'].valid_pairs == [(0, 0)]
    assert set(model.distill_losses) == {'loss_fkd', 'loss_vkd'}
