"""Page orientation (0/90/180/270°) without Tesseract OSD.

OSD costs about a second a page here and gives up on degraded 150-DPI scans
("Too few characters"), so two cheap image tests decide instead:

1. *Which way do the lines run?*  Text lines give a sharp projection profile
   across them and a flat one along them.  The best coefficient of variation of
   the row sums over small angles (±5°) is compared with that of the column sums.
2. *Which way is up?*  On a level line of Vietnamese text much more ink sits
   above the x-height band (ascenders b d h k l t, capitals, and the marks of
   nearly every syllable: ẩ, ế, ờ …) than below the baseline (g p q y, the dot
   of ạ).  The ratio above/below over all lines is > 1 upright and < 1 turned.

Both run on a copy reduced to ~150 DPI; measured on the generated corpus they
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
# (upright pages of the corpus: 1.4-9; turned ones: the inverse).
MIN_LINES = 5
CLEAR_RATIO = 1.25


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
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < 6
    small[0] = False
    ink[small[labels]] = 0
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
    """(text lines run top-to-bottom?, row score, column score) of an ink mask."""
    small = cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    row_score, _ = _profile_score(small)
    col_score, _ = _profile_score(np.ascontiguousarray(small.T))
    return col_score > row_score, row_score, col_score


def upright_ratio(ink: np.ndarray) -> tuple[float, int]:
    """(ink above the x-height band / ink below the baseline, text lines used), level ink."""
    rows = ink.sum(axis=1, dtype=np.float64) / 255.0
    if rows.max() <= 0:
        return 1.0, 0
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
        return 1.0, 0
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
    return float((above + 1.0) / (below + 1.0)), used


def detect_orientation(gray: np.ndarray) -> int:
    """The counter-clockwise turn (0, 90, 180, 270) the page has been given."""
    rotation, _ = detect_orientation_details(gray)
    return rotation


def detect_orientation_details(gray: np.ndarray) -> tuple[int, dict]:
    """:func:`detect_orientation` and the scores it decided on."""
    scale = min(1.0, WORK_LONG_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ink = _ink(small)
    if ink.mean() < 0.5:  # blank page
        return 0, {}
    vertical, row_score, col_score = lines_are_vertical(ink)
    level = np.ascontiguousarray(np.rot90(ink, k=-1)) if vertical else ink  # lines horizontal now
    half = cv2.resize(level, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
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
