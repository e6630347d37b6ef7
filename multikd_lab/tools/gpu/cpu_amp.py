# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Dry-run aid: let MMEngine's ``AmpOptimWrapper`` start without a GPU.

``AmpOptimWrapper.__init__`` asserts that a GPU (or NPU, MLU, MUSA) is present.
``multikd_lab.tools.gpu.gpu_check --device cpu --dry-run`` imports this module
(``custom_imports``) so that ``--amp`` training runs the same path on the CPU:
autocast then runs on the CPU (MMEngine's ``autocast`` picks the available
device) and PyTorch's GradScaler disables itself without CUDA. Only the
assertion's device probe is replaced, in that module only; never import this
outside such a dry run.
"""

from mmengine.optim.optimizer import amp_optimizer_wrapper

amp_optimizer_wrapper.is_cuda_available = lambda: True
