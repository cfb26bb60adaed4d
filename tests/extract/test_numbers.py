"""Document numbers (doc_refs), on sentences written for the tests."""
from pipeline.extract import extract_text
from pipeline.extract.numbers import canonical_code


def refs(text):
    return [(r["number"], r["kind"], r["date"]) for r in extract_text(text)["doc_refs"]]


def test_kind_number_date():
    assert refs("Căn cứ Thông tư số 05/2022/TT-BNNPTNT ngày 3/6/2022 của Bộ.") == [
        ("05/2022/TT-BNNPTNT", "Thông tư", "2022-06-03")]


def test_diacritic_less_ocr_forms():
    assert refs("Thuc hien Chi thi s6 24/CT-TTg ngay 9/9/2021 cua Thu tuong") == [
        ("24/CT-TTg", "Chỉ thị", "2021-09-09")]
    assert refs("theo Quyét dinh sb 77/QD-UBND ngay 01/02/2022") == [
        ("77/QĐ-UBND", "Quyết định", "2022-02-01")]


def test_code_broken_over_line():
    assert refs("tại Kế hoạch 210/KH-\nUBND ngày 5/10/2023 của tỉnh") == [
        ("210/KH-UBND", "Kế hoạch", "2023-10-05")]


def test_without_type_word_and_list_carry():
    got = refs("các Nghị quyết: số 12/NQ-HĐND ngày 1/7/2022; số 30/NQ-HĐND ngày 9/12/2022")
    assert got == [("12/NQ-HĐND", "Nghị quyết", "2022-07-01"), ("30/NQ-HĐND", "Nghị quyết", "2022-12-09")]


def test_party_style_number():
    assert refs("Nghị quyết số 05-NQ/TU của Tỉnh ủy") == [("05-NQ/TU", "Nghị quyết", None)]


def test_own_header_number_is_not_a_citation():
    text = "SỞ TÀI CHÍNH\nSố: 120/STC-NS\nV/v cấp kinh phí\n\nThực hiện Công văn số 88/UBND-KT ngày 2/3/2023"
    out = extract_text(text)
    assert out["self"]["number"] == "120/STC-NS"
    assert [r["number"] for r in out["doc_refs"]] == ["88/UBND-KT"]


def test_ocr_slash_read_as_I_in_header():
    out = extract_text("SO TAI CHINH\nSb: 95 ISTC-NS Da Nang, ngay 2 thang 3 nam 2023\n")
    assert out["self"]["number"] == "95/STC-NS"


def test_not_numbers():
    assert refs("13/13 huyện, 01/07 sản phẩm, Đề án/Kế hoạch, https://a.gov.vn/x") == []


def test_canonical_code():
    assert canonical_code("QD-TTG") == "QĐ-TTg"
    assert canonical_code("ND - CP") == "NĐ-CP"
    assert canonical_code("BC-VPDP") == "BC-VPĐP"
    assert canonical_code("UBND-KTN") == "UBND-KTN"


def test_provenance_span():
    text = "xin gửi\nTheo Công văn số 7/SXD-QLXD ngày 4/4/2023 của Sở"
    (r,) = extract_text(text)["doc_refs"]
    assert r["line"] == 2 and text[r["span"][0]:r["span"][1]] == r["raw"]
    assert r["raw"].startswith("Công văn") and r["raw"].endswith("4/4/2023")


def test_decomposed_input_and_page_breaks_keep_exact_spans():
    import unicodedata
    text = unicodedata.normalize(
        "NFD", "Theo Kế hoạch số 5/KH-UBND ngày 2/3/2023\n\f\ncó 12 sản phẩm đạt OCOP 3 sao, 10 triệu đồng")
    out = extract_text(text)
    items = [i for f in ("doc_refs", "dates", "counts", "money") for i in out[f]]
    assert len(items) == 4
    for i in items:
        assert text[i["span"][0]:i["span"][1]] == i["raw"]
    assert [(i["line"], i["page"]) for i in items] == [(1, 1), (1, 1), (3, 2), (3, 2)]
