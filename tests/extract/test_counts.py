"""OCOP counts, on sentences written for the tests."""
from pipeline.extract import extract_text


def counts(text):
    return [(c["value"], c["total"], c.get("value_max"), c["unit"], c["stars"]) for c in extract_text(text)["counts"]]


def test_simple_and_star_level():
    assert counts("Năm 2023 huyện có 7 sản phẩm đạt OCOP 3 sao và 2 sản phẩm đạt 4 sao.") == [
        (7, None, None, "sản phẩm", "3"), (2, None, None, "sản phẩm", "4")]


def test_fraction_and_range():
    assert counts("Có 9/14 xã có sản phẩm; phấn đấu 20 - 25 chủ thể tham gia.") == [
        (9, 14, None, "xã", None), (20, None, 25, "chủ thể", None)]
    assert counts("từ 2 đến 4 lớp tập huấn") == [(2, None, 4, "lớp", None)]


def test_star_range_and_heading_inheritance():
    assert counts("Toàn tỉnh có 88 sản phẩm đạt OCOP từ 3-4 sao.") == [(88, None, None, "sản phẩm", "3-4")]
    assert counts("(1) Sản phẩm đạt OCOP 4 sao năm 2020 chưa đánh giá lại: 02 sản phẩm hết hạn.") == [
        (2, None, None, "sản phẩm", "4")]
    got = counts("có 9 sản phẩm đạt OCOP 3 sao gồm: Ba Tơ (05 sản phẩm), Sơn Hà (04 sản phẩm)")
    assert got == [(9, None, None, "sản phẩm", "3"), (5, None, None, "sản phẩm", "3"), (4, None, None, "sản phẩm", "3")]


def test_upgrade_is_not_a_star_level():
    assert counts("Có 2 sản phẩm nâng hạng từ 3-4 sao.") == [(2, None, None, "sản phẩm", None)]


def test_producer_breakdown_subject_type():
    out = extract_text("trong đó: 04 Hợp tác xã với 06 sản phẩm; 3 doanh nghiệp (5 sản phẩm)")["counts"]
    assert [(c["value"], c["unit"], c["subject_type"]) for c in out] == [
        (4, "hợp tác xã", None), (6, "sản phẩm", "hợp tác xã"),
        (3, "doanh nghiệp", None), (5, "sản phẩm", "doanh nghiệp")]


def test_units_people_events_and_thousands():
    assert counts("thu hút 12.300 lượt khách, 45 gian hàng; 03 đợt hội chợ với 120 người tham gia") == [
        (12300, None, None, "lượt khách", None), (45, None, None, "gian hàng", None),
        (3, None, None, "hội chợ", None), (120, None, None, "người", None)]


def test_not_counts():
    text = ("1. Huyện Ba Tơ\n2.1. Sản phẩm\n(2) Xã Ba Vì; đứng thứ 2 sản phẩm; lần 3 hội chợ; "
            "100% sản phẩm; 20 triệu đồng; Quyết định số 12/QĐ-UBND ngày 3/4/2023; thôn 3 xã Phổ An; "
            "đợt 1 sản phẩm; 2\tXã Phổ An")
    assert counts(text) == []


def test_noun_broken_over_lines_and_url_between():
    assert counts("Lý Sơn (4 sản \n\nphẩm)") == [(4, None, None, "sản phẩm", None)]
    assert counts("Ba Tơ (2 \nhttps://example.gov.vn/\n sản phẩm)") == [(2, None, None, "sản phẩm", None)]


def test_garbled_unit_with_ocr_tolerance():
    out = extract_text("da c6 05 dia phwong to chuc danh gia")["counts"]
    assert [(c["value"], c["unit"]) for c in out] == [(5, "địa phương")]
    assert out[0]["confidence"] < 0.7


def test_locality_and_as_of():
    (c,) = extract_text("Tính đến tháng 6/2023, huyện Mộ Đức có 12 sản phẩm OCOP.")["counts"]
    assert c["locality"] == "huyện Mộ Đức" and c["as_of"] == "2023-06"
    (c,) = extract_text("Nghia Hanh (3 san pham)")["counts"]
    assert c["locality"] == "huyện Nghĩa Hành"
