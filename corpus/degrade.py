"""Make a pristine text raster look scanned, at a chosen degradation level.

A level is a plain function ``(ink, rng, dpi) -> uint8 array`` registered in
:data:`LEVELS`; adding "heavy" (lower DPI, strong skew, page rotation, ...)
means adding one function. Every random choice comes from a
``numpy.random.Generator`` seeded by the caller, so the output is a pure
function of (image, level, seed).
"""
from __future__ import annotations

import io
from typing import Callable

import cv2
import numpy as np
from PIL import Image

# Toner is never pure black and paper never pure white on a real scan; these
# levels keep contrast high enough that clean pages stay ~error-free for OCR.
_INK = 28.0
_PAPER = 244.0


def _coverage(image: Image.Image) -> np.ndarray:
    """Ink coverage in [0, 1] (1 = full ink) from a white-background raster."""
    gray = np.asarray(image.convert("L"), dtype=np.float32)
    return 1.0 - gray / 255.0


def _paper(shape: tuple[int, int], rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """Off-white paper with slow blotchy tone changes (not per-pixel noise)."""
    h, w = shape
    coarse = rng.normal(0.0, amplitude, size=(max(2, h // 250), max(2, w // 250)))
    smooth = cv2.resize(coarse.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return _PAPER + smooth


def _uneven_light(shape: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    """Multiplicative lighting gradient, as from a lid that does not close flat."""
    h, w = shape
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (np.cos(angle) * xs / w + np.sin(angle) * ys / h)
    ramp -= ramp.min()
    ramp /= max(float(ramp.max()), 1e-6)
    return 1.0 - strength * ramp


def _blur(arr: np.ndarray, sigma: float) -> np.ndarray:
    """Optical blur of the scanner lens."""
    return cv2.GaussianBlur(arr, (0, 0), sigmaX=sigma) if sigma > 0 else arr


def _rotate(arr: np.ndarray, degrees: float, fill: float) -> np.ndarray:
    """Rotate about the centre, keeping the page size (corners fill with paper)."""
    h, w = arr.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(arr, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def _grain(arr: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Per-pixel sensor noise of standard deviation ``sigma`` grey levels.

    Uniform integer noise: 4x faster than Gaussian on a 300-DPI page and
    indistinguishable after blur/JPEG, which is what keeps the CLI fast.
    """
    half = max(1, round((np.sqrt(12 * sigma**2 + 1) - 1) / 2))
    noise = rng.integers(-half, half + 1, size=arr.shape, dtype=np.int16)
    return arr + noise


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    # cv2 rounds and saturates at 255 in one fast pass (numpy clip+rint is ~20x
    # slower); it takes |x|, so clamp negatives first.
    return cv2.convertScaleAbs(np.maximum(arr, 0, dtype=np.float32))


def _jpeg(arr: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through JPEG to get its 8x8 block and ringing artefacts."""
    buf = io.BytesIO()
    Image.fromarray(arr, "L").save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))


def _compose(coverage: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """Lay ink of the given coverage over paper."""
    return paper * (1.0 - coverage) + _INK * coverage


def _level_none(coverage: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    return _to_uint8(_compose(coverage, np.full(coverage.shape, 255.0, np.float32)))


def _level_clean(coverage: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    # Scale blur with resolution so "clean" means the same thing at 200 or 400 DPI.
    coverage = _blur(coverage, 0.5 * dpi / 300)
    page = _compose(coverage, _paper(coverage.shape, rng, amplitude=2.0))
    return _to_uint8(_grain(page, rng, sigma=3.0))


def _level_moderate(coverage: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    coverage = _blur(coverage, 0.8 * dpi / 300)
    angle = rng.uniform(1.0, 2.0) * rng.choice((-1.0, 1.0))
    coverage = _rotate(coverage, angle, fill=0.0)
    paper = _paper(coverage.shape, rng, amplitude=4.0) * _uneven_light(coverage.shape, rng, 0.08)
    page = _grain(_compose(coverage, paper), rng, sigma=7.0)
    return _jpeg(_to_uint8(page), quality=int(rng.integers(45, 70)))


Level = Callable[[np.ndarray, np.random.Generator, int], np.ndarray]

LEVELS: dict[str, Level] = {
    "none": _level_none,  # pristine black-on-white, for debugging layouts
    "clean": _level_clean,
    "moderate": _level_moderate,
}


def degrade(image: Image.Image, level: str = "clean", seed: int = 0, *, dpi: int = 300) -> Image.Image:
    """Return a scanned-looking grayscale copy of ``image`` (white page, dark ink).

    ``level`` is a key of :data:`LEVELS`; the result depends only on
    ``(image, level, seed, dpi)``. ``dpi`` scales resolution-dependent effects.
    """
    try:
        apply = LEVELS[level]
    except KeyError:
        raise ValueError(f"unknown degradation level {level!r}; known: {sorted(LEVELS)}") from None
    rng = np.random.default_rng(seed)
    return Image.fromarray(apply(_coverage(image), rng, dpi), "L")
