"""Amounts of money: "446 triệu đồng", "21,3 tỷ đồng", "1 tỷ 200 triệu đồng", "500.000 đồng".

Each amount also gets a ``kind`` (allocated, disbursed, support, revenue or None)
from the cue words of its sentence: see :mod:`pipeline.extract.money_kind`.

Vietnamese writes "," as the decimal separator and "." between thousands, so
"324,474 triệu đồng" is 324 474 000 VND.  Decimal arithmetic keeps the result exact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pipeline.extract.hierarchy import Figure
from pipeline.extract.money_kind import money_kinds
from pipeline.extract.text import Folded

_MULT = {"ty": 10**9, "ti": 10**9, "trieu": 10**6, "nghin": 10**3, "ngan": 10**3}
_NUM = r"\d+(?:[.,]\d+)*"
_MONEY_RE = re.compile(
    rf"(?<![\w.,/])(?P<amount>(?:{_NUM}\s*(?:ty|ti|trieu|nghin|ngan)\b\s*)+|{_NUM}\s*)"
    r"(?P<cur>dong\b(?!\s+(?:chi|bao|thoi|bo|ho)\b)|vnd\b|d\b(?=\s*[,.;)/]|\s*$|\s+\w))"
)
_PART_RE = re.compile(rf"({_NUM})\s*(ty|ti|trieu|nghin|ngan)?")


@dataclass
class MoneyAmount(Figure):
    """One amount of money in VND."""

    value_vnd: int
    kind: str | None = None  # allocated | disbursed | support | revenue (see money_kind); None: no cue

    def to_dict(self, lines) -> dict:
        return {**lines.provenance(self.start, self.end, self.confidence), "value_vnd": self.value_vnd,
                "kind": self.kind, **self.link_fields()}


def parse_number(s: str) -> Decimal | None:
    """Vietnamese-formatted number -> Decimal ("21,3" -> 21.3, "201.000" -> 201000, "1,250,000" -> 1250000)."""
    if "." in s and "," in s:
        s = s.replace(".", "").replace(",", ".")  # 1.250,5: "." thousands, "," decimal
    elif s.count(",") > 1:
        s = s.replace(",", "")  # English thousands 1,250,000
    elif "," in s:
        s = s.replace(",", ".")  # Vietnamese decimal comma
    elif s.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", s):
        s = s.replace(".", "")  # thousands dots
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def find_money(text: str, folded: Folded | None = None) -> list[MoneyAmount]:
    """Every amount of money followed by a currency word (đồng, VNĐ, đ) in reading order."""
    folded = folded or Folded(text)
    found = []
    spans = []  # folded spans of the amounts, for their kinds
    for m in _MONEY_RE.finditer(folded.text):
        parts = _PART_RE.findall(m.group("amount"))
        cur = m.group("cur")
        if cur == "d" and not any(mult for _, mult in parts) and not re.fullmatch(r"\d{1,3}(?:\.\d{3})+", parts[0][0]):
            continue  # a lone "đ" after a bare small number is too ambiguous; "15.000.000 đ" is money
        if len(parts) > 1 and any(not mult for _, mult in parts[:-1]):
            continue
        total = Decimal(0)
        ok = True
        for num, mult in parts:
            v = parse_number(num)
            if v is None:
                ok = False
                break
            total += v * _MULT.get(mult, 1)
        if not ok:
            continue
        s, e = folded.span(m.start(), m.end())
        raw = text[s:e]
        conf = 0.95 if re.search(r"đồng|VNĐ|tỷ|triệu|nghìn|ngàn|đ\b", raw) else 0.8
        found.append(MoneyAmount(s, e, conf, int(total)))
        spans.append((m.start(), m.end()))
    for amount, kind in zip(found, money_kinds(folded.text, spans)):
        amount.kind = kind
    return found
