# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""The figure model: MPII joints, body proportions and pose sampling.

Joint indices and names (MPII order), segment lengths and widths, the
MPII scale conventions, skin and hair colours, the ``Figure`` and
``SyntheticSample`` records, and ``sample_figure``, which samples a
posed, dressed figure placed in the image.
"""

from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

from .primitives import (
    _ellipse_points,
    _jitter_colour,
    _random_colour,
    _rot,
    _unit,
)

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
