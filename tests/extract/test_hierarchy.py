"""Totals and their parts (role, parent), on sentences written for the tests."""
from pipeline.extract import extract_text


def counts(text):
    return [(c["value"], c["role"], c["parent"]) for c in extract_text(text)["counts"]]


def money(text):
    return [(m["value_vnd"] // 1_000_000, m["role"], m["parent"]) for m in extract_text(text)["money"]]


def unsummed(items, value):
    """What a query over rows without a parent adds up to."""
    return sum(value(x) for x in items if x["parent"] is None)


def test_trong_do_in_the_sentence():
    assert counts("Toàn huyện có 20 sản phẩm đạt OCOP 3-4 sao, trong đó có: 03 sản phẩm đạt 4 sao "
                  "và 17 sản phẩm đạt 3 sao; có 11/15 xã có sản phẩm.") == [
        (20, "total", None), (3, "part", 0), (17, "part", 0), (11, "single", None)]


def test_trong_do_opening_the_next_sentence():
    assert counts("Lũy kế toàn tỉnh có 124 sản phẩm đạt OCOP 3-4 sao. Trong đó có 9 sản phẩm đạt 4 sao "
                  "và 115 sản phẩm đạt 3 sao.") == [(124, "total", None), (9, "part", 0), (115, "part", 0)]


def test_gom_and_plural_colon_lists_by_locality():
    assert counts("có 9 sản phẩm đạt OCOP 3 sao gồm: Ba Tơ (05 sản phẩm), Sơn Hà (04 sản phẩm).") == [
        (9, "total", None), (5, "part", 0), (4, "part", 0)]
    text = ("Tính đến tháng 8/2024, đã có 03 địa phương cấp giấy chứng nhận cho 13 sản phẩm đạt OCOP 3 sao "
            "của các huyện: Tư Nghĩa (04 sản phẩm), Bình Sơn (01 sản phẩm) và thành phố Quảng Ngãi "
            "(08 sản phẩm); có 04 địa phương đã tổ chức đấu thầu.")
    assert counts(text) == [(3, "single", None), (13, "total", None), (4, "part", 1), (1, "part", 1),
                            (8, "part", 1), (4, "single", None)]


def test_producer_kinds_are_parts_of_chu_the():
    # The products each kind of producer has are not parts of the producers' total.
    text = ("Có 47 chủ thể có sản phẩm đạt OCOP, trong đó: 11 doanh nghiệp với 21 sản phẩm; "
            "16 hợp tác xã với 20 sản phẩm; 20 hộ kinh doanh với 24 sản phẩm.")
    assert counts(text) == [(47, "total", None), (11, "part", 0), (21, "single", None), (16, "part", 0),
                            (20, "single", None), (20, "part", 0), (24, "single", None)]


def test_other_units_and_other_star_levels_are_not_parts():
    assert counts("Tổ chức 3 lớp tập huấn, trong đó có 150 người tham gia.") == [
        (3, "single", None), (150, "single", None)]
    assert counts("Có 10 sản phẩm đạt OCOP 3 sao, trong đó 2 sản phẩm đạt 4 sao.") == [
        (10, "single", None), (2, "single", None)]


def test_heading_and_deeper_bullets():
    text = ("- Tổng số học viên tham gia: 120 người, trong đó:\n"
            " + Nữ: 50 người.\n"
            " + Cán bộ xã: 30 người.\n"
            "- Giảng viên: 5 người.\n")
    # The "- Giảng viên" line is at the heading's own level: a sibling, not a part.
    assert counts(text) == [(120, "total", None), (50, "part", 0), (30, "part", 0), (5, "single", None)]


def test_a_wrapped_line_is_not_a_heading():
    text = ("Lũy kế đến nay: Có 72 chủ thể có sản phẩm đạt OCOP trong đó: \n\n"
            "16 doanh nghiệp (40 sản phẩm), 26 hợp tác xã (43 sản phẩm), 30 hộ kinh doanh \n\n(41 sản phẩm).")
    got = counts(text)
    assert [g for g in got if g[1] != "single"] == [(72, "total", None), (16, "part", 0), (26, "part", 0),
                                                    (30, "part", 0)]


def test_parts_adding_up_to_more_than_the_total_are_not_linked():
    out = extract_text("Xã hội hóa 04 điểm gồm: thành phố Quảng Ngãi 5 điểm, huyện Mộ Đức 1 điểm, "
                       "huyện Bình Sơn 1 điểm.")
    assert [(c["value"], c["role"]) for c in out["counts"]] == [(4, "single"), (5, "single"), (1, "single"),
                                                               (1, "single")]
    assert [u["why"] for u in out["uncertain"]] == ["breakdown adds up to 7, more than its total 4: parts not linked"]


def test_repeated_statement_is_marked():
    text = ("Tính đến tháng 8/2024 có 13 sản phẩm đạt OCOP 3 sao. Ở cấp huyện: phân công 01 công chức.\n"
            "Ở cấp xã: phân công 01 công chức. Như vậy, tính đến tháng 8/2024 có 13 sản phẩm đạt OCOP 3 sao.")
    assert counts(text) == [(13, "single", None), (1, "single", None), (1, "single", None), (13, "repeat", 0)]
    # Equal figures of one list are two figures.
    out = extract_text("Năm 2022 có sản phẩm đạt OCOP 3 sao ở các thôn: Gò Da (8 sản phẩm) và Trường An "
                       "(8 sản phẩm).")["counts"]
    assert [(c["value"], c["stars"], c["as_of"], c["locality"], c["role"]) for c in out] == [
        (8, "3", "2022", None, "single"), (8, "3", "2022", None, "single")]


def test_money_heading_with_bullets():
    text = ("1. Tổng kinh phí được giao: 446 triệu đồng, trong đó:\n"
            "+ Kinh phí kéo dài từ năm 2023: 0 triệu đồng.\n"
            "+ Kinh phí được phân bổ tại Quyết định số 148/QĐ-UBND: 320 triệu đồng và kinh phí đối ứng của "
            "địa phương: 126 triệu đồng.\n"
            "2. Kinh phí đã giải ngân: 324,474 triệu đồng, trong đó:\n"
            "+ Kinh phí được phân bổ tại Quyết định số 148/QĐ-UBND: 251,404 triệu đồng và kinh phí đối ứng: "
            "73,070 triệu đồng.\n")
    out = extract_text(text)["money"]
    assert [(m["value_vnd"], m["role"], m["parent"]) for m in out] == [
        (446_000_000, "total", None), (0, "part", 0), (320_000_000, "part", 0), (126_000_000, "part", 0),
        (324_474_000, "total", None), (251_404_000, "part", 4), (73_070_000, "part", 4)]
    # Every amount under the headings reads "phân bổ" (allocated): only the headline is not a part.
    allocated = [m for m in out if m["kind"] == "allocated"]
    assert unsummed(allocated, lambda m: m["value_vnd"]) == 446_000_000


def test_an_item_wrapped_over_two_lines_stays_in_the_list():
    # As OCR lines 004's scan: the item's second line has no bullet; "2. …" ends the list.
    text = ("1. Tổng kinh phí được giao: 446 triệu đồng, trong đó:\n"
            "+ Kinh phí được phân bổ tại Quyết định số 148/QĐ-UBND ngày 01/02/2024 của UBND\n"
            "tỉnh: 320 triệu đồng và kinh phí đối ứng của địa phương: 126 triệu đồng.\n"
            "2. Kinh phí còn lại: 121,526 triệu đồng.\n"
            "Kinh phí năm sau: 100 triệu đồng.\n")
    assert money(text) == [(446, "total", None), (320, "part", 0), (126, "part", 0), (121, "single", None),
                           (100, "single", None)]


def test_money_in_the_sentence_and_nested():
    assert money("Tổng kinh phí 500 triệu đồng, trong đó ngân sách tỉnh 300 triệu đồng, ngân sách huyện "
                 "200 triệu đồng.") == [(500, "total", None), (300, "part", 0), (200, "part", 0)]
    text = ("Tổng kinh phí: 500 triệu đồng, trong đó:\n"
            "+ Ngân sách tỉnh: 300 triệu đồng, trong đó chi tập huấn 100 triệu đồng.\n"
            "+ Ngân sách huyện: 200 triệu đồng.\n")
    assert money(text) == [(500, "total", None), (300, "part", 0), (100, "part", 1), (200, "part", 0)]


def test_a_label_colon_is_not_a_breakdown():
    assert money("Kinh phí được phân bổ: 320 triệu đồng và kinh phí đối ứng của địa phương: 126 triệu đồng.") == [
        (320, "single", None), (126, "single", None)]
