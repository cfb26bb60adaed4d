"""Scores: OCR error rates (CER/WER) and extraction precision/recall/F1 against gold files.

Extraction scoring (docs/extraction.md, "How the evaluation scores it"): doc_refs by number
(case-, space- and Đ/D-insensitive) as a multiset; dates by value as a multiset
with gold timestamps (a "T" time part) optional; counts by (value, total, stars)
with a compatible unit; money by value_vnd.  line/raw are provenance, not scored.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable

from rapidfuzz.distance import Levenshtein

from pipeline.extract.numbers import number_key  # noqa: F401 (scoring matches numbers by it)
from pipeline.script import nfc, strip_diacritics


def normalize_for_cer(s: str) -> str:
    """NFC with every whitespace run collapsed to one space, so layout does not count."""
    return re.sub(r"\s+", " ", nfc(s)).strip()


def edit_counts(reference: str, hypothesis: str, unit: str = "char") -> tuple[int, int]:
    """(edit distance, reference length) in characters or words, for micro-averaged rates."""
    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    if unit == "word":
        ref, hyp = ref.split(), hyp.split()
    return Levenshtein.distance(ref, hyp), len(ref)


def _rate(errors: int, length: int) -> float:
    return errors / length if length else float(errors > 0)


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: Levenshtein distance / reference length (NFC, whitespace collapsed)."""
    return _rate(*edit_counts(reference, hypothesis, "char"))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: Levenshtein distance over whitespace tokens / reference token count."""
    return _rate(*edit_counts(reference, hypothesis, "word"))


def prf(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall, F1 and the raw counts (an empty prediction of an empty gold scores 1.0)."""
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if not fp else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def multiset_prf(predicted: Iterable[Hashable], gold: Iterable[Hashable],
                 optional: Iterable[Hashable] = ()) -> dict:
    """P/R/F1 of two multisets; ``optional`` gold keys count when found and cost nothing when missed."""
    pc, gc, oc = Counter(predicted), Counter(gold), Counter(optional)
    tp = sum((pc & gc).values())
    fn = sum((gc - pc).values())
    extra = pc - gc
    opt_hits = sum((extra & oc).values())
    fp = sum(extra.values()) - opt_hits
    return prf(tp + opt_hits, fp, fn)


def unit_key(unit: str | None) -> str:
    """Folded unit noun ("Sản phẩm" -> "san pham")."""
    return re.sub(r"\s+", " ", strip_diacritics(nfc(unit or "")).lower()).strip()


# Units that name the same thing in the reports (the schema normalises them loosely).
_UNIT_GROUPS = [
    {"huyen", "dia phuong", "huyen, thi xa, thanh pho"},
    {"xa", "xa, phuong", "xa, phuong, thi tran", "phuong"},
    {"nguoi", "hoc vien", "luot nguoi"},
    {"co so san xuat/ho kinh doanh", "co so san xuat", "ho kinh doanh", "co so", "ho"},
    {"hop tac xa", "htx"},
    {"khach", "luot khach", "luot"},
]


def units_compatible(a: str | None, b: str | None) -> bool:
    """True when two unit nouns name the same kind of thing ("điểm" ~ "điểm du lịch", "huyện" ~ "địa phương")."""
    ka, kb = unit_key(a), unit_key(b)
    if not ka or not kb:
        return ka == kb
    if ka == kb or ka in kb.split("/") or kb in ka.split("/"):
        return True
    if kb.startswith(ka + " ") or ka.startswith(kb + " ") or ka.endswith(" " + kb) or kb.endswith(" " + ka):
        return True
    return any(ka in g and kb in g for g in _UNIT_GROUPS)


def _count_key(item: dict) -> tuple:
    stars = item.get("stars")
    return (item.get("value"), item.get("total"), str(stars).replace(" ", "") if stars is not None else None)


def _count_matches(predicted: list[dict], gold: list[dict]) -> list[bool]:
    """Per predicted count: matched to a gold count not matched before, on (value, total, stars)
    with a compatible unit."""
    unused = list(gold)
    matched = []
    for p in predicted:
        hit = next((i for i, g in enumerate(unused)
                    if _count_key(p) == _count_key(g) and units_compatible(p.get("unit"), g.get("unit"))), None)
        if hit is not None:
            del unused[hit]
        matched.append(hit is not None)
    return matched


def count_prf(predicted: list[dict], gold: list[dict]) -> dict:
    """Counts matched one-to-one on (value, total, stars) with a compatible unit."""
    tp = sum(_count_matches(predicted, gold))
    return prf(tp, len(predicted) - tp, len(gold) - tp)


def _keys(items: list[dict], key: Callable[[dict], Hashable]) -> list[Hashable]:
    return [key(x) for x in items or []]


def score_extraction(predicted: dict, gold: dict) -> dict[str, dict]:
    """Per field ("doc_refs", "dates", "counts", "money"): precision, recall, f1, tp, fp, fn."""
    out = {}
    out["doc_refs"] = multiset_prf(_keys(predicted.get("doc_refs"), lambda x: number_key(x.get("number"))),
                                   _keys(gold.get("doc_refs"), lambda x: number_key(x.get("number"))))
    gold_dates = [d.get("value") for d in gold.get("dates") or []]
    out["dates"] = multiset_prf(
        [d.get("value") for d in predicted.get("dates") or []],
        [v for v in gold_dates if "T" not in str(v)],
        optional=[v for v in gold_dates if "T" in str(v)],
    )
    out["counts"] = count_prf(predicted.get("counts") or [], gold.get("counts") or [])
    out["money"] = multiset_prf(_keys(predicted.get("money"), lambda x: x.get("value_vnd")),
                                _keys(gold.get("money"), lambda x: x.get("value_vnd")))
    return out


def _norm_field(v) -> str | None:
    if v is None:
        return None
    return re.sub(r"\s+", " ", nfc(str(v))).strip().lower()


def _body_key(name) -> str | None:
    """An issuing body's name for comparison: "UBND" and "Ủy ban nhân dân" are one name."""
    s = _norm_field(name)
    return re.sub(r"^(?:ubnd|uỷ ban nhân dân)\b", "ủy ban nhân dân", s) if s else s


def issuer_forms(own: dict) -> set:
    """The ways a header's issuer is written: as printed ("Sở Tài chính") and, when the
    left block names its parent ("UBND tỉnh Quảng Ngãi"), with the parent's locality
    ("Sở Tài chính tỉnh Quảng Ngãi"), as the gold files sometimes give it."""
    issuer, parent = _body_key(own.get("issuer")), _body_key(own.get("issuer_parent"))
    forms = {issuer}
    if issuer and parent and parent.startswith("ủy ban nhân dân "):
        forms.add(f"{issuer} {parent[len('ủy ban nhân dân '):]}")
    return forms


def score_header(predicted_self: dict, gold_self: dict) -> dict[str, bool]:
    """Per header field: equal after NFC, case folding and whitespace collapsing (None == None);
    the issuer in any of its :func:`issuer_forms`."""
    fields = ("number", "date", "place", "type", "issuer", "subject", "signer")
    predicted_self, gold_self = predicted_self or {}, gold_self or {}
    scores = {f: _norm_field(predicted_self.get(f)) == _norm_field(gold_self.get(f)) for f in fields}
    scores["issuer"] = _body_key(gold_self.get("issuer")) in issuer_forms(predicted_self)
    return scores


def _multiset_matches(predicted: list[Hashable], gold: Iterable[Hashable],
                      optional: Iterable[Hashable] = ()) -> list[bool]:
    """Per predicted key: one of the gold keys (or optional ones) not matched before."""
    left, spare = Counter(gold), Counter(optional)
    matched = []
    for key in predicted:
        pool = left if left[key] > 0 else spare
        matched.append(pool[key] > 0)
        pool[key] -= matched[-1]
    return matched


def item_outcomes(predicted: dict, gold: dict) -> list[tuple[str, dict, bool]]:
    """Every predicted mention as (field, item, right): right when :func:`score_extraction`
    counts it a true positive (matched one-to-one to a gold mention by the same keys)."""
    def ref(x):
        return number_key(x.get("number"))

    gold_dates = [d.get("value") for d in gold.get("dates") or []]
    matches = {
        "doc_refs": _multiset_matches(_keys(predicted.get("doc_refs"), ref), _keys(gold.get("doc_refs"), ref)),
        "dates": _multiset_matches([d.get("value") for d in predicted.get("dates") or []],
                                   [v for v in gold_dates if "T" not in str(v)],
                                   [v for v in gold_dates if "T" in str(v)]),
        "counts": _count_matches(predicted.get("counts") or [], gold.get("counts") or []),
        "money": _multiset_matches(_keys(predicted.get("money"), lambda x: x.get("value_vnd")),
                                   _keys(gold.get("money"), lambda x: x.get("value_vnd"))),
    }
    return [(name, item, right) for name, flags in matches.items()
            for item, right in zip(predicted.get(name) or [], flags)]


# Confidence bins of the calibration table: [0, 0.5), [0.5, 0.7), [0.7, 0.9), [0.9, 1].
CONFIDENCE_EDGES = (0.5, 0.7, 0.9)
# The product's promise: items at this confidence or more are right at least this often.
SURE_CONFIDENCE, SURE_SHARE = 0.9, 0.95


def calibration(outcomes: Iterable[tuple[float, bool]], edges: tuple[float, ...] = CONFIDENCE_EDGES) -> list[dict]:
    """Per confidence bin: its bounds, how many items fell in it, how many were right, the share right."""
    bounds = [0.0, *edges, 1.0]
    rows = [{"low": lo, "high": hi, "items": 0, "right": 0} for lo, hi in zip(bounds, bounds[1:])]
    for conf, right in outcomes:
        row = rows[sum(conf >= e for e in edges)]
        row["items"] += 1
        row["right"] += bool(right)
    for row in rows:
        row["share_right"] = row["right"] / row["items"] if row["items"] else None
    return rows
