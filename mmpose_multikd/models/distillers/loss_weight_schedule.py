# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The distillation losses' weight schedule, ``model.loss_weight_schedule``."""

from typing import Optional

from mmengine.logging import MessageHub

SCHEDULE_TYPES = ('linear',)
SCHEDULE_KEYS = ('type', 'start_factor', 'end_factor', 'by_epoch')


def linear_decay_factor(schedule: Optional[dict]) -> float:
    """The current distillation loss factor of a linear schedule.

    ``factor = start + (end - start) * progress`` with ``progress`` =
    epoch / max_epochs (or iter / max_iters when ``by_epoch=False``), read
    from MMEngine's ``MessageHub``, which checkpoints restore on resume.

    Args:
        schedule (dict, optional): ``dict(type='linear', start_factor=1.0,
            end_factor=0.0, by_epoch=True)``. None means a constant 1.

    Returns:
        float: The factor.
    """
    if schedule is None:
        return 1.0
    hub = MessageHub.get_current_instance()
    by_epoch = schedule.get('by_epoch', True)
    step, total = (
        ('epoch', 'max_epochs') if by_epoch else ('iter', 'max_iters')
    )
    current, maximum = hub.get_info(step), hub.get_info(total)
    if current is None or not maximum:
        return float(schedule.get('start_factor', 1.0))
    progress = min(max(current / maximum, 0.0), 1.0)
    start = float(schedule.get('start_factor', 1.0))
    end = float(schedule.get('end_factor', 0.0))
    return start + (end - start) * progress
