# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""A synthetic MPII-format dataset of rendered articulated figures.

No real data set can be downloaded for the demo, so this module renders
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
"""

import colorsys
import io
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

NUM_JOINTS = 16
JOINT_NAMES = (
    'r_ankle',
    'r_knee',
    'r_hip',
    'l_hip',
    'l_knee',
    'l_ankle',
    'pelvis',
    'thorax',
    'upper_neck',
    'head_top',
    'r_wrist',
    'r_elbow',
    'r_shoulder',
    'l_shoulder',
    'l_elbow',
    'l_wrist',
)
R_ANKLE, R_KNEE, R_HIP, L_HIP, L_KNEE, L_ANKLE = range(6)
PELVIS, THORAX, UPPER_NECK, HEAD_TOP = range(6, 10)
R_WRIST, R_ELBOW, R_SHOULDER, L_SHOULDER, L_ELBOW, L_WRIST = range(10, 16)

# (proximal, middle, distal) joints of each limb, per side.
LEGS = {'right': (R_HIP, R_KNEE, R_ANKLE), 'left': (L_HIP, L_KNEE, L_ANKLE)}
ARMS = {
    'right': (R_SHOULDER, R_ELBOW, R_WRIST),
    'left': (L_SHOULDER, L_ELBOW, L_WRIST),
}

# Segment lengths as fractions of the standing height (ankle to head top
# plus the foot).
THIGH, SHIN = 0.245, 0.245
UPPER_ARM, FOREARM = 0.185, 0.155
TORSO, NECK, HEAD = 0.30, 0.055, 0.125
HIP_HALF_WIDTH, SHOULDER_HALF_WIDTH = 0.085, 0.115

# Limb thicknesses (fractions of the standing height).
THIGH_WIDTH, SHIN_WIDTH = 0.078, 0.058
UPPER_ARM_WIDTH, FOREARM_WIDTH = 0.055, 0.045
NECK_WIDTH, HAND_RADIUS = 0.048, 0.027

# MPII scale convention: box size in pixels / 200.
PIXEL_STD = 200.0
# MpiiDataset moves the centre down by 15 / 200 * scale * 200 pixels.
MPII_CENTER_SHIFT = 15.0
BOX_PADDING = 1.25
# Head box side relative to the upper-neck to head-top length.
HEAD_AXIS, HEAD_MINOR = 0.6, 0.42

SKIN_TONES = (  # BGR
    (189, 224, 255),
    (160, 205, 245),
    (128, 178, 228),
    (100, 150, 205),
    (75, 115, 170),
    (55, 85, 130),
    (40, 60, 95),
)
HAIR_COLOURS = (
    (20, 20, 25),
    (30, 40, 60),
    (40, 70, 110),
    (90, 140, 190),
    (150, 150, 150),
    (60, 40, 120),
)

_SHIFT = 4  # cv2 fixed-point bits: coordinates are drawn at 1/16 pixel.
_ONE = 1 << _SHIFT
_MAT_HEADER = b'MATLAB 5.0 MAT-file, Platform: posix, Created by: mmpose_multikd synthetic_mpii'  # noqa: E501


@dataclass
class Figure:
    """A posed figure in image coordinates (0-based pixels).

    Attributes:
        joints (np.ndarray): (16, 2) joint positions, MPII order.
        height (float): the standing height of the figure in pixels.
        back_view (bool): the figure shows its back (no face, no collar).
        near_side (str): ``'right'`` or ``'left'``: whose arm is drawn over
            the torso.
        light (np.ndarray): (2,) unit vector towards the light.
        head_center (np.ndarray): (2,) centre of the head ellipse.
        head_axes (Tuple[float, float]): semi-axes along and across the
            neck-to-top direction.
        head_dir (np.ndarray): (2,) unit vector upper neck -> head top.
        torso (np.ndarray): (N, 2) torso polygon.
        girth (float): thickness factor of limbs.
        colours (dict): BGR colours: ``skin``, ``hair``, ``upper``,
            ``lower``, ``shoes``, ``accent``.
        long_sleeves (bool): forearms in the upper-body colour.
        long_trousers (bool): shins in the lower-body colour.
        shirt_pattern (float): 0 for a plain shirt, otherwise the period of
            its stripes (fraction of the torso length).
    """

    joints: np.ndarray
    height: float
    back_view: bool
    near_side: str
    light: np.ndarray
    head_center: np.ndarray
    head_axes: Tuple[float, float]
    head_dir: np.ndarray
    torso: np.ndarray
    girth: float
    colours: Dict[str, Tuple[int, int, int]]
    long_sleeves: bool = True
    long_trousers: bool = True
    shirt_pattern: float = 0.0


@dataclass
class SyntheticSample:
    """One rendered image and its single-person annotation (0-based).

    Attributes:
        image (np.ndarray): (S, S, 3) uint8 BGR image.
        joints (np.ndarray): (16, 2) 0-based joint coordinates.
        joints_vis (np.ndarray): (16,) int 0/1.
        center (np.ndarray): (2,) 0-based centre of the person box.
        scale (float): MPII scale, person box size in pixels / 200.
        headbox (np.ndarray): (2, 2) 0-based ``[[x1, y1], [x2, y2]]``.
        figure (Figure): the rendered figure.
        figure_mask (np.ndarray): (S, S) uint8, > 0 where the figure was
            drawn (before occluders).
        occluder_mask (np.ndarray): (S, S) uint8, > 0 under occluders.
        truncated (bool): the figure was placed across the image border.
    """

    image: np.ndarray
    joints: np.ndarray
    joints_vis: np.ndarray
    center: np.ndarray
    scale: float
    headbox: np.ndarray
    figure: Figure
    figure_mask: np.ndarray
    occluder_mask: np.ndarray
    truncated: bool = False


# --------------------------------------------------------------------------
# Small drawing helpers
# --------------------------------------------------------------------------


def _fixed(points: np.ndarray) -> np.ndarray:
    """Float pixel coordinates -> cv2 fixed-point int32 coordinates."""
    return np.round(np.asarray(points, np.float64) * _ONE).astype(np.int32)


def _pt(p: np.ndarray) -> Tuple[int, int]:
    q = _fixed(p)
    return int(q[0]), int(q[1])


def _shade(colour, factor: float) -> Tuple[int, int, int]:
    c = np.clip(np.asarray(colour, np.float64) * factor, 0, 255)
    return tuple(int(v) for v in c)


def _rot(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _unit(v: np.ndarray, fallback=(0.0, 1.0)) -> np.ndarray:
    n = float(np.hypot(v[0], v[1]))
    return np.asarray(fallback, np.float64) if n < 1e-9 else v / n


def _ellipse_points(center, axes, direction, n: int = 28) -> np.ndarray:
    """Polygon of an ellipse with semi-axes ``axes`` = (along, across)."""
    u = _unit(np.asarray(direction, np.float64))
    v = np.array([-u[1], u[0]])
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return (
        np.asarray(center)[None]
        + np.cos(t)[:, None] * axes[0] * u[None]
        + np.sin(t)[:, None] * axes[1] * v[None]
    )


def _random_colour(rng: np.random.Generator, sat=(0.2, 0.9), val=(0.2, 0.95)):
    h = rng.uniform()
    s = rng.uniform(*sat)
    v = rng.uniform(*val)
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return (int(b * 255), int(g * 255), int(r * 255))


def _jitter_colour(rng: np.random.Generator, colour, amount: float = 20):
    c = np.asarray(colour, np.float64) + rng.normal(0, amount, 3)
    return tuple(int(v) for v in np.clip(c, 0, 255))


def _line(image, mask, p, q, colour, width: float) -> None:
    """An anti-aliased line on the image and (255) on the mask."""
    w = max(1, int(round(width)))
    cv2.line(image, _pt(p), _pt(q), colour, w, cv2.LINE_AA, _SHIFT)
    if mask is not None:
        cv2.line(mask, _pt(p), _pt(q), 255, w, cv2.LINE_AA, _SHIFT)


def _poly(image, mask, points, colour) -> None:
    """An anti-aliased filled polygon on the image and (255) on the mask."""
    pts = [_fixed(points)]
    cv2.fillPoly(image, pts, colour, cv2.LINE_AA, _SHIFT)
    if mask is not None:
        cv2.fillPoly(mask, pts, 255, cv2.LINE_AA, _SHIFT)


def _draw_capsule(
    image: np.ndarray,
    mask: Optional[np.ndarray],
    p: np.ndarray,
    q: np.ndarray,
    width: float,
    colour,
    light: np.ndarray,
    stripe_normal: Optional[np.ndarray] = None,
    stripe_colour=None,
) -> None:
    """Draw a limb as a round-capped thick line with cylinder-like shading.

    A brighter band runs along the lit side and a darker band along the
    other; an optional thin stripe runs along the side ``stripe_normal``
    points to.
    """
    p = np.asarray(p, np.float64)
    q = np.asarray(q, np.float64)
    w = max(1, int(round(width)))
    _line(image, mask, p, q, colour, w)
    if w < 4:
        return
    d = _unit(q - p)
    n = np.array([-d[1], d[0]])
    n_lit = n if float(n @ light) >= 0 else -n
    lit = n_lit * 0.22 * w
    cv2.line(
        image,
        _pt(p + lit),
        _pt(q + lit),
        _shade(colour, 1.25),
        max(1, int(round(0.35 * w))),
        cv2.LINE_AA,
        _SHIFT,
    )
    dark = -n_lit * 0.3 * w
    cv2.line(
        image,
        _pt(p + dark),
        _pt(q + dark),
        _shade(colour, 0.68),
        max(1, int(round(0.22 * w))),
        cv2.LINE_AA,
        _SHIFT,
    )
    if stripe_normal is not None and stripe_colour is not None:
        off = np.asarray(stripe_normal) * 0.32 * w
        cv2.line(
            image,
            _pt(p + off),
            _pt(q + off),
            stripe_colour,
            max(1, int(round(0.16 * w))),
            cv2.LINE_AA,
            _SHIFT,
        )


def _fill_shaded(
    image: np.ndarray,
    mask: Optional[np.ndarray],
    polygon: np.ndarray,
    colour,
    light: np.ndarray,
    extent: float,
    strength: float = 0.3,
    stripes: float = 0.0,
    stripe_dir: Optional[np.ndarray] = None,
) -> None:
    """Fill a polygon with a linear light gradient (and optional stripes).

    Args:
        image (np.ndarray): BGR image drawn into, in place.
        mask (np.ndarray, optional): uint8 mask that gets 255 on the shape.
        polygon (np.ndarray): (N, 2) float vertices.
        colour: base BGR colour.
        light (np.ndarray): (2,) unit vector towards the light.
        extent (float): distance over which the shading goes from dark to
            bright.
        strength (float): relative brightness change at ``extent / 2``.
        stripes (float): stripe period in pixels along ``stripe_dir``; 0
            for none.
        stripe_dir (np.ndarray, optional): (2,) stripe direction.
    """
    h, w = image.shape[:2]
    polygon = np.asarray(polygon, np.float64)
    x0, y0 = np.maximum(np.floor(polygon.min(0)).astype(int) - 1, 0)
    x1 = min(int(np.ceil(polygon[:, 0].max())) + 2, w)
    y1 = min(int(np.ceil(polygon[:, 1].max())) + 2, h)
    if x1 <= x0 or y1 <= y0:
        return
    shape = np.zeros((y1 - y0, x1 - x0), np.uint8)
    local = polygon - (x0, y0)
    cv2.fillPoly(shape, [_fixed(local)], 255, cv2.LINE_AA, _SHIFT)
    alpha = shape.astype(np.float32)[..., None] * np.float32(1 / 255)
    xx = np.arange(x0, x1, dtype=np.float32)[None, :]
    yy = np.arange(y0, y1, dtype=np.float32)[:, None]
    centre = polygon.mean(0)
    scale = np.float32(2.0 / max(extent, 1.0))
    t = ((xx - centre[0]) * light[0] + (yy - centre[1]) * light[1]) * scale
    factor = 1.0 + strength * np.clip(t, -1, 1)
    if stripes > 0 and stripe_dir is not None:
        s = (xx * stripe_dir[0] + yy * stripe_dir[1]) * (2 * np.pi / stripes)
        factor = factor * (1.0 - 0.22 * (np.sin(s) > 0))
    fill = np.asarray(colour, np.float32)[None, None] * factor[..., None]
    np.clip(fill, 0, 255, out=fill)
    region = image[y0:y1, x0:x1]
    region[:] = (region + (fill - region) * alpha + 0.5).astype(np.uint8)
    if mask is not None:
        np.maximum(mask[y0:y1, x0:x1], shape, out=mask[y0:y1, x0:x1])


# --------------------------------------------------------------------------
# Pose sampling
# --------------------------------------------------------------------------


def _sample_leg_angles(rng: np.random.Generator) -> Tuple[float, ...]:
    """Thigh and shin angles (from straight down, outward positive, degrees)
    and their foreshortening factors."""
    mode = rng.choice(3, p=[0.6, 0.25, 0.15])
    if mode == 0:  # standing / walking
        thigh = rng.uniform(-15, 30)
        thigh_f = rng.uniform(0.8, 1.0)
        shin = thigh + float(np.clip(rng.normal(0, 15), -45, 45))
    elif mode == 1:  # wide, active
        thigh = rng.uniform(-25, 70)
        thigh_f = rng.uniform(0.75, 1.0)
        shin = thigh + rng.uniform(-70, 40)
    else:  # sitting, kneeling, kicking: thigh towards the camera
        thigh = rng.uniform(30, 110)
        thigh_f = rng.uniform(0.4, 0.8)
        shin = rng.uniform(-25, 35)
    shin_f = rng.uniform(0.7, 1.0)
    return thigh, thigh_f, shin, shin_f


def _sample_arm_angles(rng: np.random.Generator) -> Tuple[float, ...]:
    """Upper-arm and forearm angles (from straight down, outward positive,
    degrees) and their foreshortening factors."""
    mode = rng.choice(3, p=[0.4, 0.35, 0.25])
    if mode == 0:  # hanging
        upper = rng.uniform(-20, 35)
    elif mode == 1:  # lifted sideways / forwards
        upper = rng.uniform(20, 110)
    else:  # raised
        upper = rng.uniform(90, 175)
    if rng.uniform() < 0.4:
        fore = upper + float(np.clip(rng.normal(0, 15), -40, 40))
    else:
        fore = upper + rng.uniform(-145, 145)
    return upper, rng.uniform(0.7, 1.0), fore, rng.uniform(0.6, 1.0)


def _direction(angle_deg: float, lateral: float) -> np.ndarray:
    """Unit vector ``angle_deg`` from straight down, towards ``lateral``."""
    a = np.deg2rad(angle_deg)
    return np.array([lateral * np.sin(a), np.cos(a)])


def _canonical_pose(
    rng: np.random.Generator, back_view: bool
) -> Tuple[np.ndarray, np.ndarray]:
    """Sample a pose at unit height, pelvis at the origin, y down.

    Returns:
        Tuple[np.ndarray, np.ndarray]: (16, 2) joints and the (6, 2) torso
        polygon.
    """
    j = np.zeros((NUM_JOINTS, 2))
    # In a front view the figure's right side is on the image's left.
    lateral = {'right': -1.0, 'left': 1.0}
    if back_view:
        lateral = {'right': 1.0, 'left': -1.0}

    twist_hips = rng.uniform(0.5, 1.0)  # body turned away from frontal
    twist_shoulders = float(np.clip(twist_hips + rng.normal(0, 0.08), 0.45, 1))
    lean = np.deg2rad(float(np.clip(rng.normal(0, 10), -30, 30)))
    tilt = np.deg2rad(float(np.clip(rng.normal(0, 12), -35, 35)))
    upper = _rot(lean)  # upper-body frame, rotated about the pelvis
    head = _rot(lean + tilt)

    j[PELVIS] = (0.0, 0.0)
    j[THORAX] = upper @ np.array([0.0, -TORSO * rng.uniform(0.8, 1.0)])
    j[UPPER_NECK] = j[THORAX] + head @ np.array([0.0, -NECK])
    j[HEAD_TOP] = j[UPPER_NECK] + head @ np.array([0.0, -HEAD])

    hip_w = HIP_HALF_WIDTH * twist_hips
    sho_w = SHOULDER_HALF_WIDTH * twist_shoulders
    for side, (hip, knee, ankle) in LEGS.items():
        lat = lateral[side]
        j[hip] = (lat * hip_w, 0.0)
        thigh, thigh_f, shin, shin_f = _sample_leg_angles(rng)
        j[knee] = j[hip] + _direction(thigh, lat) * THIGH * thigh_f
        j[ankle] = j[knee] + _direction(shin, lat) * SHIN * shin_f
    for side, (sho, elb, wri) in ARMS.items():
        lat = lateral[side]
        j[sho] = j[THORAX] + upper @ np.array([lat * sho_w, 0.01])
        up_a, up_f, fo_a, fo_f = _sample_arm_angles(rng)
        j[elb] = j[sho] + upper @ _direction(up_a, lat) * UPPER_ARM * up_f
        j[wri] = j[elb] + upper @ _direction(fo_a, lat) * FOREARM * fo_f

    # Torso polygon: shoulders, waist, hips (a body is never thinner than
    # its depth, so the half widths have a floor).
    top_w = max(sho_w * 1.12, 0.07)
    waist_w = max(hip_w * 1.05, 0.06)
    bottom_w = max(hip_w * 1.35, 0.07)
    waist = j[THORAX] * 0.4  # 60 % of the way down to the pelvis
    mid_rot = _rot(lean / 2)
    torso = np.array(
        [
            j[THORAX] + upper @ np.array([-top_w, -0.012]),
            waist + mid_rot @ np.array([-waist_w, 0.0]),
            np.array([-bottom_w, 0.035]),
            np.array([bottom_w, 0.035]),
            waist + mid_rot @ np.array([waist_w, 0.0]),
            j[THORAX] + upper @ np.array([top_w, -0.012]),
        ]
    )
    return j, torso


def sample_figure(
    rng: np.random.Generator,
    image_size: int = 256,
    truncation_prob: float = 0.15,
    back_view_prob: float = 0.1,
) -> Tuple[Figure, bool]:
    """Sample a posed, dressed figure placed in a square image.

    Args:
        rng (np.random.Generator): the random source.
        image_size (int): image side in pixels.
        truncation_prob (float): probability to place the figure across an
            image border.
        back_view_prob (float): probability that the figure shows its back.

    Returns:
        Tuple[Figure, bool]: the figure and whether it was truncated.
    """
    back_view = bool(rng.uniform() < back_view_prob)
    joints, torso = _canonical_pose(rng, back_view)

    # Global similarity: rotation, scale (standing height), translation.
    if rng.uniform() < 0.5:
        angle = rng.uniform(-45, 45)
    else:
        angle = float(np.clip(rng.normal(0, 10), -45, 45))
    rot = _rot(np.deg2rad(angle))
    height = rng.uniform(0.4, 0.9) * image_size
    head_dir = _unit(joints[HEAD_TOP] - joints[UPPER_NECK])
    head_len = float(np.hypot(*(joints[HEAD_TOP] - joints[UPPER_NECK])))
    head_center = joints[UPPER_NECK] + head_dir * head_len * 0.5

    pts = np.concatenate([joints, torso], 0) @ rot.T * height
    head_center = rot @ head_center * height
    head_dir = rot @ head_dir
    head_axes = (HEAD_AXIS * head_len * height, HEAD_MINOR * head_len * height)

    # Extent of what is drawn: joints, torso, head, plus limb thickness.
    head_pts = _ellipse_points(head_center, head_axes, head_dir, 16)
    everything = np.concatenate([pts, head_pts], 0)
    margin = 0.05 * height
    lo = everything.min(0) - margin
    hi = everything.max(0) + margin
    size = hi - lo
    offset = np.zeros(2)
    for k in range(2):
        room = image_size - size[k]
        offset[k] = rng.uniform(0, room) if room > 0 else room / 2
    truncated = bool(rng.uniform() < truncation_prob)
    if truncated:
        axis = int(rng.integers(2))
        frac = rng.uniform(0.1, 0.4)
        if rng.uniform() < 0.5:
            offset[axis] = -frac * size[axis]
        else:
            offset[axis] = image_size - (1 - frac) * size[axis]
    shift = offset - lo
    pts = pts + shift
    head_center = head_center + shift

    skin = _jitter_colour(rng, SKIN_TONES[rng.integers(len(SKIN_TONES))], 8)
    colours = dict(
        skin=skin,
        hair=_jitter_colour(rng, HAIR_COLOURS[rng.integers(6)], 10),
        upper=_random_colour(rng),
        lower=_random_colour(rng, sat=(0.1, 0.8), val=(0.15, 0.8)),
        shoes=_random_colour(rng, sat=(0.0, 0.6), val=(0.05, 0.5)),
        accent=_random_colour(rng, sat=(0.0, 0.3), val=(0.85, 1.0))
        if rng.uniform() < 0.5
        else _random_colour(rng, sat=(0.7, 1.0), val=(0.7, 1.0)),
    )
    light_angle = rng.uniform(0, 2 * np.pi)
    figure = Figure(
        joints=pts[:NUM_JOINTS],
        height=float(height),
        back_view=back_view,
        near_side='right' if rng.uniform() < 0.5 else 'left',
        light=np.array([np.cos(light_angle), np.sin(light_angle)]),
        head_center=head_center,
        head_axes=head_axes,
        head_dir=head_dir,
        torso=pts[NUM_JOINTS:],
        girth=float(rng.uniform(0.8, 1.25)),
        colours=colours,
        long_sleeves=bool(rng.uniform() < 0.6),
        long_trousers=bool(rng.uniform() < 0.75),
        shirt_pattern=float(rng.uniform(0.08, 0.2))
        if rng.uniform() < 0.3
        else 0.0,
    )
    return figure, truncated


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _lateral_normal(p, q, side: str, back_view: bool) -> np.ndarray:
    """Unit normal of segment p->q on the limb's lateral (outer) side.

    In a front view the right limbs' lateral side is the segment direction
    turned by +90 degrees (image coordinates, y down) and the left limbs' by
    -90 degrees; a back view or a mirrored image swaps the handedness.
    """
    d = _unit(np.asarray(q, np.float64) - np.asarray(p, np.float64))
    n = np.array([-d[1], d[0]])
    right = side == 'right'
    return n if right != back_view else -n


def _draw_arm(image, mask, fig: Figure, side: str) -> None:
    sho, elb, wri = (fig.joints[i] for i in ARMS[side])
    c = fig.colours
    g = fig.girth * fig.height
    stripe = c['accent']
    _draw_capsule(
        image,
        mask,
        sho,
        elb,
        UPPER_ARM_WIDTH * g,
        c['upper'],
        fig.light,
        _lateral_normal(sho, elb, side, fig.back_view),
        stripe,
    )
    fore_colour = c['upper'] if fig.long_sleeves else c['skin']
    _draw_capsule(
        image,
        mask,
        elb,
        wri,
        FOREARM_WIDTH * g,
        fore_colour,
        fig.light,
        _lateral_normal(elb, wri, side, fig.back_view)
        if fig.long_sleeves
        else None,
        stripe,
    )
    hand = wri + _unit(wri - elb) * 0.018 * fig.height
    r = HAND_RADIUS * fig.height * (0.5 + 0.5 * fig.girth)
    _fill_shaded(
        image,
        mask,
        _ellipse_points(hand, (r, r * 0.85), wri - elb, 14),
        c['skin'],
        fig.light,
        2 * r,
    )


def _draw_leg(image, mask, fig: Figure, side: str) -> None:
    hip, kne, ank = (fig.joints[i] for i in LEGS[side])
    c = fig.colours
    g = fig.girth * fig.height
    stripe = c['accent']
    _draw_capsule(
        image,
        mask,
        hip,
        kne,
        THIGH_WIDTH * g,
        c['lower'],
        fig.light,
        _lateral_normal(hip, kne, side, fig.back_view),
        stripe,
    )
    shin_colour = c['lower'] if fig.long_trousers else c['skin']
    _draw_capsule(
        image,
        mask,
        kne,
        ank,
        SHIN_WIDTH * g,
        shin_colour,
        fig.light,
        _lateral_normal(kne, ank, side, fig.back_view)
        if fig.long_trousers
        else None,
        stripe,
    )
    # The foot: a shoe under the ankle, across the leg.
    down = _unit(ank - kne)
    across = np.array([-fig.head_dir[1], fig.head_dir[0]])
    foot = ank + down * 0.015 * fig.height
    _fill_shaded(
        image,
        mask,
        _ellipse_points(
            foot, (0.042 * fig.height, 0.024 * fig.height), across, 14
        ),
        c['shoes'],
        fig.light,
        0.08 * fig.height,
    )


def _draw_torso(image, mask, fig: Figure) -> None:
    c = fig.colours
    j = fig.joints
    axis = j[THORAX] - j[PELVIS]
    length = float(np.hypot(*axis))
    # Neck first, the shirt over its base.
    _draw_capsule(
        image,
        mask,
        j[THORAX],
        j[UPPER_NECK],
        NECK_WIDTH * fig.height * (0.6 + 0.4 * fig.girth),
        _shade(c['skin'], 0.9),
        fig.light,
    )
    _fill_shaded(
        image,
        mask,
        fig.torso,
        c['upper'],
        fig.light,
        max(length, 1.0),
        strength=0.3,
        stripes=fig.shirt_pattern * length,
        stripe_dir=_unit(axis),
    )
    up = _unit(axis)
    across = np.array([-up[1], up[0]])
    h = fig.height
    if not fig.back_view:
        # Front cues: a collar opening and a button line.
        collar = np.array(
            [
                j[THORAX] + across * 0.03 * h + up * 0.012 * h,
                j[THORAX] - across * 0.03 * h + up * 0.012 * h,
                j[THORAX] - up * 0.05 * h,
            ]
        )
        _poly(image, mask, collar, c['skin'])
        _line(
            image,
            mask,
            j[THORAX] - up * 0.06 * h,
            j[PELVIS] + up * 0.02 * h,
            _shade(c['upper'], 0.55),
            0.008 * h,
        )
    # A belt line where the torso meets the legs.
    bottom = fig.torso[2:4]
    _line(
        image,
        mask,
        bottom[0] + up * 0.012 * h,
        bottom[1] + up * 0.012 * h,
        _shade(c['lower'], 0.6),
        0.012 * h,
    )


def _draw_head(image, mask, fig: Figure) -> None:
    c = fig.colours
    a, b = fig.head_axes
    u = fig.head_dir
    v = np.array([-u[1], u[0]])
    ctr = fig.head_center
    _fill_shaded(
        image,
        mask,
        _ellipse_points(ctr, (a, b), u),
        c['skin'],
        fig.light,
        2 * a,
    )
    # Hair: a cap over the top (front view) or most of the head (back).
    span = 2.3 if fig.back_view else 1.15
    t = np.linspace(-span, span, 18)
    cap = (
        ctr[None]
        + np.cos(t)[:, None] * a * u[None]
        + np.sin(t)[:, None] * b * v[None]
    )
    _fill_shaded(image, mask, cap, c['hair'], fig.light, 2 * a, 0.2)
    if not fig.back_view:
        eye_r = max(0.7, 0.12 * b)
        for s in (-1, 1):
            eye = ctr + u * 0.08 * a + v * s * 0.38 * b
            _poly(
                image,
                mask,
                _ellipse_points(eye, (eye_r, eye_r), u, 10),
                (30, 25, 25),
            )
        _line(
            image,
            mask,
            ctr - u * 0.45 * a - v * 0.18 * b,
            ctr - u * 0.45 * a + v * 0.18 * b,
            (60, 60, 140),
            1,
        )


def render_figure(image: np.ndarray, figure: Figure) -> np.ndarray:
    """Draw a figure onto an image, far-side limbs first.

    Order: the far arm, both legs, torso and neck, head, the near arm (so
    the near arm passes in front of the torso and the far one behind it).

    Args:
        image (np.ndarray): (H, W, 3) uint8 BGR image, drawn into in place.
        figure (Figure): the figure (image coordinates, 0-based).

    Returns:
        np.ndarray: (H, W) uint8 mask, > 0 where the figure was drawn.
    """
    mask = np.zeros(image.shape[:2], np.uint8)
    far = 'left' if figure.near_side == 'right' else 'right'
    _draw_arm(image, mask, figure, far)
    _draw_leg(image, mask, figure, far)
    _draw_leg(image, mask, figure, figure.near_side)
    _draw_torso(image, mask, figure)
    _draw_head(image, mask, figure)
    _draw_arm(image, mask, figure, figure.near_side)
    return mask


def render_background(rng: np.random.Generator, image_size: int) -> np.ndarray:
    """A cluttered background: gradient, smooth noise, lines, blobs, boxes.

    Args:
        rng (np.random.Generator): the random source.
        image_size (int): image side in pixels.

    Returns:
        np.ndarray: (S, S, 3) uint8 BGR image.
    """
    s = image_size
    # A linear colour gradient plus smooth noise, sampled on a coarse grid
    # and upsampled (bicubic interpolation keeps the gradient linear).
    c0 = np.asarray(_random_colour(rng, (0.0, 0.7), (0.2, 0.95)), np.float32)
    c1 = np.asarray(_random_colour(rng, (0.0, 0.7), (0.2, 0.95)), np.float32)
    a = rng.uniform(0, 2 * np.pi)
    grid = int(rng.integers(3, 9))
    ramp = np.linspace(-0.5, 0.5, grid, dtype=np.float32)
    t = ramp[None, :] * np.cos(a) + ramp[:, None] * np.sin(a) + 0.5
    coarse = c0 + (c1 - c0) * t[..., None]
    coarse += rng.normal(0, rng.uniform(8, 30), (grid, grid, 3))
    img = cv2.resize(
        coarse.astype(np.float32), (s, s), interpolation=cv2.INTER_CUBIC
    )
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(0, 4))):  # furniture-like boxes
        x0, y0 = rng.uniform(-0.2, 1.0, 2) * s
        w, h = rng.uniform(0.1, 0.6, 2) * s
        box = np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h]])
        box = np.concatenate([box, [[x0, y0 + h]]])
        _fill_shaded(
            img,
            None,
            box,
            _random_colour(rng, (0.0, 0.6), (0.2, 0.9)),
            _unit(rng.normal(size=2)),
            max(w, h),
            0.2,
        )
    for _ in range(int(rng.integers(2, 9))):  # edges, poles, wires
        p, q = rng.uniform(-0.1, 1.1, (2, 2)) * s
        cv2.line(
            img,
            _pt(p),
            _pt(q),
            _random_colour(rng, (0.0, 0.8), (0.1, 1.0)),
            int(rng.integers(1, max(2, s // 40))),
            cv2.LINE_AA,
            _SHIFT,
        )
    for _ in range(int(rng.integers(0, 6))):  # blobs
        ctr = rng.uniform(0, 1, 2) * s
        axes = rng.uniform(0.02, 0.15, 2) * s
        _fill_shaded(
            img,
            None,
            _ellipse_points(ctr, axes, rng.normal(size=2), 20),
            _random_colour(rng),
            _unit(rng.normal(size=2)),
            2 * axes.max(),
        )
    return img


def render_distractors(
    image: np.ndarray, rng: np.random.Generator, height: float
) -> None:
    """Draw figure-like clutter: loose limbs, skin blobs and heads.

    Args:
        image (np.ndarray): BGR image drawn into, in place.
        rng (np.random.Generator): the random source.
        height (float): the figure's height in pixels (sets the sizes).
    """
    s = image.shape[0]
    for _ in range(int(rng.integers(1, 5))):
        kind = rng.choice(3, p=[0.6, 0.25, 0.15])
        light = _unit(rng.normal(size=2))
        ctr = rng.uniform(0, 1, 2) * s
        if rng.uniform() < 0.5:
            colour = _jitter_colour(
                rng, SKIN_TONES[rng.integers(len(SKIN_TONES))], 10
            )
        else:
            colour = _random_colour(rng)
        if kind == 0:  # a limb: two segments, maybe a stripe and a hand
            width = rng.uniform(0.035, 0.07) * height
            seg = rng.uniform(0.12, 0.25) * height
            a1 = rng.uniform(0, 2 * np.pi)
            a2 = a1 + rng.uniform(-2.0, 2.0)
            mid = ctr + seg * np.array([np.cos(a1), np.sin(a1)])
            end = mid + seg * np.array([np.cos(a2), np.sin(a2)])
            stripe = _random_colour(rng) if rng.uniform() < 0.4 else None
            sign = 1 if rng.uniform() < 0.5 else -1
            for p, q in ((ctr, mid), (mid, end)):
                d = _unit(q - p)
                _draw_capsule(
                    image,
                    None,
                    p,
                    q,
                    width,
                    colour,
                    light,
                    sign * np.array([-d[1], d[0]]),
                    stripe,
                )
            if rng.uniform() < 0.5:
                r = HAND_RADIUS * height
                _fill_shaded(
                    image,
                    None,
                    _ellipse_points(end, (r, r), end - mid, 12),
                    SKIN_TONES[rng.integers(len(SKIN_TONES))],
                    light,
                    2 * r,
                )
        elif kind == 1:  # a blob in clothing or skin colours
            axes = rng.uniform(0.03, 0.12, 2) * height
            _fill_shaded(
                image,
                None,
                _ellipse_points(ctr, axes, rng.normal(size=2), 20),
                colour,
                light,
                2 * axes.max(),
            )
        else:  # a head
            a = HEAD * HEAD_AXIS * height * rng.uniform(0.8, 1.2)
            d = _unit(rng.normal(size=2))
            skin = SKIN_TONES[rng.integers(len(SKIN_TONES))]
            _fill_shaded(
                image,
                None,
                _ellipse_points(ctr, (a, a * 0.7), d, 20),
                skin,
                light,
                2 * a,
            )


def _occluder_polygon(
    rng: np.random.Generator, centre: np.ndarray, size: float
) -> np.ndarray:
    kind = rng.choice(3)
    w, h = rng.uniform(0.4, 1.0, 2) * size
    direction = _unit(rng.normal(size=2))
    if kind == 0:  # a (rotated) box
        u = direction
        v = np.array([-u[1], u[0]])
        corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) / 2
        return centre + corners[:, :1] * w * u + corners[:, 1:] * h * v
    if kind == 1:  # an ellipse
        return _ellipse_points(centre, (w / 2, h / 2), direction, 24)
    n = 9  # an irregular blob
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = rng.uniform(0.3, 0.6, n) * size
    return centre + np.stack([np.cos(t) * r, np.sin(t) * r], 1)


def joint_visibility(
    joints: np.ndarray,
    image_size: int,
    occluder_mask: Optional[np.ndarray] = None,
) -> np.ndarray:
    """MPII-style visibility: 0 outside the image or under an occluder.

    Args:
        joints (np.ndarray): (K, 2) 0-based coordinates.
        image_size (int): image side in pixels.
        occluder_mask (np.ndarray, optional): (S, S) uint8 mask, > 127 where
            an occluder covers the image.

    Returns:
        np.ndarray: (K,) int64 array of 0/1.
    """
    idx = np.round(np.asarray(joints, np.float64)).astype(np.int64)
    inside = np.all((idx >= 0) & (idx < image_size), axis=1)
    vis = inside.astype(np.int64)
    if occluder_mask is not None:
        for k in np.flatnonzero(inside):
            if occluder_mask[idx[k, 1], idx[k, 0]] > 127:
                vis[k] = 0
    return vis


def render_occluders(
    image: np.ndarray,
    rng: np.random.Generator,
    figure: Figure,
    min_visible: int = 6,
) -> np.ndarray:
    """Draw 1-2 textured occluders over the figure, each near a joint.

    An occluder that would leave fewer than ``min_visible`` joints visible
    is not drawn.

    Args:
        image (np.ndarray): BGR image drawn into, in place.
        rng (np.random.Generator): the random source.
        figure (Figure): the figure being occluded.
        min_visible (int): the fewest visible joints to keep.

    Returns:
        np.ndarray: (S, S) uint8 mask of the drawn occluders.
    """
    s = image.shape[0]
    mask = np.zeros((s, s), np.uint8)
    for _ in range(int(rng.integers(1, 3))):
        vis = joint_visibility(figure.joints, s, mask)
        candidates = np.flatnonzero(vis)
        if len(candidates) == 0:
            break
        k = candidates[rng.integers(len(candidates))]
        size = rng.uniform(0.12, 0.32) * figure.height
        centre = figure.joints[k] + rng.normal(0, 0.05 * figure.height, 2)
        poly = _occluder_polygon(rng, centre, size)
        colour = _random_colour(rng, (0.0, 0.8), (0.15, 0.95))
        light = _unit(rng.normal(size=2))
        pattern = rng.uniform(0.1, 0.4) * size if rng.uniform() < 0.4 else 0
        trial = mask.copy()
        cv2.fillPoly(trial, [_fixed(poly)], 255, cv2.LINE_AA, _SHIFT)
        if joint_visibility(figure.joints, s, trial).sum() < min_visible:
            continue
        _fill_shaded(
            image,
            mask,
            poly,
            colour,
            light,
            size,
            0.25,
            stripes=pattern,
            stripe_dir=_unit(rng.normal(size=2)),
        )
    return mask


def _person_box(figure: Figure, vis: np.ndarray) -> Tuple[np.ndarray, float]:
    """Centre (0-based) and MPII scale of the visible person."""
    pts = [figure.joints[vis > 0]]
    if vis[HEAD_TOP] or vis[UPPER_NECK]:
        pts.append(
            _ellipse_points(
                figure.head_center, figure.head_axes, figure.head_dir, 16
            )
        )
    pts = np.concatenate(pts, 0)
    lo, hi = pts.min(0), pts.max(0)
    centre = (lo + hi) / 2
    size = max(float((hi - lo).max()), 0.2 * figure.height)
    return centre, size * BOX_PADDING / PIXEL_STD


def _head_box(figure: Figure) -> np.ndarray:
    """Axis-aligned square around the head ellipse, ``[[x1, y1], [x2, y2]]``

    Its side is the head length (2 x the long semi-axis), so PCKh's head
    size ``0.6 * diagonal`` is about the upper-neck to head-top length.
    """
    half = figure.head_axes[0]
    return np.stack([figure.head_center - half, figure.head_center + half])


def _post_process(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera effects: blur, contrast/brightness, sensor noise."""
    sigma = rng.uniform(0.0, 0.9)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    gain = rng.uniform(0.85, 1.15)
    bias = rng.uniform(-15, 15)
    sigma_noise = np.float32(rng.uniform(1.0, 5.0))
    noise = rng.standard_normal(image.shape, dtype=np.float32)
    noise *= sigma_noise
    noise += image.astype(np.float32) * np.float32(gain) + np.float32(bias)
    return np.clip(noise, 0, 255, out=noise).astype(np.uint8)


def render_sample(
    rng: np.random.Generator,
    image_size: int = 256,
    *,
    occlusion_prob: float = 0.35,
    distractor_prob: float = 0.7,
    truncation_prob: float = 0.15,
    back_view_prob: float = 0.1,
    post_process: bool = True,
    background: Optional[np.ndarray] = None,
) -> SyntheticSample:
    """Render one image with one annotated figure.

    Args:
        rng (np.random.Generator): the random source (the sample is a pure
            function of its state).
        image_size (int): image side in pixels.
        occlusion_prob (float): probability of occluders over the figure.
        distractor_prob (float): probability of figure-like clutter behind
            the figure.
        truncation_prob (float): probability to place the figure across an
            image border.
        back_view_prob (float): probability that the figure shows its back.
        post_process (bool): apply blur, contrast and noise.
        background (np.ndarray, optional): (S, S, 3) uint8 image to draw on
            instead of a random background (copied).

    Returns:
        SyntheticSample: the image and its 0-based annotation.
    """
    figure, truncated = sample_figure(
        rng, image_size, truncation_prob, back_view_prob
    )
    if background is None:
        image = render_background(rng, image_size)
    else:
        image = np.array(background, np.uint8, copy=True)
    if rng.uniform() < distractor_prob:
        render_distractors(image, rng, figure.height)
    figure_mask = render_figure(image, figure)
    if rng.uniform() < occlusion_prob:
        occluder_mask = render_occluders(image, rng, figure)
    else:
        occluder_mask = np.zeros((image_size, image_size), np.uint8)
    vis = joint_visibility(figure.joints, image_size, occluder_mask)
    if vis.sum() == 0:  # cannot happen with the placement above; be safe
        vis[PELVIS] = 1
    centre, scale = _person_box(figure, vis)
    if post_process:
        image = _post_process(image, rng)
    return SyntheticSample(
        image=image,
        joints=figure.joints.copy(),
        joints_vis=vis,
        center=centre,
        scale=scale,
        headbox=_head_box(figure),
        figure=figure,
        figure_mask=figure_mask,
        occluder_mask=occluder_mask,
        truncated=truncated,
    )


# --------------------------------------------------------------------------
# MPII files
# --------------------------------------------------------------------------


def _r(x: float) -> float:
    return round(float(x), 3)


def to_mpii_record(sample: SyntheticSample, image_name: str) -> dict:
    """The MPII JSON record of a sample (1-based coordinates).

    The centre is moved up by ``15 * scale`` pixels to cancel the shift
    MMPose's ``MpiiDataset`` applies when loading.

    Args:
        sample (SyntheticSample): the rendered sample (0-based).
        image_name (str): file name under ``images/``.

    Returns:
        dict: ``image``, ``center``, ``scale``, ``joints``, ``joints_vis``.
    """
    cx, cy = sample.center + 1.0
    cy -= MPII_CENTER_SHIFT * sample.scale
    return {
        'image': image_name,
        'center': [_r(cx), _r(cy)],
        'scale': round(float(sample.scale), 6),
        'joints': [[_r(x + 1), _r(y + 1)] for x, y in sample.joints],
        'joints_vis': [int(v) for v in sample.joints_vis],
    }


def _savemat_deterministic(path: str, data: dict) -> None:
    """``scipy.io.savemat`` with a fixed header (no creation time)."""
    from scipy.io import savemat

    buf = io.BytesIO()
    savemat(buf, data)
    raw = bytearray(buf.getvalue())
    raw[:116] = _MAT_HEADER.ljust(116, b' ')[:116]
    with open(path, 'wb') as f:
        f.write(bytes(raw))


def generate_synthetic_mpii(
    out_dir: str,
    num_train: int = 400,
    num_val: int = 100,
    image_size: int = 256,
    seed: int = 0,
    *,
    occlusion_prob: float = 0.35,
    distractor_prob: float = 0.7,
    truncation_prob: float = 0.15,
    back_view_prob: float = 0.1,
) -> dict:
    """Write a synthetic MPII-format dataset that ``MpiiDataset`` reads.

    Sample ``i`` of a split is rendered from
    ``np.random.default_rng([seed, split, i])`` (split 0 train, 1 val), so
    the files are a pure function of the arguments. Images are named
    ``000000000001.png`` ... (train first, then val; unique integers, as
    ``MpiiDataset`` uses ``int(name)`` as the image id).

    Args:
        out_dir (str): the data root to write (created if needed).
        num_train (int): number of training images (one person each).
        num_val (int): number of validation images.
        image_size (int): side of the square images in pixels.
        seed (int): non-negative random seed.
        occlusion_prob (float): probability of occluders per image.
        distractor_prob (float): probability of figure-like clutter.
        truncation_prob (float): probability that the figure crosses the
            image border.
        back_view_prob (float): probability of a figure seen from behind.

    Returns:
        dict: ``data_root``, ``img_dir``, ``train_ann``, ``val_ann``,
        ``headbox_file``, ``num_train``, ``num_val``, ``image_size``,
        ``seed`` and ``visible_fraction`` (share of joints with
        ``joints_vis`` 1).
    """
    if seed < 0:
        raise ValueError(f'seed must be non-negative, got {seed}')
    img_dir = osp.join(out_dir, 'images')
    ann_dir = osp.join(out_dir, 'annotations')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    options = dict(
        occlusion_prob=occlusion_prob,
        distractor_prob=distractor_prob,
        truncation_prob=truncation_prob,
        back_view_prob=back_view_prob,
    )

    image_id = 0
    visible = 0
    records: Dict[str, List[dict]] = {}
    headboxes, gt_joints, missing = [], [], []
    for split, (name, count) in enumerate(
        (('train', num_train), ('val', num_val))
    ):
        records[name] = []
        for i in range(count):
            image_id += 1
            rng = np.random.default_rng([seed, split, i])
            sample = render_sample(rng, image_size, **options)
            file_name = f'{image_id:012d}.png'
            cv2.imwrite(osp.join(img_dir, file_name), sample.image)
            records[name].append(to_mpii_record(sample, file_name))
            visible += int(sample.joints_vis.sum())
            if name == 'val':
                headboxes.append(sample.headbox + 1.0)
                gt_joints.append(sample.joints + 1.0)
                missing.append(1 - sample.joints_vis)

    paths = {}
    for name in ('train', 'val'):
        paths[name] = osp.join(ann_dir, f'mpii_{name}.json')
        with open(paths[name], 'w') as f:
            json.dump(records[name], f)
    headbox_file = osp.join(ann_dir, 'mpii_gt_val.mat')
    n_val = len(headboxes)
    _savemat_deterministic(
        headbox_file,
        {
            # MPII layout: (2, 2, N), (16, 2, N), (16, N).
            'headboxes_src': np.transpose(
                np.asarray(headboxes, np.float64).reshape(n_val, 2, 2),
                [1, 2, 0],
            ),
            'pos_gt_src': np.transpose(
                np.asarray(gt_joints, np.float64).reshape(n_val, 16, 2),
                [1, 2, 0],
            ),
            'jnt_missing': np.asarray(missing, np.uint8).reshape(n_val, 16).T,
        },
    )
    total = num_train + num_val
    return dict(
        data_root=out_dir,
        img_dir=img_dir,
        train_ann=paths['train'],
        val_ann=paths['val'],
        headbox_file=headbox_file,
        num_train=num_train,
        num_val=num_val,
        image_size=image_size,
        seed=seed,
        visible_fraction=round(visible / max(1, total * NUM_JOINTS), 4),
    )
