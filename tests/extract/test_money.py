"""Money amounts, on sentences written for the tests."""
from pipeline.extract.money import find_money, parse_number


def vnd(text):
    return [m.value_vnd for m in find_money(text)]


def test_decimal_comma_and_multipliers():
    assert vnd("giải ngân 57,25 triệu đồng") == [57_250_000]
    assert vnd("doanh thu 4,5 tỷ đồng") == [4_500_000_000]
    assert vnd("hỗ trợ 15 triệu đồng/sản phẩm") == [15_000_000]


def test_thousands_dots_and_compound():
    assert vnd("mức thưởng 2.500.000 đồng") == [2_500_000]
    assert vnd("tổng 1 tỷ 250 triệu đồng") == [1_250_000_000]
    assert vnd("1.200 triệu đồng") == [1_200_000_000]


def test_ocr_and_abbreviations():
    assert vnd("kinh phi 30 trieu dong") == [30_000_000]
    assert vnd("còn 12 triệu đ, và 300.000 VNĐ") == [12_000_000, 300_000]


def test_not_money():
    assert vnd("02 đồng chí tham gia; đồng bộ 3 xã; 5 triệu lượt khách") == []


def test_parse_number():
    assert str(parse_number("324,474")) == "324.474"
    assert parse_number("201.000") == 201000
    assert parse_number("1,250,000") == 1250000


def test_lone_d_after_a_thousands_grouped_amount():
    from pipeline.extract import extract_text
    assert [m["value_vnd"] for m in extract_text("mức hỗ trợ 15.000.000 đ/chủ thể; 500.000đ mỗi sản phẩm")["money"]] == [
        15000000, 500000]
    assert extract_text("điểm trung bình 5 đ")["money"] == []
