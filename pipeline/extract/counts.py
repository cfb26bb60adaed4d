"""Counts of OCOP things: "13 sản phẩm đạt OCOP 3 sao", "12/13 địa phương", "45 - 50 chủ thể".

Built on spaCy rule components over the folded text:

* ``ocop_units``      PhraseMatcher of countable nouns (đơn vị đếm) -> ``doc.spans["units"]``
* ``ocop_quantities`` Matcher of quantities: N, x/y, ranges N-M / từ N đến M -> ``doc.spans["quantities"]``
* ``ocop_counts``     pairs a quantity with the unit right after it -> ``doc.user_data["ocop_counts"]``

The context of each pair (star level, producer type, locality, date) is then
read from its sentence with plain regexes.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.extract import places
from pipeline.extract.gazetteer import COLUMNS, Place, Unit, gazetteer
from pipeline.extract.hierarchy import Figure
from pipeline.extract.nlp import CHUNK_CHARS, parse
from pipeline.extract.text import Folded, SpanIndex, mask_page_furniture, sentence_bounds, sentence_of

# Canonical unit -> folded spellings.  None marks a blocker: a longer phrase that
# starts like a unit but is something else ("phương án" is not "phường").
UNITS: dict[str | None, list[str]] = {
    "sản phẩm": ["san pham"],
    "chủ thể": ["chu the"],
    "doanh nghiệp": ["doanh nghiep"],
    "hợp tác xã": ["hop tac xa", "htx"],
    "tổ hợp tác": ["to hop tac"],
    "cơ sở sản xuất/hộ kinh doanh": ["co so san xuat / ho kinh doanh", "co so san xuat , ho kinh doanh",
                                     "co so san xuat - ho kinh doanh"],
    "cơ sở sản xuất": ["co so san xuat", "co so san xuat kinh doanh"],
    "hộ kinh doanh": ["ho kinh doanh"],
    "hộ": ["ho", "ho dan", "ho gia dinh"],
    "cơ sở": ["co so"],
    "điểm": ["diem", "diem ban"],
    "điểm du lịch": ["diem du lich"],
    "cửa hàng": ["cua hang"],
    "địa phương": ["dia phuong"],
    "huyện": ["huyen"],
    "xã": ["xa"],
    "phường": ["phuong"],
    "thị trấn": ["thi tran"],
    "tỉnh": ["tinh"],
    "lớp": ["lop", "lop hoc"],
    "người": ["nguoi"],
    "học viên": ["hoc vien"],
    "lượt người": ["luot nguoi"],
    "lượt khách": ["luot khach"],
    "lượt": ["luot"],
    "khách": ["khach"],
    "hội chợ": ["hoi cho"],
    "gian hàng": ["gian hang"],
    "bản tin": ["ban tin"],
    "chuyên mục": ["chuyen muc"],
    "chuyên đề": ["chuyen de"],
    "tập": ["tap"],
    "phóng sự": ["phong su"],
    "tin bài": ["tin bai", "tin , bai"],
    "bài": ["bai", "bai viet"],
    "tin": ["tin"],
    "phim": ["phim"],
    "video": ["video", "clip"],
    "hội nghị": ["hoi nghi"],
    "hội thảo": ["hoi thao"],
    "phiên chợ": ["phien cho"],
    "cán bộ": ["can bo"],
    "công chức": ["cong chuc"],
    "địa danh": ["dia danh"],
    "nhãn hiệu": ["nhan hieu"],
    "làng nghề": ["lang nghe"],
    "mô hình": ["mo hinh"],
    "hồ sơ": ["ho so"],
    "ý tưởng": ["y tuong"],
    "đoàn": ["doan"],
    "chuỗi": ["chuoi"],
    None: ["phuong an", "phuong thuc", "phuong tien", "phuong huong", "xa hoi", "tinh nang",
           "tinh hinh", "tinh than", "tap huan", "tap trung", "tap the", "ho tro", "tin dung",
           "tin hoc", "bai hoc", "diem moi", "diem yeu", "diem manh", "luot song"],
}
PRODUCERS = ("doanh nghiệp", "hợp tác xã", "tổ hợp tác", "cơ sở sản xuất/hộ kinh doanh",
             "cơ sở sản xuất", "hộ kinh doanh", "hộ", "cơ sở")
_BLOCK = "_BLOCK"
# Words between the number and its noun that do not change what is counted ("04 đợt hội chợ").
_FILLERS = {"dot"}
# A number right after these is an ordinal, an address or a part of a date, not a count.
_NOT_AFTER = {"thu", "lan", "dot", "nam", "thang", "ngay", "muc", "dieu", "khoan", "thon", "to",
              "khu", "tdp", "ap", "doi", "quy", "luc", "doan", "khoa", "tuan", "phan", "chuong",
              "bang", "hinh"}
_NUM = r"^\d{1,3}(?:\.\d{3})+$|^\d+$"
# Multi-syllable spellings tried with OCR tolerance ("dia phwong" -> "địa phương").
_FUZZY = [(v, k) for k, vs in UNITS.items() if k for v in vs if " " in v and len(v) >= 7]


@Language.factory("ocop_units")
class UnitTagger:
    """Marks countable nouns (and blockers) with a token Matcher on the folded text.

    A Matcher rather than a PhraseMatcher so that a noun broken over a line
    ("sản \\n\\nphẩm") still matches: whitespace tokens may sit between syllables.
    """

    def __init__(self, nlp: Language, name: str):
        self.matcher = Matcher(nlp.vocab)
        gap = {"IS_SPACE": True, "OP": "*"}
        for label, variants in UNITS.items():
            patterns = []
            for v in variants:
                pattern: list[dict] = []
                for tok in nlp.make_doc(v):
                    if pattern:
                        pattern.append(gap)
                    pattern.append({"LOWER": tok.lower_})
                patterns.append(pattern)
            self.matcher.add(label or _BLOCK, patterns)

    def __call__(self, doc: Doc) -> Doc:
        vocab = doc.vocab.strings
        spans = [Span(doc, s, e, label=vocab[m]) for m, s, e in self.matcher(doc)]
        doc.spans["units"] = [s for s in filter_spans(spans) if s.label_ != _BLOCK]
        return doc


@Language.factory("ocop_quantities")
class QuantityTagger:
    """Marks quantities: N, x/y, N-M, N - M, "từ N đến M"."""

    def __init__(self, nlp: Language, name: str):
        num = {"TEXT": {"REGEX": _NUM}}
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("RANGE", [
            [num, {"TEXT": {"IN": ["-", "–", "den"]}}, num],
            [{"TEXT": {"REGEX": r"^\d+[-–]$"}}, num],
            [{"TEXT": {"REGEX": r"^\d+[-–]\d+$"}}],
        ])
        self.matcher.add("FRACTION", [[{"TEXT": {"REGEX": r"^\d+/\d+$"}}], [num, {"TEXT": "/"}, num]])
        self.matcher.add("SINGLE", [[num]])

    def __call__(self, doc: Doc) -> Doc:
        vocab = doc.vocab.strings
        spans = [Span(doc, s, e, label=vocab[m]) for m, s, e in self.matcher(doc)]
        doc.spans["quantities"] = filter_spans(spans)
        return doc


@Language.factory("ocop_counts")
class CountPairer:
    """Pairs each quantity with the unit noun that directly follows it."""

    def __init__(self, nlp: Language, name: str):
        pass

    def __call__(self, doc: Doc) -> Doc:
        unit_at = {s.start: s for s in doc.spans["units"]}
        pairs = []
        for q in doc.spans["quantities"]:
            prev = doc[q.start - 1] if q.start else None
            if prev is not None and (prev.lower_ in _NOT_AFTER or prev.text in ("/", "-", ".", ",")
                                     and q.start >= 2 and doc[q.start - 2].like_num):
                continue
            j = q.end
            while j < len(doc) and (doc[j].is_space or doc[j].like_url or doc[j].lower_ in _FILLERS):
                if "\t" in doc[j].text:
                    break  # a table cell ends here: the next cell is not this number's noun
                j += 1
            if j >= len(doc) or "\t" in doc[j].text or "\t" in doc[j - 1].whitespace_:
                continue
            unit, fuzzy = unit_at.get(j), False
            if unit is None:
                unit, fuzzy = _fuzzy_unit(doc, j), True
            if unit is None:
                continue
            if unit.label_ == "điểm" and prev is not None and prev.lower_ in ("dat", "duoc"):
                continue  # "đạt 75 điểm" is a score, not a point of sale
            pairs.append((q, unit, fuzzy))
        doc.user_data["ocop_counts"] = pairs
        return doc


def _fuzzy_unit(doc: Doc, j: int) -> Span | None:
    # Try the next two or three word tokens against multi-syllable units.
    best = None
    for n in (2, 3):
        toks = doc[j:j + n]
        if len(toks) < n or not all(t.is_alpha for t in toks):
            continue
        cand = " ".join(t.lower_ for t in toks)
        for variant, label in _FUZZY:
            if variant.count(" ") != n - 1:
                continue
            score = fuzz.ratio(cand, variant)
            if score >= 85 and (best is None or score > best[0]):
                best = (score, Span(doc, j, j + n, label=label))
    return best[1] if best else None


@dataclass
class ProductCount(Figure):
    """One "number + countable noun" about the program."""

    value: int
    total: int | None
    value_max: int | None
    unit: str
    stars: str | None = None
    subject_type: str | None = None
    locality: str | None = None
    as_of: str | None = None
    place: Place | None = None  # the locality resolved in the gazetteer, when it is certain
    unit_end: int = 0
    stars_end: int | None = None

    def to_dict(self, lines) -> dict:
        d = {**lines.provenance(self.start, self.stars_end or self.unit_end, self.confidence),
             "value": self.value, "total": self.total}
        if self.value_max is not None:
            d["value_max"] = self.value_max
        d.update(unit=self.unit, stars=self.stars, subject_type=self.subject_type,
                 locality=self.locality, as_of=self.as_of, **self.link_fields())
        d.update(self.place.columns() if self.place else dict.fromkeys(COLUMNS))
        return d


def _star_range(stars: str) -> tuple[int, int]:
    a, _, b = stars.partition("-")
    return int(a), int(b or a)


def is_part_of(total: ProductCount, part: ProductCount) -> bool:
    """Whether ``part`` can be an item of a breakdown of ``total``: the same thing counted
    (producers of each kind under "chủ thể"), at a star level within the total's."""
    if part.unit != total.unit and not (total.unit == "chủ thể" and part.unit in PRODUCERS):
        return False
    if part.stars and total.stars:
        (lo, hi), (a, b) = _star_range(total.stars), _star_range(part.stars)
        return lo <= a and b <= hi
    return True


def restatement_key(c: ProductCount) -> tuple | None:
    """What makes two counts one figure stated twice, or None when a count is too plain to say.

    Only a count dated or at a star level qualifies ("13 sản phẩm đạt OCOP 3 sao tính đến
    tháng 8/2024"): plain "01 công chức" at district and at commune level (004) are two.
    """
    if c.value < 2 or not (c.stars or c.as_of):
        return None
    return c.value, c.total, c.value_max, c.unit, c.stars, c.subject_type, c.locality, c.as_of


# "đạt OCOP 3 sao", "đạt OCOP từ 3-4 sao", "đạt 3 sao", "OCOP 4 sao"
_STARS_RE = re.compile(r"\b(?:dat|ocop)\b(?:\s+(?!\d)\w+){0,8}?\s+(?:tu\s+)?(?P<a>[1-5])"
                       r"(?:\s*(?:-|–|den)\s*(?P<b>[1-5]))?\s*sao\b")
# "từ 3 sao lên 4 sao", "được nâng hạng lên 4 sao" right after the product noun
_UPGRADE_RE = re.compile(r"(?:\s+(?!\d)\w+){0,4}?(?P<lift>\s+(?:tu\s+(?:hang\s+)?[1-5]\s*sao\s+)?"
                         r"len\s+(?:hang\s+)?(?P<to>[1-5])\s*sao)\b")
_ASOF_RE = re.compile(
    r"\b(?:tinh|luy\s+ke)\s+den\s+(?:het\s+)?(?:ngay\s+\d{1,2}\s*[/.-]\s*(?P<dm>\d{1,2})\s*[/.-]\s*(?P<dy>\d{4})"
    r"|ngay\s+\d{1,2}\s+thang\s+(?P<wm>\d{1,2})\s+nam\s+(?P<wy>\d{4})"
    r"|thang\s+(?P<m>\d{1,2})\s*(?:/|nam)\s*(?P<my>\d{4})|nam\s+(?P<y>\d{4}))"
    r"|(?P<cum>\bluy\s+ke\b|\bden\s+nay\b)|\bnam\s+(?P<yy>(?:19|20)\d\d)\b(?!\s*[-–])")
_LOC_RE = re.compile(
    r"(?:\b(?P<lvl>(?i:huyen|thi xa|thanh pho|tinh|xa|phuong|thi tran))\s+)?"
    r"(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3})\b"
    r"|\b(?i:toan|o|tren\s+dia\s+ban)\s+(?P<whole>(?i:tinh|huyen|thi\s+xa|thanh\s+pho))\b(?!\s+[A-Z])")
_AFTER_LOC_RE = re.compile(r"\s*(?i:tai)\s+")


def _stars(m: re.Match) -> str:
    return m["a"] if not m["b"] else f"{m['a']}-{m['b']}"


def find_counts(text: str, exclude: list[tuple[int, int]], folded: Folded | None = None,
                chunk_chars: int = CHUNK_CHARS) -> list[ProductCount]:
    """Every OCOP count in reading order; quantities inside ``exclude`` spans (dates, numbers, money) are skipped.

    ``chunk_chars``: the most characters spaCy parses at once (:func:`pipeline.extract.nlp.parse`).
    """
    folded = folded or Folded(text)
    low = mask_page_furniture(folded.text)
    base = Folded(text, lower=False).text
    # Work in folded offsets throughout; they equal input offsets for NFC text and are
    # mapped back at the end for decomposed (NFD) input.
    same = len(low) == len(text)
    excluded = SpanIndex(exclude if same else [(folded.at(s), folded.at(e)) for s, e in exclude])
    text = text if same else "".join(text[folded.orig(i)] for i in range(len(low)))
    bounds = sentence_bounds(base)
    long_bounds = sentence_bounds(base, semicolons=False)
    scope = _scope(text)

    counts: list[ProductCount] = []
    tails: list[tuple[int, int]] = []  # folded [start,end) of star phrases owned by a count
    for offset, doc in parse(low, chunk_chars):
        for q, unit, fuzzy in doc.user_data["ocop_counts"]:
            qs, qe = offset + q.start_char, offset + q.end_char
            if excluded.overlaps((qs, qe)) or _is_percent(low, qe):
                continue
            value, total, vmax = _quantity(q)
            c = ProductCount(qs, qe, 0.55 if fuzzy else 0.85, value, total, vmax, unit.label_,
                             unit_end=offset + unit.end_char)
            counts.append(c)
    counts.sort(key=lambda c: c.start)

    for i, c in enumerate(counts):
        ss, se = sentence_of(bounds, c.start, len(low))
        nxt = counts[i + 1].start if i + 1 < len(counts) and counts[i + 1].start < se else se
        tail = low[c.unit_end:nxt]
        stop = re.search(r"[,;.:()]", tail)
        tail = tail[: stop.start()] if stop else tail
        m = _STARS_RE.search(tail)
        up = _UPGRADE_RE.match(tail)
        if c.unit == "sản phẩm" and m and "dat" in tail[: m.end()]:
            c.stars = _stars(m)
            c.stars_end = c.unit_end + m.end()
            tails.append((c.unit_end + m.start(), c.stars_end))
        elif c.unit == "sản phẩm" and up:
            # "nâng hạng 03 sản phẩm từ 3 sao lên 4 sao": counted at the level they reach
            c.stars = up["to"]
            c.stars_end = c.unit_end + up.end()
            tails.append((c.unit_end + up.start("lift"), c.stars_end))
        c.subject_type = _subject_type(counts, i, low)
        c.locality = _locality(text, base, ss, c, scope)
        c.as_of = _as_of(low, *sentence_of(long_bounds, c.start, len(low)), c, excluded)
    _inherit_stars(counts, tails, low, bounds)
    _inherit_locality(counts, low, bounds)
    _resolve_places(counts, text, base, bounds, scope)
    _heading_context(counts, text, low)
    if not same:
        for c in counts:
            c.start, c.end = folded.span(c.start, c.end)
            c.unit_end = folded.span(c.unit_end - 1, c.unit_end)[1]
            if c.stars_end:
                c.stars_end = folded.span(c.stars_end - 1, c.stars_end)[1]
    return counts


def _is_percent(low: str, end: int) -> bool:
    return low[end:end + 2].lstrip().startswith("%")


def _quantity(q: Span) -> tuple[int, int | None, int | None]:
    nums = [int(x.replace(".", "")) for x in re.findall(r"\d+(?:\.\d{3})*", q.text)]
    if q.label_ == "FRACTION":
        return nums[0], nums[1], None
    if q.label_ == "RANGE" and len(nums) == 2 and nums[1] > nums[0]:
        return nums[0], None, nums[1]
    return nums[0], None, None


def _subject_type(counts: list[ProductCount], i: int, low: str) -> str | None:
    # "11 doanh nghiệp với 21 sản phẩm", "16 doanh nghiệp (40 sản phẩm)"
    c = counts[i]
    if c.unit != "sản phẩm" or i == 0:
        return None
    p = counts[i - 1]
    if p.unit in PRODUCERS and re.fullmatch(r"\s*(?:voi|co|\()\s*", low[p.unit_end:c.start]):
        return p.unit
    return None


class Scope:
    """Where the document is about: its province and its own locality (the issuer's area)."""

    def __init__(self, province: str | None, own: str | None):
        self.province = province
        self.own = own
        # The gazetteer's units for them, the narrower first: a commune is looked up inside these,
        # the own district inside the province.
        self.units: list[Unit] = []
        for loc in (f"tỉnh {province}" if province else None, own):
            if found := self.resolve(loc):
                self.units.insert(0, found.unit)

    def whole(self, level: str) -> str | None:
        """What "toàn <level>" ("toàn huyện", "toàn tỉnh") names in this document."""
        lvl = places.LEVELS.get(re.sub(r"\s+", " ", places.name_key(level)))
        if lvl == "tỉnh":
            return f"tỉnh {self.province}" if self.province else None
        if self.own and lvl and self.own.startswith(lvl + " "):
            return self.own
        return None

    def resolve(self, locality: str | None, near: list[Unit] | None = None) -> Place | None:
        """The unit a locality ("huyện Bình Sơn") is, inside the units ``near`` it or the document's."""
        if not locality:
            return None
        level = next((lv for lv in sorted(set(places.LEVELS.values()), key=len, reverse=True)
                      if locality.startswith(lv + " ")), None)
        if level is None:
            return None
        return gazetteer().resolve(level, locality[len(level) + 1:], [*(near or ()), *self.units])


_OWN_AREA = re.compile(
    r"(?:\b(?:ubnd|uy ban nhan dan)|tren dia ban)\s+(?P<lvl>tinh|huyen|thi xa|thanh pho)\s+(?P<name>\w+(?:\s+\w+){1,2})")


def _scope(text: str) -> Scope:
    """The province (the "tỉnh X Y" named most often) and the document's own area.

    The own area is the issuer's ("ỦY BAN NHÂN DÂN / HUYỆN TRÀ BỒNG") or the title's
    ("… trên địa bàn huyện Trà Bồng"), read from the first lines.
    """
    names = [places.restore_place(n) or n for n in re.findall(r"\b(?i:t[iỉí]nh)\s+([A-ZĐ]\w+\s+[A-ZĐ]\w+)", text)]
    province = max(set(names), key=names.count) if names else None
    own = None
    head = re.sub(r"\s+", " ", places.name_key("\n".join(text.split("\n")[:25])))
    for m in _OWN_AREA.finditer(head):
        lvl = places.LEVELS[m["lvl"]]
        words = m["name"].split()
        for n in (3, 2):
            cand = " ".join(words[:n])
            official = (places.restore_name(cand, cutoff=90, province=province) if lvl != "tỉnh"
                        else places.restore_place(cand, cutoff=90))
            if official:
                own = f"{lvl} {official}"
                break
        if own:
            break
    if province is None and own:
        # No "tỉnh X" in the text: the province the issuer's district is in (one district of that name).
        found = Scope(None, None).resolve(own)
        province = found.province_old.name if found and found.province_old else None
    return Scope(province, own)


def _locality(text: str, base: str, ss: int, c: ProductCount, scope: Scope) -> str | None:
    # The nearest place named before the count in its clause: "Tư Nghĩa (04 sản phẩm)",
    # "huyện Mộ Đức với 27 sản phẩm", "thành phố Quảng Ngãi 5 điểm"; else "... 01 điểm tại <place>".
    clause = max(ss, max((base.rfind(ch, ss, c.start) for ch in ",;:)"), default=-1) + 1)
    best = None
    for m in _LOC_RE.finditer(base, clause, c.start):
        best = _place(text, m, scope) or best
    if best is None:
        after = _AFTER_LOC_RE.match(base, c.unit_end)
        if after:
            loc = _LOC_RE.match(base, after.end())
            best = _place(text, loc, scope) if loc else None
    return best


def _inherit_locality(counts: list[ProductCount], low: str, bounds: list[int]) -> None:
    # "toàn huyện có 91 sản phẩm đạt OCOP 3-4 sao, trong đó có 13 sản phẩm đạt 4 sao và 78 ...":
    # a count without a place of its own is about the place named earlier in its sentence.
    for prev, c in zip(counts, counts[1:]):
        if c.locality or not prev.locality:
            continue
        if sentence_of(bounds, prev.start, len(low)) == sentence_of(bounds, c.start, len(low)):
            c.locality = prev.locality


def _place(text: str, m: re.Match, scope: Scope) -> str | None:
    if m["whole"]:
        return scope.whole(m["whole"])
    words = text[m.start("name"):m.end("name")].split()
    # Capitalised words may run on into the next line; keep the longest known name.
    for n in range(len(words), 0, -1):
        name = " ".join(words[:n])
        if places.restore_name(name, cutoff=90, province=scope.province):
            return places.locality(m["lvl"], name, scope.province)
    if m["lvl"]:
        return places.locality(m["lvl"], text[m.start("name"):m.end("name")].split("\n")[0], scope.province)
    return None


def _resolve_places(counts: list[ProductCount], text: str, base: str, bounds: list[int], scope: Scope) -> None:
    # A commune's name is shared by many (32 "Tân Thành" before 2025): it is resolved only inside a
    # district or province named in its sentence ("xã Phổ Phong, thị xã Đức Phổ") or the document's own.
    for c in counts:
        if not c.locality:
            continue
        ss, se = sentence_of(bounds, c.start, len(base))
        near = [p.unit for m in _LOC_RE.finditer(base, ss, se)
                if (loc := _place(text, m, scope)) and loc != c.locality and (p := scope.resolve(loc))]
        c.place = scope.resolve(c.locality, near)


def _as_of(low: str, ss: int, se: int, c: ProductCount, exclude: SpanIndex) -> str | None:
    found = None
    for m in _ASOF_RE.finditer(low, ss, se):
        if m.start() > c.unit_end + 120:
            break
        if m["dm"] or m["wm"] or m["m"]:
            mm, yy = (m["dm"], m["dy"]) if m["dm"] else (m["wm"], m["wy"]) if m["wm"] else (m["m"], m["my"])
            return f"{yy}-{int(mm):02d}"
        if m["y"]:
            return m["y"]
        if m["cum"]:
            return None
        if found is None and not exclude.overlaps(m.span("yy")):
            found = m["yy"]  # "năm 2023", but not the year inside a full date or a number
    return found


def _inherit_stars(counts: list[ProductCount], tails: list[tuple[int, int]], low: str, bounds: list[int]) -> None:
    # A product count without its own star level takes the level named earlier in its
    # sentence when that phrase is a heading ("Sản phẩm ... đạt OCOP 3-4 sao ...: 01 sản phẩm")
    # or the count is a breakdown after a colon ("13 sản phẩm đạt OCOP 3 sao của các huyện:
    # Tư Nghĩa (04 sản phẩm), ...").
    for c in counts:
        if c.unit != "sản phẩm" or c.stars:
            continue
        ss, _ = sentence_of(bounds, c.start, len(low))
        last = None
        for m in _STARS_RE.finditer(low, ss, c.start):
            last = m
        if last is None:
            continue
        owned = any(last.start() < e and s < last.end() for s, e in tails)  # it is some count's own level
        between = low[last.end():c.start]
        if not owned or ":" in between:
            c.stars = _stars(last)


_HEADING_END = re.compile(r":\s*\**\s*$")
_BULLET = re.compile(r"^\s*[-+•*]")


def _heading_context(counts: list[ProductCount], text: str, low: str) -> None:
    # "(3) Luỹ kế: Tính đến hết năm 2024, toàn huyện có:" dates the "+ ..." lines below it.
    lines = text.split("\n")
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)
    for c in counts:
        if c.as_of:
            continue
        li = bisect.bisect_right(starts, c.start) - 1
        if not _BULLET.match(lines[li]):
            continue
        k = li - 1
        while k >= 0 and (not lines[k].strip() or _BULLET.match(lines[k])):
            k -= 1
        if k >= 0 and _HEADING_END.search(lines[k]):
            hs, he = starts[k], starts[k] + len(lines[k])
            m = re.search(r"\btinh\s+den\s+(?:het\s+)?(?:thang\s+(\d{1,2})\s*/\s*(\d{4})|nam\s+(\d{4}))", low[hs:he])
            if m:
                c.as_of = f"{m[2]}-{int(m[1]):02d}" if m[1] else m[3]
