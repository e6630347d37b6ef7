# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The LSP teachers restore on any machine: the converted data's bytes (and
so the teacher cache key) do not depend on where or on which processor the
data was converted, the documented conversion of LSPet gives the committed
records' keys, and the campaign never trains a recorded teacher silently."""

import json
import os
import os.path as osp
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mmpose_multikd.data_prep.lsp import convert_lsp_to_mpii, head_box
from multikd_lab.experiments import experiment_options, teacher_key
from multikd_lab.lsp_campaign import teachers
from multikd_lab.lsp_campaign.settings import CampaignError
from tests.helpers import REPO_ROOT
from tests.test_tools.test_lsp2mpii import lspet_dir  # noqa: F401 (fixture)

from .test_lsp_campaign import campaign_args, fake_teacher

LSPET = REPO_ROOT.parent / 'shared' / 'data' / 'lspet'
TEACHER_64 = REPO_ROOT / 'configs/lsp/simcc_hrnet-w18_1xb32-72e_lspet-64x64.py'
RECORDS = REPO_ROOT / 'docs' / 'data' / 'lsp' / 'teachers'
# The command of docs/lsp.md ("Rules"), on the shared LSPet copy.
CONVERT = [
    sys.executable,
    str(REPO_ROOT / 'tools' / 'dataset_converters' / 'lsp2mpii.py'),
    str(LSPET),
    '{out}',
    '--num-val',
    '1000',
    '--num-train',
    '4000',
    '--seed',
    '0',
]
# OpenBLAS kernels of two processor generations: AVX2 (Haswell) and
# AVX-512 (SkylakeX, which falls back to an older kernel on a processor
# without AVX-512)
KERNELS = ('Haswell', 'SkylakeX')


def convert(out: Path, kernel: str = '') -> None:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    if kernel:
        env['OPENBLAS_CORETYPE'] = kernel
    command = [str(out) if part == '{out}' else part for part in CONVERT]
    subprocess.run(command, check=True, env=env, capture_output=True)


def test_same_bytes_from_another_folder_keep_the_teacher_key(
    lspet_dir,  # noqa: F811
    tmp_path,
):
    """The converter records its absolute source paths; the teacher cache
    key covers the data's bytes, not where they were converted from."""
    src, _, _ = lspet_dir
    elsewhere = tmp_path / 'another' / 'copy_of_lspet'
    shutil.copytree(src, elsewhere)
    teacher = str(
        REPO_ROOT / 'configs/lsp/simcc_hrnet-w18_1xb32-72e_lspet-64x64.py'
    )
    keys = []
    for source, out in ((src, 'a'), (str(elsewhere), 'b')):
        root = str(tmp_path / out)
        convert_lsp_to_mpii(source, root, num_val=6, num_train=10, seed=1)
        record = json.loads((tmp_path / out / 'lsp2mpii.json').read_text())
        assert record['source'] == osp.abspath(source)
        keys.append(teacher_key(teacher, root, experiment_options(root, 0)))
    assert keys[0] == keys[1]
    # other bytes: another key
    first_train = tmp_path / 'b' / 'annotations' / 'mpii_train.json'
    first_train.write_text(first_train.read_text().replace('1', '2', 1))
    root = str(tmp_path / 'b')
    assert teacher_key(teacher, root, experiment_options(root, 0)) != keys[0]


def test_head_box_is_plain_float_arithmetic():
    """The head box's segment length is ``sqrt(dx^2 + dy^2)`` rounded once
    per operation (no BLAS kernel in it), as a naive computation gives."""
    rng = np.random.default_rng(0)
    for neck, top in rng.uniform(0, 500, (200, 2, 2)):
        dx, dy = float(top[0] - neck[0]), float(top[1] - neck[1])
        side = (dx * dx + dy * dy) ** 0.5 / (0.6 * 2**0.5)
        centre = (neck + top) / 2
        expected = np.stack([centre - side / 2, centre + side / 2])
        assert np.array_equal(head_box(neck, top), expected)


def stack_differs_from_the_records() -> str:
    """Why the records' keys cannot be expected here ('' when they can):
    the key covers the resolved teacher config, MMPose's own base configs
    included, so the records hold on the stack of
    requirements/constraints/default.txt."""
    import mmengine
    import mmpose

    pins = dict(
        line.strip().split('==')
        for line in (
            REPO_ROOT / 'requirements' / 'constraints' / 'default.txt'
        )
        .read_text()
        .splitlines()
        if '==' in line and not line.startswith('#')
    )
    found = {'mmpose': mmpose.__version__, 'mmengine': mmengine.__version__}
    differ = [
        f'{name} {version} (records: {pins.get(name)})'
        for name, version in found.items()
        if pins.get(name) != version
    ]
    return ', '.join(differ)


@pytest.mark.skipif(
    not LSPET.is_dir(), reason=f'{LSPET} is absent: the LSPet photographs'
)
def test_documented_conversion_gives_the_recorded_teacher_keys(tmp_path):
    """The documented conversion, under the OpenBLAS kernels of two
    processor generations, gives byte-identical data and (on the stack the
    records were made with) the 64x64 teacher key of the committed record;
    the 128x128 key follows."""
    digests = []
    for kernel in KERNELS:
        out = tmp_path / kernel
        convert(out, kernel)
        digests.append(
            {
                path.name: path.read_bytes()
                for path in sorted((out / 'annotations').iterdir())
            }
        )
    assert digests[0] == digests[1]
    other_stack = stack_differs_from_the_records()
    if other_stack:
        pytest.skip(
            f'the data is byte-identical; the keys on record were made '
            f'with the default stack, this one has {other_stack}'
        )
    root = str(tmp_path / KERNELS[0])
    record = json.loads(
        (RECORDS / 'simcc_hrnet-w18_1xb32-72e_lspet-64x64.json').read_text()
    )
    key = teacher_key(str(TEACHER_64), root, experiment_options(root, 0))
    assert f'{TEACHER_64.stem}-{key}' == record['cache']

    # the 128x128 teacher starts from the 64x64 one (load_from its cached
    # checkpoint): with that checkpoint in place its key is the record's
    args = campaign_args(tmp_path, root, '--rows', 'r2-128x128')
    fake_teacher(args)
    record_128 = json.loads(
        (RECORDS / 'simcc_hrnet-w18_1xb32-12e_lspet-128x128.json').read_text()
    )
    assert (
        osp.basename(teachers.teacher_dir('128x128', args))
        == (record_128['cache'])
    )


def test_a_recorded_teacher_is_never_trained_silently(
    tmp_path,
    mpii_root,
    monkeypatch,
):
    """A record of the teacher under another key, or under this key with
    its weights file missing, stops ``--part teacher`` with both keys (or
    the file) named, unless ``--train-teacher``."""
    args = campaign_args(tmp_path, mpii_root, '--part', 'teacher')
    args.part, args.rows = 'teacher', ['r1']
    here = osp.basename(teachers.teacher_dir('64x64', args))
    trained = []
    monkeypatch.setattr(
        teachers,
        'cached_teacher',
        lambda *a, **k: trained.append(a) or {'cached': False},
    )
    monkeypatch.setattr(teachers, 'save_teacher', lambda *a, **k: None)
    record_path = Path(teachers.teacher_record_path(args.out, '64x64'))
    record_path.parent.mkdir(parents=True)

    # recorded under another key: both keys are named
    other = 'simcc_hrnet-w18_1xb32-72e_lspet-64x64-0123456789abcdef'
    record_path.write_text(json.dumps(dict(cache=other)))
    with pytest.raises(CampaignError) as error:
        teachers.part_teacher(args)
    message = str(error.value)
    assert here.rsplit('-', 1)[1] in message
    assert '0123456789abcdef' in message and '--train-teacher' in message
    assert trained == []

    # recorded under this key, its weights file missing
    record_path.write_text(json.dumps(dict(cache=here)))
    with pytest.raises(CampaignError, match='weights are neither in'):
        teachers.part_teacher(args)
    assert trained == []

    # --train-teacher trains it
    args.train_teacher = True
    teachers.part_teacher(args)
    assert len(trained) == 1

    # no record at all (a new campaign): it trains
    args.train_teacher = False
    record_path.unlink()
    teachers.part_teacher(args)
    assert len(trained) == 2
