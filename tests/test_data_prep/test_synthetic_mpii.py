# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The synthetic MPII generator: MMPose reads it, and its labels are honest.

Every dataset here is tiny (6 train / 4 val images at 128 px).
"""

import hashlib
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from scipy.io import loadmat

from mmpose_multikd.data_prep import (
    generate_synthetic_mpii,
    joint_visibility,
    render_figure,
    render_sample,
    sample_figure,
    to_mpii_record,
)

from ..helpers import HEAD_TOP, REPO_ROOT, UPPER_NECK

SIZE, NUM_TRAIN, NUM_VAL = 128, 6, 4


def _generate(out_dir, seed=0, **kwargs):
    return generate_synthetic_mpii(
        str(out_dir),
        num_train=NUM_TRAIN,
        num_val=NUM_VAL,
        image_size=SIZE,
        seed=seed,
        **kwargs,
    )


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic_mpii')
    _generate(root)
    return str(root)


def _dataset(data_root, split, pipeline=()):
    from mmpose.datasets import MpiiDataset

    kwargs = {}
    if split == 'val':
        kwargs = dict(
            test_mode=True,
            headbox_file=osp.join(data_root, 'annotations/mpii_gt_val.mat'),
        )
    return MpiiDataset(
        data_root=data_root,
        ann_file=f'annotations/mpii_{split}.json',
        data_prefix=dict(img='images/'),
        pipeline=list(pipeline),
        **kwargs,
    )


def _read(data_root, name):
    with open(osp.join(data_root, 'annotations', name)) as f:
        return json.load(f)


def test_summary_and_files(data_root):
    summary = _generate(data_root)  # same seed: rewrites the same files
    assert summary['num_train'] == NUM_TRAIN
    assert summary['num_val'] == NUM_VAL
    assert 0.5 < summary['visible_fraction'] <= 1.0
    train = _read(data_root, 'mpii_train.json')
    val = _read(data_root, 'mpii_val.json')
    assert (len(train), len(val)) == (NUM_TRAIN, NUM_VAL)
    names = [r['image'] for r in train + val]
    assert len(set(names)) == len(names)
    for rec in train + val:
        stem, ext = rec['image'].split('.')
        assert ext == 'png' and len(stem) == 12 and int(stem) > 0
        assert set(rec) == {'image', 'center', 'scale', 'joints', 'joints_vis'}
        assert np.asarray(rec['joints']).shape == (16, 2)
        assert set(rec['joints_vis']) <= {0, 1} and sum(rec['joints_vis'])
        assert rec['scale'] > 0
        img = cv2.imread(osp.join(data_root, 'images', rec['image']))
        assert img.shape == (SIZE, SIZE, 3)


def test_mmpose_mpii_dataset_loads(data_root):
    train = _dataset(data_root, 'train')
    val = _dataset(data_root, 'val')
    assert (len(train), len(val)) == (NUM_TRAIN, NUM_VAL)
    records = _read(data_root, 'mpii_train.json')
    for i, rec in enumerate(records):
        info = train.get_data_info(i)
        assert osp.isfile(info['img_path'])
        np.testing.assert_allclose(
            info['keypoints'][0], rec['joints'], atol=1e-3
        )
        # MpiiDataset: centre + 15 * scale in y, then 1-based -> 0-based.
        c = np.asarray(rec['center']) + (0, 15 * rec['scale']) - 1
        np.testing.assert_allclose(info['bbox_center'][0], c, atol=1e-3)
    for i in range(len(val)):
        head_size = val.get_data_info(i)['head_size']
        assert np.all(head_size > 0)
    img_ids = {train.get_data_info(i)['img_id'] for i in range(len(train))}
    img_ids |= {val.get_data_info(i)['img_id'] for i in range(len(val))}
    assert len(img_ids) == NUM_TRAIN + NUM_VAL


def test_person_box_contains_visible_joints(data_root):
    """The box MpiiDataset derives (before MMPose's own 1.25 padding)
    contains every visible joint, so the top-down crop holds the person."""
    train = _dataset(data_root, 'train')
    for i in range(len(train)):
        info = train.get_data_info(i)
        x1, y1, x2, y2 = info['bbox'][0]
        kpts = info['keypoints'][0][info['keypoints_visible'][0] > 0] - 1
        assert np.all(kpts[:, 0] >= x1) and np.all(kpts[:, 0] <= x2)
        assert np.all(kpts[:, 1] >= y1) and np.all(kpts[:, 1] <= y2)


def test_mmpose_topdown_pipeline(data_root):
    from mmpose.datasets.transforms import (
        GenerateTarget,
        GetBBoxCenterScale,
        LoadImage,
        PackPoseInputs,
        TopdownAffine,
    )

    codec = dict(
        type='SimCCLabel', input_size=(64, 64), sigma=2.0, simcc_split_ratio=2
    )
    pipeline = [
        LoadImage(),
        GetBBoxCenterScale(),
        TopdownAffine(input_size=(64, 64)),
        GenerateTarget(encoder=codec),
    ]
    train = _dataset(data_root, 'train', pipeline=pipeline)
    for i in range(len(train)):
        results = train[i]
        assert results['img'].shape == (64, 64, 3)
        vis = results['keypoints_visible'][0] > 0
        # Visible joints land inside the 64x64 crop...
        kpts = results['transformed_keypoints'][0][vis]
        assert np.all((kpts > -1) & (kpts < 65))
        # ... and invisible ones get no weight.
        weights = results['keypoint_weights'][0]
        assert np.all(weights[~vis] == 0) and np.all(weights[vis] > 0)
        assert results['keypoint_x_labels'].shape == (1, 16, 128)
        packed = PackPoseInputs()(results)
        assert tuple(packed['inputs'].shape) == (3, 64, 64)
        assert packed['data_samples'].gt_instance_labels.keypoint_weights.sum()


def _flat(colour=(255, 0, 255)):
    return np.full((SIZE, SIZE, 3), colour, np.uint8)


def test_joints_land_on_the_rendered_figure():
    bg = np.array([255, 0, 255], np.uint8)  # no skin or clothing is magenta
    for seed in range(6):
        sample = render_sample(
            np.random.default_rng(seed),
            SIZE,
            occlusion_prob=0,
            distractor_prob=0,
            truncation_prob=0,
            post_process=False,
            background=_flat(),
        )
        img = sample.image
        rec = to_mpii_record(sample, '000000000001.png')
        # The record is 1-based: back to 0-based pixels.
        joints = np.asarray(rec['joints']) - 1
        np.testing.assert_allclose(joints, sample.joints, atol=2e-3)
        assert rec['joints_vis'] == [1] * 16
        # After MpiiDataset's shift (+15 * scale in y) and its -1, the centre
        # is the centre of the drawn figure; the box is a bit larger than it.
        centre = np.asarray(rec['center']) + (0, 15 * rec['scale']) - 1
        ys, xs = np.nonzero(sample.figure_mask)
        lo, hi = np.array([xs.min(), ys.min()]), np.array([xs.max(), ys.max()])
        offset = np.abs(centre - (lo + hi) / 2).max()
        assert offset < 0.06 * sample.figure.height
        assert 1.0 < rec['scale'] * 200 / (hi - lo).max() < 1.4
        idx = np.round(joints).astype(int)
        assert np.all((idx >= 0) & (idx < SIZE))
        for x, y in idx:
            assert not np.array_equal(img[y, x], bg)
            assert sample.figure_mask[y, x] > 0
        # Pixels far from every joint are untouched background.
        yy, xx = np.mgrid[:SIZE, :SIZE]
        dist = np.min(
            np.hypot(
                xx[..., None] - joints[:, 0], yy[..., None] - joints[:, 1]
            ),
            axis=-1,
        )
        far = dist > 0.25 * sample.figure.height
        assert far.any()
        assert np.all(img[far] == bg)
        assert np.all(sample.figure_mask[far] == 0)


def test_render_figure_draws_on_given_image():
    figure, _ = sample_figure(np.random.default_rng(1), SIZE, 0.0)
    img = _flat((0, 0, 0))
    mask = render_figure(img, figure)
    assert mask.any() and (img.sum(-1) > 0).any()
    assert np.all(img[mask == 0] == 0)  # nothing drawn outside the mask
    for x, y in np.round(figure.joints).astype(int):
        assert mask[y, x] > 0


def test_deterministic_by_seed(tmp_path):
    roots = [tmp_path / 'a', tmp_path / 'b', tmp_path / 'c']
    _generate(roots[0], seed=3)
    _generate(roots[1], seed=3)
    _generate(roots[2], seed=4)

    def read(root, rel):
        with open(root / rel, 'rb') as f:
            return f.read()

    for rel in (
        'annotations/mpii_train.json',
        'annotations/mpii_val.json',
        'annotations/mpii_gt_val.mat',
    ):
        assert read(roots[0], rel) == read(roots[1], rel)
        assert read(roots[0], rel) != read(roots[2], rel)
    # No creation time in the .mat header (scipy writes one by default).
    assert b'Created on' not in read(roots[0], 'annotations/mpii_gt_val.mat')
    names = [r['image'] for r in _read(str(roots[0]), 'mpii_train.json')]
    for name in names:
        a, b, c = (cv2.imread(str(r / 'images' / name)) for r in roots)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, c)


def test_joint_visibility_occluded_and_outside():
    joints = np.array([[10.0, 10.0], [50.0, 60.0], [-3.0, 20.0], [20, 130]])
    occluder = np.zeros((SIZE, SIZE), np.uint8)
    cv2.circle(occluder, (50, 60), 5, 255, -1)
    vis = joint_visibility(joints, SIZE, occluder)
    assert vis.tolist() == [1, 0, 0, 0]
    assert joint_visibility(joints, SIZE).tolist() == [1, 1, 0, 0]


def test_occluded_joints_are_marked_invisible():
    occluded = 0
    for seed in range(12):
        sample = render_sample(
            np.random.default_rng(seed),
            SIZE,
            occlusion_prob=1.0,
            distractor_prob=0,
            truncation_prob=0,
            post_process=False,
        )
        idx = np.round(sample.joints).astype(int)
        covered = sample.occluder_mask[idx[:, 1], idx[:, 0]] > 127
        assert np.all(sample.joints_vis[covered] == 0)
        assert np.all(sample.joints_vis[~covered] == 1)
        occluded += int(covered.sum())
        # An occluder really changes the pixels over a covered joint.
        clean = render_sample(
            np.random.default_rng(seed),
            SIZE,
            occlusion_prob=0.0,
            distractor_prob=0,
            truncation_prob=0,
            post_process=False,
        )
        np.testing.assert_array_equal(clean.joints, sample.joints)
        changed = np.any(clean.image != sample.image, axis=-1)
        assert np.all(changed[idx[covered, 1], idx[covered, 0]])
        # The record keeps the true coordinates of occluded joints.
        rec = to_mpii_record(sample, '000000000001.png')
        np.testing.assert_allclose(
            np.asarray(rec['joints']) - 1, sample.joints, atol=2e-3
        )
    assert occluded > 0


def test_truncated_joints_are_marked_invisible():
    outside = 0
    for seed in range(12):
        sample = render_sample(
            np.random.default_rng(seed),
            SIZE,
            occlusion_prob=0,
            distractor_prob=0,
            truncation_prob=1.0,
            post_process=False,
        )
        assert sample.truncated
        idx = np.round(sample.joints).astype(int)
        out = np.any((idx < 0) | (idx >= SIZE), axis=1)
        assert np.all(sample.joints_vis[out] == 0)
        assert np.all(sample.joints_vis[~out] == 1)
        assert sample.joints_vis.sum() > 0
        outside += int(out.sum())
    assert outside > 0


def test_headboxes_mat(data_root):
    mat = loadmat(osp.join(data_root, 'annotations', 'mpii_gt_val.mat'))
    boxes = mat['headboxes_src']
    assert boxes.shape == (2, 2, NUM_VAL)
    assert mat['pos_gt_src'].shape == (16, 2, NUM_VAL)
    assert mat['jnt_missing'].shape == (16, NUM_VAL)
    val = _read(data_root, 'mpii_val.json')
    for i, (box, rec) in enumerate(zip(np.transpose(boxes, [2, 0, 1]), val)):
        joints = np.asarray(rec['joints'])
        np.testing.assert_allclose(mat['pos_gt_src'][..., i], joints, 1e-3)
        assert mat['jnt_missing'][:, i].tolist() == [
            1 - v for v in rec['joints_vis']
        ]
        head_size = 0.6 * np.linalg.norm(box[1] - box[0])
        neck_top = np.linalg.norm(joints[HEAD_TOP] - joints[UPPER_NECK])
        assert 0.5 < head_size / neck_top < 2.0
        # The box is around the head: it holds the head top and the neck.
        for j in (HEAD_TOP, UPPER_NECK):
            assert np.all(joints[j] >= box[0]) and np.all(joints[j] <= box[1])


def test_cli_writes_dataset_and_preview(tmp_path, capsys):
    path = REPO_ROOT / 'tools' / 'generate_synthetic_mpii.py'
    spec = importlib.util.spec_from_file_location('gen_synth_mpii', path)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    preview = tmp_path / 'preview.png'
    summary = cli.main(
        [
            str(tmp_path / 'data'),
            '--num-train',
            '3',
            '--num-val',
            '2',
            '--image-size',
            '96',
            '--seed',
            '5',
            '--preview',
            str(preview),
            '--preview-num',
            '3',
        ]
    )
    assert summary['num_train'] == 3 and summary['num_val'] == 2
    assert len(_read(str(tmp_path / 'data'), 'mpii_val.json')) == 2
    grid = cv2.imread(str(preview))
    assert grid.shape == (96, 4 * 96, 3)
    assert 'mpii_train.json' in capsys.readouterr().out


def _sha256_tree(root):
    """sha256 of every file under ``root``, keyed by its relative path."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for path in sorted(root.rglob('*'))
        if path.is_file()
    }


def test_same_seed_writes_byte_identical_data(tmp_path):
    # Every drawing path is taken: occluders, distractors, truncation and
    # back views.
    options = dict(
        num_train=3,
        num_val=2,
        image_size=64,
        occlusion_prob=1.0,
        distractor_prob=1.0,
        truncation_prob=0.5,
        back_view_prob=0.5,
    )
    for name, seed in (('a', 11), ('b', 11), ('c', 12)):
        generate_synthetic_mpii(str(tmp_path / name), seed=seed, **options)
    a, b, c = (_sha256_tree(tmp_path / name) for name in 'abc')
    images = [f'images/{i:012d}.png' for i in range(1, 6)]
    annotations = [
        f'annotations/{name}'
        for name in ('mpii_gt_val.mat', 'mpii_train.json', 'mpii_val.json')
    ]
    assert sorted(a) == sorted(annotations + images)
    assert a == b  # same seed: the same files, byte for byte
    assert sorted(c) == sorted(a)
    for name in images + annotations:
        assert c[name] != a[name], name
