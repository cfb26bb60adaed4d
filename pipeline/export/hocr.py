"""hOCR 1.2 of a document: pages, layout regions, lines and words on the original page.

One ``ocr_page`` per OCR'd page (``bbox`` = the page as scanned, in its pixels: the PDF page
rendered at 300 DPI, an image file's own pixels), one ``ocr_carea`` per layout region (its kind
in ``x_region``), an ``ocr_par`` holding its ``ocr_line`` s, ``ocrx_word`` s with ``x_wconf``
(Tesseract's confidence) and vanban's final text.  A page that was turned or skewed on the scan
carries ``textangle`` (quarter turns) or a ``baseline`` slope on its lines.  OCRmyPDF's own
hOCR parser reads it (:mod:`pipeline.export.pdf` builds the PDF text layer from the same pages).
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from .. import __version__
from .words import Box, OutPage

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" lang="vi">
 <head>
  <title>{title}</title>
  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
  <meta name="ocr-system" content="vanban {version}"/>
  <meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"/>
 </head>
 <body>
"""


def _bbox(box: Box) -> str:
    return "bbox " + " ".join(str(round(v)) for v in box)


def page_hocr(page: OutPage, image: str = "", index: int = 0) -> str:
    """The ``ocr_page`` div of one page (``index``: 0-based position in the file)."""
    n = page.number
    title = f'image "{escape(image, quote=False)}"; ' if image else ""
    title += f"{_bbox((0, 0, page.width, page.height))}; ppageno {index}; scan_res {page.dpi} {page.dpi}"
    out = [f'  <div class="ocr_page" id="page_{n}" title=\'{escape(title)}\'>']
    angle = page.quarter_turn
    word_no = line_no = 0
    for b, block in enumerate(page.blocks, 1):
        box = _bbox(block.box)
        out.append(f'   <div class="ocr_carea" id="block_{n}_{b}" title="{box}; x_region {escape(block.kind)}">')
        out.append(f'    <p class="ocr_par" id="par_{n}_{b}" lang="vie" title="{box}">')
        for line in block.lines:
            line_no += 1
            props = [_bbox(line.box)]
            if line.baseline is not None:
                props.append(f"baseline {line.baseline[0]:g} {line.baseline[1]:g}")
            if angle:
                props.append(f"textangle {angle}")
            out.append(f'     <span class="ocr_line" id="line_{n}_{line_no}" title="{"; ".join(props)}">')
            for word in line.words:
                word_no += 1
                conf = f"; x_wconf {max(0, round(word.conf))}" if word.conf >= 0 else ""
                out.append(f'      <span class="ocrx_word" id="word_{n}_{word_no}" '
                           f'title="{_bbox(word.box)}{conf}">{escape(word.text, quote=False)}</span>')
            out.append("     </span>")
        out.append("    </p>")
        out.append("   </div>")
    out.append("  </div>")
    return "\n".join(out) + "\n"


def document_hocr(pages: list[OutPage], title: str = "", image: str = "") -> str:
    """A whole hOCR file of the OCR'd pages of one document."""
    head = _HEAD.format(title=escape(title, quote=False), version=__version__)
    body = "".join(page_hocr(p, image, p.number - 1) for p in pages)
    return head + body + " </body>\n</html>\n"


def write_hocr(pages: list[OutPage], target: Path, title: str = "", image: str = "") -> Path:
    """Write :func:`document_hocr` to ``target`` (atomically: a temporary file renamed)."""
    from .files import write_atomic

    return write_atomic(Path(target), document_hocr(pages, title, image).encode("utf-8"))
