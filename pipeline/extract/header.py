"""The document's own header ("self"): số ký hiệu, date and place, type, issuer, subject, signer.

A Vietnamese administrative document (văn bản hành chính) opens with the issuing
body on the left, the national motto on the right, "Số: …" and "<place>, ngày …",
then either the type word and title (BÁO CÁO / Kết quả …) or, for a letter
(công văn), a "V/v …" subject.  It closes with "Nơi nhận:", the signing title
(KT. CHỦ TỊCH / GIÁM ĐỐC …) and the signer's name.  Text converted from Word
files often lacks the top block; the issuer is then read from the body.
"""
from __future__ import annotations

import re

from pipeline.extract import places
from pipeline.extract.dates import DateMention
from pipeline.extract.numbers import KINDS, DocumentNumber
from pipeline.vietnamese import strip_diacritics

HEADER_LINES = 25

# Issuer-code prefixes that name the document type.
_CODE_KINDS = {"BC": "Báo cáo", "KH": "Kế hoạch", "QD": "Quyết định", "TTR": "Tờ trình",
               "TB": "Thông báo", "CT": "Chỉ thị", "NQ": "Nghị quyết", "HD": "Hướng dẫn",
               "CD": "Công điện", "DA": "Đề án", "QC": "Quy chế", "CTR": "Chương trình"}

# Agency names as headers abbreviate or OCR mangles them (folded) -> official spelling.
AGENCIES = {
    "so nong nghiep va ptnt": "Sở Nông nghiệp và Phát triển nông thôn",
    "so nong nghiep va phat trien nong thon": "Sở Nông nghiệp và Phát triển nông thôn",
    "so nn va ptnt": "Sở Nông nghiệp và Phát triển nông thôn",
    "so nong nghiep va moi truong": "Sở Nông nghiệp và Môi trường",
    "so cong thuong": "Sở Công Thương",
    "so tai chinh": "Sở Tài chính",
    "so khoa hoc va cong nghe": "Sở Khoa học và Công nghệ",
    "so ke hoach va dau tu": "Sở Kế hoạch và Đầu tư",
    "so van hoa, the thao va du lich": "Sở Văn hóa, Thể thao và Du lịch",
    "van phong dieu phoi nong thon moi": "Văn phòng Điều phối nông thôn mới",
    "van phong dieu phoi ntm": "Văn phòng Điều phối nông thôn mới",
    "phong kinh te": "Phòng Kinh tế",
    "phong nong nghiep va ptnt": "Phòng Nông nghiệp và Phát triển nông thôn",
    "phong nong nghiep va phat trien nong thon": "Phòng Nông nghiệp và Phát triển nông thôn",
}
_AGENCY_START = re.compile(r"^(?:ubnd|uy ban|so|phong|ban|van phong|chi cuc|hoi dong|bo|trung tam|cuc|bch)\b")
_MOTTO = re.compile(r"\s{2,}|\bcong\s+hoa\b|\b\w{2,4}\s+lap\s*-|\bdoc\s+lap\b")
_TITLE_WORDS = re.compile(
    r"\b(?:chu tich|giam doc|truong phong|truong ban|chanh van phong|bo truong|thu truong|"
    r"tong giam doc|truong|kt\.|tm\.|tl\.|q\.|thua lenh|thua uy quyen|uy vien)\b")
_BODY_OPENERS = re.compile(
    r"^(?:thuc hien|can cu|qua\b|kinh gui|theo\b|nham\b|tren co so|de\b|trong\b|ngay\b|"
    r"[ivx]+\.|\d+\.|phan thu)")
_NAME_RE = re.compile(r"^[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,4}$")
_PLACE_DATE = re.compile(r"(?P<place>[^,\d:]{2,40}?)\s*,\s*ng[ad]y\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}")


def _fold(s: str) -> str:
    return strip_diacritics(s).lower()


def _clean_line(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("*", "").replace("#", "")).strip()


def read_header(text: str, numbers: list[DocumentNumber], dates: list[DateMention]) -> dict:
    """The ``self`` block of the schema for one document text."""
    lines = text.split("\n")
    head = lines[:HEADER_LINES]
    own = next((n for n in numbers if n.own), None)
    date, place = _date_place(text, head, dates)
    kind = _type(head, own)
    return {
        "number": own.number if own else None,
        "date": date,
        "place": place,
        "type": kind,
        "issuer": _issuer_from_header(head) or _issuer_from_body(text),
        "subject": _subject(head),
        "signer": _signer(lines),
    }


def _date_place(text: str, head: list[str], dates: list[DateMention]) -> tuple[str | None, str | None]:
    offset = 0
    for ln in head:
        m = _PLACE_DATE.search(_fold(ln))
        if m:
            d = next((d for d in dates if offset <= d.start < offset + len(ln) + 1), None)
            words = ln[m.start("place"):m.end("place")].split()
            # Two-column OCR puts the number before the place: keep the trailing capitalised words.
            keep = []
            for w in reversed(words):
                if not w[:1].isupper() or re.search(r"[\d/\-]", w) or (len(w) > 3 and w.isupper()):
                    break
                keep.insert(0, w)
            name = " ".join(keep[-4:]) or None
            if name:
                name = places.restore_place(name) or name
            return (d.value if d else None), name
        offset += len(ln) + 1
    return None, None


def _type(head: list[str], own: DocumentNumber | None) -> str | None:
    for ln in head:
        key = re.sub(r"\s+", " ", _fold(_clean_line(ln)))
        if key in KINDS and ln.strip().replace("*", "").isupper():
            return KINDS[key]
    for ln in head:
        if re.match(r"^\s*(?:v/v|ve viec)\b", _fold(_clean_line(ln))):
            return "Công văn"
    if own:
        code = own.number.split("/")[-1] if "/" in own.number else ""
        first = strip_diacritics(code.split("-")[0]).upper()
        return _CODE_KINDS.get(first, "Công văn")
    return None


def _subject(head: list[str]) -> str | None:
    for i, ln in enumerate(head):
        f = _fold(_clean_line(ln))
        m = re.match(r"^(?:v/v|ve viec)\s*:?\s*", f)
        if m:
            parts = [_clean_line(ln)[m.end():]]
            for nxt in head[i + 1:i + 6]:
                nf = _fold(_clean_line(nxt))
                if not nf or nf.startswith(("kinh gui", "can cu", "thuc hien")):
                    break
                parts.append(_clean_line(nxt))
            return _join(parts)
        key = re.sub(r"\s+", " ", f)
        if key in KINDS and ln.strip().replace("*", "").isupper():
            parts = []
            for nxt in head[i + 1:i + 12]:
                c = _clean_line(nxt)
                nf = _fold(c)
                if not c:
                    if nxt and parts:
                        break  # a line of spaces separates the title from the body
                    continue
                if _BODY_OPENERS.match(nf) or set(c) <= set("-_=. ") or len(parts) >= 4:
                    break
                parts.append(c)
            return _join(parts)
    return None


def _join(parts: list[str]) -> str | None:
    s = re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip(" .;:")
    return s or None


def _restore_case(s: str) -> str:
    # "UBND TỈNH QUẢNG NGÃI" -> "UBND tỉnh Quảng Ngãi"; "SỞ Y TẾ" -> "Sở y tế" is
    # avoided by keeping capitalised words capitalised when the line was mixed case.
    if not s.isupper():
        return s
    words = s.split()
    out = []
    for i, w in enumerate(words):
        if w in ("UBND", "HĐND", "PTNT", "NTM", "OCOP", "MTTQ", "TNHH", "HTX"):
            out.append(w)
        else:
            out.append(w.capitalize() if i == 0 else w.lower())
    return " ".join(out)


def _agency_name(line: str) -> str:
    f = _fold(line)
    f = re.sub(r"\s+", " ", f).strip(" .")
    if f in AGENCIES:
        return AGENCIES[f]
    m = re.match(r"^(?:ubnd|uy ban nhan dan)\s+(tinh|huyen|thi xa|thanh pho|xa|phuong|thi tran)\s+(.+)$", f)
    if m:
        loc = places.locality(m[1], line.split(None, 2 + (" " in m[1]))[-1])
        if loc:
            return "UBND " + loc
    return _restore_case(re.sub(r"\s+", " ", line).strip())


def _issuer_from_header(head: list[str]) -> str | None:
    agencies = []
    for ln in head[:6]:
        f = _fold(ln)
        cut = _MOTTO.search(f.strip())
        left = ln.strip()[: cut.start()] if cut else ln.strip()
        left = _clean_line(left)
        if left and _AGENCY_START.match(_fold(left)):
            agencies.append(left)
        elif agencies:
            break
    if not agencies:
        return None
    issuer = _agency_name(agencies[-1])
    if len(agencies) > 1 and not issuer.startswith("UBND"):
        parent = _agency_name(agencies[0])
        m = re.match(r"^UBND (.+)$", parent)
        if m and m[1] not in issuer:
            issuer = f"{issuer} {m[1]}"
    return issuer


_BODY_ISSUER = re.compile(
    r"(?P<ag>(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?:tỉnh|huyện|thị xã|thành phố|xã|phường|thị trấn)"
    r"(?:\s+[A-ZĐ]\w*){1,3}"
    r"|(?:Sở|Phòng|Văn phòng|Chi cục|Ban)(?:\s+(?!đã\b|báo\b|có\b)\w+){1,8}?)"
    r"\s+(?:đã\s+)?(?:tổng\s+hợp(?:\s+và)?\s+|kính\s+)?báo\s+cáo\b"
)


def _issuer_from_body(text: str) -> str | None:
    last = None
    for m in _BODY_ISSUER.finditer(text):
        last = m
    if not last:
        return None
    return re.sub(r"\s+", " ", last["ag"]).strip()


def _signer(lines: list[str]) -> str | None:
    start = next((i for i, ln in enumerate(lines) if _fold(ln).strip().startswith("noi nhan")), len(lines) // 2)
    for i in range(start, len(lines)):
        c = _clean_line(lines[i])
        if not c or not c.isupper() or not _TITLE_WORDS.search(_fold(c)) or len(c) > 60:
            continue
        seen = 0
        for nxt in lines[i + 1:i + 25]:
            n = _clean_line(nxt)
            if not n:
                continue
            seen += 1
            if seen > 6:
                break
            if _TITLE_WORDS.search(_fold(n)) and n.isupper():
                continue  # second title line: "PHÓ CHỦ TỊCH"
            if _NAME_RE.match(n) and not re.search(r"\d", n):
                return n.title() if n.isupper() else n
            break
    return None
