# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Model-zoo checkpoints: ``model.teacher_ckpt`` and the student's
``init_cfg`` take what MMEngine's checkpoint loader takes, an ``http://``
URL included. A local HTTP server on 127.0.0.1 serves the files; nothing
leaves the machine."""

import functools
import http.server
import threading

import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from ...helpers import REPO_ROOT

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py'
TEACHER_CFG = TINY / 'simcc_hrnet-w32_tiny_mpii-64x64.py'
STUDENT_CFG = TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py'


def save_network(config, path, part=None):
    """Build the network of ``config`` and save its (or its ``part``'s)
    state dict as a checkpoint; returns the network."""
    network = MODELS.build(Config.fromfile(str(config)).model)
    module = network if part is None else getattr(network, part)
    torch.save({'state_dict': module.state_dict()}, path)
    return network


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path, monkeypatch):
    """``(folder, base URL)``: files put in the folder are served over
    HTTP on 127.0.0.1 while the test runs; downloads land in a temporary
    torch hub cache."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    folder = tmp_path / 'zoo'
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_teacher_from_a_url_loads_strictly(served):
    folder, url = served
    torch.manual_seed(1)
    name = 'simcc_hrnet-w32_tiny-1a2b3c4d.pth'
    trained = save_network(TEACHER_CFG, folder / name)

    cfg = Config.fromfile(str(DISTILLER_CFG))
    cfg.model.teacher_ckpt = f'{url}/{name}'
    torch.manual_seed(2)
    distiller = MODELS.build(cfg.model)
    distiller.init_weights()
    for key, value in trained.state_dict().items():
        assert torch.equal(distiller.teacher.state_dict()[key], value), key

    # a URL that serves nothing names the URL
    cfg.model.teacher_ckpt = f'{url}/missing.pth'
    distiller = MODELS.build(cfg.model)
    with pytest.raises(RuntimeError, match='missing.pth.*could not be read'):
        distiller.init_weights()


def test_teacher_url_of_another_architecture_is_refused(served):
    folder, url = served
    save_network(STUDENT_CFG, folder / 'other.pth')
    cfg = Config.fromfile(str(DISTILLER_CFG))
    cfg.model.teacher_ckpt = f'{url}/other.pth'
    distiller = MODELS.build(cfg.model)
    with pytest.raises(RuntimeError, match='does not match the teacher'):
        distiller.init_weights()


def test_student_init_cfg_from_a_url(served):
    folder, url = served
    torch.manual_seed(3)
    pretrained = save_network(STUDENT_CFG, folder / 'backbone.pth', 'backbone')
    teacher_path = folder / 'teacher.pth'
    save_network(TEACHER_CFG, teacher_path)

    cfg = Config.fromfile(str(DISTILLER_CFG))
    cfg.model.teacher_ckpt = str(teacher_path)
    cfg.model.student.backbone.init_cfg = dict(
        type='Pretrained', checkpoint=f'{url}/backbone.pth'
    )
    torch.manual_seed(4)
    distiller = MODELS.build(cfg.model)
    distiller.init_weights()
    for key, value in pretrained.backbone.state_dict().items():
        loaded = distiller.student.backbone.state_dict()[key]
        assert torch.equal(loaded, value), key
