# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Distillation loss weights by one rule: each term a fixed multiple of
``loss_kpt`` at the start of training (``multikd_lab/tools/loss_scales.py``
and the LSP campaign's ``--part weights`` use it).

For every distiller config: build it as training would (MMEngine's seed,
``init_weights``, the teacher from ``teacher_ckpt``), set every
distillation loss's ``loss_weight`` to 1, run ``model.loss`` on the first
``batches`` training batches of the config's own dataloader (MMPose's
pipeline) and average each term. A term that reads stage features
(one that takes ``student_stage_feats``) gets the weight that makes it start
at ``feature_multiple`` x ``loss_kpt``, a term that reads the teacher
head's outputs (``'simcc'``, ``'teacher_heatmaps'``) at
``distribution_multiple`` x ``loss_kpt``:

    w = multiple * loss_kpt / L(w=1)

rounded to two significant digits. All terms sum over the batch like
``loss_kpt`` (``docs/method.md``), so the weights hold at any batch size.
"""

import dataclasses
import os.path as osp
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, set_random_seed
from mmpose.registry import MODELS

from .options import data_root_options


@dataclasses.dataclass
class LossScaleRule:
    """What the measurement uses: the trained teacher, the data, how many
    training batches are averaged, the seed and the two multiples."""

    teacher_ckpt: str
    data_root: str
    batches: int = 3
    seed: int = 0
    feature_multiple: float = 2.0
    distribution_multiple: float = 1.0


# MMPose's DWPose losses (``distill_cfg`` of ``DWPoseDistiller``): the
# argument that weighs each, and the kind of term it is.
DWPOSE_LOSSES = {
    'FeaLoss': ('alpha_fea', 'feature'),
    'KDLoss': ('weight', 'distribution'),
}
DWPOSE_TYPES = ('DWPoseDistiller', 'StudentFirstDWPoseDistiller')


def dwpose_losses(model_cfg) -> Dict[str, dict]:
    """The used losses of a DWPose distiller config, by name."""
    return {
        method['name']: method
        for item in model_cfg.get('distill_cfg') or []
        for method in item['methods']
        if method.get('use_this', True)
    }


def distill_loss_weights(model_cfg) -> Dict[str, float]:
    """Each distillation term's weight in a distiller's model config:
    ``loss_weight`` (``MultiKDDistiller``) or DWPose's ``alpha_fea`` /
    ``weight``."""
    if model_cfg.get('type') in DWPOSE_TYPES:
        return {
            name: method[DWPOSE_LOSSES[method['type']][0]]
            for name, method in dwpose_losses(model_cfg).items()
        }
    losses = model_cfg.get('distill_losses') or {}
    return {
        name: loss['loss_weight']
        for name, loss in losses.items()
        if loss is not None
    }


def input_kind(input_names) -> str:
    """'feature' for a loss on stage features, else 'distribution'."""
    return (
        'feature' if 'student_stage_feats' in input_names else 'distribution'
    )


def two_digits(value: float) -> float:
    """``value`` rounded to two significant digits."""
    return float(f'{value:.2g}')


def unit_weight_config(config_path: str, rule: LossScaleRule) -> Config:
    """The config with its data, teacher and every loss weight set to 1."""
    cfg = Config.fromfile(config_path)
    kind = cfg.model.get('type')
    if kind not in ('MultiKDDistiller', *DWPOSE_TYPES):
        raise ValueError(
            f'{config_path}: model.type is {kind!r}, not a '
            'MultiKDDistiller or DWPose distiller: only distiller configs '
            'have distillation terms to weigh'
        )
    cfg.merge_from_dict(data_root_options(osp.abspath(rule.data_root)))
    if kind in DWPOSE_TYPES:
        cfg.model.teacher_pretrained = rule.teacher_ckpt
        for method in dwpose_losses(cfg.model).values():
            method[DWPOSE_LOSSES[method['type']][0]] = 1.0
    else:
        cfg.model.teacher_ckpt = rule.teacher_ckpt
        for loss_cfg in cfg.model.distill_losses.values():
            if loss_cfg is not None:
                loss_cfg.loss_weight = 1.0
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    return cfg


def mean_losses(cfg: Config, rule: LossScaleRule) -> tuple:
    """Each loss term of ``cfg``'s distiller, averaged over the first
    ``rule.batches`` training batches, as training would start (seeded
    init, the config's own pipeline, train mode).

    Returns:
        tuple: ``(means, model)``, ``means`` a dict of the ``loss_*``
        terms.
    """
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    set_random_seed(rule.seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    # the first epoch, as DWPose's linear decay reads it from the hub
    hub = MessageHub.get_current_instance()
    hub.update_info('epoch', 0)
    hub.update_info('max_epochs', cfg.train_cfg.max_epochs)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=rule.seed)
    sums: Dict[str, float] = {}
    seen = 0
    with torch.no_grad():
        for batch in loader:
            if seen == rule.batches:
                break
            data = model.data_preprocessor(batch, training=True)
            losses = model(**data, mode='loss')
            for name, value in losses.items():
                if name.startswith('loss_'):
                    sums[name] = sums.get(name, 0.0) + float(value)
            seen += 1
    return {name: total / seen for name, total in sums.items()}, model


def measure(config_path: str, rule: LossScaleRule) -> Dict[str, object]:
    """The rule's weight for every distillation term of a config."""
    cfg = unit_weight_config(config_path, rule)
    means, model = mean_losses(cfg, rule)
    loss_kpt = means.pop('loss_kpt')
    terms = []
    dwpose = dwpose_losses(cfg.model)
    for name, value in means.items():
        if name in dwpose:
            kind = DWPOSE_LOSSES[dwpose[name]['type']][1]
            loss_type = dwpose[name]['type']
        else:
            kind = input_kind(model.distill_inputs[name])
            loss_type = cfg.model.distill_losses[name]['type']
        multiple = (
            rule.feature_multiple
            if kind == 'feature'
            else rule.distribution_multiple
        )
        terms.append(
            dict(
                name=name,
                type=loss_type,
                kind=kind,
                value_at_weight_1=value,
                multiple=multiple,
                weight=two_digits(multiple * loss_kpt / value),
            )
        )
    return dict(
        config=config_path,
        batch_size=cfg.train_dataloader.batch_size,
        loss_kpt=loss_kpt,
        terms=terms,
    )


def markdown(results: List[dict]) -> str:
    lines = [
        '| config | term | kind | L at weight 1 | loss_kpt | multiple | '
        'weight |',
        '|---|---|---|---|---|---|---|',
    ]
    for result in results:
        for term in result['terms']:
            lines.append(
                f"| {osp.basename(result['config'])} | {term['name']} "
                f"({term['type']}) | {term['kind']} | "
                f"{term['value_at_weight_1']:.4g} | "
                f"{result['loss_kpt']:.4g} | {term['multiple']:g} | "
                f"{term['weight']:g} |"
            )
    return '\n'.join(lines)
