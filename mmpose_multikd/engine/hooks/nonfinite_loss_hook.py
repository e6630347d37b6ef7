# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Stop training at the first NaN/Inf loss, before anything is saved."""

import math
import os.path as osp
from typing import Dict, Optional, Sequence

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop
from mmpose.registry import HOOKS

DATA_BATCH = Optional[Sequence[dict]]


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Raise ``FloatingPointError`` when a training loss is NaN or Inf.

    After every training iteration the hook reads the parsed log variables
    the model returned (``outputs``; MessageHub's ``train/<name>`` scalars
    when a loop passes none) and checks every entry whose name contains
    ``'loss'`` (the entries MMEngine sums into the total ``loss``).

    Its priority (``ABOVE_NORMAL``) runs it before ``LoggerHook``,
    ``ParamSchedulerHook``, ``EMAHook`` and ``CheckpointHook``
    (``VERY_LOW``) in ``after_train_iter``. MMEngine's train loops call
    ``after_train_epoch`` only after the epoch's last ``after_train_iter``
    and catch nothing, so the raised error ends training before a checkpoint
    of the failing iteration (or its epoch) is written: the newest checkpoint
    on disk is the last one with finite losses. Under DDP the ranks agree
    (one all-reduce of a flag) so that all of them stop together.

    Example:
        >>> custom_hooks = [dict(type='NonFiniteLossHook')]

    Args:
        loss_substring (str): Entries whose name contains it are checked.
            Defaults to ``'loss'``, MMEngine's rule for loss entries.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, loss_substring: str = 'loss') -> None:
        self.loss_substring = loss_substring

    def after_train_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Optional[dict] = None,
    ) -> None:
        """Check this iteration's losses; raise if any is not finite.

        Args:
            runner (Runner): The runner of the training process.
            batch_idx (int): Index of the batch in the epoch.
            data_batch (Sequence[dict], optional): Unused.
            outputs (dict, optional): The parsed log variables.

        Raises:
            FloatingPointError: Names the iteration, the non-finite losses
                and the last checkpoint saved before.
        """
        losses = self._loss_values(runner, outputs)
        bad = {k: v for k, v in losses.items() if not math.isfinite(v)}
        if self._any_rank(bool(bad)):
            raise FloatingPointError(self._message(runner, batch_idx, bad))

    def _loss_values(
        self, runner, outputs: Optional[dict]
    ) -> Dict[str, float]:
        """The loss entries of this iteration as floats.

        Args:
            runner (Runner): The runner.
            outputs (dict, optional): The parsed log variables.

        Returns:
            dict: Loss name -> value.
        """
        if outputs is None:
            prefix = 'train/'
            outputs = {
                key[len(prefix) :]: scalar.current()
                for key, scalar in runner.message_hub.log_scalars.items()
                if key.startswith(prefix)
            }
        return {
            name: float(torch.as_tensor(value).detach().float().mean())
            for name, value in outputs.items()
            if self.loss_substring in name
        }

    @staticmethod
    def _any_rank(flag: bool) -> bool:
        """Whether ``flag`` is set on any rank (itself without DDP).

        Args:
            flag (bool): This rank's flag.

        Returns:
            bool: The flag or-ed over all ranks.
        """
        reduced = torch.tensor(float(flag))
        all_reduce(reduced, op='max')
        return bool(reduced.item())

    @staticmethod
    def _message(runner, batch_idx: int, bad: Dict[str, float]) -> str:
        """The error message: iteration, losses, last good checkpoint.

        Args:
            runner (Runner): The runner.
            batch_idx (int): Index of the batch in the epoch.
            bad (dict): This rank's non-finite loss name -> value (empty
                when only another rank had one).

        Returns:
            str: The message.
        """
        losses = ', '.join(f'{name}={value}' for name, value in bad.items())
        where = f'iteration {runner.iter + 1}'
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            where += f' (epoch {runner.epoch + 1}, batch {batch_idx + 1})'
        return (
            f'Non-finite loss at {where}: {losses or "on another rank"}. '
            'Training stopped; no checkpoint of this iteration was saved. '
            f'{last_checkpoint(runner)}'
        )


def last_checkpoint(runner) -> str:
    """Where to resume from: the checkpoint named in ``last_checkpoint``.

    Args:
        runner (Runner): The runner.

    Returns:
        str: A sentence naming the last good checkpoint, or saying that none
        was saved yet.
    """
    record = osp.join(runner.work_dir, 'last_checkpoint')
    if not osp.isfile(record):
        return 'Last good checkpoint: none saved yet.'
    with open(record) as f:
        path = f.read().strip()
    return (
        f'Last good checkpoint: {path} (resume with --resume, e.g. with a '
        'lower learning rate or a smaller distillation loss_weight).'
    )
