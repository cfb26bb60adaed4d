"""Page orientation (0/90/180/270°) without Tesseract OSD.

OSD costs about a second a page here and gives up on degraded 150-DPI scans
("Too few characters"), so two cheap image tests decide instead:

1. *Which way do the lines run?*  Text lines give a sharp projection profile
   across them and a flat one along them.  The coefficients of variation of the
   row sums and of the column sums are compared inside ~0.85-in tiles, summed
   over the tiles weighted by their ink (whole-page profiles turned wide strips
   of a few lines, such as a page top with its e-signature block, by 90°).
2. *Which way is up?*  On a level line of Vietnamese text much more ink sits
   above the x-height band (ascenders b d h k l t, capitals, and the marks of
   nearly every syllable: ẩ, ế, ờ …) than below the baseline (g p q y, the dot
   of ạ).  The ratio above/below over all lines is > 1 upright and < 1 turned;
   it is summed over vertical strips, so table rows read as single lines.

Both run on a copy reduced to ~150 DPI; measured on the generated eval set they
take ~0.1 s a page.  :func:`osd_rotation` (Tesseract OSD) is kept as a second
opinion for callers who want it.
"""
from __future__ import annotations

import re

import cv2
import numpy as np

# Long side of the working copy: an A4 page at ~150 DPI, where an x-height is ~12 px.
WORK_LONG_SIDE = 1750
ANGLES = np.arange(-4.0, 4.01, 2.0)  # lines vs columns: within 1° of level is plenty
# The up/down ratio decides alone with this many lines and a ratio this far from 1
# (upright pages of the eval set: 1.4-9; turned ones: the inverse).
MIN_LINES = 5
CLEAR_RATIO = 1.25
# Vertical strips the up/down ratio is measured in (see upright_ratio).
BANDS = 4


def shrink(img: np.ndarray, factor: float, snap: float = 0.1) -> np.ndarray:
    """``img`` reduced ``factor`` times (INTER_AREA); ``factor`` <= 1 returns it as it is.

    OpenCV averages whole k x k blocks ~20x faster than it resamples by an arbitrary
    ratio (~1 ms instead of ~25 ms on a 300-DPI page), so a factor within ``snap``
    (10%) of a whole number is rounded to it, dropping the last rows and columns
    that do not fill a block.
    """
    k = round(factor)
    h, w = img.shape[:2]
    if k >= 1 and abs(factor - k) <= snap * k:
        if k == 1 or min(h, w) < k:
            return img
        return cv2.resize(img[:h - h % k, :w - w % k], (w // k, h // k), interpolation=cv2.INTER_AREA)
    if factor <= 1:
        return img
    return cv2.resize(img, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)


def components(ink: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, tuple[np.ndarray, int]]:
    """``cv2.connectedComponentsWithStats`` (8-connected) of a sparse ink mask, cheaper.

    Labelling costs as much per paper pixel as per ink pixel (~60 ms on a 300-DPI
    page), and a text page has ink in ~40% of its rows inside the text block.  So
    only the columns of the text block and the rows holding ink are labelled, with
    one blank row kept after each run of ink rows so that runs stay apart: the same
    components at about a third of the cost.

    Returns ``n``, the labels of that compacted mask, the stats in page coordinates
    and ``(rows, x0)``: the page row of each compacted row and the first column.
    """
    has_ink = ink.max(axis=1) > 0  # (numpy's max: ~0.3 ms here, cv2.reduce's ~50 ms)
    if not has_ink.any():
        return 1, np.zeros((0, 0), np.int32), np.zeros((1, 5), np.int32), (np.zeros(0, np.int64), 0)
    cols = np.flatnonzero(ink.max(axis=0))
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    keep = has_ink.copy()
    keep[1:] |= has_ink[:-1]  # the blank row after each run
    rows = np.flatnonzero(keep)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        np.ascontiguousarray(ink[rows, x0:x1]), connectivity=8)
    # A mask of ink only (an all-black page) has no background: label 0's stats are INT_MAX.
    found = stats[:, cv2.CC_STAT_AREA] > 0
    stats[found, cv2.CC_STAT_LEFT] += x0
    stats[found, cv2.CC_STAT_TOP] = rows[stats[found, cv2.CC_STAT_TOP]]
    return n, labels, stats, (rows, x0)


def rotate_quarter(img: np.ndarray, rotation: int) -> np.ndarray:
    """Undo a counter-clockwise turn of ``rotation`` degrees (0/90/180/270)."""
    k = (-(rotation // 90)) % 4
    return np.ascontiguousarray(np.rot90(img, k=k)) if k else img


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = ink) robust to uneven light: local mean threshold."""
    block = max(15, (max(gray.shape) // 60) | 1)
    ink = cv2.adaptiveThreshold(cv2.medianBlur(gray, 3), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                cv2.THRESH_BINARY_INV, block, 15)
    # dust and JPEG crumbs would add ink above and below lines alike: keep letter-sized blobs
    n, labels, stats, (rows, x0) = components(ink)
    small = stats[:, cv2.CC_STAT_AREA] < 6
    small[0] = False
    if small.any():
        block = ink[rows, x0:x0 + labels.shape[1]]
        block[small[labels]] = 0
        ink[rows, x0:x0 + labels.shape[1]] = block
    return ink


def _rotate(img: np.ndarray, angle: float) -> np.ndarray:
    if not angle:
        return img
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_NEAREST,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _profile_score(ink: np.ndarray) -> tuple[float, float]:
    """(best coefficient of variation of the row sums over small angles, that angle)."""
    best = (-1.0, 0.0)
    for angle in ANGLES:
        rows = _rotate(ink, float(angle)).sum(axis=1, dtype=np.float64)
        mean = rows.mean()
        if mean <= 0:
            continue
        cv = float(rows.std() / mean)
        best = max(best, (cv, float(angle)))
    return best


def lines_are_vertical(ink: np.ndarray) -> tuple[bool, float, float]:
    """(text lines run top-to-bottom?, row score, column score) of an ink mask.

    The scores are summed over square tiles of ~0.85 in (64 px of the half-size copy),
    each tile's coefficient of variation of its row (column) sums weighted by its ink.
    Inside a tile, lines give rows of ink and gaps while the columns cross every line;
    over the whole width a page's margins, gutters and short last lines make the column
    sums vary as much as the row sums.  Whole-page profiles turned wide strips of a few
    lines (a page top with its e-signature block, a list) by 90°: on real page tops
    300-700 px tall, 15 of 16 were turned; per tile, 0 of 16 (and 0 of 82 full real and
    generated pages, upright or turned).
    """
    small = shrink(ink, 2)
    rows, cols = _tile_scores(small)
    if rows + cols <= 0:  # too little ink for tiles: the whole-page profiles decide
        row_score, _ = _profile_score(small)
        col_score, _ = _profile_score(np.ascontiguousarray(small.T))
        return col_score > row_score, row_score, col_score
    return cols > rows, rows, cols


TILE = 64  # px of the half-size working copy (~75 DPI): ~0.85 in, a few lines of body text


def _tile_scores(small: np.ndarray, tile: int = TILE) -> tuple[float, float]:
    """(row score, column score): coefficients of variation of the row and column sums of
    each tile with ink, weighted by its ink and divided by the page's ink."""
    h, w = small.shape
    ny, nx = max(1, round(h / tile)), max(1, round(w / tile))
    if h < tile // 2 or w < tile // 2:
        return 0.0, 0.0
    th, tw = h // ny, w // nx
    tiles = small[:ny * th, :nx * tw].reshape(ny, th, nx, tw).astype(np.float32) / 255.0
    rows = tiles.sum(axis=3)  # (ny, th, nx): row sums of each tile
    cols = tiles.sum(axis=1)  # (ny, nx, tw): column sums of each tile
    ink = rows.sum(axis=1)  # (ny, nx)
    keep = ink > 0.02 * th * tw
    if not keep.any():
        return 0.0, 0.0
    row_cv = rows.std(axis=1) / np.maximum(rows.mean(axis=1), 1e-6)
    col_cv = cols.std(axis=2) / np.maximum(cols.mean(axis=2), 1e-6)
    total = float(ink[keep].sum())
    return float((ink * row_cv)[keep].sum() / total), float((ink * col_cv)[keep].sum() / total)


def upright_ratio(ink: np.ndarray, bands: int = BANDS) -> tuple[float, int]:
    """(ink above the x-height band / ink below the baseline, text lines used), level ink.

    Measured in ``bands`` vertical strips of the page and summed: in a table, a
    row whose one cell wraps to two lines beside centred one-line cells is a
    single run of the whole-width profile with no x-height band, while a strip
    inside one column still sees single lines.
    """
    # How many clean lines the whole width shows says how much evidence there is; the
    # strips only sharpen the ratio (a strip can mistake a stamp's ring for lines).
    _, _, used = _updown(ink)
    above = below = 0.0
    width = ink.shape[1]
    for i in range(bands):
        a, b, _ = _updown(ink[:, i * width // bands:(i + 1) * width // bands])
        above, below = above + a, below + b
    if not used:
        return 1.0, 0
    return float((above + 1.0) / (below + 1.0)), used


def _updown(ink: np.ndarray) -> tuple[float, float, int]:
    """(ink above the x-height band, ink below the baseline, lines used) of one strip."""
    rows = ink.sum(axis=1, dtype=np.float64) / 255.0
    if rows.max() <= 0:
        return 0.0, 0.0, 0
    gap = rows < 0.04 * rows.max()
    lines = []
    y, n = 0, len(rows)
    while y < n:
        if gap[y]:
            y += 1
            continue
        start = y
        while y < n and not gap[y]:
            y += 1
        line = rows[start:y]
        # a text line, not a row of dust in an empty part of the page
        if len(line) >= 4 and line.max() >= 0.2 * rows.max():
            lines.append(line)
    if not lines:
        return 0.0, 0.0, 0
    # blocks of merged lines (a stamp over a list, a table) have no x-height band
    typical = float(np.median([len(line) for line in lines]))
    above = below = 0.0
    used = 0
    for line in lines:
        if len(line) > 1.6 * typical:
            continue
        core = np.nonzero(line >= 0.5 * line.max())[0]
        above += line[:core[0]].sum()
        below += line[core[-1] + 1:].sum()
        used += 1
    return above, below, used


def detect_orientation(gray: np.ndarray) -> int:
    """The counter-clockwise turn (0, 90, 180, 270) the page has been given."""
    rotation, _ = detect_orientation_details(gray)
    return rotation


def detect_orientation_details(gray: np.ndarray) -> tuple[int, dict]:
    """:func:`detect_orientation` and the scores it decided on."""
    small = shrink(gray, max(gray.shape) / WORK_LONG_SIDE)
    ink = _ink(small)
    if ink.mean() < 0.5:  # blank page
        return 0, {}
    vertical, row_score, col_score = lines_are_vertical(ink)
    level = np.ascontiguousarray(np.rot90(ink, k=-1)) if vertical else ink  # lines horizontal now
    half = shrink(level, 2)
    _, angle = _profile_score(half)
    fine = max(np.arange(angle - 1.0, angle + 1.01, 0.25),
               key=lambda a: float(np.var(_rotate(half, float(a)).sum(axis=1, dtype=np.float64))))
    ratio, lines = upright_ratio(_rotate(level, float(fine)))
    if lines >= MIN_LINES and (ratio <= 1 / CLEAR_RATIO or ratio >= CLEAR_RATIO):
        flipped = ratio < 1.0
    else:  # a few lines, or a page of capitals and descenders: ask OSD, else leave it
        upright = np.ascontiguousarray(np.rot90(small, k=-1)) if vertical else small
        osd = osd_rotation(upright)
        flipped = osd == 180
    # level = the page turned 90° clockwise when vertical, i.e. the page had been turned 90° CCW
    rotation = (90 if vertical else 0) + (180 if flipped else 0)
    # the small skew found on the way, in the frame of the turned-back page
    return rotation % 360, {"row_score": round(row_score, 3), "col_score": round(col_score, 3),
                            "updown_ratio": round(ratio, 3), "lines": lines, "skew_deg": float(fine)}


def osd_rotation(gray: np.ndarray) -> int | None:
    """Tesseract OSD's counter-clockwise turn of the page, or None when it cannot tell."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(gray, config="--psm 0")
    except pytesseract.TesseractError:
        return None
    match = re.search(r"Orientation in degrees: (\d+)", osd)
    return int(match.group(1)) % 360 if match else None
