# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``tools/dataset_converters/lsp2mpii.py``: LSP and LSPet to MPII format.

The unit tests generate small ``joints.mat`` files in both layouts (no
outside data); ``test_lspet_through_mmpose`` converts the real LSPet of
``../shared/data/lspet`` (a subset) and reads it through MMPose, and skips
with its reason where that folder is absent.
"""

import importlib.util
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from scipy.io import loadmat, savemat

from mmpose_multikd.data_prep.lsp import (
    LSP_TO_MPII,
    LSPConversionError,
    convert_lsp_to_mpii,
    head_box,
    load_lsp_joints,
    lsp_to_mpii_joints,
)
from mmpose_multikd.data_prep.lsp import converter as lsp

from ..helpers import REPO_ROOT

LSPET = REPO_ROOT.parent / 'shared' / 'data' / 'lspet'
W, H, N = 80, 60, 30
NECK, HEAD_TOP = 12, 13  # LSP order
MPII_PELVIS, MPII_THORAX, MPII_NECK, MPII_HEAD = 6, 7, 8, 9


def _load_tool(relpath, name):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / relpath)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lsp_annotations(seed=0, n=N):
    """LSP-order joints (1-based, inside a W x H image) and LSPet flags."""
    rng = np.random.default_rng(seed)
    joints = np.stack(
        [rng.uniform(5, W - 5, (n, 14)), rng.uniform(5, H - 5, (n, 14))], -1
    )
    # head top 8 px above the neck: every head size is 8
    joints[:, NECK, 1] = np.maximum(joints[:, NECK, 1], 15)
    joints[:, HEAD_TOP] = joints[:, NECK] - [0, 8]
    flags = (rng.random((n, 14)) < 0.8).astype(np.float64)
    flags[:, [NECK, HEAD_TOP]] = 1
    flags[0] = 1  # everything labelled
    flags[1, NECK] = 0  # no head size: never a val image
    flags[2, 2:4] = [1, 0]  # one hip only: no pelvis
    flags[3, :] = 0  # nothing labelled: unusable
    flags[3, 0] = 1
    return joints, flags


def write_lsp(root, layout, joints, flags, num_images=None, ext='jpg'):
    """An LSP folder: ``joints.mat`` in ``layout`` and ``images/im*.jpg``."""
    root = str(root)
    n = len(joints)
    os.makedirs(osp.join(root, 'images'), exist_ok=True)
    digits = 4 if layout == 'lsp' else 5
    for i in range(n if num_images is None else num_images):
        image = np.full((H, W, 3), 40 + i % 200, np.uint8)
        cv2.imwrite(
            osp.join(root, 'images', f'im{i + 1:0{digits}d}.{ext}'), image
        )
    if layout == 'lsp':
        # 3 x 14 x N; the original LSP's flag is 1 for an OCCLUDED joint.
        matrix = np.concatenate(
            [np.transpose(joints, (2, 1, 0)), flags.T[None]], axis=0
        )
    else:
        # 14 x 3 x N; LSPet's flag is 1 for a visible joint.
        matrix = np.concatenate(
            [np.transpose(joints, (1, 2, 0)), flags.T[:, None]], axis=1
        )
    savemat(osp.join(root, 'joints.mat'), {'joints': matrix})
    return root


def read_split(out, split):
    with open(osp.join(out, 'annotations', f'mpii_{split}.json')) as f:
        return json.load(f)


@pytest.fixture
def lspet_dir(tmp_path):
    joints, flags = _lsp_annotations()
    return write_lsp(tmp_path / 'lspet', 'lspet', joints, flags), joints, flags


def test_layouts_are_told_from_the_shape(tmp_path):
    joints, flags = _lsp_annotations()
    a = load_lsp_joints(
        osp.join(write_lsp(tmp_path / 'a', 'lsp', joints, flags), 'joints.mat')
    )
    b = load_lsp_joints(
        osp.join(
            write_lsp(tmp_path / 'b', 'lspet', joints, flags), 'joints.mat'
        )
    )
    assert (a.layout, b.layout) == ('lsp', 'lspet')
    np.testing.assert_array_equal(a.joints, joints)
    np.testing.assert_array_equal(b.joints, joints)
    np.testing.assert_array_equal(a.flags, flags)
    # LSP: every joint annotated (its flag marks occlusion);
    # LSPet: flag 1 = visible, 0 = unreliable, so unlabelled
    assert a.labelled.all()
    np.testing.assert_array_equal(b.labelled, flags == 1)


def test_joint_mapping_visibility_box_and_head_box(lspet_dir, tmp_path):
    src, joints, flags = lspet_dir
    out = str(tmp_path / 'out')
    summary = convert_lsp_to_mpii(src, out, num_val=8, seed=3)
    assert summary['layout'] == 'lspet' and summary['unusable'] == [4]
    records = {
        r['image']: r
        for split in ('train', 'val')
        for r in read_split(out, split)
    }
    assert len(records) == N - 1
    for name, rec in records.items():
        i = int(name.split('.')[0]) - 1  # numeric name = LSP index
        mpii = np.asarray(rec['joints'])
        vis = np.asarray(rec['joints_vis'])
        assert mpii.shape == (16, 2) and vis.shape == (16,)
        for lsp_j, mpii_j in enumerate(LSP_TO_MPII):
            assert vis[mpii_j] == flags[i, lsp_j]
            if vis[mpii_j]:
                np.testing.assert_allclose(
                    mpii[mpii_j], joints[i, lsp_j], atol=1e-3
                )
            else:
                assert mpii[mpii_j].tolist() == [-1, -1]
        # pelvis = mid-hips, thorax = mid-shoulders, when both are labelled
        for target, (a, b) in ((MPII_PELVIS, (2, 3)), (MPII_THORAX, (8, 9))):
            assert vis[target] == flags[i, a] * flags[i, b]
            if vis[target]:
                np.testing.assert_allclose(
                    mpii[target], (joints[i, a] + joints[i, b]) / 2, atol=1e-3
                )
        # person box: the labelled joints' tight box, scale 1.25 * side / 200,
        # centre written 15 * scale above it (MpiiDataset moves it down)
        points = joints[i][flags[i] == 1]
        low, high = points.min(0), points.max(0)
        assert rec['scale'] == pytest.approx(
            1.25 * (high - low).max() / 200, abs=1e-6
        )
        loaded_centre = np.array(rec['center']) + [0, 15 * rec['scale']]
        np.testing.assert_allclose(loaded_centre, (low + high) / 2, atol=2e-3)
    assert records['000002.jpg']['joints_vis'][MPII_NECK] == 0
    assert records['000003.jpg']['joints_vis'][MPII_PELVIS] == 0

    # head box: 0.6 x its diagonal is the neck-to-head-top distance
    val = read_split(out, 'val')
    mat = loadmat(summary['headbox_file'])
    boxes = np.transpose(mat['headboxes_src'], [2, 0, 1])
    assert boxes.shape == (8, 2, 2)
    assert mat['pos_gt_src'].shape == (16, 2, 8)
    assert mat['jnt_missing'].shape == (16, 8)
    for rec, box, k in zip(val, boxes, range(8)):
        neck, top = (
            np.asarray(rec['joints'][j]) for j in (MPII_NECK, MPII_HEAD)
        )
        assert 0.6 * np.linalg.norm(box[1] - box[0]) == pytest.approx(
            np.linalg.norm(top - neck), abs=2e-3
        )
        np.testing.assert_allclose(box.mean(0), (neck + top) / 2, atol=2e-3)
        np.testing.assert_allclose(
            mat['pos_gt_src'][..., k], rec['joints'], atol=2e-3
        )
        assert (1 - mat['jnt_missing'][:, k]).tolist() == rec['joints_vis']


def test_head_box_rule():
    box = head_box([10.0, 40.0], [13.0, 36.0])  # distance 5
    assert 0.6 * np.linalg.norm(box[1] - box[0]) == pytest.approx(5.0)
    np.testing.assert_allclose(box.mean(0), [11.5, 38.0])
    assert box[1, 0] - box[0, 0] == pytest.approx(box[1, 1] - box[0, 1])


def test_pelvis_thorax_unlabelled_option():
    joints = np.arange(28, dtype=np.float64).reshape(14, 2) + 1
    out, vis = lsp_to_mpii_joints(joints, np.ones(14, bool), 'unlabelled')
    assert vis.tolist() == [1] * 6 + [0, 0] + [1] * 8
    assert out[MPII_PELVIS].tolist() == [-1, -1]
    out, vis = lsp_to_mpii_joints(joints, np.ones(14, bool), 'derive')
    assert vis.sum() == 16
    np.testing.assert_allclose(out[MPII_THORAX], (joints[8] + joints[9]) / 2)


def test_original_lsp_keeps_occluded_joints(tmp_path):
    joints, flags = _lsp_annotations()
    src = write_lsp(tmp_path / 'lsp', 'lsp', joints, flags)
    out = str(tmp_path / 'out')
    summary = convert_lsp_to_mpii(src, out, num_val=5)
    assert summary['layout'] == 'lsp' and summary['unusable'] == []
    for rec in read_split(out, 'train') + read_split(out, 'val'):
        # every joint of the original LSP is annotated, occluded or not
        assert sum(rec['joints_vis']) == 16
    assert os.readlink(osp.join(out, 'images', '000001.jpg')) == osp.join(
        osp.abspath(src), 'images', 'im0001.jpg'
    )


def test_split_is_seeded_with_numeric_linked_images(lspet_dir, tmp_path):
    src, _, _ = lspet_dir
    first = convert_lsp_to_mpii(src, str(tmp_path / 'a'), num_val=6, seed=1)
    again = convert_lsp_to_mpii(src, str(tmp_path / 'b'), num_val=6, seed=1)
    other = convert_lsp_to_mpii(src, str(tmp_path / 'c'), num_val=6, seed=2)
    assert first['val_images'] == again['val_images']
    assert first['train_images'] == again['train_images']
    assert first['val_images'] != other['val_images']
    assert len(first['val_images']) == 6
    assert not set(first['val_images']) & set(first['train_images'])
    # image 2 has no neck (no head size), image 4 too few joints
    assert 2 not in first['val_images'] and 2 in first['train_images']
    assert 4 not in first['val_images'] + first['train_images']
    assert len(first['train_images']) == N - 1 - 6
    out = str(tmp_path / 'a')
    val = read_split(out, 'val')
    assert [int(r['image'][:-4]) for r in val] == first['val_images']
    for rec in val + read_split(out, 'train'):
        assert rec['image'] == f'{int(rec["image"][:-4]):06d}.jpg'
        link = osp.join(out, 'images', rec['image'])
        assert osp.islink(link)  # linked, never copied
        assert os.readlink(link) == osp.join(
            osp.abspath(src), 'images', f'im{int(rec["image"][:-4]):05d}.jpg'
        )
    assert sorted(os.listdir(osp.join(out, 'images'))) == sorted(
        r['image'] for r in val + read_split(out, 'train')
    )
    # --num-train takes a subset of the same shuffled train set
    subset = convert_lsp_to_mpii(
        src, str(tmp_path / 'd'), num_val=6, num_train=5, seed=1
    )
    assert subset['val_images'] == first['val_images']
    assert len(subset['train_images']) == 5
    assert set(subset['train_images']) <= set(first['train_images'])


def test_dev_split_is_disjoint_and_keeps_train(lspet_dir, tmp_path):
    src, _, _ = lspet_dir
    plain = convert_lsp_to_mpii(
        src, str(tmp_path / 'plain'), num_val=6, num_train=10, seed=1
    )
    dev = convert_lsp_to_mpii(
        src, str(tmp_path / 'dev'), num_val=6, num_train=10, seed=1, num_dev=5
    )
    # naive reference: the seeded order, minus val and train, eligible only
    usable = [i for i in range(N) if i != 3]  # annotation 4: unusable
    order = np.random.default_rng(1).permutation(usable)
    taken = {i - 1 for i in plain['val_images'] + plain['train_images']}
    eligible = [int(i) for i in order if i not in taken and i != 1]
    assert dev['val_images'] == sorted(i + 1 for i in eligible[:5])
    assert not set(dev['val_images']) & set(plain['val_images'])
    assert not set(dev['val_images']) & set(plain['train_images'])
    # the same train files, byte for byte; dev sits in the val files
    for name in ('mpii_train.json',):
        assert (tmp_path / 'plain' / 'annotations' / name).read_bytes() == (
            tmp_path / 'dev' / 'annotations' / name
        ).read_bytes()
    val = read_split(str(tmp_path / 'dev'), 'val')
    assert [int(r['image'][:-4]) for r in val] == dev['val_images']
    meta = json.loads((tmp_path / 'dev' / 'lsp2mpii.json').read_text())
    assert meta['scored_split'] == 'dev' and meta['num_dev'] == 5
    assert 'scored_split' not in json.loads(
        (tmp_path / 'plain' / 'lsp2mpii.json').read_text()
    )
    with pytest.raises(LSPConversionError, match='--num-dev 50: only'):
        convert_lsp_to_mpii(
            src, str(tmp_path / 'x'), num_val=6, num_train=10, num_dev=50
        )
    with pytest.raises(LSPConversionError, match='needs --num-train'):
        convert_lsp_to_mpii(src, str(tmp_path / 'y'), num_val=6, num_dev=2)


def _assert_nothing_written(tmp_path, out):
    assert not osp.exists(out)
    leftovers = [n for n in os.listdir(tmp_path) if n.startswith('.out')]
    assert leftovers == []


@pytest.mark.parametrize(
    'shape', [(5, 14, 3), (14, 2, 3), (3, 16, 3), (14, 3, 2, 2), (42,)]
)
def test_a_joints_matrix_of_another_shape_is_refused(tmp_path, shape):
    src = tmp_path / 'src'
    (src / 'images').mkdir(parents=True)
    savemat(src / 'joints.mat', {'joints': np.ones(shape)})
    out = str(tmp_path / 'out')
    with pytest.raises(LSPConversionError) as info:
        convert_lsp_to_mpii(str(src), out, num_val=1)
    message = str(info.value)
    assert str(src / 'joints.mat') in message
    assert '3 x 14 x N (LSP) or 14 x 3 x N (LSP Extended)' in message
    _assert_nothing_written(tmp_path, out)


def test_bad_inputs_name_the_file_and_the_problem(tmp_path):
    joints, flags = _lsp_annotations()
    out = str(tmp_path / 'out')
    # fewer images than annotations
    src = write_lsp(tmp_path / 'few', 'lspet', joints, flags, num_images=N - 3)
    with pytest.raises(
        LSPConversionError, match=r'has 30 annotations but only 27'
    ):
        convert_lsp_to_mpii(src, out, num_val=1)
    with pytest.raises(LSPConversionError, match='im00028.jpg'):
        convert_lsp_to_mpii(src, out, num_val=1)
    # flags other than 0/1
    bad = flags.copy()
    bad[5, 2] = 2
    src = write_lsp(tmp_path / 'flags', 'lspet', joints, bad)
    with pytest.raises(LSPConversionError, match='annotation 6, joint 3'):
        convert_lsp_to_mpii(src, out, num_val=1)
    # not a MATLAB file, no joints matrix, no joints file
    src = write_lsp(tmp_path / 'text', 'lspet', joints, flags)
    with open(osp.join(src, 'joints.mat'), 'w') as f:
        f.write('not a mat file')
    with pytest.raises(LSPConversionError, match='not a readable MATLAB file'):
        convert_lsp_to_mpii(src, out, num_val=1)
    savemat(osp.join(src, 'joints.mat'), {'pose': np.ones((14, 3, 2))})
    with pytest.raises(LSPConversionError, match=r'no matrix named "joints"'):
        convert_lsp_to_mpii(src, out, num_val=1)
    with pytest.raises(LSPConversionError, match='joints file not found'):
        convert_lsp_to_mpii(str(tmp_path / 'nowhere'), out, num_val=1)
    # more val images than can have a head size
    src = write_lsp(tmp_path / 'ok', 'lspet', joints, flags)
    with pytest.raises(LSPConversionError, match='--num-val 40: only 28'):
        convert_lsp_to_mpii(src, out, num_val=40)
    with pytest.raises(LSPConversionError, match='--num-train 99'):
        convert_lsp_to_mpii(src, out, num_val=2, num_train=99)
    _assert_nothing_written(tmp_path, out)


def test_output_folder_rules(lspet_dir, tmp_path):
    src, _, _ = lspet_dir
    out = tmp_path / 'out'
    convert_lsp_to_mpii(src, str(out), num_val=4, seed=0)
    before = read_split(str(out), 'val')
    # a previous conversion is refused, then replaced with --overwrite
    with pytest.raises(LSPConversionError, match='already holds a conversion'):
        convert_lsp_to_mpii(src, str(out), num_val=4, seed=5)
    assert read_split(str(out), 'val') == before
    convert_lsp_to_mpii(src, str(out), num_val=4, seed=5, overwrite=True)
    assert read_split(str(out), 'val') != before
    assert sorted(os.listdir(tmp_path)) == ['lspet', 'out']  # no leftovers
    # a folder that holds something else is never written, even with
    # --overwrite; an empty one is fine
    other = tmp_path / 'other'
    other.mkdir()
    (other / 'thesis.tex').write_text('keep me')
    with pytest.raises(LSPConversionError, match='holds no conversion'):
        convert_lsp_to_mpii(src, str(other), num_val=4, overwrite=True)
    assert os.listdir(other) == ['thesis.tex']
    empty = tmp_path / 'empty'
    empty.mkdir()
    convert_lsp_to_mpii(src, str(empty), num_val=4)
    assert osp.isfile(empty / 'annotations' / 'mpii_gt_val.mat')


def test_a_failure_while_writing_leaves_no_output(
    lspet_dir, tmp_path, monkeypatch
):
    src, _, _ = lspet_dir
    out = str(tmp_path / 'out')

    def broken(*args, **kwargs):
        raise OSError('disk full')

    monkeypatch.setattr(lsp, 'write_mpii_gt_mat', broken)
    with pytest.raises(OSError, match='disk full'):
        convert_lsp_to_mpii(src, out, num_val=4)
    _assert_nothing_written(tmp_path, out)
    # and a previous conversion survives a failed --overwrite
    monkeypatch.undo()
    convert_lsp_to_mpii(src, out, num_val=4)
    before = read_split(out, 'val')
    monkeypatch.setattr(lsp, 'write_mpii_gt_mat', broken)
    with pytest.raises(OSError):
        convert_lsp_to_mpii(src, out, num_val=4, seed=9, overwrite=True)
    assert read_split(out, 'val') == before
    assert sorted(os.listdir(tmp_path)) == ['lspet', 'out']


def test_command_line(lspet_dir, tmp_path, capsys):
    tool = _load_tool('tools/dataset_converters/lsp2mpii.py', 'lsp2mpii')
    src, _, _ = lspet_dir
    out = str(tmp_path / 'out')
    assert tool.main([src, out, '--num-val', '4', '--num-train', '10']) == 0
    printed = capsys.readouterr().out
    assert 'LSP Extended (14 x 3 x N): 30 annotations' in printed
    assert '10 train, 4 val' in printed
    assert tool.main([src, out, '--num-val', '4']) == 1
    error = capsys.readouterr().err
    assert error.startswith('lsp2mpii: error: ')
    assert 'pass --overwrite' in error


def test_generated_conversion_reads_through_mmpose(lspet_dir, tmp_path):
    """MpiiDataset reads the files and PCKh of the ground truth is 100."""
    src, _, _ = lspet_dir
    out = str(tmp_path / 'out')
    convert_lsp_to_mpii(src, out, num_val=6, pelvis_thorax='unlabelled')
    pck = _gt_pckh(out, 64)
    assert pck['PCK'] == pytest.approx(100.0)
    assert pck['PCK@0.1'] == pytest.approx(100.0)


def _gt_pckh(data_root, input_size):
    """MpiiPCKAccuracy of the ground truth (0-based, as models predict)."""
    from mmpose.datasets import MpiiDataset
    from mmpose.evaluation import MpiiPCKAccuracy

    size = (input_size, input_size)
    dataset = MpiiDataset(
        data_root=data_root,
        ann_file='annotations/mpii_val.json',
        headbox_file=osp.join(data_root, 'annotations', 'mpii_gt_val.mat'),
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=size),
            dict(type='PackPoseInputs'),
        ],
    )
    metric = MpiiPCKAccuracy()
    metric.dataset_meta = dataset.metainfo
    with open(osp.join(data_root, 'annotations', 'mpii_val.json')) as f:
        records = json.load(f)
    mat = loadmat(osp.join(data_root, 'annotations', 'mpii_gt_val.mat'))
    boxes = np.transpose(mat['headboxes_src'], [2, 0, 1])
    for i, record in enumerate(records):
        gt = dataset[i]['data_samples'].gt_instances
        joints = np.asarray(record['joints'])
        np.testing.assert_allclose(gt.keypoints[0], joints, atol=1e-3)
        # MpiiDataset's head size is the neck-to-head-top distance
        np.testing.assert_allclose(
            gt.head_size.reshape(-1)[0],
            np.linalg.norm(joints[MPII_HEAD] - joints[MPII_NECK]),
            atol=2e-3,
        )
        assert boxes[i].shape == (2, 2)
        metric.process(
            [],
            [
                dict(
                    gt_instances=gt.to_dict(),
                    pred_instances=dict(keypoints=gt.keypoints - 1.0),
                )
            ],
        )
    return metric.evaluate(len(records))


def test_vis_tool_draws_the_converted_skeletons(lspet_dir, tmp_path):
    tool = _load_tool('tools/analysis/vis_converted_dataset.py', 'vis_conv')
    src, _, _ = lspet_dir
    out = str(tmp_path / 'out')
    convert_lsp_to_mpii(src, out, num_val=4)
    records = tool.choose(out, 'both', 4, seed=0)
    assert [r['split'] for r in records] == ['train'] * 2 + ['val'] * 2
    assert all('headbox' in r for r in records[2:])
    grid = tool.render_grid(out, records, tile=160, cols=2)
    assert grid.shape[1] == 2 * 160 + 4 and grid.ndim == 3
    # a labelled left wrist is drawn in the left colour on its tile
    tile = tool.draw_record(out, records[0], 160)
    rec = records[0]
    wrist = 15
    if rec['joints_vis'][wrist]:
        zoom = 160 / W
        x, y = tool._pt(rec['joints'][wrist], zoom)
        patch = tile[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3)
        assert any(tuple(p) == tool.LEFT_COLOUR for p in patch)


@pytest.mark.skipif(
    not LSPET.is_dir(),
    reason=f'{LSPET} is absent: the real LSP Extended set is needed',
)
def test_lspet_through_mmpose(tmp_path):
    """The real LSPet (64 train / 16 val) through MpiiDataset with a real
    SimCC pipeline: keypoints land inside the image and the crop, and the
    ground truth scores 100 PCKh."""
    from mmpose.datasets import MpiiDataset

    out = str(tmp_path / 'lspet_mpii')
    summary = convert_lsp_to_mpii(
        str(LSPET), out, num_val=16, num_train=64, seed=0
    )
    assert summary['layout'] == 'lspet'
    assert summary['num_annotations'] == 9000
    size = 256
    dataset = MpiiDataset(
        data_root=out,
        ann_file='annotations/mpii_train.json',
        data_prefix=dict(img='images/'),
        pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=(size, size)),
            dict(
                type='GenerateTarget',
                encoder=dict(
                    type='SimCCLabel',
                    input_size=(size, size),
                    sigma=(5.66, 5.66),
                    simcc_split_ratio=2.0,
                ),
            ),
            dict(type='PackPoseInputs', pack_transformed=True),
        ],
    )
    assert len(dataset) == 64
    labelled_total = 0
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        packed = dataset[i]
        sample = packed['data_samples']
        assert tuple(packed['inputs'].shape) == (3, size, size)
        image = cv2.imread(info['img_path'])
        height, width = image.shape[:2]
        vis = info['keypoints_visible'][0] > 0
        labelled_total += int(vis.sum())
        points = info['keypoints'][0][vis]  # 1-based, as MPII's
        assert (points >= 1 - 2.0).all() and (points[:, 0] <= width + 2).all()
        assert (points[:, 1] <= height + 2).all()
        crop = sample.gt_instances.transformed_keypoints[0][vis]
        assert ((crop >= 0) & (crop < size)).all()
        weights = sample.gt_instance_labels.keypoint_weights[0].numpy()
        assert (weights[vis] == 1).all() and (weights[~vis] == 0).all()
        assert sample.gt_instance_labels.keypoint_x_labels.shape == (
            1,
            16,
            size * 2,
        )
    assert labelled_total > 0.8 * 64 * 14
    pck = _gt_pckh(out, size)
    assert pck['PCK'] == pytest.approx(100.0)
    assert pck['PCK@0.1'] == pytest.approx(100.0)
