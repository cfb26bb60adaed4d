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

from rapidfuzz import fuzz, process

from pipeline.extract import places
from pipeline.extract.dates import DateMention
from pipeline.extract.numbers import KINDS, DocumentNumber
from pipeline.script import fold, strip_diacritics

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
_MOTTO = re.compile(r"\s{2,}|\bcong\s+hoa\b|\b\w{2,4}\s+lap\s*-|\bdoc\s+lap\b")
_BODY_OPENERS = re.compile(
    r"^(?:thuc hien|can cu|qua\b|kinh gui|theo\b|nham\b|tren co so|de\b|trong\b|ngay\b|"
    r"[ivx]+\.|\d+\.|phan thu)")
_NAME_RE = re.compile(r"^[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,4}$")
_PLACE_DATE = re.compile(r"(?P<place>[^,\d:]{2,40}?)\s*,\s*ng[ad]y\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}")


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
        m = _PLACE_DATE.search(fold(ln))
        if m:
            d = next((d for d in dates if offset <= d.start < offset + len(ln) + 1), None)
            words = ln[m.start("place"):m.end("place")].split()
            # Two-column OCR puts the number before the place: keep the trailing capitalised words.
            keep: list[str] = []
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
        key = re.sub(r"\s+", " ", fold(_clean_line(ln)))
        if key in KINDS and ln.strip().replace("*", "").isupper():
            return KINDS[key]
    for ln in head:
        if re.match(r"^\s*(?:v/v|ve viec)\b", fold(_clean_line(ln))):
            return "Công văn"
    if own:
        code = own.number.split("/")[-1] if "/" in own.number else ""
        first = strip_diacritics(code.split("-")[0]).upper()
        return _CODE_KINDS.get(first, "Công văn")
    return None


# Words that open a body sentence right after a title ("Căn cứ ...", "Thực hiện ...").
_TITLE_STOP = re.compile(
    r"^(?:can cu|thuc hien|trien khai|qua\b|theo\b|tren co so|nham\b|de\b|trong\b|ngay\b|kinh gui|"
    r"xet\b|sau khi|hien nay|tiep tuc|nay\b|ngay tu|nam qua|[ivx]+\.|\d+\.|phan thu|dieu \d|muc dich)")
# A title line ending with one of these continues on the next line even when it opens with a capital.
_OPEN_END = re.compile(r"(?:\b(?:huyen|tinh|xa|thi xa|thanh pho|phuong|thi tran|cua|ve|va|tai|cho|trien khai|"
                       r"thuc hien|dia ban|chuong trinh)|[,(\-])\s*$")


def _subject(head: list[str]) -> str | None:
    for i, ln in enumerate(head):
        f = fold(_clean_line(ln))
        m = re.match(r"^(?:v/v|ve viec)\s*:?\s*", f)
        if m and not _after_type_word(head, i):
            # A letter's "V/v ..." subject: it runs until "Kính gửi" or the body.
            parts = [_clean_line(ln)[m.end():]]
            for nxt in head[i + 1:i + 6]:
                c = _clean_line(nxt)
                nf = fold(c)
                if not nf or nf.startswith(("kinh gui", "can cu", "thuc hien")) or _is_motto_or_number(nf):
                    break
                parts.append(c)
            return _join(parts)
        key = re.sub(r"\s+", " ", f)
        if key in KINDS and ln.strip().replace("*", "").isupper():
            return _title_after(head, i)
    return None


def _after_type_word(head: list[str], i: int) -> bool:
    # "QUYẾT ĐỊNH / Về việc ..." - a title that opens with "Về việc", not a letter's V/v.
    for ln in reversed(head[max(0, i - 3):i]):
        c = _clean_line(ln)
        if c:
            return re.sub(r"\s+", " ", fold(c)) in KINDS and c.isupper()
    return False


def _is_motto_or_number(f: str) -> bool:
    return bool(re.match(r"^s[o06b]?\s*:|^(?:cong hoa|doc lap)", f))


def _title_after(head: list[str], i: int) -> str | None:
    """The title lines after the type word: up to a blank gap, an upper-case authority line or the body."""
    parts: list[str] = []
    for nxt in head[i + 1:i + 12]:
        c = _clean_line(nxt)
        nf = fold(c)
        if not c:
            if nxt and parts:
                break  # a line of spaces separates the title from the body
            continue
        if set(c) <= set("-_=. ") or len(parts) >= 4:
            break
        if parts and (_BODY_OPENERS.match(nf) or _TITLE_STOP.match(nf)):
            break  # the first line is the title whatever its first word ("Thực hiện Chương trình ...")
        letters = [ch for ch in c if ch.isalpha()]
        if parts and letters and c.isupper() and len(letters) > 6:
            break  # "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN ..." - the issuing authority, not the title
        if parts and c[0].isupper() and not _continues(parts[-1], c):
            break
        parts.append(c)
    return _join(parts)


def _continues(prev: str, line: str) -> bool:
    """True when ``line`` (opening with a capital) still belongs to the title ending in ``prev``."""
    if _OPEN_END.search(fold(prev)):
        return True
    first = " ".join(line.split()[:3])
    return any(places.restore_name(" ".join(first.split()[:n]), cutoff=92) for n in (2, 3)) or line.startswith("OCOP")


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


_AGENCY_LINE = re.compile(
    r"^(?:ubnd|uy ban|so|phong|ban|van phong|chi cuc|hoi dong|bo|trung tam|cuc|bch|dang uy|huyen uy|tinh uy)\b")
_LEVEL_NAME = re.compile(r"^(?:ubnd|uy ban nhan dan)\s+(tinh|huyen|thi xa|thanh pho|xa|phuong|thi tran)\s+(.+)$")


def _header_units(head: list[str]) -> list[str]:
    """The agency lines of the top-left block, grouped into bodies, parent first.

    The left column ("UBND TỈNH QUẢNG NGÃI / SỞ NÔNG NGHIỆP VÀ / PHÁT TRIỂN NÔNG THÔN")
    may come interleaved with the motto lines (two columns read row by row), on the
    same lines as the motto, or as its own block: motto parts are cut off, and the
    block ends at "Số:", the date line, the type word or a "V/v" subject.
    """
    units: list[str] = []
    for ln in head[:12]:
        c = _clean_line(ln)
        f = fold(c)
        if not c or set(c) <= set("-_=.* "):
            continue
        key = re.sub(r"\s+", " ", f)
        if (re.match(r"^s[o06b]?\s*:", f) or re.match(r"^(?:v/v|ve viec)\b", f) or key in KINDS
                or _PLACE_DATE.search(f) or f.startswith("kinh gui")):
            break
        cut = _MOTTO.search(f)
        left = c[: cut.start()].strip() if cut else c
        if not left:
            continue  # a motto line of its own
        letters = [ch for ch in left if ch.isalpha()]
        upper = sum(ch.isupper() for ch in letters) >= 0.8 * len(letters) if letters else False
        if _AGENCY_LINE.match(fold(left)) and (upper or not units):
            units.append(left)
        elif units and upper:
            units[-1] += " " + left  # "HUYỆN TRÀ BỒNG" continues "ỦY BAN NHÂN DÂN"
        elif units:
            break
    return units


def _agency_name(unit: str) -> str:
    """Official short name of one header body: "UBND huyện Trà Bồng", "Sở Công Thương"."""
    f = re.sub(r"\s+", " ", fold(unit)).strip(" .")
    f = re.sub(r"^uy ban nhan dan\b", "ubnd", f)
    m = _LEVEL_NAME.match(f)
    if m:
        words = unit.split()
        name = " ".join(words[len(words) - len(m[2].split()):])
        loc = places.locality(m[1], name)
        if loc:
            level, _, rest = loc.partition(" ") if m[1] in ("tinh", "huyen", "xa", "phuong") else (
                loc[: len(places.LEVELS[m[1]])], " ", loc[len(places.LEVELS[m[1]]) + 1:])
            if rest.isupper():
                rest = places.restore_place(rest) or rest.title()
            return f"UBND {level} {rest}"
    if f in AGENCIES:
        return AGENCIES[f]
    hit = process.extractOne(f, list(AGENCIES), scorer=fuzz.ratio, score_cutoff=88)
    if hit:
        return AGENCIES[hit[0]]
    return _restore_case(re.sub(r"\s+", " ", unit).strip())


def _issuer_from_header(head: list[str]) -> str | None:
    units = _header_units(head)
    if not units:
        return None
    issuer = _agency_name(units[-1])
    if len(units) > 1 and not issuer.startswith("UBND"):
        # "UBND TỈNH QUẢNG NGÃI / SỞ CÔNG THƯƠNG" -> "Sở Công Thương tỉnh Quảng Ngãi"
        m = re.match(r"^UBND (.+)$", _agency_name(units[0]))
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


# Common Vietnamese family names (họ): a name line that opens with one is a person, not a body.
SURNAMES = {
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho",
    "ngo", "duong", "ly", "truong", "dinh", "lam", "mai", "ta", "cao", "doan", "luu", "chau",
    "trinh", "luong", "ha", "thai", "tong", "quach", "la", "kieu", "tieu", "dao", "giang",
    "khuat", "lai", "lu", "lo", "au", "diep", "tang", "thach", "trieu", "to", "bach", "phung",
    "nong", "vuong", "dam", "nghiem", "ton", "cu", "an",
}


def _signer(lines: list[str]) -> str | None:
    """The signer's name: the first person-name line after "Nơi nhận" (or in the second half).

    The signing titles (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH, TM. ỦY BAN NHÂN DÂN, TL. GIÁM ĐỐC) and
    the recipients ("- Sở NN và PTNT;") may interleave with it when two columns are read
    row by row; neither looks like a name that opens with a family name.
    """
    start = next((i for i in range(len(lines) - 1, -1, -1) if fold(lines[i]).strip().startswith("noi nhan")),
                 len(lines) // 2)
    for ln in lines[start:]:
        name = _person_name(_clean_line(ln))
        if name:
            return name
    return None


def _person_name(line: str) -> str | None:
    """``line`` (or its tail after a recipient "- Lưu: VT.") as a person's name, title-cased; else None."""
    cands = [line]
    m = re.search(r"[.;:]\s+([^.;:]+)$", line)
    if line.startswith(("-", "+", "•")):
        cands = [m[1]] if m else []
        if re.match(r"^[-+•]\s*l[uư]u\b", fold(line)):
            # "- Lưu VT Hồ Công Nhân": the archive item is the last recipient and sits level
            # with the signer's name in the right column; OCR may join them with no stop.
            words = line.split()
            cands += [" ".join(words[-n:]) for n in (4, 3, 2) if len(words) > n + 1]
        if not cands:
            return None
    for c in cands:
        c = c.strip(" .,;")
        if not _NAME_RE.match(c) or re.search(r"\d", c):
            continue
        words = fold(c).split()
        if words[0] not in SURNAMES or len(words) < 2 or c.split()[0].lower() == "trưởng":
            continue
        if any(w in ("ubnd", "so", "phong", "ban", "chu", "giam", "noi", "nhu", "luu") for w in words[1:2]):
            continue
        return c.title() if c.isupper() else c
    return None
