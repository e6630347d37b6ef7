# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A test-only hook that writes what each DDP rank ended training with.

tests/test_tools/test_dist_train.py trains with a config that inherits the
tiny distiller and adds this module to ``custom_imports`` and the hook to
``custom_hooks`` (the repository root is on ``PYTHONPATH`` under
``tools/dist_train.sh``).
"""

from typing import Optional, Sequence

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpose.registry import HOOKS


@HOOKS.register_module()
class RankStateHook(Hook):
    """After training, save ``rank{r}.pth`` in the work dir with the
    unwrapped model's ``state_dict`` before and after training (the former
    of its student only), the names of the parameters the wrapper trains,
    the wrapper's type and the image ids this rank saw."""

    def __init__(self) -> None:
        self.img_ids = []
        self.initial_student = {}

    def before_train(self, runner) -> None:
        """Keep the student's weights as training starts.

        Args:
            runner (Runner): The runner.
        """
        student = unwrap(runner.model).student
        self.initial_student = {
            k: v.detach().clone() for k, v in student.state_dict().items()
        }

    def after_train_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: Optional[Sequence[dict]] = None,
        outputs: Optional[dict] = None,
    ) -> None:
        """Record the ids of this batch's images.

        Args:
            runner (Runner): The runner.
            batch_idx (int): Index of the batch.
            data_batch (dict, optional): The batch, with ``data_samples``.
            outputs (dict, optional): Unused.
        """
        for sample in data_batch['data_samples']:
            self.img_ids.append(int(sample.metainfo['img_id']))

    def after_train(self, runner) -> None:
        """Write ``rank{r}.pth``.

        Args:
            runner (Runner): The runner.
        """
        model = unwrap(runner.model)
        state = dict(
            initial_student=self.initial_student,
            state_dict=model.state_dict(),
            trainable=[
                n for n, p in model.named_parameters() if p.requires_grad
            ],
            wrapper=type(runner.model).__name__,
            img_ids=self.img_ids,
        )
        torch.save(state, f'{runner.work_dir}/rank{get_rank()}.pth')


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside a DDP (or other MMEngine) wrapper."""
    return model.module if is_model_wrapper(model) else model
