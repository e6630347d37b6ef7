# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""What ``pip install`` ships is the method and its MMPose integration: the
wheel holds no experiment lab (campaigns, reports, timing harnesses), and
``import mmpose_multikd`` imports none of it."""

import json
import shutil
import subprocess
import sys
import zipfile

from ..helpers import REPO_ROOT

LAB_WORDS = ('multikd_lab', 'experiments', 'benchmarking', 'campaign')


def test_import_loads_no_lab_module():
    code = (
        'import json, sys; import mmpose_multikd; '
        'print(json.dumps(sorted(sys.modules)))'
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, '-c', code],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
    )
    assert 'mmpose_multikd.models' in loaded  # the check sees the package
    lab = [m for m in loaded if any(w in m for w in LAB_WORDS)]
    assert not lab, f'import mmpose_multikd loads lab modules: {lab}'


def test_wheel_holds_no_lab(tmp_path):
    # a copy of the tree (lab included), so that the build leaves nothing
    # in the repository
    source = tmp_path / 'source'
    shutil.copytree(
        REPO_ROOT,
        source,
        ignore=shutil.ignore_patterns(
            '.git', '.venv*', 'work_dirs', 'data', '__pycache__', 'build'
        ),
    )
    assert (source / 'multikd_lab').is_dir()
    subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'wheel',
            '--no-deps',
            '--no-build-isolation',
            '--quiet',
            '-w',
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob('mmpose_multikd-*.whl')
    names = zipfile.ZipFile(wheel).namelist()
    assert 'mmpose_multikd/models/distillers/multikd_distiller.py' in names
    assert 'mmpose_multikd/engine/hooks/training_record_hook.py' in names
    lab = [n for n in names if any(w in n for w in LAB_WORDS)]
    assert not lab, f'the wheel ships lab files: {lab}'
