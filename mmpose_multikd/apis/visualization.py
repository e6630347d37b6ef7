# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Draw top-down predictions with MMPose's visualizer and save them as JSON.

Shared by ``tools/demo_image.py`` (PyTorch, ``inference_topdown``) and
``tools/deploy/onnx_infer.py`` (onnxruntime), so both draw and write the
same way.
"""

import json
import os
import os.path as osp
from typing import Optional

import mmcv
import numpy as np
from mmengine.structures import InstanceData
from mmpose.registry import VISUALIZERS
from mmpose.structures import PoseDataSample


def pose_data_sample(
    keypoints: np.ndarray,
    keypoint_scores: np.ndarray,
    bboxes: np.ndarray,
    bbox_scores: Optional[np.ndarray] = None,
) -> PoseDataSample:
    """A ``PoseDataSample`` holding predictions as MMPose's top-down model
    fills ``pred_instances`` (``keypoints_visible`` = the scores).

    Args:
        keypoints (np.ndarray): ``(N, K, 2)`` image pixels.
        keypoint_scores (np.ndarray): ``(N, K)``.
        bboxes (np.ndarray): ``(N, 4)`` ``x1 y1 x2 y2``.
        bbox_scores (np.ndarray, optional): ``(N,)``; default ones.

    Returns:
        PoseDataSample: With ``pred_instances`` set.
    """
    if bbox_scores is None:
        bbox_scores = np.ones(len(bboxes), dtype=np.float32)
    return PoseDataSample(
        pred_instances=InstanceData(
            keypoints=keypoints,
            keypoint_scores=keypoint_scores,
            keypoints_visible=keypoint_scores,
            bboxes=bboxes,
            bbox_scores=bbox_scores,
        )
    )


def draw_pose(
    visualizer_cfg: dict,
    dataset_meta: dict,
    image: str,
    pose: PoseDataSample,
    out_file: str,
    radius: int = 3,
    thickness: int = 1,
    kpt_thr: float = 0.0,
) -> None:
    """Draw ``pose.pred_instances`` (skeleton and boxes) on ``image``.

    Args:
        visualizer_cfg (dict): The config's ``visualizer``.
        dataset_meta (dict): Skeleton, colours and keypoint names.
        image (str): The image file the keypoints are in.
        pose (PoseDataSample): Predictions, e.g. ``merge_data_samples`` of
            ``inference_topdown``'s results or :func:`pose_data_sample`.
        out_file (str): The picture to write (folders are created).
        radius (int): Keypoint radius.
        thickness (int): Limb line width.
        kpt_thr (float): Keypoints scoring at most this are not drawn.
    """
    visualizer = VISUALIZERS.build(visualizer_cfg)
    visualizer.set_dataset_meta(dataset_meta)
    visualizer.radius = radius
    visualizer.line_width = thickness
    picture = mmcv.imread(image, channel_order='rgb')
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    visualizer.add_datasample(
        'result',
        picture,
        data_sample=pose,
        draw_gt=False,
        draw_bbox=True,
        kpt_thr=kpt_thr,
        show=False,
        out_file=out_file,
    )


def write_pose_json(pose: PoseDataSample, json_file: str) -> dict:
    """Write ``keypoints``, ``keypoint_scores`` and ``bboxes`` as JSON.

    Args:
        pose (PoseDataSample): Predictions in ``pred_instances``.
        json_file (str): The file to write.

    Returns:
        dict: What was written (nested lists).
    """
    content = dict(
        keypoints=np.asarray(pose.pred_instances.keypoints).tolist(),
        keypoint_scores=np.asarray(
            pose.pred_instances.keypoint_scores
        ).tolist(),
        bboxes=np.asarray(pose.pred_instances.bboxes).tolist(),
    )
    with open(json_file, 'w') as f:
        json.dump(content, f)
    return content
