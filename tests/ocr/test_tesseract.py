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


def _word(text: str, conf: float, box=(100, 200, 80, 40)):
    from pipeline.document import Word

    return Word(text=text, conf=conf, box=box, line=0)


def test_without_tones_keeps_the_letters_marks():
    from pipeline.ocr.tesseract import without_tones

    assert without_tones("quyết") == "quyêt" and without_tones("Ủy") == "Uy"
    assert without_tones("đồng,") == "đông," and without_tones("ăn") == "ăn"
    assert without_tones("tiền") == "tiên" and without_tones("UBND") == "UBND"


def test_a_tone_either_reading_saw_is_kept():
    from pipeline.ocr.tesseract import prefer_marked_readings

    first = [_word("sô", 96), _word("quyết", 96, (300, 200, 120, 40)), _word("tỉnh;", 91, (500, 200, 90, 40))]
    second = [_word("số", 90, (102, 198, 79, 42)),  # the same box, the tone psm 6 dropped
              _word("quyêt", 80, (300, 201, 118, 40)),  # dropped by the second reading: kept
              _word("tính;", 88, (500, 200, 90, 40))]  # another tone, not surer: kept
    assert [w.text for w in prefer_marked_readings(first, second)] == ["số", "quyết", "tỉnh;"]
    # a dot below only is no stacked mark: psm 4 takes the comma of "thi," for one
    assert prefer_marked_readings([_word("thi;", 95)], [_word("thị;", 77)])[0].text == "thi;"
    # nor a tone on a plain small vowel, which psm 6 does not lose
    assert prefer_marked_readings([_word("thi", 95)], [_word("thì", 95)])[0].text == "thi"
    assert prefer_marked_readings([_word("TINH", 56)], [_word("TỈNH", 86)])[0].text == "TỈNH"
    # the first reading's confidence and line stay
    assert prefer_marked_readings(first, second)[0].conf == 96


def test_another_reading_of_the_same_letters_wins_only_when_much_surer():
    from pipeline.ocr.tesseract import SURER_BY, prefer_marked_readings

    assert prefer_marked_readings([_word("đề", 68)], [_word("để", 93)])[0].text == "để"
    assert prefer_marked_readings([_word("cấp", 94)], [_word("cáp", 95)])[0].text == "cấp"
    assert prefer_marked_readings([_word("dột", 92)], [_word("đột", 92 + SURER_BY - 1)])[0].text == "dột"
    # other letters are another word, however sure
    assert prefer_marked_readings([_word("tiên", 60)], [_word("tiến", 96)])[0].text == "tiến"  # tone added
    assert prefer_marked_readings([_word("Đài", 60)], [_word("Đải", 96)])[0].text == "Đải"
    assert prefer_marked_readings([_word("thi", 60)], [_word("thu", 96)])[0].text == "thi"


def test_readings_of_other_boxes_are_other_words():
    from pipeline.ocr.tesseract import prefer_marked_readings

    word = _word("sô", 96)
    assert prefer_marked_readings([word], [_word("số", 96, (150, 200, 80, 40))]) == [word]  # half over
    assert prefer_marked_readings([word], [_word("số", 96, (100, 400, 80, 40))]) == [word]  # a row below
    assert prefer_marked_readings([word], []) == [word]


def test_second_reading_keeps_rows_and_words(header_page):
    cleaned = clean_page(header_page)
    one = ocr_page(cleaned, OcrSettings(mark_pass_psm=None))
    both = ocr_page(cleaned)
    assert OcrSettings().mark_pass_psm == 4
    assert [w.box for w in both.words] == [w.box for w in one.words]  # psm 6's words and rows
    assert both.text.split("\n")[1] == " ".join(w.text for w in both.words if w.line == 1)
    assert "779/QĐ-UBND" in both.text and "Quảng Ngãi" in both.text


def test_real_scan_keeps_the_stacked_tones_one_page_mode_drops(shared):
    """Real page 01 (300 DPI, 13 pt Times): psm 6 alone reads "đât", "quyêt", "Điêu"."""
    import collections
    import re

    from corpus.eval_real import load_pages
    from pipeline.io.rasterize import rasterize_pdf_page

    root = shared / "realscans"
    if not (root / "manifest.tsv").is_file():
        pytest.skip("no ../shared/realscans")
    page = next(p for p in load_pages(root) if p.stem.startswith("01_"))
    cleaned = clean_page(rasterize_pdf_page(page.scan, page.page, 300, 40_000_000))
    truth = collections.Counter(re.findall(r"\S+", page.transcription))

    def right(settings: OcrSettings) -> int:
        read = collections.Counter(w.text for w in ocr_page(cleaned, settings).words)
        return sum((read & truth).values())

    alone, both = right(OcrSettings(mark_pass_psm=None)), right(OcrSettings())
    assert both >= alone + 15, (alone, both)


def test_lost_tones_are_checked_syllables_read_without_their_tone():
    from pipeline.ocr.tesseract import lost_tones

    words = [_word(t, 90) for t in ["đât,", "Quyêt", "câp", "(tôt)", "đất", "sô", "tiên", "UBND", "TTATGT", "chênh"]]
    # "sô", "tiên" are syllables without a tone; "TTATGT" is an acronym with no stacked vowel
    assert lost_tones(words) == ["đât", "Quyêt", "câp", "tôt"]
