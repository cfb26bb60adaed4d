"""`vanban eval`: the tallies behind its table, and a small real run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import VANBAN
from corpus.evaluate import ErrorTally, FieldTally, _line_word_accuracy, run_eval


def test_error_tally_is_a_micro_average():
    tally = ErrorTally()
    tally.add("số", "so")  # 1 char error of 2, 1 word error of 1
    tally.add("Quảng Ngãi tỉnh", "Quảng Ngãi tỉnh")  # 15 chars, 3 words, no error
    assert tally.cer == pytest.approx(1 / 17)
    assert tally.wer == pytest.approx(1 / 4)


def test_field_tally_sums_documents_before_computing_f1():
    tally = FieldTally()
    gold = {"doc_refs": [{"number": "148/QĐ-TTg"}, {"number": "17/CT-TTg"}], "dates": [],
            "counts": [], "money": [{"value_vnd": 10_000_000}], "self": {"type": "Báo cáo"}}
    tally.add({"doc_refs": [{"number": "148/QD-TTg"}], "money": [{"value_vnd": 10_000_000}],
               "self": {"type": "Báo cáo"}}, gold)
    tally.add({"doc_refs": [{"number": "148/QĐ-TTg"}, {"number": "17/CT-TTg"}, {"number": "9/X"}],
               "self": {}}, gold)
    scores = tally.scores()
    assert (scores["doc_refs"]["tp"], scores["doc_refs"]["fp"], scores["doc_refs"]["fn"]) == (3, 1, 1)
    assert scores["money"]["recall"] == pytest.approx(0.5)
    assert scores["header"]["accuracy"] == pytest.approx(13 / 14)  # only "type" missed once


def test_line_word_accuracy_compares_line_for_line():
    assert _line_word_accuracy("Quảng Ngãi\nsố 5", "Quảng Ngai\nsố 5") == pytest.approx(3 / 4)


def test_small_eval_run_measures_every_stage(tmp_path, shared):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "bao_cao.txt").write_text(
        "Ủy ban nhân dân tỉnh giao Sở Nông nghiệp và Phát triển nông thôn chủ trì.\n"
        "Các sản phẩm đạt 3 sao được cấp giấy chứng nhận.\n" * 5, encoding="utf-8")
    report = run_eval(tmp_path, levels=("clean",), docs_per_level=1, seed=5, workers=2, shared=shared,
                      annex_pages=1, archive=[archive])
    clean = report["scans"]["levels"]["clean"]
    assert clean["pages"] >= 2
    for key in ("cer_raw", "cer_ocr", "cer_restored", "wer_raw", "wer_ocr", "wer_restored"):
        assert 0.0 <= clean[key] <= 1.0
    assert clean["cer_ocr"] < 0.03  # clean 300-DPI pages must read almost perfectly
    assert clean["extraction"]["doc_refs"]["f1"] > 0.5
    # every extracted item binned by its confidence: the surer bins are not right less often
    table = report["scans"]["calibration"]
    assert [r["low"] for r in table] == [0.0, 0.5, 0.7, 0.9] and sum(r["items"] for r in table) > 0
    shares = [r["share_right"] for r in table if r["items"]]
    assert shares == sorted(shares)
    assert clean["extraction"]["calibration"] == table  # one level measured
    seeds = report["seeds"]
    assert seeds["restoration"]["001_vs_gold"] > 0.85
    assert seeds["extraction"]["003"]["doc_refs"]["f1"] >= 0.8
    # one generated "Phụ lục" page of 55 cells (its reading quality: tests/corpus/test_annex_pages.py)
    annex = report["annex"]["levels"]["clean"]
    assert annex["pages"] == 1 and annex["tables_found"] == 1 and annex["grid_ok"] == 1
    assert annex["cells"] == 55 and 0 <= annex["cells_exact"] <= 55 and annex["upright"] in (0, 1)
    assert 0.0 <= annex["cell_exact_rate"] <= 1.0 and annex["cell_cer"] >= 0.0
    assert len(report["annex"]["pages"]) == 1
    # --archive: the restoration figures again, with an LM trained on the archive's text
    with_archive = report["archive"]
    assert Path(with_archive["lm"]).is_file() and Path(with_archive["lm"]).parent == tmp_path
    assert set(with_archive["seeds"]) == set(seeds["restoration"])
    assert with_archive["seeds"]["001_vs_gold"] > 0.85
    assert with_archive["seeds"]["003_stripped"] != seeds["restoration"]["003_stripped"]
    assert with_archive["levels"]["clean"]["wer_ocr"] == pytest.approx(clean["wer_ocr"])
    from pipeline.restore.restorer import RestorerOptions

    assert RestorerOptions.find().user_lm != Path(with_archive["lm"])  # the archive LM was not installed


def test_eval_command_prints_the_table_and_writes_json(tmp_path, shared):
    import subprocess

    out = tmp_path / "ev"
    proc = subprocess.run([VANBAN, "eval", "--level", "clean", "--docs-per-level", "1",
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "CER cleanup+OCR" in proc.stdout and "word accuracy" in proc.stdout
    assert "Annex tables" in proc.stdout and "cells exactly right" in proc.stdout
    assert "share right per bin" in proc.stdout  # the confidence calibration table
    report = json.loads((out / "eval.json").read_text())
    assert set(report["scans"]["levels"]) == {"clean"}
    assert set(report["annex"]["levels"]) == {"clean"}
