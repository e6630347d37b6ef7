# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Per-epoch record of a run's loss terms, pair weights and gradients."""

import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpose.registry import HOOKS
from torch import Tensor

DATA_BATCH = Optional[Sequence[dict]]
RECORD_VERSION = 1


@HOOKS.register_module()
class TrainingRecordHook(Hook):
    """Write, after every training epoch, what explains a run's result.

    For each epoch ``e`` the record (``<work_dir>/<out_file>``, JSON) holds:

    - ``means``: the epoch mean of every scalar the model logged in
      training (MMEngine's parsed log variables: each loss term, e.g.
      ``loss_kpt``, ``loss_fkd``, ``loss_vkd``, the total ``loss``,
      ``acc_pose`` and, for WA, each pair's batch-mean weight
      ``gamma_t{l}_s{m}``), over the epoch's iterations on this rank;
    - ``grad_norms``: on the epoch's first batch, before its update, the L2
      norm of the gradient of each loss term ``L_j`` (as weighted in the
      total) with respect to the student's ``grad_module`` parameters,
      ``||dL_j / d theta||``, and of their sum ``loss``;
    - ``grad_cosines``: for each term other than ``task_loss``,
      ``cos(dL_j/d theta, dL_task/d theta)``; a term whose gradient is zero
      there has none.

    The gradients come from one extra forward of the training batch and
    ``torch.autograd.grad`` (no ``.grad`` is touched); every buffer of the
    model (e.g. BN running statistics) is restored afterwards and no random
    number is drawn, so a run with the hook trains exactly as one without.
    Every rank computes them (a SyncBN student needs all ranks); rank 0
    writes the file, atomically, after each epoch. On resume the record is
    read back and cut to the epochs before the resumed one.

    Example:
        >>> custom_hooks = [dict(type='TrainingRecordHook')]

    Args:
        out_file (str): File name in the work dir. Defaults to
            ``'training_record.json'``.
        grad_module (str): Module path, inside the student (the model
            itself when it is no distiller), whose parameters the gradient
            norms are taken on. Defaults to ``'backbone'``.
        task_loss (str): The term the others are compared with. Defaults to
            ``'loss_kpt'`` (MMPose's SimCC and heatmap heads).
    """

    priority = 'LOW'

    def __init__(
        self,
        out_file: str = 'training_record.json',
        grad_module: str = 'backbone',
        task_loss: str = 'loss_kpt',
    ) -> None:
        self.out_file = out_file
        self.grad_module = grad_module
        self.task_loss = task_loss
        self.epochs: List[dict] = []
        self._sums: Dict[str, float] = {}
        self._count = 0
        self._grads: Dict[str, Dict[str, float]] = {}

    # ------------------------------------------------------------ records
    def _path(self, runner) -> str:
        return osp.join(runner.work_dir, self.out_file)

    def before_train(self, runner) -> None:
        """Start a record, or keep the finished epochs of a resumed run."""
        self.epochs = []
        path = self._path(runner)
        if runner.epoch > 0 and osp.isfile(path):
            with open(path) as f:
                record = json.load(f)
            self.epochs = [
                epoch
                for epoch in record.get('epochs', [])
                if epoch['epoch'] <= runner.epoch
            ]
        # the student's module is checked here, before the first step
        self._grad_params(runner)

    def before_train_epoch(self, runner) -> None:
        self._sums, self._count, self._grads = {}, 0, {}

    def before_train_iter(
        self, runner, batch_idx: int, data_batch: DATA_BATCH = None
    ) -> None:
        """On the epoch's first batch: each term's gradient norm."""
        if batch_idx == 0 and data_batch is not None:
            self._grads = self.loss_gradients(runner, data_batch)

    def after_train_iter(
        self,
        runner,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Optional[dict] = None,
    ) -> None:
        """Add this iteration's logged scalars to the epoch's sums."""
        for name, value in (outputs or {}).items():
            if isinstance(value, Tensor):
                if value.numel() != 1:
                    continue
                value = value.item()
            if isinstance(value, (int, float)):
                self._sums[name] = self._sums.get(name, 0.0) + float(value)
        self._count += 1

    def after_train_epoch(self, runner) -> None:
        """Append the epoch and write the record (rank 0)."""
        count = max(self._count, 1)
        self.epochs.append(
            dict(
                epoch=runner.epoch + 1,
                iterations=self._count,
                means={k: v / count for k, v in sorted(self._sums.items())},
                **self._grads,
            )
        )
        if is_main_process():
            self._write(self._path(runner))

    def _write(self, path: str) -> None:
        record = dict(
            version=RECORD_VERSION,
            grad_module=self.grad_module,
            task_loss=self.task_loss,
            epochs=self.epochs,
        )
        tmp = f'{path}.tmp'
        with open(tmp, 'w') as f:
            json.dump(record, f, indent=1)
            f.write('\n')
        os.replace(tmp, path)

    # ---------------------------------------------------------- gradients
    def _grad_params(self, runner) -> List[torch.nn.Parameter]:
        model = self._model(runner)
        student = getattr(model, 'student', model)
        try:
            module = student.get_submodule(self.grad_module)
        except AttributeError as error:
            raise AttributeError(
                f'TrainingRecordHook: grad_module={self.grad_module!r} is '
                f'not a module of the student ({type(student).__name__}): '
                f'{error}'
            ) from None
        return [p for p in module.parameters() if p.requires_grad]

    @staticmethod
    def _model(runner) -> torch.nn.Module:
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def loss_gradients(self, runner, data_batch) -> Dict[str, dict]:
        """Norms and task cosines of each loss term's gradient.

        Args:
            runner (Runner): The runner (its model and optim wrapper).
            data_batch (dict): A training batch, as the dataloader gives it.

        Returns:
            dict: ``grad_norms`` (term -> norm) and ``grad_cosines`` (term ->
            cosine with ``task_loss``'s gradient).
        """
        model = self._model(runner)
        params = self._grad_params(runner)
        saved_buffers = [b.detach().clone() for b in model.buffers()]
        try:
            with torch.enable_grad():
                data = model.data_preprocessor(data_batch, True)
                with runner.optim_wrapper.optim_context(model):
                    # the preprocessor gives a dict (MMPose) or a sequence
                    losses = (
                        model(**data, mode='loss')
                        if isinstance(data, dict)
                        else model(*data, mode='loss')
                    )
                terms = {
                    name: sum(value) if isinstance(value, list) else value
                    for name, value in losses.items()
                    if 'loss' in name
                }
                grads = {}
                for name, value in terms.items():
                    parts = torch.autograd.grad(
                        value, params, retain_graph=True, allow_unused=True
                    )
                    grads[name] = torch.cat(
                        [
                            (g if g is not None else torch.zeros_like(p))
                            .detach()
                            .float()
                            .flatten()
                            for g, p in zip(parts, params)
                        ]
                    )
        finally:
            with torch.no_grad():
                for buffer, saved in zip(model.buffers(), saved_buffers):
                    buffer.copy_(saved)
        grads['loss'] = sum(grads.values())
        norms = {name: g.norm().item() for name, g in grads.items()}
        cosines = {}
        task = grads.get(self.task_loss)
        for name, grad in grads.items():
            if task is None or name in (self.task_loss, 'loss'):
                continue
            denom = grad.norm() * task.norm()
            if denom > 0:
                cosines[name] = (grad @ task / denom).item()
        return dict(
            grad_norms={k: _finite(v) for k, v in norms.items()},
            grad_cosines={k: _finite(v) for k, v in cosines.items()},
        )


def _finite(value: float) -> Optional[float]:
    """JSON has no NaN: a non-finite value is written as null."""
    return value if math.isfinite(value) else None
