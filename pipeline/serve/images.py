"""Page images for ``GET /document/<id>``: rendered on demand from the original file, kept in
memory (never in the store).

A PDF page is rendered at :attr:`ServeOptions.display_dpi` by the same code that rasterizes it
for OCR (:mod:`pipeline.io.rasterize`); an image file's frame is decoded as OCR decoded it
(EXIF orientation applied) and shrunk to :attr:`ServeOptions.max_width`.  Boxes never depend on
this size: the page's SVG stretches the image over the original page's pixels.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ..io.ingest import sha256_of
from ..io.rasterize import load_image_page, rasterize_pdf_page
from ..run.store import file_of_part


def original_file(document: dict) -> Path:
    """The file a `documents` row was read from: its exact bytes when the store kept them, and
    without the ``#2`` a later document of the same file carries."""
    raw = document.get("path_raw")
    return Path(file_of_part(os.fsdecode(bytes(raw)) if raw else document["path"], document.get("first_page")))


def file_state(path: Path) -> tuple[int, int] | None:
    """(modification time, size) of a file, None when it is gone: the key of its cached renderings."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if path.is_file() else None


@lru_cache(maxsize=64)
def file_sha256(path: Path, state: tuple[int, int]) -> str:
    """SHA-256 of the file as it is now (``state``: its :func:`file_state`, so a change reads it again)."""
    return sha256_of(path)


# 0.1-1.1 MB a page at 150 DPI (1.1 MB: a generated colour scan of A4): 32 pages stay under ~40 MB.
@lru_cache(maxsize=32)
def page_png(path: Path, kind: str, number: int, state: tuple[int, int], dpi: int, max_width: int,
             max_pixels: int) -> bytes:
    """PNG of page ``number`` (1-based, in the file) of a PDF or image file; ``state``
    (:func:`file_state`) is part of the cache key, so a changed file is rendered again."""
    if kind == "pdf":
        image = rasterize_pdf_page(path, number, dpi, max_pixels).image
    else:
        image = load_image_page(path, number, max_pixels).image
    if image.shape[1] > max_width:
        height = round(image.shape[0] * max_width / image.shape[1])
        image = cv2.resize(image, (max_width, height), interpolation=cv2.INTER_AREA)
    if image.ndim == 3:
        image = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"page {number} could not be encoded as PNG")
    return data.tobytes()
