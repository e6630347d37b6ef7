# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A batch's keypoint weights and SimDR labels, as MMPose's heads read
them."""

from typing import Tuple

import torch
from mmpose.utils.typing import SampleList
from torch import Tensor


def keypoint_weights(data_samples: SampleList) -> Tensor:
    """(N, K) keypoint weights (visibility) of the batch."""
    return torch.cat(
        [sample.gt_instance_labels.keypoint_weights for sample in data_samples]
    )


def keypoint_labels(data_samples: SampleList) -> Tuple[Tensor, Tensor]:
    """The SimDR labels ``(x, y)`` of the batch, ``(N, K, Lx)`` and
    ``(N, K, Ly)`` (``SimCCLabel``'s ``keypoint_x_labels`` and
    ``keypoint_y_labels``, as ``SimCCHead.loss`` reads them).

    Raises:
        KeyError: The samples carry no SimDR labels (e.g. heatmap targets).
    """
    labels = []
    for axis in ('x', 'y'):
        key = f'keypoint_{axis}_labels'
        if key not in data_samples[0].gt_instance_labels:
            raise KeyError(
                f'the data samples have no gt_instance_labels.{key}: a loss '
                'that reads the SimDR labels needs the SimCCLabel codec in '
                'GenerateTarget'
            )
        labels.append(
            torch.cat([s.gt_instance_labels[key] for s in data_samples])
        )
    return labels[0], labels[1]
