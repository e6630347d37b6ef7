# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The campaign as data: its rows, teachers, studies and comparisons.

Every row is one config under ``configs/lsp``; ``weights_from`` names the
config whose loss weights were measured by the rule (``docs/method.md``)
and which the row's config carries (the ablation rows inherit the full
method's; each compared distiller has its own). The doc columns say how
the results pages show a row.
"""

import dataclasses
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
LSP = 'configs/lsp'
FULL = f'{LSP}/multikd_litehrnet18_lspet.py'
FULL_128 = f'{LSP}/multikd_litehrnet18_lspet-128x128.py'
# The dose the dev screening chose (``r6-vkds``, docs/results.md) and the
# default configs carry (their ``vkd_dose``): VKD at a sixteenth of the
# rule's lambda. The campaign's weight check holds every config to it.
CHOSEN_ON_DEV = (('loss_vkd', 0.0625),)


@dataclasses.dataclass(frozen=True)
class Row:
    """One row of the campaign.

    Args:
        name (str): Its name on the command line (``--rows``).
        config (str): Its config, relative to the repository.
        weights_from (str, optional): The config whose measured weights
            it carries; None for the student alone.
        label (str): Its label in the results table ('' = not shown).
        what (str): What it distils, in the results table.
        paper (str): The paper's MPII value of the same row.
        readme (str): Its label in the README summary ('' = not shown).
        weight_factors (tuple): ``(term, factor)``: the row carries the
            measured weight of ``term`` times ``factor`` (a weight chosen
            on dev); other terms carry the measured weight.
    """

    name: str
    config: str
    weights_from: Optional[str] = FULL
    label: str = ''
    what: str = ''
    paper: str = ''
    readme: str = ''
    weight_factors: Tuple[Tuple[str, float], ...] = ()


def _ablation(name: str, parts: str, **doc) -> Row:
    return Row(
        name,
        f'{LSP}/ablation/multikd_litehrnet18_lspet_{name}_{parts}.py',
        **doc,
    )


def _baseline(name: str, **doc) -> Row:
    config = f'{LSP}/baselines/{name}_litehrnet18_lspet.py'
    return Row(name, config, weights_from=config, **doc)


ROW_TABLE: Tuple[Row, ...] = (
    _ablation(
        'r1',
        'baseline',
        weights_from=None,
        label='r1: student alone (SimDR LiteHRNet-18)',
        what='-',
        paper='85.9',
        readme='student alone',
    ),
    _ablation(
        'r2',
        'cs',
        label='r2: cross-stage KD only',
        what='top branches, uniform weights',
        paper='86.8',
        readme='cross-stage KD only',
    ),
    _ablation(
        'r3',
        'cs-mft',
        label='r3: cross-stage KD + MFT',
        what='+ MFT',
        paper='87.3',
    ),
    _ablation(
        'r4',
        'cs-wa',
        label='r4: cross-stage KD + WA',
        what='+ WA',
        paper='87.1',
    ),
    _ablation(
        'r5',
        'cs-mft-wa',
        label='r5: cross-stage KD + MFT + WA',
        what='+ MFT, WA',
        paper='87.5',
    ),
    _ablation(
        'r6',
        'cs-mft-wa-vkd',
        label='r6: full Multi-KD',
        what='+ MFT, WA, VKD',
        paper='87.7',
        readme="Multi-KD, the paper's form",
    ),
    _ablation('r2-vkd', 'cs-vkd', label='r2 + VKD', what='+ VKD', paper='-'),
    # fix candidates, screened on dev (docs/lsp.md)
    _ablation(
        'r6-bn',
        'cs-mftbn-wa-vkd',
        weights_from=f'{LSP}/ablation/multikd_litehrnet18_lspet_r6-bn_'
        'cs-mftbn-wa-vkd.py',
        label='r6, MFT branches at equal energy',
        what='MFT: branch_norm',
        paper='-',
    ),
    _ablation(
        'r6-wad',
        'cs-mft-wadetach-vkd',
        label='r6, WA on detached student features',
        what='WA: attention_detach_student',
        paper='-',
    ),
    _ablation(
        'r6-wat2',
        'cs-mft-watau2-vkd',
        label='r6, WA softmax at temperature 2',
        what='WA: attention_temperature=2',
        paper='-',
    ),
    _ablation(
        'r6-vkdm',
        'cs-mft-wa-vkdmask',
        weights_from=f'{LSP}/ablation/multikd_litehrnet18_lspet_r6-vkdm_'
        'cs-mft-wa-vkdmask.py',
        label='r6, VKD where labelled and the teacher is right',
        what='VKD: use_target_weight, teacher_error_radius=9',
        paper='-',
    ),
    _ablation(
        'r6-vkdq',
        'cs-mft-wa-vkdquarter',
        weight_factors=(('loss_vkd', 0.25),),
        label="r6, VKD at a quarter of the rule's lambda",
        what='VKD: lambda x 0.25',
        paper='-',
    ),
    # the second screening round, on the first round's winner
    _ablation(
        'r6-vkdq-wat2',
        'cs-mft-watau2-vkdquarter',
        weight_factors=(('loss_vkd', 0.25),),
        label='r6, VKD x 0.25, WA at temperature 2',
        what='VKD: lambda x 0.25; WA: attention_temperature=2',
        paper='-',
    ),
    _ablation(
        'r6-vkds',
        'cs-mft-wa-vkdsixteenth',
        weight_factors=CHOSEN_ON_DEV,
        label="r6, VKD at a sixteenth of the rule's lambda",
        what='VKD: lambda x 0.0625',
        paper='-',
    ),
    # the default (configs/multikd_litehrnet18_mpii.py in LSP form): the
    # four parts with VKD at the dose chosen on dev (its ``vkd_dose``)
    Row(
        'multikd',
        FULL,
        weight_factors=CHOSEN_ON_DEV,
        label='Multi-KD, the default (VKD x 1/16)',
        what='+ MFT, WA, VKD at a sixteenth of lambda',
        paper='-',
        readme='Multi-KD, the default (VKD at 1/16)',
    ),
    Row(
        'multikd-128x128',
        FULL_128,
        weights_from=FULL_128,
        weight_factors=CHOSEN_ON_DEV,
    ),
    _baseline('kd'),
    _baseline(
        'fitnet',
        label='FitNet',
        what='stage 1',
        paper='86.53',
        readme='FitNet',
    ),
    _baseline('rkd'),
    _baseline('at'),
    _baseline('sp'),
    _baseline(
        'dwpose',
        label="DWPose (MMPose's DWPoseDistiller, first stage)",
        what='last stage + SimCC logits, decayed',
        paper='-',
        readme='DWPose (MMPose)',
    ),
    _baseline(
        'reviewkd',
        label='ReviewKD',
        what="all stages' top branches",
        paper='87.56',
        readme='ReviewKD',
    ),
    Row(
        'r2-128x128',
        f'{LSP}/ablation/multikd_litehrnet18_lspet-128x128_r2_cs.py',
        weights_from=FULL_128,
    ),
    Row(
        'r3-128x128',
        f'{LSP}/ablation/multikd_litehrnet18_lspet-128x128_r3_cs-mft.py',
        weights_from=FULL_128,
    ),
    # the rest of the input-size study at 128x128
    Row(
        'r1-128x128',
        f'{LSP}/ablation/multikd_litehrnet18_lspet-128x128_r1_baseline.py',
        weights_from=None,
    ),
    Row(
        'r5-128x128',
        f'{LSP}/ablation/multikd_litehrnet18_lspet-128x128_r5_cs-mft-wa.py',
        weights_from=FULL_128,
    ),
)
ROWS: Dict[str, Row] = {row.name: row for row in ROW_TABLE}
# The main table's rows.
MAIN_ROWS = ('r1', 'r2', 'r6', 'reviewkd', 'fitnet')
# The main table's questions, as row differences on the same seeds: does
# each distiller lift the student, do MFT + WA + VKD add to cross-stage
# KD, does Multi-KD beat the compared distillers, do they beat cross-stage
# KD alone, does MFT help at 128x128, does the default reach r2 there.
COMPARISONS = (
    ('r2', 'r1'),
    ('r6', 'r1'),
    ('fitnet', 'r1'),
    ('reviewkd', 'r1'),
    ('r6', 'r2'),
    ('r6', 'reviewkd'),
    ('r6', 'fitnet'),
    ('reviewkd', 'r2'),
    ('fitnet', 'r2'),
    ('r3-128x128', 'r2-128x128'),
    ('multikd-128x128', 'r2-128x128'),
)
# Studies after the main table, each with its own run records
# (``<out>/<study>/runs``) and work dirs (``<work root>/<study>``); the
# teachers, loss weights and floor stay the main table's. ``attribution``:
# which of MFT, WA and VKD costs the full method its points, on paired
# seeds (docs/results.md).
STUDIES = {
    'attribution': dict(
        rows=(
            'r1',
            'r2',
            'r3',
            'r4',
            'r5',
            'r6',
            'r2-vkd',
            'fitnet',
            'reviewkd',
            'multikd',
            'dwpose',
        ),
        comparisons=(
            ('r2', 'r1'),
            ('r3', 'r2'),  # MFT
            ('r4', 'r2'),  # WA
            ('r2-vkd', 'r2'),  # VKD
            ('r5', 'r4'),  # MFT given WA
            ('r5', 'r3'),  # WA given MFT
            ('r5', 'r2'),  # MFT and WA together
            ('r6', 'r5'),  # VKD given MFT and WA
            ('r6', 'r2'),
            ('r6', 'fitnet'),
            ('r6', 'reviewkd'),
            ('fitnet', 'r2'),
            ('reviewkd', 'r2'),
            # the default, chosen on dev (the screening study)
            ('multikd', 'r6'),
            ('multikd', 'r5'),  # VKD at the chosen dose, given MFT and WA
            ('multikd', 'r2'),
            ('multikd', 'fitnet'),
            ('multikd', 'reviewkd'),
            # MMPose's own distiller on SimCC students
            ('dwpose', 'r1'),
            ('dwpose', 'r2'),
            ('multikd', 'dwpose'),
        ),
        # the README's table: the paired rows a user chooses among
        readme=('r1', 'r2', 'r6', 'fitnet', 'reviewkd', 'dwpose', 'multikd'),
        # the student alone took the same code path before paired seeds:
        # its seed 0 ran again and matched the main table's bit for bit
        # (every epoch's val PCKh), so its seeds 1 and 2 are reused
        reuse={'r1': (1, 2)},
    ),
    # ``screening``: the fix candidates against the full method, each a
    # switch on r6, for the first 6 epochs of the schedule on the dev split
    # (``split``: the run refuses a data root whose scored split is not dev),
    # seeds 0 and 1; r2 as the cross-stage reference; the tables compare
    # with r6 (``baseline``: row and its label). The second round
    # (``r6-vkds``, ``r6-vkdq-wat2``) was set after the first's results.
    'screening': dict(
        rows=(
            'r2',
            'r6',
            'r6-bn',
            'r6-wad',
            'r6-wat2',
            'r6-vkdm',
            'r6-vkdq',
            'r6-vkds',
            'r6-vkdq-wat2',
        ),
        comparisons=(
            ('r6', 'r2'),
            ('r6-bn', 'r6'),
            ('r6-wad', 'r6'),
            ('r6-wat2', 'r6'),
            ('r6-vkdm', 'r6'),
            ('r6-vkdq', 'r6'),
            # second round
            ('r6-vkds', 'r6'),
            ('r6-vkds', 'r6-vkdq'),
            ('r6-vkdq-wat2', 'r6-vkdq'),
            ('r6-vkdq', 'r2'),
            ('r6-vkds', 'r2'),
        ),
        epochs=6,
        seeds=(0, 1),
        split='dev',
        baseline=('r6', 'r6'),
    ),
    # ``input-size``: the attribution at 128x128 on paired seeds, under the
    # campaign's rules (the 128x128 teacher, 16 epochs, the weight rule,
    # the same val images): which parts change sign as the input grows,
    # and does the default beat r2 there? r5 splits WA from the VKD dose
    # where the default is below r3 (docs/results.md, "Input size").
    'input-size': dict(
        rows=(
            'r1-128x128',
            'r2-128x128',
            'r3-128x128',
            'multikd-128x128',
            'r5-128x128',
        ),
        comparisons=(
            ('r2-128x128', 'r1-128x128'),
            ('r3-128x128', 'r2-128x128'),  # MFT
            ('r5-128x128', 'r3-128x128'),  # WA given MFT
            ('multikd-128x128', 'r5-128x128'),  # VKD at the dose
            ('multikd-128x128', 'r2-128x128'),
            ('multikd-128x128', 'r3-128x128'),
            ('multikd-128x128', 'r1-128x128'),
        ),
        size='128x128',
        baseline=('r1-128x128', 'student alone'),
    ),
    # ``longer``: r1, r2 and the default for twice the schedule (32
    # epochs, the learning-rate step after epoch 20), seed 0, on val: does
    # the order survive training closer to a plateau?
    'longer': dict(
        rows=('r1', 'r2', 'multikd'),
        comparisons=(('r2', 'r1'), ('multikd', 'r1'), ('multikd', 'r2')),
        seeds=(0,),
        schedule_factor=2,
    ),
}
# The input-size section (docs/results.md): the rows and the parts of
# Multi-KD, each a same-seed difference ``a - b``, measured by the
# attribution study at 64x64 and the input-size study at 128x128 (row
# names at 64x64; :func:`sized` names them at another size).
SIZE_STUDIES = ('attribution', 'input-size')
SIZE_ROWS = ('r1', 'r2', 'r3', 'r5', 'multikd')
SIZE_PARTS = (
    ('cross-stage KD', 'r2', 'r1'),
    ('MFT', 'r3', 'r2'),
    ('WA, given MFT', 'r5', 'r3'),
    ('VKD x 1/16, given MFT and WA', 'multikd', 'r5'),
    ('MFT + WA + VKD x 1/16 (the default)', 'multikd', 'r2'),
)


def study_size(name: str) -> str:
    """The input size of a study's rows: its ``size``, else 64x64."""
    return STUDIES[name].get('size', '64x64')


def sized_parts(sizes) -> list:
    """``(part, a, b, {size: (a at size, b at size)})`` for each of
    :data:`SIZE_PARTS`."""
    return [
        (
            part,
            a,
            b,
            {size: (sized(a, size), sized(b, size)) for size in sizes},
        )
        for part, a, b in SIZE_PARTS
    ]


def sized(row: str, size: str) -> str:
    """The name of a 64x64 row's twin at input ``size``: ``r2-128x128``."""
    return row if size == '64x64' else f'{row}-{size}'


def unsized(row: str, size: str) -> str:
    """The 64x64 row whose twin at ``size`` is ``row`` (the inverse of
    :func:`sized`)."""
    suffix = f'-{size}'
    if size == '64x64' or not row.endswith(suffix):
        return row
    return row[: -len(suffix)]


TEACHERS = {
    '64x64': f'{LSP}/simcc_hrnet-w18_1xb32-72e_lspet-64x64.py',
    '128x128': f'{LSP}/simcc_hrnet-w18_1xb32-12e_lspet-128x128.py',
}
# A teacher trained from another's weights: the 128x128 teacher is the
# 64x64 one fine-tuned (its config says why).
TEACHER_INIT = {'128x128': '64x64'}
# Every row run records its loss terms, pair weights and gradient norms
# per epoch (``training_record.json``, saved with the run).
RECORD_HOOK = {
    'default_hooks.training_record': dict(type='TrainingRecordHook')
}


def weight_configs(size: str, rows: Optional[Sequence[str]] = None):
    """The configs whose terms are measured at ``size``: every config a
    row of that size (of ``rows``, default all) takes its weights from.

    Returns:
        tuple[str, ...]: Repository-relative config paths, in table order.
    """
    chosen = ROW_TABLE
    if rows is not None:  # teacher targets of --part time are no rows
        chosen = [ROWS[row] for row in rows if row in ROWS]
    return tuple(
        dict.fromkeys(
            row.weights_from
            for row in chosen
            if row.weights_from and row_size(row.name) == size
        )
    )


def scored_split(study: dict) -> str:
    """The split a study's rows are scored on: its ``split``, else val."""
    return study.get('split', 'val')


def schedule_options(factor: int) -> dict:
    """``cfg_options`` that stretch the rows' schedule ``factor`` times:
    the epochs and every epoch-based milestone of
    ``configs/lsp/_base_/lspet.py``; the iteration-based warm-up stays.

    Returns:
        dict: ``train_cfg.max_epochs`` and the whole ``param_scheduler``.
    """
    base = Config.fromfile(repo_path(f'{LSP}/_base_/lspet.py'))
    schedulers = []
    for scheduler in base.lsp_param_scheduler:
        scheduler = dict(scheduler)
        if scheduler.get('by_epoch'):
            scheduler['end'] *= factor
            scheduler['milestones'] = [
                epoch * factor for epoch in scheduler['milestones']
            ]
        schedulers.append(scheduler)
    return {
        'train_cfg.max_epochs': base.lsp_epochs * factor,
        'param_scheduler': schedulers,
    }


def repo_path(path: str) -> str:
    """A repository-relative config path made absolute."""
    return str(REPO_ROOT / path)


def config_size(config_path: str) -> str:
    """The input size of a config's codec, ``'64x64'``."""
    width, height = Config.fromfile(config_path).codec['input_size']
    return f'{width}x{height}'


# The option that names a distiller's trained teacher, by model type.
TEACHER_OPTIONS = {
    'MultiKDDistiller': 'model.teacher_ckpt',
    'DWPoseDistiller': 'model.teacher_pretrained',
    'StudentFirstDWPoseDistiller': 'model.teacher_pretrained',
}


def teacher_option(config_path: str) -> Optional[str]:
    """The ``cfg_options`` key of a distiller config's teacher checkpoint
    (None for a model that is no distiller)."""
    return TEACHER_OPTIONS.get(Config.fromfile(config_path).model.get('type'))


def is_distiller(config_path: str) -> bool:
    """Whether a config's model is a distiller (Multi-KD's or DWPose's)."""
    return teacher_option(config_path) is not None


def row_size(row: str) -> str:
    """The input size of a row (or of ``teacher-<size>``)."""
    if row == 'teacher':
        return '64x64'
    if row.startswith('teacher-'):
        return row[len('teacher-') :]
    return config_size(repo_path(ROWS[row].config))
