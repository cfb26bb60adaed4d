"""The document's own header, on small documents written for the tests."""
from pipeline.extract import extract_text

LETTER = """UBND TỈNH QUẢNG NGÃI  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ CÔNG THƯƠNG  Độc lập - Tự do - Hạnh phúc

Số: 512/SCT-QLTM  Quảng Ngãi, ngày 14 tháng 5 năm 2023
V/v tham gia hội chợ
sản phẩm OCOP năm 2023

Kính gửi: UBND các huyện, thị xã, thành phố.

Sở Công Thương đề nghị các địa phương phối hợp./.

Nơi nhận:
- Như trên;
- Lưu: VT.
KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC

Nguyễn Văn An
"""

REPORT = """BÁO CÁO

Tình hình thực hiện Chương trình OCOP 6 tháng đầu năm 2023,

nhiệm vụ 6 tháng cuối năm

 
Thực hiện Kế hoạch số 40/KH-UBND ngày 2/3/2023 của UBND tỉnh, UBND huyện Sơn Hà báo cáo như sau:

Nơi nhận:
- Sở NN và PTNT;
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

LÊ VĂN BÌNH
"""


def test_letter_header():
    s = extract_text(LETTER)["self"]
    assert s == {
        "number": "512/SCT-QLTM", "date": "2023-05-14", "place": "Quảng Ngãi", "type": "Công văn",
        "issuer": "Sở Công Thương tỉnh Quảng Ngãi", "subject": "tham gia hội chợ sản phẩm OCOP năm 2023",
        "signer": "Nguyễn Văn An"}


def test_report_without_top_block():
    s = extract_text(REPORT)["self"]
    assert s["number"] is None and s["date"] is None and s["place"] is None
    assert s["type"] == "Báo cáo"
    assert s["subject"] == "Tình hình thực hiện Chương trình OCOP 6 tháng đầu năm 2023, nhiệm vụ 6 tháng cuối năm"
    assert s["issuer"] == "UBND huyện Sơn Hà"
    assert s["signer"] == "Lê Văn Bình"


def test_garbled_header_ocr():
    text = ("UBND TINH QUANG NGAI  CONG HOA XA HOI CHU NGHIA VIET NAM\n"
            "SO NONG NGHIEP VA PTNT Poc lap - Tw do - Hanh phuc\n\n"
            "Sb: 77 ISNNPTNT-CCPTNT Qudang Ngéi, ngdy 3 thang 4 nam 2024\n"
            "Vé viéc dang ky san pham\n\nKinh gui: UBND cac huyen.\n")
    s = extract_text(text)["self"]
    assert s["number"] == "77/SNNPTNT-CCPTNT"
    assert (s["date"], s["place"], s["type"]) == ("2024-04-03", "Quảng Ngãi", "Công văn")
    assert s["issuer"] == "Sở Nông nghiệp và Phát triển nông thôn tỉnh Quảng Ngãi"
    assert s["subject"] == "dang ky san pham"
    assert s["signer"] is None


def test_type_from_number_code_and_neighbour_province():
    s = extract_text("Số: 31/BC-UBND  Quảng Nam, ngày 1 tháng 2 năm 2024\n")["self"]
    assert s["type"] == "Báo cáo" and s["place"] == "Quảng Nam"


# Two-column header and footer read row by row (left line, right line, ...), as a layout
# engine or some OCR page segmentations give them.
INTERLEAVED = """ỦY BAN NHÂN DÂN
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
HUYỆN SƠN TÂY
Độc lập - Tự do - Hạnh phúc
Số: 88/QĐ-UBND
Sơn Tây, ngày 5 tháng 6 năm 2023
QUYẾT ĐỊNH
Về việc công nhận sản phẩm đạt chuẩn OCOP
năm 2023 (đợt 1)
CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN SƠN TÂY
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Điều 1. Công nhận 4 sản phẩm đạt OCOP 3 sao.
Nơi nhận:
KT. CHỦ TỊCH
- Như Điều 1;
PHÓ CHỦ TỊCH
- Lưu: VT.
Trương Thị Mai
"""


def test_interleaved_columns_header_and_signature():
    s = extract_text(INTERLEAVED)["self"]
    assert s["issuer"] == "UBND huyện Sơn Tây"
    assert s["type"] == "Quyết định" and s["number"] == "88/QĐ-UBND" and s["place"] == "Sơn Tây"
    # the title keeps its "Về việc"; the authority line under it is not part of it
    assert s["subject"] == "Về việc công nhận sản phẩm đạt chuẩn OCOP năm 2023 (đợt 1)"
    # a family name that folds like a title word ("Trương" ~ "trưởng") is still a name
    assert s["signer"] == "Trương Thị Mai"


def test_header_on_same_lines_as_motto_and_title_stops_at_body():
    text = ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
            "TỈNH KON TUM Độc lập - Tự do - Hạnh phúc\n"
            "Số: 12/KH-UBND Kon Tum, ngày 2 tháng 1 năm 2024\n"
            "KẾ HOẠCH\n"
            "Thực hiện Chương trình mỗi xã một sản phẩm năm 2024\n"
            "trên địa bàn tỉnh\n"
            "Triển khai Quyết định số 919/QĐ-TTg ngày 01/8/2022 của Thủ tướng Chính phủ,\n"
            "Nơi nhận:\n- Như trên;\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNGUYỄN HỮU THÁP\n")
    s = extract_text(text)["self"]
    assert s["issuer"] == "UBND tỉnh Kon Tum" and s["place"] == "Kon Tum"
    assert s["subject"] == "Thực hiện Chương trình mỗi xã một sản phẩm năm 2024 trên địa bàn tỉnh"
    assert s["signer"] == "Nguyễn Hữu Tháp"


def test_title_continues_over_a_capitalised_place_name():
    text = "BÁO CÁO\nTình hình sản phẩm OCOP trên địa bàn huyện\nMinh Long\nQua 6 tháng triển khai, ...\n"
    assert extract_text(text)["self"]["subject"] == "Tình hình sản phẩm OCOP trên địa bàn huyện Minh Long"


def test_signer_on_a_recipient_line():
    text = "V/v hội chợ\n\nNơi nhận: KT. GIÁM ĐỐC\n- Như trên; PHÓ GIÁM ĐỐC\n- Lưu: VT. Lê Thị Hồng\n"
    assert extract_text(text)["self"]["signer"] == "Lê Thị Hồng"


def test_signer_joined_to_the_archive_item_without_a_stop():
    """Two columns read row by row: "- Lưu VT" and the name beside it, with no full stop."""
    text = ("V/v tập huấn\n\nNơi nhận: TL. CHỦ TỊCH\n- Như trên; CHÁNH VĂN PHÒNG\n"
            "- Lưu VT, NTM Phạm Quốc Huy\n")
    assert extract_text(text)["self"]["signer"] == "Phạm Quốc Huy"
    # Only the archive item lends its tail: other recipients are agencies, not names.
    text = "V/v tập huấn\n\nNơi nhận:\n- Sở Tài chính Hà Văn Tĩnh\n- Lưu VT\n"
    assert extract_text(text)["self"]["signer"] is None
