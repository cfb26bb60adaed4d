"""The metric code itself: known CER/WER values and F1 of small multisets."""
import pytest

from corpus.metrics import (calibration, cer, count_prf, item_outcomes, multiset_prf, number_key,
                            score_extraction, score_header, units_compatible, wer)


def test_cer_known_values():
    assert cer("abcd", "abcd") == 0.0
    assert cer("abcd", "abed") == pytest.approx(0.25)          # one substitution
    assert cer("abcd", "abc") == pytest.approx(0.25)           # one deletion
    assert cer("xã", "xa") == pytest.approx(0.5)
    assert cer("a  b\n", "a b") == 0.0                          # whitespace collapsed
    assert cer("xã", "xa\u0303") == 0.0                          # NFC: decomposed == composed


def test_wer_known_values():
    assert wer("một hai ba bốn", "một hai ba bốn") == 0.0
    assert wer("một hai ba bốn", "một hai bốn") == pytest.approx(0.25)
    assert wer("một hai ba bốn", "một hay ba bốn năm") == pytest.approx(0.5)
    assert wer("", "") == 0.0 and wer("", "x") == 1.0


def test_multiset_prf():
    r = multiset_prf(["a", "a", "b", "c"], ["a", "b", "b"])
    assert (r["tp"], r["fp"], r["fn"]) == (2, 2, 1)
    assert r["precision"] == pytest.approx(0.5) and r["recall"] == pytest.approx(2 / 3)
    assert r["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert multiset_prf([], [])["f1"] == 1.0
    assert multiset_prf([], ["a"])["f1"] == 0.0


def test_optional_gold_items_cost_nothing():
    r = multiset_prf(["2024-01-02"], ["2024-01-02"], optional=["2024-11-08T09:25:01"])
    assert (r["tp"], r["fp"], r["fn"]) == (1, 0, 0)
    r = multiset_prf(["2024-01-02", "2024-11-08T09:25:01"], ["2024-01-02"], optional=["2024-11-08T09:25:01"])
    assert (r["tp"], r["fp"], r["fn"]) == (2, 0, 0)


def test_number_key_is_case_space_and_d_insensitive():
    assert number_key("148/QĐ-TTg") == number_key("148/qd-ttg") == number_key("148/ QD -TTG")


def test_units_compatible():
    assert units_compatible("điểm", "điểm du lịch")
    assert units_compatible("hội chợ", "đợt hội chợ")
    assert units_compatible("huyện", "địa phương")
    assert units_compatible("Sản phẩm", "sản phẩm")
    assert not units_compatible("sản phẩm", "chủ thể")
    assert not units_compatible("sản phẩm", "cơ sở sản xuất/hộ kinh doanh")


def test_count_prf_matches_value_total_stars_and_unit():
    gold = [{"value": 3, "total": None, "stars": "3", "unit": "sản phẩm"},
            {"value": 3, "total": 5, "stars": None, "unit": "xã"}]
    pred = [{"value": 3, "total": None, "stars": "3", "unit": "sản phẩm"},
            {"value": 3, "total": 5, "stars": None, "unit": "chủ thể"},   # wrong unit
            {"value": 3, "total": None, "stars": "4", "unit": "sản phẩm"}]  # wrong stars
    r = count_prf(pred, gold)
    assert (r["tp"], r["fp"], r["fn"]) == (1, 2, 1)


def test_score_extraction_fields():
    gold = {"doc_refs": [{"number": "5/KH-UBND"}, {"number": "5/KH-UBND"}],
            "dates": [{"value": "2023-01-02"}, {"value": "2023-01-02T08:00:00"}],
            "counts": [], "money": [{"value_vnd": 10_000_000}]}
    pred = {"doc_refs": [{"number": "5/kh-ubnd"}], "dates": [{"value": "2023-01-02"}],
            "counts": [{"value": 1, "total": None, "stars": None, "unit": "lớp"}], "money": []}
    s = score_extraction(pred, gold)
    assert (s["doc_refs"]["tp"], s["doc_refs"]["fn"], s["doc_refs"]["precision"]) == (1, 1, 1.0)
    assert s["dates"]["f1"] == 1.0
    assert (s["counts"]["fp"], s["counts"]["f1"]) == (1, 0.0)
    assert (s["money"]["fn"], s["money"]["recall"]) == (1, 0.0)


def test_item_outcomes_mark_the_items_scoring_counts_right():
    gold = {"doc_refs": [{"number": "5/KH-UBND"}], "dates": [{"value": "2023-01-02"}, {"value": "2023-01-03T08:00:00"}],
            "counts": [{"value": 3, "total": None, "stars": None, "unit": "xã"}], "money": []}
    pred = {"doc_refs": [{"number": "5/kh-ubnd"}, {"number": "5/KH-UBND"}],
            "dates": [{"value": "2023-01-03T08:00:00"}, {"value": "2023-01-02"}, {"value": "2023-01-02"}],
            "counts": [{"value": 3, "total": None, "stars": None, "unit": "xã, phường"}], "money": [{"value_vnd": 5}]}
    got = [(name, right) for name, _, right in item_outcomes(pred, gold)]
    assert got == [("doc_refs", True), ("doc_refs", False), ("dates", True), ("dates", True), ("dates", False),
                   ("counts", True), ("money", False)]
    scores = score_extraction(pred, gold)
    assert sum(right for _, right in got) == sum(s["tp"] for s in scores.values())


def test_calibration_bins_items_by_confidence():
    rows = calibration([(0.2, False), (0.55, True), (0.6, False), (0.9, True), (0.99, True), (1.0, False)])
    assert [(r["low"], r["items"], r["right"]) for r in rows] == [(0.0, 1, 0), (0.5, 2, 1), (0.7, 0, 0), (0.9, 3, 2)]
    assert rows[2]["share_right"] is None and rows[3]["share_right"] == pytest.approx(2 / 3)


def test_score_header():
    got = score_header({"number": "5/BC-UBND", "place": "quảng  ngãi", "signer": None, "type": "Báo cáo"},
                       {"number": "5/BC-UBND", "place": "Quảng Ngãi", "signer": None, "type": "Công văn"})
    assert got["number"] and got["place"] and got["signer"] and not got["type"]


def test_edit_counts_give_micro_average_parts():
    from corpus.metrics import edit_counts

    assert edit_counts("số 148", "so 148") == (1, 6)
    assert edit_counts("Quyết định số 148", "Quyết định so 148", "word") == (1, 4)
    # Summing parts over pages weights long pages more than a mean of rates would.
    parts = [edit_counts("ab", "xb"), edit_counts("abcdefghij", "abcdefghij")]
    assert sum(e for e, _ in parts) / sum(n for _, n in parts) == pytest.approx(1 / 12)
