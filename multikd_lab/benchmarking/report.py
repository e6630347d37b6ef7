# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Benchmark reports: a markdown table and its JSON payload."""

import json
import os
import os.path as osp
from typing import List, Optional, Tuple

import torch


def markdown_table(rows: List[dict], columns: List[Tuple[str, str]]) -> str:
    """A markdown table of ``rows`` (dicts) with ``(key, title)`` columns.

    Floats print with 2 decimals, a missing value as ``-``.
    """

    def cell(value) -> str:
        if value is None:
            return '-'
        if isinstance(value, float):
            return f'{value:.2f}'
        return str(value)

    lines = [
        '| ' + ' | '.join(title for _, title in columns) + ' |',
        '|' + '---|' * len(columns),
    ]
    for row in rows:
        lines.append(
            '| ' + ' | '.join(cell(row.get(key)) for key, _ in columns) + ' |'
        )
    return '\n'.join(lines)


def machine_info(device: str) -> dict:
    """What the numbers were measured on."""
    info = dict(
        device=str(device),
        torch=torch.__version__,
        torch_threads=torch.get_num_threads(),
        cpu_count=os.cpu_count(),
    )
    if str(device).startswith('cuda'):
        info['gpu'] = torch.cuda.get_device_name()
    return info


def write_report(
    out_json: str, table: str, payload: dict, out_md: Optional[str] = None
) -> None:
    """Write the JSON payload and the markdown table beside it."""
    os.makedirs(osp.dirname(osp.abspath(out_json)), exist_ok=True)
    with open(out_json, 'w') as f:
        json.dump(payload, f, indent=2)
    out_md = out_md or osp.splitext(out_json)[0] + '.md'
    with open(out_md, 'w') as f:
        f.write(table + '\n')
    print(f'\nwrote {out_json} and {out_md}')
