# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``multikd_lab.tools.demo --tiny`` and ``multikd_lab.tools.run_ablation
--tiny`` end to end.

Generated data (8 train / 4 val images), one epoch per model: proves the
main job runs through MMEngine's Runner and writes its results files.
"""

import json
import re
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT

from ..helpers import lab_env, lab_tool

TOOLS = REPO_ROOT / 'tools'


def run_tool(*args: str, cwd) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=lab_env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return result.stdout


@pytest.mark.slow
def test_demo_then_ablation(tmp_path):
    data_root, demo_dir = tmp_path / 'data', tmp_path / 'demo'
    cache = tmp_path / 'teachers'
    stdout = run_tool(
        '-m',
        'multikd_lab.tools.demo',
        '--tiny',
        '--data-root',
        str(data_root),
        '--work-dir',
        str(demo_dir),
        '--teacher-cache',
        str(cache),
        cwd=tmp_path,
    )
    assert 'Training the teacher into the cache' in stdout
    assert (data_root / 'annotations' / 'mpii_gt_val.mat').is_file()

    results = json.loads((demo_dir / 'results.json').read_text())
    names = [row['name'] for row in results['rows']]
    assert names == [
        'teacher: SimDR HRNet-W18',
        'student alone: SimDR LiteHRNet-18',
        'student with Multi-KD: SimDR LiteHRNet-18',
    ]
    for row in results['rows']:
        assert 0.0 <= row['PCKh'] <= 100.0
        assert row['train_s'] > 0
    # the distilled model's deployed size is the student's
    assert results['rows'][1]['params_m'] == results['rows'][2]['params_m']
    assert results['rows'][0]['params_m'] > results['rows'][1]['params_m']
    assert 0.0 <= results['floor']['PCKh'] <= 100.0
    table = (demo_dir / 'results.md').read_text()
    assert table.count('\n| ') == 5  # header + 3 models + floor
    assert '| floor: mean pose |' in stdout
    # The two students trained side by side: the Multi-KD run on the
    # console, the student alone in its own console.log.
    side_log = demo_dir / 'simcc_litehrnet18_demo'
    side_log = (side_log / 'console.log').read_text()
    assert 'Epoch(train)' in side_log and 'loss_fkd' not in side_log
    assert 'loss_fkd' in stdout

    # the teacher was trained into the cache, and the ablation reuses it
    teacher_ckpt = results['rows'][0]['checkpoint']
    assert teacher_ckpt.startswith(str(cache))
    ablation_dir = tmp_path / 'ablation'
    rows = sorted((REPO_ROOT / 'configs' / 'demo' / 'ablation').glob('*.py'))
    ablation_stdout = run_tool(
        '-m',
        'multikd_lab.tools.run_ablation',
        str(rows[0]),
        str(rows[-1]),
        '--seeds',
        '0',
        '1',
        '--epochs',
        '1',
        '--tiny',
        '--jobs',
        '2',
        '--teacher-cache',
        str(cache),
        '--data-root',
        str(data_root),
        '--work-dir',
        str(ablation_dir),
        cwd=tmp_path,
    )
    assert 'Reusing the cached teacher' in ablation_stdout
    config = json.loads(
        (ablation_dir / rows[-1].stem / 'seed0' / 'result.json').read_text()
    )
    assert config['PCKh'] >= 0
    summary = json.loads((ablation_dir / 'ablation.json').read_text())
    assert [s['name'] for s in summary['summaries']] == [
        'multikd_litehrnet18_demo_r1_baseline',
        'multikd_litehrnet18_demo_r6_cs-mft-wa-vkd',
    ]
    for s in summary['summaries']:
        assert s['seeds'] == [0, 1] and len(s['PCKh']) == 2
        # --jobs 2: every run trained in its own process, logging there.
        for seed in (0, 1):
            log = ablation_dir / s['name'] / f'seed{seed}' / 'console.log'
            assert 'Epoch(train)' in log.read_text()
    # Progress: every run is queued, started and reported when finished.
    for line in (r'queued \S+ \(log: ', r'started ', r'finished .+: PCKh'):
        assert len(re.findall(f'^{line}', ablation_stdout, re.M)) == 4, line
    markdown = (ablation_dir / 'ablation.md').read_text()
    assert len(re.findall(r'[\d.]+ ± [\d.]+', markdown)) == 4

    # the teacher and the floor are recorded beside the rows, and drawn
    assert summary['floor']['PCKh'] == results['floor']['PCKh']
    (teacher,) = summary['teachers'].values()
    assert teacher['checkpoint'] == teacher_ckpt
    assert teacher['PCKh'] == results['rows'][0]['PCKh']
    figure = tmp_path / 'results.png'
    run_tool(
        '-m',
        'multikd_lab.tools.plot_results',
        str(ablation_dir / 'ablation.json'),
        '--out',
        str(figure),
        cwd=tmp_path,
    )
    assert figure.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'

    # the gamma heat map of the trained full method (row 6)
    run_dir = ablation_dir / rows[-1].stem / 'seed0'
    png = tmp_path / 'gamma.png'
    run_tool(
        str(TOOLS / 'analysis' / 'vis_attention_weights.py'),
        str(rows[-1]),
        str(run_dir / 'epoch_1.pth'),
        '--data-root',
        str(data_root),
        '--out',
        str(png),
        cwd=tmp_path,
    )
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    grids = json.loads((tmp_path / 'gamma.json').read_text())
    assert grids['weight_adaptation'] and grids['num_samples'] == 4
    valid = {tuple(pair) for pair in grids['valid_pairs']}
    gamma = grids['gamma']
    # each sample's weights are a softmax over the valid pairs: the means
    # sum to 1 there and are 0 elsewhere; distances are positive
    assert abs(sum(gamma[t][s] for t, s in valid) - 1) < 1e-5
    for t, row in enumerate(gamma):
        for s, value in enumerate(row):
            assert (value > 0) == ((t, s) in valid)
            assert (grids['distance'][t][s] > 0) == ((t, s) in valid)


def load_run_ablation():
    return lab_tool('run_ablation')


def test_finished_runs_are_reused_only_for_the_same_config(tmp_path):
    run_ablation = load_run_ablation()
    config = str(REPO_ROOT / 'configs' / 'demo' / 'x.py')
    assert run_ablation.finished_run(str(tmp_path), config) is None
    result = dict(config=config, PCKh=12.5, **{'PCKh@0.1': 1.0})
    (tmp_path / 'result.json').write_text(json.dumps(result))
    assert run_ablation.finished_run(str(tmp_path), config) == result
    other = str(REPO_ROOT / 'configs' / 'demo' / 'y.py')
    assert run_ablation.finished_run(str(tmp_path), other) is None
