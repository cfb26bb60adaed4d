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
