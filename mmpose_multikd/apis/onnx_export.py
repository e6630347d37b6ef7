# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""ONNX export of the SimDR student and inference with onnxruntime.

No MMDeploy: :func:`export_onnx` exports ``head(extract_feat(input))`` with
``torch.onnx.export(..., dynamo=True)`` (torch 2.14's TorchScript exporter
fails on LiteHRNet's adaptive pooling), with a dynamic batch dimension:

- input ``input``: ``(N, 3, H, W)`` float32, the **normalised** crop, i.e.
  what MMPose's data preprocessor gives the model: the top-down affine crop
  of the config's test pipeline (``LoadImage``, ``GetBBoxCenterScale``,
  ``TopdownAffine``), channels in RGB order, ``(pixel - mean) / std`` with
  the config's ``model.data_preprocessor`` mean and std;
- outputs ``simcc_x`` ``(N, K, W * k)`` and ``simcc_y`` ``(N, K, H * k)``:
  the SimDR logits (``k`` the split ratio), before any decoding.

``mmpose_multikd.apis.topdown_simcc`` builds that input from an image and
boxes and decodes the logits of either backend (:func:`onnx_runner`,
:func:`torch_runner`) with one function.
"""

import os
import os.path as osp
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config

from .student import init_student

INPUT_NAME = 'input'
OUTPUT_NAMES = ('simcc_x', 'simcc_y')
# Batch size of the example input traced by the exporter: not 1, which
# torch.export would specialise (a size-1 dimension is taken as static).
EXAMPLE_BATCH = 2
CHECK_BATCHES = (1, 3)
CHECK_ATOL = 1e-4

Logits = Tuple[np.ndarray, np.ndarray]
LogitsRunner = Callable[[np.ndarray], Logits]


#: torch.onnx.export(..., dynamo=True) appeared in torch 2.5.
ONNX_EXPORT_MIN_TORCH = '2.5.0'


def onnx_export_unavailable() -> Optional[str]:
    """Why :func:`export_onnx` cannot run here, or None when it can.

    Returns:
        str | None: e.g. ``'ONNX export needs torch>=2.5.0 (the dynamo
        exporter); torch 2.1.2 is installed'`` or the missing package.
    """
    import importlib.util

    from mmengine.utils import digit_version

    if digit_version(torch.__version__) < digit_version(ONNX_EXPORT_MIN_TORCH):
        return (
            f'ONNX export needs torch>={ONNX_EXPORT_MIN_TORCH} (the dynamo '
            f'exporter of torch.onnx); torch {torch.__version__} is installed'
        )
    for module in ('onnx', 'onnxscript', 'onnxruntime'):
        if importlib.util.find_spec(module) is None:
            return (
                f'{module} is needed for ONNX export/inference: '
                'pip install -r requirements/deploy.txt'
            )
    return None


def _require(module: str):
    """Import an optional deployment dependency, naming how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f'{module} is needed for ONNX export/inference: '
            'pip install -r requirements/deploy.txt'
        ) from error


class SimCCLogits(nn.Module):
    """A top-down SimDR model as ``input -> (simcc_x, simcc_y)``.

    ``forward(x) = model(x, mode='tensor')``, i.e. MMPose's
    ``head(extract_feat(x))``: the logits ``SimCCHead.predict`` decodes,
    with no data preprocessor, flip test or decoding inside (those stay
    outside the exported graph).

    Args:
        model (nn.Module): A ``TopdownPoseEstimator`` with a SimCC head
            (``SimCCHead`` or a subclass).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input: torch.Tensor):
        """Args:
            input (Tensor): ``(N, 3, H, W)`` normalised crops.

        Returns:
            tuple: ``simcc_x`` ``(N, K, Wx)`` and ``simcc_y`` ``(N, K, Wy)``.
        """
        outputs = self.model(input, None, mode='tensor')
        return tuple(outputs) if isinstance(outputs, list) else outputs


def _model_input_size(model: nn.Module) -> Tuple[int, int]:
    """``(w, h)`` of the head (SimCC heads flatten a fixed-size map)."""
    size = getattr(model.head, 'input_size', None)
    if size is None:
        raise TypeError(
            f'{type(model.head).__name__} has no input_size: export_onnx '
            'needs a SimCC head (SimCCHead or a subclass)'
        )
    return int(size[0]), int(size[1])


def _check_logits(outputs, head_name: str, input_shape: tuple) -> None:
    """Raise unless ``outputs`` are two ``(N, K, bins)`` tensors."""
    if not (
        isinstance(outputs, (tuple, list))
        and len(outputs) == 2
        and all(isinstance(o, torch.Tensor) and o.ndim == 3 for o in outputs)
    ):
        shapes = [
            tuple(o.shape) if isinstance(o, torch.Tensor) else type(o)
            for o in (outputs if isinstance(outputs, (tuple, list)) else [])
        ]
        raise TypeError(
            f'{head_name} on an input of shape {input_shape} gave '
            f'{type(outputs).__name__} {shapes}, not the two (N, K, bins) '
            'SimCC logits export_onnx needs'
        )


def create_onnx_session(model_file: str, num_threads: int = 0):
    """An onnxruntime CPU session.

    Args:
        model_file (str): The ``.onnx`` file.
        num_threads (int): Intra-op threads; 0 lets onnxruntime choose.

    Returns:
        onnxruntime.InferenceSession: The session.
    """
    ort = _require('onnxruntime')
    if not osp.isfile(model_file):
        raise FileNotFoundError(f'ONNX model {model_file!r} not found')
    options = ort.SessionOptions()
    options.intra_op_num_threads = num_threads
    return ort.InferenceSession(
        model_file, options, providers=['CPUExecutionProvider']
    )


def onnx_runner(
    model: Union[str, object], num_threads: int = 0
) -> LogitsRunner:
    """``inputs -> (simcc_x, simcc_y)`` with onnxruntime.

    Args:
        model (str | onnxruntime.InferenceSession): An ``.onnx`` file from
            :func:`export_onnx`, or a session over one.
        num_threads (int): Intra-op threads of a new session (0: default).

    Returns:
        Callable: ``f(inputs)`` with ``inputs`` ``(N, 3, H, W)`` float32
        returning the two logit arrays.
    """
    session = (
        create_onnx_session(model, num_threads)
        if isinstance(model, str)
        else model
    )

    def run(inputs: np.ndarray) -> Logits:
        simcc_x, simcc_y = session.run(
            list(OUTPUT_NAMES),
            {INPUT_NAME: np.ascontiguousarray(inputs, dtype=np.float32)},
        )
        return simcc_x, simcc_y

    return run


def torch_runner(model: nn.Module) -> LogitsRunner:
    """``inputs -> (simcc_x, simcc_y)`` with the PyTorch model.

    Args:
        model (nn.Module): A top-down SimCC model (e.g. from
            :func:`~mmpose_multikd.apis.init_student`), used in ``eval()``.

    Returns:
        Callable: As :func:`onnx_runner`'s, on the model's device.
    """
    wrapper = SimCCLogits(model).eval()
    device = next(model.parameters()).device

    def run(inputs: np.ndarray) -> Logits:
        with torch.no_grad():
            batch = torch.from_numpy(np.ascontiguousarray(inputs)).to(device)
            simcc_x, simcc_y = wrapper(batch)
        return simcc_x.cpu().numpy(), simcc_y.cpu().numpy()

    return run


def _max_abs_diffs(
    reference: Sequence[np.ndarray], got: Sequence[np.ndarray]
) -> Dict[str, float]:
    return {
        name: float(np.abs(out - ref).max())
        for name, ref, out in zip(OUTPUT_NAMES, reference, got)
    }


def check_onnx(
    onnx_file: str,
    model: nn.Module,
    input_size: Tuple[int, int],
    atol: float = CHECK_ATOL,
    batches: Sequence[int] = CHECK_BATCHES,
    seed: int = 1,
) -> Dict[int, Dict[str, float]]:
    """Compare onnxruntime with PyTorch on seeded random inputs.

    For each batch size ``n`` in ``batches``, ``x ~ N(0, 1)`` of shape
    ``(n, 3, h, w)`` goes through both, and per output
    ``max |ort(x) - torch(x)|`` is taken.

    Args:
        onnx_file (str): The exported model.
        model (nn.Module): The PyTorch model it was exported from.
        input_size (tuple[int, int]): ``(w, h)``.
        atol (float): Largest difference accepted.
        batches (Sequence[int]): Batch sizes to run.
        seed (int): Seed of the random inputs.

    Returns:
        dict: ``{n: {'simcc_x': diff, 'simcc_y': diff}}``.

    Raises:
        RuntimeError: A difference exceeds ``atol``; the message names the
            file, batch size, output and difference.
    """
    run_torch = torch_runner(model)
    run = onnx_runner(onnx_file, num_threads=torch.get_num_threads())
    generator = torch.Generator().manual_seed(seed)
    width, height = input_size
    diffs = {}
    for n in batches:
        inputs = torch.randn(n, 3, height, width, generator=generator)
        inputs = inputs.numpy()
        diffs[n] = _max_abs_diffs(run_torch(inputs), run(inputs))
        name, worst = max(diffs[n].items(), key=lambda item: item[1])
        if not worst <= atol:
            raise RuntimeError(
                f'ONNX check failed for {onnx_file}: at batch {n}, max '
                f'|onnxruntime - PyTorch| of {name} is {worst:.3g} > '
                f'{atol:g}'
            )
    return diffs


def export_onnx(
    config: Union[str, Config],
    checkpoint: Optional[str],
    out_file: str,
    input_size: Optional[Tuple[int, int]] = None,
    opset: Optional[int] = None,
    check: bool = True,
    atol: float = CHECK_ATOL,
) -> dict:
    """Export a SimDR student to ONNX (``input -> simcc_x, simcc_y``).

    The model is built by :func:`~mmpose_multikd.apis.init_student`, so
    ``config``/``checkpoint`` are either the student's own MMPose config and
    a plain checkpoint, or a ``MultiKDDistiller`` config and checkpoint (the
    ``student.*`` weights are taken). :class:`SimCCLogits` is exported with
    ``torch.onnx.export(..., dynamo=True)`` and a dynamic batch dimension;
    the file is written to ``<out_file>.tmp``, checked, then renamed, so a
    failed export or check leaves no ``out_file``.

    The check (:func:`check_onnx`) runs onnxruntime and PyTorch on seeded
    random inputs of batch 1 and 3 and computes, per output,
    ``max |ort - torch|``.

    Args:
        config (str | Config): Student or distiller config.
        checkpoint (str, optional): Its checkpoint (None: initial weights).
        out_file (str): The ``.onnx`` file to write.
        input_size (tuple[int, int], optional): ``(w, h)`` of the input;
            defaults to the head's ``input_size`` (SimCC heads flatten a
            fixed-size map, so another size fails with a named error).
        opset (int, optional): ONNX opset; None takes torch's default.
        check (bool): Run the onnxruntime-vs-PyTorch check.
        atol (float): Largest max abs logit difference the check accepts.

    Returns:
        dict: ``path`` (absolute), ``input_name``, ``input_shape``
        (``('batch', 3, h, w)``), ``output_shapes`` (name ->
        ``('batch', K, bins)``), ``opset``, ``input_size`` ``(w, h)`` and
        ``max_abs_diff`` (``{batch: {output: diff}}``, None without check).

    Raises:
        RuntimeError: torch is older than 2.5 or a package of
            ``requirements/deploy.txt`` is missing
            (:func:`onnx_export_unavailable`).
        ValueError: The model does not run at ``input_size``.
        RuntimeError: A check difference exceeds ``atol`` (the message
            names the file, batch, output and difference).
    """
    reason = onnx_export_unavailable()
    if reason is not None:
        raise RuntimeError(reason)
    onnx = _require('onnx')
    model = init_student(config, checkpoint, device='cpu')
    wrapper = SimCCLogits(model).eval()
    head_size = _model_input_size(model)
    width, height = input_size if input_size is not None else head_size
    example = torch.randn(
        EXAMPLE_BATCH,
        3,
        height,
        width,
        generator=torch.Generator().manual_seed(0),
    )
    head_name = type(model.head).__name__
    try:
        with torch.no_grad():
            outputs = wrapper(example)
    except RuntimeError as error:
        raise ValueError(
            f'The model does not run on an input of shape '
            f'{tuple(example.shape)} (input_size={(width, height)}; '
            f'{head_name} input_size={head_size}): {error}'
        ) from error
    _check_logits(outputs, head_name, tuple(example.shape))

    batch = torch.export.Dim('batch', min=1, max=65536)
    program = torch.onnx.export(
        wrapper,
        (example,),
        None,
        dynamo=True,
        input_names=[INPUT_NAME],
        output_names=list(OUTPUT_NAMES),
        dynamic_shapes={'input': {0: batch}},
        opset_version=opset,
        verbose=False,
    )
    out_file = osp.abspath(out_file)
    os.makedirs(osp.dirname(out_file), exist_ok=True)
    tmp_file = f'{out_file}.tmp'
    try:
        program.save(tmp_file, external_data=False)
        proto = onnx.load(tmp_file)
        onnx.checker.check_model(proto)
        diffs = (
            check_onnx(tmp_file, model, (width, height), atol=atol)
            if check
            else None
        )
        os.replace(tmp_file, out_file)
    finally:
        if osp.exists(tmp_file):
            os.remove(tmp_file)

    opset_used = next(
        (o.version for o in proto.opset_import if o.domain in ('', 'ai.onnx')),
        None,
    )
    return dict(
        path=out_file,
        input_name=INPUT_NAME,
        input_shape=('batch', 3, height, width),
        output_shapes={
            name: ('batch', *out.shape[1:])
            for name, out in zip(OUTPUT_NAMES, outputs)
        },
        opset=opset_used,
        input_size=(width, height),
        max_abs_diff=diffs,
    )
