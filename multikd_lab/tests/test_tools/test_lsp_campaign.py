# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The LSP campaign (``multikd_lab.lsp_campaign``, the command
``multikd_lab.tools.run_lsp_campaign``): the LSP configs and the measured
weights they carry, the plan (finished runs skipped, killed runs resumed,
distillers refused before their teacher and weights), the saved records
and the report; end to end on generated data.

The fast tests train nothing: they lay out work dirs, cached teachers and
MMEngine logs as the Runner leaves them. The slow one runs every part on
generated MPII data with one-epoch schedules.
"""

import argparse
import dataclasses
import json
import os.path as osp
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from multikd_lab.experiments import iteration_times, val_curve
from multikd_lab.lsp_campaign import (
    CampaignError,
    parse_args,
    plan_rows,
    records,
    report,
    rows,
    table,
    teachers,
)
from tests.helpers import REPO_ROOT

from ..helpers import lab_command, lab_env, lab_tool

LSP = REPO_ROOT / 'configs' / 'lsp'
DATA = REPO_ROOT / 'docs' / 'data' / 'lsp'


def campaign_args(tmp_path, data_root, *extra):
    return parse_args(
        [
            '--part',
            'rows',
            '--data-root',
            str(data_root),
            '--work-root',
            str(tmp_path / 'work'),
            '--teacher-cache',
            str(tmp_path / 'teachers'),
            '--out',
            str(tmp_path / 'out'),
            '--weights-dir',
            str(tmp_path / 'out' / 'teachers'),
            *extra,
        ]
    )


def test_rows_configs_sizes_and_schedules():
    schedules = set()
    for name, row in table.ROWS.items():
        cfg = Config.fromfile(table.repo_path(row.config))
        size = '128x128' if name.endswith('-128x128') else '64x64'
        assert table.config_size(table.repo_path(row.config)) == size
        if cfg.model.get('type') == 'MultiKDDistiller':
            teacher = LSP / osp.basename(table.TEACHERS[size])
            assert osp.normpath(cfg.model.teacher) == str(teacher)
        schedules.add(
            json.dumps(
                [cfg.train_cfg, cfg.param_scheduler, cfg.optim_wrapper],
                default=str,
            )
        )
        assert cfg.train_cfg.val_interval == 1  # the per-epoch curve
        assert cfg.default_hooks.checkpoint.save_best is None
    # every row shares one schedule; the teacher trains longer, and the
    # 128x128 teacher starts from it
    assert len(schedules) == 1
    cfg = Config.fromfile(table.repo_path(table.TEACHERS['64x64']))
    assert cfg.train_cfg.max_epochs > cfg.lsp_epochs
    assert table.TEACHER_INIT == {'128x128': '64x64'}
    assert set(table.MAIN_ROWS) <= set(table.ROWS)
    for study in table.STUDIES.values():
        assert set(study['rows']) <= set(table.ROWS)
        assert {r for pair in study['comparisons'] for r in pair} <= set(
            study['rows']
        )


def test_configs_carry_the_measured_weights():
    """Every distiller row's config holds, as written numbers, the weights
    measured for the config it takes them from (the committed records)."""
    checked = 0
    for size in table.TEACHERS:
        record = json.loads((DATA / f'loss_scales_{size}.json').read_text())
        measured = {
            result['config']: {t['name']: t['weight'] for t in result['terms']}
            for result in record['results']
        }
        assert set(table.weight_configs(size)) <= set(measured)
        for row in table.ROW_TABLE:
            if row.weights_from is None or table.row_size(row.name) != size:
                continue
            written = records.config_loss_weights(table.repo_path(row.config))
            factors = dict(row.weight_factors)
            for name, weight in written.items():
                if name in measured[row.weights_from]:
                    expected = measured[row.weights_from][name]
                    assert weight == expected * factors.get(name, 1.0), row
                    checked += 1
    assert checked >= 10


def fake_teacher(args, size='64x64') -> str:
    """A cached teacher as ``cached_teacher`` leaves it."""
    work_dir = teachers.teacher_dir(size, args)
    Path(work_dir).mkdir(parents=True, exist_ok=True)
    checkpoint = f'{work_dir}/epoch_72.pth'
    open(checkpoint, 'wb').close()
    with open(f'{work_dir}/result.json', 'w') as f:
        json.dump(dict(checkpoint=checkpoint, PCKh=61.0), f)
    return work_dir


def set_weights(args, size, teacher_name, weight=None):
    """A record of the weights at ``size`` measured with ``teacher_name``:
    the committed measurement's numbers, or ``weight`` for every term."""
    committed = json.loads((DATA / f'loss_scales_{size}.json').read_text())
    measured = {
        result['config']: {t['name']: t['weight'] for t in result['terms']}
        for result in committed['results']
    }
    results = []
    for config in table.weight_configs(size):
        terms = [
            dict(name=name, weight=value if weight is None else weight)
            for name, value in measured[config].items()
        ]
        results.append(dict(config=config, terms=terms))
    records.write_json(
        records.loss_scales_path(args.out, size),
        dict(teacher=teacher_name, results=results),
    )


def test_plan_skips_finished_resumes_killed_refuses_unready(
    tmp_path, mpii_root
):
    args = campaign_args(tmp_path, mpii_root, '--rows', 'r1', 'r6')
    args.seeds = [0, 1, 2]
    with pytest.raises(CampaignError, match='no trained LSP teach'):
        plan_rows(args)

    args.rows = ['r1']
    plan = plan_rows(args)
    assert [run['status'] for run in plan] == ['new'] * 3
    work = {run['seed']: Path(run['work_dir']) for run in plan}
    for run in plan:
        work[run['seed']].mkdir(parents=True)
    # seed 0 finished: its result.json names this config
    (work[0] / 'result.json').write_text(
        json.dumps(dict(config=plan[0]['config'], PCKh=20.0))
    )
    # seed 1 killed after epoch 3: MMEngine's last_checkpoint marker
    (work[1] / 'epoch_3.pth').write_bytes(b'')
    (work[1] / 'last_checkpoint').write_text(str(work[1] / 'epoch_3.pth'))
    # seed 2: a result of another config, and a marker without its file
    (work[2] / 'result.json').write_text(json.dumps(dict(config='x.py')))
    (work[2] / 'last_checkpoint').write_text(str(work[2] / 'gone.pth'))
    plan = plan_rows(args)
    assert [run['status'] for run in plan] == ['finished', 'resume', 'new']
    assert [run['resume'] for run in plan] == [False, True, False]
    assert plan[0]['result']['PCKh'] == 20.0
    assert plan[1]['options']['randomness.seed'] == 1
    assert 'model.teacher_ckpt' not in plan[0]['options']

    # a distiller: refused until the teacher is cached and the weights
    # of its size are measured with that teacher
    args.rows = ['r6']
    teacher_dir = fake_teacher(args)
    with pytest.raises(CampaignError, match='not measured'):
        plan_rows(args)
    set_weights(args, '64x64', 'another-teacher')
    with pytest.raises(CampaignError, match='another-teacher'):
        plan_rows(args)
    teacher_name = teacher_dir.rsplit('/', 1)[-1]
    set_weights(args, '64x64', teacher_name, weight=0.5)
    with pytest.raises(CampaignError, match=r'loss_weight=0\.0063, but'):
        plan_rows(args)
    set_weights(args, '64x64', teacher_name)
    plan = plan_rows(args)
    assert [run['status'] for run in plan] == ['new'] * 3
    options = plan[0]['options']
    assert options['model.teacher_ckpt'] == f'{teacher_dir}/epoch_72.pth'
    assert options['default_hooks.training_record']['type'] == (
        'TrainingRecordHook'
    )
    # the 128x128 rows need their own teacher (which starts from the
    # 64x64 one) and weights
    args.rows = ['r3-128x128']
    with pytest.raises(CampaignError, match='128x128'):
        plan_rows(args)
    options = teachers.teacher_options(args, '128x128')
    assert options['load_from'] == f'{teacher_dir}/epoch_72.pth'
    assert 'load_from' not in teachers.teacher_options(args, '64x64')
    teacher_128 = fake_teacher(args, '128x128')
    set_weights(args, '128x128', teacher_128.rsplit('/', 1)[-1])
    plan = plan_rows(args)
    assert plan[0]['options']['model.teacher_ckpt'].startswith(teacher_128)
    # another start (a retrained 64x64 teacher) is another 128x128 teacher
    Path(teacher_dir, 'result.json').write_text(
        json.dumps(dict(checkpoint=f'{teacher_dir}/epoch_9.pth', PCKh=1))
    )
    Path(teacher_dir, 'epoch_9.pth').write_bytes(b'')
    assert teachers.teacher_dir('128x128', args) != teacher_128


def test_study_seeds_epochs_split_and_weight_factors(
    tmp_path, mpii_root, monkeypatch
):
    """A study brings its seeds and schedule; its rows run only on data
    that scores its split; a row's weight factor scales the measured
    weight it must carry."""
    mpii_root = shutil.copytree(mpii_root, tmp_path / 'data')
    args = campaign_args(tmp_path, mpii_root, '--study', 'screening')
    assert args.seeds == [0, 1] and args.epochs == 6
    assert args.rows == list(table.STUDIES['screening']['rows'])
    assert args.work_root == str(tmp_path / 'work' / 'screening')
    args = campaign_args(
        tmp_path, mpii_root, '--study', 'screening', '--seeds', '3',
        '--epochs', '2', '--rows', 'r6-vkdq'
    )  # fmt: skip
    assert args.seeds == [3] and args.epochs == 2
    # generated MPII data has no converter record: val only
    with pytest.raises(CampaignError, match='scored on dev.*does not exist'):
        plan_rows(args)
    record = Path(mpii_root, 'lsp2mpii.json')
    record.write_text(json.dumps(dict(num_val=5)))  # no --num-dev: val
    with pytest.raises(CampaignError, match='scored on dev.*scores val'):
        plan_rows(args)
    record.write_text(json.dumps(dict(scored_split='dev', num_dev=5)))
    teacher_name = osp.basename(fake_teacher(args))
    set_weights(args, '64x64', teacher_name)
    plan = plan_rows(args)
    assert [(run['row'], run['seed']) for run in plan] == [('r6-vkdq', 3)]
    assert plan[0]['options']['train_cfg.max_epochs'] == 2
    assert records.data_summary(str(mpii_root))['scored_split'] == 'dev'
    # the attribution study is scored on val: the dev root is refused
    val_args = campaign_args(tmp_path, mpii_root, '--study', 'attribution')
    with pytest.raises(CampaignError, match='scored on val.*scores dev'):
        plan_rows(val_args)
    # r6-vkdq carries a quarter of the measured lambda: without its factor
    # the same config is refused
    written = records.config_loss_weights(
        table.repo_path(table.ROWS['r6-vkdq'].config)
    )
    full = records.config_loss_weights(
        table.repo_path(table.ROWS['r6'].config)
    )
    assert written['loss_vkd'] == full['loss_vkd'] * 0.25
    assert written['loss_fkd'] == full['loss_fkd']
    monkeypatch.setitem(
        table.ROWS,
        'r6-vkdq',
        dataclasses.replace(table.ROWS['r6-vkdq'], weight_factors=()),
    )
    with pytest.raises(CampaignError, match='loss_vkd loss_weight'):
        plan_rows(args)


def test_longer_study_doubles_the_schedule(tmp_path, mpii_root):
    """The longer study trains twice as many epochs with the learning-rate
    step twice as late; the warm-up and everything else stay the row's."""
    args = campaign_args(tmp_path, mpii_root, '--study', 'longer')
    assert args.seeds == [0] and args.epochs is None
    teacher_name = osp.basename(fake_teacher(args))
    set_weights(args, '64x64', teacher_name)
    plan = plan_rows(args)
    assert [run['row'] for run in plan] == ['r1', 'r2', 'multikd']
    for run in plan:
        row_cfg = Config.fromfile(run['config'])
        cfg = Config.fromfile(run['config'])
        cfg.merge_from_dict(run['options'])
        assert cfg.train_cfg.max_epochs == 2 * row_cfg.train_cfg.max_epochs
        assert cfg.train_cfg.val_interval == 1  # the curve, every epoch
        warmup, step = cfg.param_scheduler
        assert warmup == row_cfg.param_scheduler[0]
        assert step.milestones == [
            2 * m for m in row_cfg.param_scheduler[1].milestones
        ]
        assert step.end == cfg.train_cfg.max_epochs
        assert {
            k: v for k, v in step.items() if k not in ('end', 'milestones')
        } == {
            k: v
            for k, v in row_cfg.param_scheduler[1].items()
            if k not in ('end', 'milestones')
        }
    assert records.overrides(args)['schedule_factor'] == 2
    assert 'schedule_factor' not in records.overrides(args, teacher=True)


def scalars(lines):
    return ''.join(json.dumps(line) + '\n' for line in lines)


def fake_logs(work_dir):
    """Two runs' logs: killed during epoch 3, resumed from epoch 2."""
    first = work_dir / '20261204_100000' / 'vis_data'
    second = work_dir / '20261204_120000' / 'vis_data'
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    train = dict(lr=0.002, loss=1.0, data_time=0.01, memory=0)
    first.joinpath('scalars.json').write_text(
        scalars(
            [
                dict(train, time=0.9, step=25),
                dict(train, time=0.5, step=50),
                {'PCK': 10.0, 'PCK@0.1': 1.0, 'step': 1},
                dict(train, time=0.5, step=75),
                {'PCK': 12.0, 'PCK@0.1': 1.5, 'step': 2},
            ]
        )
    )
    second.joinpath('scalars.json').write_text(
        scalars(
            [
                dict(train, time=0.8, step=100),
                dict(train, time=0.6, step=125),
                {'PCK': 14.0, 'PCK@0.1': 2.0, 'step': 3},
                dict(train, time=0.6, step=150),
                {'PCK': 14.5, 'PCK@0.1': 2.0, 'step': 4},
            ]
        )
    )


def test_curve_times_records_and_report(tmp_path, mpii_root):
    work_dir = tmp_path / 'run'
    fake_logs(work_dir)
    curve = val_curve(str(work_dir))
    assert [p['epoch'] for p in curve] == [1, 2, 3, 4]
    assert [p['PCKh'] for p in curve] == [10.0, 12.0, 14.0, 14.5]
    times = iteration_times(str(work_dir), skip=1)
    assert times['lines'] == 4 and times['time_s'] == pytest.approx(0.55)
    assert iteration_times(str(tmp_path / 'none')) == {'lines': 0}

    args = campaign_args(tmp_path, mpii_root, '--rows', 'r1')
    args.seeds = [0, 1]
    for seed, final in ((0, 14.5), (1, 16.5)):
        run = dict(
            row='r1',
            config=table.repo_path(table.ROWS['r1'].config),
            size='64x64',
            seed=seed,
            work_dir=str(work_dir),
            options={},
            teacher=None,
            result=dict(PCKh=final, params_m=1.2, train_s=9.0),
        )
        run['result']['PCKh@0.1'] = 2.0
        path = rows.save_run(run, args)
        record = json.loads(open(path).read())
        assert record['curve'] == curve and record['PCKh'] == final
        assert record['config'].startswith('configs/lsp/ablation/')
    report.part_report(args)
    summary = json.loads((tmp_path / 'out' / 'summary.json').read_text())
    (row,) = summary['rows']
    assert row['PCKh_mean'] == pytest.approx(15.5)
    assert row['PCKh_std'] == pytest.approx(2**0.5)
    # 4 epochs: the last quarter is epoch 3 -> 4
    assert row['last_quarter_gain'] == pytest.approx(0.5)
    assert (tmp_path / 'out' / 'curves.png').read_bytes()[:4] == b'\x89PNG'
    summary_md = (tmp_path / 'out' / 'summary.md').read_text()
    assert '| r1 |' in summary_md and '15.50 ± 1.41' in summary_md
    # the split's mean-pose floor, computed once, in the table and figure
    floor = json.loads((tmp_path / 'out' / 'floor.json').read_text())
    assert 0 <= floor['PCKh'] <= 100 and summary['floor'] == floor
    assert f"| floor: mean pose | - | - | {floor['PCKh']:.2f} |" in summary_md
    # plot_results draws the campaign's summary as it draws an ablation
    plot_results = lab_tool('plot_results')
    drawn = plot_results.load([str(tmp_path / 'out' / 'summary.json')])
    assert [s['name'] for s in drawn['summaries']] == ['r1']
    assert drawn['summaries'][0]['PCKh'] == [14.5, 16.5]
    assert drawn['floor'] == floor
    figure = tmp_path / 'bars.png'
    plot_results.draw(drawn, str(figure), 'LSP')
    assert figure.read_bytes()[:4] == b'\x89PNG'
    # --size keeps one input size's rows and teacher
    sized = dict(
        rows=[
            dict(row='a', config='a.py', size='64x64', PCKh=[1.0]),
            dict(row='b', config='b.py', size='128x128', PCKh=[2.0]),
        ],
        teachers=[
            dict(size='64x64', config='t64.py', PCKh=3.0),
            dict(size='128x128', config='t128.py', PCKh=4.0),
        ],
    )
    only = plot_results.from_campaign_report(sized, '128x128')
    assert [s['name'] for s in only['summaries']] == ['b']
    assert list(only['teachers']) == ['128x128 (t128.py)']
    every = plot_results.from_campaign_report(sized)
    assert len(every['summaries']) == 2 and len(every['teachers']) == 2


def test_teacher_saved_with_records_goes_on_elsewhere(tmp_path, mpii_root):
    """A teacher saved with the records is restored on a machine without
    the cache, and the 128x128 teacher started from it keeps its key."""
    args = campaign_args(tmp_path, mpii_root, '--rows', 'r2-128x128')
    work_dir = fake_teacher(args)
    weights = {'state_dict': {'w': torch.arange(3.0)}, 'meta': {}}
    torch.save(weights, f'{work_dir}/epoch_72.pth')
    result = dict(PCKh=61.0, params_m=9.3, train_s=7000.0)
    result.update({'PCKh@0.1': 12.0, 'checkpoint': f'{work_dir}/epoch_72.pth'})
    Path(work_dir, 'result.json').write_text(json.dumps(result))
    key_128 = osp.basename(teachers.teacher_dir('128x128', args))
    teacher = teachers.find_teacher('64x64', args)
    record_path = teachers.save_teacher('64x64', teacher, args)
    record = json.loads(Path(record_path).read_text())
    exported = tmp_path / 'out' / 'teachers' / f'{osp.basename(work_dir)}.pth'
    assert record['weights']['file'] == exported.name
    assert record['weights']['bytes'] == exported.stat().st_size

    # another machine: the records, no cache
    elsewhere = campaign_args(tmp_path, mpii_root, '--rows', 'r2-128x128')
    elsewhere.teacher_cache = str(tmp_path / 'new-machine' / 'teachers')
    restored = teachers.find_teacher('64x64', elsewhere)
    assert restored['PCKh'] == 61.0
    assert restored['work_dir'].startswith(elsewhere.teacher_cache)
    saved = torch.load(restored['checkpoint'], weights_only=False)
    assert torch.equal(saved['state_dict']['w'], torch.arange(3.0))
    # load_from names the restored checkpoint; the key is the same
    assert osp.basename(teachers.teacher_dir('128x128', elsewhere)) == key_128

    # a tampered file is refused, not used
    shutil.rmtree(elsewhere.teacher_cache)
    exported.write_bytes(exported.read_bytes() + b'\0')
    with pytest.raises(ValueError, match='SHA-256'):
        teachers.find_teacher('64x64', elsewhere)


def test_unfinished_teacher_state_goes_on_elsewhere(tmp_path, mpii_root):
    """``--part teacher-state`` saves a running teacher's last checkpoint
    with the records; a machine without it resumes from there; the
    finished teacher's weights replace the state."""
    args = campaign_args(tmp_path, mpii_root, '--rows', 'r1')
    work_dir = Path(teachers.teacher_dir('64x64', args))
    work_dir.mkdir(parents=True)
    checkpoint = work_dir / 'epoch_40.pth'
    torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': {}}, checkpoint)
    (work_dir / 'last_checkpoint').write_text(str(checkpoint))
    fake_logs(work_dir)
    teachers.part_teacher_state(args)
    saved_teachers = tmp_path / 'out' / 'teachers'
    state = json.loads(
        (saved_teachers / f'{work_dir.name}.state.json').read_text()
    )
    assert state['checkpoint'] == 'epoch_40.pth' and state['parts']

    elsewhere = campaign_args(tmp_path, mpii_root, '--rows', 'r1')
    elsewhere.teacher_cache = str(tmp_path / 'new-machine')
    there = teachers.teacher_dir('64x64', elsewhere)
    assert osp.basename(there) == work_dir.name
    teachers.restore_teacher_state('64x64', there, elsewhere)
    assert teachers.has_checkpoint(there)
    assert val_curve(there) == val_curve(str(work_dir))
    assert plan_rows(elsewhere)[0]['status'] == 'new'  # rows
    # the teacher finishes: its weights are saved, its state removed
    result = dict(PCKh=60.0, params_m=9.3, train_s=1.0, checkpoint=checkpoint)
    result['PCKh@0.1'] = 11.0
    (work_dir / 'result.json').write_text(json.dumps(result, default=str))
    teachers.save_teacher('64x64', teachers.find_teacher('64x64', args), args)
    kept = sorted(
        [f'{work_dir.name}.pth', 'simcc_hrnet-w18_1xb32-72e_lspet-64x64.json']
    )
    assert sorted(p.name for p in saved_teachers.iterdir()) == kept
    # a state left beside an already saved teacher goes at the next run
    (saved_teachers / f'{work_dir.name}.state.part0').write_bytes(b'old')
    teachers.part_teacher(args)
    assert sorted(p.name for p in saved_teachers.iterdir()) == kept


@pytest.mark.slow
def test_campaign_end_to_end(tmp_path):
    """teacher -> rows refused -> weights -> rows (r1, r6; a killed r1 run
    resumes) -> the same command again reuses everything -> report."""
    from mmpose_multikd.data_prep import generate_synthetic_mpii
    from multikd_lab.experiments import experiment_options, run_experiment

    data_root = tmp_path / 'data'
    # 40 train images: the weight rule reads whole batches of 32
    generate_synthetic_mpii(str(data_root), 40, 4, 96, seed=0)
    common = [
        '--data-root',
        str(data_root),
        '--work-root',
        str(tmp_path / 'work'),
        '--teacher-cache',
        str(tmp_path / 'teachers'),
        '--out',
        str(tmp_path / 'out'),
        '--weights-dir',
        str(tmp_path / 'weights'),
        '--tiny',
        '--epochs',
        '2',
        '--teacher-epochs',
        '1',
        '--jobs',
        '1',
    ]

    def tool(*args, ok=True):
        result = subprocess.run(
            [*lab_command('run_lsp_campaign'), *args, *common],
            capture_output=True,
            text=True,
            timeout=1200,
            env=lab_env(OMP_NUM_THREADS='1'),
        )
        output = result.stdout + result.stderr
        assert (result.returncode == 0) == ok, output[-4000:]
        return output

    out = tool('--part', 'teacher', '--rows', 'r2-128x128', '--dry-run')
    assert 'teacher 128x128: waits' in out
    # the 128x128 teacher: the 64x64 one first, then fine-tuned from it
    out = tool('--part', 'teacher', '--rows', 'r1', 'r2-128x128')
    assert 'size mismatch for head.mlp_head_x.weight' in out
    records = sorted((tmp_path / 'out' / 'teachers').glob('*.json'))
    teachers = {
        record['size']: record
        for record in (json.loads(path.read_text()) for path in records)
    }
    assert teachers['64x64']['curve'] and teachers['128x128']['curve']
    assert teachers['128x128']['started_from'] == teachers['64x64']['cache']
    out = tool('--part', 'teacher')
    assert 'teacher 64x64: cached' in out and 'Epoch(train)' not in out
    out = tool('--part', 'rows', '--rows', 'r6', '--seeds', '0', ok=False)
    assert 'refused: r6: the loss weights of configs/lsp/multikd' in out
    out = tool('--part', 'weights', '--rows', 'r6', '--batches', '1')
    assert 'write these in the lsp_weights of' in out
    measured = json.loads(
        (tmp_path / 'out' / 'loss_scales_64x64.json').read_text()
    )
    (full,) = measured['results']
    assert all(term['weight'] > 0 for term in full['terms'])
    # generated data measure other numbers than the configs carry: refused
    out = tool('--part', 'rows', '--rows', 'r6', '--seeds', '0', ok=False)
    assert 'write that value in the config' in out
    # as if the measured numbers were written in the config
    set_weights(
        argparse.Namespace(out=str(tmp_path / 'out')),
        '64x64',
        measured['teacher'],
    )

    # r1 seed 0 killed after its first epoch: a checkpoint, no result
    r1 = table.repo_path(table.ROWS['r1'].config)
    killed = tmp_path / 'work' / 'multikd_litehrnet18_lspet_r1_baseline'
    options = experiment_options(str(data_root), 0, epochs=2, tiny=True)
    options['default_hooks.checkpoint.interval'] = 1
    options['train_cfg.max_epochs'] = 1
    run_experiment(r1, str(killed / 'seed0'), options)
    (killed / 'seed0' / 'result.json').unlink()

    out = tool('--part', 'rows', '--rows', 'r1', 'r6', '--seeds', '0')
    assert re.search(r'r1 seed 0: resume', out)
    assert 'resumed epoch: 1' in out
    for name in ('r1_baseline', 'r6_cs-mft-wa-vkd'):
        record = json.loads(
            (
                tmp_path
                / 'out'
                / 'runs'
                / f'multikd_litehrnet18_lspet_{name}'
                / 'seed0.json'
            ).read_text()
        )
        assert record['curve'][-1]['epoch'] == 2
        assert 0 <= record['PCKh'] <= 100
    assert record['loss_weights']['loss_fkd'] == 0.0063  # the config's
    assert record['training'][-1]['epoch'] == 2  # the per-epoch record
    out = tool('--part', 'rows', '--rows', 'r1', 'r6', '--seeds', '0')
    assert len(re.findall(r'seed 0: finished', out)) == 2
    assert 'Epoch(train)' not in out
    tool('--part', 'report')
    summary = json.loads((tmp_path / 'out' / 'summary.json').read_text())
    assert [row['row'] for row in summary['rows']] == ['r1', 'r6']
