"""Tests of the synthetic-scan generator (corpus.generate, corpus.fonts, corpus.degrade)."""
from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import requires_tesseract_vie
from corpus import generate as gen
from corpus.degrade import LEVELS, degrade
from corpus.fonts import (STYLES, VIETNAMESE_SAMPLE, MissingGlyphsError, check_glyphs,
                          find_font)
from corpus.generate import (RenderedPage, render_pages, seed_text, write_image, write_pdf)
from corpus.ocr_check import cer

OLD_LIBERATION = Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")
A4_300DPI = (2480, 3508)


@pytest.fixture(scope="module")
def pages_003() -> list[RenderedPage]:
    return render_pages(seed_text("003"))


def _words_of_input(text: str) -> list[str]:
    """What the ground truth must contain: NFC words, emphasis markers removed."""
    return re.sub(r"\*+", "", unicodedata.normalize("NFC", text)).split()


def _ink_bands(image: Image.Image, min_gap: int = 15) -> list[tuple[int, int]]:
    """Row ranges that contain ink: one per text line on a pristine page.

    Bands closer than ``min_gap`` rows are merged: marks above capitals (Á, Ể)
    float a few pixels above their letter.
    """
    rows = (np.asarray(image) < 128).any(axis=1)
    edges = np.flatnonzero(np.diff(np.r_[0, rows.astype(np.int8), 0]))
    bands: list[tuple[int, int]] = []
    for start, end in zip(edges[::2], edges[1::2]):
        if bands and start - bands[-1][1] < min_gap:
            bands[-1] = (bands[-1][0], end)
        else:
            bands.append((start, end))
    return bands


# ---------------------------------------------------------------- fonts

@pytest.mark.parametrize("style", STYLES)
def test_find_font_covers_vietnamese(style):
    path = find_font(style)
    assert path.is_file()
    assert check_glyphs(path, VIETNAMESE_SAMPLE) == set()
    for prefix in ("003", "004"):
        assert check_glyphs(path, seed_text(prefix)) == set()


def test_check_glyphs_ignores_whitespace_and_reports_missing():
    font = find_font()
    assert check_glyphs(font, "Quảng Ngãi\t\n ") == set()
    assert check_glyphs(font, "a\U0001F600b") == {"\U0001F600"}


@pytest.mark.skipif(not OLD_LIBERATION.exists(), reason="fonts-liberation 1.07 not installed")
def test_check_glyphs_catches_old_liberation():
    missing = check_glyphs(OLD_LIBERATION, "Kết quả thực hiện Chương trình")
    assert {"ế", "ả", "ự", "ệ", "ư", "ơ"} <= missing


@pytest.fixture
def ascii_only_font(tmp_path) -> Path:
    """A Latin-only subset of the real font: what a non-Vietnamese font looks like."""
    from fontTools import subset

    out = tmp_path / "ascii-only.ttf"
    options = subset.Options()
    font = subset.load_font(str(find_font()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=range(0x20, 0x7F))
    subsetter.subset(font)
    subset.save_font(font, str(out), options)
    return out


def test_check_glyphs_catches_font_without_vietnamese(ascii_only_font):
    assert check_glyphs(ascii_only_font, "Quang Ngai") == set()
    assert check_glyphs(ascii_only_font, "Quảng Ngãi Đức") == {"ả", "ã", "Đ", "ứ"}


def test_render_fails_loudly_instead_of_tofu(ascii_only_font, monkeypatch):
    monkeypatch.setattr(gen, "find_font", lambda style="regular", family=None: ascii_only_font)
    with pytest.raises(MissingGlyphsError) as err:
        render_pages("Quảng Ngãi")
    assert err.value.missing == {"ả", "ã"}


def test_find_font_rejects_unknown_style():
    with pytest.raises(ValueError):
        find_font("condensed")


# ---------------------------------------------------------------- layout and ground truth

def test_pages_are_a4_at_dpi(pages_003):
    assert len(pages_003) > 1
    assert len(render_pages(seed_text("003"), max_pages=2)) == 2
    for page in pages_003:
        assert page.image.size == A4_300DPI
        assert page.image.mode in ("L", "RGB")
    small = render_pages("Xin chào", dpi=150)[0]
    assert small.image.size == (1240, 1754)


def test_ground_truth_holds_every_input_word_in_order(pages_003):
    text = seed_text("003")
    drawn = " ".join(p.text for p in pages_003).split()
    assert drawn == _words_of_input(text)


def test_ground_truth_has_no_blank_or_padded_lines(pages_003):
    for page in pages_003:
        assert page.text == unicodedata.normalize("NFC", page.text)
        for line in page.lines:
            assert line and line == line.strip() and "  " not in line and "\t" not in line


def test_markdown_emphasis_is_drawn_not_transcribed():
    text = seed_text("004")
    pages = render_pages(text)
    gt = "\n".join(p.text for p in pages)
    assert "*" not in gt
    assert " ".join(gt.split()) == " ".join(_words_of_input(text))
    assert "Tuyên truyền" in gt and "KT. CHỦ TỊCH" in gt


def test_long_paragraph_wraps_within_margins():
    paragraph = " ".join(["Chương trình mỗi xã một sản phẩm"] * 40)
    page = render_pages(paragraph, level="none")[0]
    assert len(page.lines) > 5
    assert " ".join(page.lines) == paragraph
    ink = np.asarray(page.image) < 128
    left, right = round(30 / 25.4 * 300), round(15 / 25.4 * 300)
    assert not ink[:, : left - 2].any()
    assert not ink[:, -(right - 2):].any()


def test_one_ink_band_per_ground_truth_line():
    # Pristine rendering: every ground-truth line is a separate band of ink,
    # so the ground truth really is what was drawn, page by page.
    for page in render_pages(seed_text("003"), level="none", max_pages=3):
        assert len(_ink_bands(page.image)) == len(page.lines)


def test_input_line_breaks_kept_and_blank_lines_dropped():
    text = "Dòng một\n\n\n  Dòng   hai\t(bảng)  \n\nDòng ba"
    page = render_pages(text)[0]
    assert page.lines == ["Dòng một", "Dòng hai (bảng)", "Dòng ba"]


def test_nfd_input_gives_nfc_ground_truth():
    nfd = unicodedata.normalize("NFD", "Quảng Ngãi")
    assert render_pages(nfd)[0].text == "Quảng Ngãi"


def test_pagination_splits_lines_without_loss():
    text = "\n".join(f"Dòng số {i}" for i in range(200))
    pages = render_pages(text)
    assert len(pages) >= 3
    lines = [line for p in pages for line in p.lines]
    assert lines == [f"Dòng số {i}" for i in range(200)]


# ---------------------------------------------------------------- determinism and degradation

def test_same_seed_same_pixels_other_seed_differs():
    text = "Ủy ban nhân dân tỉnh Quảng Ngãi"
    a, b = render_pages(text, seed=7)[0], render_pages(text, seed=7)[0]
    c = render_pages(text, seed=8)[0]
    assert a.image.tobytes() == b.image.tobytes()
    assert a.image.tobytes() != c.image.tobytes()
    assert a.text == c.text


def test_degrade_levels_are_deterministic_and_distinct():
    base = render_pages("Báo cáo kết quả", level="none")[0].image
    assert {"clean", "moderate"} <= set(LEVELS)
    clean = degrade(base, "clean", 1)
    moderate = degrade(base, "moderate", 1)
    assert clean.size == moderate.size == base.size
    assert degrade(base, "moderate", 1).tobytes() == moderate.tobytes()
    assert clean.tobytes() != moderate.tobytes()
    paper = np.asarray(clean)[:200, :200]
    assert 230 < paper.mean() < 252  # off-white, not pure white
    with pytest.raises(ValueError):
        degrade(base, "apocalyptic", 0)


def test_cli_output_is_deterministic(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    assert gen.main(["--out", str(first), "--pages", "2", "--seed", "3"]) == 0
    printed = capsys.readouterr().out.split()
    gen.main(["--out", str(second), "--pages", "2", "--seed", "3"])
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == ["scans/003_scan.pdf", "scans/004_page1.png", "scans/004_scan.pdf",
                     "truth/003_scan.gt.txt", "truth/004_page1.gt.txt", "truth/004_scan.gt.txt"]
    assert sorted(str(Path(p).relative_to(first)) for p in printed) == names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    gt_pages = (first / "truth" / "003_scan.gt.txt").read_text(encoding="utf-8").split("\n\f\n")
    assert len(gt_pages) == 2
    assert gt_pages[0] == render_pages(seed_text("003"), seed=3, max_pages=1)[0].text


# ---------------------------------------------------------------- writers

@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_write_pdf_is_an_image_only_scan_at_dpi(tmp_path):
    from pdf2image import convert_from_path, pdfinfo_from_path

    pages = render_pages("Trang một\n" + "dòng\n" * 60)
    assert len(pages) == 2
    pdf = write_pdf(pages, tmp_path / "scan.pdf", 300)
    info = pdfinfo_from_path(str(pdf))
    assert info["Pages"] == 2
    assert info["Page size"].startswith("595.2 x 841.9")  # A4 in points
    back = convert_from_path(str(pdf), dpi=300, first_page=1, last_page=1)[0]
    assert back.size == A4_300DPI


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif"])
def test_write_image_formats_keep_size_and_dpi(tmp_path, suffix):
    page = render_pages("Quảng Ngãi", dpi=200)[0]
    path = write_image(page, tmp_path / f"page{suffix}")
    with Image.open(path) as back:
        assert back.size == page.image.size
        assert round(back.info["dpi"][0]) == 200
        if suffix != ".jpg":
            assert back.tobytes() == page.image.tobytes()


# ---------------------------------------------------------------- real OCR (acceptance)

@requires_tesseract_vie
def test_tesseract_reads_clean_300dpi_page_with_cer_below_1_percent(pages_003, monkeypatch):
    import pytesseract

    # Tesseract's OpenMP threads fight each other on small CI machines (4x slower).
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    page = pages_003[0]
    text = pytesseract.image_to_string(page.image, lang="vie")
    assert cer(page.text, text) <= 0.01
