"""Composed documents: determinism and an extraction truth that matches what was written."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from corpus.compose import DOC_TYPES, ISSUERS, compose, compose_many
from corpus.layout import render_document
from corpus.metrics import score_extraction

SEEDS = range(12)


def _money_vnd(raw: str) -> int:
    """Independent reading of a printed amount: "." thousands, "," decimals."""
    m = re.fullmatch(r"([\d.]+)(?:,(\d+))? (triệu |tỷ )?đồng", raw)
    assert m, raw
    number = Decimal(m[1].replace(".", "") + ("." + m[2] if m[2] else ""))
    scale = {"triệu ": 10**6, "tỷ ": 10**9, None: 1}[m[3]]
    return int(number * scale)


def _date_value(raw: str) -> str:
    for pattern, parts in ((r"(?:ngày )?(\d{1,2})/(\d{1,2})/(\d{4})", "dmy"),
                           (r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})", "dmy"),
                           (r"tháng (\d{1,2})(?:/| năm )(\d{4})", "my")):
        m = re.fullmatch(pattern, raw)
        if m:
            if parts == "dmy":
                return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
            return f"{m[2]}-{int(m[1]):02d}"
    raise AssertionError(f"not a date phrase: {raw!r}")


@pytest.mark.parametrize("seed", SEEDS)
def test_same_seed_same_document(seed):
    a, b = compose(seed), compose(seed)
    assert a == b
    assert a.extraction == b.extraction


def test_seeds_give_varied_documents():
    docs = [compose(s) for s in range(40)]
    assert {d.doc_type for d in docs} == set(DOC_TYPES)
    assert len({d.issuer.name for d in docs}) >= 8
    assert len({" ".join(p.text for p in d.paragraphs) for d in docs}) == 40
    assert len({d.number for d in docs}) >= 38


def test_unknown_type_is_refused():
    with pytest.raises(ValueError):
        compose(0, doc_type="Thư tình")


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_header_parts_follow_the_type(doc_type):
    doc = compose(5, doc_type=doc_type)
    own = doc.self_block
    assert own["type"] == doc_type and own["number"] == doc.number
    assert doc.date_line.startswith(f"{doc.place}, ngày ")
    assert own["date"] == doc.date.isoformat()
    if doc_type == "Công văn":
        assert doc.title is None and doc.vv == f"V/v {doc.subject}"
    else:
        assert doc.vv is None and doc.title == doc.subject
        code = {"Báo cáo": "BC", "Kế hoạch": "KH", "Quyết định": "QĐ", "Tờ trình": "TTr"}[doc_type]
        assert f"/{code}-" in doc.number
    assert doc.noi_nhan[-1].startswith("- Lưu")
    assert doc.signature[-1].isupper() and doc.signer.istitle()


@pytest.mark.parametrize("seed", SEEDS)
def test_mentions_are_what_the_templates_inserted(seed):
    doc = compose(seed, long=True)
    ex = doc.extraction
    assert set(ex) >= {"self", "doc_refs", "dates", "counts", "money"}
    blocks = doc.blocks
    for m in doc.mentions:
        assert blocks[m.block][m.start:m.end].strip() == blocks[m.block][m.start:m.end]
    for item in ex["money"]:
        assert item["value_vnd"] == _money_vnd(item["raw"])
    for item in ex["dates"]:
        assert item["value"] == _date_value(item["raw"]), item
    for item in ex["doc_refs"]:
        assert item["number"] in item["raw"]
        assert item["kind"] is None or item["raw"].startswith(item["kind"])
        if item["date"]:
            tail = re.search(r"(ngày .*)$", item["raw"])[1]
            assert _date_value(tail) == item["date"]
    for item in ex["counts"]:
        m = re.match(r"(\d+)(?:/(\d+)|-(\d+))? (.+)", item["raw"])
        assert m, item
        assert int(m[1]) == item["value"]
        assert (int(m[2]) if m[2] else None) == item["total"]
        assert (int(m[3]) if m[3] else None) == item.get("value_max")
        assert m[4].lower().startswith(item["unit"]), item
        if item["stars"]:
            assert f"{item['stars']} sao" in m[4]
    # the header date is a date mention of its own
    assert ex["dates"][0]["value"] == doc.date.isoformat()


def test_every_document_carries_each_field():
    for doc in compose_many(10, seed=3):
        ex = doc.extraction
        assert ex["dates"] and ex["doc_refs"], doc.doc_type
        assert ex["counts"] or doc.doc_type == "Công văn" and ex["dates"]
    long_reports = [compose(s, doc_type="Báo cáo", long=True) for s in range(3)]
    assert all(d.extraction["money"] and len(d.extraction["counts"]) >= 10 for d in long_reports)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_rendered_extraction_points_into_the_truth_text(seed):
    doc = compose(seed, long=seed % 2 == 0)
    rendered = render_document(doc, dpi=100, seed=seed, stamp=False, pen=False)
    text = rendered.truth_text
    lines = text.split("\n")
    inserted = doc.extraction
    for name in ("doc_refs", "dates", "counts", "money"):
        assert len(rendered.extraction[name]) == len(inserted[name])
        for item, orig in zip(rendered.extraction[name], inserted[name]):
            start, end = item["span"]
            assert text[start:end] == item["raw"]
            # a wrapped phrase has "\n" where the line broke (and a page break adds the number)
            assert " ".join(item["raw"].split()) == orig["raw"] or "\f" in item["raw"]
            assert lines[item["line"] - 1].endswith(text[start:].split("\n")[0])
    # the rendered truth scores perfectly against itself with the project's scorer
    scores = score_extraction(rendered.extraction, inserted)
    assert all(s["f1"] == 1.0 for s in scores.values())


def test_issuers_cover_the_province():
    names = {i.name for i in ISSUERS}
    for place in ("Bình Sơn", "Sơn Tịnh", "Tư Nghĩa", "Nghĩa Hành", "Mộ Đức", "Đức Phổ", "Ba Tơ",
                  "Minh Long", "Sơn Hà", "Sơn Tây", "Trà Bồng", "Lý Sơn"):
        assert any(n.endswith(place) for n in names), place
    assert {"UBND tỉnh Quảng Ngãi", "Sở Nông nghiệp và Phát triển nông thôn tỉnh Quảng Ngãi",
            "Văn phòng Điều phối nông thôn mới tỉnh Quảng Ngãi", "UBND thành phố Quảng Ngãi"} <= names
