# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A cached teacher carried to another machine: its weights once finished,
its training state (in parts) while it is not."""

import json
import os

import pytest
import torch
from mmengine.runner import load_checkpoint
from mmpose.apis import init_model

from multikd_lab.experiments import (
    cached_teacher_dir,
    experiment_options,
    export_teacher,
    export_training_state,
    file_sha256,
    last_checkpoint,
    read_cached_teacher,
    restore_teacher,
    restore_training_state,
    val_curve,
)
from multikd_lab.experiments.teacher_export import EXPORT_KEY
from tests.helpers import REPO_ROOT

TEACHER = str(REPO_ROOT / 'configs' / 'demo' / 'simcc_hrnet-w18_demo.py')


def finished_teacher(cache_dir, data_root):
    """A cache folder as ``cached_teacher`` leaves it: an MMEngine
    checkpoint with the training state, and ``result.json``."""
    work_dir = cached_teacher_dir(
        TEACHER,
        str(data_root),
        experiment_options(str(data_root), 0),
        cache_dir=str(cache_dir),
    )
    os.makedirs(work_dir)
    model = init_model(TEACHER, device='cpu')
    torch.manual_seed(0)
    for param in model.parameters():  # not the initialisation
        param.data.normal_()
    checkpoint = os.path.join(work_dir, 'epoch_36.pth')
    torch.save(
        {
            'meta': {'epoch': 36, 'iter': 360},
            'state_dict': model.state_dict(),
            'optimizer': {'state': {0: torch.ones(1000)}},
        },
        checkpoint,
    )
    result = {'PCKh': 51.5, 'PCKh@0.1': 9.5, 'checkpoint': checkpoint}
    with open(os.path.join(work_dir, 'result.json'), 'w') as f:
        json.dump(result, f)
    return work_dir, model


def test_export_then_restore_elsewhere(mpii_root, tmp_path):
    work_dir, model = finished_teacher(tmp_path / 'here', mpii_root)
    out_file = str(tmp_path / 'records' / 'teacher.pth')
    saved = export_teacher(work_dir, out_file)
    assert saved == dict(
        file='teacher.pth',
        sha256=file_sha256(out_file),
        bytes=os.path.getsize(out_file),
    )
    exported = torch.load(out_file, weights_only=False)
    assert 'optimizer' not in exported  # weights, not the training state
    assert exported['meta'] == {'epoch': 36, 'iter': 360}
    assert exported[EXPORT_KEY]['cache'] == os.path.basename(work_dir)
    assert not os.path.exists(f'{out_file}.partial')

    # another machine: the same key under another cache folder
    there = cached_teacher_dir(
        TEACHER,
        str(mpii_root),
        experiment_options(str(mpii_root), 0),
        cache_dir=str(tmp_path / 'there'),
    )
    assert read_cached_teacher(there) is None
    restored = restore_teacher(out_file, there, saved['sha256'])
    assert restored == read_cached_teacher(there)
    assert restored['PCKh'] == 51.5 and restored['PCKh@0.1'] == 9.5
    assert restored['checkpoint'] == os.path.join(there, 'epoch_36.pth')
    # MMEngine loads the restored checkpoint into the teacher, bit for bit
    fresh = init_model(TEACHER, device='cpu')
    load_checkpoint(fresh, restored['checkpoint'], map_location='cpu')
    for name, value in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[name], value), name
    # a finished cache folder is left as it is
    assert restore_teacher('no such file', there) == restored


def test_restore_refuses_what_is_not_this_teacher(mpii_root, tmp_path):
    work_dir, _ = finished_teacher(tmp_path / 'here', mpii_root)
    out_file = str(tmp_path / 'teacher.pth')
    saved = export_teacher(work_dir, out_file)
    other_seed = cached_teacher_dir(
        TEACHER,
        str(mpii_root),
        experiment_options(str(mpii_root), 1),
        cache_dir=str(tmp_path / 'there'),
    )
    with pytest.raises(ValueError, match='another config, seed or data'):
        restore_teacher(out_file, other_seed)
    assert not os.path.exists(other_seed)

    with open(out_file, 'ab') as f:
        f.write(b'\0')
    same = work_dir.replace(str(tmp_path / 'here'), str(tmp_path / 'there'))
    with pytest.raises(ValueError, match='SHA-256'):
        restore_teacher(out_file, same, saved['sha256'])
    assert read_cached_teacher(same) is None

    torch.save({'state_dict': {}}, out_file)
    with pytest.raises(ValueError, match='not an exported teacher'):
        restore_teacher(out_file, same)

    with pytest.raises(FileNotFoundError, match='no finished teacher'):
        export_teacher(str(tmp_path / 'empty'), out_file)


def killed_run(work_dir, payload: bytes):
    """A work dir as MMEngine leaves a killed run: a checkpoint named by
    ``last_checkpoint``, and the logs of two runs (killed, resumed)."""
    os.makedirs(work_dir)
    checkpoint = os.path.join(work_dir, 'epoch_3.pth')
    with open(checkpoint, 'wb') as f:
        f.write(payload)
    with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(checkpoint)
    for run, epoch in (('20261205_080000', 1), ('20261205_090000', 3)):
        logs = os.path.join(work_dir, run, 'vis_data')
        os.makedirs(logs)
        line = {'PCK': 10.0 + epoch, 'PCK@0.1': 1.0, 'step': epoch}
        with open(os.path.join(logs, 'scalars.json'), 'w') as f:
            f.write(json.dumps(line) + '\n')


def test_training_state_in_parts_resumes_elsewhere(tmp_path):
    payload = os.urandom(1000)
    here = str(tmp_path / 'here' / 'teacher-0123')
    killed_run(here, payload)
    prefix = str(tmp_path / 'records' / 'teacher-0123.state')
    state = export_training_state(here, prefix, chunk_bytes=300)
    assert state['parts'] == [f'teacher-0123.state.part{k}' for k in range(4)]
    sizes = [os.path.getsize(f'{prefix}.part{k}') for k in range(4)]
    assert sizes == [300, 300, 300, 100]
    assert state['bytes'] == 1000 and state['checkpoint'] == 'epoch_3.pth'
    assert state['cache'] == 'teacher-0123' and len(state['logs']) == 2

    there = str(tmp_path / 'there' / 'teacher-0123')
    assert last_checkpoint(there) is None
    records = str(tmp_path / 'records')
    checkpoint = restore_training_state(state, records, there)
    assert last_checkpoint(there) == checkpoint
    assert checkpoint == os.path.join(there, 'epoch_3.pth')
    with open(checkpoint, 'rb') as f:
        assert f.read() == payload
    assert val_curve(there) == val_curve(here)
    assert [p['epoch'] for p in val_curve(there)] == [1, 3]
    # a folder with a checkpoint of its own is left alone
    assert restore_training_state(state, records, there) is None


def test_training_state_refuses_what_does_not_match(tmp_path):
    here = str(tmp_path / 'here' / 'teacher-0123')
    killed_run(here, os.urandom(1000))
    records = tmp_path / 'records'
    state = export_training_state(
        here, str(records / 'teacher-0123.state'), chunk_bytes=400
    )
    with pytest.raises(ValueError, match='another config, seed or data'):
        restore_training_state(state, str(records), str(tmp_path / 'other'))

    there = str(tmp_path / 'there' / 'teacher-0123')
    part = records / 'teacher-0123.state.part1'
    damaged = part.read_bytes()
    # flip the first byte: the part always differs from the recorded one
    part.write_bytes(bytes([damaged[0] ^ 0xFF]) + damaged[1:])
    with pytest.raises(ValueError, match='not the recorded checkpoint'):
        restore_training_state(state, str(records), there)
    assert last_checkpoint(there) is None
    assert os.listdir(there) == []  # no half-restored checkpoint

    part.unlink()
    with pytest.raises(FileNotFoundError, match='missing parts'):
        restore_training_state(state, str(records), there)

    with pytest.raises(FileNotFoundError, match='no checkpoint to resume'):
        export_training_state(str(tmp_path / 'there'), str(records / 'x'))
