"""Calendar dates and month mentions ("ngày 13/4/2020", "ngày 26 tháng 3 năm 2021", "tháng 10/2024").

Year-only mentions ("năm 2024", "giai đoạn 2021-2025") are deliberately not
dates.  Matching runs on the folded, lower-case text so that OCR output such as
"ngay 22/3/2024" or "ngdy 26 thang 9 nam 2024" is read as well.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extract.text import Folded, Mention

# "ngày" as OCR writes it: ngay, ngdy (the "à" read as "d").
_NGAY = r"(?P<ngay>\bng[ad]y\b\s*:?\s*)"
_SEP = r"\s*[/.\-]\s*"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    # ISO, with an optional time (signature timestamps 2024-11-08T09:25:01).
    ("iso", re.compile(
        r"(?<![\d/.])(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"
        r"(?:[t ](?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d))?)?(?![\d])")),
    # "ngày 13-15/4/2022": two days sharing month and year.
    ("pair", re.compile(
        _NGAY + r"?(?<![\d/.])(?P<d>\d{1,2})\s*[-–]\s*(?P<d2>\d{1,2})/(?P<m>\d{1,2})/(?P<y>(?:19|20)\d\d)(?![\d/])")),
    # "ngày 26 tháng 3 năm 2021"
    ("words", re.compile(
        _NGAY + r"?(?<![\d/.])(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s*(?:nam\s+|[/.,-]\s*)(?P<y>(?:19|20)\d\d)(?!\d)")),
    # "13/4/2020", "13.4.2020", "13-4-2020" with or without "ngày".
    ("numeric", re.compile(
        _NGAY + r"?(?<![\d/.])(?P<d>\d{1,2})(?P<sep>[/.\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>(?:19|20)\d\d)(?![\d/])")),
    # Blank day left in a template: "ngày /01/2025", "ngày ... tháng 01 năm 2025" -> month.
    ("blankday", re.compile(
        r"(?P<ngay>\bng[ad]y)\s*(?:[._…]*\s*/\s*(?P<m>\d{1,2})\s*/\s*|[._…]*\s+thang\s+(?P<m2>\d{1,2})\s+nam\s+)(?P<y>(?:19|20)\d\d)(?!\d)")),
    # "tháng 10/2024", "tháng 10 năm 2024" -> month precision.
    ("month", re.compile(
        r"\bthang\s+(?P<m>\d{1,2})\s*(?:/|-|\s+nam\s+)\s*(?P<y>(?:19|20)\d\d)(?![\d/])")),
]


@dataclass
class DateMention(Mention):
    """One date (``yyyy-mm-dd``) or month (``yyyy-mm``) written in the text."""

    value: str
    with_ngay: bool  # the mention opens with "ngày": it can date a document number

    def to_dict(self, lines) -> dict:
        return {**lines.provenance(self.start, self.end, self.confidence), "value": self.value}


def iso_date(year: int, month: int, day: int | None = None) -> str | None:
    """ISO string for a valid date (or month when ``day`` is None), else None."""
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _clean(folded: Folded, start: int, end: int) -> float:
    """Confidence: high when the original already read as clean Vietnamese/ASCII digits."""
    raw = folded.source[start:end]
    if re.search(r"ngày|tháng|năm", raw) or not re.search(r"[a-z]", raw.lower()):
        return 0.95
    if re.search(r"ng[ad]y|thang|nam", raw.lower()):
        return 0.85  # diacritic-less or OCR-mangled label
    return 0.8


def find_dates(text: str, folded: Folded | None = None) -> list[DateMention]:
    """Every explicit date or month mention in reading order (one per mention)."""
    folded = folded or Folded(text)
    low = folded.text
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    for kind, rx in _PATTERNS:
        for m in rx.finditer(low):
            if not free(m.start(), m.end()):
                continue
            y = int(m.group("y"))
            gd = m.groupdict()
            ngay = bool(gd.get("ngay"))
            if kind == "iso":
                value = iso_date(y, int(m["m"]), int(m["d"]))
                if value and m["H"]:
                    value += f"T{m['H']}:{m['M']}:{m['S'] or '00'}"
            elif kind in ("month", "blankday"):
                value = iso_date(y, int(m["m"] or m["m2"]))
            else:
                value = iso_date(y, int(m["m"]), int(m["d"]))
            if not value:
                continue
            if kind == "numeric" and m["sep"] == "." and not ngay:
                # "1.2.2024" without "ngày" could be a section or version number.
                continue
            s, e = folded.span(m.start(), m.end())
            conf = _clean(folded, s, e) if kind != "blankday" else 0.6
            if kind == "pair":
                v2 = iso_date(y, int(m["m"]), int(m["d2"]))
                if not v2:
                    continue
                found.append(DateMention(s, e, conf, value, ngay))
                s2, _ = folded.span(m.start("d2"), m.end())
                found.append(DateMention(s2, e, conf, v2, False))
            else:
                found.append(DateMention(s, e, conf, value, ngay))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda d: (d.start, d.end))
    return found
