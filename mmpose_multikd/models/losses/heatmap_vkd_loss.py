# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""VKD from a heatmap teacher: its heatmaps as 1-D SimDR distributions."""

import functools
from typing import Optional, Sequence, Tuple

import torch
from mmpose.registry import MODELS
from torch import Tensor

from ..utils.precision import float32_forward
from .vkd_loss import AXIS_NAMES, VKDLoss


def marginal_to_bins_matrix(
    num_cells: int, num_bins: int, device=None, dtype=None
) -> Tensor:
    """Linear interpolation from heatmap cells to SimDR bins, ``(C, B)``.

    SimDR bin ``b`` and heatmap cell ``j`` stand for the image coordinates
    ``b / k`` and ``j * s`` (MMPose's ``SimCCLabel`` and ``MSRAHeatmap``
    encode ``round(x * k)`` and ``round(x / s)``, with ``k`` the split ratio
    and ``s`` the heatmap stride). Since ``B = k * W`` and ``C = W / s``,
    bin ``b`` sits at cell ``u_b = b * C / B``. Column ``b`` of the matrix
    holds the weights ``1 - f`` and ``f`` of the cells ``floor(u_b)`` and
    ``floor(u_b) + 1`` (``f`` the fractional part); beyond the last cell
    the last cell's value is kept.

    Args:
        num_cells (int): Heatmap cells ``C`` along the axis.
        num_bins (int): SimDR bins ``B`` along the same axis.

    Returns:
        Tensor: ``A`` with ``p_bins = p_cells @ A``, on ``device`` in
        ``dtype`` (float64 on the CPU by default). Built once per shape and
        kept per device and dtype: a training step copies nothing from the
        host (the returned matrix is shared: never modify it in place).
    """
    matrix = _interpolation_matrix(num_cells, num_bins)
    if device is None and dtype is None:
        return matrix
    return _interpolation_matrix_on(
        num_cells,
        num_bins,
        torch.device(device) if device is not None else matrix.device,
        dtype if dtype is not None else matrix.dtype,
    )


@functools.lru_cache(maxsize=32)
def _interpolation_matrix_on(
    num_cells: int, num_bins: int, device: torch.device, dtype: torch.dtype
) -> Tensor:
    """:func:`_interpolation_matrix` on ``device`` in ``dtype``."""
    return _interpolation_matrix(num_cells, num_bins).to(device, dtype)


@functools.lru_cache(maxsize=16)
def _interpolation_matrix(num_cells: int, num_bins: int) -> Tensor:
    """:func:`marginal_to_bins_matrix` in float64 on the CPU, built once
    per shape (every training step asks for the same two)."""
    position = torch.arange(num_bins, dtype=torch.float64) * (
        num_cells / num_bins
    )
    left = position.floor().clamp(max=num_cells - 1)
    fraction = (position - left).clamp(0, 1)
    right = (left + 1).clamp(max=num_cells - 1)
    matrix = torch.zeros(num_cells, num_bins, dtype=torch.float64)
    columns = torch.arange(num_bins)
    matrix.index_put_((left.long(), columns), 1 - fraction, accumulate=True)
    matrix.index_put_((right.long(), columns), fraction, accumulate=True)
    return matrix


@MODELS.register_module()
class HeatmapVKDLoss(VKDLoss):
    """VKD of a SimDR student from a heatmap teacher.

    A teacher with MMPose's ``HeatmapHead`` outputs per keypoint a heatmap
    ``H`` of ``h x w`` cells. It is turned into a 2-D distribution with a
    temperature ``tau_h``, summed into its two marginals and carried onto
    the student's SimDR bins by linear interpolation:

    .. math::

        P = \\mathrm{softmax}(\\mathrm{vec}(H) / \\tau_h), \\quad
        p^x_j = \\sum_i P_{ij}, \\quad p^y_i = \\sum_j P_{ij}, \\quad
        T^x = \\frac{p^x A_x}{\\sum_b (p^x A_x)_b}

    (the same for ``y``), with ``A`` from :func:`marginal_to_bins_matrix`.
    Then, as in :class:`VKDLoss`, with the student's distributions
    ``S = softmax(z_s / tau)``:

    .. math::

        L = w \\cdot \\sum_{n=1}^{N} \\sum_{k=1}^{K} m_{n,k}
            \\left[ KL(T^x_{n,k} \\| S^x_{n,k})
            + KL(T^y_{n,k} \\| S^y_{n,k}) \\right] \\tau^2

    summed over the samples like the task loss. A Gaussian heatmap of peak
    1 and standard deviation ``sigma_h`` becomes, near its peak, a Gaussian
    of standard deviation ``sigma_h * sqrt(tau_h)``: ``tau_h = (sigma_label
    / sigma_h)^2`` (both in image pixels) gives the teacher's distributions
    the width of the student's SimDR labels. The heatmaps are detached.

    Args:
        heatmap_temperature (float): ``tau_h`` (> 0). Defaults to 0.1.
        temperature (float): The student's ``tau`` (> 0). Defaults to 1.0.
        loss_weight (float): Weight ``w``. Defaults to 1.0.
        use_target_weight (bool): Weigh each keypoint by its target weight
            ``m``. Defaults to False.
    """

    # Tells ``MultiKDDistiller`` to call the loss with the student's SimDR
    # logits and the teacher head's heatmaps.
    distill_inputs = ('student_simcc', 'teacher_heatmaps', 'target_weight')

    def __init__(
        self,
        heatmap_temperature: float = 0.1,
        temperature: float = 1.0,
        loss_weight: float = 1.0,
        use_target_weight: bool = False,
    ) -> None:
        super().__init__(
            temperature=temperature,
            loss_weight=loss_weight,
            use_target_weight=use_target_weight,
        )
        if heatmap_temperature <= 0:
            raise ValueError(
                'HeatmapVKDLoss: heatmap_temperature must be > 0, got '
                f'{heatmap_temperature}.'
            )
        self.heatmap_temperature = float(heatmap_temperature)

    @float32_forward
    def forward(
        self,
        student_simcc: Sequence[Tensor],
        teacher_heatmaps: Tensor,
        target_weight: Optional[Tensor] = None,
    ) -> Tensor:
        """Compute the loss.

        Args:
            student_simcc (Sequence[Tensor]): Student logits
                ``(pred_x, pred_y)``, ``(N, K, Lx)`` and ``(N, K, Ly)``.
            teacher_heatmaps (Tensor): Teacher heatmaps ``(N, K, h, w)``.
            target_weight (Tensor, optional): Keypoint weights ``(N, K)``.

        Returns:
            Tensor: The scalar loss.
        """
        return super().forward(student_simcc, teacher_heatmaps, target_weight)

    def teacher_log_probs(
        self, teacher_heatmaps: Tensor, student_simcc: Sequence[Tensor]
    ) -> Tuple[Tensor, Tensor]:
        """``log T^x`` and ``log T^y`` on the student's bins."""
        batch, keypoints, height, width = teacher_heatmaps.shape
        flat = teacher_heatmaps.detach().flatten(2) / self.heatmap_temperature
        probs = flat.softmax(dim=-1).view(batch, keypoints, height, width)
        marginals = (probs.sum(dim=2), probs.sum(dim=3))  # x: over rows
        log_probs = []
        for marginal, student in zip(marginals, student_simcc):
            matrix = marginal_to_bins_matrix(
                marginal.shape[-1],
                student.shape[-1],
                device=marginal.device,
                dtype=marginal.dtype,
            )
            on_bins = marginal @ matrix
            on_bins = on_bins / on_bins.sum(dim=-1, keepdim=True)
            log_probs.append(
                on_bins.clamp_min(torch.finfo(on_bins.dtype).tiny).log()
            )
        return tuple(log_probs)

    @staticmethod
    def _check_inputs(
        student_simcc: Sequence[Tensor], teacher_heatmaps: Tensor
    ) -> None:
        """A student ``(x, y)`` pair and ``(N, K, h, w)`` heatmaps."""
        if (
            not isinstance(student_simcc, (list, tuple))
            or len(student_simcc) != 2
        ):
            raise ValueError(
                'HeatmapVKDLoss: student_simcc must be a pair '
                '(pred_x, pred_y).'
            )
        if not isinstance(teacher_heatmaps, Tensor) or (
            teacher_heatmaps.dim() != 4
        ):
            shape = getattr(teacher_heatmaps, 'shape', type(teacher_heatmaps))
            raise ValueError(
                'HeatmapVKDLoss: the teacher output must be heatmaps shaped '
                f'(N, K, h, w), got {tuple(shape)}; a SimDR teacher takes '
                'VKDLoss.'
            )
        for axis, student in zip(AXIS_NAMES, student_simcc):
            if student.dim() != 3 or (
                student.shape[:2] != teacher_heatmaps.shape[:2]
            ):
                raise ValueError(
                    f'HeatmapVKDLoss: student {axis} logits '
                    f'{tuple(student.shape)} do not match the teacher '
                    f'heatmaps {tuple(teacher_heatmaps.shape)} in (N, K).'
                )
