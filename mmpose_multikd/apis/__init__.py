# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""What a user calls from Python: the distilled student for inference and
export (PyTorch checkpoint or ONNX)."""

from .onnx_export import (
    SimCCLogits,
    check_onnx,
    create_onnx_session,
    export_onnx,
    onnx_export_unavailable,
    onnx_runner,
    torch_runner,
)
from .student import (
    export_student,
    extract_student_state_dict,
    init_student,
    is_distiller_config,
    student_config,
)
from .topdown_simcc import decode_simcc, predict_topdown, topdown_inputs
from .visualization import draw_pose, pose_data_sample, write_pose_json

__all__ = [
    'SimCCLogits',
    'check_onnx',
    'create_onnx_session',
    'decode_simcc',
    'draw_pose',
    'export_onnx',
    'export_student',
    'extract_student_state_dict',
    'init_student',
    'is_distiller_config',
    'onnx_export_unavailable',
    'onnx_runner',
    'pose_data_sample',
    'predict_topdown',
    'student_config',
    'topdown_inputs',
    'torch_runner',
    'write_pose_json',
]
