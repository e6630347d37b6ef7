# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Export the student of a MultiKDDistiller checkpoint as a plain MMPose one.

    python tools/extract_student.py work_dirs/multikd/best_PCK_epoch_210.pth \
        work_dirs/multikd/litehrnet18_student.pth

The output holds only tensors and plain metadata: it loads under torch's
``weights_only=True`` with no plugin import, e.g. with the student's own
config::

    from mmpose.apis import init_model
    model = init_model('configs/simdr/simcc_litehrnet18_8xb64-210e_'
                       'mpii-256x256.py', 'litehrnet18_student.pth')

From Python, ``mmpose_multikd.apis.export_student`` does the same, and
``mmpose_multikd.apis.init_student`` loads the student straight from the
distiller's config and checkpoint.
"""

import argparse
import os.path as osp

from mmpose_multikd.apis import export_student
from mmpose_multikd.apis.student import STUDENT_PREFIX


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
