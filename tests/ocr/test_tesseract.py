"""OCR settings: psm, interword spaces, document-number patterns; words and quality kept."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from corpus.fonts import find_font
from pipeline.image.cleanup import clean_page
from pipeline.document import PageImage
from pipeline.ocr.tesseract import USER_PATTERNS, OcrSettings, ocr_page


def _line_page(lines: list[str], size_px: int = 54, gap: int = 700) -> np.ndarray:
    """A white 300-DPI strip with each line as two columns (left text, right text) at 13 pt."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(find_font("regular")), size_px)
    img = Image.new("L", (2480, 160 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        left, _, right = line.partition("|")
        draw.text((200, 80 + 90 * i), left, font=font, fill=0)
        if right:
            draw.text((200 + gap + 400, 80 + 90 * i), right, font=font, fill=0)
    return np.asarray(img)


def test_config_names_every_setting():
    config = OcrSettings().config()
    assert "--psm 6" in config and "--oem 1" in config
    assert "preserve_interword_spaces=1" in config
    assert f"--user-patterns {USER_PATTERNS}" in config and USER_PATTERNS.is_file()
    assert "--user-patterns" not in OcrSettings(user_patterns=False).config()


def test_user_patterns_cover_document_numbers():
    patterns = USER_PATTERNS.read_text(encoding="utf-8").split("\n")
    assert "\\d\\*/QĐ-UBND" in patterns and "\\d\\*/\\d\\d\\d\\d/NĐ-CP" in patterns


@pytest.fixture(scope="module")
def header_page() -> PageImage:
    return PageImage(1, _line_page(["UBND TỈNH QUẢNG NGÃI|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                    "Số: 779/QĐ-UBND|Quảng Ngãi, ngày 22 tháng 8 năm 2020",
                                    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020;"]), 300)


def test_reads_document_numbers_and_keeps_two_columns_on_one_line(header_page):
    page = ocr_page(clean_page(header_page))
    lines = page.text.split("\n")
    assert "779/QĐ-UBND" in page.text and "30/2020/NĐ-CP" in page.text
    # psm 6 keeps the row of a two-column header together, in reading order
    row = next(line for line in lines if "779/QĐ-UBND" in line)
    assert "Quảng Ngãi" in row and row.index("779") < row.index("Quảng")
    # the gap between the columns stays visible in the word boxes
    words = page.words
    number = next(i for i, w in enumerate(words) if "779" in w.text)
    left, _, width, _ = words[number].box
    assert words[number + 1].text.startswith("Quảng") and words[number + 1].box[0] - (left + width) > 300


def test_words_boxes_and_quality(header_page):
    cleaned = clean_page(header_page)
    page = ocr_page(cleaned)
    assert page.words and all(w.conf >= 0 for w in page.words)
    number = next(w for w in page.words if "779" in w.text)
    left, top, width, height = number.box
    assert 200 <= left < 900 and width > 100 and height > 20
    assert page.quality["mean_conf"] == pytest.approx(page.mean_conf) and page.quality["mean_conf"] > 80
    assert page.quality["words"] == len(page.words)
    for key in ("skew_deg", "rotation", "binarization", "noise"):
        assert key in page.quality  # cleanup measurements travel with the page


def test_lookalikes_vietnamese_never_writes_are_read_as_its_letters():
    from pipeline.ocr.tesseract import _word_text

    assert _word_text(" kho\u0301a ") == "khóa"  # composed (NFC), trimmed
    assert _word_text("Ð13,") == "Đ13," and _word_text("ðến") == "đến"
    assert _word_text("07⁄CT-UBND") == "07/CT-UBND"
