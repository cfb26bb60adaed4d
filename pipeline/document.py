"""The plain dataclasses that flow from one stage to the next.

A scanned file becomes a :class:`Document` of :class:`Page` objects; each OCR'd
page keeps its :class:`Word` boxes so that every extracted figure can point back
to where it was read.  Stages never mutate another stage's objects in place:
they return new ones (``dataclasses.replace``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError  # noqa: F401 (its users import it from here)
from .io.names import stored_path

if TYPE_CHECKING:  # annotations only: this module does not import numpy
    import numpy as np

# A page break in the text of a multi-page document: a line holding only a form feed.
PAGE_BREAK = "\f"
# The lists of mentions an extraction holds (SCHEMA.md), in its order.
MENTION_FIELDS = ("doc_refs", "dates", "counts", "money")


@dataclass(frozen=True)
class Word:
    """One word as Tesseract read it."""

    text: str
    conf: float  # Tesseract confidence, 0-100 (-1 when unknown)
    box: tuple[int, int, int, int]  # left, top, width, height in page pixels
    line: int  # 0-based index of the text line on its page


@dataclass(frozen=True)
class TableCell:
    """One cell of a ruled table (an annex, "Phụ lục") read on a page."""

    table: int  # 1-based table number on its page, top to bottom
    row: int  # 0-based grid position of the cell's top-left corner
    col: int
    text: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels
    rowspan: int = 1
    colspan: int = 1
    conf: float | None = None


@dataclass(frozen=True)
class Region:
    """One region of a page's layout (Nghị định 30/2020/NĐ-CP document layout), in reading order.

    ``kind``: header_left (cơ quan ban hành), header_right (quốc hiệu, tiêu ngữ), number_line
    ("Số: …"), date_line ("<place>, ngày … tháng … năm …"), title (tên loại and trích yếu,
    centred under the header), body,
    recipients ("Nơi nhận:" list), signature (chức vụ, name), stamp (e-signature or received
    stamp text: kept apart from the page text), note (a routing note the receiving office added
    beside the subject: kept apart too), noise (seal text, edge specks: dropped).
    """

    kind: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels
    text: str = ""
    conf: float | None = None  # mean Tesseract confidence of its words
    lines: tuple[int, int] = (0, 0)  # its lines in the page text: [first, end), 0-based; (0, 0) if none
    role: str = ""  # a handwriting region's header field: "number", "day", "month"


@dataclass
class PageImage:
    """A page raster on its way to OCR (``image`` is a numpy array, gray or BGR)."""

    number: int  # 1-based page number in its document
    image: np.ndarray
    dpi: int
    notes: dict = field(default_factory=dict)  # what cleanup did and measured (skew, ...)


@dataclass
class Page:
    """The text of one page, with its words when it came from OCR."""

    number: int  # 1-based
    text: str  # lines joined by "\n", no trailing page break
    source: str  # "ocr" | "text-layer" | "text"
    words: list[Word] = field(default_factory=list)
    width: int = 0
    height: int = 0
    dpi: int = 0
    quality: dict = field(default_factory=dict)  # mean_conf, skew, estimated dpi, ...
    tables: list[TableCell] = field(default_factory=list)  # ruled annex tables, cell by cell
    regions: list[Region] = field(default_factory=list)  # layout, in reading order (OCR'd pages)

    @property
    def mean_conf(self) -> float | None:
        """Mean Tesseract confidence of the page's words, or None without OCR words."""
        confs = [w.conf for w in self.words if w.conf >= 0]
        return sum(confs) / len(confs) if confs else None


@dataclass
class Document:
    """One input file and its pages."""

    path: Path
    sha256: str
    kind: str  # "pdf" | "image" | "text"
    pages: list[Page] = field(default_factory=list)
    restored: bool = False  # diacritics were restored by the restore stage

    @property
    def name(self) -> str:
        """The file name as stored: NFC, bytes that are not UTF-8 as ``\\xNN`` (:mod:`pipeline.io.names`)."""
        return stored_path(self.path.name)

    @property
    def text(self) -> str:
        """Whole-document text: pages joined by a line holding only a form feed."""
        return f"\n{PAGE_BREAK}\n".join(p.text for p in self.pages)


