# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""`make demo`: check the environment and build the teacher and students.

Prints the versions of the stack, then builds every SimDR model config and
the heatmap twin and reports parameters and the SimDR output shapes at
256x256. (The full demo, which trains a teacher and distils on generated
data, is tracked in the project's issues.)
"""

import argparse
import json
from pathlib import Path

import mmcv
import mmengine
import mmpose
import torch
from mmcv.ops import nms  # noqa: F401  (compiled ops are present)
from mmengine.config import Config
from mmpose.registry import MODELS

import mmpose_multikd

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_CONFIGS = [
    'configs/simdr/simcc_hrnet-w32_8xb64-210e_mpii-256x256.py',
    'configs/simdr/simcc_hrnet-w48_8xb64-210e_mpii-256x256.py',
    'configs/simdr/simcc_litehrnet-18_8xb64-210e_mpii-256x256.py',
    'configs/simdr/simcc_litehrnet-30_8xb64-210e_mpii-256x256.py',
    'configs/heatmap/td-hm_litehrnet-18_8xb64-210e_mpii-256x256.py',
]


def describe_model(config_path: str) -> dict:
    """Build a model config and run one 256x256 forward on zeros."""
    cfg = Config.fromfile(str(REPO_ROOT / config_path))
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        outputs = model(torch.zeros(1, 3, 256, 256), None, mode='tensor')
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    return dict(
        config=config_path,
        backbone=cfg.model.backbone.type,
        head=cfg.model.head.type,
        params_m=round(sum(p.numel() for p in model.parameters()) / 1e6, 2),
        output_shapes=[list(o.shape) for o in outputs],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--out', default='work_dirs/demo/models.json', help='JSON report'
    )
    args = parser.parse_args()

    print(
        f'torch {torch.__version__} | mmengine {mmengine.__version__} | '
        f'mmcv {mmcv.__version__} (compiled ops) | mmpose '
        f'{mmpose.__version__} | mmpose_multikd '
        f'{mmpose_multikd.__version__}'
    )
    rows = [describe_model(path) for path in MODEL_CONFIGS]
    print('\n| config | backbone | head | params (M) | outputs |')
    print('|---|---|---|---|---|')
    for row in rows:
        print(
            f"| {row['config']} | {row['backbone']} | {row['head']} | "
            f"{row['params_m']} | {row['output_shapes']} |"
        )
    out = REPO_ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    print(f'\nwrote {out}')


if __name__ == '__main__':
    main()
