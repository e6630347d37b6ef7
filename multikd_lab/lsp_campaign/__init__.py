# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The LSP campaign in parts: teacher, loss weights, rows over seeds,
report (``python -m multikd_lab.tools.run_lsp_campaign`` is its command
line; its rules are in ``docs/lsp.md``).

- :mod:`.table`: the rows, teachers and studies, as data;
- :mod:`.settings`: :class:`Campaign`, the settings every part reads;
- :mod:`.teachers`, :mod:`.weights`, :mod:`.rows`, :mod:`.costs`,
  :mod:`.report`: the parts ``teacher`` / ``teacher-state``, ``weights``,
  ``rows``, ``time`` and ``report``;
- :mod:`.records`: what is saved, small, under ``docs/data/lsp``.
"""

import os.path as osp
import sys

from .costs import part_time
from .report import part_report
from .rows import part_rows, plan_rows
from .settings import Campaign, CampaignError, parse_args
from .table import ROWS, STUDIES, TEACHERS, Row
from .teachers import part_teacher, part_teacher_state
from .weights import part_weights

PARTS = {
    'time': part_time,
    'teacher': part_teacher,
    'teacher-state': part_teacher_state,
    'weights': part_weights,
    'rows': part_rows,
    'report': part_report,
}


def main(argv=None) -> int:
    campaign = parse_args(argv)
    if campaign.part != 'report' and not osp.isdir(campaign.data_root):
        print(
            f'--data-root {campaign.data_root} is not a folder: convert '
            'LSPet with tools/dataset_converters/lsp2mpii.py (docs/lsp.md)',
            file=sys.stderr,
        )
        return 2
    try:
        PARTS[campaign.part](campaign)
    except CampaignError as error:
        print(f'refused: {error}', file=sys.stderr)
        return 1
    return 0


__all__ = [
    'Campaign',
    'CampaignError',
    'PARTS',
    'ROWS',
    'Row',
    'STUDIES',
    'TEACHERS',
    'main',
    'parse_args',
    'plan_rows',
]
