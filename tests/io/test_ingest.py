"""Ingest: what a file is, how text dumps are decoded, when a PDF text layer is used."""
from __future__ import annotations

import subprocess
import unicodedata

import pytest

from corpus.generate import write_image, write_pdf
from pipeline.document import InputError
from pipeline.io.ingest import (
    decode_text, detect_kind, pdf_page_count, pdf_text_layer, read_text_file,
)


def test_detects_kinds_by_content(tmp_path, short_scan_pages):
    pdf = write_pdf(short_scan_pages, tmp_path / "a.pdf", 300)
    png = write_image(short_scan_pages[0], tmp_path / "a.png")
    txt = tmp_path / "a.txt"
    txt.write_text("Quyết định số 148/QĐ-TTg", encoding="utf-8")
    assert [detect_kind(p) for p in (pdf, png, txt)] == ["pdf", "image", "text"]


@pytest.mark.parametrize("name, data, reason", [
    ("empty.pdf", b"", "empty file"),
    ("notes.docx", b"PK\x03\x04rest", "unsupported format '.docx'"),
    ("fake.pdf", b"hello, not a pdf", "corrupt PDF: not a PDF file (bad header)"),
    ("fake.png", b"GIF89a....", "corrupt image: not a image file (bad header)"),
    ("swapped.png", b"%PDF-1.4\n", "content is PDF but the name says '.png'"),
])
def test_refuses_bad_files_with_one_line_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        detect_kind(path)
    assert err.value.reason == reason
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(InputError, match="unreadable file"):
        detect_kind(tmp_path / "nope.pdf")


def test_truncated_pdf_is_corrupt(tmp_path, short_scan_pages):
    good = write_pdf(short_scan_pages, tmp_path / "good.pdf", 300).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good[:200])
    with pytest.raises(InputError, match="corrupt PDF"):
        pdf_page_count(cut)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_decodes_text_dumps(encoding):
    text = "Sở Nông nghiệp và Phát triển nông thôn\r\nQuảng Ngãi"
    if encoding == "cp1258":
        data = _to_cp1258(text)
    else:
        data = text.encode(encoding)
    assert decode_text(data) == "Sở Nông nghiệp và Phát triển nông thôn\nQuảng Ngãi"


def _to_cp1258(text: str) -> bytes:
    """Windows-1258 as old office PCs wrote it: base letters plus combining tone marks."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = b""
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += base.encode("cp1258") + "".join(c for c in parts if c in tones).encode("cp1258")
    return out


def test_whitespace_only_text_is_refused(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\n \t\n")
    with pytest.raises(InputError, match="empty text"):
        read_text_file(path)


def test_good_text_layer_is_used_and_image_only_pdf_is_not(tmp_path, short_scan_pages):
    png = write_image(short_scan_pages[0], tmp_path / "p.png")
    # Tesseract's own PDF renderer writes the image plus an invisible Vietnamese text layer.
    subprocess.run(["tesseract", str(png), str(tmp_path / "layered"), "-l", "vie", "pdf"],
                   check=True, capture_output=True)
    layer = pdf_text_layer(tmp_path / "layered.pdf", 1)
    assert layer is not None and "Chương trình" in layer
    scan = write_pdf(short_scan_pages, tmp_path / "scan.pdf", 300)
    assert pdf_text_layer(scan, 1) is None


# ------------------------------------------------- bad PDFs, pixel caps, legacy encodings

from tests.run.test_batch import _minimal_pdf, encrypted_pdf, poster_pdf, to_tcvn3, zero_page_pdf  # noqa: E402

from pipeline.io.legacy import fix_tcvn3_mojibake, tcvn3_to_unicode  # noqa: E402
from pipeline.io.rasterize import load_image_page, rasterize_pdf_page  # noqa: E402

VIET = "Sở Nông nghiệp và Phát triển nông thôn tỉnh Quảng Ngãi báo cáo kết quả thực hiện"


def test_zero_page_and_encrypted_pdfs_have_their_own_reasons(tmp_path):
    zero, enc = tmp_path / "zero.pdf", tmp_path / "enc.pdf"
    zero.write_bytes(zero_page_pdf())
    enc.write_bytes(encrypted_pdf())
    with pytest.raises(InputError) as err:
        pdf_page_count(zero)
    assert err.value.reason == "PDF has no pages"
    with pytest.raises(InputError) as err:
        pdf_page_count(enc)
    assert err.value.reason == "encrypted PDF (password required)"


def test_a_pdf_encrypted_by_pypdf_is_refused(tmp_path, short_scan_pages):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=str(write_pdf(short_scan_pages, tmp_path / "p.pdf", 300)))
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(tmp_path / "locked.pdf", "wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match=r"encrypted PDF \(password required\)"):
        pdf_page_count(tmp_path / "locked.pdf")


def test_pages_over_the_pixel_cap_are_refused_before_decoding(tmp_path, short_scan_pages):
    poster = tmp_path / "poster.pdf"
    poster.write_bytes(poster_pdf())
    with pytest.raises(InputError, match=r"page 1 too large \(3,600,000,000 pixels at 300 DPI"):
        rasterize_pdf_page(poster, 1)
    png = write_image(short_scan_pages[0], tmp_path / "a.png")
    with pytest.raises(InputError, match=r"image too large \(2480x3508"):
        load_image_page(png, 1, max_pixels=1_000_000)
    assert load_image_page(png, 1).image.shape[:2] == (3508, 2480)


def test_rasterizes_one_page_at_a_time_in_colour_only_when_it_has_colour(tmp_path, short_scan_pages):
    pdf = write_pdf(short_scan_pages * 3, tmp_path / "three.pdf", 300)
    page = rasterize_pdf_page(pdf, 2)
    assert page.number == 2 and page.image.shape == (3508, 2480)  # a gray scan stays gray
    # Colour is kept where there is some: cleanup removes red stamps by their hue.
    from PIL import ImageDraw

    sheet = short_scan_pages[0].image.convert("RGB")
    ImageDraw.Draw(sheet).ellipse((1600, 2600, 2100, 3100), outline=(220, 30, 40), width=25)
    page = rasterize_pdf_page(write_pdf([sheet], tmp_path / "stamp.pdf", 300), 1)
    assert page.image.shape == (3508, 2480, 3)
    red = page.image[2850, 1600:1625]  # on the ring's left edge
    assert (red[:, 0].astype(int) - red[:, 1] > 100).any()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_decodes_utf16_without_a_bom(encoding):
    assert decode_text(VIET.encode(encoding)) == VIET


def test_decodes_tcvn3_legacy_font_text():
    assert decode_text(to_tcvn3(VIET + "\r\n")) == VIET + "\n"


def test_tcvn3_capitals_of_the_base_letters():
    assert tcvn3_to_unicode("§¢ ¡ £ ¤ ¥ ¦") == "ĐÂ Ă Ê Ô Ơ Ư"


def test_tcvn3_mojibake_already_in_unicode_is_repaired_but_other_text_is_not():
    assert fix_tcvn3_mojibake("Së N«ng nghiÖp vµ Ph¸t triÓn n«ng th«n") == \
        "Sở Nông nghiệp và Phát triển nông thôn"
    for text in (VIET, "Le comité a approuvé le budget annuel : élève, côté, théâtre, forêt."):
        assert fix_tcvn3_mojibake(text) == text


def test_text_layer_in_a_tcvn3_font_is_read_as_unicode(tmp_path):
    line = to_tcvn3(VIET).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    content = b"BT /F1 11 Tf 40 760 Td (" + line + b") Tj 0 -20 Td (" + line + b") Tj ET"
    pdf = tmp_path / "vntime.pdf"
    pdf.write_bytes(_minimal_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]))
    layer = pdf_text_layer(pdf, 1)
    assert layer is not None and VIET in layer
