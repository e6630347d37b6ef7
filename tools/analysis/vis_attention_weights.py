# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Where the learned pair weights gamma go: a heat map over a val set.

    python tools/analysis/vis_attention_weights.py \\
        configs/demo/multikd_litehrnet18_demo.py work_dirs/.../epoch_12.pth \\
        --data-root data/synthetic_mpii --out docs/images/gamma_demo.png

Runs a trained Multi-KD distiller (its ``loss_fkd``, a
``CrossStageAttentionKDLoss``) over the config's val set in eval mode and
averages, over all samples, each valid pair's weight ``gamma(l, m)`` and
its distance ``D(l, m)`` (the per-pair MSE after alignment). Draws the two
``L x M`` grids side by side (teacher stages as rows, student stages as
columns; invalid pairs blank) and writes them to ``--out`` (PNG) and to a
JSON file beside it.
"""

import argparse
import json
import os
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner, load_checkpoint  # noqa: E402
from mmpose.registry import MODELS  # noqa: E402

from mmpose_multikd.data_prep import data_root_options


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a Multi-KD distiller config')
    parser.add_argument('checkpoint', help='its trained checkpoint')
    parser.add_argument('--data-root', default=None)
    parser.add_argument(
        '--teacher-ckpt',
        default=None,
        help='for checkpoints saved with model.save_teacher=False',
    )
    parser.add_argument('--loss-name', default='loss_fkd')
    parser.add_argument('--out', default='work_dirs/gamma.png')
    return parser.parse_args()


def mean_grids(args: argparse.Namespace) -> dict:
    """Mean gamma and distance grids ``(L, M)`` over the val set."""
    cfg = Config.fromfile(args.config)
    if args.data_root:
        cfg.merge_from_dict(data_root_options(osp.abspath(args.data_root)))
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model)
    if args.loss_name not in model.distill_losses or not hasattr(
        model.distill_losses[args.loss_name], 'last_weights'
    ):
        raise KeyError(
            f'{args.config}: model.distill_losses has no cross-stage loss '
            f'{args.loss_name!r} (found {sorted(model.distill_losses)})'
        )
    load_checkpoint(model, args.checkpoint, map_location='cpu', strict=True)
    if args.teacher_ckpt:
        model.teacher_ckpt = args.teacher_ckpt
        model.load_teacher_checkpoint()
    model.eval()
    loss = model.distill_losses[args.loss_name]
    cfg.val_dataloader.num_workers = 0
    cfg.val_dataloader.persistent_workers = False
    loader = Runner.build_dataloader(cfg.val_dataloader)
    gamma_sum = distance_sum = None
    count = 0
    with torch.no_grad():
        for batch in loader:
            inputs = model.data_preprocessor(batch, False)['inputs']
            loss(*model.extract_stage_feats(inputs))
            gamma = loss.last_weights.sum(dim=0)
            distance = loss.last_distances.sum(dim=0)
            gamma_sum = gamma if gamma_sum is None else gamma_sum + gamma
            distance_sum = (
                distance if distance_sum is None else distance_sum + distance
            )
            count += inputs.shape[0]
    return dict(
        config=args.config,
        checkpoint=args.checkpoint,
        num_samples=count,
        weight_adaptation=bool(loss.weight_adaptation),
        valid_pairs=[list(pair) for pair in loss.valid_pairs],
        gamma=(gamma_sum / count).tolist(),
        distance=(distance_sum / count).tolist(),
    )


def draw(grids: dict, out: str) -> None:
    """Two annotated heat maps: mean gamma and mean distance."""
    valid = {tuple(pair) for pair in grids['valid_pairs']}
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    panels = (
        ('gamma', 'mean gamma(l, m)', 'viridis', '{:.3f}'),
        ('distance', 'mean D(l, m) (MSE after alignment)', 'magma', '{:.3g}'),
    )
    for axis, (key, title, cmap, fmt) in zip(axes, panels):
        grid = torch.tensor(grids[key])
        masked = grid.clone()
        for row in range(grid.shape[0]):
            for col in range(grid.shape[1]):
                if (row, col) not in valid:
                    masked[row, col] = float('nan')
        image = axis.imshow(masked.numpy(), cmap=cmap)
        fig.colorbar(image, ax=axis, fraction=0.046)
        for row, col in valid:
            axis.text(
                col,
                row,
                fmt.format(grid[row, col].item()),
                ha='center',
                va='center',
                color='white',
                fontsize=9,
                bbox=dict(facecolor='black', alpha=0.4, lw=0),
            )
        axis.set_xticks(range(grid.shape[1]))
        axis.set_yticks(range(grid.shape[0]))
        axis.set_xlabel('student stage m')
        axis.set_ylabel('teacher stage l')
        axis.set_title(title, fontsize=10)
    fig.suptitle(
        f"{osp.basename(grids['config'])}: {grids['num_samples']} val "
        'samples',
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main() -> None:
    args = parse_args()
    grids = mean_grids(args)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    draw(grids, args.out)
    json_file = osp.splitext(args.out)[0] + '.json'
    with open(json_file, 'w') as f:
        json.dump(grids, f, indent=2)
    print(f'wrote {args.out} and {json_file}')


if __name__ == '__main__':
    main()
