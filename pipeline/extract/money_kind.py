"""What an amount of money is, from the cue words around it (``kind`` of a money mention).

Kinds:

* ``allocated``  phân bổ, phân khai, bố trí, dự toán, kế hoạch vốn, (được/đã) giao,
                 kinh phí được cấp, cấp kinh phí
* ``disbursed``  giải ngân, đã chi, thực chi, chi trả, thanh toán, quyết toán, đã sử dụng
* ``support``    hỗ trợ, tài trợ
* ``revenue``    doanh thu, doanh số
* ``None``       no cue, or the deciding cue is negated ("chưa giải ngân", "không giải ngân")

Rules, on the folded text (diacritics stripped, lower case: "giai ngan" and
"giải ngân" are one cue; a line break may sit between the syllables):

1. A cue right after the amount that makes the amount its subject
   ("300 triệu đồng đã được giải ngân", "… chưa giải ngân") decides.
2. Else the nearest cue before the amount in its sentence (";" and list items
   end a sentence) decides.  A "hỗ trợ" that only names what the funds are for
   ("kinh phí hỗ trợ") gives way to an allocated/disbursed cue earlier in the
   same clause (no "," or ";" between): "đã giải ngân kinh phí hỗ trợ 300 triệu
   đồng" is disbursed.
3. Else the first cue after the amount in the same clause (before the next
   ",", ";", ":", amount, or 60 characters): "500 triệu đồng vốn hỗ trợ …".
4. Else, for an item of a breakdown list ("…: 446 triệu đồng, trong đó:" then
   "+ …" / "- …" lines), the kind of the heading that ends with ":".
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline.extract.text import sentence_bounds, sentence_of

KINDS = ("allocated", "disbursed", "support", "revenue")


def _p(phrase: str) -> str:
    # Syllables may be split by any whitespace (OCR line breaks); the phrase is word-bounded.
    return r"\b" + phrase.replace(" ", r"\s+") + r"\b"


_FUNDS = r"(?:kinh phi|von|ngan sach|nguon von|tien)"
_CUES: dict[str, list[str]] = {
    "allocated": [
        _p("phan bo"), _p("phan khai"), _p("bo tri"), _p("du toan"), _p("ke hoach von"),
        # "giao" alone is too common (giao thông, giáo dục, bàn giao): only as "assigned funds".
        _p(r"(?:duoc|da|se|von|kinh phi|ngan sach) giao")
        + r"(?!\s+(?:nhiem\s+vu|chu\s+tri|cho\s+(?:so|phong|ubnd|uy\s+ban)))",  # not "giao nhiệm vụ"
        _p(r"giao (?:bo sung )?(?:du toan|ke hoach|von|kinh phi|ngan sach|chi tieu von)"),
        _p(rf"{_FUNDS} (?:duoc|da duoc|da) cap"), _p(rf"cap (?:bo sung )?{_FUNDS}"),
    ],
    "disbursed": [
        _p("giai ngan"), _p("thuc chi"), _p("chi tra"), _p("quyet toan"), _p("da su dung"),
        _p("da chi") + r"(?!\s+(?:dao|ra|dinh|ro|thi|tiet)\b)",  # not "đã chỉ đạo", "đã chỉ ra"
        _p("thanh toan") + r"(?!\s+(?:khong\s+dung\s+tien\s+mat|dien\s+tu|truc\s+tuyen|so)\b)",
    ],
    "support": [_p("ho tro"), _p("tai tro")],
    "revenue": [_p("doanh thu"), _p("doanh so")],
}
_CUE_RE = re.compile("|".join(
    f"(?P<{kind}{i}>{rx})" for kind, rxs in _CUES.items() for i, rx in enumerate(rxs)))
# "chưa/không (được) giải ngân": the cue is negated.
_NEGATED_RE = re.compile(r"\b(?:chua|khong)(?:\s+(?:duoc|the|phai))?\s+$")
# A support cue that names the purpose of the funds right before it ("kinh phí hỗ trợ").
_PURPOSE_RE = re.compile(rf"\b(?:{_FUNDS}|nguon|muc|chinh sach)\s+$")
# "<amount> đã/được/chưa … <cue>": the amount is the cue's subject.
_SUBJECT_RE = re.compile(r"[ \t]*(?:(?:da|se|chua|khong)\s+(?:(?:duoc|bi)\s+)?|(?:duoc|bi)\s+)")
_CLAUSE_END_RE = re.compile(r"[,;:\n]")
_AFTER_WINDOW = 60
_BULLET_RE = re.compile(r"\s*(?:[-+•*]|[a-zđ]\)|\(\d+\))\s")


@dataclass
class _Cue:
    start: int
    end: int
    kind: str
    negated: bool
    purpose: bool  # a "hỗ trợ" naming what funds are for


def _cues(low: str) -> list[_Cue]:
    found = []
    for m in _CUE_RE.finditer(low):
        kind = m.lastgroup.rstrip("0123456789")  # type: ignore[union-attr]  # every alternative is a named group
        before = low[max(0, m.start() - 24):m.start()]
        found.append(_Cue(m.start(), m.end(), kind, bool(_NEGATED_RE.search(before)),
                          kind == "support" and bool(_PURPOSE_RE.search(before))))
    return found


def _subject_of(cues: list[_Cue], starts: list[int], low: str, e: int) -> _Cue | None:
    """The cue the amount ending at ``e`` is the subject of (rule 1), if any."""
    m = _SUBJECT_RE.match(low, e)
    if m is None:
        return None
    i = bisect.bisect_left(starts, e)
    # The particle may open the cue itself ("được giao", "đã chi").
    return cues[i] if i < len(cues) and cues[i].start <= m.end() else None


def _decide(cue: _Cue | None) -> str | None:
    return None if cue is None or cue.negated else cue.kind


def _before(cues: list[_Cue], starts: list[int], low: str, lo: int, at: int) -> _Cue | None:
    """The cue that decides for a position ``at``, looking back to ``lo`` (rule 2); None if none."""
    i = bisect.bisect_right(starts, at) - 1
    while i >= 0 and cues[i].end > at:
        i -= 1
    if i < 0 or cues[i].start < lo:
        return None
    cue = cues[i]
    if cue.purpose and not cue.negated:
        j = i - 1
        while j >= 0 and cues[j].start >= lo:
            if cues[j].kind in ("allocated", "disbursed") and not re.search(r"[,;]", low[cues[j].end:cue.start]):
                return cues[j]
            j -= 1
    return cue


def money_kinds(low: str, spans: list[tuple[int, int]]) -> list[str | None]:
    """The kind of each money amount at folded ``spans`` (reading order) of the folded text ``low``."""
    cues = _cues(low)
    starts = [c.start for c in cues]
    bounds = sentence_bounds(low)
    kinds: list[str | None] = []
    for n, (s, e) in enumerate(spans):
        ss, se = sentence_of(bounds, s, len(low))
        # 1. "<amount> đã được giải ngân"
        cue = _subject_of(cues, starts, low, e)
        if cue is not None and cue.start < se:
            kinds.append(_decide(cue))
            continue
        # 2. nearest cue before, in the sentence
        cue = _before(cues, starts, low, ss, s)
        if cue is not None:
            kinds.append(_decide(cue))
            continue
        # 3. first cue after, in the clause
        stop = min(se, e + _AFTER_WINDOW, spans[n + 1][0] if n + 1 < len(spans) else len(low))
        c = _CLAUSE_END_RE.search(low, e, stop)
        stop = c.start() if c else stop
        i = bisect.bisect_left(starts, e)
        if i < len(cues) and cues[i].end <= stop:
            kinds.append(_decide(cues[i]))
            continue
        # 4. an item of a "…, trong đó:" breakdown takes its heading's kind
        kinds.append(_heading_kind(cues, starts, low, bounds, ss))
    return kinds


def _heading_kind(cues, starts, low: str, bounds: list[int], ss: int) -> str | None:
    if not _BULLET_RE.match(low, ss):
        return None
    i = bisect.bisect_right(bounds, ss) - 1
    for _ in range(12):  # a breakdown list is short
        i -= 1
        if i < 0:
            return None
        hs, he = bounds[i], bounds[i + 1]
        head = low[hs:he].rstrip(" \t\n*_")  # "*…, trong đó:*": markdown emphasis
        if head.endswith(":"):
            return _decide(_before(cues, starts, low, hs, hs + len(head)))
        if not _BULLET_RE.match(low, hs):
            return None
    return None
