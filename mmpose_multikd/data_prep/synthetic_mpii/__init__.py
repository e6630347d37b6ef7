# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A synthetic MPII-format dataset of rendered articulated figures.

No real data set can be downloaded for the demo, so this package renders
human-like figures (a kinematic skeleton with the 16 MPII joints, drawn as
shaded limbs, a torso and a head on cluttered backgrounds, with distractors,
occluders and truncation) and writes them in the layout MMPose's
``MpiiDataset`` reads::

    out_dir/
    ├── images/000000000001.png ...      (12-digit integer names, PNG)
    └── annotations/
        ├── mpii_train.json              (list of per-person records)
        ├── mpii_val.json
        └── mpii_gt_val.mat              (headboxes_src (2, 2, N_val), ...)

Each JSON record has ``image`` (file name), ``center`` ``[x, y]``, ``scale``
(person box size / 200), ``joints`` (16 ``[x, y]``, MPII order) and
``joints_vis`` (16 ints). MPII's joint order is: 0 r_ankle, 1 r_knee,
2 r_hip, 3 l_hip, 4 l_knee, 5 l_ankle, 6 pelvis, 7 thorax, 8 upper_neck,
9 head_top, 10 r_wrist, 11 r_elbow, 12 r_shoulder, 13 l_shoulder, 14 l_elbow,
15 l_wrist.

**Coordinates are 1-based (MATLAB), as in MPII**: a point rendered at the
0-based pixel ``(x, y)`` is written as ``(x + 1, y + 1)`` (centres, joints and
head boxes alike). MMPose 1.x's ``MpiiDataset`` subtracts 1 from ``center``
only; it keeps the joints 1-based and its ``MpiiPCKAccuracy`` adds 1 to the
predictions before comparing them with these 1-based joints, exactly as for
the real MPII annotations. The written ``center`` is the centre of the person
box moved up by ``15 * scale`` pixels, because ``MpiiDataset`` moves it down
by that much (``center[1] += 15 / 200 * scale * 200``) when loading; after
loading, the top-down crop is centred on the person. ``scale`` is
``1.25 * max(box_w, box_h) / 200`` for the tight box of the visible joints
and the head.

Visibility: ``joints_vis`` is 0 for a joint whose pixel is covered by an
occluder drawn over the figure, or that lies outside the image (truncation);
such joints keep their true coordinates (possibly outside the image; they are
never ``-1``). MMPose gives them weight 0 in training and leaves them out of
PCKh. Self-occlusion (a limb behind the figure's own torso) keeps
``joints_vis`` 1, as MPII annotates such joints.

Left and right can be told apart the way they can in photographs, and in a
way that survives MMPose's horizontal flip augmentation (which swaps the
labels of the left and right joints): the figures usually face the camera
(a face on the head, a collar on the torso) and sometimes show their back
(hair only), which fixes on which side of the torso each limb attaches; and
the clothes carry a side seam stripe on the lateral side of each limb, a cue
whose handedness mirrors with the image (a per-side colour would not). The
near-side arm (either side, at random) is drawn over the torso, the far one
behind it.

Everything is deterministic by seed (NumPy ``Generator`` per sample, PNG
images, a fixed ``.mat`` header), so the same seed gives byte-identical
files.

The package is split by job:

- ``primitives``: fixed-point cv2 drawing, geometry and colour helpers;
- ``skeleton``: joints, body proportions, ``Figure``, ``SyntheticSample``
  and pose sampling (``sample_figure``);
- ``body``: drawing a figure (``render_figure``);
- ``render``: background, distractors, occluders, visibility and
  ``render_sample``;
- ``mpii_files``: the MPII records and files (``to_mpii_record``,
  ``generate_synthetic_mpii``).
"""

from .body import render_figure
from .mpii_files import generate_synthetic_mpii, to_mpii_record
from .render import (
    joint_visibility,
    render_background,
    render_distractors,
    render_occluders,
    render_sample,
)
from .skeleton import (
    HEAD_TOP,
    JOINT_NAMES,
    L_ANKLE,
    L_ELBOW,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    L_WRIST,
    NUM_JOINTS,
    PELVIS,
    R_ANKLE,
    R_ELBOW,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
    THORAX,
    UPPER_NECK,
    Figure,
    SyntheticSample,
    sample_figure,
)

__all__ = [
    'JOINT_NAMES',
    'NUM_JOINTS',
    'R_ANKLE',
    'R_KNEE',
    'R_HIP',
    'L_HIP',
    'L_KNEE',
    'L_ANKLE',
    'PELVIS',
    'THORAX',
    'UPPER_NECK',
    'HEAD_TOP',
    'R_WRIST',
    'R_ELBOW',
    'R_SHOULDER',
    'L_SHOULDER',
    'L_ELBOW',
    'L_WRIST',
    'Figure',
    'SyntheticSample',
    'generate_synthetic_mpii',
    'joint_visibility',
    'render_background',
    'render_distractors',
    'render_figure',
    'render_occluders',
    'render_sample',
    'sample_figure',
    'to_mpii_record',
]
