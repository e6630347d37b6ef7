# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Top-down inference on SimDR logits from any backend (PyTorch, ONNX).

:func:`topdown_inputs` builds the student's input from an image and boxes
with the config's own test pipeline and data preprocessor,
:func:`decode_simcc` turns SimDR logits (from PyTorch or from onnxruntime,
the same function for both) into keypoints in the original image, and
:func:`predict_topdown` chains the three with either backend
(:func:`~mmpose_multikd.apis.onnx_export.onnx_runner`,
:func:`~mmpose_multikd.apis.onnx_export.torch_runner`).
"""

import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmpose.apis.inference import dataset_meta_from_config
from mmpose.codecs.utils import get_simcc_maximum
from mmpose.models.utils.tta import flip_vectors
from mmpose.registry import MODELS

from .onnx_export import Logits, LogitsRunner
from .student import student_config


def simcc_decoder_config(config: Union[str, Config]) -> dict:
    """The head's ``SimCCLabel`` decoder settings, checked for support.

    Raises:
        NotImplementedError: The decoder uses DARK refinement or decodes
            visibility (not done by :func:`decode_simcc`).
    """
    cfg = student_config(config)
    decoder = cfg.model.head.get('decoder')
    if decoder is None or decoder.get('type') != 'SimCCLabel':
        raise TypeError(
            f'The config head {cfg.model.head.get("type")} has no SimCCLabel '
            f'decoder ({decoder})'
        )
    for option in ('use_dark', 'decode_visibility'):
        if decoder.get(option, False):
            raise NotImplementedError(
                f'decode_simcc does not implement SimCCLabel({option}=True)'
            )
    return dict(decoder)


def topdown_inputs(
    config: Union[str, Config],
    image: Union[str, np.ndarray],
    bboxes: Optional[np.ndarray] = None,
    dataset_meta: Optional[dict] = None,
) -> Tuple[np.ndarray, List[dict]]:
    """The model input for each box, as ``mmpose.apis.inference_topdown``
    makes it.

    The config's test pipeline (``LoadImage``, ``GetBBoxCenterScale``,
    ``TopdownAffine``, ``PackPoseInputs``) crops each box, and the config's
    data preprocessor converts BGR to RGB and normalises,
    ``(pixel - mean) / std``: the result is exactly what the PyTorch model
    receives, and what the exported ONNX model takes as ``input``.

    Args:
        config (str | Config): Student or distiller config.
        image (str | np.ndarray): Image file, or a BGR ``(H, W, 3)`` array.
        bboxes (np.ndarray, optional): ``(N, 4)`` boxes ``x1 y1 x2 y2``;
            None or empty: the whole image.
        dataset_meta (dict, optional): Dataset meta (default: the config's
            train dataset's, as ``init_model`` takes it).

    Returns:
        tuple: ``inputs`` ``(N, 3, h, w)`` float32, and per box its data
        sample's ``metainfo`` (``input_center``, ``input_scale``,
        ``input_size``, ``flip_indices``, ...) plus ``bbox`` ``(1, 4)``.
    """
    cfg = student_config(config)
    if dataset_meta is None:
        dataset_meta = dataset_meta_from_config(cfg, dataset_mode='train')
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    if isinstance(image, str) and not osp.isfile(image):
        raise FileNotFoundError(f'Image {image!r} not found')
    if bboxes is None or len(bboxes) == 0:
        if isinstance(image, str):
            from PIL import Image

            with Image.open(image) as opened:
                w, h = opened.size
        else:
            h, w = image.shape[:2]
        bboxes = np.array([[0, 0, w, h]], dtype=np.float32)
    bboxes = np.asarray(bboxes, dtype=np.float32)
    if bboxes.ndim != 2 or bboxes.shape[1] != 4:
        raise ValueError(
            f'bboxes must be (N, 4) x1 y1 x2 y2, got shape {bboxes.shape}'
        )

    pipeline = Compose(cfg.test_dataloader.dataset.pipeline)
    data_list = []
    for bbox in bboxes:
        data_info = (
            dict(img_path=image) if isinstance(image, str) else dict(img=image)
        )
        data_info['bbox'] = bbox[None]
        data_info['bbox_score'] = np.ones(1, dtype=np.float32)
        data_info.update(dataset_meta or {})
        data_list.append(pipeline(data_info))
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    with torch.no_grad():
        data = preprocessor(pseudo_collate(data_list), False)
    inputs = data['inputs'].float().numpy()
    metas = [
        dict(sample.metainfo, bbox=sample.gt_instances.bboxes)
        for sample in data['data_samples']
    ]
    return inputs, metas


def decode_simcc(
    simcc_x: np.ndarray,
    simcc_y: np.ndarray,
    split_ratio: float,
    flipped: Optional[Logits] = None,
    flip_indices: Optional[Sequence[int]] = None,
    input_size: Optional[Tuple[int, int]] = None,
    centers: Optional[np.ndarray] = None,
    scales: Optional[np.ndarray] = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """SimDR logits to keypoints and scores, as MMPose decodes them.

    With ``flipped`` (the logits of the horizontally flipped inputs), the
    flip test of MMPose's ``SimCCHead.predict`` (``flip_vectors``) first::

        x = (x + x_flip[:, flip_indices, ::-1]) * 0.5
        y = (y + y_flip[:, flip_indices]) * 0.5

    then, per instance ``n`` and keypoint ``k`` (``get_simcc_maximum`` and
    ``SimCCLabel.decode``, ``r`` the split ratio)::

        p = (argmax_i x[n, k, i], argmax_j y[n, k, j]) / r
        score = min(max_i x[n, k, i], max_j y[n, k, j])
        p = -1 / r where score <= 0

    ``p`` is in input (crop) pixels. With ``centers``, ``scales`` and
    ``input_size`` (the crop's ``input_center``, ``input_scale`` and
    ``input_size``), mapped back to the original image as MMPose's
    ``TopdownPoseEstimator.add_pred_to_datasample`` does::

        p_image = p / input_size * scale + center - 0.5 * scale

    Args:
        simcc_x (np.ndarray): ``(N, K, Wx)`` x logits.
        simcc_y (np.ndarray): ``(N, K, Wy)`` y logits.
        split_ratio (float): Bins per input pixel (``simcc_split_ratio``).
        flipped (tuple, optional): ``(simcc_x, simcc_y)`` of the flipped
            inputs, same shapes.
        flip_indices (Sequence[int], optional): Each keypoint's mirror
            keypoint (dataset meta); needed with ``flipped``.
        input_size (tuple[int, int], optional): ``(w, h)`` of the crop.
        centers (np.ndarray, optional): ``(N, 2)`` box centers.
        scales (np.ndarray, optional): ``(N, 2)`` box scales ``(w, h)``.

    Returns:
        tuple: ``keypoints`` ``(N, K, 2)`` float32 (image pixels with
        ``centers``, otherwise input pixels) and ``scores`` ``(N, K)``.
    """
    simcc_x, simcc_y = np.asarray(simcc_x), np.asarray(simcc_y)
    if simcc_x.ndim != 3 or simcc_y.shape[:2] != simcc_x.shape[:2]:
        raise ValueError(
            'simcc_x and simcc_y must be (N, K, Wx) and (N, K, Wy), got '
            f'{simcc_x.shape} and {simcc_y.shape}'
        )
    if flipped is not None:
        flip_x, flip_y = (np.asarray(f) for f in flipped)
        if flip_x.shape != simcc_x.shape or flip_y.shape != simcc_y.shape:
            raise ValueError(
                f'flipped logits {flip_x.shape}, {flip_y.shape} differ from '
                f'{simcc_x.shape}, {simcc_y.shape}'
            )
        if flip_indices is None or len(flip_indices) != simcc_x.shape[1]:
            raise ValueError(
                f'flip_indices of length K={simcc_x.shape[1]} needed with '
                f'flipped logits, got {flip_indices}'
            )
        flip_x, flip_y = (
            t.numpy()
            for t in flip_vectors(
                torch.from_numpy(np.ascontiguousarray(flip_x)),
                torch.from_numpy(np.ascontiguousarray(flip_y)),
                list(flip_indices),
            )
        )
        simcc_x = (simcc_x + flip_x) * 0.5
        simcc_y = (simcc_y + flip_y) * 0.5

    locs, scores = get_simcc_maximum(simcc_x, simcc_y)
    keypoints = locs.reshape(simcc_x.shape[0], simcc_x.shape[1], 2)
    keypoints /= split_ratio
    scores = scores.reshape(simcc_x.shape[:2])

    if centers is not None or scales is not None:
        if centers is None or scales is None or input_size is None:
            raise ValueError('centers, scales and input_size go together')
        centers = np.asarray(centers).reshape(-1, 1, 2)
        scales = np.asarray(scales).reshape(-1, 1, 2)
        if len(centers) != len(keypoints) or len(scales) != len(keypoints):
            raise ValueError(
                f'{len(keypoints)} instances but {len(centers)} centers and '
                f'{len(scales)} scales'
            )
        keypoints = (
            keypoints / np.asarray(input_size) * scales
            + centers
            - 0.5 * scales
        ).astype(np.float32)
    return keypoints, scores


def predict_topdown(
    run_logits: LogitsRunner,
    config: Union[str, Config],
    image: Union[str, np.ndarray],
    bboxes: Optional[np.ndarray] = None,
    flip_test: Optional[bool] = None,
    dataset_meta: Optional[dict] = None,
) -> Dict[str, np.ndarray]:
    """Keypoints of each box: :func:`topdown_inputs`, the logits, then
    :func:`decode_simcc`.

    With the flip test the inputs are flipped horizontally
    (``inputs[..., ::-1]``, as ``TopdownPoseEstimator.predict`` flips them)
    and both logit sets go to :func:`decode_simcc`.

    Args:
        run_logits (Callable): ``inputs -> (simcc_x, simcc_y)``, e.g.
            :func:`onnx_runner` or :func:`torch_runner`.
        config (str | Config): Student or distiller config.
        image (str | np.ndarray): Image file or BGR array.
        bboxes (np.ndarray, optional): ``(N, 4)`` ``x1 y1 x2 y2``; None: the
            whole image.
        flip_test (bool, optional): Default: the config's
            ``model.test_cfg.flip_test``.
        dataset_meta (dict, optional): For ``flip_indices`` (default: the
            config's).

    Returns:
        dict: ``keypoints`` ``(N, K, 2)`` in image pixels,
        ``keypoint_scores`` ``(N, K)`` and ``bboxes`` ``(N, 4)``.
    """
    cfg = student_config(config)
    decoder = simcc_decoder_config(cfg)
    if dataset_meta is None:
        dataset_meta = dataset_meta_from_config(cfg, dataset_mode='train')
    if flip_test is None:
        flip_test = bool(cfg.model.get('test_cfg', {}).get('flip_test'))
    inputs, metas = topdown_inputs(cfg, image, bboxes, dataset_meta)
    simcc_x, simcc_y = run_logits(inputs)
    flipped, flip_indices = None, None
    if flip_test:
        if not dataset_meta or 'flip_indices' not in dataset_meta:
            raise ValueError('flip test needs flip_indices in dataset_meta')
        flipped = run_logits(np.ascontiguousarray(inputs[..., ::-1]))
        flip_indices = dataset_meta['flip_indices']
    keypoints, scores = decode_simcc(
        simcc_x,
        simcc_y,
        decoder['simcc_split_ratio'],
        flipped=flipped,
        flip_indices=flip_indices,
        input_size=metas[0]['input_size'],
        centers=np.stack([m['input_center'] for m in metas]),
        scales=np.stack([m['input_scale'] for m in metas]),
    )
    bboxes = np.concatenate([m['bbox'] for m in metas]).astype(np.float32)
    return dict(keypoints=keypoints, keypoint_scores=scores, bboxes=bboxes)
