"""`vanban eval --real`: scoring of header fields and the line CER, on a small generated set."""
from __future__ import annotations

import json

from corpus.eval_real import load_pages, normalize_value, run_real_eval, score_field
from pipeline.run.process import Settings
from tests.conftest import requires_tesseract_vie
from tests.ocr.test_layout import DPI, render_state_page


def test_outcomes_tell_a_wrong_certain_value_from_an_unsure_one():
    truth = {"number": "575/UBND-KTTH", "issuer": "Ủy ban nhân dân tỉnh Quảng Ngãi", "signer": None}
    assert score_field("number", {"number": "575 / UBND-KTTH"}, truth) == "right"
    assert score_field("number", {"number": "579/UBND-KTTH"}, truth) == "wrong"
    assert score_field("number", {"number": "579/UBND-KTTH", "number_uncertain": True}, truth) == "unsure"
    assert score_field("number", {}, truth) == "missing"
    assert score_field("signer", {"signer": "Hà Văn A"}, truth) == "invented"
    # "UBND" is "Ủy ban nhân dân", old and new tone placement are one spelling.
    assert score_field("issuer", {"issuer": "UBND tỉnh Quảng Ngãi"}, truth) == "right"
    assert normalize_value("subject", "xoá nhà tạm.") == normalize_value("subject", "Xóa nhà tạm")


@requires_tesseract_vie
def test_a_real_scan_folder_is_scored_page_by_page(tmp_path):
    root, transcriptions = tmp_path / "realscans", tmp_path / "transcriptions"
    for folder in ("scans", "truth"):
        (root / folder).mkdir(parents=True)
    transcriptions.mkdir()
    render_state_page("Bình Định", "123/QĐ-UBND", "Quyết định", "Trần Văn Bình").save(
        root / "scans" / "qd.png", dpi=(DPI, DPI))
    (root / "manifest.tsv").write_text(
        "id\tpage_stem\tscan_file\tpage_in_file\tsource\tapprox_dpi\tdescription\n"
        "01\tqd_p1\tqd.png\t1\tgenerated\t200\ta generated Quyết định\n", encoding="utf-8")
    truth = {"page_kind": "first+last", "type": "Quyết định", "number": "123/QĐ-UBND", "date": "2024-03-15",
             "place": "Bình Định", "issuer": "Ủy ban nhân dân tỉnh Bình Định", "issuer_parent": None,
             "subject": "Về việc tổ chức kiểm tra công tác cải cách hành chính năm 2024",
             "signer": "Trần Văn Sáu",  # deliberately not the page's signer: must score "wrong"
             "signer_title": "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"}
    (root / "truth" / "qd_p1.fields.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    (transcriptions / "qd_p1.txt").write_text("ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\n", encoding="utf-8")
    pages = load_pages(root, transcriptions)
    assert [p.stem for p in pages] == ["qd_p1"] and pages[0].transcription.startswith("ỦY BAN")

    report = run_real_eval(root, workers=1, settings=Settings(annex_tables=False), transcriptions=transcriptions)
    outcomes = report["rows"][0]["outcomes"]
    assert outcomes["signer"] == "wrong"
    assert {f: o for f, o in outcomes.items() if f != "signer"} == dict.fromkeys(
        ("type", "number", "date", "place", "issuer", "issuer_parent", "subject", "signer_title"), "right")
    assert report["header_right"] == 8 / 9
    # The transcription holds two lines of the page: the stored text has far more, so CER is high.
    assert report["line_cer_mean"] > 1.0
