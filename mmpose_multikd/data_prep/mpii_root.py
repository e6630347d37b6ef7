# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Point an MPII config at another MPII-format data root."""

from typing import Dict


def data_root_options(data_root: str) -> Dict[str, str]:
    """``cfg_options`` that point an MPII config at ``data_root``.

    Args:
        data_root (str): A folder with ``images/`` and ``annotations/``
            (``mpii_train.json``, ``mpii_val.json``, ``mpii_gt_val.mat``).

    Returns:
        dict: The train, val and test dataloaders' data roots and head-box
        files.
    """
    data_root = data_root.rstrip('/') + '/'
    headbox_file = f'{data_root}annotations/mpii_gt_val.mat'
    options = {'train_dataloader.dataset.data_root': data_root}
    for loader in ('val_dataloader', 'test_dataloader'):
        options[f'{loader}.dataset.data_root'] = data_root
        options[f'{loader}.dataset.headbox_file'] = headbox_file
    return options
