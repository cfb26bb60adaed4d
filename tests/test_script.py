"""Script facts: diacritic stripping and telling Vietnamese from other languages."""
import pytest

from pipeline.script import (
    diacritic_share, has_diacritics, is_syllable_shaped, looks_vietnamese, strip_diacritics,
)


def test_strip_diacritics_handles_d_bar_and_stacked_marks():
    assert strip_diacritics("Quảng Ngãi, Đức Phổ, nghiệp, ưởng") == "Quang Ngai, Duc Pho, nghiep, uong"


def test_diacritic_measures():
    assert has_diacritics("Đà") and not has_diacritics("Da")
    assert diacritic_share("Sở Nông nghiệp và PTNT") == pytest.approx(4 / 5)


@pytest.mark.parametrize("word, ok", [
    ("nghiêng", True), ("Quảng", True), ("khuya", True), ("trường", True),
    ("street", False), ("and", False), ("budget", False), ("xyz", False),
])
def test_syllable_shape(word, ok):
    assert is_syllable_shaped(word) is ok


def test_looks_vietnamese_accepts_garbled_ocr_and_refuses_english():
    garbled = "Thuc hién Ké hoach s6 69/KH-UBND ngay 22/3/2024 caa UBND tinh Quang Ngai"
    assert looks_vietnamese(garbled)
    assert looks_vietnamese(strip_diacritics("Chương trình mỗi xã một sản phẩm năm 2024"))
    assert not looks_vietnamese("The province reported strong growth in rural products this year.")
