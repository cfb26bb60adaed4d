"""The document's own header read from the page layout (``Page.regions``) of a scan.

On a scanned page :func:`pipeline.ocr.layout.layout_page` has already told the columns
apart: the issuing body is the header's left block (never the e-signature stamp),
the number sits on the "Số:" line, place and date on the right block's date line,
the signing title and the signer's name in the signature block beside "Nơi nhận:".
Reading each field from its own region is what makes real scans work; a text
without layout (a dump, a text layer) is read by :mod:`pipeline.extract.header`.

Nothing here knows a province, ministry or school: bodies are cut from the
block's own lines by the words that open an agency name (ỦY BAN, SỞ, BỘ, TRƯỜNG…).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.extract import places
from pipeline.extract.header import _CODE_KINDS, SURNAMES, _clean_line
from pipeline.extract.numbers import CODE_SEGMENTS, KINDS
from pipeline.ocr.layout import SUBJECT_LINE
from pipeline.options import HandwritingSettings
from pipeline.script import fold as _fold
from pipeline.script import is_syllable_shaped, strip_diacritics

# Words that open the name of a body in the header's left block (cơ quan ban hành / chủ quản).
_AGENCY_HEAD = re.compile(
    r"^(?:uy ban|ubnd|hoi dong|hdnd|so|bo|truong|cong an|phong|ban|chi cuc|cuc|tong cuc|trung tam|"
    r"van phong|vien|dai hoc|hoc vien|khoa|dang uy|tinh uy|thanh uy|huyen uy|quan uy|mat tran|"
    r"bo chi huy|bch|cong ty|tap doan|ngan hang|kho bac|chi nhanh|benh vien|toa an|vien kiem sat|"
    r"doan|hoi|lien doan|tong lien doan|thanh tra|bao hiem|chinh phu|thu tuong|quoc hoi)\b")
# Words of an administrative level: a line that opens with one continues the body above it
# ("ỦY BAN NHÂN DÂN / TỈNH QUẢNG NGÃI").
_LEVEL_HEAD = re.compile(r"^(?:tinh|huyen|quan|thanh pho|tp\.?|thi xa|thi tran|xa|phuong)\b")
_LEVEL_WORDS = ("tinh", "huyen", "quan", "thanh pho", "tp", "tp.", "thi xa", "thi tran", "xa", "phuong")
_NAME_RE = re.compile(r"^[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,4}$")
_SIGNING_MARK = re.compile(r"^(?:tm|kt|tl|tuq|q)\s*[.,„]")
# A handwritten reading at least this sure is stored as certain (chosen on the real pages so
# that at most 1 in 20 certain numbers is wrong: see HandwritingSettings.min_confidence); the
# default of HeaderLayout.handwriting_sure, which the run sets from its settings.
HANDWRITING_SURE = HandwritingSettings.min_confidence


@dataclass
class HeaderLayout:
    """The text lines of each header and footer region of a document (mended text)."""

    top: dict[str, list[str]] = field(default_factory=dict)  # first page: region kind -> lines
    foot: dict[str, list[str]] = field(default_factory=dict)  # page with the signature block
    stamps: list[str] = field(default_factory=list)  # stamp texts of every page
    handwritten: dict[str, tuple[str, float]] = field(default_factory=dict)  # field -> (digits, conf)
    handwriting_sure: float = HANDWRITING_SURE  # a handwritten reading this sure is certain


def read_page_header(layout: HeaderLayout, fallback: dict) -> dict:
    """The ``self`` block from the layout; each field the layout cannot give comes from ``fallback``."""
    top, foot = layout.top, layout.foot
    out = dict(fallback)
    if top.get("header_left"):
        units = _bodies(top["header_left"])
        if units:
            out["issuer"] = _body_name(units[-1])
            out["issuer_parent"] = _body_name(units[0]) if len(units) > 1 else None
    number_line = " ".join(top.get("number_line", []))
    if number_line:
        out.update(_number(number_line, layout.handwritten.get("number"), layout.handwriting_sure))
    date_line = " ".join(top.get("date_line", []))
    if date_line:
        place, date, uncertain = _place_date(date_line, layout.handwritten, layout.handwriting_sure)
        out["place"] = place or out.get("place")
        out["date"], out["date_uncertain"] = date, uncertain
        if date and not uncertain and _stamp_before(date, layout.stamps):
            out["date_uncertain"] = True  # signed before it was issued: a digit misread
    if top:
        kind, subject = _title(top)
        out["type"] = kind or _type_from_code(out.get("number")) or (
            "Công văn" if subject and _is_vv(top) else out.get("type"))
        out["subject"] = subject or out.get("subject")
    if foot.get("signature"):
        title, signer = _signature(foot["signature"])
        out["signer_title"] = title
        out["signer"] = signer or out.get("signer")
    if foot.get("recipients"):
        out["recipients"] = _recipients(foot["recipients"])
    return out


def _bodies(lines: list[str]) -> list[str]:
    """The left block's lines grouped into bodies, parent first (chủ quản, then ban hành)."""
    units: list[str] = []
    for ln in lines:
        c = _clean_line(ln).strip(" -_=.*")
        f = _fold(c)
        if re.search(r"\bs[o0]\s*[:;.]|\bv\s*/\s*v\b|^ve viec\b", f):
            break  # the number line or the subject: the block of bodies is over
        letters = [ch for ch in c if ch.isalpha()]
        if not letters:
            continue
        if units and (_LEVEL_HEAD.match(f) or re.search(r"\b(?:va|cua)$", _fold(units[-1]))):
            units[-1] += " " + c
        elif _AGENCY_HEAD.match(f) or not units:
            units.append(c)
        else:
            units[-1] += " " + c
    return units


def _body_name(unit: str) -> str:
    """An upper-case body name in the sentence case of official names ("Ủy ban nhân dân tỉnh Quảng Ngãi")."""
    # OCR glues a one-syllable head to the next word ("BỘCÔNG THƯƠNG").
    unit = re.sub(r"^(BỘ|SỞ|BAN|CỤC)(?=[A-ZĐÀ-Ỹ]{3,})", r"\1 ", unit.strip())
    words = re.sub(r"\s+", " ", unit).strip(" .,-").split()
    if not words:
        return unit
    if not sum(ch.isupper() for ch in unit) >= 0.7 * sum(ch.isalpha() for ch in unit):
        return " ".join(words)
    out = []
    capital_next = True
    i = 0
    while i < len(words):
        w = words[i]
        f = _fold(w)
        two = _fold(" ".join(words[i:i + 2]))
        if two in _LEVEL_WORDS or f in _LEVEL_WORDS:
            n = 2 if two in _LEVEL_WORDS else 1
            out.append(places.LEVELS.get(two if n == 2 else f.rstrip("."), "quận"))
            rest = words[i + n:]
            name = " ".join(rest)
            restored = places.restore_place(name.title()) if rest else None
            out.extend((restored or name.title()).split())
            break
        elif re.fullmatch(r"[A-ZĐ&]{2,}", w) and f not in _COMMON_UPPER and len(w) <= 6 and not _is_word(f):
            out.append(w)  # an acronym: UBND, GD&ĐT, CTSV
        elif f == "va":
            out.append("và")
            capital_next = True
            i += 1
            continue
        else:
            out.append(w.capitalize() if capital_next else w.lower())
        capital_next = len(out) == 1 and f in ("so", "bo", "phong", "truong", "cuc", "vien", "ban", "trung")
        i += 1
    return " ".join(out)


_COMMON_UPPER = {"so", "bo", "ban", "cuc", "vien", "hoi", "va", "xa", "tinh"}


def _is_word(f: str) -> bool:
    return is_syllable_shaped(f)


def _number(line: str, handwritten: tuple[str, float] | None, sure: float) -> dict:
    """Số ký hiệu from the "Số:" line, handwritten digits filled in; uncertain when they are."""
    f = _clean_line(line)
    m = re.search(r"/\s*(?P<code>[^\W\d_][^\s/]*(?:\s+[^\W\d_][^\s/]*){0,2})\s*$", f)
    if not m and handwritten is not None and handwritten[0]:
        # The slash after pen ink misread ("Số„2⁄46 'TB-ĐHĐL", real page 35): with the blank
        # read by hand, a capitals code after a slash-like mark ends the line all the same.
        m = re.search(r"[⁄'’‘|\\]\s*(?P<code>[A-ZĐ]{2}[A-Za-zĐđ]*(?:-[A-Za-zĐđ]+)*)\s*$", f)
    if not m:
        return {"number": None}
    code = _canonical_code(m["code"])
    before = re.sub(r"^\W*\S{0,3}?\s*[:;.„]", "", f[:m.start()], count=1).strip()  # "Số:"
    digits = re.sub(r"\D", "", before)
    printed = bool(re.fullmatch(r"\d{1,5}", before))
    if handwritten is not None:  # the blank was filled by hand
        if handwritten[0]:
            return {"number": f"{handwritten[0]}/{code}", "number_uncertain": handwritten[1] < sure}
        # Unread pen digits: what Tesseract made of them is kept only as unsure.
        return {"number": f"{digits}/{code}" if digits else None, "number_uncertain": True}
    if printed:
        return {"number": f"{digits}/{code}", "number_uncertain": False}
    if digits:
        return {"number": f"{digits}/{code}", "number_uncertain": True}
    return {"number": None, "number_uncertain": True}


def _canonical_code(code: str) -> str:
    code = code.strip(" .,;:")
    parts = re.split(r"(-)", code)
    out = []
    for p in parts:
        key = _fold(p).upper()
        out.append(CODE_SEGMENTS.get(key, p))
    return "".join(out)


def _place_date(line: str, handwritten: dict, sure: float) -> tuple[str | None, str | None, bool]:
    """(place, ISO date, uncertain) from "<place>, ngày dd tháng mm năm yyyy" with blanks filled in."""
    c = _clean_line(line)
    place = None
    m = re.match(r"^(?P<place>[^,]{2,40}?)\s*,", c) or re.match(r"^(?P<place>\D{2,40}?)\s+ng\S{1,3}", c)
    if m:
        name = m["place"].strip()
        place = places.restore_place(name) or name
    f = _fold(c)
    year = re.search(r"n\S?m\s*(\d{4})\b", f)
    thang = re.search(r"th\S{0,2}ng", f)
    # The last "ngày" before "tháng" ("Quảng Ngãi" opens with "nga" too).
    ngays = [m for m in re.finditer(r"\bng\S{0,2}y|\bnga", f) if thang and m.end() <= thang.start()]
    ngay = ngays[-1] if ngays else None
    if not (year and thang and ngay) or not thang.start() < year.start():
        return place, None, True
    # Only clean digit groups count: pen ink glued to the words is the recogniser's to read.
    day = _digits(f[ngay.end():thang.start()].strip(" ,.:"))
    month = _digits(f[thang.end():year.start()].strip(" ,.:"))
    yyyy = int(year[1])
    uncertain = False
    for key in ("day", "month"):
        hw = handwritten.get(key)
        if hw is None:
            continue  # printed, read as printed
        limit = 31 if key == "day" else 12
        read = int(hw[0]) if hw[0] and len(hw[0]) <= 2 and 1 <= int(hw[0]) <= limit else None
        # An unread or impossible reading leaves what Tesseract made of the blank, as unsure.
        value = read if read is not None else (day if key == "day" else month)
        uncertain |= read is None or hw[1] < sure
        if key == "day":
            day = value
        else:
            month = value
    if day is None or month is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return place, None, True
    return place, f"{yyyy:04d}-{month:02d}-{day:02d}", uncertain


def _digits(s: str) -> int | None:
    return int(s) if re.fullmatch(r"\d{1,2}", s.strip()) else None


def _stamp_before(date: str, stamps: list[str]) -> bool:
    """True when an e-signature stamp's date is before ``date`` (the stamp is always on or after it)."""
    for s in stamps:
        for d, mth, y in re.findall(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b", s):
            if f"{int(y):04d}-{int(mth):02d}-{int(d):02d}" < date:
                return True
    return False


def _title(top: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """(type, subject) from the title (type word + title lines) or the left block's "V/v"."""
    left = top.get("header_left", []) + top.get("after_number", [])
    for i, ln in enumerate(left):
        f = _fold(_clean_line(ln))
        m = SUBJECT_LINE.match(f)  # "Về việc" opens a title, "V/v" a letter's subject
        if m:
            parts = [_clean_line(ln)[m.end():]]
            for x in left[i + 1:i + 5]:
                if re.match(r"^(?:kinh gui|can cu|thuc hien)\b", _fold(_clean_line(x))):
                    break
                parts.append(_clean_line(x))
            return None, _join(parts)
    title = top.get("title", [])
    body = top.get("body", [])[:12]
    for lines in (title, body):
        for i, ln in enumerate(lines):
            c = _clean_line(ln)
            key = re.sub(r"\s+", " ", re.sub(r"[^a-z ]", "", _fold(c))).strip()
            if key in KINDS and c.isupper():
                rest = lines[i + 1:]
                return KINDS[key], _title_lines(rest if lines is body or rest else body)
    # A centred title whose type word was not read: its lines are still the subject.
    return None, _title_lines(title) if title else None


def _is_vv(top: dict[str, list[str]]) -> bool:
    return any(SUBJECT_LINE.match(f) or f.startswith("ve viec")
               for f in (_fold(_clean_line(ln)) for ln in top.get("after_number", [])))


def _title_lines(lines: list[str]) -> str | None:
    parts: list[str] = []
    for ln in lines[:5]:
        c = _clean_line(ln)
        f = _fold(c)
        if not c or re.match(r"^(?:(?:kinh gui|can cu|thuc hien|theo|nham|de|vua qua|hom nay)\b"
                             r"|ngay\s*\d|[ivx]+\.|\d+\.)", f):
            break
        if parts and c.isupper() and len(c) > 8:
            break  # the authority line under the title ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH")
        parts.append(c)
    return _join(parts)


def _join(parts: list[str]) -> str | None:
    s = re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip(" .;:-")
    return s or None


def _type_from_code(number: str | None) -> str | None:
    """The type named by the number's code: 22/TTr-UBND -> Tờ trình; a bare body code -> None."""
    if not number or "/" not in number:
        return None
    first = _fold(number.split("/")[-1].split("-")[0]).upper()
    return _CODE_KINDS.get(first)


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(signing title lines joined by " / ", signer's name) of the signature block."""
    parts = _signature_parts(lines)
    titles = [text for _, kind, text in parts if kind == "title"]
    names = [text for _, kind, text in parts if kind == "name"]
    return (" / ".join(titles) or None), (names[-1] if names else None)


def _signature_parts(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line index, "title" or "name", how the field reads it) for the signature block's
    signing title lines and its signer's name line."""
    parts: list[tuple[int, str, str]] = []
    signer = None
    garbled_mark = False
    for i, ln in enumerate(lines):
        c = _clean_line(ln).strip(" .,;:-_`'\"")
        if not c:
            continue
        letters = [ch for ch in c if ch.isalpha()]
        if not letters:
            continue
        upper = sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
        titled = any(kind == "title" for _, kind, _ in parts)
        name = _name(c)
        if name and not _SIGNING_MARK.match(_fold(c)) and not (upper and titled and not signer and _is_title(c)):
            signer = name
            parts.append((i, "name", name))
            continue
        if upper and titled and not signer and (deputy := _deputy_of(parts, c)) is not None:
            k, head = deputy
            parts.append((i, "title", f"PHÓ {head}"))
            if not _SIGNING_MARK.match(_fold(head)):
                parts[k] = (parts[k][0], "title", f"KT. {head}")
            continue
        if upper and len(letters) >= 4 and not signer and (_is_title(c) or _SIGNING_MARK.match(_fold(c))):
            # A letter split off its word ("TRƯỞN G") is joined back; junk before the mark dropped.
            c = re.sub(r"(?<=[A-ZĐÀ-Ỹ]{3}) (?=[A-ZĐÀ-Ỹ]\b)", "", c)
            c = re.sub(r"^\W*\w?\W*(?=(?:TM|KT|TL|TUQ)\W)", "", c) if re.search(r"(?:TM|KT|TL|TUQ)\W", c[:6]) else c
            if not titled and (m := _GARBLED_MARK.match(c)) and not _SIGNING_MARK.match(_fold(c)):
                c, garbled_mark = c[m.end():], True
            title = _restore_title(re.sub(r"^[^A-ZĐÀ-Ỹ]+", "", c))
            parts.append((i, "title", re.sub(r"^(TM|KT|TL|TUQ|Q)\s*[.,„]\s*", r"\1. ", title)))
    titles = [k for k, (_, kind, _) in enumerate(parts) if kind == "title"]
    if garbled_mark and len(titles) > 1:
        i, kind, first = parts[titles[0]]
        parts[titles[0]] = (i, kind, f"{_implied_mark([parts[k][2] for k in titles])} {first}")
    return parts


def _deputy_of(parts: list[tuple[int, str, str]], c: str) -> tuple[int, str] | None:
    """(index in ``parts``, office) when ``c`` is the tail of the office on the title line above
    it, cut on the left by more than its last word ("Ủ TỊCH" under "CHỦ TỊCH"): a seal covers the
    left of the signing lines, and the one block where a line repeats the office is the deputy
    signing for the head, "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" (Nghị định 30/2020, Phụ lục I).  A cut
    at a word ("TRƯỞNG" under "BỘ TRƯỞNG": THỨ TRƯỞNG?) says nothing."""
    k = max((k for k, (_, kind, _) in enumerate(parts) if kind == "title"), default=None)
    if k is None:
        return None
    head = re.sub(r"^(?:TM|KT|TL|TUQ|Q)\.\s*", "", parts[k][2])
    office = re.sub(r"[^a-z]", "", _fold(head))
    tail = re.sub(r"[^a-z]", "", _fold(c))
    last = re.sub(r"[^a-z]", "", _fold(head.split()[-1])) if head.split() else ""
    if len(head.split()) < 2 or not (len(last) < len(tail) < len(office)) or not office.endswith(tail):
        return None
    return k, head


def mend_signature_lines(lines: list[str]) -> list[str]:
    """The signature block's lines with its title lines and its signer's name spelt as the
    header fields read them, so that the stored text says what the fields say ("PHO CHÁNH VĂN
    PHÒNG" -> "PHÓ CHÁNH VĂN PHÒNG", "TE:.HIỆU TRƯỞNG" -> "TL. HIỆU TRƯỞNG", "-: CHỦTỊCH" ->
    "CHỦ TỊCH", "Nguyên Hoàng Giang" -> "Nguyễn Hoàng Giang").  A rank before the name ("TS.")
    and every other line stay as they are."""
    out = list(lines)
    for i, kind, text in _signature_parts(lines):
        if kind == "title":
            out[i] = text
            continue
        tokens, names = lines[i].split(), text.split()
        tail = tokens[-len(names):]
        if all(t.isupper() for t in tail):
            names = [n.upper() for n in names]  # a name printed in capitals stays so
        if len(tokens) >= len(names) and [_fold("".join(ch for ch in t if ch.isalpha())) for t in tail] == \
                [_fold(n) for n in names]:
            out[i] = " ".join(tokens[:-len(names)] + names)
    return out


# A signing mark the seal or the pen made unreadable ("TE:.HIỆU TRƯỞNG" for "TL."): one to
# three capitals and a stop, glued to the title.
_GARBLED_MARK = re.compile(r"^[A-ZĐ][A-ZĐ0-9]{0,2}\s*[.:,„;]+\s*(?=[A-ZĐÀ-Ỹ]{2})")


def _implied_mark(titles: list[str]) -> str:
    """The signing mark that the title lines imply (Nghị định 30/2020, Phụ lục I, II.8): TM.
    (thay mặt) for a collective body, KT. (ký thay) when a deputy (PHÓ …) signs for the head,
    TL. (thừa lệnh) when the head of a unit signs by order.  A mark always comes with a
    second title line, so ``titles`` has two or more."""
    if re.match(r"(ỦY BAN|UỶ BAN|HỘI ĐỒNG|BAN |THƯỜNG TRỰC)", titles[0]):
        return "TM."
    return "KT." if titles[1].startswith("PHÓ") else "TL."


# The words of signing titles (Nghị định 30/2020, Phụ lục I): a title line that lost its marks
# in small caps ("PHO CHANH VAN PHONG") gets them back word by word.
_TITLE_VOCAB = {_fold(w): w for w in (
    "CHỦ TỊCH PHÓ CHÁNH VĂN PHÒNG GIÁM ĐỐC HIỆU TRƯỞNG THỨ CỤC VIỆN TỔNG PHỤ TRÁCH QUYỀN ỦY BAN "
    "NHÂN DÂN HỘI ĐỒNG THƯỜNG TRỰC BÍ THƯ ÁN KÝ THAY MẶT THỪA LỆNH ĐẠI DIỆN THANH TRA KIỂM SÁT").split()}


def _restore_title(c: str) -> str:
    """The title words of an upper-case signing line spelt as the vocabulary has them: small
    caps lose or confuse their marks ("PHO CHANH VAN PHONG", "HIỆU TRƯỜNG" for TRƯỞNG), or
    glue two of them ("CHỦTỊCH")."""
    words: list[str] = []
    for w in c.split():
        glued = re.fullmatch(r"(CH[ỦU])(T[ỊI]CH)", w)
        words.extend([glued[1], glued[2]] if glued else [w])
    return " ".join(_TITLE_VOCAB.get(_fold(w), w) if w.isupper() else w for w in words)


# Words of a signing title; OCR may glue its syllables ("CHỦTỊCH").
_TITLE_WORDS = re.compile(r"(?:\b|(?<=[^a-z]))(?:chu\s*tich|giam\s*doc|truong|pho|chanh|hieu\s*truong|thu\s*truong|"
                          r"bo\s*truong|tong|ban|uy\s*ban|vien\s*truong|cuc\s*truong|phu\s*trach|dai\s*dien|"
                          r"thu\s*ky|bi\s*thu)\b")


def _is_title(c: str) -> bool:
    return bool(_TITLE_WORDS.search(_fold(c)) or _SIGNING_MARK.match(_fold(c)))


# Family names (họ) as they are spelt: OCR of a signer's name often confuses the marks of the
# first syllable ("Nguyên Hoàng Giang"); where one fold has one common spelling, it is restored.
_SURNAME_SPELLING = {_fold(s): s for s in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trương Đinh Lâm Mai "
    "Cao Đoàn Lưu Châu Trịnh Lương Hà Thái Tống Quách Kiều Đào Giang Khuất Lại Diệp Thạch Triệu "
    "Phùng Nông Vương Đàm Nghiêm Tôn").split()}


def _name(c: str) -> str | None:
    """A person's name ending ``c`` (opens with a family name; a rank or junk before it is
    dropped: "Trung tá Ngô Văn Công"), title-cased; else None."""
    # Seal and pen marks cling to the words as stray signs ("Thuậnˆ"): only letters count.
    words = ["".join(ch for ch in w if ch.isalpha() and strip_diacritics(ch).isascii()) for w in c.split()]
    words = [w for w in words if w]
    for k in range(len(words) - 1):  # the name may sit between a rank and seal or pen marks
        for end in range(min(len(words), k + 5), k + 1, -1):
            cand = " ".join(words[k:end])
            if not _NAME_RE.match(cand) or not all(is_syllable_shaped(w) for w in words[k:end]):
                continue
            folded = _fold(cand).split()
            if folded[0] not in SURNAMES or (_TITLE_WORDS.search(_fold(cand)) and cand.isupper()):
                continue
            parts = (cand.title() if cand.isupper() else cand).split()
            parts[0] = _SURNAME_SPELLING.get(folded[0], parts[0])
            return " ".join(parts)
    return None


def _recipients(lines: list[str]) -> list[str]:
    """The "Nơi nhận:" items, one per list entry ("- Sở Tài chính;" -> "Sở Tài chính")."""
    items: list[str] = []
    for ln in lines:
        c = _clean_line(ln)
        f = _fold(c)
        if re.match(r"^\W{0,2}\w?oi\s*\w?han\b", f):
            c = c.split(":", 1)[1] if ":" in c else ""
            if not c.strip():
                continue
        if re.match(r"^\s*[-+•]", c) or not items:
            items.append(c.strip(" -+•;.,"))
        else:
            items[-1] += " " + c.strip(" ;.,")
    return [i for i in items if i]
