# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""What the campaign saves (small JSON files, committed) and where."""

import datetime
import json
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config

from ..experiments import iteration_times, val_curve
from ..experiments.loss_scales import distill_loss_weights
from .settings import Campaign
from .table import REPO_ROOT, STUDIES, TEACHERS


def shown_path(path: str) -> str:
    """``path`` relative to the repository when inside it, else absolute."""
    path = osp.abspath(path)
    inside = path.startswith(str(REPO_ROOT) + os.sep)
    return osp.relpath(path, REPO_ROOT) if inside else path


def data_summary(data_root: str) -> dict:
    """The split of the converted data (its ``lsp2mpii.json``), if any."""
    path = osp.join(data_root, 'lsp2mpii.json')
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        record = json.load(f)
    keys = ('layout', 'num_train', 'num_val', 'seed', 'pelvis_thorax')
    if 'scored_split' in record:  # a dev conversion (--num-dev)
        keys += ('scored_split', 'num_dev')
    return {key: record.get(key) for key in keys}


def overrides(campaign: Campaign, teacher: bool = False) -> dict:
    """What a run changed of its config's schedule (checks, studies)."""
    if teacher:
        return {'epochs': campaign.teacher_epochs, 'tiny': campaign.tiny}
    changed = {'epochs': campaign.epochs, 'tiny': campaign.tiny}
    factor = STUDIES.get(campaign.study, {}).get('schedule_factor')
    if factor:  # a study that stretches the schedule
        changed['schedule_factor'] = factor
    return changed


def write_json(path: str, data: dict) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')


def read_json(path: str) -> dict:
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def run_record(run: dict, campaign: Campaign) -> dict:
    """What is saved of a finished row run."""
    result = run['result']
    teacher = run['teacher']
    weights = config_loss_weights(run['config'])
    return dict(
        row=run['row'],
        config=osp.relpath(run['config'], REPO_ROOT),
        seed=run['seed'],
        size=run['size'],
        PCKh=result['PCKh'],
        **{'PCKh@0.1': result['PCKh@0.1']},
        params_m=result['params_m'],
        train_s_last_process=result['train_s'],
        teacher=None
        if teacher is None
        else dict(
            cache=osp.basename(teacher['work_dir']), PCKh=teacher['PCKh']
        ),
        loss_weights=weights or None,
        iteration=iteration_times(run['work_dir'], skip=1),
        curve=val_curve(run['work_dir']),
        training=training_record(run['work_dir']),
        data=data_summary(campaign.data_root),
        overrides=overrides(campaign),
        saved=datetime.date.today().isoformat(),
    )


def training_record(work_dir: str) -> Optional[list]:
    """The per-epoch loss terms, pair weights and gradient norms a run's
    ``TrainingRecordHook`` wrote, if any."""
    path = osp.join(work_dir, 'training_record.json')
    return read_json(path).get('epochs') if osp.isfile(path) else None


def config_loss_weights(config_path: str) -> dict:
    """Each distillation term's weight in a config."""
    return distill_loss_weights(Config.fromfile(config_path).model)


def loss_scales_path(out: str, size: str) -> str:
    """The record of the loss weights measured at ``size``."""
    return osp.join(out, f'loss_scales_{size}.json')


def run_record_path(out: str, config: str, seed: int) -> str:
    name = osp.splitext(osp.basename(config))[0]
    return osp.join(out, 'runs', name, f'seed{seed}.json')


def teacher_record_path(out: str, size: str) -> str:
    name = osp.splitext(osp.basename(TEACHERS[size]))[0]
    return osp.join(out, 'teachers', f'{name}.json')


def teacher_weights_path(weights_dir: str, work_dir: str) -> str:
    """Where a teacher's weights are saved (``--weights-dir``): named by
    its cache folder (config name and key), so a file is only ever
    restored for the same config, seed and data."""
    return osp.join(weights_dir, f'{osp.basename(work_dir)}.pth')
