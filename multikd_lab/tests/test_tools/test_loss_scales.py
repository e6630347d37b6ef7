# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The loss-weight rule (``multikd_lab.experiments.loss_scales``, the
command ``multikd_lab/tools/loss_scales.py``): weights that put each term at
its multiple of loss_kpt at the start of training."""

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from multikd_lab.experiments import loss_scales as tool
from multikd_lab.experiments.loss_scales import LossScaleRule
from tests.helpers import REPO_ROOT

DEMO = REPO_ROOT / 'configs' / 'demo'


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory) -> str:
    torch.manual_seed(0)
    config = DEMO / 'simcc_hrnet-w18_demo.py'
    teacher = MODELS.build(Config.fromfile(str(config)).model)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save({'state_dict': teacher.state_dict()}, path)
    return str(path)


def test_weights_put_each_term_at_its_multiple(mpii_root, teacher_ckpt):
    args = LossScaleRule(
        teacher_ckpt=teacher_ckpt,
        data_root=mpii_root,
        batches=1,
        seed=0,
        feature_multiple=2.0,
        distribution_multiple=0.5,
    )
    config = str(DEMO / 'multikd_litehrnet18_demo.py')
    result = tool.measure(config, args)
    terms = {term['name']: term for term in result['terms']}
    assert terms['loss_fkd']['kind'] == 'feature'
    assert terms['loss_vkd']['kind'] == 'distribution'

    # the same start with the measured weights: each term is its multiple
    # of loss_kpt, up to the rounding to two significant digits (5 %)
    cfg = tool.unit_weight_config(config, args)
    for name, term in terms.items():
        cfg.model.distill_losses[name].loss_weight = term['weight']
    weighted, _ = tool.mean_losses(cfg, args)
    for name, term in terms.items():
        ratio = weighted[name] / weighted['loss_kpt']
        assert ratio == pytest.approx(term['multiple'], rel=0.05), name


def test_refuses_a_plain_model_config(mpii_root, teacher_ckpt):
    args = LossScaleRule(teacher_ckpt=teacher_ckpt, data_root=mpii_root)
    with pytest.raises(ValueError, match='not a MultiKDDistiller'):
        tool.unit_weight_config(str(DEMO / 'simcc_litehrnet18_demo.py'), args)
