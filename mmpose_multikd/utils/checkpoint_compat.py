# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Let MMEngine 0.10 checkpoints load under torch's ``weights_only=True``.

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True``, which only
unpickles tensors and a few builtins. MMEngine 0.10.7 writes NumPy arrays,
dtypes and scalars, ``collections`` containers and its ``HistoryBuffer`` into
every checkpoint's ``message_hub``/``meta``, so ``mim test``, ``--resume`` and
``load_checkpoint`` fail with ``UnpicklingError: Weights only load failed``.

Instead of turning the safety check off globally
(``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``), :func:`allow_mmengine_checkpoints`
allow-lists exactly the globals those checkpoints use. It runs when
``mmpose_multikd`` is imported, i.e. by every config of this project through
``custom_imports``.
"""

import collections
from typing import List

import numpy as np
import torch


def _numpy_globals() -> List[object]:
    """NumPy callables and classes pickled into MMEngine checkpoints."""
    try:  # NumPy >= 2 moved the pickling helpers to numpy._core
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [type(np.dtype(code)) for code in np.typecodes['All']]
    return [_reconstruct, scalar, np.ndarray, np.dtype, *dtype_classes]


def mmengine_checkpoint_globals() -> List[object]:
    """All non-tensor globals an MMEngine 0.10 training checkpoint holds."""
    from mmengine.logging import HistoryBuffer

    return [
        *_numpy_globals(),
        HistoryBuffer,
        # A HistoryBuffer pickles its `statistics_methods` as
        # `getattr(HistoryBuffer, 'mean')` etc. Allowing `getattr` lets the
        # unpickler read attributes; it still calls only allow-listed
        # callables, so no arbitrary code runs.
        getattr,
        collections.Counter,
        collections.OrderedDict,
        collections.defaultdict,
    ]


def allow_mmengine_checkpoints() -> None:
    """Allow-list MMEngine's checkpoint globals for ``weights_only`` loads.

    Idempotent; a no-op on torch versions without ``add_safe_globals``.
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:
        add_safe_globals(mmengine_checkpoint_globals())
