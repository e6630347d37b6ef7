# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Export the student of a MultiKDDistiller checkpoint as a plain MMPose one.

    python tools/extract_student.py work_dirs/multikd/best_PCK_epoch_210.pth \
        work_dirs/multikd/litehrnet18_student.pth

The output holds only tensors and plain metadata: it loads under torch's
``weights_only=True`` with no plugin import, e.g. with the student's own
config::

    from mmpose.apis import init_model
    model = init_model('configs/simdr/simcc_litehrnet-18_8xb64-210e_'
                       'mpii-256x256.py', 'litehrnet18_student.pth')
"""

import argparse
import os
import os.path as osp
from collections import OrderedDict

import torch

import mmpose_multikd  # noqa: F401  (MMEngine checkpoints load weights_only)

STUDENT_PREFIX = 'student.'


def extract_student_state_dict(
    state_dict: dict, prefix: str = STUDENT_PREFIX
) -> OrderedDict:
    """Keys under ``prefix`` with the prefix stripped.

    Args:
        state_dict (dict): A distiller's ``state_dict``.
        prefix (str): The student's attribute path plus a dot.

    Returns:
        OrderedDict: The student's own state dict.
    """
    student = OrderedDict(
        (key[len(prefix) :], value)
        for key, value in state_dict.items()
        if key.startswith(prefix)
    )
    if not student:
        raise KeyError(
            f'No key starts with {prefix!r} (first keys: '
            f'{list(state_dict)[:5]}): not a MultiKDDistiller checkpoint?'
        )
    return student


def export_student(
    checkpoint_path: str, out_path: str, prefix: str = STUDENT_PREFIX
) -> dict:
    """Write the student's weights to ``out_path`` atomically.

    Returns:
        dict: The saved checkpoint (``state_dict`` and ``meta``).
    """
    if not osp.isfile(checkpoint_path):
        raise FileNotFoundError(f'Checkpoint {checkpoint_path!r} not found')
    checkpoint = torch.load(
        checkpoint_path, map_location='cpu', weights_only=True
    )
    state_dict = checkpoint.get('state_dict', checkpoint)
    meta = checkpoint.get('meta', {})
    exported = {
        'state_dict': extract_student_state_dict(state_dict, prefix),
        'meta': {
            'exported_by': f'mmpose_multikd {mmpose_multikd.__version__}',
            'source_checkpoint': osp.abspath(checkpoint_path),
            'epoch': int(meta.get('epoch', -1)),
            'iter': int(meta.get('iter', -1)),
        },
    }
    out_dir = osp.dirname(osp.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    tmp_path = f'{out_path}.tmp'
    torch.save(exported, tmp_path)
    os.replace(tmp_path, out_path)  # never leaves a half-written file
    return exported


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='MultiKDDistiller checkpoint')
    parser.add_argument('out', help='path of the plain student checkpoint')
    parser.add_argument(
        '--prefix',
        default=STUDENT_PREFIX,
        help='state-dict prefix of the student (default: %(default)s)',
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    exported = export_student(args.checkpoint, args.out, args.prefix)
    num_params = sum(t.numel() for t in exported['state_dict'].values())
    size_mb = osp.getsize(args.out) / 2**20
    print(
        f'Saved {len(exported["state_dict"])} tensors ({num_params:,} '
        f'values, {size_mb:.1f} MiB) to {args.out}'
    )


if __name__ == '__main__':
    main()
