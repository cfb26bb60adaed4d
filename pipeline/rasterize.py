"""Rasterize: PDF pages and image files to numpy page images for cleanup and OCR."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFSyntaxError

from .document import InputError, PageImage

DPI = 300
# Decoded-pixel cap: an A0 poster at 300 DPI is ~140 Mpx; anything larger is a bomb or a mistake.
MAX_PIXELS = 200_000_000
# Images that do not state their resolution are assumed to be ordinary office scans.
DEFAULT_IMAGE_DPI = 300

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def rasterize_pdf_page(path: Path, number: int, dpi: int = DPI) -> PageImage:
    """Render one page (1-based) of a PDF at ``dpi`` as an RGB numpy array."""
    try:
        images = convert_from_path(str(path), dpi=dpi, first_page=number, last_page=number)
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise InputError(path, f"corrupt PDF ({str(exc).strip().splitlines()[-1]})") from None
    if not images:
        raise InputError(path, f"page {number} could not be rendered")
    return PageImage(number=number, image=np.asarray(images[0].convert("RGB")), dpi=dpi)


def load_image_pages(path: Path) -> list[PageImage]:
    """Decode an image file (multi-page TIFF included) into RGB page images."""
    try:
        with Image.open(path) as img:
            dpi = _image_dpi(img)
            frames = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(img)]
    except Image.DecompressionBombError:
        raise InputError(path, f"image too large (over {MAX_PIXELS:,} pixels)") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputError(path, f"corrupt image ({exc})") from None
    if not frames:
        raise InputError(path, "image has no frames")
    return [PageImage(number=i + 1, image=f, dpi=dpi) for i, f in enumerate(frames)]


def _image_dpi(img: Image.Image) -> int:
    dpi = img.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError):
        value = 0
    # Some writers store 1 or 72 "DPI" meaning "unknown"; trust only plausible scan values.
    return value if 100 <= value <= 1200 else DEFAULT_IMAGE_DPI
