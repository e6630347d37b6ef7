# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Drawing a posed ``Figure``: limbs, torso, head, in depth order.

``render_figure`` draws the far arm, the legs, the torso and neck, the
head and the near arm, with the side seams and front/back cues that
tell left from right.
"""

import numpy as np

from .primitives import (
    _draw_capsule,
    _ellipse_points,
    _fill_shaded,
    _line,
    _poly,
    _shade,
    _unit,
)
from .skeleton import (
    ARMS,
    FOREARM_WIDTH,
    HAND_RADIUS,
    LEGS,
    NECK_WIDTH,
    PELVIS,
    SHIN_WIDTH,
    THIGH_WIDTH,
    THORAX,
    UPPER_ARM_WIDTH,
    UPPER_NECK,
    Figure,
)


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
