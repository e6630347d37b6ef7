# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``--part rows``: plan the (row, seed) runs, train them, save each."""

import os.path as osp
from typing import List, Optional

from ..experiments import (
    experiment_options,
    finished_run,
    run_experiment,
    run_experiments_side_by_side,
)
from .records import (
    config_loss_weights,
    loss_scales_path,
    read_json,
    run_record,
    run_record_path,
    write_json,
)
from .settings import Campaign, CampaignError
from .table import (
    RECORD_HOOK,
    ROWS,
    STUDIES,
    config_size,
    is_distiller,
    repo_path,
    schedule_options,
    scored_split,
    teacher_option,
)
from .teachers import find_teacher, has_checkpoint


def row_options(campaign: Campaign, seed: int) -> dict:
    factor = STUDIES.get(campaign.study, {}).get('schedule_factor')
    return {
        **experiment_options(
            campaign.data_root,
            seed,
            epochs=campaign.epochs,
            tiny=campaign.tiny,
        ),
        **RECORD_HOOK,
        **(schedule_options(factor) if factor else {}),
    }


def measured_weights(campaign: Campaign, size: str) -> dict:
    """The record of the weights measured at ``size`` (``--part weights``):
    ``teacher`` and, per measured config, its terms' weights; {} if none.
    """
    return read_json(loss_scales_path(campaign.out, size))


def check_distiller_ready(
    row: str, size: str, teacher: Optional[dict], campaign: Campaign
) -> None:
    """Refuse a distiller row before its teacher and its measured weights
    exist, or when its config's weights are not the measured ones.

    Raises:
        CampaignError: No cached teacher of the row's size; the weights of
            that size not measured, or measured with another teacher; or a
            loss weight of the row's config that differs from the
            measurement of the config it takes its weights from (times
            the row's ``weight_factors``).
    """
    if teacher is None:
        raise CampaignError(
            f'{row}: no trained LSP teacher at {size} in '
            f'{campaign.teacher_cache} (for this data and schedule): run '
            f'--part teacher --rows {row} first'
        )
    record = measured_weights(campaign, size)
    source = ROWS[row].weights_from
    measured = {
        osp.normpath(result['config']): result
        for result in record.get('results', [])
    }.get(osp.normpath(source))
    if measured is None:
        raise CampaignError(
            f'{row}: the loss weights of {source} at {size} are not '
            f'measured: run --part weights --rows {row} first'
        )
    teacher_name = osp.basename(teacher['work_dir'])
    if record.get('teacher') != teacher_name:
        raise CampaignError(
            f"{row}: the weights at {size} were measured with the teacher "
            f"{record.get('teacher')}, not with the cached {teacher_name}: "
            'measure them again (--part weights --remeasure) or use that '
            'teacher'
        )
    factors = dict(ROWS[row].weight_factors)
    expected = {
        term['name']: term['weight'] * factors.get(term['name'], 1.0)
        for term in measured['terms']
    }
    config = ROWS[row].config
    for name, weight in config_loss_weights(repo_path(config)).items():
        if name in expected and weight != expected[name]:
            raise CampaignError(
                f'{row}: {config} has {name} loss_weight={weight}, but '
                f'{loss_scales_path(campaign.out, size)} measured '
                f"{expected[name]} for {source} (times the row's "
                'weight_factors): write that value in the config '
                '(--part weights prints the measured one)'
            )


def check_scored_split(data_root: str, split: str) -> None:
    """Refuse a study's rows on data whose scored split is not the
    study's: its choices are made on dev, its reports scored on val.

    The split is read from the converter's record (``lsp2mpii.json``,
    ``scored_split``; a conversion without ``--num-dev`` scores val).

    Raises:
        CampaignError: The record names another split, or the study is
            scored on dev and the data root has no record saying so.
    """
    path = osp.join(data_root, 'lsp2mpii.json')
    scored = None
    if osp.isfile(path):
        scored = read_json(path).get('scored_split', 'val')
    if scored is None and split == 'val':
        return  # MPII-format data from elsewhere: val is its scored split
    if scored != split:
        raise CampaignError(
            f'this study is scored on {split}, but {path} '
            + ('does not exist' if scored is None else f'scores {scored}')
            + ': convert with lsp2mpii.py'
            + (' --num-dev 1000' if split == 'dev' else '')
            + ' and pass that --data-root'
        )


def plan_rows(campaign: Campaign) -> List[dict]:
    """One entry per (row, seed): config, work dir, options and status.

    ``status`` is ``finished`` (its ``result.json`` exists: it is read, not
    trained again), ``resume`` (a killed run left a checkpoint) or ``new``.

    Raises:
        CampaignError: A distiller row is not ready
            (:func:`check_distiller_ready`), or the data root scores
            another split than the study (:func:`check_scored_split`).
    """
    study = STUDIES.get(campaign.study, {})
    if study:
        check_scored_split(campaign.data_root, scored_split(study))
    runs = []
    for row in campaign.rows:
        config = repo_path(ROWS[row].config)
        size = config_size(config)
        teacher = None
        extra = {}
        if is_distiller(config):
            teacher = find_teacher(size, campaign)
            check_distiller_ready(row, size, teacher, campaign)
            extra = {teacher_option(config): teacher['checkpoint']}
        name = osp.splitext(osp.basename(config))[0]
        reused = study.get('reuse', {})
        for seed in campaign.seeds:
            if seed in reused.get(row, ()):
                continue  # the main table's run counts (its reuse)
            work_dir = osp.join(campaign.work_root, name, f'seed{seed}')
            result = finished_run(work_dir, config)
            if result is not None:
                status = 'finished'
            elif has_checkpoint(work_dir):
                status = 'resume'
            else:
                status = 'new'
            runs.append(
                dict(
                    row=row,
                    config=config,
                    size=size,
                    seed=seed,
                    work_dir=work_dir,
                    options={**row_options(campaign, seed), **extra},
                    teacher=teacher,
                    status=status,
                    resume=status == 'resume',
                    result=result,
                    log_file=osp.join(work_dir, 'console.log'),
                )
            )
    return runs


def print_plan(runs: List[dict]) -> None:
    for run in runs:
        print(
            f"{run['row']:>10} seed {run['seed']}: {run['status']:8} "
            f"{run['work_dir']}",
            flush=True,
        )


def save_run(run: dict, campaign: Campaign) -> str:
    path = run_record_path(campaign.records, run['config'], run['seed'])
    write_json(path, run_record(run, campaign))
    print(f"saved {run['row']} seed {run['seed']}: {path}", flush=True)
    return path


def part_rows(campaign: Campaign) -> None:
    runs = plan_rows(campaign)
    print_plan(runs)
    for run in runs:
        # a run finished on another day whose record was not saved yet
        record = run_record_path(campaign.records, run['config'], run['seed'])
        if run['status'] == 'finished' and not osp.isfile(record):
            save_run(run, campaign)
    pending = [run for run in runs if run['status'] != 'finished']
    if campaign.dry_run or not pending:
        return
    if campaign.jobs <= 1:
        for run in pending:
            run['result'] = run_experiment(
                run['config'], run['work_dir'], run['options'], run['resume']
            )
            save_run(run, campaign)
        return
    run_experiments_side_by_side(
        pending, campaign.jobs, on_finish=lambda run: save_run(run, campaign)
    )
