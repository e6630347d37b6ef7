# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""What a user calls from Python: the distilled student for inference and
export."""

from .student import (
    export_student,
    extract_student_state_dict,
    init_student,
    is_distiller_config,
    student_config,
)

__all__ = [
    'export_student',
    'extract_student_state_dict',
    'init_student',
    'is_distiller_config',
    'student_config',
]
