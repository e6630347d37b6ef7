# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The LSP campaign in parts: teacher, loss weights, rows over seeds, report.

    python tools/run_lsp_campaign.py --part time --rows teacher r1 r6
    python tools/run_lsp_campaign.py --part teacher
    python tools/run_lsp_campaign.py --part weights
    python tools/run_lsp_campaign.py --part rows \\
        --rows r1 r2 r6 reviewkd fitnet --seeds 0 --jobs 2
    python tools/run_lsp_campaign.py --part report

Every part takes ``--data-root`` (LSPet converted by
``tools/dataset_converters/lsp2mpii.py``), ``--work-root`` (MMEngine's work
dirs) and ``--teacher-cache``; the rules and the plan are in
``docs/lsp_campaign.md``.

- ``time``: seconds per training iteration of each listed row (and
  ``teacher``, ``teacher-128x128``), data loading included: a few
  iterations through MMEngine's Runner; rows two copies side by side with
  one thread each (``--jobs 2``, as the campaign trains them), teachers
  alone with every thread. Appended to ``<out>/iteration_times.json``.
- ``teacher``: trains the LSP teacher of every input size the listed rows
  use, once, into the teacher cache
  (:func:`multikd_lab.experiments.cached_teacher`); a killed run resumes
  from its last checkpoint. A teacher missing from the cache is restored
  from ``--weights-dir`` (outside the repository; the committed record
  holds its SHA-256): its weights once finished, else its saved training
  state, which it resumes from.
- ``teacher-state``: saves the last checkpoint of every unfinished
  teacher (running or killed) and its logs under ``--weights-dir``, in
  parts of at most 50 MB, for another machine to resume.
- ``weights``: the rule's distillation weights (``docs/method.md``:
  feature terms start at 2 x ``loss_kpt``, distribution terms at 1 x),
  measured with the cached teacher by ``tools/analysis/loss_scales.py``;
  written to ``configs/lsp/_base_/loss_weights.json`` (which the LSP
  configs read) and ``<out>/loss_scales_<size>.json``. Weights measured
  once stay fixed (``--remeasure`` measures again).
- ``rows``: trains each (row, seed) without a finished result; a run with
  a checkpoint resumes from it. Distiller rows are refused until the
  weights of their size are measured with the cached teacher.
- ``report``: ``<out>/summary.{json,md}`` and ``<out>/curves.png`` from
  the saved runs: per row mean ± std over seeds and the plateau test, the
  targets, and the differences between rows on the same seeds. With
  ``--docs README.md docs/results.md`` it also rewrites the LSP tables of
  those pages (their ``<!-- generated: NAME -->`` blocks), so the pages
  show the report's numbers and nothing typed by hand.

Each finished run (teacher or row) is saved at once, small, under ``<out>``
(default ``docs/data/lsp``): its metrics, its per-epoch validation curve
and its step time, so that nothing finished is lost between days.
"""

import argparse
import datetime
import importlib.util
import json
import os
import os.path as osp
import statistics
import sys
from pathlib import Path
from typing import List, Optional

from mmengine.config import Config

# multikd_lab (the experiment lab) sits in the repository, not installed
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from multikd_lab.experiments import (
    DEFAULT_CACHE_DIR,
    cached_teacher,
    cached_teacher_dir,
    experiment_options,
    export_teacher,
    export_training_state,
    finished_run,
    iteration_times,
    last_checkpoint,
    mean_pose_floor,
    read_cached_teacher,
    restore_teacher,
    restore_training_state,
    run_experiment,
    run_experiments_side_by_side,
    time_side_by_side,
    val_curve,
    write_report,
)
from multikd_lab.experiments.doc_blocks import update_blocks
from multikd_lab.experiments.report_tables import (
    differences_table,
    results_table,
    summary_table,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
LSP = 'configs/lsp'
ROWS = {
    'r1': f'{LSP}/ablation/multikd_litehrnet18_lspet_r1_baseline.py',
    'r2': f'{LSP}/ablation/multikd_litehrnet18_lspet_r2_cs.py',
    'r3': f'{LSP}/ablation/multikd_litehrnet18_lspet_r3_cs-mft.py',
    'r4': f'{LSP}/ablation/multikd_litehrnet18_lspet_r4_cs-wa.py',
    'r5': f'{LSP}/ablation/multikd_litehrnet18_lspet_r5_cs-mft-wa.py',
    'r6': f'{LSP}/ablation/multikd_litehrnet18_lspet_r6_cs-mft-wa-vkd.py',
    'r2-vkd': f'{LSP}/ablation/multikd_litehrnet18_lspet_r2-vkd_cs-vkd.py',
    'kd': f'{LSP}/baselines/kd_litehrnet18_lspet.py',
    'fitnet': f'{LSP}/baselines/fitnet_litehrnet18_lspet.py',
    'rkd': f'{LSP}/baselines/rkd_litehrnet18_lspet.py',
    'at': f'{LSP}/baselines/at_litehrnet18_lspet.py',
    'sp': f'{LSP}/baselines/sp_litehrnet18_lspet.py',
    'reviewkd': f'{LSP}/baselines/reviewkd_litehrnet18_lspet.py',
    'r2-128x128': f'{LSP}/ablation/multikd_litehrnet18_lspet-128x128_r2_cs.py',
    'r3-128x128': (
        f'{LSP}/ablation/multikd_litehrnet18_lspet-128x128_r3_cs-mft.py'
    ),
}
# The rows the issue asks for at least; the others as the budget allows.
MAIN_ROWS = ('r1', 'r2', 'r6', 'reviewkd', 'fitnet')
# The questions of the report, as row differences on the same seeds: does
# each distiller lift the student, do MFT + WA + VKD add to cross-stage KD,
# does Multi-KD beat the compared distillers, do they beat cross-stage KD
# alone, does MFT help at 128x128.
COMPARISONS = (
    ('r2', 'r1'),
    ('r6', 'r1'),
    ('fitnet', 'r1'),
    ('reviewkd', 'r1'),
    ('r6', 'r2'),
    ('r6', 'reviewkd'),
    ('r6', 'fitnet'),
    ('reviewkd', 'r2'),
    ('fitnet', 'r2'),
    ('r3-128x128', 'r2-128x128'),
)
TEACHERS = {
    '64x64': f'{LSP}/simcc_hrnet-w18_1xb32-72e_lspet-64x64.py',
    '128x128': f'{LSP}/simcc_hrnet-w18_1xb32-12e_lspet-128x128.py',
}
# A teacher trained from another's weights: the 128x128 teacher is the
# 64x64 one fine-tuned (its config says why).
TEACHER_INIT = {'128x128': '64x64'}
# The configs whose terms are measured, per input size: the full method
# (beta, lambda; rows r2-r5 inherit them) and every compared distiller.
WEIGHT_CONFIGS = {
    '64x64': [
        f'{LSP}/multikd_litehrnet18_lspet.py',
        *(
            f'{LSP}/baselines/{name}_litehrnet18_lspet.py'
            for name in ('kd', 'fitnet', 'rkd', 'at', 'sp', 'reviewkd')
        ),
    ],
    '128x128': [f'{LSP}/multikd_litehrnet18_lspet-128x128.py'],
}
WEIGHTS_FILE = REPO_ROOT / LSP / '_base_' / 'loss_weights.json'
# How the docs show each row: the results table (label, what distils, the
# paper's MPII value) and the README (label; the link text is the config's
# name without the model and data, `short_config_name`).
DOC_ROWS = {
    'r1': ('r1: student alone (SimDR LiteHRNet-18)', '-', '85.9'),
    'r2': ('r2: cross-stage KD only', 'top branches, uniform weights', '86.8'),
    'r3': ('r3: cross-stage KD + MFT', '+ MFT', '87.3'),
    'r6': ('r6: full Multi-KD', '+ MFT, WA, VKD', '87.7'),
    'fitnet': ('FitNet', 'stage 1', '86.53'),
    'reviewkd': ('ReviewKD', "all stages' top branches", '87.56'),
}
# Studies after the main table, each with its own run records
# (``<out>/<study>/runs``) and work dirs (``<work root>/<study>``); the
# teachers, loss weights and floor stay the main table's. ``attribution``:
# which of MFT, WA and VKD costs the full method its points, on paired
# seeds (docs/results.md).
STUDIES = {
    'attribution': dict(
        rows=(
            'r1',
            'r2',
            'r3',
            'r4',
            'r5',
            'r6',
            'r2-vkd',
            'fitnet',
            'reviewkd',
        ),
        comparisons=(
            ('r2', 'r1'),
            ('r3', 'r2'),  # MFT
            ('r4', 'r2'),  # WA
            ('r2-vkd', 'r2'),  # VKD
            ('r5', 'r4'),  # MFT given WA
            ('r5', 'r3'),  # WA given MFT
            ('r6', 'r5'),  # VKD given MFT and WA
            ('r6', 'r2'),
            ('r6', 'fitnet'),
            ('r6', 'reviewkd'),
            ('fitnet', 'r2'),
            ('reviewkd', 'r2'),
        ),
    ),
}
# Every row run records its loss terms, pair weights and gradient norms
# per epoch (``training_record.json``, saved with the run).
RECORD_HOOK = {
    'default_hooks.training_record': dict(type='TrainingRecordHook')
}
README_ROWS = {
    'r1': 'student alone',
    'r2': 'cross-stage KD only',
    'r6': 'full Multi-KD',
    'fitnet': 'FitNet',
    'reviewkd': 'ReviewKD',
}


class CampaignError(RuntimeError):
    """A part cannot run yet (e.g. no teacher, weights not measured)."""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--part',
        required=True,
        choices=(
            'time',
            'teacher',
            'teacher-state',
            'weights',
            'rows',
            'report',
        ),
    )
    parser.add_argument(
        '--rows',
        nargs='+',
        default=None,
        help=f"rows: {', '.join(ROWS)}; --part time also takes teacher "
        "and teacher-128x128 (default: the study's rows, else "
        f"{' '.join(MAIN_ROWS)})",
    )
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--study',
        choices=sorted(STUDIES),
        default=None,
        help='a study after the main table: its rows are the default '
        '--rows, its records go to <out>/<study>, its work dirs to '
        '<work root>/<study>',
    )
    parser.add_argument('--data-root', default='data/lspet_mpii')
    parser.add_argument(
        '--teacher-data-root',
        default=None,
        help='the data the teachers were trained on and are cached by '
        '(default: --data-root); rows scored on a dev conversion '
        '(lsp2mpii.py --num-dev) name the plain conversion here',
    )
    parser.add_argument('--work-root', default='work_dirs/lsp')
    parser.add_argument('--teacher-cache', default=DEFAULT_CACHE_DIR)
    parser.add_argument('--teacher-seed', type=int, default=0)
    parser.add_argument(
        '--out',
        default=str(REPO_ROOT / 'docs' / 'data' / 'lsp'),
        help='where finished runs are saved (small files, committed)',
    )
    parser.add_argument(
        '--docs',
        nargs='*',
        default=[],
        help='--part report: Markdown pages whose generated LSP tables '
        '(between <!-- generated: NAME --> markers) are rewritten from the '
        'report, e.g. README.md docs/results.md',
    )
    parser.add_argument(
        '--weights-dir',
        default=osp.join(osp.dirname(DEFAULT_CACHE_DIR), 'lsp_weights'),
        help="where a teacher's weights and an unfinished teacher's "
        'training state are saved (large files, outside the repository; '
        'their SHA-256 is in the committed record)',
    )
    parser.add_argument(
        '--weights-file',
        default=str(WEIGHTS_FILE),
        help='the measured loss weights (the LSP configs read the default)',
    )
    parser.add_argument(
        '--jobs',
        type=int,
        default=2,
        help='rows trained side by side, max(1, cpus // jobs) threads each',
    )
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help='print what would be trained, train nothing',
    )
    parser.add_argument(
        '--remeasure',
        action='store_true',
        help='--part weights: measure again over weights already measured',
    )
    parser.add_argument('--iters', type=int, default=30, help='--part time')
    parser.add_argument(
        '--skip', type=int, default=5, help='--part time: warm-up iterations'
    )
    parser.add_argument(
        '--batches',
        type=int,
        default=3,
        help='--part weights: training batches averaged',
    )
    parser.add_argument(
        '--epochs',
        type=int,
        default=None,
        help="override the rows' schedule (checks only: such runs are "
        'marked in their saved result)',
    )
    parser.add_argument(
        '--teacher-epochs',
        type=int,
        default=None,
        help="override the teacher's schedule (checks only)",
    )
    parser.add_argument(
        '--tiny', action='store_true', help='batches of 4, no workers (CI)'
    )
    args = parser.parse_args(argv)
    args.teacher_data_root = args.teacher_data_root or args.data_root
    study = STUDIES.get(args.study, {})
    if args.rows is None:
        args.rows = list(study.get('rows', MAIN_ROWS))
    # where this part's row records go: the main table's or the study's
    args.records = osp.join(args.out, args.study) if study else args.out
    if study:
        args.work_root = osp.join(args.work_root, args.study)
    known = set(ROWS) | {f'teacher-{size}' for size in TEACHERS}
    known |= {'teacher'} if args.part == 'time' else set()
    unknown = [row for row in args.rows if row not in known]
    if unknown:
        parser.error(f'unknown rows {unknown}; known: {sorted(known)}')
    return args


def repo_path(path: str) -> str:
    """A repository-relative config path made absolute."""
    return str(REPO_ROOT / path)


def config_size(config_path: str) -> str:
    """The input size of a config, as ``'WxH'``."""
    width, height = Config.fromfile(config_path).codec['input_size']
    return f'{width}x{height}'


def is_distiller(config_path: str) -> bool:
    return Config.fromfile(config_path).model.get('type') == 'MultiKDDistiller'


def row_size(row: str) -> str:
    """The input size of a row or a ``teacher[-WxH]`` timing target."""
    if row == 'teacher':
        return '64x64'
    if row.startswith('teacher-'):
        return row[len('teacher-') :]
    return config_size(repo_path(ROWS[row]))


def base_teacher_options(args: argparse.Namespace) -> dict:
    """A teacher run's options: data, seed (and the checks' overrides)."""
    return experiment_options(
        args.teacher_data_root,
        args.teacher_seed,
        epochs=args.teacher_epochs,
        tiny=args.tiny,
    )


def teacher_options(args: argparse.Namespace, size: str) -> dict:
    """The options of the teacher of ``size``; a teacher that starts from
    another (:data:`TEACHER_INIT`) gets its checkpoint as ``load_from``.

    Raises:
        CampaignError: That other teacher is not trained yet.
    """
    options = base_teacher_options(args)
    if size in TEACHER_INIT:
        start = find_teacher(TEACHER_INIT[size], args)
        if start is None:
            raise CampaignError(
                f'the {size} teacher starts from the trained '
                f'{TEACHER_INIT[size]} teacher: run --part teacher for '
                f'{TEACHER_INIT[size]} first'
            )
        options['load_from'] = start['checkpoint']
    return options


def row_options(args: argparse.Namespace, seed: int) -> dict:
    return {
        **experiment_options(
            args.data_root, seed, epochs=args.epochs, tiny=args.tiny
        ),
        **RECORD_HOOK,
    }


def teacher_dir(size: str, args: argparse.Namespace) -> str:
    """The cache folder of the teacher of ``size`` (trained or not)."""
    return cached_teacher_dir(
        repo_path(TEACHERS[size]),
        args.teacher_data_root,
        teacher_options(args, size),
        args.teacher_cache,
    )


def find_teacher(size: str, args: argparse.Namespace) -> Optional[dict]:
    """The cached teacher of ``size`` (its result, ``work_dir``), or None
    (also when the teacher it starts from is not trained yet).

    A teacher missing from the cache but saved with the campaign's records
    (``<weights dir>/<cache folder>.pth``, :func:`save_teacher`) is
    restored into the cache first, so the campaign goes on on another
    machine without training it again.
    """
    try:
        work_dir = teacher_dir(size, args)
    except CampaignError:
        return None
    result = read_cached_teacher(work_dir)
    exported = teacher_weights_path(args.weights_dir, work_dir)
    if result is None and osp.isfile(exported):
        record = read_json(teacher_record_path(args.out, size))
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


def load_weights(path: str) -> dict:
    with open(path) as f:
        return json.load(f)['lsp_loss_weights']


def distill_weight_options(weights: dict, config_path: str) -> dict:
    """``cfg_options`` setting every distillation loss of a config to its
    measured weight (the config reads the same file; this makes the run
    and its saved record agree with ``--weights-file``)."""
    names = Config.fromfile(config_path).model.distill_losses
    return {
        f'model.distill_losses.{name}.loss_weight': weights[name]
        for name, loss in names.items()
        if loss is not None
    }


def check_distiller_ready(
    row: str, size: str, teacher: Optional[dict], weights: dict, args
) -> None:
    """Refuse a distiller row before its teacher and weights exist.

    Raises:
        CampaignError: No cached teacher of the row's size, or the weights
            of that size not measured, or measured with another teacher.
    """
    if teacher is None:
        raise CampaignError(
            f'{row}: no trained LSP teacher at {size} in '
            f'{args.teacher_cache} (for this data and schedule): run '
            f'--part teacher --rows {row} first'
        )
    entry = weights.get(size, {})
    if not entry.get('measured'):
        raise CampaignError(
            f'{row}: the loss weights at {size} are placeholders: run '
            f'--part weights --rows {row} first (docs/lsp_campaign.md)'
        )
    teacher_name = osp.basename(teacher['work_dir'])
    if entry.get('teacher') != teacher_name:
        raise CampaignError(
            f"{row}: the weights at {size} were measured with the teacher "
            f"{entry.get('teacher')}, not with the cached {teacher_name}: "
            'measure them again (--part weights --remeasure) or use that '
            'teacher'
        )


def has_checkpoint(work_dir: str) -> bool:
    """Whether MMEngine left a checkpoint to resume from in ``work_dir``."""
    return last_checkpoint(work_dir) is not None


def plan_rows(args: argparse.Namespace) -> List[dict]:
    """One entry per (row, seed): config, work dir, options and status.

    ``status`` is ``finished`` (its ``result.json`` exists: it is read, not
    trained again), ``resume`` (a killed run left a checkpoint) or ``new``.

    Raises:
        CampaignError: A distiller row is not ready
            (:func:`check_distiller_ready`).
    """
    weights = load_weights(args.weights_file)
    runs = []
    for row in args.rows:
        config = repo_path(ROWS[row])
        size = config_size(config)
        teacher = None
        extra = {}
        if is_distiller(config):
            teacher = find_teacher(size, args)
            check_distiller_ready(row, size, teacher, weights, args)
            extra = {
                'model.teacher_ckpt': teacher['checkpoint'],
                **distill_weight_options(weights[size], config),
            }
        name = osp.splitext(osp.basename(config))[0]
        for seed in args.seeds:
            work_dir = osp.join(args.work_root, name, f'seed{seed}')
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
                    options={**row_options(args, seed), **extra},
                    teacher=teacher,
                    status=status,
                    resume=status == 'resume',
                    result=result,
                    log_file=osp.join(work_dir, 'console.log'),
                )
            )
    return runs


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
    return {key: record.get(key) for key in keys}


def overrides(args: argparse.Namespace, teacher: bool = False) -> dict:
    epochs = args.teacher_epochs if teacher else args.epochs
    return {'epochs': epochs, 'tiny': args.tiny}


def write_json(path: str, data: dict) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')


def run_record(run: dict, args: argparse.Namespace) -> dict:
    """What is saved of a finished row run."""
    result = run['result']
    teacher = run['teacher']
    weights = {
        key.split('.')[2]: value
        for key, value in run['options'].items()
        if key.endswith('.loss_weight')
    }
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
        data=data_summary(args.data_root),
        overrides=overrides(args),
        saved=datetime.date.today().isoformat(),
    )


def training_record(work_dir: str) -> Optional[list]:
    """The per-epoch loss terms, pair weights and gradient norms a run's
    ``TrainingRecordHook`` wrote, if any."""
    path = osp.join(work_dir, 'training_record.json')
    return read_json(path).get('epochs') if osp.isfile(path) else None


def run_record_path(out: str, config: str, seed: int) -> str:
    name = osp.splitext(osp.basename(config))[0]
    return osp.join(out, 'runs', name, f'seed{seed}.json')


def save_run(run: dict, args: argparse.Namespace) -> str:
    path = run_record_path(args.records, run['config'], run['seed'])
    write_json(path, run_record(run, args))
    print(f"saved {run['row']} seed {run['seed']}: {path}", flush=True)
    return path


def teacher_record_path(out: str, size: str) -> str:
    name = osp.splitext(osp.basename(TEACHERS[size]))[0]
    return osp.join(out, 'teachers', f'{name}.json')


def teacher_weights_path(weights_dir: str, work_dir: str) -> str:
    """Where a teacher's weights are saved (``--weights-dir``): named by
    its cache folder (config name and key), so a file is only ever
    restored for the same config, seed and data."""
    return osp.join(weights_dir, f'{osp.basename(work_dir)}.pth')


def read_json(path: str) -> dict:
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def save_teacher(size: str, teacher: dict, args: argparse.Namespace) -> str:
    """Save a finished teacher with the records: its result, curve and
    step time (``<name>.json``) and its weights
    (:func:`teacher_weights_path`, with their SHA-256 in the record)."""
    config = repo_path(TEACHERS[size])
    path = teacher_record_path(args.out, size)
    work_dir = teacher['work_dir']
    weights = export_teacher(
        work_dir, teacher_weights_path(args.weights_dir, work_dir)
    )
    remove_teacher_state(work_dir, args)
    write_json(
        path,
        dict(
            config=osp.relpath(config, REPO_ROOT),
            size=size,
            seed=args.teacher_seed,
            cache=osp.basename(teacher['work_dir']),
            started_from=(
                osp.basename(
                    find_teacher(TEACHER_INIT[size], args)['work_dir']
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
            data=data_summary(args.teacher_data_root),
            overrides=overrides(args, teacher=True),
            saved=datetime.date.today().isoformat(),
        ),
    )
    print(f'saved the {size} teacher: {path}', flush=True)
    return path


def part_teacher(args: argparse.Namespace) -> None:
    sizes = {row_size(row) for row in args.rows}
    sizes |= {TEACHER_INIT[size] for size in sizes if size in TEACHER_INIT}
    for size in [size for size in TEACHERS if size in sizes]:
        try:
            work_dir = teacher_dir(size, args)
        except CampaignError as error:
            if not args.dry_run:
                raise
            print(f'teacher {size}: waits ({error})', flush=True)
            continue
        done = find_teacher(size, args) is not None
        if not done and not args.dry_run:
            restore_teacher_state(size, work_dir, args)
        state = (
            'cached'
            if done
            else 'resume'
            if has_checkpoint(work_dir)
            else 'new'
        )
        print(f'teacher {size}: {state} ({work_dir})', flush=True)
        if args.dry_run:
            continue
        teacher = cached_teacher(
            repo_path(TEACHERS[size]),
            args.teacher_data_root,
            teacher_options(args, size),
            cache_dir=args.teacher_cache,
            resume=True,
        )
        saved = read_json(teacher_record_path(args.out, size))
        if (
            not teacher['cached']
            or saved.get('cache') != osp.basename(work_dir)
            or not osp.isfile(teacher_weights_path(args.weights_dir, work_dir))
        ):
            save_teacher(size, teacher, args)
        # a state saved while it trained is superseded by its weights
        remove_teacher_state(work_dir, args)


def teacher_state_prefix(weights_dir: str, work_dir: str) -> str:
    """The saved training state of an unfinished teacher (in
    ``--weights-dir``): ``<prefix>.json`` and its parts
    ``<prefix>.part<k>``."""
    return osp.join(weights_dir, f'{osp.basename(work_dir)}.state')


def remove_teacher_state(work_dir: str, args: argparse.Namespace) -> None:
    """Delete a teacher's saved training state (superseded by its
    weights, or by a newer state)."""
    prefix = teacher_state_prefix(args.weights_dir, work_dir)
    folder = osp.dirname(prefix)
    if not osp.isdir(folder):
        return
    for name in os.listdir(folder):
        if name.startswith(osp.basename(prefix) + '.'):
            os.remove(osp.join(folder, name))


def restore_teacher_state(
    size: str, work_dir: str, args: argparse.Namespace
) -> None:
    """Resume an unfinished teacher saved with the records (``--part
    teacher-state``) on a machine whose cache lacks its checkpoint."""
    prefix = teacher_state_prefix(args.weights_dir, work_dir)
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


def part_teacher_state(args: argparse.Namespace) -> None:
    """Save the last checkpoint of every unfinished teacher (running or
    killed) with the records, so that another machine resumes it."""
    sizes = {row_size(row) for row in args.rows}
    for size in [size for size in TEACHERS if size in sizes]:
        try:
            work_dir = teacher_dir(size, args)
        except CampaignError as error:
            print(f'teacher {size}: not started ({error})', flush=True)
            continue
        if find_teacher(size, args) is not None:
            print(f'teacher {size}: finished; its weights are saved')
            continue
        if not has_checkpoint(work_dir):
            print(f'teacher {size}: no checkpoint yet', flush=True)
            continue
        prefix = teacher_state_prefix(args.weights_dir, work_dir)
        remove_teacher_state(work_dir, args)
        state = export_training_state(work_dir, prefix)
        state['saved'] = datetime.datetime.now().isoformat(timespec='seconds')
        write_json(f'{prefix}.json', state)
        print(
            f"teacher {size}: saved {state['checkpoint']} "
            f"({state['bytes'] / 1e6:.0f} MB in {len(state['parts'])} parts) "
            f'to {prefix}.*',
            flush=True,
        )


def load_loss_scales():
    """``tools/analysis/loss_scales.py`` as a module."""
    path = REPO_ROOT / 'tools' / 'analysis' / 'loss_scales.py'
    spec = importlib.util.spec_from_file_location('loss_scales', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def part_weights(args: argparse.Namespace) -> None:
    loss_scales = load_loss_scales()
    with open(args.weights_file) as f:
        record = json.load(f)
    for size in sorted({row_size(row) for row in args.rows}):
        entry = record['lsp_loss_weights'][size]
        teacher = find_teacher(size, args)
        if teacher is None:
            raise CampaignError(
                f'no trained LSP teacher at {size}: run --part teacher first'
            )
        teacher_name = osp.basename(teacher['work_dir'])
        if entry.get('measured') and not args.remeasure:
            print(
                f"weights at {size}: measured with {entry['teacher']} on "
                f"{entry['date']}; kept (--remeasure measures again)"
            )
            continue
        print(f'weights at {size}: measuring with {teacher_name}')
        if args.dry_run:
            continue
        measure_args = argparse.Namespace(
            teacher_ckpt=teacher['checkpoint'],
            data_root=args.data_root,
            batches=args.batches,
            seed=0,
            feature_multiple=2.0,
            distribution_multiple=1.0,
        )
        results = [
            loss_scales.measure(repo_path(config), measure_args)
            for config in WEIGHT_CONFIGS[size]
        ]
        print(loss_scales.markdown(results))
        for result in results:
            result['config'] = osp.relpath(result['config'], REPO_ROOT)
        scales_path = osp.join(args.out, f'loss_scales_{size}.json')
        today = datetime.date.today().isoformat()
        write_json(
            scales_path,
            dict(
                teacher=teacher_name,
                teacher_PCKh=teacher['PCKh'],
                batches=args.batches,
                seed=0,
                feature_multiple=2.0,
                distribution_multiple=1.0,
                date=today,
                results=results,
            ),
        )
        weights = {
            term['name']: term['weight']
            for result in results
            for term in result['terms']
        }
        record['lsp_loss_weights'][size] = dict(
            measured=True,
            teacher=teacher_name,
            date=today,
            record=shown_path(scales_path),
            **{
                name: weights.get(name, 0.0)
                for name in entry
                if name.startswith('loss_')
            },
        )
        with open(args.weights_file, 'w') as f:
            json.dump(record, f, indent=2)
            f.write('\n')
        print(f'wrote {args.weights_file} and {scales_path}')


def print_plan(runs: List[dict]) -> None:
    for run in runs:
        print(
            f"{run['row']:>10} seed {run['seed']}: {run['status']:8} "
            f"{run['work_dir']}",
            flush=True,
        )


def part_rows(args: argparse.Namespace) -> None:
    runs = plan_rows(args)
    print_plan(runs)
    for run in runs:
        # a run finished on another day whose record was not saved yet
        record = run_record_path(args.records, run['config'], run['seed'])
        if run['status'] == 'finished' and not osp.isfile(record):
            save_run(run, args)
    pending = [run for run in runs if run['status'] != 'finished']
    if args.dry_run or not pending:
        return
    if args.jobs <= 1:
        for run in pending:
            run['result'] = run_experiment(
                run['config'], run['work_dir'], run['options'], run['resume']
            )
            save_run(run, args)
        return
    run_experiments_side_by_side(
        pending, args.jobs, on_finish=lambda run: save_run(run, args)
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


def part_time(args: argparse.Namespace) -> None:
    import torch

    stamp = datetime.datetime.now(datetime.timezone.utc)
    root = osp.join(args.work_root, 'timing', stamp.strftime('%Y%m%d_%H%M%S'))
    weights = load_weights(args.weights_file)
    cpus = os.cpu_count() or 1
    measured = []
    for row in args.rows:
        size = row_size(row)
        if row.startswith('teacher'):
            config, copies, threads = repo_path(TEACHERS[size]), 1, cpus
        else:
            config = repo_path(ROWS[row])
            copies = max(1, args.jobs)
            threads = max(1, cpus // copies)
        # timing: the 128x128 teacher's cost does not depend on its start
        options = base_teacher_options(args)
        if not row.startswith('teacher'):
            options = row_options(args, 0)
            if is_distiller(config):
                teacher = find_teacher(size, args)
                checkpoint = (
                    teacher['checkpoint']
                    if teacher
                    else random_teacher_checkpoint(
                        size, osp.join(root, f'random_teacher_{size}.pth')
                    )
                )
                options['model.teacher_ckpt'] = checkpoint
                # the cost does not depend on the weights' values
                options.update(
                    {
                        key: value or 1e-3
                        for key, value in distill_weight_options(
                            weights[size], config
                        ).items()
                    }
                )
        runs = [
            dict(
                config=config,
                work_dir=osp.join(root, f'{row}_copy{copy}'),
                options=dict(options, **{'randomness.seed': copy}),
                threads=threads,
            )
            for copy in range(copies)
        ]
        print(
            f'timing {row}: {copies} side by side, {threads} thread(s) '
            f'each, {args.iters} iterations',
            flush=True,
        )
        if args.dry_run:
            continue
        results = time_side_by_side(runs, args.iters, args.skip, val=True)
        entry = dict(
            row=row,
            config=osp.relpath(config, REPO_ROOT),
            size=size,
            side_by_side=copies,
            threads=threads,
            iters=args.iters,
            skip=args.skip,
            time_s=statistics.mean(r['time_s'] for r in results),
            data_time_s=statistics.mean(r['data_time_s'] for r in results),
            val_s=statistics.mean(r['val_s'] for r in results),
            per_copy=[
                {k: r[k] for k in ('time_s', 'data_time_s', 'val_s')}
                for r in results
            ],
        )
        print(
            f"  {entry['time_s']:.3f} s/iteration "
            f"(data wait {entry['data_time_s']:.3f} s), "
            f"validation {entry['val_s']:.1f} s",
            flush=True,
        )
        measured.append(entry)
    if args.dry_run:
        return
    path = osp.join(args.out, 'iteration_times.json')
    history = []
    if osp.isfile(path):
        with open(path) as f:
            history = json.load(f)['measurements']
    history.append(
        dict(
            date=stamp.isoformat(timespec='seconds'),
            command=' '.join([osp.basename(sys.argv[0]), *sys.argv[1:]]),
            cpus=cpus,
            torch=torch.__version__,
            batch_size=4 if args.tiny else 32,
            data=data_summary(args.data_root),
            rows=measured,
        )
    )
    write_json(path, dict(measurements=history))
    print(f'wrote {path}')


def save_floor(args: argparse.Namespace) -> None:
    """The mean-pose floor of the converted split (``floor.json``),
    computed once where the data is at hand."""
    path = osp.join(args.out, 'floor.json')
    if osp.isfile(path) or not osp.isdir(args.data_root):
        return
    options = experiment_options(args.data_root, 0, tiny=args.tiny)
    floor = mean_pose_floor(repo_path(ROWS['r1']), options)
    floor.update(data=data_summary(args.data_root), rule='mean_pose_floor')
    write_json(path, floor)
    print(f"mean-pose floor: PCKh@0.5 {floor['PCKh']:.2f} ({path})")


def doc_row(row: str, size: str = '64x64') -> dict:
    """How the results table shows ``row`` (of input ``size``)."""
    label, what, paper = DOC_ROWS[row]
    suffix = '' if size == '64x64' else f', {size}'
    name = row if size == '64x64' else f'{row}-{size}'
    return dict(row=name, label=label + suffix, what=what, paper=paper)


def short_config_name(config: str) -> str:
    """``r1_baseline`` for ``multikd_litehrnet18_lspet_r1_baseline.py``,
    ``fitnet`` for ``fitnet_litehrnet18_lspet.py``."""
    name = Path(config).stem.replace('multikd_litehrnet18_lspet_', '')
    return name.replace('_litehrnet18_lspet', '')


def doc_tables(report: dict) -> dict:
    """The generated blocks of ``docs/results.md`` and the README, by
    name (:mod:`multikd_lab.experiments.doc_blocks`)."""
    teacher = 'teacher: SimDR HRNet-W18'
    main_rows = [doc_row(row) for row in DOC_ROWS if row in MAIN_ROWS]
    return {
        'lsp-64x64': results_table(
            report, main_rows, '64x64', 'r1', 'student alone', teacher
        ),
        'lsp-64x64-differences': differences_table(
            report,
            [pair for pair in COMPARISONS if '128x128' not in pair[0]],
        ),
        'lsp-128x128': results_table(
            report,
            [doc_row(row, '128x128') for row in ('r2', 'r3')],
            '128x128',
            'r2-128x128',
            'r2',
            teacher,
            floor=False,
        ),
        'lsp-readme': summary_table(
            report,
            [
                dict(
                    row=row,
                    label=label,
                    config_name=short_config_name(ROWS[row]),
                )
                for row, label in README_ROWS.items()
            ],
            '64x64',
            teacher,
            Path(TEACHERS['64x64']).stem,
        ),
    }


def part_report(args: argparse.Namespace) -> None:
    save_floor(args)
    report = write_report(args.out, list(ROWS), COMPARISONS)
    tables = doc_tables(report)
    for page in args.docs:
        written = update_blocks(page, tables)
        print(f"{page}: rewrote {', '.join(written)}")


PARTS = {
    'time': part_time,
    'teacher': part_teacher,
    'teacher-state': part_teacher_state,
    'weights': part_weights,
    'rows': part_rows,
    'report': part_report,
}


def main(argv=None) -> int:
    args = parse_args(argv)
    args.data_root = osp.abspath(args.data_root)
    args.teacher_data_root = osp.abspath(args.teacher_data_root)
    if args.part != 'report' and not osp.isdir(args.data_root):
        print(
            f'--data-root {args.data_root} is not a folder: convert LSPet '
            'with tools/dataset_converters/lsp2mpii.py (docs/lsp.md)',
            file=sys.stderr,
        )
        return 2
    try:
        PARTS[args.part](args)
    except CampaignError as error:
        print(f'refused: {error}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
