"""ALTO XML v4: structure, the stored text, confidences and coordinates on the original page.

Checked against the ALTO 4.2 schema when ``VANBAN_ALTO_XSD`` names a local copy of
``alto-4-2.xsd`` (https://github.com/altoxml/schema, not shipped here); its xlink import is
resolved to a stub next to it, so the check runs offline.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.export.alto import NS, write_alto
from pipeline.export.words import out_page
from tests.export.conftest import KNOWN_WORD, overlap

A = f"{{{NS}}}"


def _write(scan, tmp_path, name):
    pages = [out_page(p, f.text) for p, f in zip(scan.doc.pages, scan.final.pages) if p.source == "ocr"]
    return pages, write_alto(pages, tmp_path / f"{name}.xml", file_name=scan.path.name)


def _box(el) -> tuple[float, ...]:
    x, y = float(el.get("HPOS")), float(el.get("VPOS"))
    return (x, y, x + float(el.get("WIDTH")), y + float(el.get("HEIGHT")))


@pytest.mark.parametrize("name", ["png", "pdf"])
def test_alto_structure_text_and_coordinates(scans, tmp_path, name):
    scan = scans[name]
    pages, path = _write(scan, tmp_path, name)
    root = ET.parse(path).getroot()
    assert root.tag == f"{A}alto"
    assert root.find(f"{A}Description/{A}MeasurementUnit").text == "pixel"
    (page,) = root.iter(f"{A}Page")
    scale = 1.5 if name == "pdf" else 1.0  # a PDF page is the raster at 300 DPI; the PNG its own 200
    assert (float(page.get("WIDTH")), float(page.get("HEIGHT"))) == pytest.approx(
        (scan.size[0] * scale, scan.size[1] * scale), abs=1.5)
    (space,) = page.findall(f"{A}PrintSpace")
    blocks = space.findall(f"{A}TextBlock")
    assert len(blocks) == len(pages[0].blocks)
    tags = {t.get("ID"): t.get("LABEL") for t in root.iter(f"{A}LayoutTag")}
    assert all(tags[b.get("TAGREFS")] for b in blocks)  # each block names its layout region
    lines = [line for b in blocks for line in b.findall(f"{A}TextLine")]
    text = "\n".join(" ".join(s.get("CONTENT") for s in line.findall(f"{A}String")) for line in lines)
    assert text == scan.final.pages[0].text
    for line in lines:  # String, SP, String, ... in order
        tags_in_line = [child.tag for child in line]
        assert tags_in_line[::2] == [f"{A}String"] * len(tags_in_line[::2])
        assert all(t == f"{A}SP" for t in tags_in_line[1::2])
    strings = list(root.iter(f"{A}String"))
    assert all(0 <= float(s.get("WC")) <= 1 for s in strings)
    known = next(s for s in strings if s.get("CONTENT") == KNOWN_WORD[0])
    drawn = tuple(v * scale for v in scan.word_box)
    assert overlap(_box(known), drawn) > 0.7


def test_a_turned_scan_says_its_rotation(scans, tmp_path):
    _, path = _write(scans["turned"], tmp_path, "turned")
    blocks = list(ET.parse(path).getroot().iter(f"{A}TextBlock"))
    assert blocks and {b.get("ROTATION") for b in blocks} == {"90"}


def test_alto_validates_against_the_schema(scans, tmp_path):
    xsd = os.environ.get("VANBAN_ALTO_XSD")
    if not xsd or not Path(xsd).is_file():
        pytest.skip("VANBAN_ALTO_XSD does not name a local alto-4-2.xsd")
    from lxml import etree

    local = tmp_path / "alto.xsd"
    (tmp_path / "xlink.xsd").write_text(XLINK_STUB, encoding="utf-8")
    local.write_text(Path(xsd).read_text(encoding="utf-8").replace(
        "http://www.loc.gov/standards/xlink/xlink.xsd", "xlink.xsd"), encoding="utf-8")
    schema = etree.XMLSchema(etree.parse(str(local)))
    for name in ("png", "turned", "skewed"):
        _, path = _write(scans[name], tmp_path, name)
        assert schema.validate(etree.parse(str(path))), schema.error_log


XLINK_STUB = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/1999/xlink"
            attributeFormDefault="qualified">
  <xsd:attributeGroup name="simpleLink">
    <xsd:attribute name="type" type="xsd:string"/>
    <xsd:attribute name="href" type="xsd:anyURI"/>
    <xsd:attribute name="role" type="xsd:string"/>
    <xsd:attribute name="arcrole" type="xsd:string"/>
    <xsd:attribute name="title" type="xsd:string"/>
    <xsd:attribute name="show" type="xsd:string"/>
    <xsd:attribute name="actuate" type="xsd:string"/>
  </xsd:attributeGroup>
</xsd:schema>
"""


def test_a_state_document_page_gives_a_block_per_layout_region(tmp_path):
    """A Nghị định 30 page (two-column header and footer): one TextBlock per region, tagged with
    its kind, in the order of the stored text; the PDF's text layer reads back in that order."""
    import subprocess

    from corpus.metrics import cer
    from pipeline.export.pdf import write_pdf
    from pipeline.restore.restorer import Restorer, RestorerOptions
    from pipeline.run.process import finish_document, read_document
    from tests.conftest import _has_tesseract_vie
    from tests.export.conftest import SETTINGS
    from tests.ocr.test_layout import render_state_page

    if not _has_tesseract_vie():
        pytest.skip("tesseract with 'vie' not installed")
    path = tmp_path / "quyết định.png"
    render_state_page("Quảng Ngãi", "45/QĐ-UBND", "Quyết định", "Nguyễn Văn A").save(path, dpi=(200, 200))
    doc = read_document(path, SETTINGS)
    final, _ = finish_document(doc, Restorer(RestorerOptions.find()), SETTINGS)
    pages = [out_page(doc.pages[0], final.pages[0].text)]
    root = ET.parse(write_alto(pages, tmp_path / "page.xml")).getroot()
    tags = {t.get("ID"): t.get("LABEL") for t in root.iter(f"{A}LayoutTag")}
    kinds = [tags[b.get("TAGREFS")] for b in root.iter(f"{A}TextBlock")]
    expected = [r.kind for r in sorted(doc.pages[0].regions, key=lambda r: r.lines) if r.lines != (0, 0)]
    assert kinds == expected
    assert {"header_left", "header_right", "body", "signature"} <= set(kinds)
    result = write_pdf(path, "image", pages, tmp_path / "page.pdf")
    raw = subprocess.run(["pdftotext", "-raw", str(result.path), "-"], capture_output=True, text=True).stdout
    assert cer(final.pages[0].text, raw) <= 0.001  # the stored reading order: column by column
