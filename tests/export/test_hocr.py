"""hOCR of a document: read back by OCRmyPDF's own hOCR parser, coordinates on the original page."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from pipeline.export.hocr import document_hocr, write_hocr
from pipeline.export.words import out_page
from tests.export.conftest import KNOWN_WORD, overlap

XHTML = "{http://www.w3.org/1999/xhtml}"


def _pages(scan):
    return [out_page(p, f.text) for p, f in zip(scan.doc.pages, scan.final.pages) if p.source == "ocr"]


def _bbox(title: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.search(r"bbox (\d+) (\d+) (\d+) (\d+)", title).groups())


def test_hocr_structure_text_and_confidences(scans, tmp_path):
    scan = scans["png"]
    pages = _pages(scan)
    path = write_hocr(pages, tmp_path / "upright.hocr", title="upright.png", image="upright.png")
    root = ET.parse(path).getroot()
    (page,) = [d for d in root.iter(f"{XHTML}div") if d.get("class") == "ocr_page"]
    assert _bbox(page.get("title")) == (0, 0, *scan.size)  # the PNG's own pixels
    assert "scan_res 200 200" in page.get("title")
    areas = [d for d in page.iter(f"{XHTML}div") if d.get("class") == "ocr_carea"]
    assert len(areas) == len(pages[0].blocks) and all("x_region " in a.get("title") for a in areas)
    lines = [s for s in page.iter(f"{XHTML}span") if s.get("class") == "ocr_line"]
    words = [s for s in page.iter(f"{XHTML}span") if s.get("class") == "ocrx_word"]
    text = "\n".join(" ".join(w.text for w in line if w.get("class") == "ocrx_word") for line in lines)
    assert text == scan.final.pages[0].text  # the stored text, word for word
    assert all(re.search(r"x_wconf \d+", w.get("title")) for w in words)
    known = next(w for w in words if w.text == KNOWN_WORD[0])
    assert overlap(_bbox(known.get("title")), scan.word_box) > 0.7


def test_ocrmypdf_reads_it(scans, tmp_path):
    from ocrmypdf.hocrtransform import HocrParser

    scan = scans["turned"]
    pages = _pages(scan)
    path = tmp_path / "turned.hocr"
    path.write_text(document_hocr(pages, "turned.png"), encoding="utf-8")
    tree = HocrParser(path).parse()
    assert (tree.bbox.right, tree.bbox.bottom) == scan.size
    assert " ".join(w.text for w in tree.words) == " ".join(scan.final.pages[0].text.split())
    assert {line.textangle for line in tree.lines} == {90}  # scanned a quarter turn counter-clockwise


def test_a_page_without_words_gives_an_empty_page():
    from pipeline.export.words import OutPage

    hocr = document_hocr([OutPage(1, 100, 200, 300, 0.0, ())])
    page = [d for d in ET.fromstring(hocr).iter(f"{XHTML}div") if d.get("class") == "ocr_page"]
    assert len(page) == 1 and _bbox(page[0].get("title")) == (0, 0, 100, 200)


@pytest.mark.parametrize("text", ["a < b & c", 'quote "x"'])
def test_text_is_escaped(text):
    from pipeline.export.words import OutBlock, OutLine, OutPage, OutWord

    word = OutWord(text, 50, (0, 0, 10, 10))
    page = OutPage(1, 100, 100, 300, 0.0, (OutBlock("body", (OutLine((word,), (0, 0, 10, 10)),)),))
    root = ET.fromstring(document_hocr([page]))
    assert [s.text for s in root.iter(f"{XHTML}span") if s.get("class") == "ocrx_word"] == [text]
