"""Thresholding methods compared for the cleanup's last tone step.

All take a gray page whose illumination is already flat (see
``cleanup.normalize_illumination``) and return black (0) text on white (255).
Local statistics use box filters (O(1) per pixel), so Sauvola and Wolf cost
~0.1 s on a 300-DPI A4 page.

Measured on the generated eval set (33 pages; CER of cleanup + OCR, psm 6,
clean / moderate / heavy): after background division the page is flat and the
global Otsu threshold wins -- Otsu 0.62 / 1.30 / 2.62 %, Sauvola 0.62 / 2.09 /
3.32 %, no thresholding (flattened gray to Tesseract) 0.78 / 2.04 / 3.68 % at
twice Tesseract's time; moving Otsu's threshold 20 levels towards the paper:
moderate 1.36 %, heavy 2.93 % (Otsu alone, same run: 1.07 / 2.43).  Wolf is
kept for comparison, not measured on the full set.
"""
from __future__ import annotations

import cv2
import numpy as np


def otsu(gray: np.ndarray, bias: float = 0.0) -> np.ndarray:
    """One global threshold between the ink and paper modes, moved ``bias`` grey levels
    towards the paper (keeps the faint hairlines of small marks such as the hook of ể)."""
    t, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if bias:
        _, bw = cv2.threshold(gray, min(t + bias, 250), 255, cv2.THRESH_BINARY)
    return bw


def _local_stats(gray: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    img = gray.astype(np.float32)
    mean = cv2.boxFilter(img, -1, (window, window), borderType=cv2.BORDER_REFLECT)
    sq = cv2.boxFilter(img * img, -1, (window, window), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    return mean, std


def sauvola(gray: np.ndarray, window: int = 41, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola & Pietikäinen (2000): T = m * (1 + k * (s / R - 1)) over a local window."""
    mean, std = _local_stats(gray, window)
    threshold = mean * (1.0 + k * (std / r - 1.0))
    return np.where(gray.astype(np.float32) > threshold, 255, 0).astype(np.uint8)


def wolf(gray: np.ndarray, window: int = 41, k: float = 0.5) -> np.ndarray:
    """Wolf & Jolion (2003): Sauvola normalised by the page's contrast and darkest level."""
    mean, std = _local_stats(gray, window)
    lowest = float(gray.min())
    max_std = max(float(std.max()), 1e-6)
    threshold = mean - k * (1.0 - std / max_std) * (mean - lowest)
    return np.where(gray.astype(np.float32) > threshold, 255, 0).astype(np.uint8)


# Grey levels the Otsu threshold is moved towards the paper (see otsu()).
OTSU_BIAS = 0.0

METHODS = {"otsu": otsu, "sauvola": sauvola, "wolf": wolf}


def threshold(gray: np.ndarray, method: str, dpi: int = 300) -> np.ndarray:
    """Binarise with a named method; local windows scale with resolution (41 px at 300 DPI)."""
    if method == "otsu":
        return otsu(gray, OTSU_BIAS)
    window = max(15, int(41 * dpi / 300) | 1)
    return METHODS[method](gray, window=window)
