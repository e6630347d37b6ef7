# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Convert LSP or LSP Extended to MMPose's MPII format.

    python tools/dataset_converters/lsp2mpii.py SRC_DIR OUT_DIR \
        [--num-val 1000] [--num-train N] [--seed 0] \
        [--pelvis-thorax derive|unlabelled] [--scale-factor 1.25] \
        [--overwrite]

SRC_DIR holds ``joints.mat`` and ``images/im*.jpg`` of the original LSP
(``3 x 14 x N``) or of LSP Extended (``14 x 3 x N``); the layout is told
from the shape. OUT_DIR receives ``images/`` (numeric symlinks to the LSP
images), ``annotations/mpii_{train,val}.json`` and
``annotations/mpii_gt_val.mat``, the files MMPose's ``MpiiDataset`` and
``MpiiPCKAccuracy`` read, plus ``lsp2mpii.json`` (what was done). Point
an MPII config at it by overriding the dataloaders' ``data_root`` and the
val/test ``headbox_file`` (``docs/lsp.md``). The joint mapping,
pelvis/thorax, person box, head size and split rules are in
``docs/lsp.md`` and ``mmpose_multikd/data_prep/lsp/converter.py``.
"""

import argparse
import sys

from mmpose_multikd.data_prep.lsp import (
    DEFAULT_SCALE_FACTOR,
    PELVIS_THORAX_RULES,
    LSPConversionError,
    convert_lsp_to_mpii,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src_dir', help='LSP folder (joints.mat, images/)')
    parser.add_argument('out_dir', help='MPII-format data root to write')
    parser.add_argument(
        '--num-val', type=int, default=1000, help='val images (%(default)s)'
    )
    parser.add_argument(
        '--num-train',
        type=int,
        default=None,
        help='train images (default: all the usable rest)',
    )
    parser.add_argument(
        '--seed', type=int, default=0, help='split seed (%(default)s)'
    )
    parser.add_argument(
        '--num-dev',
        type=int,
        default=0,
        help='write a dev split in the val files instead: that many images '
        'outside the val and train images of the same --num-val, '
        '--num-train and --seed (train unchanged); choose on it, score '
        'val on the plain conversion',
    )
    parser.add_argument(
        '--pelvis-thorax',
        choices=PELVIS_THORAX_RULES,
        default='derive',
        help='derive pelvis (mid-hips) and thorax (mid-shoulders), or '
        'leave them unlabelled (%(default)s)',
    )
    parser.add_argument(
        '--scale-factor',
        type=float,
        default=DEFAULT_SCALE_FACTOR,
        help="person box side over the labelled joints' extent "
        '(%(default)s, as in MPII)',
    )
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace a previous conversion in OUT_DIR',
    )
    parser.add_argument('--joints-file', help='default: SRC_DIR/joints.mat')
    parser.add_argument('--images-dir', help='default: SRC_DIR/images')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        summary = convert_lsp_to_mpii(
            args.src_dir,
            args.out_dir,
            num_val=args.num_val,
            num_train=args.num_train,
            seed=args.seed,
            pelvis_thorax=args.pelvis_thorax,
            scale_factor=args.scale_factor,
            overwrite=args.overwrite,
            joints_file=args.joints_file,
            images_dir=args.images_dir,
            num_dev=args.num_dev,
        )
    except LSPConversionError as exc:
        print(f'lsp2mpii: error: {exc}', file=sys.stderr)
        return 1
    layout = {'lsp': 'LSP (3 x 14 x N)', 'lspet': 'LSP Extended (14 x 3 x N)'}
    print(
        f'{layout[summary["layout"]]}: {summary["num_annotations"]} '
        f'annotations, {summary["labelled_fraction"]:.1%} of joints '
        f'labelled, {len(summary["unusable"])} unusable\n'
        f'Wrote {summary["data_root"]}: {summary["num_train"]} train, '
        f'{summary["num_val"]} '
        f'{summary.get("scored_split", "val")} (seed {summary["seed"]})'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
