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


def test_upgrade_to_a_named_level_counts_at_that_level():
    assert counts("hỗ trợ nâng hạng 06 sản phẩm từ 3 sao lên 4 sao.") == [(6, None, None, "sản phẩm", "4")]
    assert counts("có 2 sản phẩm được nâng hạng lên 5 sao") == [(2, None, None, "sản phẩm", "5")]


def test_count_broken_by_a_page_break_and_page_number():
    out = extract_text("đã hỗ trợ 17 sản\n\f\n2\nphẩm tham gia hội chợ; 3 gian hàng")["counts"]
    assert [(c["value"], c["unit"]) for c in out] == [(17, "sản phẩm"), (3, "gian hàng")]
    assert out[0]["raw"] == "17 sản\n\f\n2\nphẩm"


def test_as_of_forms():
    def as_of(text):
        return [c["as_of"] for c in extract_text(text)["counts"]]
    assert as_of("Tính đến ngày 30/6/2024, huyện có 25 sản phẩm đạt OCOP.") == ["2024-06"]
    assert as_of("Lũy kế đến tháng 8 năm 2021, toàn tỉnh có 98 sản phẩm đạt OCOP 3-4 sao.") == ["2021-08"]
    assert as_of("Lũy kế đến nay có 40 chủ thể.") == [None]
    # the year inside a full date is not the count's as-of year
    assert as_of("Theo Quyết định số 5/QĐ-UBND ngày 31 tháng 10 năm 2023, có 7 sản phẩm đạt 3 sao.") == [None]


def test_whole_area_and_locality_carried_along_the_sentence():
    text = ("ỦY BAN NHÂN DÂN\nHUYỆN BA TƠ\nSố: 1/BC-UBND\n"
            "Đến tháng 12/2023, toàn huyện có 30 sản phẩm đạt OCOP, trong đó có 4 sản phẩm đạt 4 sao "
            "và 26 sản phẩm đạt 3 sao.\n")
    out = extract_text(text)["counts"]
    assert [c["locality"] for c in out] == ["huyện Ba Tơ"] * 3
    text = "Toàn tỉnh Quảng Ngãi có 12 doanh nghiệp; toàn tỉnh có 5 hợp tác xã."
    assert [c["locality"] for c in extract_text(text)["counts"]] == ["tỉnh Quảng Ngãi"] * 2
