"""Decree 30 page layout: geometry, reading order, stamp, determinism and real OCR."""
from __future__ import annotations

import re

import numpy as np
import pytest

from tests.conftest import requires_tesseract_vie
from corpus.compose import compose
from corpus.degrade import degrade_scan
from corpus.layout import STAMP_RED, render_document
from corpus.metrics import cer


@pytest.fixture(scope="module")
def report():
    """A two-page Báo cáo of a district, rendered at 300 DPI with stamp and signature."""
    doc = compose(3, doc_type="Báo cáo", issuer="UBND huyện Mộ Đức", long=True)
    return doc, render_document(doc, dpi=300, seed=1)


def _red(image) -> np.ndarray:
    a = np.asarray(image).astype(int)
    return (a[..., 0] > 150) & (a[..., 1] < 120) & (a[..., 2] < 120)


def test_pages_are_rgb_a4_and_multi_page(report):
    _, rendered = report
    assert len(rendered.pages) == 2
    for page in rendered.pages:
        assert page.image.mode == "RGB" and page.image.size == (2480, 3508) and page.dpi == 300
    assert rendered.truth_text == "\n\f\n".join(p.text for p in rendered.pages)
    # Page 2 carries its number in the top margin; it is drawn, not a line of the truth (a
    # page_number region for vanban, left out as the real transcriptions leave it out).
    top = np.asarray(rendered.pages[1].image.convert("L"))[60:160, 1140:1340]
    assert (top < 128).any() and rendered.pages[1].lines[0] != "2"
    small = render_document(compose(1, doc_type="Công văn"), dpi=150)
    assert small.pages[0].image.size == (1240, 1754)


def test_truth_holds_header_title_body_and_footer_in_reading_order(report):
    doc, rendered = report
    lines = rendered.pages[0].lines
    # rows of the two header columns: left part first, as Tesseract reads them
    assert lines[:6] == ["ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "HUYỆN MỘ ĐỨC",
                         "Độc lập - Tự do - Hạnh phúc", f"Số: {doc.number}", doc.date_line]
    assert lines[6] == "BÁO CÁO"
    columns = render_document(doc, dpi=100, seed=1, reading_order="columns").pages[0].lines
    assert columns[:6] == ["ỦY BAN NHÂN DÂN", "HUYỆN MỘ ĐỨC", f"Số: {doc.number}",
                           "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                           doc.date_line]
    flat = " ".join(rendered.truth_text.split())
    pos = 0
    for para in doc.paragraphs:  # every paragraph, in order, wrapped without loss
        found = flat.find(para.text, pos)
        assert found >= 0 or "\f" in rendered.truth_text, para.text
        pos = max(pos, found)
    last = rendered.pages[-1].lines
    assert "Nơi nhận:" in last and last[-1] == doc.signer
    for line in doc.noi_nhan + doc.signature:
        assert line in last
    assert "QUẢNG NGÃI *" not in rendered.truth_text  # the stamp ring is not text


def test_cong_van_has_vv_and_kinh_gui():
    doc = compose(2, doc_type="Công văn")
    lines = render_document(doc, dpi=100, seed=0).pages[0].lines
    assert any(line.startswith("V/v ") for line in lines)
    assert any(line.startswith("Kính gửi:") for line in lines)
    assert "CÔNG VĂN" not in lines


def test_stamp_is_red_over_the_signature_and_optional(report):
    _, rendered = report
    page = rendered.pages[-1]
    x0, y0, x1, y1 = page.stamp_box
    red = _red(page.image)
    assert red[y0:y1, x0:x1].sum() > 5000
    assert red.sum() - red[y0:y1, x0:x1].sum() < 100  # red only inside the seal
    assert STAMP_RED[0] > 150
    plain = render_document(compose(3, doc_type="Báo cáo", issuer="UBND huyện Mộ Đức", long=True),
                            dpi=300, seed=1, stamp=False, pen=False)
    assert _red(plain.pages[-1].image).sum() == 0
    assert plain.truth_text == rendered.truth_text


def test_same_seed_same_pixels():
    doc = compose(7, doc_type="Tờ trình")
    a, b = render_document(doc, dpi=100, seed=4), render_document(doc, dpi=100, seed=4)
    assert a.pages[0].image.tobytes() == b.pages[0].image.tobytes()
    c = render_document(doc, dpi=100, seed=5)
    assert a.pages[-1].image.tobytes() != c.pages[-1].image.tobytes()


@requires_tesseract_vie
def test_tesseract_reads_a_clean_first_page_in_truth_order(report, monkeypatch):
    import pytesseract

    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    _, rendered = report
    page = rendered.pages[0]
    scan = degrade_scan(page.image, "clean", 1, 300)
    text = pytesseract.image_to_string(scan.image, lang="vie")
    # measured 0.05% (one diacritic); the header rows come out left part first
    assert cer(page.text, text) <= 0.01
    assert re.search(r"ỦY BAN NHÂN DÂN\s+CỘNG HÒA", text)
    columns = render_document(report[0], dpi=100, seed=1, reading_order="columns").pages[0].text
    assert cer(columns, text) > cer(page.text, text)
