"""One document through every stage: ingest → rasterize → cleanup → OCR → restore → extract.

Each stage is a function from one plain dataclass to the next (see
``document.py``); this module only composes them, the way OCRmyPDF's
``_pipeline.py`` composes its page steps.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .align import OffsetMap
from .cleanup import clean_page
from .document import Document, InputError, Page, PageImage
from .extract import extract_text
from .ingest import (
    detect_kind, pdf_page_count, pdf_text_layer, read_text_file, sha256_of,
)
from .ocr import OcrSettings, ocr_page
from .rasterize import DPI, load_image_pages, rasterize_pdf_page
from .restore import needs_restoration, restore_text
from .vietnamese import looks_vietnamese

log = logging.getLogger(__name__)

PageCallback = Callable[[Page], None]


@dataclass(frozen=True)
class Settings:
    """Everything that changes results; its key decides whether a re-run redoes a file."""

    dpi: int = DPI
    ocr: OcrSettings = field(default_factory=OcrSettings)
    use_text_layer: bool = True  # a PDF page with a good text layer skips OCR
    restore: bool = True  # restore diacritics when the document needs it

    def key(self) -> str:
        """Pipeline version + settings, hashed: stored with every document."""
        blob = f"{__version__}|{sorted(asdict(self).items())}"
        return f"{__version__}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}"


def count_pages(path: Path) -> int:
    """Pages a file will produce (for progress); 1 when it cannot be known cheaply."""
    try:
        kind = detect_kind(path)
        return pdf_page_count(path) if kind == "pdf" else 1
    except InputError:
        return 1


def read_document(path: Path, settings: Settings = Settings(),
                  on_page: PageCallback | None = None) -> Document:
    """Ingest a file into a Document of pages of text (OCR'd when needed)."""
    path = Path(path)
    kind = detect_kind(path)
    doc = Document(path=path, sha256=sha256_of(path), kind=kind)
    for page in _read_pages(path, kind, settings):
        doc.pages.append(page)
        if on_page is not None:
            on_page(page)
    empty = [p.number for p in doc.pages if not p.text.strip()]
    if len(empty) == len(doc.pages):
        raise InputError(path, "no text found (empty page)" if len(empty) == 1
                         else f"no text found on any of {len(empty)} pages")
    for number in empty:
        log.warning("%s: page %d is empty (no text found); kept as an empty page", path, number)
    return doc


def _read_pages(path: Path, kind: str, settings: Settings) -> Iterator[Page]:
    if kind == "text":
        yield Page(number=1, text=read_text_file(path), source="text")
    elif kind == "pdf":
        for number in range(1, pdf_page_count(path) + 1):
            yield _read_pdf_page(path, number, settings)
    else:
        for image in load_image_pages(path):
            yield _ocr(image, settings)


def _read_pdf_page(path: Path, number: int, settings: Settings) -> Page:
    if settings.use_text_layer:
        text = pdf_text_layer(path, number)
        if text is not None:
            return Page(number=number, text=text, source="text-layer")
    return _ocr(rasterize_pdf_page(path, number, settings.dpi), settings)


def _ocr(image: PageImage, settings: Settings) -> Page:
    return ocr_page(clean_page(image), settings.ocr)


def restore_document(doc: Document) -> Document:
    """Restore diacritics page by page when the text has lost them; else return doc as is."""
    if not needs_restoration(doc.text):
        return doc
    pages = [replace(p, text=restore_text(p.text)) for p in doc.pages]
    return replace(doc, pages=pages, restored=True)


def extract_document(doc: Document, original: Document | None = None) -> dict:
    """Extraction JSON for a document; raw/span point into the original text when restored."""
    result = extract_text(doc.text, doc.name)
    if original is not None and original.text != doc.text:
        offsets = OffsetMap(original.text, doc.text)
        for field_name in ("doc_refs", "dates", "counts", "money"):
            for item in result.get(field_name, []):
                if "span" in item:
                    start, end = offsets.span(*item["span"])
                    item["span"] = [start, end]
                    item["raw"] = original.text[start:end]
    return result


def process_file(path: Path, settings: Settings = Settings(),
                 on_page: PageCallback | None = None) -> tuple[Document, dict]:
    """Every stage for one file: returns the (restored) document and its extraction."""
    doc = read_document(path, settings, on_page)
    if not looks_vietnamese(doc.text):
        raise InputError(path, "not Vietnamese text (too few Vietnamese syllables)")
    restored = restore_document(doc) if settings.restore else doc
    return restored, extract_document(restored, doc)
