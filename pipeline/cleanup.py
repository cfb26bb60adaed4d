"""Cleanup: turn a scanned page into the clean black-on-white image Tesseract reads best.

First version: grayscale, upscale low-resolution scans to 300 DPI, deskew by
projection profile, Otsu binarisation.  Each step records what it measured in
``PageImage.notes`` so the store can list the worst pages.
"""
from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from .document import PageImage

TARGET_DPI = 300
# Below this the strokes of stacked Vietnamese marks (ễ, ậ) merge; upscaling first helps Tesseract.
UPSCALE_BELOW_DPI = 250
MAX_SKEW_DEG = 5.0
# Rotating by less than this changes nothing Tesseract can see and costs a resample.
MIN_SKEW_TO_FIX_DEG = 0.1


def clean_page(page: PageImage) -> PageImage:
    """Run every cleanup step in order and return the cleaned page."""
    for step in (to_grayscale, upscale, deskew, binarize):
        page = step(page)
    return page


def to_grayscale(page: PageImage) -> PageImage:
    """Drop colour: one 8-bit channel."""
    img = page.image
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    return replace(page, image=img)


def upscale(page: PageImage) -> PageImage:
    """Resample a low-resolution scan to 300 DPI (cubic), noting the scale."""
    if page.dpi >= UPSCALE_BELOW_DPI:
        return page
    scale = TARGET_DPI / page.dpi
    img = cv2.resize(page.image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return replace(page, image=img, dpi=TARGET_DPI, notes={**page.notes, "source_dpi": page.dpi})


def estimate_skew(gray: np.ndarray) -> float:
    """Skew angle in degrees (counter-clockwise positive) that makes text lines horizontal.

    Text lines give the sharpest row-sum profile when they are level, so the
    angle maximising the variance of row sums wins (coarse 0.5° then fine 0.05°).
    """
    small_scale = min(1.0, 1200 / max(gray.shape))
    small = cv2.resize(gray, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if ink.mean() < 0.5:  # blank page: nothing to level
        return 0.0

    def sharpness(angle: float) -> float:
        rotated = _rotate(ink, angle, border=0)
        return float(np.var(rotated.sum(axis=1, dtype=np.float64)))

    coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    return float(round(max(fine, key=sharpness), 2))


def deskew(page: PageImage) -> PageImage:
    """Rotate the page so its text lines are level."""
    angle = estimate_skew(page.image)
    notes = {**page.notes, "skew_deg": angle}
    if abs(angle) < MIN_SKEW_TO_FIX_DEG:
        return replace(page, notes=notes)
    return replace(page, image=_rotate(page.image, angle, border=255), notes=notes)


def binarize(page: PageImage) -> PageImage:
    """Otsu threshold to pure black text on white."""
    _, bw = cv2.threshold(page.image, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return replace(page, image=bw)


def _rotate(img: np.ndarray, angle: float, border: int) -> np.ndarray:
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        img, matrix, (w, h), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=border,
    )
