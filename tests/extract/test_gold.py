"""Extraction against the hand-made gold files, scored with corpus.metrics.

The bars are what the extractors reach on the three seeds, minus a margin; 003
carries the issue's hard acceptance bar (doc_refs and dates F1 >= 0.8).
"""
import json
import time

import pytest

from corpus.metrics import score_extraction, score_header
from pipeline.extract import extract_text

from tests.conftest import SHARED

pytestmark = pytest.mark.skipif(not (SHARED / "gold").is_dir(), reason="shared gold files not present")

# doc -> field -> minimum F1
BARS = {
    "001_16be9c85fc292a13": {"doc_refs": 0.9, "dates": 0.9, "counts": 0.8, "money": 0.95},
    "003_e01dbd1ab2f0cbd7": {"doc_refs": 0.95, "dates": 0.95, "counts": 0.9, "money": 0.95},
    "004_49b22b13f22dc593": {"doc_refs": 0.95, "dates": 0.95, "counts": 0.9, "money": 0.95},
}
# header fields that must come out right (001's subject needs diacritics restored first)
HEADER = {
    "001_16be9c85fc292a13": ("number", "date", "place", "type", "issuer", "signer"),
    "003_e01dbd1ab2f0cbd7": ("number", "date", "place", "type", "issuer", "subject", "signer"),
    "004_49b22b13f22dc593": ("number", "date", "place", "type", "issuer", "subject", "signer"),
}


def _run(doc):
    gold = json.loads((SHARED / "gold" / f"{doc}.extract.json").read_text(encoding="utf-8"))
    text = (SHARED / "seeds" / f"{doc}.txt").read_text(encoding="utf-8")
    return text, gold, extract_text(text, f"{doc}.txt")


@pytest.mark.parametrize("doc", sorted(BARS))
def test_gold_f1(doc):
    _, gold, pred = _run(doc)
    scores = score_extraction(pred, gold)
    low = {f: round(scores[f]["f1"], 3) for f, bar in BARS[doc].items() if scores[f]["f1"] < bar}
    assert not low, f"{doc}: F1 below bar {low}"


def test_acceptance_bar_003():
    _, gold, pred = _run("003_e01dbd1ab2f0cbd7")
    scores = score_extraction(pred, gold)
    assert scores["doc_refs"]["f1"] >= 0.8
    assert scores["dates"]["f1"] >= 0.8


@pytest.mark.parametrize("doc", sorted(HEADER))
def test_gold_header(doc):
    _, gold, pred = _run(doc)
    ok = score_header(pred["self"], gold["self"])
    wrong = {f: (pred["self"][f], gold["self"][f]) for f in HEADER[doc] if not ok[f]}
    assert not wrong


def test_restored_001_header_and_fields():
    gold = json.loads((SHARED / "gold" / "001_16be9c85fc292a13.extract.json").read_text(encoding="utf-8"))
    text = (SHARED / "gold" / "001_restored.txt").read_text(encoding="utf-8")
    pred = extract_text(text)
    assert all(score_header(pred["self"], gold["self"]).values())
    assert all(s["f1"] >= 0.9 for s in score_extraction(pred, gold).values())


@pytest.mark.parametrize("doc", sorted(BARS))
def test_provenance_is_exact(doc):
    text, _, pred = _run(doc)
    for field in ("doc_refs", "dates", "counts", "money"):
        for item in pred[field]:
            s, e = item["span"]
            assert text[s:e] == item["raw"]
            assert text.count("\n", 0, s) + 1 == item["line"]
            assert 0 <= item["confidence"] <= 1 and item["page"] >= 1


def test_speed_30kb():
    text = (SHARED / "seeds" / "003_e01dbd1ab2f0cbd7.txt").read_text(encoding="utf-8")
    extract_text(text)  # warm the spaCy pipeline
    t = time.perf_counter()
    extract_text(text)
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("doc", sorted(BARS))
def test_acceptance_through_restoration(doc):
    """As `vanban extract` runs a text file: restored when it lost its marks (001), then
    extracted.  Issue bars: doc_refs and dates F1 >= 0.97, counts >= 0.92, money >= 0.95,
    every header field right."""
    from pathlib import Path

    from pipeline.document import Document, Page
    from pipeline.restore.restorer import Restorer, RestorerOptions
    from pipeline.run.process import finish_document

    text, gold, _ = _run(doc)
    _, pred = finish_document(Document(path=Path(f"{doc}.txt"), sha256="", kind="text",
                                       pages=[Page(number=1, text=text, source="text")]),
                              Restorer(RestorerOptions.find()))
    scores = score_extraction(pred, gold)
    bars = {"doc_refs": 0.97, "dates": 0.97, "counts": 0.92, "money": 0.95}
    assert {f: scores[f]["f1"] for f in bars if scores[f]["f1"] < bars[f]} == {}
    ok = score_header(pred["self"], gold["self"])
    assert {f: (pred["self"][f], gold["self"][f]) for f, right in ok.items() if not right} == {}
