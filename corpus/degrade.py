"""Make a pristine text raster look scanned, at a chosen degradation level.

Two entry points:

* :func:`degrade` (the original API): grayscale in, grayscale out, same size.
  A level is a plain function ``(ink, rng, dpi) -> uint8 array`` in :data:`LEVELS`.
* :func:`degrade_scan`: keeps RGB (a red stamp stays red), really changes the
  resolution and may turn the page, so it returns a :class:`DegradedPage`
  with the new DPI and notes of what was done. Levels are the
  :class:`ScanProfile` entries of :data:`SCAN_LEVELS`:

  ========  =========  ======  ==========================================================
  level     DPI        skew    other effects
  ========  =========  ======  ==========================================================
  clean     300        0°      slight blur, paper tone, sensor grain (lossless)
  moderate  150-200    1-2°    + uneven light, more grain, JPEG q 45-70
  heavy     150        2-4°    + stronger blur, salt-and-pepper speckle, darker light,
                               JPEG q 20-35, page turned 90°/180° with p = 0.3
  ========  =========  ======  ==========================================================

  :func:`degrade` also has ``photocopy`` (thickened strokes, grey paper and ink, toner specks,
  half of them thresholded) and ``fax`` (standard 204 x 98 dpi, black and white, lost lines),
  what archives hold besides scans of originals.

Every random choice comes from a ``numpy.random.Generator`` seeded by the
caller, so the output is a pure function of (image, level, seed, dpi).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
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


def _level_heavy(coverage: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    # Same-size variant of the "heavy" scan: lose resolution, then scale back.
    h, w = coverage.shape
    page, _ = _scan(coverage[..., None], rng, dpi, SCAN_LEVELS["heavy"], 150, turn=False)
    return cv2.resize(page[..., 0], (w, h), interpolation=cv2.INTER_LINEAR)


def _level_photocopy(coverage: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    """A photocopy (or a copy of one) scanned: toner spreads (strokes thicken, counters of
    ``e``/``a`` and the gaps under stacked marks close up), contrast is lost (grey paper,
    grey ink), toner specks and streaks sprinkle the page; half of them come from a
    scanner in black-and-white mode (thresholded), as archives' bitonal TIFFs do."""
    coverage = _blur(coverage, 0.9 * dpi / 300)
    # Spread: an edge pixel at coverage 0.3-0.5 becomes full ink, so strokes gain ~1 px at 300 DPI.
    coverage = np.minimum(coverage * rng.uniform(1.6, 2.2), 1.0)
    angle = rng.uniform(0.3, 1.5) * rng.choice((-1.0, 1.0))
    coverage = _rotate(coverage, angle, fill=0.0)
    h, w = coverage.shape
    # Toner specks: isolated dots and small clumps (drawn at a coarser grid, then enlarged).
    grid = max(1, round(dpi / 150))
    dots = (rng.random((h // grid + 1, w // grid + 1)) < rng.uniform(4e-4, 1.2e-3)).astype(np.float32)
    dots = cv2.resize(dots, (w, h), interpolation=cv2.INTER_NEAREST)
    coverage = np.maximum(coverage, dots * rng.uniform(0.5, 1.0))
    # A grey streak along the page from a dirty drum (a few columns wide), half the time.
    if rng.random() < 0.5:
        x = int(rng.integers(0, w))
        width = max(2, round(rng.uniform(2, 6) * dpi / 300))
        coverage[:, x: x + width] = np.maximum(coverage[:, x: x + width], rng.uniform(0.15, 0.35))
    paper = _paper(coverage.shape, rng, amplitude=6.0) - rng.uniform(15.0, 35.0)
    paper = paper * _uneven_light(coverage.shape, rng, rng.uniform(0.05, 0.15))
    ink = _INK + rng.uniform(25.0, 55.0)
    page = paper * (1.0 - coverage) + ink * coverage
    page = _grain(page, rng, sigma=5.0)
    if rng.random() < 0.5:  # bitonal scan: threshold halfway between the ink and the paper
        page = np.where(page < (ink + float(np.median(paper))) / 2, 0.0, 255.0)
    return _to_uint8(page)


# Standard-resolution fax (ITU-T T.4): 204 dots per inch across, 98 lines per inch down.
FAX_DPI = (204, 98)


def _level_fax(coverage: np.ndarray, rng: np.random.Generator, dpi: int) -> np.ndarray:
    """A standard-mode fax: sampled at 204 x 98 dpi (half the vertical resolution), binarised
    (pure black and white, no grey), with slight skew, lost scan lines and flipped pixels; then
    shown at the render's size as a fax viewer does (each fax pixel a block, twice as tall
    as wide at 200 DPI)."""
    h, w = coverage.shape
    angle = rng.uniform(0.2, 1.2) * rng.choice((-1.0, 1.0))
    coverage = _rotate(_blur(coverage, 0.6 * dpi / 300), angle, fill=0.0)
    fw, fh = max(1, round(w * FAX_DPI[0] / dpi)), max(1, round(h * FAX_DPI[1] / dpi))
    small = cv2.resize(coverage, (fw, fh), interpolation=cv2.INTER_AREA)
    # Threshold with a little per-pixel jitter: ragged stroke edges, thin hairlines broken.
    black = small > rng.uniform(0.38, 0.5) + rng.normal(0.0, 0.06, size=small.shape)
    flips = rng.random(small.shape) < rng.uniform(5e-4, 2e-3)
    black ^= flips
    # Dropouts: some scan lines lose part of their run (line noise), as white streaks.
    for y in np.flatnonzero(rng.random(fh) < rng.uniform(0.005, 0.02)):
        x0 = int(rng.integers(0, fw))
        black[y, x0: x0 + int(rng.integers(fw // 8, fw))] = False
    fax = np.where(black, 0, 255).astype(np.uint8)
    return cv2.resize(fax, (w, h), interpolation=cv2.INTER_NEAREST)


Level = Callable[[np.ndarray, np.random.Generator, int], np.ndarray]

LEVELS: dict[str, Level] = {
    "none": _level_none,  # pristine black-on-white, for debugging layouts
    "clean": _level_clean,
    "moderate": _level_moderate,
    "heavy": _level_heavy,
    "photocopy": _level_photocopy,
    "fax": _level_fax,
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


# ---------------------------------------------------------------- colour scans at a new DPI

@dataclass(frozen=True)
class ScanProfile:
    """Parameters of one :func:`degrade_scan` level (blur and grain at the output DPI)."""

    dpis: tuple[int, ...]              # scanner resolutions to choose from
    skew: tuple[float, float]          # |angle| range in degrees
    blur: float                        # optical blur sigma, pixels at 300 DPI
    paper: float                       # paper tone blotchiness (grey levels)
    light: tuple[float, float]         # uneven-light strength range
    grain: float                       # sensor noise sigma (grey levels)
    speckle: float = 0.0               # fraction of pixels hit by salt-and-pepper dust
    jpeg: tuple[int, int] | None = None  # quality range; None = lossless
    turn: float = 0.0                  # probability of a page turned 90° or 180°


SCAN_LEVELS: dict[str, ScanProfile] = {
    "none": ScanProfile((300,), (0.0, 0.0), 0.0, 0.0, (0.0, 0.0), 0.0),
    "clean": ScanProfile((300,), (0.0, 0.0), 0.5, 2.0, (0.0, 0.0), 3.0),
    "moderate": ScanProfile((150, 175, 200), (1.0, 2.0), 0.8, 4.0, (0.05, 0.12), 6.0,
                            jpeg=(45, 70)),
    "heavy": ScanProfile((150,), (2.0, 4.0), 1.4, 6.0, (0.18, 0.32), 10.0, speckle=0.003,
                         jpeg=(20, 35), turn=0.3),
}
# The levels the evaluation and the benchmarks measure, in order ("none" is for debugging).
EVAL_LEVELS = ("clean", "moderate", "heavy")


@dataclass
class DegradedPage:
    """A scanned-looking page, its resolution and what was done to it."""

    image: Image.Image
    dpi: int
    notes: dict = field(default_factory=dict)  # skew_deg, rotated, jpeg_quality, ...


def scan_dpi(level: str, seed: int) -> int:
    """The scanner resolution a document of this level is scanned at (one per document)."""
    return int(np.random.default_rng([seed, 7]).choice(_profile(level).dpis))


def _profile(level: str) -> ScanProfile:
    try:
        return SCAN_LEVELS[level]
    except KeyError:
        raise ValueError(f"unknown scan level {level!r}; known: {sorted(SCAN_LEVELS)}") from None


def _rotate_channels(arr: np.ndarray, degrees: float) -> np.ndarray:
    h, w = arr.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    out = cv2.warpAffine(arr, matrix, (w, h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    return out.reshape(arr.shape)


def _speckle(page: np.ndarray, rng: np.random.Generator, fraction: float) -> np.ndarray:
    """Dust and toner specks: dark and white pixels, in every channel alike."""
    h, w = page.shape[:2]
    hits = rng.random((h, w), dtype=np.float32)
    page[hits < fraction * 0.7] = _INK + 10
    page[(hits >= fraction * 0.7) & (hits < fraction)] = 250.0
    return page


def _jpeg_rgb(arr: np.ndarray, quality: int) -> np.ndarray:
    mode = "L" if arr.shape[2] == 1 else "RGB"
    buf = io.BytesIO()
    Image.fromarray(arr[..., 0] if mode == "L" else arr, mode).save(buf, format="JPEG", quality=quality)
    back = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert(mode))
    return back.reshape(arr.shape)


def _scan(coverage: np.ndarray, rng: np.random.Generator, dpi: int, p: ScanProfile,
          out_dpi: int, turn: bool = True) -> tuple[np.ndarray, dict]:
    """Coverage (H, W, C) at ``dpi`` -> uint8 scan (H', W', C) at ``out_dpi`` and its notes."""
    notes: dict = {"in_dpi": dpi}
    if p.blur:  # lens blur happens before sampling
        coverage = cv2.GaussianBlur(coverage, (0, 0), sigmaX=p.blur * dpi / 300).reshape(coverage.shape)
    if out_dpi != dpi:
        h, w = coverage.shape[:2]
        size = (round(w * out_dpi / dpi), round(h * out_dpi / dpi))
        coverage = cv2.resize(coverage, size, interpolation=cv2.INTER_AREA).reshape(
            size[1], size[0], coverage.shape[2])
    angle = float(rng.uniform(*p.skew) * rng.choice((-1.0, 1.0))) if p.skew[1] else 0.0
    if angle:
        coverage = _rotate_channels(coverage, angle)
    notes["skew_deg"] = round(angle, 3)
    shape = coverage.shape[:2]
    light = float(rng.uniform(*p.light)) if p.light[1] else 0.0
    paper = _paper(shape, rng, p.paper) if p.paper else np.full(shape, 255.0, np.float32)
    if light:
        paper = paper * _uneven_light(shape, rng, light)
    notes["light"] = round(light, 3)
    # paper * (1 - c) + ink * c, in place: these arrays are ~100 MB at 300 DPI in colour.
    page = np.multiply(coverage, -1.0, dtype=np.float32)
    page *= paper[..., None] - _INK
    page += paper[..., None]
    if p.grain:
        half = max(1, round((np.sqrt(12 * p.grain**2 + 1) - 1) / 2))
        page += rng.integers(-half, half + 1, size=shape, dtype=np.int16)[..., None]
    if p.speckle:
        page = _speckle(page, rng, p.speckle)
    out = _to_uint8(page.reshape(-1, page.shape[2])).reshape(page.shape)
    quality = int(rng.integers(p.jpeg[0], p.jpeg[1] + 1)) if p.jpeg else None
    if quality:
        out = _jpeg_rgb(out, quality)
    notes["jpeg_quality"] = quality
    rotated = 0
    if turn and p.turn and rng.random() < p.turn:
        rotated = int(rng.choice((90, 180, 270)))
        out = np.ascontiguousarray(np.rot90(out, k=rotated // 90))  # counter-clockwise
    notes["rotated"] = rotated
    return out, notes


def degrade_scan(image: Image.Image, level: str = "clean", seed: int = 0, dpi: int = 300, *,
                 out_dpi: int | None = None) -> DegradedPage:
    """Scan-like copy of ``image`` (rendered at ``dpi``) for a :data:`SCAN_LEVELS` level.

    RGB input gives RGB output (colour ink keeps its hue), anything else gives
    grayscale. ``out_dpi`` fixes the scanner resolution (else one of the
    level's, by ``seed``); the image is resampled to it and ``DegradedPage.dpi``
    says so. ``notes['rotated']`` is the counter-clockwise turn (0/90/180/270)
    and ``notes['skew_deg']`` the small skew (positive = counter-clockwise).
    """
    profile = _profile(level)
    rgb = image.mode in ("RGB", "RGBA", "P")
    arr = np.asarray(image.convert("RGB" if rgb else "L"), dtype=np.float32)
    coverage = arr.reshape(arr.shape[0], arr.shape[1], -1)
    coverage *= -1.0 / 255.0
    coverage += 1.0
    out_dpi = out_dpi or scan_dpi(level, seed)
    if level == "none":
        out, notes = _to_uint8((255.0 - 255.0 * coverage).reshape(-1, coverage.shape[2])).reshape(
            coverage.shape), {"in_dpi": dpi, "skew_deg": 0.0, "light": 0.0, "jpeg_quality": None,
                              "rotated": 0}
        if out_dpi != dpi:
            h, w = out.shape[:2]
            out = cv2.resize(out, (round(w * out_dpi / dpi), round(h * out_dpi / dpi)),
                             interpolation=cv2.INTER_AREA).reshape(-1, round(w * out_dpi / dpi),
                                                                    out.shape[2])
    else:
        out, notes = _scan(coverage, np.random.default_rng(seed), dpi, profile, out_dpi)
    notes["level"] = level
    picture = Image.fromarray(out if rgb else out[..., 0], "RGB" if rgb else "L")
    return DegradedPage(picture, out_dpi, notes)
