# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""MMEngine checkpoints load under torch's ``weights_only=True`` default."""

import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint

import mmpose_multikd  # noqa: F401  (allow-lists the globals)


def mmengine_style_checkpoint() -> dict:
    """What ``Runner.save_checkpoint`` writes besides the weights."""
    hub = MessageHub.get_instance('test_checkpoint_compat')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', np.float64(0.25))
    hub.update_info('iter', 3)
    return {
        'meta': {
            'epoch': 1,
            'iter': 3,
            'seed': np.int64(7),
            'dataset_meta': {
                'flip_indices': [5, 4, 3, 2, 1, 0],
                'sigmas': np.array([0.089, 0.087], dtype=np.float32),
                'dtype': np.dtype('float32'),
            },
        },
        'message_hub': hub.state_dict(),
        'state_dict': {'weight': torch.arange(4.0).reshape(2, 2)},
    }


@pytest.mark.skipif(
    not hasattr(torch.serialization, 'add_safe_globals'),
    reason=f'torch {torch.__version__} has no weights_only allow-list '
    '(torch 2.4 added it; before 2.6 torch.load and MMEngine load with '
    'weights_only=False, so nothing needs allowing)',
)
def test_weights_only_load_of_mmengine_checkpoint(tmp_path):
    path = str(tmp_path / 'epoch_1.pth')
    save_checkpoint(mmengine_style_checkpoint(), path)

    loaded = torch.load(path, weights_only=True)
    assert loaded['meta']['seed'] == 7
    np.testing.assert_allclose(
        loaded['meta']['dataset_meta']['sigmas'], [0.089, 0.087]
    )
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert buffer.mean() == 0.375

    model = torch.nn.Linear(2, 2, bias=False)
    model.weight.data.zero_()
    load_checkpoint(model, path, strict=True)  # MMEngine's own loader
    assert torch.equal(model.weight.data, torch.arange(4.0).reshape(2, 2))


def test_without_plugin_the_load_fails(tmp_path):
    """Proves the test above can fail: plain torch refuses the same file."""
    path = str(tmp_path / 'epoch_1.pth')
    save_checkpoint(mmengine_style_checkpoint(), path)
    code = (
        'import torch, sys\n'
        'try:\n'
        f'    torch.load({path!r}, weights_only=True)\n'
        'except Exception as e:\n'
        '    print(type(e).__name__); sys.exit(0)\n'
        'sys.exit(1)\n'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert 'UnpicklingError' in result.stdout
