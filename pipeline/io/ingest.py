"""Ingest: decide what an input file is and read what can be read without OCR.

Every refusal is an :class:`~pipeline.document.InputError` whose message is one
line naming the file and the reason, so a batch can report it and go on.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..document import InputError
from ..errors import MissingDependency
from .legacy import decode_tcvn3, fix_tcvn3_mojibake, vietnamese_validity
from ..script import diacritic_share, nfc

PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
TEXT_SUFFIXES = {".txt"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | TEXT_SUFFIXES

# Magic numbers: what the bytes say the file is, whatever its name claims.
_MAGIC = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
]

# A text layer is "good" when it holds enough letters and looks like real Vietnamese
# (an old English-model OCR layer has almost no diacritics and is better redone).
MIN_TEXT_LAYER_CHARS = 40
MIN_TEXT_LAYER_DIACRITIC_SHARE = 0.2
# ... and when most of its words are possible syllables: typed text and our transcriptions
# score 0.89-0.96 (seeds 003/004, the evaluation's realscans/transcriptions), a poor OCR layer that
# lost marks and letters ("thức hin", "Kết lùn") 0.65: such a page is OCR'd again.
MIN_TEXT_LAYER_VALIDITY = 0.8


def sha256_of(path: Path) -> str:
    """Content hash of a file: the identity used to skip unchanged inputs on re-runs."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_kind(path: Path) -> str:
    """Return "pdf", "image" or "text" for a readable, non-empty, supported file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise InputError(path, f"unreadable file ({exc.strerror or exc})") from None
    if size == 0:
        raise InputError(path, "empty file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(path, f"unsupported format '{suffix or path.name}'")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if suffix in TEXT_SUFFIXES or (kind == "pdf") != (suffix in PDF_SUFFIXES):
                raise InputError(path, f"content is {kind.upper()} but the name says '{suffix}'")
            return kind
    if suffix in TEXT_SUFFIXES:
        return "text"
    what = "PDF" if suffix in PDF_SUFFIXES else "image"
    raise InputError(path, f"corrupt {what}: not a {what} file (bad header)")


def decode_text(data: bytes, path: Path | str = "-") -> str:
    """Decode a text dump: UTF-8 (BOM or not), UTF-16 (BOM or not), Windows-1258 or TCVN3.

    Returns NFC text with "\\n" line ends.  Without a BOM, 8-bit text is read
    both as Windows-1258 and as TCVN3 and the reading with more valid Vietnamese
    words wins (Windows-1258 on a tie).
    """
    encoding = _utf16_without_bom(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    elif encoding:
        text = data.decode(encoding, "replace")
    else:
        try:
            text = fix_tcvn3_mojibake(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            text = _decode_legacy(data, path)
    if "\x00" in text:
        raise InputError(path, "binary data in a text file")
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte is NUL, as in ASCII-heavy UTF-16."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes, path: Path | str) -> str:
    candidates = []
    try:
        # Windows-1258 is the legacy Vietnamese code page of old office PCs.
        candidates.append(nfc(data.decode("cp1258")))
    except UnicodeDecodeError:
        pass
    candidates.append(decode_tcvn3(data))
    best = max(candidates, key=vietnamese_validity)  # max keeps the first on a tie
    if vietnamese_validity(best) < 0.5 and len(candidates) == 1:
        raise InputError(path, "text is neither UTF-8, UTF-16, Windows-1258 nor TCVN3")
    return best


def read_text_file(path: Path) -> str:
    """Read a .txt input; empty or whitespace-only text is refused."""
    text = decode_text(Path(path).read_bytes(), path)
    if not text.strip():
        raise InputError(path, "empty text (only whitespace)")
    return text


def pdf_page_count(path: Path) -> int:
    """Number of pages of a PDF, refusing corrupt, encrypted and zero-page files."""
    try:
        proc = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, timeout=60
        )
    except FileNotFoundError:
        raise MissingDependency("pdfinfo not found: install poppler-utils (make setup)") from None
    except subprocess.TimeoutExpired:
        raise InputError(path, "corrupt PDF (pdfinfo timed out)") from None
    err = proc.stderr.strip()
    if proc.returncode != 0:
        if "Incorrect password" in err or "encrypted" in err.lower():
            raise InputError(path, "encrypted PDF (password required)")
        if "Invalid page count 0" in err:
            raise InputError(path, "PDF has no pages")
        first = err.splitlines()[-1] if err else f"pdfinfo exit {proc.returncode}"
        raise InputError(path, f"corrupt PDF ({first})")
    match = re.search(r"^Pages:\s+(\d+)", proc.stdout, re.M)
    pages = int(match.group(1)) if match else 0
    if pages == 0:
        raise InputError(path, "PDF has no pages")
    return pages


def pdf_page_size(path: Path, page: int) -> tuple[float, float]:
    """Width and height of one PDF page in points (1/72 inch), rotation ignored."""
    proc = subprocess.run(
        ["pdfinfo", "-f", str(page), "-l", str(page), str(path)],
        capture_output=True, text=True, timeout=60,
    )
    match = re.search(r"^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)", proc.stdout, re.M)
    if proc.returncode != 0 or not match:
        raise InputError(path, f"corrupt PDF (no size for page {page})")
    return float(match.group(1)), float(match.group(2))


# A text layer whose words all sit in a box smaller than this share of the page is an
# overlay, not the page's text: the e-signature stamp that signing software writes over a
# scanned page ("TRUNG TÂM CÔNG BÁO VÀ TIN HỌC … 05.02.2025 15:35:18 +07:00", 2-4% of the
# page on the real signed scans); a searchable PDF's text layer covers 40-80%.
MIN_TEXT_LAYER_COVERAGE = 0.15


def pdf_text_box(path: Path, page: int) -> tuple[tuple[float, float, float, float] | None, float]:
    """(box around all words of the page's text layer in points or None, share of the page it covers)."""
    proc = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True, timeout=120,
    )
    if proc.returncode != 0:
        return None, 0.0
    html = proc.stdout.decode("utf-8", "replace")
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    boxes = [tuple(map(float, m)) for m in re.findall(
        r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)"', html)]
    if not size or not boxes:
        return None, 0.0
    area = float(size[1]) * float(size[2])
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return box, (max(0.0, (box[2] - box[0]) * (box[3] - box[1])) / area if area else 0.0)


def pdf_page_is_scan(path: Path, page: int) -> bool:
    """True when one image covers at least half of the page (a scanned page, not a typed one)."""
    proc = subprocess.run(["pdfimages", "-list", "-f", str(page), "-l", str(page), str(path)],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        return False
    width_pt, height_pt = pdf_page_size(path, page)
    for row in proc.stdout.splitlines()[2:]:
        cols = row.split()
        if len(cols) < 14 or cols[2] not in ("image", "stencil"):
            continue
        try:
            w, h, xppi, yppi = int(cols[3]), int(cols[4]), float(cols[12]), float(cols[13])
        except ValueError:
            continue
        if xppi > 0 and yppi > 0 and (w / xppi * 72) * (h / yppi * 72) >= 0.5 * width_pt * height_pt:
            return True
    return False


@dataclass(frozen=True)
class TextLayer:
    """What one PDF page's text layer holds: the page's text, or an overlay's (or nothing)."""

    text: str | None = None  # the page's text, good enough to skip OCR
    stamp: tuple[str, tuple[float, float, float, float]] | None = None  # an overlay's text, box in points


def read_text_layer(path: Path, page: int) -> TextLayer:
    """One PDF page's text layer, read once: its text when good enough to skip OCR, or, for an
    overlay on a scanned page (an e-signature stamp, see :data:`MIN_TEXT_LAYER_COVERAGE`),
    the overlay's text and box, which is not the page's text."""
    raw = _pdf_raw_text(path, page)
    if raw is None or not raw.strip():
        return TextLayer()
    box, coverage = pdf_text_box(path, page)
    if coverage < MIN_TEXT_LAYER_COVERAGE and pdf_page_is_scan(path, page):
        text = "\n".join(ln.strip() for ln in raw.split("\n") if ln.strip())
        return TextLayer(stamp=(text, box) if box is not None else None)
    return TextLayer(text=_good_text_layer(raw))


def pdf_text_layer(path: Path, page: int) -> str | None:
    """The text layer of one PDF page when it is good enough to skip OCR, else None."""
    return read_text_layer(path, page).text


def _pdf_raw_text(path: Path, page: int) -> str | None:
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        timeout=120,
    )
    if proc.returncode != 0:
        return None
    return nfc(proc.stdout.decode("utf-8", "replace")).replace("\f", "")


def _good_text_layer(raw: str) -> str | None:
    # Old PDFs typed in TCVN3 fonts extract as Latin-1 mojibake ("N«ng"): map it back.
    text = fix_tcvn3_mojibake(raw)
    lines = [ln.rstrip() for ln in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    letters = sum(c.isalpha() for c in text)
    if (letters < MIN_TEXT_LAYER_CHARS or diacritic_share(text) < MIN_TEXT_LAYER_DIACRITIC_SHARE
            or vietnamese_validity(text) < MIN_TEXT_LAYER_VALIDITY):
        return None
    return text
