"""An item's confidence weighs how it was read (pipeline.extract.confidence)."""
from __future__ import annotations

from pathlib import Path

from pipeline.document import Document, Page, Word
from pipeline.extract.confidence import UNCERTAIN_BELOW, Evidence, Reading, assess, confidence
from pipeline.run.process import extract_document

LINE = "Thực hiện Kế hoạch số 69/KH-UBND ngày 22/3/2024 của UBND tỉnh"


def _scan(line: str, conf: float) -> Document:
    """One OCR'd page holding ``line``, every word read at Tesseract confidence ``conf``."""
    words, x = [], 100
    for w in line.split(" "):
        words.append(Word(w, conf, (x, 100, 20 * len(w), 40), 0))
        x += 20 * len(w) + 20
    return Document(Path("x.pdf"), "", "pdf", [Page(1, line, "ocr", words=words, width=2480, height=3508)])


def _typed(text: str) -> Document:
    return Document(Path("x.txt"), "", "text", [Page(1, text, "text")])


def _date(extraction: dict, value: str = "2024-03-22") -> dict:
    return next(d for d in extraction["dates"] if d["value"] == value)


def test_a_date_on_a_poorly_read_page_is_less_sure_than_on_a_clean_one():
    clean = _date(extract_document(_scan(LINE, 96.0)))
    poor = _date(extract_document(_scan(LINE, 55.0)))
    assert poor["confidence"] < clean["confidence"]
    assert poor["bbox"] == clean["bbox"]  # the same words, read less surely


def test_a_span_restoration_changed_is_less_sure_than_the_same_span_as_read():
    unchanged = _date(extract_document(_typed(LINE)))
    # The same final text, restored from a garbled reading of the date's own characters.
    garbled = _typed("Thực hiện Kế hoạch số 69/KH-UBND ngdy 2Z/3/Z024 của UBND tỉnh")
    restored = _date(extract_document(_typed(LINE), garbled))
    assert restored["raw"] == "ngdy 2Z/3/Z024"
    assert restored["confidence"] < unchanged["confidence"]


def test_a_failed_cross_check_lowers_the_confidence_and_makes_the_item_uncertain():
    def result(value: str) -> dict:
        return {"self": {"date": "2024-05-10"},
                "dates": [{"value": value, "line": 3, "span": [0, 10], "confidence": 0.95}]}

    near, late = result("2025-06-30"), result("2074-06-30")  # a deadline; a year misread
    assert assess(near) == []
    uncertain = assess(late)
    assert late["dates"][0]["confidence"] < near["dates"][0]["confidence"]
    assert uncertain == [{"line": 3, "why": "date 2074-06-30 years after the document's own date 2024-05-10",
                          "field": "dates", "item": 0}]


def test_a_cited_document_dated_after_the_citing_one_is_doubted():
    dated = {"self": {"date": "2024-05-10"},
             "doc_refs": [{"number": "69/KH-UBND", "date": "2024-06-01", "line": 5, "span": [3, 20],
                           "confidence": 0.9}]}
    assert assess(dated)[0]["why"].startswith("cited document dated 2024-06-01")


def test_weaker_evidence_gives_a_lower_confidence():
    sure = confidence(Evidence(0.95))
    assert confidence(Evidence(0.95, Reading((96.0, 97.0)))) <= sure
    assert confidence(Evidence(0.95, Reading((60.0, 40.0)))) < confidence(Evidence(0.95, Reading((96.0, 97.0))))
    assert confidence(Evidence(0.6)) < sure
    assert confidence(Evidence(0.95, failed=("x",))) < UNCERTAIN_BELOW < sure
