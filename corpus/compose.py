"""Synthetic OCOP administrative documents (văn bản hành chính) with exact extraction truth.

:func:`compose` writes one document of a chosen type (Báo cáo, Công văn,
Kế hoạch, Quyết định, Tờ trình) for a chosen issuer of Quảng Ngãi province,
from sentence templates written for this corpus in the register of the real
reports (none of them copies a seed sentence). Every document number, date,
count and amount is inserted through a :class:`_Para` builder that records
where it put the phrase, so the SCHEMA.md extraction is exact by construction.

Positions are kept per *block* (``"date_line"``, ``"body:7"``): the layout
(:mod:`corpus.layout`) reports where each block's wrapped pieces landed in the
page text, and :meth:`ComposedDocument.extraction_for` turns that into the
schema's ``line`` and ``raw`` (plus a ``span`` of character offsets).

Conventions of the truth (where SCHEMA.md leaves a choice):

* ``self.issuer`` is the official name as the gold files give it: "UBND huyện Bình Sơn";
  a body printed under a parent "UBND TỈNH QUẢNG NGÃI" line carries the province
  ("Sở Nông nghiệp và Phát triển nông thôn tỉnh Quảng Ngãi", as gold 001);
* the header date ("Quảng Ngãi, ngày 26 tháng 9 năm 2024") is also in ``dates``
  (the schema lists dates of "body, header and footer");
* a range "từ ngày 09/7/2022 đến 31/8/2022" gives two dates, raws
  "ngày 09/7/2022" and "31/8/2022";
* a count's ``raw`` is the number plus its noun phrase ("13 sản phẩm đạt OCOP 3 sao").
"""
from __future__ import annotations

import copy
import datetime as dt
import random
from dataclasses import dataclass, field

from pipeline.document import MENTION_FIELDS

__all__ = ["DOC_TYPES", "ISSUERS", "Issuer", "Paragraph", "Mention", "ComposedDocument",
           "compose", "compose_many"]

DOC_TYPES = ("Báo cáo", "Công văn", "Kế hoạch", "Quyết định", "Tờ trình")
# Issuer-code prefix of the document's own number (số ký hiệu), Decree 30 appendix III.
_TYPE_CODES = {"Báo cáo": "BC", "Kế hoạch": "KH", "Quyết định": "QĐ", "Tờ trình": "TTr"}


# ---------------------------------------------------------------- issuers

@dataclass(frozen=True)
class Issuer:
    """An issuing body: how its header, number code, place and signature look."""

    name: str                     # self.issuer
    header: tuple[tuple[str, bool], ...]  # printed agency lines (text, bold)
    code: str                     # "UBND", "SNNPTNT", "VPĐP"
    letter_code: str              # code of its công văn numbers: "UBND-KT", "SNNPTNT-NTM"
    place: str                    # place on the date line
    locality: str                 # "tỉnh Quảng Ngãi", "huyện Bình Sơn"
    head: str                     # "CHỦ TỊCH", "GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"
    deputy: str
    collective: str | None        # "TM. ỦY BAN NHÂN DÂN" (tập thể lãnh đạo) or None
    stamp: str                    # text around the round stamp
    short: str                    # how the body names itself: "UBND huyện", "Sở"

    @property
    def is_province(self) -> bool:
        """True for bodies whose scope is the whole province."""
        return self.locality == "tỉnh Quảng Ngãi"


_PROVINCE = "tỉnh Quảng Ngãi"
# (kind, name, place on the date line); thị xã Đức Phổ and thành phố Quảng Ngãi are not huyện.
DISTRICTS = (
    ("huyện", "Bình Sơn", "Bình Sơn"), ("huyện", "Sơn Tịnh", "Sơn Tịnh"),
    ("huyện", "Tư Nghĩa", "Tư Nghĩa"), ("huyện", "Nghĩa Hành", "Nghĩa Hành"),
    ("huyện", "Mộ Đức", "Mộ Đức"), ("thị xã", "Đức Phổ", "Đức Phổ"),
    ("huyện", "Ba Tơ", "Ba Tơ"), ("huyện", "Minh Long", "Minh Long"),
    ("huyện", "Sơn Hà", "Sơn Hà"), ("huyện", "Sơn Tây", "Sơn Tây"),
    ("huyện", "Trà Bồng", "Trà Bồng"), ("huyện", "Lý Sơn", "Lý Sơn"),
    ("thành phố", "Quảng Ngãi", "Quảng Ngãi"),
)


def _district_issuer(kind: str, name: str, place: str) -> Issuer:
    locality = f"{kind} {name}"
    return Issuer(
        name=f"UBND {locality}",
        header=(("ỦY BAN NHÂN DÂN", True), (locality.upper(), True)),
        code="UBND", letter_code="UBND-KT", place=place, locality=locality,
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", collective="TM. ỦY BAN NHÂN DÂN",
        stamp=f"ỦY BAN NHÂN DÂN {locality.upper()} * QUẢNG NGÃI *", short=f"UBND {kind}")


ISSUERS: tuple[Issuer, ...] = (
    Issuer("UBND tỉnh Quảng Ngãi", (("ỦY BAN NHÂN DÂN", True), ("TỈNH QUẢNG NGÃI", True)),
           "UBND", "UBND-KTN", "Quảng Ngãi", _PROVINCE, "CHỦ TỊCH", "PHÓ CHỦ TỊCH",
           "TM. ỦY BAN NHÂN DÂN", "ỦY BAN NHÂN DÂN * TỈNH QUẢNG NGÃI *", "UBND tỉnh"),
    # Under a parent "UBND TỈNH QUẢNG NGÃI" line the gold files name the body with its
    # province ("… nông thôn tỉnh Quảng Ngãi"), so the truth does too.
    Issuer("Sở Nông nghiệp và Phát triển nông thôn tỉnh Quảng Ngãi",
           (("UBND TỈNH QUẢNG NGÃI", False), ("SỞ NÔNG NGHIỆP VÀ", True),
            ("PHÁT TRIỂN NÔNG THÔN", True)),
           "SNNPTNT", "SNNPTNT-NTM", "Quảng Ngãi", _PROVINCE, "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
           None, "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN * TỈNH QUẢNG NGÃI *",
           "Sở Nông nghiệp và Phát triển nông thôn"),
    Issuer("Văn phòng Điều phối nông thôn mới tỉnh Quảng Ngãi",
           (("UBND TỈNH QUẢNG NGÃI", False), ("VĂN PHÒNG ĐIỀU PHỐI", True),
            ("NÔNG THÔN MỚI", True)),
           "VPĐP", "VPĐP", "Quảng Ngãi", _PROVINCE, "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
           None, "VĂN PHÒNG ĐIỀU PHỐI NÔNG THÔN MỚI * TỈNH QUẢNG NGÃI *",
           "Văn phòng Điều phối nông thôn mới tỉnh"),
) + tuple(_district_issuer(*d) for d in DISTRICTS)


# ---------------------------------------------------------------- document model

@dataclass
class Paragraph:
    """One body paragraph; ``style`` is body | item | heading | subheading | center | italic."""

    text: str
    style: str = "body"


@dataclass
class Mention:
    """An inserted phrase: schema field, block, character span in that block, schema item."""

    field: str
    block: str
    start: int
    end: int
    item: dict


@dataclass
class ComposedDocument:
    """A composed document: header parts, body, Nơi nhận, signature and the truth extraction.

    ``extraction`` holds the SCHEMA.md JSON with ``raw`` = the inserted phrase and
    ``line`` = None; :meth:`extraction_for` fills ``line``/``raw`` for a rendering.
    """

    doc_type: str
    issuer: Issuer
    agency_lines: list[tuple[str, bool]]
    number: str
    place: str
    date: dt.date
    date_line: str
    title: str | None             # the line(s) after the type word; None for Công văn
    subject: str                  # self.subject: title or "V/v …" text
    vv: str | None                # "V/v …" under the number (Công văn only)
    kinh_gui: list[str]           # "Kính gửi:" recipients (Công văn, Tờ trình)
    authority: str | None         # "CHỦ TỊCH ỦY BAN NHÂN DÂN …" line of a Quyết định
    paragraphs: list[Paragraph]
    noi_nhan: list[str]
    signature: list[str]          # title lines, e.g. ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    signer: str
    mentions: list[Mention] = field(default_factory=list)
    seed: int = 0

    @property
    def blocks(self) -> dict[str, str]:
        """Texts of the blocks that carry mentions, by block key."""
        out = {"date_line": self.date_line}
        out.update({f"body:{i}": p.text for i, p in enumerate(self.paragraphs)})
        return out

    @property
    def self_block(self) -> dict:
        """The schema's ``self`` object."""
        return {"number": self.number, "date": self.date.isoformat(), "place": self.place,
                "type": self.doc_type, "issuer": self.issuer.name, "subject": self.subject,
                "signer": self.signer}

    @property
    def extraction(self) -> dict:
        """Truth extraction with raw = inserted phrase and line = None (not yet laid out)."""
        return self._extraction(lambda m: (None, self.blocks[m.block][m.start:m.end], None))

    def extraction_for(self, placements: dict[str, list[tuple[int, int, int]]],
                       truth_text: str) -> dict:
        """Truth extraction anchored in a rendering's ``truth_text``.

        ``placements[block]`` lists the wrapped pieces of that block as
        (offset in block text, offset in truth_text, length). Each item gets
        ``line`` (1-based, where it starts), ``raw`` (the exact truth substring,
        so a wrapped phrase contains "\\n") and ``span`` [start, end).
        """
        def locate(m: Mention):
            pieces = placements[m.block]
            start = _to_truth(pieces, m.start)
            end = _to_truth(pieces, m.end - 1) + 1
            return truth_text.count("\n", 0, start) + 1, truth_text[start:end], [start, end]
        return self._extraction(locate)

    def _extraction(self, locate) -> dict:
        order = {key: i for i, key in enumerate(self.blocks)}
        out: dict = {"doc": None, "self": self.self_block}
        for name in MENTION_FIELDS:
            items = []
            for m in sorted((m for m in self.mentions if m.field == name),
                            key=lambda m: (order[m.block], m.start)):
                line, raw, span = locate(m)
                item = {"line": line, **copy.deepcopy(m.item), "raw": raw}
                if span is not None:
                    item["span"] = span
                items.append(item)
            out[name] = items
        out["uncertain"] = []
        return out


def _to_truth(pieces: list[tuple[int, int, int]], offset: int) -> int:
    """Truth-text position of a block character (pieces sorted by block offset)."""
    for block_start, truth_start, length in reversed(pieces):
        if offset >= block_start:
            if offset >= block_start + length:
                raise ValueError(f"offset {offset} falls in a wrap gap")
            return truth_start + offset - block_start
    raise ValueError(f"offset {offset} before the first piece")


# ---------------------------------------------------------------- phrase builder

class _Para:
    """A paragraph being written; records every mention inserted into it."""

    def __init__(self, style: str = "body"):
        self.style = style
        self.text = ""
        self.mentions: list[tuple[str, int, int, dict]] = []

    def say(self, text: str) -> "_Para":
        self.text += text
        return self

    def put(self, phrase: "_Phrase") -> "_Para":
        base = len(self.text)
        self.text += phrase.text
        for fld, start, end, item in phrase.mentions:
            self.mentions.append((fld, base + start, base + end, item))
        return self


@dataclass
class _Phrase:
    """Text plus the mentions inside it (offsets relative to ``text``)."""

    text: str
    mentions: list[tuple[str, int, int, dict]] = field(default_factory=list)

    def __add__(self, other: "_Phrase | str") -> "_Phrase":
        if isinstance(other, str):
            return _Phrase(self.text + other, list(self.mentions))
        shift = len(self.text)
        return _Phrase(self.text + other.text, self.mentions
                       + [(f, s + shift, e + shift, i) for f, s, e, i in other.mentions])

    def __radd__(self, other: str) -> "_Phrase":
        return _Phrase(other) + self


def _whole(fld: str, text: str, item: dict) -> _Phrase:
    return _Phrase(text, [(fld, 0, len(text), item)])


# ---------------------------------------------------------------- dates, numbers, money

def _pad(n: int, rng: random.Random, p: float) -> str:
    return f"{n:02d}" if 0 < n < 10 and rng.random() < p else str(n)


def _date_phrase(d: dt.date, rng: random.Random, form: str | None = None) -> _Phrase:
    """"ngày 13/4/2020" or "ngày 26 tháng 3 năm 2021" as a dates mention."""
    form = form or rng.choices(("slash", "long"), (0.8, 0.2))[0]
    if form == "long":
        text = f"ngày {_pad(d.day, rng, 0.6)} tháng {_pad(d.month, rng, 0.3)} năm {d.year}"
    else:
        text = f"ngày {_pad(d.day, rng, 0.8)}/{_pad(d.month, rng, 0.4)}/{d.year}"
    return _whole("dates", text, {"value": d.isoformat()})


def _bare_date(d: dt.date, rng: random.Random) -> _Phrase:
    """A date without "ngày" (the end of a range "… đến 31/8/2022")."""
    return _whole("dates", f"{_pad(d.day, rng, 0.8)}/{_pad(d.month, rng, 0.4)}/{d.year}",
                  {"value": d.isoformat()})


def _month_phrase(year: int, month: int, rng: random.Random) -> _Phrase:
    """"tháng 10/2024" or "tháng 10 năm 2024": month precision."""
    m = _pad(month, rng, 0.3)
    text = f"tháng {m}/{year}" if rng.random() < 0.7 else f"tháng {m} năm {year}"
    return _whole("dates", text, {"value": f"{year}-{month:02d}"})


def _date_range(a: dt.date, b: dt.date, rng: random.Random) -> _Phrase:
    return "từ " + _date_phrase(a, rng, "slash") + " đến " + _bare_date(b, rng)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = max(0, (end - start).days)
    return start + dt.timedelta(days=rng.randint(0, span))


def _num(n: int, rng: random.Random) -> str:
    """Counts under 10 are usually written "03" in these reports."""
    return _pad(n, rng, 0.75)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _money(rng: random.Random, low_million: int, high_million: int) -> tuple[str, int]:
    """An amount as printed and its value in đồng ("324,474 triệu đồng", 324474000)."""
    form = rng.choices(("trieu", "trieu_dec", "ty", "dong"), (0.35, 0.35, 0.15, 0.15))[0]
    if form == "ty":
        tenths = rng.randint(max(10, low_million // 100), max(11, high_million // 100))
        whole, frac = divmod(tenths, 10)
        text = f"{whole},{frac} tỷ đồng" if frac else f"{whole} tỷ đồng"
        return text, tenths * 100_000_000
    thousands = rng.randint(low_million * 1000, high_million * 1000)
    if form == "trieu":
        thousands -= thousands % 1000
    if form == "dong":
        thousands -= thousands % 100
        return f"{_thousands(thousands * 1000)} đồng", thousands * 1000
    whole, frac = divmod(thousands, 1000)
    text = f"{_thousands(whole)},{frac:03d} triệu đồng" if frac else f"{_thousands(whole)} triệu đồng"
    return text, thousands * 1000


def _money_phrase(rng: random.Random, low: int, high: int) -> tuple[_Phrase, int]:
    text, value = _money(rng, low, high)
    return _whole("money", text, {"value_vnd": value}), value


def _money_of(value_vnd: int, rng: random.Random) -> _Phrase:
    """A known amount (e.g. a sum of parts), printed in triệu đồng."""
    thousands = value_vnd // 1000
    whole, frac = divmod(thousands, 1000)
    text = f"{_thousands(whole)},{frac:03d} triệu đồng" if frac else f"{_thousands(whole)} triệu đồng"
    return _whole("money", text, {"value_vnd": value_vnd})


def _count(value: int, unit: str, noun: str | None = None, *, total: int | None = None,
           stars: str | None = None, tail: str = "", subject_type: str | None = None,
           locality: str | None = None, as_of: str | None = None,
           value_max: int | None = None, rng: random.Random) -> _Phrase:
    """A counts mention "N noun tail" (or "N/M …", "N-M …")."""
    # Both ends of "03-05" / "09/20" share one padding habit.
    width = 2 if rng.random() < 0.75 else 1
    n = f"{value:0{width}d}" if value else "0"
    if total is not None:
        n = f"{n}/{total:0{width}d}"
    elif value_max is not None:
        n = f"{n}-{value_max:0{width}d}"
    item = {"value": value}
    if value_max is not None:
        item["value_max"] = value_max
    item.update(total=total, unit=unit, stars=stars, subject_type=subject_type,
                locality=locality, as_of=as_of)
    return _whole("counts", f"{n} {noun or unit}{tail}", item)


# ---------------------------------------------------------------- cited documents

@dataclass(frozen=True)
class _RefKind:
    kind: str
    code: str          # "QĐ-TTg"; "{y}" marks a year inside the number (Nghị định)
    owner: str         # "của Thủ tướng Chính phủ"
    about: tuple[str, ...]
    low: int
    high: int


_REF_KINDS = (
    _RefKind("Quyết định", "QĐ-TTg", "của Thủ tướng Chính phủ",
             ("phê duyệt Chương trình mỗi xã một sản phẩm giai đoạn 2021-2025",
              "ban hành Bộ tiêu chí và quy trình đánh giá, phân hạng sản phẩm Chương trình "
              "mỗi xã một sản phẩm"), 90, 1950),
    _RefKind("Nghị định", "{y}/NĐ-CP", "của Chính phủ",
             ("về chính sách khuyến khích phát triển hợp tác, liên kết trong sản xuất và "
              "tiêu thụ sản phẩm nông nghiệp", "về phát triển ngành nghề nông thôn"), 10, 120),
    _RefKind("Thông tư", "{y}/TT-BNNPTNT", "của Bộ Nông nghiệp và Phát triển nông thôn",
             ("hướng dẫn thực hiện một số nội dung của Chương trình mục tiêu quốc gia",),
             2, 40),
    _RefKind("Quyết định", "QĐ-BCĐTW", "của Ban Chỉ đạo Trung ương các Chương trình mục tiêu "
             "quốc gia", ("ban hành Quy chế hoạt động của Ban Chỉ đạo",), 1, 12),
    _RefKind("Chỉ thị", "CT-TTg", "của Thủ tướng Chính phủ",
             ("về đẩy mạnh triển khai các Chương trình mục tiêu quốc gia",), 5, 40),
    _RefKind("Quyết định", "QĐ-UBND", "của Chủ tịch UBND tỉnh",
             ("về việc công nhận kết quả đánh giá, phân hạng sản phẩm OCOP",
              "về việc phân bổ kinh phí thực hiện Chương trình OCOP",
              "ban hành Quy chế tổ chức đánh giá, phân hạng sản phẩm OCOP"), 50, 2400),
    _RefKind("Kế hoạch", "KH-UBND", "của UBND tỉnh",
             ("triển khai thực hiện Chương trình mỗi xã một sản phẩm trên địa bàn tỉnh",), 20, 240),
    _RefKind("Công văn", "SNNPTNT-NTM", "của Sở Nông nghiệp và Phát triển nông thôn",
             ("về việc báo cáo kết quả thực hiện Chương trình OCOP",
              "về việc đăng ký sản phẩm tham gia đánh giá, phân hạng OCOP"), 20, 5200),
    _RefKind("Văn bản", "UBND-KTN", "của UBND tỉnh",
             ("về việc đẩy mạnh tiêu thụ sản phẩm OCOP",), 100, 6900),
    _RefKind("Công văn", "VPĐP", "của Văn phòng Điều phối nông thôn mới tỉnh",
             ("về việc hoàn thiện hồ sơ sản phẩm OCOP",), 10, 420),
)


@dataclass
class _Ref:
    kind: str
    number: str
    date: dt.date
    owner: str
    about: str


def _new_ref(rng: random.Random, before: dt.date, kind: _RefKind | None = None,
             years_back: int = 2) -> _Ref:
    kind = kind or rng.choice(_REF_KINDS)
    date = _random_date(rng, before - dt.timedelta(days=365 * years_back), before - dt.timedelta(days=7))
    n = rng.randint(kind.low, kind.high)
    digits = _pad(n, rng, 0.9) if n < 10 else str(n)
    number = f"{digits}/{kind.code.replace('{y}', str(date.year))}"
    return _Ref(kind.kind, number, date, kind.owner, rng.choice(kind.about))


def _ref_phrase(ref: _Ref, rng: random.Random, *, with_date: bool = True,
                kind_word: bool = True) -> _Phrase:
    """"Quyết định số 148/QĐ-TTg ngày 24/02/2023" as a doc_refs mention (and its date)."""
    so = "số " if rng.random() < 0.85 else ""
    head = f"{ref.kind} {so}" if kind_word else so
    item = {"number": ref.number, "kind": ref.kind if kind_word else None,
            "date": ref.date.isoformat() if with_date else None}
    text = _Phrase(head + ref.number)
    if with_date:
        text = text + " " + _date_phrase(ref.date, rng)
    return _Phrase(text.text, [("doc_refs", 0, len(text.text), item)] + text.mentions)


# ---------------------------------------------------------------- people

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Đặng", "Bùi",
             "Đỗ", "Hồ", "Ngô", "Dương", "Đinh", "Trương")
_MIDDLES = ("Văn", "Thị", "Ngọc", "Minh", "Quốc", "Thanh", "Đức", "Hữu", "Trọng", "Tấn",
            "Xuân", "Thị Thu", "Công", "Phước")
_GIVEN = ("Sang", "Phương", "Hùng", "Dũng", "Tuấn", "Hải", "Lan", "Hoa", "Bình", "Thành",
          "Kiên", "Long", "Nam", "Phúc", "Trung", "Vinh", "Hiếu", "Thảo", "Nhân", "Khải", "Tín")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLES)} {rng.choice(_GIVEN)}"


def _signature(issuer: Issuer, doc_type: str, rng: random.Random) -> list[str]:
    """Signing title lines: KT. (ký thay), TM. (thay mặt), TL. (thừa lệnh) or the head."""
    r = rng.random()
    if r < 0.5:
        return [f"KT. {issuer.head}", issuer.deputy]
    if r < 0.7 and issuer.collective:
        return [issuer.collective, issuer.head]
    if r < 0.8 and doc_type == "Công văn":
        return [f"TL. {issuer.head}", "CHÁNH VĂN PHÒNG" if issuer.code == "UBND" else "TRƯỞNG PHÒNG"]
    return [issuer.head]


# ---------------------------------------------------------------- the writer

@dataclass
class _Ctx:
    """What a document's templates share: randomness, issuer, year, date."""

    rng: random.Random
    issuer: Issuer
    year: int                     # the year reported on
    date: dt.date                 # the document's own date
    paras: list[_Para] = field(default_factory=list)

    def para(self, style: str = "body") -> _Para:
        p = _Para(style)
        self.paras.append(p)
        return p

    def text(self, text: str, style: str = "body") -> None:
        self.para(style).say(text)

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def past(self, earliest: dt.date, margin_days: int) -> dt.date:
        """A day between ``earliest`` and ``margin_days`` before the document's date."""
        latest = self.date - dt.timedelta(days=margin_days)
        return _random_date(self.rng, min(earliest, latest - dt.timedelta(days=30)), latest)

    @property
    def locality(self) -> str:
        return self.issuer.locality

    @property
    def area(self) -> str:
        """What "toàn …" covers: "toàn tỉnh", "toàn huyện", "toàn thị xã"."""
        # District names are two syllables: "huyện Bình Sơn" -> "toàn huyện".
        return "toàn " + " ".join(self.locality.split()[:-2])


def _heading(ctx: _Ctx, roman: int, text: str) -> None:
    ctx.text(f"{'I II III IV V VI VII'.split()[roman - 1]}. {text}", "heading")


def _opening(ctx: _Ctx, purpose: str) -> None:
    rng = ctx.rng
    ref = _new_ref(rng, ctx.date, rng.choice([k for k in _REF_KINDS
                                               if k.kind in ("Kế hoạch", "Công văn", "Quyết định")]),
                   years_back=1)
    p = ctx.para()
    lead = ctx.pick("Thực hiện ", "Triển khai ", "Căn cứ ")
    p.say(lead).put(_ref_phrase(ref, rng)).say(f" {ref.owner} {ref.about}")
    p.say(ctx.pick(
        f"; trên cơ sở kết quả triển khai tại địa phương, {ctx.issuer.short} {purpose} như sau:",
        f", {ctx.issuer.short} tổng hợp và {purpose} cụ thể như sau:",
        f". Sau khi rà soát số liệu của các cơ quan, đơn vị, {ctx.issuer.short} {purpose} như sau:"))


def _direction(ctx: _Ctx) -> None:
    rng = ctx.rng
    ref = _new_ref(rng, ctx.date, next(k for k in _REF_KINDS if k.code == "KH-UBND"), 1)
    ref.number = f"{ref.number.split('/')[0]}/KH-{ctx.issuer.code}"
    p = ctx.para()
    p.say(ctx.pick("Ngay từ đầu năm, ", "Để tổ chức thực hiện có hiệu quả, ", ""))
    p.say(f"{ctx.issuer.short} đã ban hành ").put(_ref_phrase(ref, rng))
    p.say(f" triển khai Chương trình OCOP năm {ctx.year}; ")
    p.say(ctx.pick("đồng thời giao các phòng, ban chuyên môn hướng dẫn chủ thể hoàn thiện hồ sơ, "
                   "nâng cao chất lượng sản phẩm trước khi đăng ký đánh giá.",
                   "chỉ đạo các xã, phường, thị trấn rà soát sản phẩm có tiềm năng và đôn đốc "
                   "việc đăng ký tham gia đánh giá, phân hạng."))
    if rng.random() < 0.6:
        old = _new_ref(rng, ctx.date, rng.choice(_REF_KINDS[:5]), 6)
        q = ctx.para("item")
        q.say("- Tổ chức quán triệt các chính sách hỗ trợ hiện hành, trong đó có ")
        q.put(_ref_phrase(old, rng, with_date=rng.random() < 0.7)).say(f" {old.owner}.")


def _propaganda(ctx: _Ctx) -> None:
    rng = ctx.rng
    p = ctx.para("item")
    p.say("- Phối hợp với cơ quan báo chí thực hiện ").put(_count(rng.randint(2, 24), "bản tin", rng=rng))
    p.say(ctx.pick(" và phóng sự giới thiệu sản phẩm OCOP của địa phương.",
                   ", chuyên mục về Chương trình OCOP trên sóng phát thanh."))
    q = ctx.para("item")
    classes = rng.randint(1, 6)
    q.say("- Tổ chức ").put(_count(classes, "lớp", tail=" tập huấn", rng=rng)).say(" cho ")
    q.put(_count(classes * rng.randint(25, 60), "học viên", rng=rng))
    if rng.random() < 0.5:
        start = _random_date(rng, dt.date(ctx.year, 3, 1), dt.date(ctx.year, 9, 1))
        if start < ctx.date:  # a report looks back; a plan may look ahead
            start = ctx.past(dt.date(ctx.year, 1, 15), 20)
        q.say(", thời gian ").put(_date_range(start, start + dt.timedelta(days=rng.randint(1, 10)), rng))
    q.say(ctx.pick(" là cán bộ cấp xã và đại diện các chủ thể OCOP.",
                   " về kỹ năng xây dựng câu chuyện sản phẩm và hồ sơ đánh giá."))


def _results(ctx: _Ctx) -> None:
    rng = ctx.rng
    three, four = rng.randint(2, 30), rng.randint(1, 8)
    start = ctx.past(dt.date(ctx.year, 3, 1), 90)
    end = start + dt.timedelta(days=rng.randint(5, 40))
    p = ctx.para()
    p.say("Hội đồng đánh giá, phân hạng sản phẩm OCOP cấp tỉnh đã tổ chức chấm điểm ")
    p.put(_date_range(start, end, rng))
    p.say("; kết quả có ").put(_count(three, "sản phẩm", stars="3", tail=" đạt OCOP 3 sao", rng=rng))
    p.say(" và ").put(_count(four, "sản phẩm", stars="4", tail=" đạt OCOP 4 sao", rng=rng))
    decision = _new_ref(rng, ctx.date, next(k for k in _REF_KINDS if k.code == "QĐ-UBND"), 1)
    decision.date = end + dt.timedelta(days=rng.randint(3, 20))
    p.say(", được công nhận tại ").put(_ref_phrase(decision, rng)).say(".")

    last = ctx.date - dt.timedelta(days=rng.randint(5, 40))
    as_of = f"{last.year}-{last.month:02d}"
    total_four = four + rng.randint(0, 10)
    total_three = three + rng.randint(5, 120)
    total = total_three + total_four
    q = ctx.para()
    q.say(ctx.pick("Lũy kế đến ", "Tính đến ")).put(_month_phrase(last.year, last.month, rng))
    q.say(f", {ctx.area} có ")
    q.put(_count(total, "sản phẩm", stars="3-4", tail=" đạt OCOP 3-4 sao",
                 locality=ctx.locality, as_of=as_of, rng=rng))
    q.say(", trong đó có ").put(_count(total_four, "sản phẩm", stars="4", tail=" đạt 4 sao",
                                       locality=ctx.locality, as_of=as_of, rng=rng))
    q.say(" và ").put(_count(total_three, "sản phẩm", stars="3", tail=" đạt 3 sao",
                             locality=ctx.locality, as_of=as_of, rng=rng)).say(".")

    companies, coops, households = rng.randint(3, 40), rng.randint(3, 45), rng.randint(2, 50)
    r = ctx.para()
    r.say("Các sản phẩm trên thuộc ")
    r.put(_count(companies + coops + households, "chủ thể", locality=ctx.locality, rng=rng))
    r.say(", gồm: ")
    parts = [("doanh nghiệp", companies, ctx.pick("doanh nghiệp", "Doanh nghiệp")),
             ("hợp tác xã", coops, ctx.pick("hợp tác xã", "Hợp tác xã")),
             ("cơ sở sản xuất/hộ kinh doanh", households, "cơ sở sản xuất/hộ kinh doanh")]
    for i, (unit, n, noun) in enumerate(parts):
        if i:
            r.say("; " if i < 2 else " và ")
        r.put(_count(n, unit, noun, locality=ctx.locality, rng=rng))
        if rng.random() < 0.5:
            r.say(" với ").put(_count(n + rng.randint(0, 9), "sản phẩm", subject_type=unit,
                                      locality=ctx.locality, rng=rng))
    r.say(".")

    s = ctx.para("item")
    if ctx.issuer.is_province:
        s.say("- Có ").put(_count(13, "huyện", "huyện, thị xã, thành phố", total=13, rng=rng))
        s.say(" có sản phẩm đạt OCOP; ")
    else:
        communes = rng.randint(6, 20)
        s.say("- Có ").put(_count(rng.randint(1, communes), "xã", ctx.pick("xã", "xã, thị trấn"),
                                  total=communes, locality=ctx.locality, rng=rng))
        s.say(" có sản phẩm đạt OCOP; ")
    s.put(_count(rng.randint(3, total), "sản phẩm", total=total, tail=" OCOP", rng=rng))
    s.say(" đã được đưa lên sàn thương mại điện tử.")


def _trade(ctx: _Ctx) -> None:
    rng = ctx.rng
    p = ctx.para("item")
    fairs = rng.randint(1, 9)
    p.say("- Hỗ trợ các chủ thể tham gia ").put(_count(fairs, "hội chợ", rng=rng))
    p.say(", triển lãm trong và ngoài tỉnh với ")
    p.put(_count(fairs * rng.randint(2, 6), "gian hàng", rng=rng))
    p.say(" trưng bày, quảng bá sản phẩm.")
    if rng.random() < 0.6:
        q = ctx.para("item")
        q.say("- Duy trì hoạt động của ").put(_count(rng.randint(1, 12), "điểm",
                                                     tail=" giới thiệu và bán sản phẩm OCOP", rng=rng))
        q.say(ctx.pick(" tại các khu du lịch, chợ trung tâm.", " trên địa bàn; doanh thu ổn định."))


def _funding(ctx: _Ctx) -> None:
    rng = ctx.rng
    province, v1 = _money_phrase(rng, 150, 900)
    local, v2 = _money_phrase(rng, 30, 400)
    decision = _new_ref(rng, ctx.date, next(k for k in _REF_KINDS if k.code == "QĐ-UBND"), 1)
    p = ctx.para()
    p.say(f"Tổng kinh phí thực hiện Chương trình OCOP năm {ctx.year} là ")
    p.put(_money_of(v1 + v2, rng)).say(", trong đó: ngân sách tỉnh phân bổ tại ")
    p.put(_ref_phrase(decision, rng)).say(" là ").put(province)
    p.say("; ngân sách địa phương đối ứng ").put(local).say(".")
    spent = (v1 + v2) * rng.randint(35, 98) // 100 // 1000 * 1000
    q = ctx.para()
    day = ctx.past(dt.date(ctx.year, 6, 1), 3)
    q.say("Đến ").put(_date_phrase(day, rng)).say(", đã giải ngân ").put(_money_of(spent, rng))
    q.say(f", đạt {round(100 * spent / (v1 + v2))}% kế hoạch vốn được giao.")


_DIFFICULTIES = (
    "- Phần lớn chủ thể tham gia Chương trình có quy mô nhỏ, năng lực tài chính hạn chế, "
    "chưa chủ động được vùng nguyên liệu ổn định.",
    "- Việc xây dựng câu chuyện sản phẩm, thiết kế bao bì, nhãn mác còn phụ thuộc vào đơn vị tư vấn.",
    "- Một số sản phẩm sau khi được công nhận chưa duy trì được chất lượng và mẫu mã như khi đánh giá.",
    "- Cán bộ phụ trách Chương trình ở cấp xã thường xuyên thay đổi, kiêm nhiệm nhiều việc.",
    "- Kinh phí bố trí cho hoạt động xúc tiến thương mại còn thấp so với nhu cầu thực tế.",
    "- Hoạt động liên kết giữa chủ thể với doanh nghiệp phân phối còn rời rạc, thiếu bền vững.",
)


_TASKS = (
    "- Hướng dẫn chủ thể hoàn thiện hồ sơ, tiêu chuẩn cơ sở và công bố chất lượng sản phẩm.",
    "- Hỗ trợ thiết kế bao bì, nhãn mác, mã truy xuất nguồn gốc cho sản phẩm đăng ký mới.",
    "- Kết nối chủ thể với hệ thống siêu thị, cửa hàng tiện lợi và sàn thương mại điện tử.",
    "- Kiểm tra, giám sát việc duy trì chất lượng của sản phẩm đã được cấp giấy chứng nhận.",
)


def _difficulties(ctx: _Ctx) -> None:
    for line in ctx.rng.sample(_DIFFICULTIES, ctx.rng.randint(2, 3)):
        ctx.text(line, "item")


def _targets(ctx: _Ctx, year: int) -> None:
    rng = ctx.rng
    low = rng.randint(2, 10)
    p = ctx.para("item")
    p.say(f"- Phấn đấu trong năm {year} có thêm từ ")
    p.put(_count(low, "sản phẩm", stars="3", value_max=low + rng.randint(2, 8),
                 tail=" được công nhận đạt OCOP 3 sao trở lên", as_of=str(year), rng=rng))
    p.say(ctx.pick("; nâng hạng ít nhất ", "; hỗ trợ nâng hạng "))
    p.put(_count(rng.randint(1, 5), "sản phẩm", stars="4", tail=" từ 3 sao lên 4 sao", rng=rng)).say(".")
    q = ctx.para("item")
    q.say("- Tổ chức từ ").put(_count(1, "lớp", value_max=rng.randint(2, 4), tail=" tập huấn",
                                      as_of=str(year), rng=rng))
    q.say(" nâng cao năng lực cho cán bộ và chủ thể; phấn đấu ")
    if ctx.issuer.is_province:
        q.put(_count(rng.randint(40, 60), "chủ thể", value_max=None, rng=rng))
        q.say(" tham gia Chương trình được hỗ trợ xúc tiến thương mại.")
    else:
        q.say("mỗi xã có ít nhất ").put(_count(1, "sản phẩm", tail=" đăng ký tham gia", rng=rng)).say(".")


def _closing_report(ctx: _Ctx, recipient: str) -> None:
    ctx.text(ctx.pick(
        f"Trên đây là báo cáo kết quả thực hiện Chương trình OCOP năm {ctx.year} của "
        f"{ctx.issuer.short}, kính gửi {recipient} xem xét, tổng hợp./.",
        f"{ctx.issuer.short} báo cáo {recipient} để theo dõi, chỉ đạo./."))


def _recipient(issuer: Issuer) -> str:
    return "UBND tỉnh" if issuer.is_province else "Sở Nông nghiệp và Phát triển nông thôn"


# ---------------------------------------------------------------- document types

def _write_bao_cao(ctx: _Ctx, long: bool) -> str:
    _opening(ctx, "báo cáo kết quả thực hiện")
    _heading(ctx, 1, "KẾT QUẢ THỰC HIỆN")
    ctx.text("1. Công tác chỉ đạo, điều hành", "subheading")
    _direction(ctx)
    ctx.text("2. Công tác tuyên truyền, tập huấn", "subheading")
    _propaganda(ctx)
    ctx.text("3. Kết quả đánh giá, phân hạng sản phẩm", "subheading")
    _results(ctx)
    if long:
        ctx.text("4. Xúc tiến thương mại", "subheading")
        _trade(ctx)
        _heading(ctx, 2, "KINH PHÍ THỰC HIỆN")
        _funding(ctx)
        _heading(ctx, 3, "KHÓ KHĂN, VƯỚNG MẮC")
        _difficulties(ctx)
    _heading(ctx, 4 if long else 2, f"PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {ctx.year + 1}")
    _targets(ctx, ctx.year + 1)
    _closing_report(ctx, _recipient(ctx.issuer))
    scope = "trên địa bàn tỉnh Quảng Ngãi" if ctx.issuer.is_province else f"trên địa bàn {ctx.locality}"
    return ctx.pick(
        f"Kết quả thực hiện Chương trình mỗi xã một sản phẩm (OCOP) năm {ctx.year}, "
        f"phương hướng, nhiệm vụ năm {ctx.year + 1} {scope}",
        f"Tình hình triển khai Chương trình OCOP năm {ctx.year} {scope}")


def _write_ke_hoach(ctx: _Ctx, long: bool) -> str:
    rng = ctx.rng
    basis = _new_ref(rng, ctx.date, _REF_KINDS[0], 4)
    p = ctx.para()
    p.say("Căn cứ ").put(_ref_phrase(basis, rng)).say(f" {basis.owner} {basis.about}; ")
    p.say(f"{ctx.issuer.short} ban hành Kế hoạch thực hiện Chương trình OCOP năm {ctx.year} như sau:")
    _heading(ctx, 1, "MỤC ĐÍCH, YÊU CẦU")
    ctx.text("- Phát huy lợi thế về nguyên liệu, ngành nghề truyền thống của từng địa phương để "
             "phát triển sản phẩm có giá trị gia tăng cao.", "item")
    ctx.text("- Xác định rõ nhiệm vụ của từng cơ quan, đơn vị; bảo đảm tiến độ và hiệu quả.", "item")
    _heading(ctx, 2, "MỤC TIÊU")
    _targets(ctx, ctx.year)
    _heading(ctx, 3, "NHIỆM VỤ VÀ GIẢI PHÁP")
    _propaganda(ctx)
    if long:
        _trade(ctx)
        for line in rng.sample(_TASKS, 2):
            ctx.text(line, "item")
    _heading(ctx, 4, "KINH PHÍ THỰC HIỆN")
    money, _ = _money_phrase(rng, 200, 1500)
    ctx.para().say("Tổng kinh phí dự kiến: ").put(money).say(
        ", từ nguồn ngân sách nhà nước và vốn đối ứng của chủ thể.")
    _heading(ctx, 5, "TỔ CHỨC THỰC HIỆN")
    q = ctx.para()
    deadline = _random_date(rng, dt.date(ctx.year, 10, 1), dt.date(ctx.year, 12, 10))
    q.say("Các cơ quan, đơn vị căn cứ nhiệm vụ được giao tổ chức thực hiện và báo cáo kết quả "
          f"về {ctx.issuer.short} trước ").put(_date_phrase(deadline, rng, "slash")).say(" để tổng hợp./.")
    scope = "trên địa bàn tỉnh" if ctx.issuer.is_province else f"trên địa bàn {ctx.locality}"
    return f"Thực hiện Chương trình mỗi xã một sản phẩm (OCOP) năm {ctx.year} {scope}"


def _write_quyet_dinh(ctx: _Ctx, long: bool) -> str:
    rng = ctx.rng
    law = _whole("dates", "ngày 19 tháng 6 năm 2015", {"value": "2015-06-19"})
    ctx.para("italic").say("Căn cứ Luật Tổ chức chính quyền địa phương ").put(law).say(";")
    tieu_chi = _new_ref(rng, ctx.date, _REF_KINDS[0], 3)
    ctx.para("italic").say("Căn cứ ").put(_ref_phrase(tieu_chi, rng)).say(
        f" {tieu_chi.owner} {tieu_chi.about};")
    plan = _new_ref(rng, ctx.date, next(k for k in _REF_KINDS if k.code == "KH-UBND"), 1)
    ctx.para("italic").say("Căn cứ ").put(_ref_phrase(plan, rng)).say(f" {plan.owner} {plan.about};")
    office = (("Giám đốc Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT") if ctx.issuer.is_province
              else ("Trưởng phòng Kinh tế", "PKT"))
    proposal = _Ref("Tờ trình", f"{rng.randint(10, 400)}/TTr-{office[1]}",
                    ctx.date - dt.timedelta(days=rng.randint(3, 30)), "", "")
    ctx.para("italic").say(f"Theo đề nghị của {office[0]} tại ").put(_ref_phrase(proposal, rng)).say(".")
    ctx.text("QUYẾT ĐỊNH:", "center")
    p = ctx.para()
    three, four = rng.randint(3, 40), rng.randint(0, 9)
    p.say("Điều 1. Công nhận ").put(_count(three + four, "sản phẩm", tail=f" đạt OCOP năm {ctx.year}",
                                           as_of=str(ctx.year), rng=rng)).say(", gồm: ")
    p.put(_count(three, "sản phẩm", stars="3", tail=" đạt 3 sao", rng=rng)).say(" và ")
    p.put(_count(four, "sản phẩm", stars="4", tail=" đạt 4 sao", rng=rng))
    p.say(" (chi tiết tại Phụ lục kèm theo).")
    if long:
        money, _ = _money_phrase(rng, 100, 900)
        ctx.para().say("Điều 2. Hỗ trợ kinh phí cho các chủ thể có sản phẩm được công nhận với tổng "
                       "số tiền ").put(money).say(" từ nguồn kinh phí sự nghiệp năm " + str(ctx.year) + ".")
    ctx.text(f"Điều {3 if long else 2}. Quyết định này có hiệu lực kể từ ngày ký. Giấy chứng nhận "
             "sản phẩm OCOP có giá trị trong thời hạn ba năm.")
    ctx.text(f"Điều {4 if long else 3}. Chánh Văn phòng {ctx.issuer.short}, Giám đốc Sở Nông nghiệp "
             "và Phát triển nông thôn, Thủ trưởng các cơ quan, đơn vị liên quan và các chủ thể có "
             "tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.")
    return (f"Về việc công nhận kết quả đánh giá, phân hạng sản phẩm OCOP năm {ctx.year} "
            f"(đợt {rng.randint(1, 3)})")


def _write_to_trinh(ctx: _Ctx, long: bool) -> str:
    rng = ctx.rng
    basis = _new_ref(rng, ctx.date, next(k for k in _REF_KINDS if k.code == "KH-UBND"), 1)
    ctx.para().say("Căn cứ ").put(_ref_phrase(basis, rng)).say(f" {basis.owner} {basis.about};")
    ctx.text(f"Để có kinh phí triển khai các nội dung của Chương trình OCOP năm {ctx.year}, "
             f"{ctx.issuer.short} kính trình UBND tỉnh xem xét một số nội dung như sau:")
    _heading(ctx, 1, "KẾT QUẢ ĐẠT ĐƯỢC")
    _results(ctx)
    if long:
        _trade(ctx)
    _heading(ctx, 2, "ĐỀ XUẤT KINH PHÍ")
    money, _ = _money_phrase(rng, 300, 3000)
    ctx.para().say("Đề nghị UBND tỉnh xem xét, phê duyệt bổ sung ").put(money).say(
        " để hỗ trợ chủ thể hoàn thiện bao bì, nhãn mác và tham gia xúc tiến thương mại.")
    ctx.text("Kính trình UBND tỉnh xem xét, quyết định./.")
    return f"Về việc đề nghị bổ sung kinh phí thực hiện Chương trình OCOP năm {ctx.year}"


def _write_cong_van(ctx: _Ctx, long: bool) -> str:
    rng = ctx.rng
    subject = ctx.pick(f"báo cáo kết quả thực hiện Chương trình OCOP năm {ctx.year}",
                       f"đăng ký sản phẩm tham gia đánh giá, phân hạng OCOP năm {ctx.year + 1}",
                       "đôn đốc hoàn thiện hồ sơ sản phẩm OCOP")
    ref = _new_ref(rng, ctx.date, rng.choice(_REF_KINDS[5:]), 1)
    p = ctx.para()
    p.say("Thực hiện ").put(_ref_phrase(ref, rng)).say(f" {ref.owner} {ref.about}, ")
    p.say(f"{ctx.issuer.short} đề nghị các cơ quan, đơn vị triển khai một số nội dung sau:")
    q = ctx.para()
    q.say("1. Rà soát các sản phẩm có tiềm năng, hướng dẫn chủ thể đăng ký từ ")
    low = rng.randint(1, 5)
    q.put(_count(low, "sản phẩm", stars="3", value_max=low + rng.randint(1, 4),
                 tail=" đạt OCOP 3 sao trở lên", as_of=str(ctx.year + 1), rng=rng))
    q.say(" mỗi địa phương.")
    if long:
        r = ctx.para()
        r.say("2. Đối với các sản phẩm đã hết thời hạn công nhận, hiện ")
        expired_total = rng.randint(20, 200)
        r.put(_count(rng.randint(2, expired_total // 2), "sản phẩm", total=expired_total, rng=rng))
        r.say(" chưa đăng ký đánh giá lại; đề nghị đôn đốc chủ thể hoàn thiện hồ sơ.")
    deadline = ctx.date + dt.timedelta(days=rng.randint(7, 40))
    s = ctx.para()
    s.say(f"{3 if long else 2}. Gửi báo cáo và hồ sơ về {ctx.issuer.short} trước ")
    s.put(_date_phrase(deadline, rng)).say(" để tổng hợp, báo cáo UBND tỉnh.")
    ctx.text(f"Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị các đơn vị phản ánh "
             f"về {ctx.issuer.short} để phối hợp giải quyết./.")
    return subject


_WRITERS = {"Báo cáo": _write_bao_cao, "Kế hoạch": _write_ke_hoach,
            "Quyết định": _write_quyet_dinh, "Tờ trình": _write_to_trinh,
            "Công văn": _write_cong_van}


# ---------------------------------------------------------------- header and footer

def _date_line(place: str, d: dt.date) -> str:
    # Decree 30: day below 10 and months 1-2 get a leading zero in the header.
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {day} tháng {month} năm {d.year}"


def _own_number(doc_type: str, issuer: Issuer, rng: random.Random) -> str:
    n = rng.randint(1, 2500)
    if doc_type == "Công văn":
        return f"{n}/{issuer.letter_code}"
    return f"{n}/{_TYPE_CODES[doc_type]}-{issuer.code}"


def _noi_nhan(doc_type: str, issuer: Issuer, rng: random.Random) -> list[str]:
    up = (["- UBND tỉnh (b/c);", "- Sở Tài chính;"] if issuer.is_province
          else ["- Sở NN và PTNT;", "- Văn phòng NTM tỉnh;"])
    side = rng.sample(["- CT, PCT UBND;", "- Các phòng, ban liên quan;", "- UBND các xã, thị trấn;",
                       "- Các chủ thể OCOP;", "- Phòng Kinh tế;"], rng.randint(1, 3))
    if doc_type in ("Công văn", "Tờ trình"):
        up = ["- Như trên;"] + up[:1]
    if doc_type == "Quyết định":
        up = [f"- Như Điều {rng.choice((3, 4))};"] + up
    return up + side + [rng.choice(("- Lưu: VT, NTM.", "- Lưu VT.", "- Lưu: VT, KT."))]


def _kinh_gui(doc_type: str, issuer: Issuer, rng: random.Random) -> list[str]:
    if doc_type == "Tờ trình":
        return ["Ủy ban nhân dân tỉnh Quảng Ngãi."]
    if doc_type != "Công văn":
        return []
    if issuer.is_province:
        return ["- UBND các huyện, thị xã, thành phố;", "- Các sở, ngành liên quan."]
    return rng.choice((["Sở Nông nghiệp và Phát triển nông thôn tỉnh Quảng Ngãi."],
                       ["- Các phòng, ban thuộc UBND;", "- UBND các xã, thị trấn."]))


# ---------------------------------------------------------------- public API

def compose(seed: int, *, doc_type: str | None = None, issuer: Issuer | str | None = None,
            long: bool | None = None) -> ComposedDocument:
    """Compose one document; the result is a pure function of the arguments.

    ``doc_type`` is one of :data:`DOC_TYPES`; ``issuer`` an :class:`Issuer` or its
    name; ``long`` adds sections (a body of ~1.5-2 A4 pages instead of ~1).
    """
    rng = random.Random(seed)
    doc_type = doc_type or rng.choice(DOC_TYPES)
    if doc_type not in _WRITERS:
        raise ValueError(f"unknown document type {doc_type!r}; known: {DOC_TYPES}")
    if isinstance(issuer, str):
        issuer = next(i for i in ISSUERS if i.name == issuer)
    if issuer is None:
        # A Quyết định comes from a UBND; a Tờ trình goes up to UBND tỉnh, so not from it.
        allowed = [i for i in ISSUERS if (doc_type != "Quyết định" or i.code == "UBND")
                   and (doc_type != "Tờ trình" or i.name != "UBND tỉnh Quảng Ngãi")]
        issuer = rng.choice(allowed)
    long = rng.random() < 0.5 if long is None else long
    year = rng.randint(2020, 2024)
    date = _random_date(rng, dt.date(year, 9, 1), dt.date(year + 1, 1, 31)) \
        if doc_type in ("Báo cáo", "Tờ trình") else _random_date(rng, dt.date(year, 1, 10), dt.date(year, 5, 30))
    ctx = _Ctx(rng, issuer, year, date)
    title = _WRITERS[doc_type](ctx, long)
    number = _own_number(doc_type, issuer, rng)
    date_line = _date_line(issuer.place, date)
    head_date = _date_line("", date)[2:]
    paragraphs, mentions = [], [Mention("dates", "date_line", len(date_line) - len(head_date),
                                        len(date_line), {"value": date.isoformat()})]
    for i, p in enumerate(ctx.paras):
        paragraphs.append(Paragraph(p.text, p.style))
        mentions += [Mention(f, f"body:{i}", s, e, item) for f, s, e, item in p.mentions]
    cong_van = doc_type == "Công văn"
    return ComposedDocument(
        doc_type=doc_type, issuer=issuer, agency_lines=list(issuer.header), number=number,
        place=issuer.place, date=date, date_line=date_line,
        title=None if cong_van else title,
        subject=title, vv=f"V/v {title}" if cong_van else None,
        kinh_gui=_kinh_gui(doc_type, issuer, rng),
        authority=(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {issuer.locality.upper()}"
                   if doc_type == "Quyết định" else None),
        paragraphs=paragraphs, noi_nhan=_noi_nhan(doc_type, issuer, rng),
        signature=_signature(issuer, doc_type, rng), signer=_person(rng),
        mentions=mentions, seed=seed)


def compose_many(n: int, seed: int = 0) -> list[ComposedDocument]:
    """``n`` documents cycling through all types, alternating short and long bodies."""
    return [compose(seed * 1000 + i, doc_type=DOC_TYPES[i % len(DOC_TYPES)], long=bool(i % 2))
            for i in range(n)]
