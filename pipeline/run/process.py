"""One document through every stage: ingest → rasterize → cleanup → OCR → restore → extract.

Each stage is a function from one plain dataclass to the next (see
``document.py``); this module only composes them, the way OCRmyPDF's
``_pipeline.py`` composes its page steps.  The unit of parallel work is one
page (:func:`read_page`); :func:`plan_document` is the cheap look at a file
before it, :func:`assemble_document` and :func:`finish_document` the steps
after all its pages are read.  :func:`process_file` runs them all in order.
"""
from __future__ import annotations

import re
import logging
import os
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, cast

from ..image.tables import read_tables
from ..image.cleanup import clean_page, erase_stamp_frames, mark_seals
from ..document import MENTION_FIELDS, Document, InputError, Page, PageImage, Region, Word
from ..errors import MissingDependency
from ..io.ingest import (
    detect_kind, pdf_page_count, read_text_file, read_text_layer, sha256_of,
)
from ..ocr.tesseract import ocr_page, ocr_symbols, ocr_words
from ..io.rasterize import (image_page_count, load_image_page, pdf_overlay_boxes, rasterize_pdf_page,
                            render_pdf_area)
from ..ocr.layout import is_signing_title, layout_page
from ..options import HandwritingSettings, OcrSettings, Settings
from ..script import fold, looks_vietnamese, nfc

if TYPE_CHECKING:
    from ..extract.confidence import SpanReader
    from ..restore.align import OffsetMap
    from ..restore.restorer import Restorer

log = logging.getLogger(__name__)

PageCallback = Callable[[Page], None]


@dataclass
class DocumentPlan:
    """What a file is before its pages are read: identity, kind, page count."""

    path: Path
    sha256: str
    kind: str
    n_pages: int
    pages: list[Page] = field(default_factory=list)  # pages read while planning (text files)


def plan_document(path: Path, settings: Settings = Settings(), sha256: str | None = None) -> DocumentPlan:
    """Identify a file cheaply (no OCR): refuses unreadable, corrupt and empty inputs, and
    images over ``settings.raster.max_pixels``.  ``sha256``: its content's hash when already computed."""
    path = Path(path)
    kind = detect_kind(path)
    try:
        sha = sha256 or sha256_of(path)
    except OSError as exc:
        raise InputError(path, f"unreadable file ({exc.strerror or exc})") from None
    if kind == "text":
        return DocumentPlan(path, sha, kind, 1, [Page(number=1, text=read_text_file(path), source="text")])
    n_pages = (pdf_page_count(path) if kind == "pdf"
               else image_page_count(path, settings.raster.max_pixels))
    return DocumentPlan(path, sha, kind, n_pages)


def read_page(path: Path | str, kind: str, number: int, settings: Settings = Settings(),
              keep_images: Path | str | None = None) -> Page:
    """Read page ``number`` (1-based) of a PDF or image file: the unit of parallel work.

    Pure and picklable (paths and settings in, a Page out) so that a process pool
    or a Dask worker can run it.  ``keep_images``: a folder to save the cleaned page in.
    """
    raster = settings.raster
    path = Path(path)
    stamp = None
    overlays: list[tuple[float, float, float, float]] = []
    if kind == "pdf":
        layer = read_text_layer(path, number)
        if settings.use_text_layer and layer.text is not None:
            return Page(number=number, text=layer.text, source="text-layer")
        stamp = layer.stamp
        overlays = pdf_overlay_boxes(path, number)
        image = rasterize_pdf_page(path, number, raster.dpi, raster.max_pixels, overlays=not overlays)
    elif kind == "image":
        image = load_image_page(path, number, raster.max_pixels)
    else:
        raise ValueError(f"read_page reads PDF and image pages, not {kind!r}")
    cleaned = clean_page(image, settings.cleanup)
    if keep_images is not None:
        _save_page_image(cleaned, Path(keep_images) / f"{sha256_of(path)[:16]}-p{number:04d}.png")
    raw = ocr_page(mark_seals(erase_stamp_frames(cleaned)), settings.ocr)
    page = reread_regions(image, raw, layout_page(raw), settings.ocr)
    if stamp is not None:
        # The signing software's own text over the scan: exact, so it replaces what OCR read there.
        # Other stamps (a received stamp's frame) stay.
        text, (x0, y0, x1, y1) = stamp
        k = raster.dpi / 72 * float(page.quality.get("scale") or 1)
        box = (round(x0 * k), round(y0 * k), round(x1 * k), round(y1 * k))
        page.regions = [r for r in page.regions if r.kind != "stamp" or not _overlaps(r.box, box)] + [
            Region("stamp", box, text)]
    if overlays:
        page.regions += _overlay_stamps(path, number, overlays, stamp, page, settings)
    page = write_fill_ins(page, read_fill_ins(image, page, settings.ocr, settings.handwriting),
                          settings.handwriting)
    if settings.annex_tables:
        page.tables = read_tables(cleaned.image, settings.ocr)
    return page


def _overlay_stamps(path: Path, number: int, overlays: list[tuple[float, float, float, float]],
                    stamp: tuple[str, tuple[float, float, float, float]] | None, page: Page,
                    settings: Settings) -> list[Region]:
    """The e-signature stamps and notes drawn over a PDF page as annotations (the page itself was
    read without them): each read on its own render, a ``stamp`` region, unless the text layer
    already gave its exact text."""
    k = settings.raster.dpi / 72 * float(page.quality.get("scale") or 1)
    regions = []
    for box in overlays:
        if stamp is not None and _overlaps(box, stamp[1]):
            continue
        area = render_pdf_area(path, number, box, settings.raster.dpi)
        if area is None:
            continue
        words = ocr_words(area, settings.ocr)
        text = "\n".join(" ".join(w.text for w in words if w.line == line)
                         for line in sorted({w.line for w in words}))
        if sum(c.isalpha() for c in text) >= 3:
            regions.append(Region("stamp", tuple(round(v * k) for v in box), text))  # type: ignore[arg-type]
    return regions


# Regions read again on their own, from the original raster: small print (the "Nơi nhận:"
# list in 11-12 pt italic, the header blocks) suffers from the whole page's binarisation
# and from being read in one block with the other column.  Measured on real page 01: the
# list reads "Na Tà cính / -CT, ĐCT U BND t" on the cleaned page, "- Bộ Tài chính; /
# - CT, PCT UBND tỉnh;" from its own crop.
# A region the whole page already read this surely (mean word confidence) is not read again:
# on generated first pages (header and footer) 2.35 -> 1.82 s a page (before this work: 1.27),
# real pages unchanged (header fields 87.8%, line CER 0.0274 -> 0.0276).
REREAD_BELOW_CONF = 93
REREAD_REGIONS = ("header_left", "number_line", "header_right", "date_line", "title", "recipients", "signature")


def reread_regions(original: PageImage, raw: Page, laid_out: Page, ocr: OcrSettings) -> Page:
    """The page laid out again after its header and footer regions were read from their own crops.

    Each region is cropped from the original raster (brightest of R, G, B: red seal and blue pen
    fade to paper, black print stays), scaled as cleanup scaled the page, and read alone; its
    words replace the whole-page words inside it when their mean confidence is not lower.
    """
    if raw.quality.get("rotation") or abs(float(raw.quality.get("skew_deg") or 0)) > 0.5:
        return laid_out  # boxes of a turned page do not map back by a scale alone
    k = float(raw.quality.get("scale") or 1)
    height, width = original.image.shape[:2]
    words = list(raw.words)
    next_line = max((w.line for w in words), default=0) + 1
    changed = False
    for region in laid_out.regions:
        if region.kind not in REREAD_REGIONS or (region.conf or 0) >= REREAD_BELOW_CONF:
            continue
        x0, y0, x1, y1 = region.box
        pad = 0.4 * max(1, min(y1 - y0, 60))
        ox0, oy0 = max(0, int((x0 - pad) / k)), max(0, int((y0 - pad) / k))
        ox1, oy1 = min(width, int((x1 + pad) / k) + 1), min(height, int((y1 + pad) / k) + 1)
        crop = _print_crop(original, (ox0, oy0, ox1, oy1), k)
        if crop is None:
            continue
        fresh = ocr_words(crop, ocr, offset=(ox0 * k, oy0 * k), first_line=next_line)
        fresh = [w for w in fresh if _centre_in(w, region.box)]
        inside = [w for w in words if _centre_in(w, region.box)]
        if not fresh or _mean_conf(fresh) < _mean_conf(inside) or _letters(fresh) < 0.8 * _letters(inside):
            continue
        words = [w for w in words if not _centre_in(w, region.box)] + fresh
        next_line = max((w.line for w in fresh), default=next_line) + 1
        changed = True
    if changed:
        words.sort(key=lambda w: (w.line, w.box[0]))
        laid_out = layout_page(replace(raw, words=_renumber_rows(words)))
    named = _reread_signer_name(original, laid_out, ocr)
    if named is not None:
        laid_out = layout_page(replace(raw, words=_renumber_rows(named)))
    titled = _reread_signing_title(original, laid_out, ocr)
    return laid_out if titled is None else layout_page(replace(raw, words=_renumber_rows(titled)))


# The signing title (chức vụ: "HIỆU TRƯỞNG") stands level with "Nơi nhận:" and its first items,
# right of them; the seal and the pen's strokes that cross it can make Tesseract skip its row
# on the whole page (real page 36: the block read as the seal's "TRƯỜNG / ĐẠI HỌC" and the
# name).  A signature block with no title line has that band read again alone (psm 6, from the
# original), and its upper-case words that name an office become the title line.
TITLE_BAND_LINES = 2.5  # line heights below the top of "Nơi nhận:" the band reaches
TITLE_WORD_CONF = 50  # a word of the band read less surely is the seal's or the pen's


def _reread_signing_title(original: PageImage, page: Page, ocr: OcrSettings) -> list | None:
    """The page's words with the signing title read from its band (see above), or None when
    the signature block has a title line already or the band holds none."""
    signature = next((r for r in page.regions if r.kind == "signature" and r.lines != (0, 0)), None)
    recipients = next((r for r in page.regions if r.kind == "recipients" and r.lines != (0, 0)), None)
    if signature is None or recipients is None:
        return None
    lines = page.text.split("\n")[signature.lines[0]:signature.lines[1]]
    if any(is_signing_title(line) for line in lines):
        return None
    first = [w for w in page.words if w.line == recipients.lines[0]]
    if not first:
        return None
    h = max(w.box[3] for w in first)
    top = min(w.box[1] for w in first)
    band = (signature.box[0] - 2 * h, top - h // 3, min(page.width or signature.box[2], signature.box[2] + 3 * h),
            min(signature.box[1], top + int(TITLE_BAND_LINES * h)))
    if band[3] - band[1] < h:
        return None  # the block starts on the row of "Nơi nhận:": its first line was read
    k = float(page.quality.get("scale") or 1)
    crop, ox0, oy0 = _line_crop(original, band, k, 0.0, 0.0)
    if crop is None:
        return None
    next_line = max((w.line for w in page.words), default=0) + 1
    fresh = [w for w in ocr_words(crop, ocr, offset=(ox0 * k, oy0 * k), first_line=next_line)
             if w.conf >= TITLE_WORD_CONF and re.fullmatch(r"[A-ZĐÀ-Ỹ]{2,}\.?", w.text)]
    rows: dict[int, list] = {}
    for w in fresh:
        rows.setdefault(w.line, []).append(w)
    titles = [ws for ws in rows.values() if is_signing_title(" ".join(w.text for w in ws))]
    if not titles:
        return None
    return list(page.words) + [w for ws in titles for w in ws]


# The signer's name (the signature block's last line) sits under the pen strokes and often
# the seal's rim, and is read with the whole block around it.  When that reading is no name,
# the line is read again alone: its own tight crop, Otsu-binarised (the strokes that cross it
# are thinner and fainter than print), Tesseract told it is one line (psm 7).  Real page 35
# (150 dpi, seal rim and signature over "Phùng Thị"): "phừững Ti Xuân Bình" -> "Phùng Thị Xuân
# Bình"; the other 14 real signature blocks already read a name and are not read again.
_NAME_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+$")


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _looks_like_name(words) -> bool:
    """Two to five Title-case words: a Vietnamese personal name (họ, tên đệm, tên)."""
    return 2 <= len(words) <= 5 and all(_NAME_WORD.match(nfc(w.text)) for w in words)


def _reread_signer_name(original: PageImage, page: Page, ocr: OcrSettings) -> list | None:
    """The page's words with the signer's name line read again alone (see above), or None
    when its first reading is a name already or the second is not a better one."""
    import cv2

    signature = next((r for r in page.regions if r.kind == "signature" and r.lines != (0, 0)), None)
    if signature is None:
        return None
    last = signature.lines[1] - 1
    line = [w for w in page.words if w.line == last]
    if not line or _looks_like_name(line):
        return None
    k = float(page.quality.get("scale") or 1)
    box = (min(w.box[0] for w in line), min(w.box[1] for w in line),
           max(w.box[0] + w.box[2] for w in line), max(w.box[1] + w.box[3] for w in line))
    crop, ox0, oy0 = _line_crop(original, box, k, 0.5, 0.3)
    if crop is None:
        return None
    _, crop = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    fresh = ocr_words(crop, replace(ocr, psm=7), offset=(ox0 * k, oy0 * k), first_line=last)
    fresh = [w for w in fresh if any(c.isalnum() for c in w.text)]  # the pen's strokes read as "|", "_"
    if not _looks_like_name(fresh) or _mean_conf(fresh) < _mean_conf(line):
        return None
    return [w for w in page.words if w.line != last] + fresh


def _centre_in(w, box) -> bool:
    cx, cy = w.box[0] + w.box[2] / 2, w.box[1] + w.box[3] / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _letters(words) -> int:
    return sum(ch.isalnum() for w in words for ch in w.text)


def _mean_conf(words) -> float:
    confs = [w.conf for w in words if w.conf >= 0]
    return sum(confs) / len(confs) if confs else -1.0


def _renumber_rows(words):
    """Words of whole-page rows and of re-read regions merged into rows top to bottom."""
    rows: dict[int, list] = {}
    for w in words:
        rows.setdefault(w.line, []).append(w)
    ordered = sorted(rows.values(), key=lambda ws: min(w.box[1] + w.box[3] / 2 for w in ws))
    return [replace(w, line=i) for i, ws in enumerate(ordered) for w in ws]


# A digit group Tesseract reads with at least this confidence in a header blank is print;
# below it the blank is read by the handwriting recogniser (on the real pages typed
# numbers score 91-96, pen digits Tesseract half-reads 9-76).
PRINTED_DIGITS_CONF = 85
# Print glued to its code reads 55-96 on the generated scans; pen digits glued so read 0.
PRINTED_GLUED_CONF = 50


def read_fill_ins(original: PageImage, page: Page, ocr: OcrSettings = OcrSettings(),
                  handwriting: HandwritingSettings = HandwritingSettings()) -> list[Region]:
    """Handwritten digits in the blanks of the "Số:" and date lines, as ``handwriting`` regions.

    Read on the ORIGINAL raster (cleanup erases blue pen).  The blanks are found from the
    print around them read again on the original (brightest of R, G, B: pen ink fades, so
    "Số:" and "/UBND-KTTH" read clean and their boxes are exact even on a deskewed page),
    else from the cleaned page's words mapped back by its scale.  A blank Tesseract
    already read as confident digits is print and gets no region.
    """
    lines = {kind: r.lines for r in page.regions for kind in (r.kind,) if kind in ("number_line", "date_line")}
    if not lines or page.quality.get("rotation"):
        return []
    from ..ocr.handwriting import (DigitsModelMissing, date_blanks_from_symbols, find_date_blanks,
                                   find_number_blank, glued_date_words, glued_number_blank,
                                   number_blank_from_symbols, read_digits)

    k = float(page.quality.get("scale") or 1)

    def words_of(kind: str) -> list:
        first, end = lines.get(kind, (0, 0))
        return [w for w in page.words if first <= w.line < end]

    # role -> (blank box in original pixels or None, text height); only blanks not read as print.
    blanks: dict[str, tuple] = {}
    boxes = {r.kind: r.box for r in page.regions if r.kind in lines}

    def located(kind: str, find, texts: list[str] | None = None):
        mapped_words = [(w.text, *(round(v / k) for v in w.box)) for w in words_of(kind)]
        printed_words = _print_words(original, boxes[kind], k, ocr)
        printed = find(printed_words)
        if texts is not None:  # the texts of the words the blank is placed from
            texts.extend(w[0] for w in (printed_words if printed else mapped_words))
        return printed or find(mapped_words)

    number_words = words_of("number_line")
    if number_words and not _printed_digits(number_words, r"^s\S{0,2}$|^s\S{0,2}:"):
        placed_from: list[str] = []
        blanks["number"] = located("number_line", find_number_blank, placed_from) or (None, 0.0)
        # Glued in the words the blank was placed from, whichever reading that was: on real
        # page 35 the page's words were "Số„2⁄46" "'TB-ĐHĐL" (no slash: no blank) and the
        # re-read print one word, "Só„24⁄4/TB-ĐHĐL", whose code was placed from its length 1.2
        # text heights too far left ("2116" read "21"; from the characters "2116").
        if glued_number_blank(placed_from) and blanks["number"][1]:
            # "Só:s&2Ÿ/TB-ĐHĐL": where the code starts inside the one word is read from
            # the line's characters (real pages: "2027" had been cut to "20").
            symbols = _print_symbols(original, boxes["number_line"], k, ocr)
            blanks["number"] = number_blank_from_symbols(symbols, blanks["number"][1]) or blanks["number"]
    # Second places to read a date blank: from the line's characters when pen ink is glued to
    # "ngày"/"tháng".  Tried only when the first reading is no possible day or month: the
    # characters place an end better where an italic word's width misleads ("37188" for "18"
    # on real page 29, "288462721" on 33) and worse where the ink touches the print (a
    # continental "7" joined to the "t" of "tháng" falls outside: "27" read "2" on page 32).
    second: dict[str, tuple] = {}
    date_words = words_of("date_line")
    if date_words:
        found = located("date_line", find_date_blanks)
        if glued_date_words(w.text for w in date_words):
            symbols = _print_symbols(original, boxes["date_line"], k, ocr)
            h = next(iter(found.values()))[1] if found else _median_height(date_words) / k
            second = date_blanks_from_symbols(symbols, h)
        for role, after in (("day", r"ng\S{1,3}$"), ("month", r"th\S{2,4}$")):
            if not _printed_digits(date_words, after):
                blanks[role] = found.get(role) or second.pop(role, None) or (None, 0.0)
    regions = []
    for role, (box, height) in blanks.items():
        reading = None
        try:
            if box is not None:
                reading = read_digits(original.image, box, text_height=height, settings=handwriting)
            if role in second and not _possible(role, reading):
                reading = read_digits(original.image, second[role][0], text_height=second[role][1],
                                      settings=handwriting) or reading
        except DigitsModelMissing:  # said once, when the run started (check_models)
            log.debug("handwritten digits not read: the digit model is not built (make setup)")
        if reading is None or not reading.text:
            # A blank filled by hand that could not be read: whatever Tesseract made of it is unsure.
            region_box = box or (0, 0, 0, 0)
            scaled = cast("tuple[int, int, int, int]", tuple(round(v * k) for v in region_box))
            regions.append(Region("handwriting", scaled, "", 0.0, role=role))
            continue
        x0, y0, x1, y1 = reading.box
        confidence = reading.confidence
        seen = _glyphs_in_blank(" ".join(w.text for w in words_of("number_line" if role == "number" else "date_line")),
                                role)
        if _lost_digits(seen, reading.text):
            confidence = min(confidence, 0.5)
        regions.append(Region("handwriting", (round(x0 * k), round(y0 * k), round(x1 * k), round(y1 * k)),
                              reading.text, round(confidence, 3), role=role))
    return regions


def _lost_digits(seen: int, digits: str) -> bool:
    """True when a reading of pen digits has likely lost some, given how many characters
    Tesseract saw in the blank (it sees at least one per pen glyph, often one for several): two
    digits fewer (a blank placed too narrow read "2027" as "20"), or one lone digit where it
    saw two (a "27" whose continental "7" touched "tháng" read "2", real page 32; of the 43
    fields the real pages read, no right reading is a lone digit under two characters)."""
    return seen - len(digits) >= 2 or (len(digits) == 1 and seen >= 2)


def _possible(role: str, reading) -> bool:
    """A reading that can be the ``role`` (day 1-31, month 1-12) of a date."""
    if reading is None or not reading.text.isdigit() or len(reading.text) > 2:
        return False
    return 1 <= int(reading.text) <= (31 if role == "day" else 12)


def _median_height(words) -> float:
    heights = sorted(w.box[3] for w in words)
    return float(heights[len(heights) // 2])


def _glyphs_in_blank(line: str, role: str) -> int:
    """How many characters Tesseract read in a blank of its line (0 when it cannot tell)."""
    f = fold(line)
    if role == "number":
        m = re.search(r"s\S{0,2}?[:;.„]\s*(.*?)/\s*[a-z]", f)
    elif role == "day":
        m = re.search(r"ng\S{0,2}?y(.*?)th\S{0,2}ng", f)
    else:
        m = re.search(r"th\S{0,2}?ng(.*?)n\S?m\s*\d{4}", f)
    return len(re.sub(r"[\s._\-…,]", "", m.group(1))) if m else 0


def _print_crop(original: PageImage, box: tuple[int, int, int, int], k: float):
    """The box (original pixels) of the original raster as Tesseract should read its print: the
    brightest of R, G, B (red seal and blue pen fade to paper, black print stays), scaled as
    cleanup scaled the page; None for a box too small to read."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = box
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    img = original.image[y0:y1, x0:x1]
    crop = img.max(axis=2) if img.ndim == 3 else img
    if k != 1:
        crop = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(crop)


def _line_crop(original: PageImage, box, k: float, pad_x: float, pad_y: float):
    """(crop as :func:`_print_crop` gives it or None, its left, its top in original pixels) of a
    line's region (page pixels) widened by ``pad_x`` and ``pad_y`` line heights."""
    height, width = original.image.shape[:2]
    x0, y0, x1, y1 = (v / k for v in box)
    h = y1 - y0
    ox0, oy0 = max(0, int(x0 - pad_x * h)), max(0, int(y0 - pad_y * h))
    ox1, oy1 = min(width, int(x1 + pad_x * h)), min(height, int(y1 + pad_y * h))
    return _print_crop(original, (ox0, oy0, ox1, oy1), k), ox0, oy0


def _print_words(original: PageImage, box, k: float, ocr: OcrSettings) -> list[tuple]:
    """(text, left, top, width, height) in original pixels of the print in a line's region
    (page pixels), read with a line of margin around it."""
    crop, ox0, oy0 = _line_crop(original, box, k, 1.0, 1.0)
    if crop is None:
        return []
    return [(w.text, *w.box) for w in ocr_words(crop, ocr, offset=(ox0, oy0), scale=1 / k)]


def _print_symbols(original: PageImage, box, k: float, ocr: OcrSettings) -> list[tuple]:
    """Tesseract's characters (original pixels) of the print of a one-line region (page
    pixels), read on a crop tight enough to hold that line only."""
    crop, ox0, oy0 = _line_crop(original, box, k, 0.5, 0.15)
    return [] if crop is None else ocr_symbols(crop, ocr, offset=(ox0, oy0), scale=1 / k)


def write_fill_ins(page: Page, fills: list[Region],
                   handwriting: HandwritingSettings = HandwritingSettings()) -> Page:
    """The page with its fill-in regions, and their digits written into its text in place of
    whatever Tesseract made of the pen ink there ("Số: 2) /BC-UBND" -> "Số: 23 /BC-UBND"), each
    word with its reading's confidence: the text says what the header fields say.  Unsure
    readings too (under ``handwriting.min_confidence``, stored as uncertain): of the 10 real
    blanks read so, the pen reading is right on 7, Tesseract's reading of the ink on 2, one of
    them the same ("660" where the pen's reads "860"; but "Sô/tT" where it reads "11", "42"
    where "12", "892" where "299")."""
    page = replace(page, regions=page.regions + fills)
    lines = page.text.split("\n")
    words = list(page.words)
    for fill in fills:
        if not fill.text:
            continue
        kind = "number_line" if fill.role == "number" else "date_line"
        line = _first_line_of(page, kind)
        if line is None:
            continue
        x0, y0, x1, y1 = fill.box
        if (fill.conf or 0) < handwriting.min_confidence and _digits_beside(words, line, fill):
            continue  # unsure, and the blank's slot holds digits read elsewhere than its box:
            # print the recogniser looked past (generated pages: "ngày 16 16 tháng")
        # Tesseract's reading of the ink goes; a word that runs on into print keeps its print
        # ("14/UBND-KTTH" -> "/UBND-KTTH", "Số:2#" -> "Số:").
        kept = []
        for w in words:
            overlap = min(w.box[0] + w.box[2], x1) - max(w.box[0], x0)
            if w.line != line or overlap <= 0:
                kept.append(w)
            elif kind == "number_line" and w.box[0] < x0 and _NUMBER_FORMULA.match(w.text):
                # "“$ó:#f10", "Số„2/46", "Sô/tT": the printed "Số:" the number line opens with,
                # glued to the pen's ink (NĐ 30/2020: "Số: 575/UBND-KTTH"), and its code if any
                kept.append(replace(w, text="Số:", box=_beside(w.box, x0, x1, True)))
                if code := re.search(r"/[A-ZĐ]\S*$", w.text):
                    kept.append(replace(w, text=code.group(), box=_beside(w.box, x0, x1, False)))
            elif (code := re.search(r"/[^\W\d_]", w.text)) and w.box[0] < x1:
                kept.append(replace(w, text=w.text[code.start():], box=(x1 + 1, *w.box[1:])))
            elif (head := re.match(r"^\D*?[:;]", w.text)) and w.box[0] < x0:
                kept.append(replace(w, text=head.group()))
            elif re.fullmatch(r"[^\W\d_]{3,}", w.text):  # a printed word the ink's box reaches into
                kept.append(w)
            elif kind == "date_line" and (printed := _date_words_in(w.text)):
                # "“Ệtháng", "ngày.)", "ngà¿2háng0„": the date formula's printed words stay, spelled
                # as the formula has them, "ngày" left of the ink and "tháng" right of a day's
                # ink, left of a month's (their boxes began or ended at the ink).
                for word in printed:
                    left = word == "ngày" or fill.role == "month"
                    kept.append(replace(w, text=word, box=_beside(w.box, x0, x1, left)))
            elif glued := re.search(r"[^\W\d_]{3,}$", w.text):  # "04tháng": the printed word stays,
                # right of the ink (its box began at the ink: "tháng 04" had been written)
                kept.append(replace(w, text=glued.group(), box=_beside(w.box, x0, x1, False)))
            elif glued := re.match(r"^[^\W\d_]{3,}", w.text):  # "ngày04": left of the ink
                kept.append(replace(w, text=glued.group(), box=_beside(w.box, x0, x1, True)))
            elif overlap <= 0.6 * w.box[2]:
                kept.append(w)
        words = kept
        filled = Word(fill.text, round(100 * (fill.conf or 0.0), 1), (x0, y0, x1 - x0, y1 - y0), line)
        words.append(filled)
        words.sort(key=lambda w: (w.line, w.box[0]))
        if fill.role == "number":
            words = _join_code(words, filled)
        lines[line] = " ".join(w.text for w in words if w.line == line)
    # A number printed (or left as Tesseract read it) is joined to its code the same way:
    # "Số: 660 /TB-UBND" is the số ký hiệu "660/TB-UBND" (6 of the 23 real pages).
    line = _first_line_of(page, "number_line")
    if line is not None:
        number = next((w for w in words if w.line == line and re.fullmatch(r"\d{1,6}", w.text)), None)
        if number is not None:
            joined = _join_code(words, number)
            if joined is not words:
                words = joined
                lines[line] = " ".join(w.text for w in words if w.line == line)
    return replace(page, text="\n".join(lines), words=words)


# "Số" and its colon as Tesseract garbles them when pen ink touches them ("“$ó:", "Sô/", "Só„").
_NUMBER_FORMULA = re.compile(r"^\W{0,2}[S$§5][ôốóoòơớ0]\S?", re.IGNORECASE)


# The printed words that close each blank's slot on its line: the day's "tháng", the month's
# "năm", the number's code ("/UBND-KTTH").
_SLOT_END = {"day": re.compile(r"th\S{0,2}ng"), "month": re.compile(r"n\S?m\b"), "number": re.compile(r"/")}
_SLOT_START = {"day": re.compile(r"ng\S{0,2}y"), "month": re.compile(r"th\S{0,2}ng"), "number": re.compile(r"^\W*s\S?\W*$")}


def _digits_beside(words: list[Word], line: int, fill: Region) -> bool:
    """True when the slot of ``fill``'s blank on ``line`` (between "ngày" and "tháng" for a day,
    "tháng" and "năm" for a month, "Số:" and the code for a number) holds a word of digits that
    the fill's box does not cover (not 60% of its width)."""
    x0, _, x1, _ = fill.box
    row = sorted((w for w in words if w.line == line), key=lambda w: w.box[0])
    start, end = _SLOT_START.get(fill.role or ""), _SLOT_END.get(fill.role or "")
    if start is None or end is None:
        return False
    left = max((w.box[0] + w.box[2] for w in row if w.box[0] < x0 and start.search(fold(w.text))), default=None)
    right = min((w.box[0] for w in row if w.box[0] + w.box[2] > x1 and end.search(fold(w.text))), default=None)
    if left is None or right is None:
        return False
    # (a word the box covers less than this is kept beside the written fill, as below)
    return any(re.fullmatch(r"\d{1,6}", w.text) and left <= w.box[0] and w.box[0] + w.box[2] <= right
               and min(w.box[0] + w.box[2], x1) - max(w.box[0], x0) <= 0.6 * w.box[2] for w in row)


def _first_line_of(page: Page, kind: str) -> int | None:
    """The page-text line where the first region of ``kind`` that is in the text starts."""
    host = next((r for r in page.regions if r.kind == kind and r.lines != (0, 0)), None)
    return None if host is None else host.lines[0]


def _date_words_in(text: str) -> list[str]:
    """The date formula's words ("ngày", "tháng") in a word Tesseract glued to pen ink, in order."""
    f = fold(text)
    out = []
    if re.match(r"\W{0,2}ng\S?[ay]", f) and "hang" not in f[:4]:
        out.append("ngày")
    if "hang" in f:
        out.append("tháng")
    return out


def _beside(box: tuple[int, int, int, int], x0: int, x1: int, left: bool) -> tuple[int, int, int, int]:
    """``box`` (left, top, width, height) cut to the part left of ``x0`` or right of ``x1``."""
    a, top, width, height = box
    if left:
        return (a, top, max(1, min(width, x0 - 1 - a)), height)
    start = max(a, x1 + 1)
    return (start, top, max(1, a + width - start), height)


def _join_code(words: list[Word], number: Word) -> list[Word]:
    """The filled-in number joined to the printed code right after it: "575" + "/UBND-KTTH" is
    the số ký hiệu "575/UBND-KTTH" (what is left of the blank between them is no space)."""
    i = words.index(number)
    if i + 1 < len(words) and words[i + 1].line == number.line and words[i + 1].text.startswith("/"):
        code = words[i + 1]
        right = max(code.box[0] + code.box[2], number.box[0] + number.box[2])
        top, bottom = min(code.box[1], number.box[1]), max(code.box[1] + code.box[3], number.box[1] + number.box[3])
        joined = Word(number.text + code.text, min(number.conf, code.conf),
                      (number.box[0], top, right - number.box[0], bottom - top), number.line)
        return words[:i] + [joined] + words[i + 2:]
    return words


def _printed_digits(words, after: str) -> bool:
    """True when the word after the one matching ``after`` (folded) is digits read as print.

    Print is read sure (94-97 on the real pages' date lines); pen digits get 18-82 and junk
    letters.  Digits glued to the printed code ("123/QĐ-UBND") share the code's lower
    confidence, so a clean glued token needs only :data:`PRINTED_GLUED_CONF`.
    """
    for i, w in enumerate(words[:-1]):
        if re.match(after, fold(w.text)):
            nxt = words[i + 1]
            if re.fullmatch(r"\d{1,5}", nxt.text):
                if i + 2 < len(words) and re.match(r"[^t\s]\S*hang", fold(words[i + 2].text)):
                    return False  # "2 {tháng": the pen's "27" ran on into "tháng"
                return nxt.conf >= PRINTED_DIGITS_CONF
            if re.fullmatch(r"\d{1,2}th\S{2,4}", nxt.text):  # "26tháng": a typed day glued to "tháng"
                return nxt.conf >= PRINTED_DIGITS_CONF
            return bool(re.fullmatch(r"\d{1,5}/[A-ZĐ][\w.&-]*", nxt.text)) and nxt.conf >= PRINTED_GLUED_CONF
    return False


def _save_page_image(page: PageImage, target: Path) -> None:
    import cv2

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp.png")
    cv2.imwrite(str(tmp), page.image)
    os.replace(tmp, target)


def assemble_document(plan: DocumentPlan, pages: list[Page]) -> Document:
    """The Document of a plan once all its pages are read; refuses one without any text."""
    doc = Document(path=plan.path, sha256=plan.sha256, kind=plan.kind,
                   pages=sorted(pages, key=lambda p: p.number))
    empty = [p.number for p in doc.pages if not p.text.strip()]
    if len(empty) == len(doc.pages):
        raise InputError(plan.path, "no text found (empty page)" if len(empty) == 1
                         else f"no text found on any of {len(empty)} pages")
    for number in empty:
        log.warning("%s: page %d is empty (no text found); kept as an empty page", plan.path, number)
    return doc


def read_document(path: Path, settings: Settings = Settings(),
                  on_page: PageCallback | None = None) -> Document:
    """Ingest a file into a Document of pages of text (OCR'd when needed), sequentially."""
    plan = plan_document(path, settings)
    pages: list[Page] = []
    for number in range(1, plan.n_pages + 1):
        page = (plan.pages[number - 1] if number <= len(plan.pages)
                else read_page(plan.path, plan.kind, number, settings))
        pages.append(page)
        if on_page is not None:
            on_page(page)
    return assemble_document(plan, pages)


def split_document(doc: Document) -> list[tuple[Document, int]]:
    """Several documents scanned into one file: ``(document, its first page in the file)`` each.

    A page after the first opens a new document when its layout has the national motto
    and a "Số:" line in the top third (Nghị định 30's first-page header).  Parts after
    the first are named ``file.pdf#2``, ``#3``…, their pages numbered from 1.
    """
    starts = [0] + [i for i, p in enumerate(doc.pages) if i > 0 and _opens_document(p)]
    if len(starts) == 1:
        return [(doc, 1)]
    parts = []
    for n, (a, b) in enumerate(zip(starts, starts[1:] + [len(doc.pages)]), 1):
        pages = [replace(p, number=k) for k, p in enumerate(doc.pages[a:b], 1)]
        path = doc.path if n == 1 else doc.path.with_name(f"{doc.path.name}#{n}")
        parts.append((replace(doc, path=path, pages=pages), a + 1))
    return parts


def _opens_document(page: Page) -> bool:
    top = page.height / 3 if page.height else float("inf")
    kinds = {r.kind for r in page.regions if r.box[1] < top}
    return "header_right" in kinds and "number_line" in kinds


def restore_document(doc: Document, restorer: Restorer, mended: dict[int, str] | None = None) -> Document:
    """Restore diacritics when the text lost them; otherwise mend Tesseract's marks on OCR pages.

    Typed text pages (``source != "ocr"``) that still carry their marks are never changed.
    ``mended``: page number → that OCR page's text already mended by :func:`mend_page`
    (page workers do it next to OCR, so the parent does not have to).
    """
    if restorer.needs_restoration(doc.text):
        pages = [replace(p, text=restorer.restore_text(p.text, _confidences(p))) for p in doc.pages]
        return replace(doc, pages=pages, restored=True)
    mended = mended or {}
    pages = [replace(p, text=_spelt_signature(p, mended[p.number] if p.number in mended
                                              else cast(str, mend_page(p, restorer))))
             if p.source == "ocr" else p for p in doc.pages]
    if all(new.text == old.text for new, old in zip(pages, doc.pages)):
        return doc
    return replace(doc, pages=pages, restored=True)


def _spelt_signature(page: Page, text: str) -> str:
    """``text`` (the page's, line for line) with its signature block's title lines and signer's
    name spelt as the header fields read them (:func:`pipeline.extract.page_header.mend_signature_lines`)."""
    from ..extract.page_header import mend_signature_lines

    lines = text.split("\n")
    for r in page.regions:
        if r.kind == "signature" and r.lines != (0, 0) and r.lines[1] <= len(lines):
            lines[r.lines[0]:r.lines[1]] = mend_signature_lines(lines[r.lines[0]:r.lines[1]])
    return "\n".join(lines)


def mend_page(page: Page, restorer: Restorer) -> str | None:
    """An OCR page's text with Tesseract's marks mended (what :func:`restore_document` does to it
    when its document keeps its marks); None for pages that are not OCR.

    Per page and pure, so page workers run it right after OCR: it is the restore stage's
    share of the per-page work, and the parent, which also saves every document, is spared it.
    """
    if page.source != "ocr":
        return None
    return restorer.correct_marks(page.text, _confidences(page))


def _confidences(page: Page) -> list[float] | None:
    """Tesseract word confidences when they line up one-to-one with ``page.text.split()``."""
    if page.words and len(page.words) == len(page.text.split()):
        return [w.conf for w in page.words]
    return None


def extract_document(doc: Document, original: Document | None = None,
                     settings: Settings = Settings(), explain: bool = False) -> dict:
    """Extraction JSON for a document; raw/span point into the original text when restored.

    Each item's confidence weighs how its span was read (:func:`span_reader`); ``explain``
    keeps that evidence on each item (for calibration)."""
    # Imported here: the extractors pull in spaCy (~1 s), which page workers never need.
    from ..restore.align import OffsetMap
    from ..extract import extract_text
    from ..extract.provenance import attach_boxes

    read = original if original is not None else doc
    offsets = OffsetMap(original.text, doc.text) if original is not None and original.text != doc.text else None
    result = extract_text(doc.text, doc.name, header_layout(doc, settings.handwriting),
                          reader=span_reader(doc, read, offsets), explain=explain)
    if offsets is not None:
        for field_name in MENTION_FIELDS:
            for item in result.get(field_name, []):
                if "span" in item:
                    start, end = offsets.span(*item["span"])
                    item["span"] = [start, end]
                    item["raw"] = read.text[start:end]
    # Spans now index the OCR text, whose words carry the boxes.
    return attach_boxes(result, read)


def span_reader(doc: Document, read: Document, offsets: OffsetMap | None = None) -> SpanReader:
    """How each span of ``doc.text`` was read (:class:`pipeline.extract.confidence.Reading`):
    the confidences of the OCR words of ``read`` (the document as OCR read it) under it and the
    share of its characters restoration changed.  ``offsets``: the
    :class:`pipeline.restore.align.OffsetMap` from ``read.text`` to ``doc.text`` (None: unchanged)."""
    from rapidfuzz.distance import Levenshtein

    from ..extract.confidence import Reading
    from ..extract.provenance import span_confidences, word_index

    words = word_index(read)
    with_words = any(words)

    def reader(start: int, end: int) -> Reading:
        raw_start, raw_end = offsets.span(start, end) if offsets is not None else (start, end)
        confs = tuple(span_confidences(words, raw_start, raw_end)) if with_words else ()
        if offsets is None:
            return Reading(confs)
        final = doc.text[start:end]
        changed = Levenshtein.distance(read.text[raw_start:raw_end], final) / max(1, len(final))
        return Reading(confs, min(1.0, changed))

    return reader


def header_layout(doc: Document, handwriting: HandwritingSettings = HandwritingSettings()):
    """The header and footer regions' lines of a scanned document (None without layout).

    The header is read on the first page that has one, the footer on the last page
    with a signature block; stamps and handwritten fill-ins on every page (sure from
    ``handwriting.min_confidence``).
    """
    from ..extract import HeaderLayout

    if not any(p.regions for p in doc.pages):
        return None
    layout = HeaderLayout(handwriting_sure=handwriting.min_confidence)
    for page in doc.pages:
        lines = page.text.split("\n")
        kinds = {r.kind for r in page.regions}
        after_number = False
        part: dict[str, list[str]] = {}
        for r in page.regions:
            if r.kind == "stamp":
                layout.stamps.append(r.text)
            elif r.kind == "handwriting" and r.role and r.role not in layout.handwritten:
                layout.handwritten[r.role] = (r.text, r.conf or 0.0)
            elif r.lines != (0, 0):
                kind = "after_number" if r.kind == "header_left" and after_number else r.kind
                after_number |= r.kind == "number_line"
                part.setdefault(kind, []).extend(lines[r.lines[0]:r.lines[1]])
        if not layout.top and kinds & {"header_left", "number_line", "date_line"}:
            layout.top = {k: v for k, v in part.items() if k not in ("recipients", "signature")}
        if "signature" in kinds:
            layout.foot = {k: v for k, v in part.items() if k in ("recipients", "signature")}
    return layout


# What reading a truncated or foreign model file raises (json, np.load of an .npz).
_UNLOADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


def check_models(restorer: Restorer | None = None, digits: bool = True) -> None:
    """Fail at once, in one line, when a built model cannot be loaded (``make setup`` not run).

    Without this check every document of a run would fail one by one ("internal error in
    restoration/extraction").  ``restorer``: its lexicon and LMs (:class:`MissingDependency`,
    exit 3); ``digits``: the handwritten-digit model, which is optional -- without it the
    blanks stay unread, and the warning is given here once instead of on every page.
    """
    if restorer is not None:
        from ..restore.restorer import LexiconMissing

        try:
            restorer.load()
        except LexiconMissing as exc:  # its message names the file and says `make setup`
            raise MissingDependency(str(exc)) from None
        except _UNLOADABLE as exc:
            raise MissingDependency(f"diacritic restorer models in {restorer.lexicon_path.parent} cannot be "
                                    f"loaded ({type(exc).__name__}): run `make setup` to rebuild them") from None
    if digits:
        from ..ocr import handwriting

        path = handwriting.default_model_path()
        try:
            handwriting.load_classifier(path)
        except handwriting.DigitsModelMissing as exc:
            log.warning("handwritten digits will not be read: %s", exc)
        except _UNLOADABLE as exc:
            raise MissingDependency(f"{path} cannot be loaded ({type(exc).__name__}): "
                                    "run `make setup` to rebuild it") from None


def warm_up(restorer: Restorer | None = None) -> None:
    """Load the restorer's model and build the extractors' spaCy pipeline now.

    Both load on first use (~2 s).  A run calls this in a background thread while
    its workers start and read the first pages, so the first finished document
    does not hold the parent up when the workers need it most.
    """
    from ..extract.nlp import get_nlp

    if restorer is not None:
        restorer.load()
    get_nlp()


def document_parts(whole: Document, mended: dict[int, str] | None = None) -> list[tuple[Document, int, dict[int, str]]]:
    """The documents a file holds (:func:`split_document`): each with its first page in the file
    and the pages of ``mended`` (file page number → mended text) numbered as its own pages are."""
    return [(part, first, {n - first + 1: t for n, t in (mended or {}).items()})
            for part, first in split_document(whole)]


def final_document(doc: Document, restorer: Restorer | None, settings: Settings = Settings(),
                   mended: dict[int, str] | None = None) -> Document:
    """The document with the text a run stores: restored, or its OCR pages' marks mended, when
    ``settings.restore`` (by ``restorer``); as read otherwise.  ``mended``: as :func:`restore_document`."""
    # (a run that restores has a restorer: run_batch makes one)
    return restore_document(doc, cast("Restorer", restorer), mended) if settings.restore else doc


def final_pages(whole: Document, restorer: Restorer | None, settings: Settings = Settings()) -> list[Page]:
    """Every page of a file with the text a run stores for it, numbered as in the file: each
    document it holds made final (:func:`final_document`) on its own, as the run does."""
    return [replace(p, number=first + p.number - 1) for part, first, mended in document_parts(whole)
            for p in final_document(part, restorer, settings, mended).pages]


def finish_document(doc: Document, restorer: Restorer | None, settings: Settings = Settings(),
                    mended: dict[int, str] | None = None) -> tuple[Document, dict]:
    """Restore (when asked and needed, by ``restorer``) and extract an assembled document.

    ``mended``: OCR page texts already mended by :func:`mend_page` (page number → text).
    """
    if not looks_vietnamese(doc.text):
        raise InputError(doc.path, "not Vietnamese text (too few Vietnamese syllables)")
    restored = final_document(doc, restorer, settings, mended)
    return restored, extract_document(restored, doc, settings)


def process_file(path: Path, restorer: Restorer | None, settings: Settings = Settings(),
                 on_page: PageCallback | None = None) -> tuple[Document, dict]:
    """Every stage for one file: returns the (restored) document and its extraction."""
    return finish_document(read_document(path, settings, on_page), restorer, settings)
