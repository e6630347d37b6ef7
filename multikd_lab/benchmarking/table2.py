# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The systems of the paper's Table 2, as
``multikd_lab.tools.benchmark --table2`` measures them: one list, in the
paper's order.

Each row names the system as the paper does, the config that stands for it
(an ``mmpose::`` path into MMPose's installed configs, or one of ours), the
few options that bring it to the paper's setting (256x256 input, MPII's 16
keypoints, the number of stacks) and the PCKh@0.5 on MPII val **quoted**
with its source: the paper's value where we know it, else MMPose's model
zoo (``model-index`` metafiles shipped with MMPose 1.3.2), else nothing.
The paper's params / memory / speed are filled only where the paper's
numbers are known to us (``docs/benchmarks.md``); a blank is unknown, not
zero. Nothing here is measured.
"""

import importlib.util
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config

MMPOSE_ZOO = 'MMPose model zoo'
PAPER = 'paper'
MPII_HM = 'mmpose::body_2d_keypoint/topdown_heatmap/mpii/'
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@dataclass(frozen=True)
class Table2Row:
    """One system of the paper's Table 2.

    Args:
        name: the system as the paper names it.
        config: the config measured for it (``mmpose::`` path or a path
            relative to the repository root); None where MMPose has none.
        pckh: PCKh@0.5 on MPII val, quoted (not measured here).
        pckh_source: where ``pckh`` comes from (``paper``,
            ``MMPose model zoo``) or why it is blank.
        overrides: config options (dotted keys, as ``--cfg-options``)
            applied after loading ``config``.
        variant: ``overrides`` in a few words, for tables.
        requires: Python packages the model needs beyond the pinned stack.
        paper_params_m, paper_memory_mb, paper_speed_s: the paper's own
            columns where known (its GPU, its batch); None = not known to us.
        note: what the measured model is, where it differs from the paper's.
    """

    name: str
    config: Optional[str]
    pckh: Optional[float]
    pckh_source: str
    overrides: Dict[str, object] = field(default_factory=dict)
    variant: str = ''
    requires: Tuple[str, ...] = ()
    paper_params_m: Optional[float] = None
    paper_memory_mb: Optional[float] = None
    paper_speed_s: Optional[float] = None
    note: str = ''


def _hourglass_stacks(num_stacks: int) -> Dict[str, object]:
    # MMPose's HourglassNet: one stack per CPMHead stage.
    return {
        'model.backbone.num_stacks': num_stacks,
        'model.head.num_stages': num_stacks,
    }


# MMPose's ViTPose-B is a COCO config (256x192, 17 keypoints); these options
# give it the MPII input and keypoints of the other rows.
_VITPOSE_MPII_256 = {
    'codec.input_size': (256, 256),
    'codec.heatmap_size': (64, 64),
    'model.backbone.img_size': (256, 256),
    'model.head.out_channels': 16,
    'model.head.decoder.input_size': (256, 256),
    'model.head.decoder.heatmap_size': (64, 64),
}

_HOURGLASS_NOTE = (
    "MMPose's HourglassNet (CornerNet-style: 5 downsamplings, BasicBlocks, "
    '256-512 channels); its MPII config, hourglass52, is 1 stack. Stacks '
    'set by option; not the original stacked-hourglass blocks, so far more '
    'parameters than the paper can have'
)

TABLE2: List[Table2Row] = [
    Table2Row(
        'ViTPose-B',
        'mmpose::body_2d_keypoint/topdown_heatmap/coco/'
        'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py',
        None,
        'not known to us (MMPose has no MPII ViTPose)',
        overrides=_VITPOSE_MPII_256,
        variant='256x256, 16 keypoints',
        requires=('mmpretrain',),
        note="MMPose's COCO 256x192 config at 256x256 with 16 keypoints",
    ),
    Table2Row(
        'HRNet-W48',
        MPII_HM + 'td-hm_hrnet-w48_8xb64-210e_mpii-256x256.py',
        90.1,
        MMPOSE_ZOO,
    ),
    Table2Row(
        'HRNet-W32',
        MPII_HM + 'td-hm_hrnet-w32_8xb64-210e_mpii-256x256.py',
        90.0,
        MMPOSE_ZOO,
    ),
    Table2Row(
        '8-stack Hourglass',
        MPII_HM + 'td-hm_hourglass52_8xb64-210e_mpii-256x256.py',
        None,
        'not known to us (the zoo has 1 stack: 88.9)',
        overrides=_hourglass_stacks(8),
        variant='8 stacks',
        note=_HOURGLASS_NOTE,
    ),
    Table2Row(
        'SimpleBaseline',
        MPII_HM + 'td-hm_res50_8xb64-210e_mpii-256x256.py',
        88.2,
        MMPOSE_ZOO,
        note='ResNet-50 (the paper does not say which depth to us)',
    ),
    Table2Row(
        'MobileNetV2',
        MPII_HM + 'td-hm_mobilenetv2_8xb64-210e_mpii-256x256.py',
        85.4,
        MMPOSE_ZOO,
        note='SimpleBaseline head on MobileNetV2',
    ),
    Table2Row(
        'ShuffleNetV2',
        MPII_HM + 'td-hm_shufflenetv2_8xb64-210e_mpii-256x256.py',
        82.8,
        MMPOSE_ZOO,
        note='SimpleBaseline head on ShuffleNetV2',
    ),
    Table2Row(
        '2-stack Hourglass',
        MPII_HM + 'td-hm_hourglass52_8xb64-210e_mpii-256x256.py',
        None,
        'not known to us (the zoo has 1 stack: 88.9)',
        overrides=_hourglass_stacks(2),
        variant='2 stacks',
        note=_HOURGLASS_NOTE + " (2 stacks is MMPose's Hourglass-104)",
    ),
    Table2Row(
        'OKDHP',
        None,
        None,
        'not known to us',
        note='no MMPose config: OKDHP (online KD of a multi-branch '
        'hourglass) is not implemented in MMPose',
    ),
    Table2Row(
        'LiteHRNet-18',
        MPII_HM + 'td-hm_litehrnet-18_8xb64-210e_mpii-256x256.py',
        86.1,
        PAPER,
        paper_memory_mb=2900.0,
        paper_speed_s=0.25,
        note='MMPose model zoo: 85.9',
    ),
    Table2Row(
        'LiteHRNet-30',
        MPII_HM + 'td-hm_litehrnet-30_8xb64-210e_mpii-256x256.py',
        86.9,
        PAPER,
        note='MMPose model zoo: 86.9',
    ),
    Table2Row(
        'Multi-KD (LiteHRNet-18)',
        'configs/multikd_litehrnet18_mpii.py',
        87.7,
        PAPER,
        paper_params_m=1.1,
        paper_memory_mb=2473.0,
        paper_speed_s=0.22,
        note='the deployed SimDR student (MMPose SimCCHead)',
    ),
    Table2Row(
        'Multi-KD (LiteHRNet-30)',
        'configs/multikd_litehrnet30_mpii.py',
        88.9,
        PAPER,
        paper_params_m=1.8,
        note='the deployed SimDR student (MMPose SimCCHead)',
    ),
]


def table2_row(name: str) -> Table2Row:
    """The row of ``TABLE2`` named ``name``."""
    for row in TABLE2:
        if row.name == name:
            return row
    raise KeyError(f'{name!r} is not a Table 2 system')


def missing_requirements(row: Table2Row) -> List[str]:
    """The packages of ``row.requires`` that are not importable here."""
    return [
        pkg for pkg in row.requires if importlib.util.find_spec(pkg) is None
    ]


def resolve_config(path: str) -> str:
    """The file of a config path.

    ``mmpose::rel/path.py`` is MMPose's installed config
    (``<mmpose>/.mim/configs/rel/path.py``; resolved locally, never
    installed or downloaded); a relative path that does not exist from the
    working directory is taken from the repository root.
    """
    if '::' in path:
        scope, _, rel = path.partition('::')
        spec = importlib.util.find_spec(scope)
        if spec is None or spec.origin is None:
            raise FileNotFoundError(f'{path}: package {scope!r} not found')
        resolved = osp.join(osp.dirname(spec.origin), '.mim', 'configs', rel)
    elif osp.isabs(path) or osp.exists(path):
        resolved = path
    else:
        resolved = osp.join(REPO_ROOT, path)
    if not osp.isfile(resolved):
        raise FileNotFoundError(f'{path}: no config at {resolved}')
    return resolved


def drop_pretrained(node) -> None:
    """Remove every ``init_cfg`` of type ``Pretrained`` below ``node`` (in
    place), so that building and initialising a model fetches no weights."""
    if isinstance(node, dict):
        init_cfg = node.get('init_cfg')
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            node['init_cfg'] = None
        for value in node.values():
            drop_pretrained(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            drop_pretrained(value)


def load_config(path: str, overrides: Optional[dict] = None) -> Config:
    """A config (``mmpose::`` paths resolved) with ``overrides`` merged and
    no ``Pretrained`` initialisation left."""
    cfg = Config.fromfile(resolve_config(path))
    if overrides:
        cfg.merge_from_dict(dict(overrides))
    drop_pretrained(cfg.model)
    return cfg
