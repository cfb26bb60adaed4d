"""Rasterize: PDF pages and image files to numpy page images for cleanup and OCR.

One page at a time, always: a 40-page PDF at 300 DPI is ~1 GB of RGB pixels,
so a worker holds only the page it is reading.  Every decode is checked
against a pixel cap *before* pixels are allocated.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import cast

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFSyntaxError

from ..document import InputError, PageImage
from ..options import RasterSettings
from .ingest import pdf_page_size

# The defaults of RasterSettings (pipeline/options.py), for callers without settings.
DPI = RasterSettings.dpi
MAX_PIXELS = RasterSettings.max_pixels
# Images that do not state their resolution are assumed to be ordinary office scans.
DEFAULT_IMAGE_DPI = 300
# Smallest side of a page worth reading.  Measured on a line of 13-pt Vietnamese ("Quyết
# định số 779") drawn at 6-30 px and cropped tight: Tesseract read nothing below 16-px
# glyphs (a 22-px strip), so a smaller image cannot hold a line of text; at 1-2 px the
# cleanup's OpenCV calls fail outright.  Refused in one line before any pixel is decoded.
MIN_PAGE_SIDE = 20
_EXIF_ORIENTATION = 0x0112

# Pillow's own guard stays as a safety net (it only raises at twice its limit).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def rasterize_pdf_page(path: Path, number: int, dpi: int = DPI,
                       max_pixels: int = MAX_PIXELS, overlays: bool = True) -> PageImage:
    """Render one page (1-based) of a PDF at ``dpi`` as an RGB (gray for a gray scan) numpy array;
    refused when it would be over ``max_pixels``.  ``overlays=False``: without the page's
    annotations (see :func:`pdf_overlay_boxes`)."""
    cap = max_pixels
    width_pt, height_pt = pdf_page_size(path, number)
    width, height = round(width_pt / 72 * dpi), round(height_pt / 72 * dpi)
    pixels = width * height
    if min(width, height) < MIN_PAGE_SIDE:
        raise InputError(path, f"page {number} too small ({width}×{height} pixels at {dpi} DPI)")
    if pixels > cap:
        raise InputError(path, f"page {number} too large ({pixels:,} pixels at {dpi} DPI, "
                               f"cap {cap:,})")
    # Colour is kept: cleanup finds red stamps and blue pen strokes by their hue and
    # removes them before binarising (gray input costs ~1-2 points of CER).  A page made
    # only of gray scanned images has no hue to keep: rendered gray, it costs less to make,
    # to read and to clean.
    gray = _only_gray_images(path, number)
    with tempfile.TemporaryDirectory(prefix="vanban-page-") as tmp:
        try:
            # Written as PPM/PGM and read by OpenCV: ~0.05 s a page less than through PIL.
            files = convert_from_path(str(path), dpi=dpi, first_page=number, last_page=number,
                                      output_folder=tmp, paths_only=True, single_file=True,
                                      grayscale=gray, fmt="ppm", hide_annotations=not overlays)
        except (PDFPageCountError, PDFSyntaxError) as exc:
            raise InputError(path, f"corrupt PDF ({str(exc).strip().splitlines()[-1]})") from None
        # (paths_only: file names, where pdf2image's annotation says images)
        image = cv2.imread(cast(str, files[0]), cv2.IMREAD_UNCHANGED) if files else None
    if image is None:
        raise InputError(path, f"page {number} could not be rendered")
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return PageImage(number=number, image=image, dpi=dpi)


# Annotations that draw nothing of their own over the page, or only mark the scan's own text
# (a reader's highlight: read alone it would be that text again).
_UNDRAWN_ANNOTATIONS = {"/Link", "/Popup", "/Highlight", "/Underline", "/StrikeOut", "/Squiggly"}
_HIDDEN_FLAGS = 0b10 | 0b100000  # Hidden, NoView


def pdf_overlay_boxes(path: Path, number: int) -> list[tuple[float, float, float, float]]:
    """Boxes (points, top-left origin) of what annotations draw over page ``number``: the
    e-signature stamp that signing software puts on a scan ("SAO Y / Ủy ban nhân dân thành phố
    Đà Nẵng / Thời gian ký: …", a seal picture), a reviewer's note.  They are not the scanned
    document, and over its header they garble it ("CHỦ NGHĨA VIỆT NAM" under "Thời gian ký").
    Empty when the page has none, is turned (/Rotate) or cannot be read."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            page = pdf.pages[number - 1]
            if int(page.obj.get("/Rotate", 0)) % 360:
                return []
            x0, _, _, y1 = (float(v) for v in page.mediabox)
            boxes = []
            for annot in page.obj.get("/Annots") or []:
                if (annot.get("/Subtype") in _UNDRAWN_ANNOTATIONS or "/AP" not in annot
                        or int(annot.get("/F", 0)) & _HIDDEN_FLAGS or "/Rect" not in annot):
                    continue
                ax0, ay0, ax1, ay1 = (float(v) for v in annot.Rect)
                left, right = sorted((ax0, ax1))
                bottom, top = sorted((ay0, ay1))
                if right - left > 1 and top - bottom > 1:
                    boxes.append((left - x0, y1 - top, right - x0, y1 - bottom))
            return boxes
    except (pikepdf.PdfError, OSError, IndexError, ValueError, TypeError):
        return []


def render_pdf_area(path: Path, number: int, box: tuple[float, float, float, float], dpi: int = DPI) -> np.ndarray | None:
    """The area ``box`` (points, top-left origin) of page ``number`` rendered with everything on
    it, annotations included, as a gray array; None when poppler cannot."""
    k = dpi / 72
    x, y = max(0, round(box[0] * k)), max(0, round(box[1] * k))
    w, h = round((box[2] - box[0]) * k), round((box[3] - box[1]) * k)
    if w < MIN_PAGE_SIDE or h < MIN_PAGE_SIDE:
        return None
    with tempfile.TemporaryDirectory(prefix="vanban-area-") as tmp:
        out = Path(tmp) / "area"
        proc = subprocess.run(["pdftoppm", "-f", str(number), "-l", str(number), "-r", str(dpi), "-gray",
                               "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), "-singlefile",
                               str(path), str(out)], capture_output=True, timeout=120)
        if proc.returncode != 0:
            return None
        return cv2.imread(str(out.with_suffix(".pgm")), cv2.IMREAD_UNCHANGED)


def _only_gray_images(path: Path, number: int) -> bool:
    """True when page ``number`` holds images and every one is gray (a gray scan), per
    ``pdfimages -list``; False when unsure (then the page is rendered in colour)."""
    try:
        listing = subprocess.run(["pdfimages", "-list", "-f", str(number), "-l", str(number), str(path)],
                                 capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    rows = [line.split() for line in listing.stdout.splitlines()[2:] if line.strip()]
    # columns: page num type width height color comp bpc enc ...
    return (listing.returncode == 0 and bool(rows)
            and all(len(r) > 5 and r[2] == "image" and r[5] == "gray" for r in rows))


def image_page_count(path: Path, max_pixels: int = MAX_PIXELS) -> int:
    """Frames of an image file (1 for PNG/JPEG), checked for size without decoding pixels."""
    with _open_image(path, max_pixels) as img:
        return getattr(img, "n_frames", 1)


def load_image_page(path: Path, number: int, max_pixels: int = MAX_PIXELS) -> PageImage:
    """Decode frame ``number`` (1-based) of an image file as an RGB (gray if the file is) page image."""
    try:
        with _open_image(path, max_pixels) as img:
            dpi = _image_dpi(img)
            img.seek(number - 1)
            _check_size(path, img, max_pixels)
            frame = _decode(path, img)
    except EOFError:
        raise InputError(path, f"image has no frame {number}") from None
    except Image.DecompressionBombError:
        raise InputError(path, f"image too large (over {max_pixels:,} pixels)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(path, f"corrupt image ({exc})") from None
    return PageImage(number=number, image=frame, dpi=dpi)


def _decode(path: Path, img: Image.Image) -> np.ndarray:
    """Pixels of the current frame, upright, 8-bit: gray stays gray (H x W), anything else becomes RGB.

    RGB, as for PDFs, because cleanup needs the hue of stamps and pen strokes; a gray
    file has none, and three copies of its one channel would only triple the work of
    every cleanup step.  Every pixel format becomes one of those two here, once (see
    :func:`_normalise`).  Plain 8-bit single-frame PNGs are decoded by OpenCV, ~20% faster
    than Pillow and straight into a writable array.
    """
    if (img.format == "PNG" and img.mode in ("L", "RGB") and "transparency" not in img.info
            and _orientation(img) == 1 and getattr(img, "n_frames", 1) == 1):
        gray = img.mode == "L"
        flags = (cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR) | cv2.IMREAD_IGNORE_ORIENTATION
        try:
            frame = cv2.imdecode(np.fromfile(path, np.uint8), flags)
        except cv2.error:
            frame = None  # Pillow below decodes it or says why not
        if frame is not None and frame.shape[:2] == (img.height, img.width):
            return frame if gray else cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    return np.asarray(_normalise(img))


_GRAY_MODES = {"1", "L", "LA", "La"}
_ALPHA_MODES = {"LA", "La", "PA", "RGBA", "RGBa"}


def _normalise(img: Image.Image) -> Image.Image:
    """Any Pillow mode as "L" (1-bit, 8/16/32-bit gray, gray + alpha) or "RGB" (the rest), upright.

    Transparency is laid on white paper: the pixels behind a transparent background are
    black, and read as they are the page is ink everywhere.  16-bit gray is scaled, not
    clipped: Pillow's conversion clips at 255, which turns a real scan's ink (~30 of 255,
    7700 of 65535) into paper and the page into a blank one.
    """
    if _orientation(img) != 1:
        img = ImageOps.exif_transpose(img)
    mode = img.mode
    if mode.startswith("I") or mode == "F":
        pixels = np.asarray(img, dtype=np.float32)
        # 16-bit files state their range; 32-bit and float ones do not: the first of 1, 255
        # and 65535 that holds their values (else their maximum) is taken as white.
        peak = float(pixels.max(initial=0))
        top = 65535.0 if mode.startswith("I;16") else next(
            (r for r in (1.0, 255.0, 65535.0) if peak <= r), peak)
        return Image.fromarray(np.clip(pixels * (255.0 / top) + 0.5, 0, 255).astype(np.uint8))
    if mode in _ALPHA_MODES or "transparency" in img.info:
        paper = Image.new("RGBA", img.size, (255, 255, 255, 255))
        paper.alpha_composite(img.convert("RGBA"))
        return paper.convert("L" if mode in _GRAY_MODES else "RGB")
    return img.convert("L" if mode in _GRAY_MODES else "RGB")  # RGB, palette, CMYK, YCbCr, LAB...


def _orientation(img: Image.Image) -> int:
    """The frame's EXIF orientation (1: upright), read without decoding pixels (so a PNG
    whose eXIf chunk follows its pixels counts as upright: cleanup still turns it by its text)."""
    if img.format == "PNG" and "exif" not in img.info:
        return 1
    return img.getexif().get(_EXIF_ORIENTATION, 1)


def _open_image(path: Path, max_pixels: int) -> Image.Image:
    """Open (header only) and refuse images over the pixel cap or that Pillow cannot read."""
    try:
        img = Image.open(path)
    except Image.DecompressionBombError:
        raise InputError(path, f"image too large (over {max_pixels:,} pixels)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(path, f"corrupt image ({exc})") from None
    try:
        _check_size(path, img, max_pixels)
    except InputError:
        img.close()
        raise
    return img


def _check_size(path: Path, img: Image.Image, max_pixels: int) -> None:
    cap = max_pixels
    width, height = img.size
    if min(width, height) < MIN_PAGE_SIDE:
        raise InputError(path, f"image too small ({width}×{height})")
    if width * height > cap:
        raise InputError(path, f"image too large ({width}x{height} = {width * height:,} pixels, "
                               f"cap {cap:,})")


def _image_dpi(img: Image.Image) -> int:
    dpi = img.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError):
        value = 0
    # Some writers store 1 or 72 "DPI" meaning "unknown"; trust only plausible scan values.
    return value if 100 <= value <= 1200 else DEFAULT_IMAGE_DPI
