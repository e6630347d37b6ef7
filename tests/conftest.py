# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Shared fixtures: the five real MPII samples laid out as MMPose expects."""

import json
import os
import os.path as osp

import pytest

from .helpers import MPII_MINI, write_headboxes


@pytest.fixture(scope='session')
def mpii_mini_root(tmp_path_factory) -> str:
    """An MMPose MPII data root over ``../shared/data/mpii_mini``.

    Images are symlinked (never copied); train and val both hold the five
    samples; ``mpii_gt_val.mat`` is written here.
    """
    if not MPII_MINI.is_dir():
        pytest.skip(
            f'{MPII_MINI} is absent: the five real MPII samples '
            'are needed for this test'
        )
    root = tmp_path_factory.mktemp('mpii_mini')
    os.symlink(MPII_MINI / 'images', root / 'images')
    (root / 'annotations').mkdir()
    with open(MPII_MINI / 'annotations' / 'mpii_mini.json') as f:
        annotations = json.load(f)
    for split in ('train', 'val'):
        with open(root / 'annotations' / f'mpii_{split}.json', 'w') as f:
            json.dump(annotations, f)
    write_headboxes(
        annotations, osp.join(root, 'annotations', 'mpii_gt_val.mat')
    )
    return str(root)


@pytest.fixture(autouse=True, scope='session')
def mmpose_default_scope():
    """Build registry names in MMPose's scope, as MMPose's tests and tools
    do."""
    from mmengine.registry import init_default_scope

    init_default_scope('mmpose')


@pytest.fixture(scope='module')
def one_torch_thread():
    """One intra-op thread for a module's tests: on a busy 2-core machine
    more threads only contend (an order of magnitude slower)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
