"""Dates and months, on sentences written for the tests (not copied from the seeds)."""
from pipeline.extract import extract_text
from pipeline.extract.dates import find_dates, iso_date


def values(text):
    return [d.value for d in find_dates(text)]


def test_numeric_date_with_ngay():
    assert values("Theo Công văn ngày 5/6/2023 của Sở Tài chính.") == ["2023-06-05"]


def test_words_date_and_double_space():
    assert values("Bình Định, ngày 3  tháng 11 năm 2021") == ["2021-11-03"]


def test_month_precision():
    assert values("Tính đến tháng 7/2023, toàn huyện có 9 sản phẩm.") == ["2023-07"]
    assert values("trong tháng 2 năm 2024") == ["2024-02"]


def test_range_gives_two_dates():
    assert values("diễn ra từ ngày 02/5/2023 đến 10/5/2023 tại Hà Nội") == ["2023-05-02", "2023-05-10"]
    assert values("từ ngày 12-14/9/2023") == ["2023-09-12", "2023-09-14"]


def test_bare_date_and_ocr_label():
    assert values("- 15/8/2022 kết thúc") == ["2022-08-15"]
    assert values("Ke hoach so 7/KH-UBND ngay 01/3/2021 cua UBND") == ["2021-03-01"]
    assert values("Hue, ngdy 9 thang 10 nam 2020") == ["2020-10-09"]


def test_year_only_and_periods_are_not_dates():
    assert values("năm 2024, giai đoạn 2021-2025, đợt 1 năm 2023") == []


def test_invalid_dates_rejected():
    assert values("ngày 31/2/2023 và ngày 12/13/2023") == []
    assert iso_date(2023, 2, 29) is None and iso_date(2024, 2, 29) == "2024-02-29"


def test_blank_day_template_is_a_month():
    assert values("(Kèm theo Quyết định số /QĐ-UBND ngày /03/2024)") == ["2024-03"]


def test_date_split_over_lines_and_provenance():
    text = "Kế hoạch số 12/KH-UBND ngày \n\n7/2/2022 của UBND tỉnh"
    out = extract_text(text)
    (d,) = out["dates"]
    assert d["value"] == "2022-02-07" and d["line"] == 1
    assert text[d["span"][0]:d["span"][1]] == d["raw"] == "ngày \n\n7/2/2022"


def test_iso_timestamp():
    assert values("Ký số: 2024-11-08T09:25:01+07:00") == ["2024-11-08T09:25:01"]
