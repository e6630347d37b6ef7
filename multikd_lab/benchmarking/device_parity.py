# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A distiller's losses and gradients on one device against the CPU."""

import contextlib
import copy
from typing import Dict, Iterator, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS
from torch import Tensor

from mmpose_multikd.models.utils import load_model_config

from .batches import synthetic_batch

DTYPES = {'fp16': torch.float16, 'bf16': torch.bfloat16}
# A parameter's gradient is compared on its own when its norm is at least
# this fraction of the norm of all gradients together.
SIGNIFICANT = 1e-6


@contextlib.contextmanager
def exact_float32() -> Iterator[None]:
    """No TF32 in CUDA matrix products and convolutions inside the block
    (PyTorch lets cuDNN use TF32 for convolutions by default), so that a
    CUDA float32 result is comparable with the CPU's."""
    matmul = torch.backends.cuda.matmul.allow_tf32
    cudnn = torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = matmul
        torch.backends.cudnn.allow_tf32 = cudnn


def losses_and_grads(
    model: torch.nn.Module, batch: dict, autocast: Optional[str] = None
) -> Tuple[Dict[str, float], Dict[str, Tensor]]:
    """One training forward and backward of ``model`` (no optimizer step).

    Args:
        model (nn.Module): An MMPose model or distiller in train mode.
        batch (dict): ``inputs`` and ``data_samples`` as the data loader
            hands them over.
        autocast (str, optional): ``'fp16'`` or ``'bf16'``: run the
            forward under ``torch.autocast`` of the model's device type.

    Returns:
        tuple: The loss terms (``loss*`` keys of the loss dict, as floats)
        and the gradient of every trainable parameter, on the CPU in
        float32.
    """
    model.zero_grad(set_to_none=True)
    data = model.data_preprocessor(batch, True)
    device_type = data['inputs'].device.type
    cast = (
        torch.autocast(device_type, dtype=DTYPES[autocast])
        if autocast
        else contextlib.nullcontext()
    )
    with cast:
        losses = model(**data, mode='loss')
    total, _ = model.parse_losses(losses)
    total.backward()
    terms = {
        key: float(value.detach().float().sum())
        for key, value in losses.items()
        if key.startswith('loss')
    }
    grads = {
        name: param.grad.detach().float().cpu()
        for name, param in model.named_parameters()
        if param.requires_grad and param.grad is not None
    }
    return terms, grads


def relative_error(value: Tensor, reference: Tensor) -> float:
    """``||value - reference|| / max(||reference||, 1e-12)``."""
    reference = reference.double()
    diff = torch.linalg.vector_norm(value.double() - reference)
    return float(diff / torch.linalg.vector_norm(reference).clamp_min(1e-12))


def distiller_parity(
    config: str,
    device: str,
    batch_size: int = 4,
    seed: int = 0,
    autocast: Optional[str] = None,
) -> dict:
    """A distiller config's losses and gradients on ``device`` against the
    same model (same weights, same batch) on the CPU in float32.

    The reference runs on the CPU in float32; the candidate is a copy moved
    to ``device``, in float32 with TF32 disabled, or under ``autocast``.
    Teacher weights are random (seeded): parity does not depend on them.

    Args:
        config (str): A distiller (or plain MMPose model) config path.
        device (str): The device under test, e.g. ``'cuda'``.
        batch_size (int): Samples in the batch.
        seed (int): Seed of the weights and of the batch.
        autocast (str, optional): ``'fp16'`` or ``'bf16'`` on ``device``.

    Returns:
        dict: Per loss term its CPU and device values and relative error,
        the relative error of all gradients together (``grad_rel_err``)
        and the largest one of a single parameter with its name
        (``grad_max_rel_err``, ``grad_worst_param``; parameters whose
        gradient norm is below ``SIGNIFICANT`` times the total's are left
        out of it: their exact gradient is zero and their values rounding
        noise),
        plus ``finite`` (all device values and gradients finite).
    """
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    torch.manual_seed(seed)
    reference = MODELS.build(cfg.model).train()
    candidate = copy.deepcopy(reference).to(device).train()
    student_cfg = cfg.model.get('student', cfg.model)
    head = load_model_config(student_cfg).head
    batch = synthetic_batch(head.decoder, batch_size, head.out_channels, seed)
    ref_terms, ref_grads = losses_and_grads(reference, batch)
    with exact_float32():
        terms, grads = losses_and_grads(candidate, batch, autocast)
    loss_rows = {
        key: dict(
            cpu=ref_terms[key],
            device=terms[key],
            rel_err=abs(terms[key] - ref_terms[key])
            / max(abs(ref_terms[key]), 1e-12),
        )
        for key in ref_terms
    }
    # Parameters whose exact gradient is zero (e.g. a bias followed by a
    # train-mode BatchNorm) carry rounding noise only: the total judges them.
    names = sorted(set(ref_grads) & set(grads))
    total = torch.cat([ref_grads[name].flatten() for name in names])
    grad_total_err = relative_error(
        torch.cat([grads[name].flatten() for name in names]), total
    )
    threshold = SIGNIFICANT * float(total.double().norm())
    grad_errors = {
        name: relative_error(grads[name], ref_grads[name])
        for name in names
        if float(ref_grads[name].double().norm()) > threshold
    }
    worst = max(grad_errors, key=grad_errors.get) if grad_errors else None
    values = torch.tensor([row['device'] for row in loss_rows.values()])
    finite = bool(torch.isfinite(values).all()) and all(
        bool(torch.isfinite(grad).all()) for grad in grads.values()
    )
    return dict(
        config=config,
        device=device,
        autocast=autocast or 'fp32',
        batch_size=batch_size,
        losses=loss_rows,
        missing_grads=sorted(set(ref_grads) - set(grads)),
        grad_rel_err=grad_total_err,
        grad_max_rel_err=grad_errors[worst] if worst else 0.0,
        grad_worst_param=worst,
        finite=finite,
    )
