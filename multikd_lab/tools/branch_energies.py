# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Where the energy of MFT's fused teacher target lies, branch by branch.

    python -m multikd_lab.tools.branch_energies \\
        configs/lsp/simcc_hrnet-w18_1xb32-72e_lspet-64x64.py TEACHER.pth \\
        --data-root <converted LSPet> --num-images 64 \\
        --out docs/data/lsp/branch_energies_64x64.json

MFT fuses every branch of a teacher stage at the top branch's resolution
(``concat_b resize(x_b)``) and distils the student towards that map. For
each tapped teacher stage this reports each branch's share of the fused
map's energy over the val images,

    share_b = sum resize(x_b)^2 / sum_b' sum resize(x_b')^2,

with its side and channels, at the config's input size: at 64x64 the
LiteHRNet/HRNet branches are 16, 8, 4 and 2 pixels wide, at 128x128 twice
that, so the shares tell whether the coarse branches own the target.
"""

import argparse
import json
import os
import os.path as osp
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint
from mmpose.registry import MODELS

from mmpose_multikd.data_prep import data_root_options
from mmpose_multikd.models.distillers import FeatureTaps, default_tap_paths
from mmpose_multikd.models.utils import resize_bilinear


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help="the teacher's config")
    parser.add_argument('checkpoint', help="the teacher's weights")
    parser.add_argument('--data-root', required=True, help='MPII-format data')
    parser.add_argument(
        '--num-images', type=int, default=64, help='val images (%(default)s)'
    )
    parser.add_argument('--out', help='JSON to write (and a .md beside it)')
    return parser.parse_args(argv)


def fused_energy_shares(
    stage_feats: List[List[torch.Tensor]],
) -> List[List[float]]:
    """Per stage, each branch's summed squares once resized to the top
    branch's size (the fused map's energy, before normalising)."""
    sums = []
    for branches in stage_feats:
        size = branches[0].shape[-2:]
        sums.append(
            [
                float(resize_bilinear(branch.double(), size).pow(2).sum())
                for branch in branches
            ]
        )
    return sums


@torch.no_grad()
def measure(args: argparse.Namespace) -> Dict[str, object]:
    init_default_scope('mmpose')
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(data_root_options(osp.abspath(args.data_root)))
    cfg.val_dataloader.num_workers = 0
    cfg.val_dataloader.persistent_workers = False
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.eval()
    taps = FeatureTaps(model, default_tap_paths(model))
    loader = Runner.build_dataloader(cfg.val_dataloader)
    totals, shapes, seen = None, None, 0
    for batch in loader:
        data = model.data_preprocessor(batch, training=False)
        with taps:
            model.extract_feat(data['inputs'])
            stage_feats = taps.pop()
        sums = fused_energy_shares(stage_feats)
        totals = (
            sums
            if totals is None
            else [[a + b for a, b in zip(t, s)] for t, s in zip(totals, sums)]
        )
        shapes = [
            [(int(b.shape[1]), int(b.shape[-1])) for b in branches]
            for branches in stage_feats
        ]
        seen += data['inputs'].shape[0]
        if seen >= args.num_images:
            break
    stages = []
    for index, (energies, branch_shapes) in enumerate(zip(totals, shapes)):
        total = sum(energies)
        stages.append(
            dict(
                stage=index,
                branches=[
                    dict(channels=c, side=w, share=e / total)
                    for e, (c, w) in zip(energies, branch_shapes)
                ],
            )
        )
    width, height = cfg.codec['input_size']
    return dict(
        config=args.config,
        input_size=f'{width}x{height}',
        images=seen,
        stages=stages,
    )


def markdown(report: Dict[str, object]) -> str:
    lines = [
        f"Fused MFT target of {osp.basename(report['config'])} "
        f"({report['input_size']}, {report['images']} val images): each "
        "branch's share of the energy",
        '',
        '| teacher stage | branch (side x side, channels): share |',
        '|---|---|',
    ]
    for stage in report['stages']:
        cells = ', '.join(
            f"{b['side']}x{b['side']} ({b['channels']}): {b['share']:.1%}"
            for b in stage['branches']
        )
        lines.append(f"| {stage['stage']} | {cells} |")
    return '\n'.join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    report = measure(args)
    text = markdown(report)
    print(text)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=1)
        with open(osp.splitext(args.out)[0] + '.md', 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
