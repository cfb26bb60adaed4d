"""How sure an extracted item is: one number from the evidence of its reading.

Each rule gives its item a prior (the rule's own certainty: a date written "ngày 13 tháng 4
năm 2020" 0.95, a count 0.85, a document number 0.9, less when it matched with OCR
tolerance).  The page then says how it was read: Tesseract's confidence of the words under the
item's span (OCR pages only; a text layer or typed text has none), and the share of the
span's characters restoration changed.  Cross-checks with the rest of the document say
whether the reading makes sense (:func:`cross_checks`).  :func:`confidence` combines them in a
small logistic model whose weights (:data:`WEIGHTS`) were fitted on generated scans with exact
truth (``python -m corpus.calibrate``; the measurement is kept with the weights).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.document import MENTION_FIELDS

# A date this long after the document's own date is more likely misread than a deadline: plans
# and reports set deadlines a year or two ahead ("trước ngày 30/6/2025" in a 2024 plan); an OCR
# digit error in the year (2024 -> 2074, 2029) lands further.
LATE_DATE_DAYS = 3 * 366
# More of one thing than a provincial report ever counts: a digit read twice or a joined number.
IMPLAUSIBLE_COUNT = 10_000_000
# Items below this confidence are listed in the extraction's ``uncertain``.
UNCERTAIN_BELOW = 0.5


@dataclass(frozen=True)
class Reading:
    """What the page says about one span: Tesseract's confidences of its words and how much
    restoration changed it."""

    word_confs: tuple[float, ...] = ()  # 0-100; empty when not read by OCR
    changed: float = 0.0  # share of the span's characters restoration changed, 0-1


# (start, end) of a span in the text extraction read -> how that span was read.
SpanReader = Callable[[int, int], Reading]


def unread(start: int, end: int) -> Reading:
    """The reading of text that was neither OCR'd nor restored (typed text, a text layer)."""
    return Reading()


@dataclass(frozen=True)
class Evidence:
    """Everything :func:`confidence` weighs for one item."""

    prior: float
    reading: Reading = Reading()
    failed: tuple[str, ...] = field(default=())  # the cross-checks it fails, as sentences

    def features(self) -> tuple[float, ...]:
        """The model's inputs: logit of the prior, OCR deficits (mean, min), share changed, checks failed."""
        confs = self.reading.word_confs
        mean_deficit = 1 - sum(confs) / len(confs) / 100 if confs else 0.0
        min_deficit = 1 - min(confs) / 100 if confs else 0.0
        prior = min(max(self.prior, 0.01), 0.99)
        return (math.log(prior / (1 - prior)), mean_deficit, min_deficit, self.reading.changed,
                float(len(self.failed)))

    def to_dict(self) -> dict:
        """The evidence as JSON values (``extract --explain``, calibration)."""
        return dict(zip(FEATURES, self.features()))


FEATURES = ("prior_logit", "ocr_mean_deficit", "ocr_min_deficit", "changed", "checks_failed")
# Weights set, not fitted (``python -m corpus.calibrate`` holds them): the generated corpus cannot
# measure them.  Of 528 items extracted from 33 generated scans (seed 1, 10 documents a level),
# 524 are right; no item fails a cross-check and restoration changes at most 10% of a span (marks
# mended), never in a wrong one.  So: the rule's prior enters as it is (weight 1), and a failed
# check, or a span restoration rewrote entirely, costs 8 logits: alone it takes the surest item
# (0.95 prior, perfect OCR) below UNCERTAIN_BELOW.
SET_WEIGHTS = {"prior_logit": 1.0, "changed": -8.0, "checks_failed": -8.0}
# Intercept, then one weight per feature.  Fitted by `python -m corpus.calibrate --out DIR`
# (logistic regression, L2 0.1, the weights above held) on those 528 items; the 4 wrong ones
# (3 document numbers, 1 count) had a word under them read at 19-71, the right ones a median
# lowest word of 95: the lowest word's confidence is the evidence that counts (-4.5 a unit of
# deficit), the mean's barely (-0.3).  Held out (seed 0, the set `vanban eval` measures): 326 of
# 330 items at >= 0.9, 99.7% right; seed texts 184 of 186, all right; real pages' items (against
# their transcriptions) 125 of 130, 97.6% right: README "Confidence of extracted items".
WEIGHTS = (3.72, 1.0, -0.3, -4.498, -8.0, -8.0)


def logistic(weights: tuple[float, ...], features: tuple[float, ...] | list[float]) -> float:
    """The model: intercept ``weights[0]`` plus the weighted features, through the logistic function."""
    z = weights[0] + sum(w * x for w, x in zip(weights[1:], features))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def confidence(evidence: Evidence, weights: tuple[float, ...] = WEIGHTS) -> float:
    """Probability that the item is right, from its evidence."""
    return logistic(weights, evidence.features())


def _day(value) -> dt.date | None:
    """The first day an ISO date or month ("2024-05", "2024-05-03T09:00") names, else None."""
    text = str(value or "")[:10]
    try:
        return dt.date.fromisoformat(text if len(text) == 10 else f"{text[:7]}-01")
    except ValueError:
        return None


def cross_checks(result: dict, name: str, item: dict) -> list[str]:
    """The cross-checks item ``item`` of list ``name`` of an extraction fails, as sentences.

    A date long after its document's own date (:data:`LATE_DATE_DAYS`), a cited document dated
    after the document citing it, a count larger than the total it is written against
    ("15/12 xã") or implausibly large.  (Parts adding up to more than their total are found by
    :func:`pipeline.extract.hierarchy.link_parts`.)
    """
    own = _day((result.get("self") or {}).get("date"))
    failed = []
    if name == "dates" and own is not None:
        day = _day(item.get("value"))
        if day is not None and (day - own).days > LATE_DATE_DAYS:
            failed.append(f"date {item['value']} years after the document's own date {own}")
    elif name == "doc_refs" and own is not None:
        day = _day(item.get("date"))
        if day is not None and day > own:
            failed.append(f"cited document dated {item['date']}, after the document's own date {own}")
    elif name == "counts":
        value, total = item.get("value") or 0, item.get("total")
        if total is not None and value > total:
            failed.append(f"count {value} larger than its total {total}")
        if value >= IMPLAUSIBLE_COUNT:
            failed.append(f"count {value:,} implausibly large")
    return failed


def describe(evidence: Evidence, score: float) -> str:
    """Why an item without a failed check or a rule's doubt is still uncertain."""
    confs = evidence.reading.word_confs
    parts = [f"confidence {score:.2f}"]
    if confs:
        parts.append(f"OCR words read at {min(confs):.0f}-{max(confs):.0f}")
    if evidence.reading.changed:
        parts.append(f"{100 * evidence.reading.changed:.0f}% changed by restoration")
    return ", ".join(parts)


def assess(result: dict, reader: SpanReader = unread, doubts: dict[tuple[str, int], list[str]] | None = None,
           explain: bool = False) -> list[dict]:
    """Set every mention's ``confidence`` of ``result`` (an extraction whose items carry their rule's
    prior there) from its evidence; return the ``uncertain`` entries of the items in doubt.

    ``reader``: how each span (offsets of the extracted text) was read.  ``doubts``: (list name,
    index) -> what the rules already doubt about that item (counted as failed checks).  An item is
    uncertain when something is doubted or its confidence is below :data:`UNCERTAIN_BELOW`; its
    entry names it by list (``field``) and index (``item``).  ``explain``: keep each item's
    evidence under ``evidence`` (for calibration).
    """
    doubts = doubts or {}
    uncertain = []
    for name in MENTION_FIELDS:
        for index, item in enumerate(result.get(name) or []):
            span = item.get("span")
            reasons = doubts.get((name, index), []) + cross_checks(result, name, item)
            evidence = Evidence(item["confidence"], reader(*span) if span else Reading(), tuple(reasons))
            score = confidence(evidence)
            item["confidence"] = round(score, 2)
            if explain:
                item["evidence"] = evidence.to_dict()
            if reasons or score < UNCERTAIN_BELOW:
                uncertain.append({"line": item.get("line"), "why": "; ".join(reasons) or describe(evidence, score),
                                  "field": name, "item": index})
    return uncertain

