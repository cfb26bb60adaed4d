"""Document numbers (số ký hiệu văn bản): "Kế hoạch số 69/KH-UBND ngày 22/3/2024" -> doc_refs.

A number is the running number, an optional year and the issuer code:
"148/QĐ-TTg", "52/2018/NĐ-CP", "4383/SNNPTNT-NTM", Party style "05-NQ/TU".
OCR damage handled here: missing diacritics ("QD" for "QĐ"), a slash read as
"I" ("4383 ISNNPTNT-NTM"), a code broken over a line ("165/KH-\\nUBND").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extract.dates import DateMention
from pipeline.extract.text import Folded, Mention
from pipeline.script import nfc, strip_diacritics

# Folded type word -> canonical Vietnamese (loại văn bản).  Longest first matters
# only for "thong tu lien tich" vs "thong tu".
KINDS: dict[str, str] = {
    "thong tu lien tich": "Thông tư liên tịch",
    "quyet dinh": "Quyết định",
    "ke hoach": "Kế hoạch",
    "cong van": "Công văn",
    "chi thi": "Chỉ thị",
    "nghi dinh": "Nghị định",
    "thong tu": "Thông tư",
    "van ban": "Văn bản",
    "nghi quyet": "Nghị quyết",
    "bao cao": "Báo cáo",
    "to trinh": "Tờ trình",
    "thong bao": "Thông báo",
    "huong dan": "Hướng dẫn",
    "de an": "Đề án",
    "cong dien": "Công điện",
    "quy dinh": "Quy định",
    "chuong trinh": "Chương trình",
    "ket luan": "Kết luận",
    "luat": "Luật",
}
def number_key(number: str | None) -> str:
    """Matching key of a document number: no spaces, upper case, Đ read as D."""
    return re.sub(r"\s+", "", strip_diacritics(nfc(number or ""))).upper()


_KIND_RE = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in KINDS)

# Issuer-code segments whose official spelling has "Đ" (or a fixed mixed case);
# OCR and diacritic-less text give them as plain ASCII.
CODE_SEGMENTS: dict[str, str] = {
    "QD": "QĐ", "ND": "NĐ", "BCD": "BCĐ", "BCDTW": "BCĐTW", "VPDP": "VPĐP",
    "HDND": "HĐND", "DU": "ĐU", "DCS": "ĐCS", "HDTD": "HĐTĐ", "QDTW": "QĐTW",
    "TTG": "TTg", "TTR": "TTr", "CTR": "CTr", "HDTV": "HĐTV", "HDQT": "HĐQT",
}

# "số" as printed or as OCR reads it: số, so, sô, s6, sb, sé, s0, a lone s.
SO = r"\bs[o06be]?\b"

# Issuer code: first segment starts with two capitals; a hyphen may be followed by a
# line break or stray spaces only when a capitalised segment continues.
_SEG = r"[A-Z]{2}[A-Za-z]*"
_CODE = rf"{_SEG}(?:(?:-|-[ \t]*\n?\s*(?=[A-Z]{{2}})|[ \t]+-[ \t]*(?=[A-Z]{{2}}))[A-Z][A-Za-z]*)*"
_NUMBER_RE = re.compile(
    r"(?<![\w/.-])(?:"
    rf"(?P<num>\d{{1,5}}(?:/(?:19|20)\d\d)?)(?P<slash>[ \t]*/[ \t]*|[ \t]+[Il|](?={_SEG}-))(?P<code>{_CODE})"
    rf"|(?P<pnum>\d{{1,5}})-(?P<pcode>{_SEG}/{_SEG})"
    r")(?![A-Za-z])"
)
# A number left blank in a template: "Công văn số /UBND-PKT".
_BLANK_RE = re.compile(rf"(?P<lead>(?i:{SO})[ \t]*:?[ \t]*)/(?P<code>{_CODE})(?![A-Za-z])")
_PREFIX_RE = re.compile(
    rf"(?:(?P<kind>\b(?:{_KIND_RE}))\s*:?\s*)?(?P<so>{SO}\s*[:.]?\s*)?$"
)
_OWN_NUMBER_LINE = re.compile(rf"^\s*{SO}\s*:")


@dataclass
class DocumentNumber(Mention):
    """One cited document number with its type word and date when printed."""

    number: str
    kind: str | None
    date: str | None
    date_end: int | None = None
    own: bool = False  # the document's own header number ("Số: ..."), not a citation

    def to_dict(self, lines) -> dict:
        return {
            **lines.provenance(self.start, self.date_end or self.end, self.confidence),
            "number": self.number,
            "kind": self.kind,
            "date": self.date,
        }


def canonical_code(code: str) -> str:
    """Issuer code with whitespace removed and known segments spelt officially (QD -> QĐ)."""
    code = re.sub(r"\s+", "", code)
    out = []
    for seg in re.split(r"([-/])", code):
        key = seg.upper().replace("Đ", "D")
        out.append(CODE_SEGMENTS.get(key, seg) if "Đ" not in seg else seg)
    return "".join(out)


def canonical_number(num: str, code: str, party: bool = False) -> str:
    """Canonical printed form: "148/QĐ-TTg", "52/2018/NĐ-CP", "05-NQ/TU", "/UBND-PKT"."""
    return f"{num}{'-' if party else '/'}{canonical_code(code)}"


def _kind_before(low: str, start: int) -> tuple[str | None, bool, int]:
    """Type word and "số" directly before folded offset ``start``; returns (kind, has_so, prefix start)."""
    window_start = max(0, start - 60)
    m = _PREFIX_RE.search(low[window_start:start])
    if not m or m.start() == m.end():
        return None, False, start
    kind = None
    if m.group("kind"):
        kind = KINDS[re.sub(r"\s+", " ", m.group("kind"))]
    return kind, bool(m.group("so")), window_start + m.start()


def find_numbers(text: str, dates: list[DateMention], low: Folded | None = None) -> list[DocumentNumber]:
    """Every document number in reading order, own header number flagged ``own``."""
    base = Folded(text, lower=False)
    low = low or Folded(text)
    lowt = low.text
    hits: list[tuple[int, int, str, float]] = []  # base offsets, number, confidence
    for m in _NUMBER_RE.finditer(base.text):
        if m.group("pnum"):
            number = canonical_number(m["pnum"], text[slice(*base.span(*m.span("pcode")))], party=True)
            conf = 0.9
        else:
            code = text[slice(*base.span(*m.span("code")))]
            number = canonical_number(m["num"], code)
            conf = 0.9
            if "/" not in m["slash"]:
                conf = 0.55  # slash guessed from an OCR "I"
            elif re.search(r"\s", m.group(0)):
                conf = 0.75  # broken over spaces or a line
        hits.append((m.start(), m.end(), number, conf))
    for m in _BLANK_RE.finditer(base.text):
        code = text[slice(*base.span(*m.span("code")))]
        hits.append((m.start("code") - 1, m.end(), canonical_number("", code), 0.5))
    hits.sort()

    by_start = {d.start: d for d in dates if d.with_ngay}
    header_end = _header_end(text)
    found: list[DocumentNumber] = []
    for bs, be, number, conf in hits:
        s, e = base.span(bs, be)
        ls = _to_low(low, s)
        kind, has_so, pstart = _kind_before(lowt, ls)
        start = low.orig(pstart) if pstart < len(lowt) else s
        if kind is None and not has_so:
            conf -= 0.1  # a bare number: still a citation, but no type word vouches for it
        # the date that directly follows: "..., ngày 22/3/2024"
        date = date_end = None
        j = e
        while j < len(text) and (text[j].isspace() or text[j] == ","):
            j += 1
        if j in by_start and j - e <= 12:
            date, date_end = by_start[j].value, by_start[j].end
        line_start = text.rfind("\n", 0, s) + 1
        own = (
            s < header_end
            and _OWN_NUMBER_LINE.match(lowt[_to_low(low, line_start):ls] + " ") is not None
            and not found
        )
        found.append(DocumentNumber(start, e, conf, number, kind, date, date_end, own))
    _carry_kinds(found, lowt, low, text)
    return found


def _to_low(low: Folded, orig_offset: int) -> int:
    # Folded offsets equal original ones for NFC input; search only when they differ.
    if orig_offset < len(low.text) and low.orig(orig_offset) == orig_offset:
        return orig_offset
    return low.at(orig_offset)


def _header_end(text: str) -> int:
    """Offset after the first 15 lines: where a document's own "Số: ..." can stand."""
    pos = 0
    for _ in range(15):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


def _carry_kinds(found: list[DocumentNumber], lowt: str, low: Folded, text: str) -> None:
    # "các Quyết định: Số 1462/QĐ-UBND ngày ...; số 192/QĐ-UBND ..." - the second number
    # is a Quyết định too: carry the type word along such a list.
    for prev, cur in zip(found, found[1:]):
        if cur.kind or not prev.kind:
            continue
        gap = text[(prev.date_end or prev.end):cur.start]
        if len(gap) <= 20 and re.fullmatch(r"[\s,;]*(?:và|va)?[\s,;]*(?:s[oốô06b]?\s*:?\s*)?", gap, re.IGNORECASE):
            if re.match(SO, lowt[_to_low(low, cur.start):] or ""):
                cur.kind = prev.kind
