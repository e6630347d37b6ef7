# Copyright (c) mmpose-multikd contributors. All rights reserved.
from .multikd_distiller import MultiKDDistiller

__all__ = ['MultiKDDistiller']
