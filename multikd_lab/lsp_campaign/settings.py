# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The campaign's settings: one :class:`Campaign`, from the command line."""

import argparse
import dataclasses
import os.path as osp
from typing import List, Optional

from ..experiments import DEFAULT_CACHE_DIR
from .table import MAIN_ROWS, REPO_ROOT, ROWS, STUDIES, TEACHERS

DESCRIPTION = 'The LSP campaign in parts: teacher, loss weights, rows, report'
PARTS = ('time', 'teacher', 'teacher-state', 'weights', 'rows', 'report')
DEFAULT_OUT = str(REPO_ROOT / 'docs' / 'data' / 'lsp')


class CampaignError(RuntimeError):
    """A part cannot run yet (e.g. no teacher, weights not measured)."""


@dataclasses.dataclass
class Campaign:
    """Everything a part of the campaign reads: what to run, where the data,
    work dirs, caches and records are, and the checks' overrides.

    ``records`` (where row records go: ``out``, or ``out/<study>``) and the
    study's ``work_root`` are derived by :func:`parse_args`.
    """

    part: str
    rows: List[str]
    seeds: Optional[List[int]] = None
    study: Optional[str] = None
    data_root: str = 'data/lspet_mpii'
    teacher_data_root: Optional[str] = None
    work_root: str = 'work_dirs/lsp'
    teacher_cache: str = DEFAULT_CACHE_DIR
    teacher_seed: int = 0
    out: str = DEFAULT_OUT
    records: str = DEFAULT_OUT
    docs: List[str] = dataclasses.field(default_factory=list)
    weights_dir: str = osp.join(osp.dirname(DEFAULT_CACHE_DIR), 'lsp_weights')
    jobs: int = 2
    dry_run: bool = False
    remeasure: bool = False
    train_teacher: bool = False
    iters: int = 30
    skip: int = 5
    batches: int = 3
    epochs: Optional[int] = None
    teacher_epochs: Optional[int] = None
    tiny: bool = False


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``multikd_lab/tools/run_lsp_campaign.py``."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        '--part',
        required=True,
        choices=PARTS,
    )
    parser.add_argument(
        '--rows',
        nargs='+',
        default=None,
        help=f"rows: {', '.join(ROWS)}; --part time also takes teacher "
        "and teacher-128x128 (default: the study's rows, else "
        f"{' '.join(MAIN_ROWS)})",
    )
    parser.add_argument(
        '--seeds',
        type=int,
        nargs='+',
        default=None,
        help="default: the study's seeds, else 0 1 2",
    )
    parser.add_argument(
        '--study',
        choices=sorted(STUDIES),
        default=None,
        help='a study after the main table: its rows are the default '
        '--rows, its records go to <out>/<study>, its work dirs to '
        '<work root>/<study>',
    )
    parser.add_argument('--data-root', default='data/lspet_mpii')
    parser.add_argument(
        '--teacher-data-root',
        default=None,
        help='the data the teachers were trained on and are cached by '
        '(default: --data-root); rows scored on a dev conversion '
        '(lsp2mpii.py --num-dev) name the plain conversion here',
    )
    parser.add_argument('--work-root', default='work_dirs/lsp')
    parser.add_argument('--teacher-cache', default=DEFAULT_CACHE_DIR)
    parser.add_argument('--teacher-seed', type=int, default=0)
    parser.add_argument(
        '--out',
        default=DEFAULT_OUT,
        help='where finished runs are saved (small files, committed)',
    )
    parser.add_argument(
        '--docs',
        nargs='*',
        default=[],
        help='--part report: Markdown pages whose generated LSP tables '
        '(between <!-- generated: NAME --> markers) are rewritten from the '
        'report, e.g. README.md docs/results.md',
    )
    parser.add_argument(
        '--weights-dir',
        default=osp.join(osp.dirname(DEFAULT_CACHE_DIR), 'lsp_weights'),
        help="where a teacher's weights and an unfinished teacher's "
        'training state are saved (large files, outside the repository; '
        'their SHA-256 is in the committed record)',
    )
    parser.add_argument(
        '--jobs',
        type=int,
        default=2,
        help='rows trained side by side, max(1, cpus // jobs) threads each',
    )
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help='print what would be trained, train nothing',
    )
    parser.add_argument(
        '--remeasure',
        action='store_true',
        help='--part weights: measure again over weights already measured',
    )
    parser.add_argument(
        '--train-teacher',
        action='store_true',
        help='--part teacher: train a teacher that the records hold under '
        'another key, or whose weights file is missing (refused otherwise)',
    )
    parser.add_argument('--iters', type=int, default=30, help='--part time')
    parser.add_argument(
        '--skip', type=int, default=5, help='--part time: warm-up iterations'
    )
    parser.add_argument(
        '--batches',
        type=int,
        default=3,
        help='--part weights: training batches averaged',
    )
    parser.add_argument(
        '--epochs',
        type=int,
        default=None,
        help="override the rows' schedule (default: the study's, else "
        "the configs'; such runs are marked in their saved result)",
    )
    parser.add_argument(
        '--teacher-epochs',
        type=int,
        default=None,
        help="override the teacher's schedule (checks only)",
    )
    parser.add_argument(
        '--tiny', action='store_true', help='batches of 4, no workers (CI)'
    )
    return parser


def parse_args(argv=None) -> Campaign:
    """The :class:`Campaign` of a command line (paths made absolute)."""
    parser = build_parser()
    campaign = Campaign(**vars(parser.parse_args(argv)), records='')
    study = STUDIES.get(campaign.study, {})
    if campaign.rows is None:
        campaign.rows = list(study.get('rows', MAIN_ROWS))
    if campaign.seeds is None:
        campaign.seeds = list(study.get('seeds', (0, 1, 2)))
    if campaign.epochs is None:
        campaign.epochs = study.get('epochs')
    known = set(ROWS) | {f'teacher-{size}' for size in TEACHERS}
    known |= {'teacher'} if campaign.part == 'time' else set()
    unknown = [row for row in campaign.rows if row not in known]
    if unknown:
        parser.error(f'unknown rows {unknown}; known: {sorted(known)}')
    campaign.data_root = osp.abspath(campaign.data_root)
    campaign.teacher_data_root = osp.abspath(
        campaign.teacher_data_root or campaign.data_root
    )
    # where this part's row records go: the main table's or the study's
    campaign.records = (
        osp.join(campaign.out, campaign.study) if study else campaign.out
    )
    if study:
        campaign.work_root = osp.join(campaign.work_root, campaign.study)
    return campaign
