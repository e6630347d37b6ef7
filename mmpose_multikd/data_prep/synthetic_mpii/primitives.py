# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Low-level drawing: fixed-point cv2 calls, geometry and colour helpers.

Anti-aliased lines and polygons drawn on an image and its mask, shaded
capsules (limbs) and gradient-filled polygons, small vector helpers and
random colours. Everything else in the package draws through these.
"""

import colorsys
from typing import Optional, Tuple

import cv2
import numpy as np

_SHIFT = 4  # cv2 fixed-point bits: coordinates are drawn at 1/16 pixel.
_ONE = 1 << _SHIFT


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
