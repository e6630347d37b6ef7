# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""``--part time``: seconds per training iteration of rows and teachers,
data loading included, appended to ``<out>/iteration_times.json``."""

import datetime
import json
import os
import os.path as osp
import statistics
import sys

from ..experiments import time_side_by_side
from .records import data_summary, write_json
from .rows import row_options
from .settings import Campaign
from .table import REPO_ROOT, ROWS, TEACHERS, is_distiller, repo_path, row_size
from .teachers import (
    base_teacher_options,
    find_teacher,
    random_teacher_checkpoint,
)


def part_time(campaign: Campaign) -> None:
    import torch

    stamp = datetime.datetime.now(datetime.timezone.utc)
    root = osp.join(
        campaign.work_root, 'timing', stamp.strftime('%Y%m%d_%H%M%S')
    )
    cpus = os.cpu_count() or 1
    measured = []
    for row in campaign.rows:
        size = row_size(row)
        if row.startswith('teacher'):
            config, copies, threads = repo_path(TEACHERS[size]), 1, cpus
        else:
            config = repo_path(ROWS[row].config)
            copies = max(1, campaign.jobs)
            threads = max(1, cpus // copies)
        # timing: the 128x128 teacher's cost does not depend on its start
        options = base_teacher_options(campaign)
        if not row.startswith('teacher'):
            options = row_options(campaign, 0)
            if is_distiller(config):
                teacher = find_teacher(size, campaign)
                checkpoint = (
                    teacher['checkpoint']
                    if teacher
                    else random_teacher_checkpoint(
                        size, osp.join(root, f'random_teacher_{size}.pth')
                    )
                )
                options['model.teacher_ckpt'] = checkpoint
        runs = [
            dict(
                config=config,
                work_dir=osp.join(root, f'{row}_copy{copy}'),
                options=dict(options, **{'randomness.seed': copy}),
                threads=threads,
            )
            for copy in range(copies)
        ]
        print(
            f'timing {row}: {copies} side by side, {threads} thread(s) '
            f'each, {campaign.iters} iterations',
            flush=True,
        )
        if campaign.dry_run:
            continue
        results = time_side_by_side(
            runs, campaign.iters, campaign.skip, val=True
        )
        entry = dict(
            row=row,
            config=osp.relpath(config, REPO_ROOT),
            size=size,
            side_by_side=copies,
            threads=threads,
            iters=campaign.iters,
            skip=campaign.skip,
            time_s=statistics.mean(r['time_s'] for r in results),
            data_time_s=statistics.mean(r['data_time_s'] for r in results),
            val_s=statistics.mean(r['val_s'] for r in results),
            per_copy=[
                {k: r[k] for k in ('time_s', 'data_time_s', 'val_s')}
                for r in results
            ],
        )
        print(
            f"  {entry['time_s']:.3f} s/iteration "
            f"(data wait {entry['data_time_s']:.3f} s), "
            f"validation {entry['val_s']:.1f} s",
            flush=True,
        )
        measured.append(entry)
    if campaign.dry_run:
        return
    path = osp.join(campaign.out, 'iteration_times.json')
    history = []
    if osp.isfile(path):
        with open(path) as f:
            history = json.load(f)['measurements']
    history.append(
        dict(
            date=stamp.isoformat(timespec='seconds'),
            command=' '.join([osp.basename(sys.argv[0]), *sys.argv[1:]]),
            cpus=cpus,
            torch=torch.__version__,
            batch_size=4 if campaign.tiny else 32,
            data=data_summary(campaign.data_root),
            rows=measured,
        )
    )
    write_json(path, dict(measurements=history))
    print(f'wrote {path}')
