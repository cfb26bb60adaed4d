"""The header read region by region (pipeline.extract.page_header), on lines as OCR gives them."""
from __future__ import annotations

import pytest

from pipeline.extract.page_header import HANDWRITING_SURE, HeaderLayout, read_page_header


def _read(top=None, foot=None, stamps=(), handwritten=None) -> dict:
    layout = HeaderLayout(top=top or {}, foot=foot or {}, stamps=list(stamps), handwritten=handwritten or {})
    return read_page_header(layout, {"number": None, "date": None, "place": None, "type": None,
                                     "issuer": None, "subject": None, "signer": None})


@pytest.mark.parametrize("lines, issuer, parent", [
    (["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI"], "Ủy ban nhân dân tỉnh Quảng Ngãi", None),
    (["UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"], "Sở Giáo dục và Đào tạo", "UBND thành phố Đà Nẵng"),
    (["BỘCÔNG THƯƠNG", "TRƯỜNG ĐẠI HỌC ĐIỆN LỰC"], "Trường Đại học điện lực", "Bộ Công thương"),
    (["CÔNG AN TP ĐÀ NẴNG", "PHÒNG AN NINH CHÍNH TRỊ NỘI BỘ"], "Phòng An ninh chính trị nội bộ",
     "Công an thành phố Đà Nẵng"),
    (["ỦY BAN NHÂN DÂN", "HUYỆN TRÀ BỒNG", "Số: 12/UBND"], "Ủy ban nhân dân huyện Trà Bồng", None),
])
def test_issuer_and_parent_from_the_left_block(lines, issuer, parent):
    own = _read(top={"header_left": lines})
    assert own["issuer"] == issuer and own["issuer_parent"] == parent


def test_printed_number_is_certain_and_unread_pen_digits_are_not():
    assert _read(top={"number_line": ["Số: 123/QĐ-UBND"]})["number"] == "123/QĐ-UBND"
    assert _read(top={"number_line": ["Số: 123/QĐ-UBND"]})["number_uncertain"] is False
    # The blank was filled by hand and the recogniser read it sure enough.
    sure = _read(top={"number_line": ["Số: 2) /BC-UBND"]}, handwritten={"number": ("23", 0.99)})
    assert sure["number"] == "23/BC-UBND" and sure["number_uncertain"] is False
    # Filled by hand, read unsure: kept, flagged; not read at all: Tesseract's junk is not a number.
    unsure = _read(top={"number_line": ["Số: 839 /UBND-TTHC"]}, handwritten={"number": ("299", HANDWRITING_SURE / 2)})
    assert unsure["number"] == "299/UBND-TTHC" and unsure["number_uncertain"] is True
    unread = _read(top={"number_line": ["Số: /UBND-KTTH"]}, handwritten={"number": ("", 0.0)})
    assert unread["number"] is None and unread["number_uncertain"] is True
    # A code with a department name keeps it; the digits Tesseract saw in a pen blank are unsure.
    odd = _read(top={"number_line": ["“$ó:#f10 /TB-QL Đào tạo"]}, handwritten={"number": ("", 0.0)})
    assert odd["number"] == "10/TB-QL Đào tạo" and odd["number_uncertain"] is True


def test_pen_number_before_a_misread_slash():
    # Tesseract read the "/" after the pen digits as "'" (or "⁄"): with the blank read by
    # hand, the capitals code at the line's end is still the number's code.
    misread = _read(top={"number_line": ["Số„2⁄46 'TB-ĐHĐL"]}, handwritten={"number": ("2116", 0.4)})
    assert misread["number"] == "2116/TB-ĐHĐL" and misread["number_uncertain"] is True
    assert _read(top={"number_line": ["Số: 57 ⁄UBND-KTTH"]},
                 handwritten={"number": ("575", 0.99)})["number"] == "575/UBND-KTTH"
    # Without a reading of the blank there is no number to give the code to.
    assert _read(top={"number_line": ["Số„2⁄46 'TB-ĐHĐL"]}, handwritten={"number": ("", 0.0)})["number"] is None


def test_date_line_with_pen_days_and_the_stamp_cross_check():
    top = {"date_line": ["Quảng Ngãi, ngày 04 tháng 02 năm 2025"]}
    own = _read(top=top)
    assert (own["place"], own["date"], own["date_uncertain"]) == ("Quảng Ngãi", "2025-02-04", False)
    # Pen ink glued to the words: the recogniser's day, Tesseract's printed month.
    own = _read(top={"date_line": ["Đà Nẵng, ngày “Ệtháng 10 năm 2023"]}, handwritten={"day": ("18", 0.95)})
    assert (own["place"], own["date"], own["date_uncertain"]) == ("Đà Nẵng", "2023-10-18", False)
    # An impossible reading is no date; an e-signature earlier than the date makes it unsure.
    assert _read(top={"date_line": ["Hà Nội, ngày {† tháng 8 năm 2025"]},
                 handwritten={"day": ("318", 0.99)})["date"] is None
    signed_before = _read(top=top, stamps=["TRUNG TÂM CÔNG BÁO\n03.02.2025 15:35:18 +07:00"])
    assert signed_before["date"] == "2025-02-04" and signed_before["date_uncertain"] is True


@pytest.mark.parametrize("top, kind, subject", [
    ({"title": ["QUYẾT ĐỊNH", "Về việc phê duyệt kế hoạch năm 2024"]}, "Quyết định", "Về việc phê duyệt kế hoạch năm 2024"),
    ({"number_line": ["Số: 22/TTr-UBND"], "title": ["TỜ TRÌNH _", "Về việc giao dự toán"]}, "Tờ trình", "Về việc giao dự toán"),
    ({"number_line": ["Số: 575/UBND-KTTH"], "after_number": ["V/v tham gia ý kiến", "các dự thảo Nghị định", "Kính gửi: Sở Tài chính"]},
     "Công văn", "tham gia ý kiến các dự thảo Nghị định"),
    ({"number_line": ["Số: 7/CT-UBND"], "body": ["Ngày 24/12/2024, tại trụ sở"]}, "Chỉ thị", None),
])
def test_type_and_subject_from_the_title_or_the_code(top, kind, subject):
    own = _read(top=top)
    assert own["type"] == kind and own["subject"] == subject


def test_signature_block_titles_name_and_recipients():
    foot = {"signature": ["TL„ HIỆU TRƯỜNG", "TRUONG PHONG CTSV", "` Trung tá Nguyên Văn An x x"],
            "recipients": [".Vợi nhận:", "- Như trên;", "- Lưu: VT, CTSV."]}
    own = _read(foot=foot)
    assert own["signer_title"] == "TL. HIỆU TRƯỞNG / TRƯỞNG PHÒNG CTSV"
    assert own["signer"] == "Nguyễn Văn An"
    assert own["recipients"] == ["Như trên", "Lưu: VT, CTSV"]
    assert _read(foot={"signature": ["-: CHỦTỊCH", "Lê Trung Chinh"]})["signer_title"] == "CHỦ TỊCH"
    # A signing mark the seal made unreadable is the one the title lines imply (NĐ 30/2020).
    sealed = {"TE:.HIỆU TRƯỞNG": "TL.", "K1:.GIÁM ĐỐC": "KT.", "IM: ỦY BAN NHÂN DÂN": "TM."}
    seconds = {"TL.": "TRƯỞNG PHÒNG CTSV", "KT.": "PHÓ GIÁM ĐỐC", "TM.": "CHỦ TỊCH"}
    for line, mark in sealed.items():
        title = _read(foot={"signature": [line, seconds[mark], "Lê Văn An"]})["signer_title"]
        assert title.startswith(mark + " ") and "." not in title[len(mark):].split("/")[0]
    # One title line: junk before it is no mark.
    assert _read(foot={"signature": ["XY: GIÁM ĐỐC", "Lê Văn An"]})["signer_title"] == "GIÁM ĐỐC"
    # Seal and pen marks read as signs and stray capitals beside the name are not part of it.
    assert _read(foot={"signature": ["GIÁM ĐỐC", "Lê Thị Bích Thuận ˆ R ^"]})["signer"] == "Lê Thị Bích Thuận"


def test_signature_lines_are_spelt_as_the_fields_read_them():
    from pipeline.extract.page_header import mend_signature_lines

    lines = ["TE:.HIỆU TRƯỞNG", "TRUONG PHONG CTSV", "(chữ ký)", "`Nguyên Văn An"]
    assert mend_signature_lines(lines) == ["TL. HIỆU TRƯỞNG", "TRƯỞNG PHÒNG CTSV", "(chữ ký)", "Nguyễn Văn An"]
    # a rank before the name stays; a name in capitals stays in capitals
    assert mend_signature_lines(["-: CHỦTỊCH", "TS. Lễ Trung Chinh"]) == ["CHỦ TỊCH", "TS. Lê Trung Chinh"]
    assert mend_signature_lines(["GIÁM ĐỐC", "NGUYÊN VĂN AN"]) == ["GIÁM ĐỐC", "NGUYỄN VĂN AN"]
    # a line that is no title nor a name is left alone
    assert mend_signature_lines(["Nơi nhận:", "- Như trên;"]) == ["Nơi nhận:", "- Như trên;"]


def test_a_signing_line_cut_by_the_seal_under_the_same_office_is_the_deputys():
    # The seal covers "KT." and "PHÓ CH" (real page 11): only KT. repeats the office below it.
    foot = {"signature": ["CHỦ TỊCH", "Ủ TỊCH", "Phạm Trường Thọ"]}
    assert _read(foot=foot)["signer_title"] == "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    assert _read(foot={"signature": ["KT. GIÁM ĐỐC", "IÁM ĐỐC", "Lê Văn An"]})["signer_title"] == \
        "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
    # cut at a word boundary it says nothing (KT. BỘ TRƯỞNG / THỨ TRƯỞNG); another office is its own
    assert _read(foot={"signature": ["BỘ TRƯỞNG", "TRƯỞNG", "Lê Văn An"]})["signer_title"] == "BỘ TRƯỞNG / TRƯỞNG"
    assert _read(foot={"signature": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Văn An"]})["signer_title"] == \
        "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"
