"""ALTO XML v4 of a document: pages, layout regions, lines and words on the original page.

``MeasurementUnit`` pixel: positions are pixels of the page as scanned (the PDF page rendered
at 300 DPI, an image file's own pixels), ``Page WIDTH/HEIGHT`` its size.  One ``TextBlock`` per
layout region (its kind as a ``LayoutTag`` the block's ``TAGREFS`` names; ``ROTATION`` when the
scan was turned), ``TextLine`` s of ``String`` s (``CONTENT`` = vanban's final text, ``WC`` =
Tesseract's confidence / 100) with ``SP`` between them.  Valid against the ALTO 4.2 schema
(``tests/export/test_alto.py`` checks it when the schema is at hand).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .. import __version__
from .words import Box, OutPage

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "http://www.loc.gov/alto/v4/alto-4-2.xsd"


def _pos(element: ET.Element, box: Box) -> ET.Element:
    x0, y0, x1, y1 = box
    element.set("HPOS", str(round(x0)))
    element.set("VPOS", str(round(y0)))
    element.set("WIDTH", str(max(0, round(x1) - round(x0))))
    element.set("HEIGHT", str(max(0, round(y1) - round(y0))))
    return element


def document_alto(pages: list[OutPage], file_name: str = "") -> ET.ElementTree:
    """The ALTO tree of the OCR'd pages of one document."""
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    q = lambda tag: f"{{{NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("alto"), {f"{{{XSI}}}schemaLocation": f"{NS} {SCHEMA}", "SCHEMAVERSION": "4.2"})
    description = ET.SubElement(root, q("Description"))
    ET.SubElement(description, q("MeasurementUnit")).text = "pixel"
    if file_name:
        source = ET.SubElement(description, q("sourceImageInformation"))
        ET.SubElement(source, q("fileName")).text = file_name
    processing = ET.SubElement(description, q("Processing"), ID="PROC_1")
    ET.SubElement(processing, q("processingCategory")).text = "contentGeneration"
    software = ET.SubElement(processing, q("processingSoftware"))
    ET.SubElement(software, q("softwareName")).text = "vanban"
    ET.SubElement(software, q("softwareVersion")).text = __version__
    kinds = sorted({b.kind for p in pages for b in p.blocks})
    if kinds:
        tags = ET.SubElement(root, q("Tags"))
        for kind in kinds:
            ET.SubElement(tags, q("LayoutTag"), ID=f"TAG_{kind}", TYPE="region", LABEL=kind)
    layout = ET.SubElement(root, q("Layout"))
    for page in pages:
        n = page.number
        page_el = ET.SubElement(layout, q("Page"), ID=f"PAGE_{n}", PHYSICAL_IMG_NR=str(n),
                                WIDTH=str(round(page.width)), HEIGHT=str(round(page.height)))
        space = _pos(ET.SubElement(page_el, q("PrintSpace"), ID=f"PS_{n}"), (0, 0, page.width, page.height))
        line_no = word_no = 0
        for b, block in enumerate(page.blocks, 1):
            block_el = _pos(ET.SubElement(space, q("TextBlock"), ID=f"BLOCK_{n}_{b}"), block.box)
            if page.quarter_turn:
                block_el.set("ROTATION", str(page.quarter_turn))
            block_el.set("TAGREFS", f"TAG_{block.kind}")
            block_el.set("LANG", "vi")
            for line in block.lines:
                line_no += 1
                line_el = _pos(ET.SubElement(block_el, q("TextLine"), ID=f"LINE_{n}_{line_no}"), line.box)
                for i, word in enumerate(line.words):
                    if i:
                        prev = line.words[i - 1].box
                        gap = ET.SubElement(line_el, q("SP"))
                        gap.set("WIDTH", str(max(0, round(word.box[0]) - round(prev[2]))))
                        gap.set("HPOS", str(round(prev[2])))
                        gap.set("VPOS", str(round(min(prev[1], word.box[1]))))
                    word_no += 1
                    string = ET.SubElement(line_el, q("String"), ID=f"STRING_{n}_{word_no}")
                    _pos(string, word.box)
                    string.set("CONTENT", word.text)
                    if word.conf >= 0:
                        string.set("WC", f"{min(max(word.conf, 0.0), 100.0) / 100:.3f}")
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_alto(pages: list[OutPage], target: Path, file_name: str = "") -> Path:
    """Write :func:`document_alto` to ``target`` (atomically)."""
    import io

    from .files import write_atomic

    buffer = io.BytesIO()
    document_alto(pages, file_name).write(buffer, encoding="UTF-8", xml_declaration=True)
    return write_atomic(Path(target), buffer.getvalue() + b"\n")
