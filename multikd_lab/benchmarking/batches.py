# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Training batches as MMPose's data pipeline hands them to a model."""

import numpy as np
from mmengine.dataset import pseudo_collate
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs


def synthetic_batch(
    codec_cfg: dict, batch_size: int, num_keypoints: int, seed: int = 0
) -> dict:
    """A training batch as MMPose's data pipeline hands it to a model.

    Random images of the codec's ``input_size`` and random keypoints (inside
    the image, all visible) go through MMPose's own ``GenerateTarget`` (with
    ``codec_cfg``) and ``PackPoseInputs``, then ``pseudo_collate``, so the
    batch carries the labels the model's head expects (SimDR or heatmap).

    Args:
        codec_cfg (dict): The model's codec config.
        batch_size (int): Number of samples.
        num_keypoints (int): K.
        seed (int): Seed of the random images and keypoints.

    Returns:
        dict: ``inputs`` (list of uint8 ``(3, h, w)`` tensors) and
        ``data_samples`` (list of ``PoseDataSample``).
    """
    rng = np.random.default_rng(seed)
    width, height = codec_cfg['input_size']
    encode = GenerateTarget(encoder=dict(codec_cfg))
    pack = PackPoseInputs()
    samples = []
    for _ in range(batch_size):
        keypoints = rng.uniform(
            (2, 2), (width - 2, height - 2), size=(1, num_keypoints, 2)
        ).astype(np.float32)
        results = dict(
            img=rng.integers(0, 256, (height, width, 3), dtype=np.uint8),
            keypoints=keypoints,
            keypoints_visible=np.ones((1, num_keypoints), np.float32),
            input_size=(width, height),
            img_shape=(height, width),
            ori_shape=(height, width),
        )
        samples.append(pack(encode(results)))
    return pseudo_collate(samples)
