# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``--part weights``: the rule's loss weights, measured with the cached
teacher and recorded; the configs carry them as written numbers."""

import datetime
import os.path as osp

from ..experiments.loss_scales import LossScaleRule, markdown, measure
from .records import loss_scales_path, read_json, write_json
from .settings import Campaign, CampaignError
from .table import REPO_ROOT, repo_path, row_size, weight_configs
from .teachers import find_teacher


def config_lines(results: list) -> str:
    """The ``lsp_weights`` entries to write in the size's ``_base_`` file
    (``configs/lsp/_base_/lspet-<size>.py``)."""
    return '\n'.join(
        f"    {term['name']}={term['weight']!r},  # {result['config']}"
        for result in results
        for term in result['terms']
    )


def part_weights(campaign: Campaign) -> None:
    """Measure the weights of every config the listed rows take them from
    at their sizes; a config already measured with the cached teacher is
    kept (``--remeasure`` measures again). Writes
    ``<out>/loss_scales_<size>.json`` and prints the config lines."""
    for size in sorted({row_size(row) for row in campaign.rows}):
        teacher = find_teacher(size, campaign)
        if teacher is None:
            raise CampaignError(
                f'no trained LSP teacher at {size}: run --part teacher first'
            )
        teacher_name = osp.basename(teacher['work_dir'])
        path = loss_scales_path(campaign.out, size)
        record = read_json(path)
        if record.get('teacher') != teacher_name:
            record = {}  # measured with another teacher: measure anew
        done = {result['config'] for result in record.get('results', [])}
        todo = [
            config
            for config in weight_configs(size, campaign.rows)
            if campaign.remeasure or config not in done
        ]
        print(
            f'weights at {size} with {teacher_name}: '
            f'{len(todo)} to measure, {len(done)} kept'
        )
        if campaign.dry_run or not todo:
            continue
        rule = LossScaleRule(
            teacher_ckpt=teacher['checkpoint'],
            data_root=campaign.data_root,
            batches=campaign.batches,
        )
        today = datetime.date.today().isoformat()
        results = [
            dict(measure(repo_path(config), rule), date=today)
            for config in todo
        ]
        print(markdown(results))
        for result in results:
            result['config'] = osp.relpath(result['config'], REPO_ROOT)
        kept = [
            r for r in record.get('results', []) if r['config'] not in todo
        ]
        write_json(
            path,
            dict(
                teacher=teacher_name,
                teacher_PCKh=teacher['PCKh'],
                batches=rule.batches,
                seed=rule.seed,
                feature_multiple=rule.feature_multiple,
                distribution_multiple=rule.distribution_multiple,
                date=today,
                results=kept + results,
            ),
        )
        print(
            f'wrote {path}; write these in the lsp_weights of '
            f'configs/lsp/_base_/lspet-{size}.py:\n{config_lines(results)}'
        )
