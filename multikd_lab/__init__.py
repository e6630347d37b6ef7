# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The experiment lab of mmpose-multikd: demo and ablation runs, the LSP
campaign, reports and timing harnesses.

It lives beside the package, not in it: ``pip install`` ships
``mmpose_multikd`` (the method and its MMPose integration) only, and
``import mmpose_multikd`` never imports this. The scripts under ``tools/``
that run experiments put the repository root on ``sys.path`` to import it;
the tests import it from the repository root.
"""
