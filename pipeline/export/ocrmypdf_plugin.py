"""An OCRmyPDF OCR-engine plugin that "reads" a page by returning the words vanban already has.

OCRmyPDF (used as a library by :mod:`pipeline.export.pdf`) does everything else: it keeps the
input's page images untouched, renders the invisible text layer with its fpdf2 renderer and an
embedded font, grafts it onto each page and makes PDF/A.  For each page it asks this engine for
the page's OCR as an element tree; the engine answers with the page vanban OCR'd (the JSON file
named by ``--vanban-pages``: :class:`pipeline.export.words.OutPage` s on the original raster),
scaled to the image OCRmyPDF rasterized, written as hOCR (:mod:`pipeline.export.hocr`) and read
back by OCRmyPDF's own hOCR parser.  Loaded by module name (``plugins=[__name__]``).
"""
from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ocrmypdf import hookimpl
from ocrmypdf.hocrtransform import HocrParser, OcrClass, OcrElement
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from PIL import Image

from .. import __version__
from .hocr import _HEAD, page_hocr
from .words import OutBlock, OutLine, OutPage, OutWord


def pages_to_json(pages: list[OutPage]) -> str:
    """The pages for the engine: ``{"<number>": OutPage as lists}``."""
    def page(p: OutPage) -> dict:
        return {"number": p.number, "width": p.width, "height": p.height, "dpi": p.dpi, "angle": p.angle,
                "blocks": [[b.kind, [[[list(w) for w in ((wd.text, wd.conf, wd.box) for wd in line.words)],
                                      line.box, line.baseline] for line in b.lines]] for b in p.blocks]}
    return json.dumps({str(p.number): page(p) for p in pages}, ensure_ascii=False)


def _page_from(d: dict) -> OutPage:
    blocks = tuple(OutBlock(kind, tuple(
        OutLine(tuple(OutWord(t, c, tuple(b)) for t, c, b in words), tuple(box),
                tuple(baseline) if baseline else None) for words, box, baseline in lines))
        for kind, lines in d["blocks"])
    return OutPage(d["number"], d["width"], d["height"], d["dpi"], d["angle"], blocks)


@lru_cache(maxsize=4)
def _load(path: str, stamp: float) -> dict[int, OutPage]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {int(k): _page_from(v) for k, v in data.items()}


def scaled(page: OutPage, width: float, height: float) -> OutPage:
    """``page`` on a raster of ``width`` x ``height`` pixels (the same page rendered at another DPI)."""
    sx, sy = width / page.width, height / page.height
    if abs(sx - 1) < 1e-9 and abs(sy - 1) < 1e-9:
        return page

    def box(b):
        return (b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy)

    blocks = tuple(OutBlock(b.kind, tuple(
        OutLine(tuple(OutWord(w.text, w.conf, box(w.box)) for w in line.words), box(line.box),
                (line.baseline[0] * sy / sx, line.baseline[1] * sy) if line.baseline else None)
        for line in b.lines)) for b in page.blocks)
    return replace(page, width=width, height=height, dpi=round(page.dpi * sx), blocks=blocks)


def level_words(page: OutPage) -> OutPage:
    """A deskewed page's sloping lines as one level line per word, for the text layer.

    Text extractors (poppler's pdftotext) read a line drawn along a sloping baseline as
    pieces of several lines (a 2° slope over a 15 cm line rises 5 mm), and lose the spaces
    between its words; words drawn level, each in its own box, read back in order with their
    spaces (generated page skewed 2°: CER against the stored text 0.21 -> 0).
    """
    if not any(line.baseline for b in page.blocks for line in b.lines):
        return page
    blocks = tuple(OutBlock(b.kind, tuple(
        piece for line in b.lines
        for piece in ((OutLine((w,), w.box) for w in line.words) if line.baseline else (line,))))
        for b in page.blocks)
    return replace(page, blocks=blocks)


class VanbanEngine(OcrEngine):
    """The words vanban read, as OCRmyPDF's OCR engine."""

    @staticmethod
    def version() -> str:
        return __version__

    @staticmethod
    def creator_tag(options) -> str:
        return f"vanban {__version__} (Tesseract, Vietnamese marks mended)"

    def __str__(self) -> str:
        return f"vanban {__version__}"

    @staticmethod
    def languages(options) -> set[str]:
        return {"vie"}

    @staticmethod
    def get_orientation(input_file: Path, options) -> OrientationConfidence:
        return OrientationConfidence(angle=0, confidence=0.0)

    @staticmethod
    def get_deskew(input_file: Path, options) -> float:
        return 0.0

    @staticmethod
    def supports_generate_ocr() -> bool:
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options, page_number: int = 0) -> tuple[OcrElement, str]:
        with Image.open(input_file) as img:
            width, height = img.size
            dpi = float((img.info.get("dpi") or (300, 300))[0])
        path = options.vanban_pages
        pages = _load(str(path), Path(path).stat().st_mtime)
        page = pages.get(page_number + 1)
        if page is None or not page.blocks:
            return OcrElement(ocr_class=OcrClass.PAGE, bbox=_box(width, height), dpi=dpi,
                              page_number=page_number), ""
        page = replace(level_words(scaled(page, width, height)), dpi=round(dpi))
        hocr = Path(input_file).with_name(f"{Path(input_file).stem}.vanban.hocr")
        hocr.write_text(_HEAD.format(title="", version=__version__) + page_hocr(page, index=page_number)
                        + " </body>\n</html>\n", encoding="utf-8")
        tree = HocrParser(hocr).parse()
        tree.dpi = dpi
        return tree, page.text + "\n"

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options) -> None:
        raise NotImplementedError("vanban's engine gives its pages through generate_ocr")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options) -> None:
        raise NotImplementedError("vanban's engine gives its pages through generate_ocr")


def _box(width: float, height: float):
    from ocrmypdf.hocrtransform import BoundingBox

    return BoundingBox(left=0, top=0, right=width, bottom=height)


@hookimpl
def add_options(parser) -> None:
    group = parser.add_argument_group("vanban", "The words vanban read, as the OCR engine")
    group.add_argument("--vanban-pages", metavar="FILE.json",
                       help="The pages vanban read (pipeline.export.ocrmypdf_plugin.pages_to_json).")


@hookimpl
def get_ocr_engine(options) -> OcrEngine:
    return VanbanEngine()


@hookimpl
def rasterize_pdf_page(input_file, output_file, raster_device, raster_dpi, pageno, page_dpi, rotation,
                       filter_vector, stop_on_soft_error, options, use_cropbox):
    """The page OCRmyPDF would render for its OCR engine, sized but not rendered.

    vanban's engine reads no pixels (it has its words already), only the image's size, and
    rendering a scan at 300 DPI was 85% of the PDF's time (1.8 s a page).  The size is the
    one OCRmyPDF's pypdfium2 rasterizer gives (page size x DPI, a quarter turn swapping it).
    """
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(input_file))
    try:
        width_pt, height_pt = pdf[pageno - 1].get_size()
    finally:
        pdf.close()
    dpi = raster_dpi.round(6)
    width, height = int(round(width_pt * dpi.x / 72.0)), int(round(height_pt * dpi.y / 72.0))
    if rotation and rotation % 180 == 90:
        width, height = height, width
    resolution = page_dpi or dpi
    Image.new("1", (width, height), 1).save(output_file, format="PNG",
                                            dpi=(float(resolution.x), float(resolution.y)))
    return output_file
