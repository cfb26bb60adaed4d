"""Ingest: what a file is, how text dumps are decoded, when a PDF text layer is used."""
from __future__ import annotations

import subprocess
import unicodedata

import pytest

from corpus.generate import write_image, write_pdf
from pipeline.document import InputError
from pipeline.ingest import (
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
