"""OCR: Tesseract `vie` over a cleaned page image, keeping every word's box and confidence."""
from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from bisect import bisect_left
from dataclasses import replace
from pathlib import Path

import pytesseract

from ..document import Page, PageImage, Word
from ..errors import MissingDependency
from ..options import USER_PATTERNS, OcrSettings  # noqa: F401 (USER_PATTERNS: re-exported)
from ..script import nfc, strip_diacritics

# Look-alikes Tesseract vie prints that Vietnamese never writes: the Icelandic eth for Đ
# ("khóa Ð13, ĐÐ16": 8 on 3 of the 23 real pages) and the fraction slash for "/".
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ", "⁄": "/"})


def _word_text(raw: str) -> str:
    return nfc(raw.strip()).translate(_LOOKALIKES)


_NO_TESSERACT = "tesseract not found: install tesseract-ocr and tesseract-ocr-vie (make setup)"


def check_tesseract() -> None:
    """Raise :class:`MissingDependency` when the Tesseract program cannot be found."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependency(_NO_TESSERACT)


def tesseract_version() -> str:
    """Tesseract's version string (recorded with results so re-runs notice upgrades)."""
    return str(pytesseract.get_tesseract_version())


def ocr_page(page: PageImage, settings: OcrSettings = OcrSettings()) -> Page:
    """Read one page image: words with boxes and confidences, and the page text.

    Lines follow Tesseract's reading order; a blank line separates blocks, as in
    the text dumps users already have.
    """
    data = _tesseract_data(page.image, settings)
    words: list[Word] = []
    line_texts: list[str] = []
    current_key = None
    current_block = None
    for i, raw in enumerate(data["text"]):
        text = _word_text(raw)
        if not text:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != current_key:
            if current_block is not None and key[0] != current_block:
                line_texts.append("")
            line_texts.append(text)
            current_key, current_block = key, key[0]
        else:
            line_texts[-1] += " " + text
        box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
        words.append(Word(text=text, conf=float(data["conf"][i]), box=box, line=len(line_texts) - 1))
    if settings.mark_pass_psm is not None and len(lost_tones(words)) >= settings.mark_pass_after:
        other = ocr_words(page.image, replace(settings, psm=settings.mark_pass_psm, mark_pass_psm=None))
        words = prefer_marked_readings(words, other)
        line_texts = [" ".join(w.text for w in words if w.line == k) if text else text
                      for k, text in enumerate(line_texts)]
    height, width = page.image.shape[:2]
    result = Page(
        number=page.number, text="\n".join(line_texts), source="ocr", words=words,
        width=width, height=height, dpi=page.dpi, quality=dict(page.notes),
    )
    result.quality["mean_conf"] = result.mean_conf
    result.quality["words"] = len(words)
    return result


# Tone marks (dấu thanh): grave, acute, tilde, hook above, dot below.  Not the circumflex,
# breve or horn, which make another letter.
_EDGE_PUNCT = "\"'“”‘’()[]{},.;:!?…-–"
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Two readings that differ otherwise (another tone, đ for d) are settled by confidence: the
# other reading must be this much surer.  On the real pages it takes "miền" 64 -> "miễn" 95,
# "đề" 68 -> "để" 93, "đự" 76 -> "dự" 96, and leaves "cấp" 94 / "cáp" 95, "dột" 92 / "đột" 96.
SURER_BY = 10.0
# Boxes this much overlapped (intersection over union) are the same word read twice.
SAME_WORD_IOU = 0.5


# A checked syllable (one ending in p, t, c, ch) takes the sắc or nặng tone, always: read
# without one on a stacked-mark vowel ("đât", "quyêt", "câp"), its tone was lost.
_CHECKED_STACKED = re.compile(r"(?i)^[^\W\d_]*[âêôăơư][^\W\d_]*?(?:p|t|c|ch)$")


def lost_tones(words: list[Word]) -> list[str]:
    """The words that cannot be read as written: a checked syllable on â/ê/ô/ă/ơ/ư without
    its tone ("đât", "quyêt").  Their count tells a page whose tones Tesseract is dropping."""
    lost = []
    for w in words:
        core = w.text.strip(_EDGE_PUNCT)
        if _CHECKED_STACKED.match(core) and without_tones(core) == core:
            lost.append(core)
    return lost


def without_tones(text: str) -> str:
    """``text`` with its tone marks removed, other marks kept ("quyết" -> "quyêt", "Ủy" -> "Uy")."""
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if c not in _TONES))


# Vowels whose tone psm 6 loses: one already under a mark (circumflex, breve, horn), or a
# capital, where the stack rises above the line's letters ("đât", "TINH", "QUANG").
_STACKED = frozenset("âêôăơưÂÊÔĂƠƯ")


def _stacked_tones(marked: str, bare: str) -> bool:
    """True when ``marked`` is ``bare`` with tones added only on stacked vowels (above them: a dot
    below is no stack, and psm 4 takes the comma of "thi," for one).  On a plain small vowel psm 6
    keeps its tone, and the other mode's extra one is noise ("kỳ thi" read "kỳ thì" at 200 DPI)."""
    if len(marked) != len(bare):
        return False
    for m, b in zip(marked, bare):
        if m != b and (not (b in _STACKED or b.isupper()) or "\u0323" in unicodedata.normalize("NFD", m)):
            return False
    return True


def prefer_marked_readings(words: list[Word], other: list[Word]) -> list[Word]:
    """``words`` with each replaced by the other reading of the same box when that is the same
    letters with a tone mark the first dropped ("sô" -> "số"), or the same letters read surer by
    :data:`SURER_BY`.  Tesseract loses a tone stacked on â/ê/ô/ă/ơ ("đât", "quyêt", "Điêu")
    in one page mode or the other; a mark it saw in either is evidence of ink."""
    if not other:
        return list(words)
    other = sorted(other, key=lambda o: o.box[1])
    tops = [o.box[1] for o in other]
    tallest = max(o.box[3] for o in other)
    out = []
    for w in words:
        x0, y0, width, height = w.box
        best, best_iou = None, 0.0
        for o in other[bisect_left(tops, y0 - tallest):bisect_left(tops, y0 + height)]:
            ox0, oy0, ow, oh = o.box
            ix = min(x0 + width, ox0 + ow) - max(x0, ox0)
            iy = min(y0 + height, oy0 + oh) - max(y0, oy0)
            if ix > 0 and iy > 0:
                iou = ix * iy / (width * height + ow * oh - ix * iy)
                if iou > best_iou:
                    best, best_iou = o, iou
        if best is not None and best_iou >= SAME_WORD_IOU and best.text != w.text:
            if without_tones(best.text) == w.text and _stacked_tones(best.text, w.text):
                w = replace(w, text=best.text)  # the tone this reading dropped
            elif (without_tones(w.text) != best.text  # (not the tone the other one dropped)
                  and strip_diacritics(best.text).lower() == strip_diacritics(w.text).lower()
                  and best.conf >= w.conf + SURER_BY):
                w = replace(w, text=best.text, conf=best.conf)
        out.append(w)
    return out


def ocr_words(image, settings: OcrSettings = OcrSettings(), *, offset: tuple[float, float] = (0, 0),
              scale: float = 1.0, first_line: int = 0) -> list[Word]:
    """Tesseract's words of an image (a region's crop): boxes mapped by ``* scale + offset``,
    lines numbered from ``first_line`` in Tesseract's order."""
    data = _tesseract_data(image, settings)
    words: list[Word] = []
    lines: dict[tuple[int, int, int], int] = {}
    for i, raw in enumerate(data["text"]):
        text = _word_text(raw)
        if not text:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        line = lines.setdefault(key, first_line + len(lines))
        box = (round(data["left"][i] * scale + offset[0]), round(data["top"][i] * scale + offset[1]),
               round(data["width"][i] * scale), round(data["height"][i] * scale))
        words.append(Word(text=text, conf=float(data["conf"][i]), box=box, line=line))
    return words


def ocr_symbols(image, settings: OcrSettings = OcrSettings(), *, offset: tuple[float, float] = (0, 0),
                scale: float = 1.0) -> list[tuple[str, int, int, int, int]]:
    """Tesseract's characters of a one-line image, each ``(char, x0, y0, x1, y1)`` mapped by
    ``* scale + offset``: where a word glued print to pen ink, where inside it the print is."""
    boxes = _tesseract(pytesseract.image_to_boxes, image, lang=settings.lang,
                       config=f"--oem {settings.oem} --psm 7")
    height = image.shape[0]
    symbols = []
    for row in boxes.splitlines():
        char, *rest = row.split(" ")
        if len(rest) < 4:
            continue
        left, bottom, right, top = (int(v) for v in rest[:4])  # origin bottom-left
        symbols.append((char, round(left * scale + offset[0]), round((height - top) * scale + offset[1]),
                        round(right * scale + offset[0]), round((height - bottom) * scale + offset[1])))
    return symbols


def _tesseract_data(image, settings: OcrSettings) -> dict:
    """Tesseract's words of an image, as pytesseract's dict of columns."""
    return _tesseract(pytesseract.image_to_data, image, lang=settings.lang, config=settings.config(),
                      output_type=pytesseract.Output.DICT)


def _tesseract(call, image, **options):
    """``call`` (a pytesseract function) on ``image`` written uncompressed to a temporary file."""
    with tempfile.TemporaryDirectory(prefix="vanban-ocr-") as tmp:
        try:
            return call(str(_write_uncompressed(image, Path(tmp))), **options)
        except pytesseract.TesseractNotFoundError:
            raise MissingDependency(_NO_TESSERACT) from None


def _write_uncompressed(image, folder: Path) -> Path:
    """Write the page as PGM/PPM for Tesseract: pytesseract's default PNG costs ~0.1 s a page."""
    import cv2

    if image.ndim == 2:
        path = folder / "page.pgm"
        ok = cv2.imwrite(str(path), image)
    else:
        path = folder / "page.ppm"
        ok = cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"could not write the page image for Tesseract in {folder}")
    return path
