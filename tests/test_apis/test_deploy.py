# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""ONNX export of the student (``export_onnx``), onnxruntime inference and
the shared SimDR decoding (``decode_simcc``), on the tiny 64x64 configs.

Each export takes tens of seconds on this CPU: the plain student and the
distiller are exported once per module (fixtures) and shared.
"""

import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.apis import inference_topdown
from mmpose.models.utils.tta import flip_vectors
from mmpose.registry import MODELS

from mmpose_multikd.apis import (
    check_onnx,
    decode_simcc,
    export_onnx,
    export_student,
    init_student,
    onnx_export_unavailable,
    onnx_runner,
    predict_topdown,
    topdown_inputs,
    torch_runner,
)

from ..helpers import REPO_ROOT, val_sample

TINY = REPO_ROOT / 'tests' / 'data' / 'configs'
DISTILLER_CFG = str(TINY / 'multikd_litehrnet18_tiny_mpii-64x64.py')
STUDENT_CFG = str(TINY / 'simcc_litehrnet18_tiny_mpii-64x64.py')
SPLIT_RATIO = 2.0
ATOL_LOGITS = 1e-4
ATOL_PIXELS = 0.5

pytestmark = pytest.mark.usefixtures('one_torch_thread')
ONNX_UNAVAILABLE = onnx_export_unavailable()
needs_onnx_export = pytest.mark.skipif(
    ONNX_UNAVAILABLE is not None, reason=str(ONNX_UNAVAILABLE)
)


@pytest.fixture(scope='module')
def exported(tmp_path_factory, one_torch_thread):
    """A distiller with changed student weights, its plain student
    checkpoint and the ONNX export of that student."""
    if ONNX_UNAVAILABLE is not None:
        pytest.skip(ONNX_UNAVAILABLE)
    root = tmp_path_factory.mktemp('deploy')
    torch.manual_seed(0)
    distiller = MODELS.build(Config.fromfile(DISTILLER_CFG).model)
    with torch.no_grad():
        for param in distiller.student.parameters():
            param.add_(0.05 * torch.randn_like(param))
    distiller_ckpt = root / 'distiller.pth'
    torch.save({'state_dict': distiller.state_dict()}, distiller_ckpt)
    student_ckpt = root / 'student.pth'
    export_student(str(distiller_ckpt), str(student_ckpt))
    onnx_file = root / 'onnx' / 'student.onnx'
    result = export_onnx(STUDENT_CFG, str(student_ckpt), str(onnx_file))
    return SimpleNamespace(
        root=root,
        distiller_ckpt=str(distiller_ckpt),
        student_ckpt=str(student_ckpt),
        onnx_file=str(onnx_file),
        result=result,
        model=init_student(STUDENT_CFG, str(student_ckpt)),
        run_onnx=onnx_runner(str(onnx_file), num_threads=1),
    )


@pytest.fixture(scope='module')
def generated_crops(mpii_root):
    """Eight 64x64 normalised crops of the generated val images (person box
    and whole image each), made by the config's test pipeline and data
    preprocessor, with their metainfo."""
    inputs, metas = [], []
    for index in range(4):
        image, bbox = val_sample(mpii_root, index)
        crops, crop_metas = topdown_inputs(
            STUDENT_CFG, image, np.array([bbox, [0, 0, 96, 96]])
        )
        inputs.append(crops)
        metas += crop_metas
    return np.concatenate(inputs), metas


def test_export_result_and_graph(exported):
    import onnx

    result = exported.result
    assert result['path'] == exported.onnx_file
    assert result['input_name'] == 'input'
    assert result['input_shape'] == ('batch', 3, 64, 64)
    assert result['output_shapes'] == {
        'simcc_x': ('batch', 16, 128),
        'simcc_y': ('batch', 16, 128),
    }
    assert isinstance(result['opset'], int) and result['opset'] >= 18
    assert set(result['max_abs_diff']) == {1, 3}
    for diffs in result['max_abs_diff'].values():
        assert set(diffs) == {'simcc_x', 'simcc_y'}
        assert max(diffs.values()) <= ATOL_LOGITS
    assert not (exported.root / 'onnx' / 'student.onnx.tmp').exists()

    graph = onnx.load(exported.onnx_file).graph
    assert [i.name for i in graph.input] == ['input']
    assert [o.name for o in graph.output] == ['simcc_x', 'simcc_y']
    batch_dim = graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param  # symbolic: dynamic batch


@pytest.mark.parametrize('batch', [1, 8])
def test_onnx_logits_and_keypoints_match_pytorch(
    exported, generated_crops, batch
):
    inputs, metas = generated_crops
    inputs, metas = inputs[:batch], metas[:batch]
    assert inputs.shape == (batch, 3, 64, 64)
    ort_logits = exported.run_onnx(inputs)
    torch_logits = torch_runner(exported.model)(inputs)
    for ort_out, torch_out in zip(ort_logits, torch_logits):
        assert ort_out.shape == torch_out.shape == (batch, 16, 128)
        assert np.abs(ort_out - torch_out).max() <= ATOL_LOGITS

    box = dict(
        input_size=metas[0]['input_size'],
        centers=np.stack([m['input_center'] for m in metas]),
        scales=np.stack([m['input_scale'] for m in metas]),
    )
    ort_kpts, ort_scores = decode_simcc(*ort_logits, SPLIT_RATIO, **box)
    torch_kpts, torch_scores = decode_simcc(*torch_logits, SPLIT_RATIO, **box)
    assert np.abs(ort_kpts - torch_kpts).max() <= ATOL_PIXELS
    assert np.abs(ort_scores - torch_scores).max() <= ATOL_LOGITS


def test_predict_topdown_matches_mmpose_inference(exported, mpii_root):
    """Both backends through predict_topdown (the config's flip test on)
    against MMPose's own inference_topdown of the same model."""
    image, bbox = val_sample(mpii_root, 1)
    bboxes = np.array([bbox, [0, 0, 96, 96]], dtype=np.float32)
    expected = inference_topdown(exported.model, image, bboxes)
    expected_kpts = np.stack([r.pred_instances.keypoints[0] for r in expected])
    assert Config.fromfile(STUDENT_CFG).model.test_cfg.flip_test

    from_torch = predict_topdown(
        torch_runner(exported.model), STUDENT_CFG, image, bboxes
    )
    np.testing.assert_allclose(from_torch['keypoints'], expected_kpts)
    np.testing.assert_allclose(from_torch['bboxes'], bboxes)
    from_onnx = predict_topdown(exported.run_onnx, STUDENT_CFG, image, bboxes)
    assert np.abs(from_onnx['keypoints'] - expected_kpts).max() <= (
        ATOL_PIXELS
    )
    # the whole image is the default box
    whole = predict_topdown(exported.run_onnx, STUDENT_CFG, image)
    np.testing.assert_allclose(whole['keypoints'], from_onnx['keypoints'][1:])


def test_distiller_export_equals_the_plain_student_export(
    exported, generated_crops
):
    onnx_file = exported.root / 'from_distiller.onnx'
    result = export_onnx(
        DISTILLER_CFG, exported.distiller_ckpt, str(onnx_file), check=False
    )
    assert result['max_abs_diff'] is None
    inputs, _ = generated_crops
    from_distiller = onnx_runner(str(onnx_file), num_threads=1)(inputs)
    for got, expected in zip(from_distiller, exported.run_onnx(inputs)):
        np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)


def test_check_names_the_difference(exported):
    diffs = check_onnx(exported.onnx_file, exported.model, (64, 64))
    assert max(max(d.values()) for d in diffs.values()) <= ATOL_LOGITS

    changed = init_student(STUDENT_CFG, exported.student_ckpt)
    with torch.no_grad():
        changed.head.mlp_head_x.bias.add_(1.0)
    with pytest.raises(RuntimeError) as error:
        check_onnx(exported.onnx_file, changed, (64, 64))
    message = str(error.value)
    assert 'student.onnx' in message and 'simcc_x' in message
    assert 'max |onnxruntime - PyTorch|' in message and '> 0.0001' in message


@needs_onnx_export
def test_export_refuses_an_input_size_the_head_cannot_take(tmp_path):
    out = tmp_path / 'bad.onnx'
    with pytest.raises(ValueError, match=r'input of shape \(2, 3, 64, 48\)'):
        export_onnx(STUDENT_CFG, None, str(out), input_size=(48, 64))
    assert not out.exists() and not (tmp_path / 'bad.onnx.tmp').exists()


@needs_onnx_export
def test_export_refuses_a_heatmap_head(tmp_path):
    heatmap_cfg = str(
        REPO_ROOT
        / 'configs'
        / 'heatmap'
        / 'td-hm_litehrnet18_8xb64-210e_mpii-256x256.py'
    )
    with pytest.raises(TypeError, match='HeatmapHead has no input_size'):
        export_onnx(heatmap_cfg, None, str(tmp_path / 'heatmap.onnx'))
    assert not (tmp_path / 'heatmap.onnx').exists()


def naive_decode(simcc_x, simcc_y, split_ratio, input_size, centers, scales):
    """Argmax per keypoint by loops, /split ratio, then the box mapping."""
    n_inst, n_kpt, _ = simcc_x.shape
    keypoints = np.zeros((n_inst, n_kpt, 2))
    scores = np.zeros((n_inst, n_kpt))
    for n in range(n_inst):
        for k in range(n_kpt):
            best = []
            for vector in (simcc_x[n, k], simcc_y[n, k]):
                index = 0
                for i, value in enumerate(vector):
                    if value > vector[index]:
                        index = i
                best.append((index, vector[index]))
            (bx, vx), (by, vy) = best
            score = min(vx, vy)
            if score <= 0:
                bx = by = -1
            scores[n, k] = score
            for axis, bin_index in enumerate((bx, by)):
                p = bin_index / split_ratio
                keypoints[n, k, axis] = (
                    p / input_size[axis] * scales[n][axis]
                    + centers[n][axis]
                    - 0.5 * scales[n][axis]
                )
    return keypoints, scores


def random_logits(rng, n_inst=3, n_kpt=5, bins_x=20, bins_y=24):
    simcc_x = rng.normal(size=(n_inst, n_kpt, bins_x)).astype(np.float32)
    simcc_y = rng.normal(size=(n_inst, n_kpt, bins_y)).astype(np.float32)
    simcc_x[0, 1] -= 10.0  # all negative: MMPose's "no keypoint" (-1)
    return simcc_x, simcc_y


def test_decode_simcc_against_a_naive_loop():
    rng = np.random.default_rng(0)
    simcc_x, simcc_y = random_logits(rng)
    box = dict(
        input_size=(10, 12),
        centers=rng.uniform(20, 80, size=(3, 2)).astype(np.float32),
        scales=rng.uniform(10, 60, size=(3, 2)).astype(np.float32),
    )
    keypoints, scores = decode_simcc(simcc_x, simcc_y, SPLIT_RATIO, **box)
    expected_kpts, expected_scores = naive_decode(
        simcc_x, simcc_y, SPLIT_RATIO, **box
    )
    assert keypoints.shape == (3, 5, 2) and keypoints.dtype == np.float32
    np.testing.assert_allclose(keypoints, expected_kpts, rtol=1e-6)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-6)
    assert scores[0, 1] <= 0

    # without a box: input (crop) pixels, bin / split ratio
    crop_kpts, _ = decode_simcc(simcc_x, simcc_y, SPLIT_RATIO)
    np.testing.assert_array_equal(
        crop_kpts[1, 2],
        [simcc_x[1, 2].argmax() / 2, simcc_y[1, 2].argmax() / 2],
    )
    np.testing.assert_array_equal(crop_kpts[0, 1], [-0.5, -0.5])


def test_flip_averaging_against_a_naive_reference():
    rng = np.random.default_rng(1)
    simcc_x, simcc_y = random_logits(rng)
    flip_x, flip_y = random_logits(rng)
    flip_indices = [0, 2, 1, 4, 3]
    bins_x = simcc_x.shape[-1]
    avg_x = np.zeros_like(simcc_x)
    avg_y = np.zeros_like(simcc_y)
    for n in range(3):
        for k in range(5):
            mirror = flip_indices[k]
            for i in range(bins_x):
                avg_x[n, k, i] = (
                    simcc_x[n, k, i] + flip_x[n, mirror, bins_x - 1 - i]
                ) / 2
            avg_y[n, k] = (simcc_y[n, k] + flip_y[n, mirror]) / 2
    # the naive average is MMPose's flip_vectors average
    mm_x, mm_y = flip_vectors(
        torch.from_numpy(flip_x), torch.from_numpy(flip_y), flip_indices
    )
    np.testing.assert_allclose(
        (torch.from_numpy(simcc_x) + mm_x).numpy() * 0.5, avg_x, rtol=1e-6
    )
    np.testing.assert_allclose(
        (torch.from_numpy(simcc_y) + mm_y).numpy() * 0.5, avg_y, rtol=1e-6
    )

    box = dict(
        input_size=(10, 12),
        centers=np.full((3, 2), 50.0, np.float32),
        scales=np.full((3, 2), 40.0, np.float32),
    )
    keypoints, scores = decode_simcc(
        simcc_x,
        simcc_y,
        SPLIT_RATIO,
        flipped=(flip_x, flip_y),
        flip_indices=flip_indices,
        **box,
    )
    expected_kpts, expected_scores = naive_decode(
        avg_x, avg_y, SPLIT_RATIO, **box
    )
    np.testing.assert_allclose(keypoints, expected_kpts, rtol=1e-6)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-6)


def test_decode_simcc_names_bad_shapes():
    simcc_x = np.zeros((2, 4, 8), np.float32)
    simcc_y = np.zeros((2, 4, 6), np.float32)
    with pytest.raises(ValueError, match=r'\(2, 4, 8\) and \(2, 3, 6\)'):
        decode_simcc(simcc_x, simcc_y[:, :3], SPLIT_RATIO)
    with pytest.raises(ValueError, match='flip_indices of length K=4'):
        decode_simcc(simcc_x, simcc_y, 2.0, flipped=(simcc_x, simcc_y))
    with pytest.raises(ValueError, match='go together'):
        decode_simcc(simcc_x, simcc_y, 2.0, centers=np.zeros((2, 2)))


@pytest.mark.skipif(
    ONNX_UNAVAILABLE is None,
    reason='torch and the ONNX packages can export here',
)
def test_export_names_what_it_lacks(tmp_path):
    """Where the dynamo exporter or a deploy package is missing, the
    export stops at once with the reason and writes nothing."""
    out_file = tmp_path / 'student.onnx'
    with pytest.raises(RuntimeError, match='ONNX export needs|is needed'):
        export_onnx(STUDENT_CFG, None, str(out_file))
    assert list(tmp_path.iterdir()) == []


def test_albumentation_wrapper_builds_with_the_pinned_albumentations():
    albumentations = pytest.importorskip(
        'albumentations', reason='the albu extra (requirements/albu.txt)'
    )
    from mmpose.datasets.transforms import Albumentation

    assert albumentations.__version__ == '1.3.1'
    transform = Albumentation(
        transforms=[
            dict(
                type='CoarseDropout',
                max_holes=1,
                max_height=0.2,
                max_width=0.2,
                min_holes=1,
                min_height=0.1,
                min_width=0.1,
                p=1.0,
            )
        ]
    )
    image = np.random.default_rng(0).integers(
        1, 255, size=(64, 48, 3), dtype=np.uint8
    )
    out = transform(dict(img=image.copy()))
    assert out['img'].shape == image.shape
    assert (out['img'] == 0).any()  # one hole, filled with 0


@pytest.mark.slow
def test_export_and_infer_tools(exported, mpii_root, tmp_path):
    onnx_file = tmp_path / 'cli.onnx'
    export = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / 'tools' / 'deploy' / 'export_onnx.py'),
            DISTILLER_CFG,
            exported.distiller_ckpt,
            '--out',
            str(onnx_file),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert export.returncode == 0, export.stderr[-3000:]
    assert 'Check passed, batch 1' in export.stdout
    assert 'Check passed, batch 3' in export.stdout

    image, bbox = val_sample(mpii_root, 2)
    out = tmp_path / 'vis.png'
    infer = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / 'tools' / 'deploy' / 'onnx_infer.py'),
            str(onnx_file),
            STUDENT_CFG,
            image,
            '--bbox',
            *map(str, bbox),
            '--out',
            str(out),
            '--threads',
            '1',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert infer.returncode == 0, infer.stderr[-3000:]
    assert out.is_file()
    written = json.loads((tmp_path / 'vis.png.json').read_text())
    expected = predict_topdown(
        exported.run_onnx, STUDENT_CFG, image, np.array([bbox])
    )
    np.testing.assert_allclose(
        written['keypoints'], expected['keypoints'], atol=1e-5
    )
    np.testing.assert_allclose(
        written['keypoint_scores'], expected['keypoint_scores'], atol=1e-5
    )
    np.testing.assert_allclose(written['bboxes'], [bbox], atol=1e-4)
