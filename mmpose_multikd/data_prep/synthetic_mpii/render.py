# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Rendering one annotated sample: scene, occluders, visibility, box.

The cluttered background, figure-like distractors, occluders over the
figure, MPII visibility, the person and head boxes, camera effects, and
``render_sample``, which puts them together into a ``SyntheticSample``.
"""

from typing import Optional, Tuple

import cv2
import numpy as np

from .body import render_figure
from .primitives import (
    _SHIFT,
    _draw_capsule,
    _ellipse_points,
    _fill_shaded,
    _fixed,
    _jitter_colour,
    _pt,
    _random_colour,
    _unit,
)
from .skeleton import (
    BOX_PADDING,
    HAND_RADIUS,
    HEAD,
    HEAD_AXIS,
    HEAD_TOP,
    PELVIS,
    PIXEL_STD,
    SKIN_TONES,
    UPPER_NECK,
    Figure,
    SyntheticSample,
    sample_figure,
)


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
