# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Hinton-style logit KD on SimDR outputs (a tempered ``VKDLoss``)."""

from mmpose.registry import MODELS

from ..vkd_loss import VKDLoss


# MMPose already registers a ``KDLoss`` (DWPose's logit distillation loss,
# ``mmpose.models.losses.logit_dis_loss``) in the same ``MODELS`` registry,
# so this class is registered under another name instead of overriding it.
@MODELS.register_module(name='HintonKDLoss')
class KDLoss(VKDLoss):
    """Knowledge distillation of the SimDR distributions (Hinton et al.).

    Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network",
    NIPS 2014 Deep Learning Workshop (arXiv:1503.02531, 2015). The student's
    softened distributions are pulled towards the teacher's with the KL
    divergence scaled by ``tau^2`` (so that the gradient magnitude does not
    depend on the temperature), on both SimDR axes:

    .. math::

        L_{kd} = w \\cdot \\sum_{n=1}^{N} \\sum_{k=1}^{K}
            m_{n,k} \\left[ KL(T^x_{n,k} \\| S^x_{n,k})
            + KL(T^y_{n,k} \\| S^y_{n,k}) \\right] \\tau^2

    with :math:`T = softmax(z_t / \\tau)` and :math:`S = softmax(z_s /
    \\tau)` over the bins, summed over the samples like the task loss
    (Hinton et al. average over the batch). This is exactly
    :class:`VKDLoss` (whose implementation is reused, error messages
    included) with the temperature ``tau = 4`` commonly used for the KD
    baseline. The teacher logits are detached.

    Registered in MMPose's ``MODELS`` as ``'HintonKDLoss'`` because MMPose
    already owns the name ``'KDLoss'``::

        loss_kd=dict(type='HintonKDLoss', temperature=4.0)

    Args:
        temperature (float): Softmax temperature ``tau`` (> 0).
            Defaults to 4.0.
        loss_weight (float): Weight ``w`` of the loss. Defaults to 1.0.
        use_target_weight (bool): Multiply each keypoint's KL by its target
            weight ``m_{n,k}`` (otherwise ``m = 1``). Defaults to False.
    """

    def __init__(
        self,
        temperature: float = 4.0,
        loss_weight: float = 1.0,
        use_target_weight: bool = False,
    ) -> None:
        super().__init__(
            temperature=temperature,
            loss_weight=loss_weight,
            use_target_weight=use_target_weight,
        )
