"""Searchable PDF/A: pdftotext gives the stored text, the page images are kept, words sit over
their words, PDF/A-2b markers and pikepdf's validator, pass-through of text-layer PDFs."""
from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest
from PIL import Image

from corpus.metrics import cer
from pipeline.export.pdf import PdfExportError, pdfa_problems, write_pdf
from pipeline.export.words import out_page
from tests.export.conftest import DPI, KNOWN_WORD, overlap


def _pages(scan):
    return [out_page(p, f.text) for p, f in zip(scan.doc.pages, scan.final.pages) if p.source == "ocr"]


def _pdftotext(path, *args) -> str:
    return subprocess.run(["pdftotext", *args, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _word_boxes(path) -> list[tuple[str, tuple[float, ...]]]:
    """pdftotext -bbox: (word, (x0, y0, x1, y1) in points from the top left of the shown page)."""
    html = _pdftotext(path, "-bbox")
    return [(w, tuple(float(v) for v in box)) for *box, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def _page_images(page):
    """The images a page draws itself (the scan), by resource name."""
    return page.get_images(recursive=False) if hasattr(page, "get_images") else page.images


def _images(path) -> dict[str, bytes]:
    with pikepdf.open(path) as pdf:
        return {name: im.read_raw_bytes() for name, im in _page_images(pdf.pages[0]).items()}


@pytest.fixture(scope="module")
def written(scans, tmp_path_factory):
    """The PDF of every generated scan, written once."""
    folder = tmp_path_factory.mktemp("pdf-out")
    return {name: write_pdf(scan.path, scan.doc.kind, _pages(scan), folder / f"{name}.pdf", title=scan.path.name)
            for name, scan in scans.items()}


@pytest.mark.parametrize("name", ["png", "pdf", "turned", "turned_pdf", "skewed"])
def test_pdftotext_gives_the_stored_text(scans, written, name):
    stored = scans[name].final.pages[0].text
    result = written[name]
    assert result.how == "text layer added" and result.pdfa and not result.note
    assert cer(stored, _pdftotext(result.path, "-raw")) <= 0.001  # the text layer's own order
    if name != "skewed":
        # pdftotext's reading order too; on a page scanned skewed the words lie on sloping lines,
        # which its layout analysis reads in pieces (as it does OCRmyPDF + Tesseract's layer)
        assert cer(stored, _pdftotext(result.path)) <= 0.001


def test_pdf_input_keeps_its_image_streams_byte_identical(scans, written):
    for name in ("pdf", "turned_pdf"):
        before, after = _images(scans[name].path), _images(written[name].path)
        assert before and after == before


def test_image_input_is_embedded_losslessly_at_its_size_and_dpi(scans, written):
    scan = scans["png"]
    with pikepdf.open(written["png"].path) as pdf:
        page = pdf.pages[0]
        (image,) = _page_images(page).values()  # the scan, alone on its page
        pdf_image = pikepdf.PdfImage(image)
        assert (pdf_image.width, pdf_image.height) == scan.size
        width_pt, height_pt = float(page.mediabox[2]), float(page.mediabox[3])
        assert (width_pt, height_pt) == pytest.approx((scan.size[0] * 72 / DPI, scan.size[1] * 72 / DPI), abs=0.05)
        decoded = pdf_image.as_pil_image()
    with Image.open(scan.path) as original:
        assert decoded.convert("L").tobytes() == original.convert("L").tobytes()  # lossless


@pytest.mark.parametrize("name", ["png", "pdf", "turned", "turned_pdf", "skewed"])
def test_the_text_layer_word_lies_over_the_drawn_word(scans, written, name):
    """pdftotext's box of the known word against where it was drawn: on an image cleanup
    upscaled (PNG at 200 DPI), a page turned a quarter turn before OCR (shown upright: its
    /Rotate turned), and a page deskewed 2°."""
    scan = scans[name]
    boxes = [box for word, box in _word_boxes(written[name].path) if word == KNOWN_WORD[0]]
    assert len(boxes) == 1
    k = 72 / DPI  # pixels of the 200-DPI page -> points
    x0, y0, x1, y1 = scan.word_box
    if name.startswith("turned"):
        # drawn on a page turned 90° counter-clockwise, shown turned back (/Rotate 90): upright
        upright_width = scan.size[1]
        x0, y0, x1, y1 = upright_width - y1, x0, upright_width - y0, x1
        with pikepdf.open(written[name].path) as pdf:
            assert int(pdf.pages[0].obj.get("/Rotate", 0)) % 360 == 90
    drawn = (x0 * k, y0 * k, x1 * k, y1 * k)
    assert overlap(boxes[0], drawn) > 0.6, (boxes[0], drawn)
    # the same horizontal extent within 1.5 pt (the text is fitted to the word's width)
    assert abs(boxes[0][0] - drawn[0]) < 1.5 and abs(boxes[0][2] - drawn[2]) < 1.5


def test_pdfa_markers_and_validator(written):
    for name, result in written.items():
        assert pdfa_problems(result.path) == [], name
        with pikepdf.open(result.path) as pdf:
            meta = pdf.open_metadata()
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
            assert not pdf.is_encrypted


def test_a_pdf_with_a_text_layer_passes_through_unless_redone(scans, written, tmp_path):
    searchable = written["pdf"].path  # vanban's own output: every page has a good text layer
    from pipeline.restore.restorer import Restorer, RestorerOptions
    from pipeline.run.process import Settings, finish_document, read_document

    doc = read_document(searchable, Settings(annex_tables=False))
    assert {p.source for p in doc.pages} == {"text-layer"}
    copy = write_pdf(searchable, "pdf", [], tmp_path / "copy.pdf")
    assert copy.how == "passed through" and copy.path.read_bytes() == searchable.read_bytes()
    # --redo-ocr: read again by OCR, the old invisible text replaced (not doubled)
    redo = read_document(searchable, Settings(annex_tables=False, use_text_layer=False))
    final, _ = finish_document(redo, Restorer(RestorerOptions.find()), Settings(annex_tables=False, use_text_layer=False))
    again = write_pdf(searchable, "pdf", [out_page(redo.pages[0], final.pages[0].text)], tmp_path / "redo.pdf")
    text = _pdftotext(again.path)
    assert cer(final.pages[0].text, text) <= 0.001
    assert len(text.split()) == len(final.pages[0].text.split())
    assert _images(again.path) == _images(searchable)
    assert pdfa_problems(again.path) == []


def test_a_file_ocrmypdf_cannot_read_is_one_error_line(scans, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(scans["pdf"].path.read_bytes()[:2000])
    with pytest.raises(PdfExportError) as err:
        write_pdf(broken, "pdf", _pages(scans["pdf"]), tmp_path / "out.pdf")
    assert "\n" not in str(err.value) and not (tmp_path / "out.pdf").exists()
