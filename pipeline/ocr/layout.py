"""Page layout of the Vietnamese state document, found from the OCR'd words' boxes.

Nghị định 30/2020/NĐ-CP fixes where things sit on a page: the issuing body top left
(cơ quan ban hành) beside the national motto top right (quốc hiệu, tiêu ngữ); under
them "Số: …" on the left and "<place>, ngày … tháng … năm …" on the right; the
title or "V/v …"; the body; at the foot the "Nơi nhận:" list on the left beside the
signing title and the signer's name on the right.  Tesseract (psm 6) reads each
page row by row across both columns, so "Nơi nhận:" and "TL. CHỦ TỊCH" share a line.
:func:`layout_page` splits such rows at the column gap and re-orders the page:
header left block, header right block, body, recipients, signature block, each
region with its box (``Page.regions``).  E-signature and received-stamp text
("Ký bởi: …", "05.02.2025 15:35:18 +07:00") becomes a ``stamp`` region kept apart
from the page text; low-confidence junk at the page edge becomes ``noise``.

A page without the two-column header or footer (a middle page, an annex) keeps its
rows in Tesseract's order as one ``body`` region.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..document import Page, Region, Word
from ..script import fold as _fold

# A gap between two words wider than this (in inches) splits a row into column segments:
# justified body text at 13-14 pt spaces words by at most ~0.12 in; the header's two
# columns and the footer's list | signature stand >= 0.4 in apart on every real page.
COLUMN_GAP_IN = 0.25
# Share of the page width from which a segment stands in the right column (motto block,
# place-date line, signature block); on the real pages they start at 0.43-0.56 of the width.
RIGHT_COLUMN = 0.42

_MOTTO = re.compile(r"cong\s*hoa|chu\s*nghia\s*viet|doc\s*lap\s*-?\s*tu\s*do|tu\s*do\s*-?\s*hanh\s*phuc")
_NUMBER_LINE = re.compile(r"^(?:\S{1,2}\s+)?s[o0]\s*[:;.]|^\W{0,2}s[o0]\W.*[/-]|^s[o0]\s+\S*\d"
                          r"|^\W{0,3}[s$5§]?\s*[o0]\s*[:;.„].*/\s*[a-z]")
# "ngày … tháng … năm 2025", also with pen ink glued to the words ("ngà¿2)Âtháng02").
_DATE_LINE = re.compile(r"(?:\bng\S{0,4}|th\S{0,2}ng).{0,40}n[aă]m\s*\d{4}")
# "Nơi nhận:", also as OCR misreads its first letter (".Vợi nhận:", "ơi xhận").
_RECIPIENTS = re.compile(r"^\W{0,2}\w?oi\s*\w?han\b")
# The first line of a signature block: the signing mark or a head's title (Nghị định 30, Phụ lục I).
_SIGNING_TITLE = re.compile(r"^(?:tm|kt|tl|tuq|q)\s*[.,„]|^(?:pho\s+)?(?:chu\s*tich|giam\s*doc|hieu\s*truong|"
                            r"truong\s*phong|chanh\s*van\s*phong|bo\s*truong|cuc\s*truong|vien\s*truong)\b")
# The words that name an office in a signing title (Nghị định 30, Phụ lục I), alone.
_OFFICE_WORD = re.compile(r"\b(?:truong|tich|doc|pho|chanh|thu\s*ky|bi\s*thu|dai\s*dien|phu\s*trach)\b")


def is_signing_title(line: str) -> bool:
    """True for a line of capitals that names an office or opens with a signing mark
    ("KT. CHỦ TỊCH", "HIỆU TRƯỞNG", "HU TRƯỞNG" read through a seal)."""
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 4 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return False
    folded = _fold(line)
    return bool(_SIGNING_TITLE.match(folded.strip()) or _OFFICE_WORD.search(folded))


# "Kính gửi:" (the addressees of a letter): never part of the header or the title.
_KINH_GUI = re.compile(r"^kinh\s*gui")
# E-signature and received stamps: the signing software's and the mail desk's own words.
_STAMP = re.compile(
    r"ky\s*boi|thoi\s*gian\s*ky|nguoi\s*ky|co\s*quan\s*:|\w@\S*\.\w|\.gov\.vn|\d{1,2}[./:]\d{2}[./:]\d{2,4}\s+"
    r"\d{1,2}:\d{2}(?::\d{2})?|\+07:00|\bcong\s*bao\W+(?:va\W+)?tin\s*hoc|trung\s*tam\W*cong\s*bao|^sao\s*y\b|cv\s*den\b|^den\s*:?\s*so\b")


@dataclass
class Segment:
    """Words of one OCR row that sit together (no column gap between them)."""

    words: list[Word]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (min(w.box[0] for w in self.words), min(w.box[1] for w in self.words),
                max(w.box[0] + w.box[2] for w in self.words), max(w.box[1] + w.box[3] for w in self.words))

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def conf(self) -> float:
        confs = [w.conf for w in self.words if w.conf >= 0]
        return sum(confs) / len(confs) if confs else -1.0


# Specks and pen ticks read as "__", "_", "`", "__¬" (no transcribed real page has such a
# token; they stood on 7 of the 23 stored pages): tokens of rule and tick characters only are
# noise, except a flat one the size of a dash, which is a list's dash read as "~" or "_"
# ("~ Như trên;"): it is written "-".  A "-" as tall as it is wide is a speck ("- SỞ GIÁO
# DỤC", "để theo -": 6 on 4 real pages, 4-10 px a side); the real pages' printed dashes are
# 2.4-5 times as wide as they are tall.
_RULE_MARK = re.compile(r"[-_`¬~—–]*[_`¬~][-_`¬~—–]*")
DASH_MAX_HEIGHT = 0.25  # of the page's median word height
DASH_MIN_ASPECT = 1.5


def _dashes_and_marks(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """The page's words with dash-shaped rule marks written "-", and the other rule marks."""
    heights = sorted(w.box[3] for w in words)
    median = heights[len(heights) // 2] if heights else 0
    kept: list[Word] = []
    marks: list[Word] = []
    for w in words:
        if w.text in ("-", "–", "—"):
            (kept if w.box[2] >= DASH_MIN_ASPECT * w.box[3] else marks).append(w)
        elif not _RULE_MARK.fullmatch(w.text):
            kept.append(w)
        elif w.box[3] <= DASH_MAX_HEIGHT * median and w.box[2] >= DASH_MIN_ASPECT * w.box[3]:
            kept.append(replace(w, text="-"))
        else:
            marks.append(w)
    return kept, marks


# The words a received stamp's frame holds (found by cleanup, Page.quality["stamp_frames"]):
# its labels say what it is ("ĐẾN", "Ngày:", "Chuyển:"); a ruled box without them is print
# (a small table) and stays.
_RECEIVED_STAMP = re.compile(r"\bden\b|\bngay\b|chuyen")


def framed_stamp_words(words: list[Word], frames: list) -> tuple[list[Word], list[Word]]:
    """The page's words without those of its received stamps, and those words: the words
    wholly inside a frame (one that crosses its edge is print the stamp was put over)."""
    if not frames:
        return words, []

    def inside(w: Word) -> bool:
        x, y, width, height = w.box
        cy = y + height / 2
        return any(x0 <= x and x + width <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in frames)

    framed = [w for w in words if inside(w)]
    if not framed or not _RECEIVED_STAMP.search(_fold(" ".join(w.text for w in framed))):
        return words, []
    taken = {id(w) for w in framed}
    return [w for w in words if id(w) not in taken], framed


# A printed page number (Nghị định 30: Arabic numerals, top centre from the second page; some
# offices print it at the foot): a line of the page's top or bottom PAGE_NUMBER_BAND that holds
# only a number of 1-3 digits ("3", "- 2 -").  Real pages: 5 such lines (07, 09, 31 at the top,
# 11 and 26 at the foot), none of them print of the document's text.
PAGE_NUMBER_BAND = 0.08
_PAGE_NUMBER = re.compile(r"[-–(]?\s*\d{1,3}\s*[-–)]?")


def _page_number_words(words: list[Word], height: int) -> tuple[list[Word], list[Word]]:
    """The page's words without its page number, and the page number's words ([] if none)."""
    if not height:
        return words, []
    for line in _rows(words):
        top = min(w.box[1] for w in line)
        bottom = max(w.box[1] + w.box[3] for w in line)
        in_band = bottom < PAGE_NUMBER_BAND * height or top > (1 - PAGE_NUMBER_BAND) * height
        if in_band and _PAGE_NUMBER.fullmatch(" ".join(w.text for w in line)):
            taken = {id(w) for w in line}
            return [w for w in words if id(w) not in taken], line
    return words, []


# A word wholly within this share of a seal's radius from its centre is the seal's lettering
# (its ring and the body's name in the middle), not print under it: the signing title and
# the name around a seal reach at most its rim (real pages 11, 36, 07, 02).
SEAL_INNER = 0.8


def seal_words(words: list[Word], seals: list) -> tuple[list[Word], list[Word]]:
    """(words not of a seal, words inside one of ``seals``' circles: (x, y, radius) each)."""
    def inside(w: Word) -> bool:
        x, y, width, height = w.box
        return any(all((cx - a) ** 2 + (cy - b) ** 2 <= (SEAL_INNER * r) ** 2
                       for a in (x, x + width) for b in (y, y + height)) for cx, cy, r in seals)
    sealed = [w for w in words if inside(w)]
    return ([w for w in words if not inside(w)], sealed) if sealed else (words, [])


def _rows(words: list[Word]) -> list[list[Word]]:
    rows: dict[int, list[Word]] = {}
    for w in words:
        rows.setdefault(w.line, []).append(w)
    return [sorted(rows[k], key=lambda w: w.box[0]) for k in sorted(rows)]


def split_row(words: list[Word], gap_px: float) -> list[Segment]:
    """One OCR row cut into column segments at gaps wider than ``gap_px``."""
    segments: list[Segment] = []
    for w in words:
        if segments:
            prev = segments[-1].words[-1]
            if w.box[0] - (prev.box[0] + prev.box[2]) <= gap_px:
                segments[-1].words.append(w)
                continue
        segments.append(Segment([w]))
    return segments


def _split_at_motto(seg: Segment) -> list[Segment]:
    """A header segment that runs the left block into the motto ("UBND … CỘNG HÒA …"), cut in two."""
    for k in range(1, len(seg.words)):
        pair = _fold(" ".join(w.text for w in seg.words[k:k + 2]))
        if re.match(r"^(?:cong\s*ho|doc\s*lap)", pair):
            return [Segment(seg.words[:k]), Segment(seg.words[k:])]
    return [seg]


def layout_page(page: Page) -> Page:
    """The page with its regions found and its text re-ordered column by column.

    Pure: a new Page whose words are re-numbered to the new lines (provenance keeps
    pointing at the right boxes) and whose ``regions`` list the layout in reading order.
    """
    if page.source != "ocr" or not page.words or not page.width:
        return page
    dpi = page.dpi or 300
    gap = COLUMN_GAP_IN * dpi
    page_words, rule_marks = _dashes_and_marks(page.words)
    page_words, framed = framed_stamp_words(page_words, page.quality.get("stamp_frames") or [])
    page_words, page_number = _page_number_words(page_words, page.height)
    page_words, sealed = seal_words(page_words, page.quality.get("seals") or [])
    rows = [split_row(r, gap) for r in _rows(page_words)]
    rows[:12] = [[part for seg in row for part in _split_at_motto(seg)] for row in rows[:12]]
    width = page.width

    def is_right(seg: Segment) -> bool:
        x0, _, x1, _ = seg.box
        return x0 > width * RIGHT_COLUMN

    # Stamps: rows or segments in the signing software's words, anywhere on the page.
    stamp_segs: list[Segment] = [Segment(line) for line in _rows(framed)]
    kept_rows: list[list[Segment]] = []
    for row in rows:
        keep = []
        for seg in row:
            if _STAMP.search(_fold(seg.text)):
                stamp_segs.append(seg)
            else:
                keep.append(seg)
        if keep:
            kept_rows.append(keep)
    rows = kept_rows
    note_segs = _note_beside_subject(rows, width, dpi, is_right)

    # The header: from the motto row (or the first row) down to the last row before a
    # segment that spans the column gap (the title, "Kính gửi", the body).
    motto_at = next((i for i, row in enumerate(rows[:12]) if any(_MOTTO.search(_fold(s.text)) for s in row)), None)
    header_end = 0
    if motto_at is not None:
        # Rows above the motto row that sit entirely in the right half are stamps; one that
        # names a body is a stamp only under another stamp line (an e-copy's "SAO Y / Ủy ban
        # nhân dân thành phố …", an e-signature's "Ký bởi: / Sở …").
        for i in range(motto_at):
            if rows[i] and all(is_right(s) for s in rows[i]) and (
                    not any(_has_agency(s) for s in rows[i]) or any(_stacked_under(s, stamp_segs) for s in rows[i])):
                stamp_segs.extend(rows[i])
                rows[i] = []
        header_end = motto_at
        for i in range(motto_at, min(len(rows), motto_at + 12)):
            row = rows[i]
            if not row:
                continue
            if any(_spans(s, width) for s in row) and not any(_MOTTO.search(_fold(s.text)) for s in row):
                break
            if _KINH_GUI.match(_fold(row[0].text)):
                break  # "Kính gửi:" opens the letter even when it stands left of the middle
            header_end = i + 1
    # The footer: from the "Nơi nhận" row (or a signing title row just above it) down.
    footer_at = None
    for i in range(len(rows) - 1, header_end - 1, -1):
        if rows[i] and any(_RECIPIENTS.match(_fold(s.text)) and not is_right(s) and not _spans(s, width)
                           and s.box[2] < width * 0.6 for s in rows[i]):
            footer_at = i
            break
    if footer_at is None:
        # No "Nơi nhận" read: the signing title alone in the right column of the lower half.
        for i in range(max(header_end, len(rows) // 3), len(rows)):
            if rows[i] and any(is_right(s) and _SIGNING_TITLE.match(_fold(s.text).strip(" .,")) for s in rows[i]) \
                    and not any(_spans(s, width) for s in rows[i]):
                footer_at = i
                break
    if footer_at is not None:
        while (footer_at - 1 > header_end and rows[footer_at - 1]
               and all(is_right(s) for s in rows[footer_at - 1])):
            footer_at -= 1  # "TL. CHỦ TỊCH" a row above "Nơi nhận:"
    else:
        footer_at = len(rows)

    # The title (tên loại + trích yếu: "QUYẾT ĐỊNH / Về việc …"): the centred rows right under
    # the header, before "Kính gửi" or the first body row that starts at a margin.
    title_end = header_end
    body_rows = [s for row in rows[header_end:footer_at] for s in row]
    if body_rows:
        xs0 = sorted(s.box[0] for s in body_rows)
        xs1 = sorted(s.box[2] for s in body_rows)
        left, right = xs0[len(xs0) // 10], xs1[-1 - len(xs1) // 10]
        for i in range(header_end, min(footer_at, header_end + 8)):
            row = rows[i]
            if not row:
                continue
            x0, x1 = min(s.box[0] for s in row), max(s.box[2] for s in row)
            gap_l, gap_r = x0 - left, right - x1
            # (within 0.04 of the width of the body's middle: page 10's "CHỈ THỊ" stands 0.03 right of it)
            centred = gap_l > 0.02 * width and gap_r > 0.02 * width and abs(gap_l - gap_r) < 0.08 * width
            if not centred or _KINH_GUI.match(_fold(row[0].text)):
                break
            title_end = i + 1
    # The header's right block starts where the motto does (it may stand left of the middle
    # when the issuing body's name is long: "CÔNG AN TP ĐÀ NẴNG | CỘNG HÒA …").
    motto_x = [s.box[0] for row in rows[:header_end] for s in row if _MOTTO.match(_fold(s.text))]
    right_from = width * RIGHT_COLUMN
    if motto_x:
        right_from = min(min(motto_x) - 0.02 * width, right_from)
    # Assign segments to regions.
    groups: dict[str, list[Segment]] = {k: [] for k in (
        "header_left", "header_right", "title", "body", "recipients", "signature")}
    for i, row in enumerate(rows):
        for seg in row:
            if i < header_end:
                groups["header_right" if seg.box[0] >= right_from else "header_left"].append(seg)
            elif i >= footer_at:
                groups["signature" if is_right(seg) else "recipients"].append(seg)
            elif i < title_end:
                groups["title"].append(seg)
            else:
                groups["body"].append(seg)
    noise = [s for k in ("signature", "recipients", "body") for s in groups[k]
             if _is_noise(s, page) or (k != "body" and _is_footer_noise(s))]
    for k in groups:
        groups[k] = [s for s in groups[k] if not any(s is n for n in noise)]
    groups["body"], margin_marks = trim_margins(groups["body"], width)
    noise.extend(margin_marks)

    regions: list[Region] = []
    lines: list[str] = []
    words: list[Word] = []
    order = ("header_left", "header_right", "title", "body", "recipients", "signature")
    for kind in order:
        segs = groups[kind]
        if not segs:
            continue
        # Body segments of one row are joined back (a row of the body is one line of text).
        if kind in ("title", "body"):
            line_groups = _join_rows(segs)
        else:
            line_groups = [[s] for s in sorted(segs, key=lambda s: (s.box[1] + s.box[3]) / 2)]
            line_groups = _merge_same_row(line_groups)
        for sub_kind, groups_of in _subregions(kind, line_groups):
            first = len(lines)
            for g in groups_of:
                line_words = [w for s in g for w in s.words]
                lines.append(" ".join(w.text for w in line_words))
                words.extend(replace(w, line=len(lines) - 1) for w in line_words)
            regions.append(replace(_region(sub_kind, [s for g in groups_of for s in g]), lines=(first, len(lines))))
    for group in _stack(stamp_segs):
        regions.append(_region("stamp", group))
    if note_segs:
        regions.append(_region("note", note_segs))
    for seg in noise:
        regions.append(_region("noise", [seg]))
    for w in rule_marks:
        regions.append(_region("noise", [Segment([w])]))
    if page_number:
        regions.append(_region("page_number", [Segment(page_number)]))
    if sealed:
        regions.append(_region("seal", [Segment(line) for line in _rows(sealed)]))
    return replace(page, text="\n".join(lines), words=words, regions=regions)


# A note typed or written in by the receiving office (the routing of a công văn: "1. Cô X gửi
# văn bản đến …", "Chuyển phòng …") sits in the free space right of the "V/v …" block, under
# the date line; Tesseract reads its lines into the subject's rows ("V/v bảo đảm … SV 1. Cô
# Hương gửi …").  Its lines share one left edge: at least NOTE_MIN_ROWS rows with a word
# starting within NOTE_EDGE_IN of it, right of NOTE_FROM of the page width.  Real pages: one
# such note (page 26, 7 rows at x = 1113-1114 px of 2488); no other page has 3 aligned rows
# there.
NOTE_MIN_ROWS = 3
NOTE_EDGE_IN = 0.03
NOTE_FROM = 0.4
# A công văn's subject line "V/v …" (về việc), folded, also as a crop's OCR reads it
# ("VW", "V/V", "Viv", "V/w"); the match ends after an optional colon.
SUBJECT_LINE = re.compile(r"^v\s*(?:[/|\\il1]\s*[vw]|w)\b\s*:?\s*")


def _note_beside_subject(rows: list[list[Segment]], width: int, dpi: int, is_right) -> list[Segment]:
    """Take an annotation block out of the rows of a công văn's "V/v …" subject (in place).

    Returns one segment per row of the note; the rows keep the subject's words, so the
    subject block stays in the header's left column as on a page without the note.
    """
    date_at = next((i for i, row in enumerate(rows[:14]) for s in row
                    if is_right(s) and _DATE_LINE.search(_fold(s.text))), None)
    if date_at is None:
        return []
    subject_at = next((i for i in range(max(0, date_at - 1), min(len(rows), date_at + 4))
                       if rows[i] and SUBJECT_LINE.match(_fold(rows[i][0].text))
                       and rows[i][0].box[0] < width * 0.35), None)
    if subject_at is None:
        return []
    block = []  # from the subject or the row after the date line, whichever comes first
    start = min(subject_at, date_at + 1)
    for i in range(start, min(len(rows), start + 12)):
        if rows[i] and _KINH_GUI.match(_fold(rows[i][0].text)):
            break
        block.append(i)
    # Candidate left edges: words right of NOTE_FROM that start a row or follow a wide space.
    space = 0.04 * dpi
    starts: list[tuple[int, int]] = []  # (x0, row index)
    for i in block:
        words = [w for s in rows[i] for w in s.words]
        for k, w in enumerate(words):
            prev_end = words[k - 1].box[0] + words[k - 1].box[2] if k else None
            if w.box[0] > width * NOTE_FROM and (prev_end is None or w.box[0] - prev_end >= space):
                starts.append((w.box[0], i))
    tol = NOTE_EDGE_IN * dpi
    best: tuple[int, float] = (0, 0.0)
    for x, _ in starts:
        n = len({i for x2, i in starts if abs(x2 - x) <= tol})
        if n > best[0]:
            best = (n, x)
    if best[0] < NOTE_MIN_ROWS:
        return []
    edge = best[1]
    notes: list[Segment] = []
    for i in block:
        words = [w for s in rows[i] for w in s.words]
        if any(w.box[0] < edge - tol and w.box[0] + w.box[2] > edge + tol for w in words):
            break  # a line runs across the edge: the body has begun
        left = [w for w in words if w.box[0] < edge - tol]
        right = [w for w in words if w.box[0] >= edge - tol]
        if right:
            notes.append(Segment(right))
            rows[i] = split_row(left, COLUMN_GAP_IN * dpi) if left else []
    return notes


def _stack(segs: list[Segment]) -> list[list[Segment]]:
    """Segments stacked one under another (the lines of one stamp) grouped, top to bottom."""
    groups: list[list[Segment]] = []
    for seg in sorted(segs, key=lambda s: s.box[1]):
        x0, y0, x1, _ = seg.box
        for g in groups:
            gx0, _, gx1, gy1 = _region("stamp", g).box
            height = max(s.box[3] - s.box[1] for s in g)
            if min(x1, gx1) > max(x0, gx0) and y0 - gy1 < 1.5 * height:
                g.append(seg)
                break
        else:
            groups.append([seg])
    return groups


def _stacked_under(seg: Segment, stamps: list[Segment]) -> bool:
    """True when ``seg`` stands right under a stamp line, overlapping it across."""
    x0, y0, x1, y1 = seg.box
    return any(min(x1, s.box[2]) > max(x0, s.box[0]) and 0 <= y0 - s.box[3] < 1.5 * (y1 - y0) for s in stamps)


def _has_agency(seg: Segment) -> bool:
    return bool(re.match(r"^(?:uy ban|ubnd|so |bo |truong|cong an|phong)", _fold(seg.text)))


# Nghị định 30 sets the left margin at 30-35 mm and the right at 15-20 mm of a 210-mm page, so
# the text block (and a title centred on it) stands right of the page's middle by about
# TEXT_CENTRE_SHIFT of the width (page 10's "CHỈ THỊ": 0.072 right of the middle, 0.036 of the
# text block's).
TEXT_CENTRE_SHIFT = 0.036
CENTRED_WITHIN = 0.06


def _spans(seg: Segment, width: int) -> bool:
    """True for a segment that crosses the page's middle or is centred on the text block (a title
    or body row)."""
    x0, _, x1, _ = seg.box
    centre = width * (0.5 + TEXT_CENTRE_SHIFT)
    return (x0 < width * RIGHT_COLUMN and x1 > width * 0.55) or abs((x0 + x1) / 2 - centre) < CENTRED_WITHIN * width


def _is_noise(seg: Segment, page: Page) -> bool:
    """Seal text, pen strokes and scanner-edge specks: low confidence, few letters."""
    text = seg.text
    letters = sum(c.isalpha() for c in text)
    x0, y0, x1, y1 = seg.box
    at_edge = x0 < page.width * 0.03 or x1 > page.width * 0.97 or y1 > page.height * 0.985
    if at_edge and seg.conf < 60:
        return True
    return seg.conf < 35 and letters <= 6


# Pen ticks, punch holes and scanner-edge specks in a side margin ride on a body row
# ("… phòng Đào tạo trình Ban ( 7", "ộ > ® phái Tin lành …"): print never stands outside
# the body's column, so a word at a row's end wholly outside it by more than MARGIN_SLACK of
# the page width, that is not a sure word (a run of two letters or digits read at
# MARGIN_WORD_CONF or more), is noise.  The column comes from sure words only (the 10th
# percentile of the rows' first and the 90th of their last), so marks on many rows do not
# widen it.  Real pages: 9 such words on 3 pages, all junk; no transcribed word is cut.
MARGIN_SLACK = 0.01
MARGIN_WORD_CONF = 60
MARGIN_MIN_ROWS = 5


def _sure_word(w: Word) -> bool:
    return w.conf >= MARGIN_WORD_CONF and re.search(r"[^\W_]{2}", w.text) is not None


def body_column(segs: list[Segment]) -> tuple[int, int] | None:
    """Left and right edges of the body's print, from its sure words; None for fewer than
    MARGIN_MIN_ROWS rows."""
    rows: dict[int, list[Word]] = {}
    for seg in segs:
        for w in seg.words:
            if _sure_word(w):
                rows.setdefault(w.line, []).append(w)
    if len(rows) < MARGIN_MIN_ROWS:
        return None
    starts = sorted(min(w.box[0] for w in ws) for ws in rows.values())
    ends = sorted(max(w.box[0] + w.box[2] for w in ws) for ws in rows.values())
    return starts[len(starts) // 10], ends[-1 - len(ends) // 10]


def trim_margins(segs: list[Segment], width: int) -> tuple[list[Segment], list[Segment]]:
    """Body segments without the marks in the side margins at their ends, and those marks
    (one segment per row they were cut from)."""
    column = body_column(segs)
    if column is None:
        return segs, []
    left, right = column[0] - MARGIN_SLACK * width, column[1] + MARGIN_SLACK * width
    kept: list[Segment] = []
    marks: list[Segment] = []
    for seg in segs:
        words = list(seg.words)
        cut: list[Word] = []
        while words and words[0].box[0] + words[0].box[2] < left and not _sure_word(words[0]):
            cut.append(words.pop(0))
        while words and words[-1].box[0] > right and not _sure_word(words[-1]):
            cut.append(words.pop())
        if cut:
            marks.append(Segment(sorted(cut, key=lambda w: w.box[0])))
        if words:
            kept.append(Segment(words) if cut else seg)
    return kept, marks


# Below the body a row with no word of three letters is print only when Tesseract is fairly
# sure of it ("- Sở Y tế;", a page number): seal lettering and pen strokes read as "Si A7",
# "& ` VÀ, MÀ", "—W_", "v2," at 36-69 (real pages: 11 such rows, no proofread line among them;
# mean line CER of the stored text 0.0276 -> 0.0235).
FOOTER_SHORT_ROW_CONF = 75


def _is_footer_noise(seg: Segment) -> bool:
    """A row of the footer ("Nơi nhận:" list, signature block) that is seal or pen, not print."""
    text = seg.text
    if re.search(r"[^\W\d_]{3}", text):
        return False
    letters = sum(c.isalpha() for c in text)
    has_digit = any(c.isdigit() for c in text)
    return seg.conf < FOOTER_SHORT_ROW_CONF or (letters < 2 and not has_digit)


def _join_rows(segs: list[Segment]) -> list[list[Segment]]:
    rows: list[list[Segment]] = []
    for seg in segs:
        line = seg.words[0].line
        if rows and rows[-1][0].words[0].line == line:
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return rows


def _merge_same_row(groups: list[list[Segment]]) -> list[list[Segment]]:
    """Segments of one column that Tesseract split but that sit on one row, left to right."""
    out: list[list[Segment]] = []
    for g in groups:
        if out:
            prev = out[-1]
            py0, py1 = min(s.box[1] for s in prev), max(s.box[3] for s in prev)
            y0, y1 = g[0].box[1], g[0].box[3]
            overlap = min(py1, y1) - max(py0, y0)
            if overlap > 0.5 * min(py1 - py0, y1 - y0):
                out[-1] = sorted(prev + g, key=lambda s: s.box[0])
                continue
        out.append(g)
    return out


def _subregions(kind: str, line_groups: list[list[Segment]]):
    """The header blocks' number and date lines as regions of their own."""
    if kind not in ("header_left", "header_right"):
        return [(kind, line_groups)]
    out: list[tuple[str, list]] = []
    for g in line_groups:
        text = _fold(" ".join(s.text for s in g)).strip()
        sub = ("number_line" if kind == "header_left" and _NUMBER_LINE.match(text)
               else "date_line" if kind == "header_right" and _DATE_LINE.search(text) else kind)
        if out and out[-1][0] == sub and sub == kind:
            out[-1][1].append(g)
        else:
            out.append((sub, [g]))
    return out


def _region(kind: str, segs: list[Segment]) -> Region:
    words = [w for s in segs for w in s.words]
    x0 = min(w.box[0] for w in words)
    y0 = min(w.box[1] for w in words)
    x1 = max(w.box[0] + w.box[2] for w in words)
    y1 = max(w.box[1] + w.box[3] for w in words)
    confs = [w.conf for w in words if w.conf >= 0]
    text = "\n".join(s.text for s in segs)
    return Region(kind=kind, box=(x0, y0, x1, y1), text=text,
                  conf=round(sum(confs) / len(confs), 1) if confs else None)
