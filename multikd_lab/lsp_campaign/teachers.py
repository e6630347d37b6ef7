# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``--part teacher`` and ``--part teacher-state``: the cached teachers,
their saved weights and training states."""

import datetime
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config

from ..experiments import (
    cached_teacher,
    cached_teacher_dir,
    experiment_options,
    export_teacher,
    export_training_state,
    iteration_times,
    last_checkpoint,
    read_cached_teacher,
    restore_teacher,
    restore_training_state,
    val_curve,
)
from .records import (
    data_summary,
    overrides,
    read_json,
    teacher_record_path,
    teacher_weights_path,
    write_json,
)
from .settings import Campaign, CampaignError
from .table import REPO_ROOT, TEACHER_INIT, TEACHERS, repo_path, row_size


def has_checkpoint(work_dir: str) -> bool:
    """Whether MMEngine left a checkpoint to resume from in ``work_dir``."""
    return last_checkpoint(work_dir) is not None


def base_teacher_options(campaign: Campaign) -> dict:
    """A teacher run's options: data, seed (and the checks' overrides)."""
    return experiment_options(
        campaign.teacher_data_root,
        campaign.teacher_seed,
        epochs=campaign.teacher_epochs,
        tiny=campaign.tiny,
    )


def teacher_options(campaign: Campaign, size: str) -> dict:
    """The options of the teacher of ``size``; a teacher that starts from
    another (:data:`TEACHER_INIT`) gets its checkpoint as ``load_from``.

    Raises:
        CampaignError: That other teacher is not trained yet.
    """
    options = base_teacher_options(campaign)
    if size in TEACHER_INIT:
        start = find_teacher(TEACHER_INIT[size], campaign)
        if start is None:
            raise CampaignError(
                f'the {size} teacher starts from the trained '
                f'{TEACHER_INIT[size]} teacher: run --part teacher for '
                f'{TEACHER_INIT[size]} first'
            )
        options['load_from'] = start['checkpoint']
    return options


def teacher_dir(size: str, campaign: Campaign) -> str:
    """The cache folder of the teacher of ``size`` (trained or not)."""
    return cached_teacher_dir(
        repo_path(TEACHERS[size]),
        campaign.teacher_data_root,
        teacher_options(campaign, size),
        campaign.teacher_cache,
    )


def find_teacher(size: str, campaign: Campaign) -> Optional[dict]:
    """The cached teacher of ``size`` (its result, ``work_dir``), or None
    (also when the teacher it starts from is not trained yet).

    A teacher missing from the cache but saved with the campaign's records
    (``<weights dir>/<cache folder>.pth``, :func:`save_teacher`) is
    restored into the cache first, so the campaign goes on on another
    machine without training it again.
    """
    try:
        work_dir = teacher_dir(size, campaign)
    except CampaignError:
        return None
    result = read_cached_teacher(work_dir)
    exported = teacher_weights_path(campaign.weights_dir, work_dir)
    if result is None and osp.isfile(exported):
        record = read_json(teacher_record_path(campaign.out, size))
        weights = record.get('weights') or {}
        recorded = record.get('cache') == osp.basename(work_dir)
        # the file may name this folder under an earlier key formula
        # (the record's aliases); its SHA-256 is checked then too
        result = restore_teacher(
            exported,
            work_dir,
            weights.get('sha256') if recorded else None,
            aliases=record.get('cache_aliases', ()) if recorded else (),
        )
        print(f'restored the {size} teacher from {exported}', flush=True)
    return None if result is None else dict(result, work_dir=work_dir)


def save_teacher(size: str, teacher: dict, campaign: Campaign) -> str:
    """Save a finished teacher with the records: its result, curve and
    step time (``<name>.json``) and its weights
    (:func:`teacher_weights_path`, with their SHA-256 in the record)."""
    config = repo_path(TEACHERS[size])
    path = teacher_record_path(campaign.out, size)
    work_dir = teacher['work_dir']
    weights = export_teacher(
        work_dir, teacher_weights_path(campaign.weights_dir, work_dir)
    )
    remove_teacher_state(work_dir, campaign)
    write_json(
        path,
        dict(
            config=osp.relpath(config, REPO_ROOT),
            size=size,
            seed=campaign.teacher_seed,
            cache=osp.basename(teacher['work_dir']),
            started_from=(
                osp.basename(
                    find_teacher(TEACHER_INIT[size], campaign)['work_dir']
                )
                if size in TEACHER_INIT
                else None
            ),
            PCKh=teacher['PCKh'],
            **{'PCKh@0.1': teacher['PCKh@0.1']},
            params_m=teacher['params_m'],
            train_s_last_process=teacher['train_s'],
            checkpoint=osp.basename(teacher['checkpoint']),
            weights=weights,
            iteration=iteration_times(teacher['work_dir'], skip=1),
            curve=val_curve(teacher['work_dir']),
            data=data_summary(campaign.teacher_data_root),
            overrides=overrides(campaign, teacher=True),
            saved=datetime.date.today().isoformat(),
        ),
    )
    print(f'saved the {size} teacher: {path}', flush=True)
    return path


def part_teacher(campaign: Campaign) -> None:
    sizes = {row_size(row) for row in campaign.rows}
    sizes |= {TEACHER_INIT[size] for size in sizes if size in TEACHER_INIT}
    for size in [size for size in TEACHERS if size in sizes]:
        try:
            work_dir = teacher_dir(size, campaign)
        except CampaignError as error:
            if not campaign.dry_run:
                raise
            print(f'teacher {size}: waits ({error})', flush=True)
            continue
        done = find_teacher(size, campaign) is not None
        if not done and not campaign.dry_run:
            restore_teacher_state(size, work_dir, campaign)
            if not has_checkpoint(work_dir):
                check_no_recorded_teacher(size, work_dir, campaign)
        state = (
            'cached'
            if done
            else 'resume'
            if has_checkpoint(work_dir)
            else 'new'
        )
        print(f'teacher {size}: {state} ({work_dir})', flush=True)
        if campaign.dry_run:
            continue
        teacher = cached_teacher(
            repo_path(TEACHERS[size]),
            campaign.teacher_data_root,
            teacher_options(campaign, size),
            cache_dir=campaign.teacher_cache,
            resume=True,
        )
        saved = read_json(teacher_record_path(campaign.out, size))
        if (
            not teacher['cached']
            or saved.get('cache') != osp.basename(work_dir)
            or not osp.isfile(
                teacher_weights_path(campaign.weights_dir, work_dir)
            )
        ):
            save_teacher(size, teacher, campaign)
        # a state saved while it trained is superseded by its weights
        remove_teacher_state(work_dir, campaign)


def check_no_recorded_teacher(
    size: str, work_dir: str, campaign: Campaign
) -> None:
    """Refuse to train a teacher from scratch that the records hold.

    A teacher is trained anew only when no record of it exists, or when
    ``--train-teacher`` says so: a record under another key means other
    data, config or seed than the record's (e.g. data converted another
    way), and a record under this key whose weights file is missing means
    the file was not put in place; hours of training would hide either.

    Raises:
        CampaignError: Naming both keys, or the missing file.
    """
    record_path = teacher_record_path(campaign.out, size)
    record = read_json(record_path)
    if not record or campaign.train_teacher:
        return
    name = osp.basename(work_dir)
    weights = teacher_weights_path(campaign.weights_dir, work_dir)
    if record.get('cache') != name:
        raise CampaignError(
            f'the {size} teacher of {record_path} is '
            f"{record.get('cache')}, but this config, seed and data give "
            f'{name} (key {name.rsplit("-", 1)[-1]} here, '
            f"{str(record.get('cache')).rsplit('-', 1)[-1]} on record): "
            f'convert the data with the command of docs/lsp.md (--data-root '
            f'{campaign.teacher_data_root}) and keep configs/lsp as '
            'recorded, or pass --train-teacher to train a new teacher'
        )
    raise CampaignError(
        f'the {size} teacher {name} is on record ({record_path}) but its '
        f'weights are neither in {work_dir} nor at {weights}: put the file '
        'there (docs/lsp.md, "Running it", restores it from the '
        "repository's history), or pass --train-teacher to train it again"
    )


def teacher_state_prefix(weights_dir: str, work_dir: str) -> str:
    """The saved training state of an unfinished teacher (in
    ``--weights-dir``): ``<prefix>.json`` and its parts
    ``<prefix>.part<k>``."""
    return osp.join(weights_dir, f'{osp.basename(work_dir)}.state')


def remove_teacher_state(work_dir: str, campaign: Campaign) -> None:
    """Delete a teacher's saved training state (superseded by its
    weights, or by a newer state)."""
    prefix = teacher_state_prefix(campaign.weights_dir, work_dir)
    folder = osp.dirname(prefix)
    if not osp.isdir(folder):
        return
    for name in os.listdir(folder):
        if name.startswith(osp.basename(prefix) + '.'):
            os.remove(osp.join(folder, name))


def restore_teacher_state(
    size: str, work_dir: str, campaign: Campaign
) -> None:
    """Resume an unfinished teacher saved with the records (``--part
    teacher-state``) on a machine whose cache lacks its checkpoint."""
    prefix = teacher_state_prefix(campaign.weights_dir, work_dir)
    state = read_json(f'{prefix}.json')
    if not state:
        return
    restored = restore_training_state(state, osp.dirname(prefix), work_dir)
    if restored is not None:
        print(
            f"restored the {size} teacher's training state "
            f"({state['checkpoint']}, saved {state['saved']})",
            flush=True,
        )


def part_teacher_state(campaign: Campaign) -> None:
    """Save the last checkpoint of every unfinished teacher (running or
    killed) with the records, so that another machine resumes it."""
    sizes = {row_size(row) for row in campaign.rows}
    for size in [size for size in TEACHERS if size in sizes]:
        try:
            work_dir = teacher_dir(size, campaign)
        except CampaignError as error:
            print(f'teacher {size}: not started ({error})', flush=True)
            continue
        if find_teacher(size, campaign) is not None:
            print(f'teacher {size}: finished; its weights are saved')
            continue
        if not has_checkpoint(work_dir):
            print(f'teacher {size}: no checkpoint yet', flush=True)
            continue
        prefix = teacher_state_prefix(campaign.weights_dir, work_dir)
        remove_teacher_state(work_dir, campaign)
        state = export_training_state(work_dir, prefix)
        state['saved'] = datetime.datetime.now().isoformat(timespec='seconds')
        write_json(f'{prefix}.json', state)
        print(
            f"teacher {size}: saved {state['checkpoint']} "
            f"({state['bytes'] / 1e6:.0f} MB in {len(state['parts'])} parts) "
            f'to {prefix}.*',
            flush=True,
        )


def random_teacher_checkpoint(size: str, path: str) -> str:
    """A teacher of random weights, for timing a distiller before the
    teacher is trained (the cost does not depend on the weights)."""
    import torch
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    init_default_scope('mmpose')
    teacher = MODELS.build(Config.fromfile(repo_path(TEACHERS[size])).model)
    os.makedirs(osp.dirname(path), exist_ok=True)
    torch.save({'state_dict': teacher.state_dict()}, path)
    return path
