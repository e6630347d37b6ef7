# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The demo teacher cache: what its key depends on, what counts as cached."""

import json
import shutil

from multikd_lab.experiments import (
    cached_teacher_dir,
    data_fingerprint,
    experiment_options,
    teacher_key,
)
from multikd_lab.experiments.teacher_cache import read_cached_teacher
from tests.helpers import REPO_ROOT

TEACHER = str(REPO_ROOT / 'configs' / 'demo' / 'simcc_hrnet-w18_demo.py')


def key(data_root, seed=0):
    return teacher_key(
        TEACHER, str(data_root), experiment_options(str(data_root), seed)
    )


def test_key_follows_seed_data_and_config_not_the_folder(mpii_root, tmp_path):
    base = key(mpii_root)
    assert len(base) == 16 and key(mpii_root) == base
    assert key(mpii_root, seed=1) != base

    moved = tmp_path / 'elsewhere' / 'mpii'
    shutil.copytree(mpii_root, moved)
    assert data_fingerprint(str(moved)) == data_fingerprint(str(mpii_root))
    assert key(moved) == base  # same bytes in another place: same teacher

    image = next((moved / 'images').iterdir())
    image.write_bytes(image.read_bytes() + b'\0')
    assert key(moved) != base  # other data: another teacher

    options = experiment_options(str(mpii_root), 0, epochs=5)
    assert teacher_key(TEACHER, str(mpii_root), options) != base
    # a helper variable of the config files is not part of the run
    options = dict(experiment_options(str(mpii_root), 0), demo_unused=3)
    assert teacher_key(TEACHER, str(mpii_root), options) == base


def test_only_a_finished_run_counts_as_cached(mpii_root, tmp_path):
    work_dir = cached_teacher_dir(
        TEACHER,
        str(mpii_root),
        experiment_options(str(mpii_root), 0),
        cache_dir=str(tmp_path),
    )
    assert work_dir.startswith(str(tmp_path / 'simcc_hrnet-w18_demo-'))
    assert read_cached_teacher(work_dir) is None
    (tmp_path / work_dir).mkdir(parents=True)
    checkpoint = tmp_path / work_dir / 'epoch_36.pth'
    result = {'PCKh': 50.0, 'checkpoint': str(checkpoint)}
    with open(f'{work_dir}/result.json', 'w') as f:
        json.dump(result, f)
    assert read_cached_teacher(work_dir) is None  # checkpoint missing
    checkpoint.write_bytes(b'weights')
    assert read_cached_teacher(work_dir) == result
    # a moved cache folder still counts: the checkpoint is found there
    moved = tmp_path / 'moved'
    shutil.move(work_dir, moved)
    assert read_cached_teacher(str(moved)) == dict(
        result, checkpoint=str(moved / 'epoch_36.pth')
    )
