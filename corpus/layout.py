"""Render a :class:`corpus.compose.ComposedDocument` the way Decree 30/2020/NĐ-CP pages look.

A4, Times-like fonts (:func:`corpus.fonts.find_font`), margins 20/20/30/15 mm
(top/bottom/left/right). Page 1 opens with two header columns: on the left the
parent agency (upper case), the issuing agency (bold upper case), a short rule
and "Số: 779/QĐ-UBND" (and for a Công văn the "V/v …" subject); on the right
the national motto (bold), a rule and the italic "<place>, ngày … tháng … năm …".
Then the centred title (type word in bold upper case and its subject), or
"Kính gửi: …" for a Công văn, the body (13-14 pt, justified, first lines
indented), and at the end "Nơi nhận:" on the left and the signature block on
the right (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH, the signer's name in bold) under a
red, semi-transparent round stamp and a blue pen scribble. Pages from 2 on
carry their number centred in the top margin.

Ground truth of a page (``LayoutPage.text``), in reading order (the page number is no line
of it: vanban keeps it as a ``page_number`` region, as the real scans' transcriptions leave
it out):

1. (page 2+: the page number is drawn, not ground truth);
2. page 1: the left header block lines (agencies, "Số: …", "V/v …" lines),
   then the right header block lines (motto, "Độc lập - Tự do - Hạnh phúc",
   the place-date line);
3. page 1: the title lines ("BÁO CÁO", subject lines; "CHỦ TỊCH …" of a
   Quyết định) or the "Kính gửi: …" lines;
4. the body lines, as wrapped;
5. last page: the "Nơi nhận:" block lines, then the signature block lines
   (titles, then the name). The stamp's ring text is NOT ground truth.

This is the order Tesseract's automatic page segmentation (``--psm 3``)
reads such a page in: each header column and the two footer columns come out
as separate blocks, left before right (checked in tests/corpus/test_layout.py).
"""
from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw, ImageFont

from corpus.compose import ComposedDocument
from corpus.fonts import find_font, require_glyphs

__all__ = ["LayoutPage", "RenderedDocument", "render_document", "STAMP_RED", "A4_MM", "MARGINS_MM"]

A4_MM = (210.0, 297.0)
MARGINS_MM = (20.0, 20.0, 30.0, 15.0)  # top, bottom, left, right (Decree 30, appendix I)
STAMP_RED = (200, 30, 30)
PEN_BLUE = (35, 45, 150)
LINE_SPACING = 1.45   # in font sizes; below ~1.4 stacked marks (Ể) touch descenders above
PARAGRAPH_GAP_PT = 4.0
INDENT_MM = 12.7
# Header columns (mm from the left edge): the agency block sits partly in the wide
# left margin, as in real documents; the motto block ends at the right margin.
LEFT_COL_MM = (18.0, 92.0)
RIGHT_COL_MM = (96.0, 200.0)


@dataclass
class LayoutPage:
    """One rendered RGB page and its ground-truth text (lines joined by "\\n")."""

    image: Image.Image
    text: str
    dpi: int
    number: int
    stamp_box: tuple[int, int, int, int] | None = None   # pixel box of the red stamp

    @property
    def lines(self) -> list[str]:
        """Ground-truth lines of the page."""
        return self.text.split("\n") if self.text else []


@dataclass
class RenderedDocument:
    """Rendered pages, their joined truth text and the extraction anchored in it."""

    pages: list[LayoutPage]
    truth_text: str          # pages joined by "\n\f\n"
    extraction: dict


# ---------------------------------------------------------------- fonts and units

@functools.lru_cache(maxsize=64)
def _font(style: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_font(style)), size_px)


@dataclass
class _Units:
    dpi: int

    def mm(self, v: float) -> int:
        return round(v / 25.4 * self.dpi)

    def pt(self, v: float) -> int:
        return round(v / 72 * self.dpi)


# ---------------------------------------------------------------- pages being drawn

@dataclass
class _Page:
    image: Image.Image
    number: int
    # (text, block, offset in block, box) with box = (ink top, ink bottom, x) for lines of
    # the two-column zones (header, footer) whose order depends on the reading order.
    truth: list[tuple[str, str | None, int, tuple | None]] = field(default_factory=list)
    stamp_box: tuple[int, int, int, int] | None = None

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.image)


class _Writer:
    """Flows lines down A4 pages; records each drawn line as ground truth."""

    def __init__(self, dpi: int, body_pt: float):
        self.u = _Units(dpi)
        self.size = (self.u.mm(A4_MM[0]), self.u.mm(A4_MM[1]))
        top, bottom, left, right = (self.u.mm(m) for m in MARGINS_MM)
        self.top, self.bottom = top, self.size[1] - bottom
        self.left, self.right = left, self.size[0] - right
        self.body_pt = body_pt
        self.pages: list[_Page] = []
        self.y = 0.0
        self.new_page()

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def new_page(self) -> None:
        number = len(self.pages) + 1
        self.pages.append(_Page(Image.new("RGB", self.size, "white"), number))
        self.y = float(self.top)
        if number > 1:  # Decree 30: page numbers from page 2, centred in the top margin
            size = self.u.pt(13)
            y = self.u.mm(9)
            self.text_line(str(number), "regular", size, self.size[0] / 2, y, "center")

    def line_height(self, size_px: int) -> float:
        return size_px * LINE_SPACING

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` pixels still fit."""
        if self.y + height > self.bottom:
            self.new_page()

    def text_line(self, text: str, style: str, size_px: int, x: float, top: float,
                  align: str = "left", words_x: list[float] | None = None) -> None:
        """Draw one line with its box top at ``top``; ``words_x`` places words (justified)."""
        font = _font(style, size_px)
        baseline = top + size_px * LINE_SPACING * 0.76
        draw = self.page.draw
        if words_x is not None:
            for word, wx in zip(text.split(" "), words_x):
                draw.text((wx, baseline), word, font=font, fill=(0, 0, 0), anchor="ls")
            return
        width = font.getlength(text)
        x0 = {"left": x, "center": x - width / 2, "right": x - width}[align]
        draw.text((x0, baseline), text, font=font, fill=(0, 0, 0), anchor="ls")

    def rule(self, cx: float, y: float, width: float) -> None:
        """A thin horizontal rule (the line under the agency name and the motto)."""
        t = max(1, self.u.pt(0.6))
        self.page.draw.rectangle((cx - width / 2, y, cx + width / 2, y + t), fill=(0, 0, 0))


# ---------------------------------------------------------------- wrapping

def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float,
          first_indent: float = 0.0) -> list[tuple[str, int]]:
    """Greedy word wrap: (line text, offset of its first character in ``text``)."""
    words = text.split(" ")
    if any(not w for w in words):
        raise ValueError(f"text must have single spaces only: {text!r}")
    space = font.getlength(" ")
    lines: list[tuple[str, int]] = []
    start, offset, used, line_words = 0, 0, 0.0, []
    for word in words:
        w = font.getlength(word)
        limit = width - (first_indent if not lines else 0.0)
        if line_words and used + space + w > limit:
            lines.append((" ".join(line_words), start))
            start, used, line_words = offset, 0.0, []
        used = used + space + w if line_words else w
        line_words.append(word)
        offset += len(word) + 1
    if line_words:
        lines.append((" ".join(line_words), start))
    return lines


def _justified_x(line: str, font: ImageFont.FreeTypeFont, x0: float, width: float) -> list[float]:
    """Word positions that stretch ``line`` to ``width`` (căn đều hai lề)."""
    words = line.split(" ")
    widths = [font.getlength(w) for w in words]
    gap = (width - sum(widths)) / (len(words) - 1) if len(words) > 1 else 0.0
    gap = min(gap, font.getlength(" ") * 3)  # a nearly empty line stays readable
    xs, x = [], x0
    for w in widths:
        xs.append(x)
        x += w + gap
    return xs


# ---------------------------------------------------------------- blocks

def _column_block(w: _Writer, lines: list[tuple[str, str, float, str | None]],
                  col_mm: tuple[float, float], top: float) -> tuple[float, list[tuple]]:
    """Centred lines in a header column; returns the bottom y and truth entries.

    Each input line is (text, style, size_pt, block); texts wider than the
    column wrap. A ``"—rule"`` text draws the short rule instead of text.
    """
    x0, x1 = w.u.mm(col_mm[0]), w.u.mm(col_mm[1])
    cx, y, truth = (x0 + x1) / 2, top, []
    last_width = 0.0
    for text, style, pt, block in lines:
        size = w.u.pt(pt)
        if text == "—rule":
            w.rule(cx, y + w.u.pt(3), max(w.u.mm(15), last_width * 0.45))
            y += w.u.pt(8)
            continue
        if text == "—gap":
            y += size
            continue
        font = _font(style, size)
        for piece, offset in _wrap(text, font, x1 - x0):
            w.text_line(piece, style, size, cx, y, "center")
            truth.append((piece, block, offset, _ink_box(y, size, cx)))
            last_width = font.getlength(piece)
            y += w.line_height(size)
    return y, truth


def _header(w: _Writer, doc: ComposedDocument) -> None:
    """The two header columns of page 1; "Số:" and the date line share a baseline."""
    left = [(t, "bold" if b else "regular", 13, None) for t, b in doc.agency_lines]
    left.append(("—rule", "", 13, None))
    right = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", 12.5, None),
             ("Độc lập - Tự do - Hạnh phúc", "bold", 13.5, None), ("—rule", "", 13, None)]
    ly, ltruth = _column_block(w, left, LEFT_COL_MM, w.y)
    ry, rtruth = _column_block(w, right, RIGHT_COL_MM, w.y)
    row = max(ly, ry) + w.u.pt(4)
    ly, more_left = _column_block(w, [(f"Số: {doc.number}", "regular", 13, None)]
                                  + ([(doc.vv, "regular", 12, "vv")] if doc.vv else []),
                                  LEFT_COL_MM, row)
    ry, more_right = _column_block(w, [(doc.date_line, "italic", 13.5, "date_line")], RIGHT_COL_MM, row)
    w.page.truth += ltruth + more_left + rtruth + more_right
    w.y = max(ly, ry) + w.u.pt(14)


def _centered(w: _Writer, text: str, style: str, pt: float, block: str | None = None,
              width_mm: float = 150.0) -> None:
    size = w.u.pt(pt)
    font = _font(style, size)
    cx = (w.left + w.right) / 2
    for piece, offset in _wrap(text, font, w.u.mm(width_mm)):
        w.ensure(w.line_height(size))
        w.text_line(piece, style, size, cx, w.y, "center")
        w.page.truth.append((piece, block, offset, None))
        y_last = w.y
        w.y += w.line_height(size)
    return y_last


def _title(w: _Writer, doc: ComposedDocument) -> None:
    """Type word and subject, centred; a Quyết định adds its authority line."""
    if doc.title is not None:
        _centered(w, doc.doc_type.upper(), "bold", 14)
        last = _centered(w, doc.title, "bold", 14, "title", width_mm=140)
        w.rule((w.left + w.right) / 2, last + w.u.pt(14 * LINE_SPACING) + w.u.pt(3), w.u.mm(35))
        w.y += w.u.pt(12)
    if doc.authority:
        _centered(w, doc.authority, "bold", 13.5)
        w.y += w.u.pt(6)
    if doc.kinh_gui:
        _kinh_gui(w, doc.kinh_gui)


def _kinh_gui(w: _Writer, recipients: list[str]) -> None:
    """"Kính gửi: X" centred, or a list whose items align under the first one."""
    size = w.u.pt(14)
    font = _font("regular", size)
    if len(recipients) == 1:
        _centered(w, f"Kính gửi: {recipients[0]}", "regular", 14)
    else:
        label = "Kính gửi: "
        x = w.left + w.u.mm(25)
        item_x = x + font.getlength(label)
        for i, item in enumerate(recipients):
            text = (label + item) if i == 0 else item
            w.text_line(text, "regular", size, x if i == 0 else item_x, w.y)
            w.page.truth.append((text, None, 0, None))
            w.y += w.line_height(size)
    w.y += w.u.pt(8)


_STYLES = {  # paragraph style -> (font style, alignment, first-line indent?)
    "body": ("regular", "justify", True), "item": ("regular", "justify", True),
    "italic": ("italic", "justify", True), "heading": ("bold", "left", True),
    "subheading": ("bold", "left", True), "center": ("bold", "center", False),
}


def _body(w: _Writer, doc: ComposedDocument, footer_h: float) -> None:
    """Body paragraphs; the last one keeps with the footer (no signature-only page)."""
    size = w.u.pt(w.body_pt)
    line_h = w.line_height(size)
    width = w.right - w.left
    indent = w.u.mm(INDENT_MM)
    for i, para in enumerate(doc.paragraphs):
        style, align, indented = _STYLES[para.style]
        font = _font(style, size)
        first = indent if indented else 0
        pieces = _wrap(para.text, font, width, first)
        if i == len(doc.paragraphs) - 1:
            w.ensure(len(pieces) * line_h + footer_h)
        for k, (piece, offset) in enumerate(pieces):
            w.ensure(line_h)
            x0 = w.left + (first if k == 0 else 0)
            if align == "justify" and k < len(pieces) - 1:
                w.text_line(piece, style, size, x0, w.y,
                            words_x=_justified_x(piece, font, x0, w.right - x0))
            elif align == "center":
                w.text_line(piece, style, size, (w.left + w.right) / 2, w.y, "center")
            else:
                w.text_line(piece, style, size, x0, w.y)
            w.page.truth.append((piece, f"body:{i}", offset, None))
            w.y += line_h
        w.y += w.u.pt(PARAGRAPH_GAP_PT)


# ---------------------------------------------------------------- footer, stamp, signature

def _footer_height(w: _Writer, doc: ComposedDocument, sig_gap: float) -> float:
    u = w.u
    nn_h = u.pt(12) * 1.35 + len(doc.noi_nhan) * u.pt(11) * 1.35
    sig_h = (len(doc.signature) + 1) * w.line_height(u.pt(13.5)) + sig_gap
    return max(nn_h, sig_h) + u.mm(2) + u.pt(6)


def _footer(w: _Writer, doc: ComposedDocument, rng: random.Random, stamp: bool, pen: bool,
            sig_gap: float) -> None:
    """"Nơi nhận:" on the left and the signature block on the right, kept on one page."""
    u = w.u
    nn_head, nn_item = u.pt(12), u.pt(11)
    sig_size = u.pt(13.5)
    nn_h = nn_head * 1.35 + len(doc.noi_nhan) * nn_item * 1.35
    w.ensure(_footer_height(w, doc, sig_gap))
    w.y += u.pt(6)
    top = w.y
    # Nơi nhận: bold italic heading, 11 pt items.
    x = w.left - u.mm(5)
    w.text_line("Nơi nhận:", "bolditalic", nn_head, x, top)
    truth = [("Nơi nhận:", None, 0, _ink_box(top, nn_head, x))]
    y = top + nn_head * 1.35
    for item in doc.noi_nhan:
        w.text_line(item, "regular", nn_item, x, y - nn_item * 0.1)
        truth.append((item, None, 0, _ink_box(y - nn_item * 0.1, nn_item, x)))
        y += nn_item * 1.35
    # Signature block, centred in the right half.
    cx = u.mm(148)
    y = top
    for line in doc.signature:
        w.text_line(line, "bold", sig_size, cx, y, "center")
        truth.append((line, None, 0, _ink_box(y, sig_size, cx)))
        y += w.line_height(sig_size)
    titles_bottom = y
    name_top = y + sig_gap
    w.text_line(doc.signer, "bold", sig_size, cx, name_top, "center")
    truth.append((doc.signer, None, 0, _ink_box(name_top, sig_size, cx)))
    w.page.truth += truth
    mid = (titles_bottom + name_top) / 2
    if pen:
        _scribble(w.page.image, cx + u.mm(rng.uniform(-4, 8)), mid + u.mm(2), u, rng)
    if stamp:
        radius = u.mm(rng.uniform(17.5, 19.5))
        scx = cx - u.mm(rng.uniform(13, 20))
        scy = mid + u.mm(rng.uniform(-3, 1))
        _stamp(w.page.image, (scx, scy), radius, doc.issuer.stamp, u, rng)
        w.page.stamp_box = (round(scx - radius), round(scy - radius),
                            round(scx + radius), round(scy + radius))
    w.y = max(y + sig_gap + w.line_height(sig_size), top + nn_h)


def _multiply(page: Image.Image, mask: Image.Image, color: tuple[int, int, int]) -> None:
    """Lay ink of ``color`` with coverage ``mask`` (L) over ``page`` by multiplication.

    Multiplying (not pasting) keeps black text readable under the stamp, as real ink does.
    """
    tint = Image.new("RGB", page.size, color)
    ink = Image.composite(tint, Image.new("RGB", page.size, "white"), mask)
    page.paste(ImageChops.multiply(page, ink))


def _stamp(page: Image.Image, center: tuple[float, float], radius: int, text: str,
           u: _Units, rng: random.Random) -> None:
    """Round red seal: double ring, agency name around it, a star in the middle."""
    box = 2 * radius + 8
    mask = Image.new("L", (box, box), 0)
    draw = ImageDraw.Draw(mask)
    c = box / 2
    outer, inner = radius, radius * 0.66
    ring = max(2, u.pt(1.6))
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=255, width=ring)
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(1, ring // 2))
    _star(draw, c, c, inner * 0.45)
    _circle_text(mask, text, c, (outer + inner) / 2, (outer - inner) * 0.62)
    mask = mask.rotate(rng.uniform(-25, 25), resample=Image.BILINEAR)
    # Uneven inking: the seal never prints at full strength everywhere.
    strength = rng.uniform(0.72, 0.88)
    cells = box // 16 + 1  # PIL's effect_noise is not seedable, hence our own grid
    blotch = Image.frombytes("L", (cells, cells), bytes(
        max(0, min(255, int(rng.gauss(128, 60)))) for _ in range(cells * cells)))
    blotch = blotch.resize((box, box), Image.BILINEAR)
    mask = ImageChops.multiply(mask, blotch.point(lambda v: min(255, int(255 * strength + v * 0.25))))
    full = Image.new("L", page.size, 0)
    full.paste(mask, (round(center[0] - c), round(center[1] - c)))
    _multiply(page, full, STAMP_RED)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.4
        points.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(points, fill=255)


def _circle_text(mask: Image.Image, text: str, c: float, radius: float, height: float) -> None:
    """Upper-case text around a circle, reading clockwise, letters upright to the centre."""
    circumference = 2 * math.pi * radius
    size = max(8, int(height))
    natural = sum(_font("bold", size).getlength(ch) for ch in text)
    if natural > circumference * 0.95:  # shrink to fit the ring
        size = max(8, int(size * circumference * 0.95 / natural))
    font = _font("bold", size)
    widths = [font.getlength(ch) for ch in text]
    # Letters spread evenly over the whole ring, the text centred on the top.
    step = circumference / sum(widths)
    angle = -math.pi / 2 - math.pi
    for ch, wd in zip(text, widths):
        mid = angle + wd * step / 2 / radius
        angle += wd * step / radius
        if ch == " ":
            continue
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid) - 90, resample=Image.BILINEAR)
        x = c + radius * math.cos(mid) - size
        y = c + radius * math.sin(mid) - size
        mask.paste(ImageChops.lighter(mask.crop((round(x), round(y), round(x) + 2 * size,
                                                 round(y) + 2 * size)), glyph), (round(x), round(y)))


def _scribble(page: Image.Image, cx: float, cy: float, u: _Units, rng: random.Random) -> None:
    """A hand signature: a smooth random pen stroke with a loop and an underline."""
    n = rng.randint(5, 8)
    width, height = u.mm(rng.uniform(28, 40)), u.mm(rng.uniform(8, 13))
    pts = [(cx - width / 2 + width * k / (n - 1) + rng.uniform(-1, 1) * width / (3 * n),
            cy + rng.uniform(-0.5, 0.5) * height) for k in range(n)]
    curve = _catmull_rom(pts, 14)
    mask = Image.new("L", page.size, 0)
    draw = ImageDraw.Draw(mask)
    pen = max(2, u.pt(rng.uniform(1.0, 1.6)))
    draw.line(curve, fill=255, width=pen, joint="curve")
    tail = [(cx - width * 0.45, cy + height * 0.6), (cx + width * 0.5, cy + height * 0.4)]
    draw.line(tail, fill=220, width=max(1, pen - 1))
    _multiply(page, mask, PEN_BLUE)


def _catmull_rom(points: list[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    pts = [points[0]] + points + [points[-1]]
    out = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            out.append(tuple(0.5 * (2 * p1[d] + (-p0[d] + p2[d]) * t
                                    + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * t * t
                                    + (-p0[d] + 3 * p1[d] - 3 * p2[d] + p3[d]) * t ** 3)
                              for d in (0, 1)))
    out.append(points[-1])
    return out


# ---------------------------------------------------------------- truth assembly

def _ink_box(top: float, size_px: int, x: float) -> tuple[float, float, float]:
    """Vertical ink extent of a line drawn with box top ``top`` (marks above, descenders below)."""
    baseline = top + size_px * LINE_SPACING * 0.76
    return baseline - 0.9 * size_px, baseline + 0.22 * size_px, x


def _by_rows(entries: list[tuple]) -> list[tuple]:
    """Side-by-side lines merged row by row, left before right, as Tesseract reads them.

    Tesseract joins lines of the two header (or footer) columns that overlap
    vertically into one text line, so a row's left part comes first.
    """
    rows: list[list[tuple]] = []
    for e in sorted(entries, key=lambda e: (e[3][0] + e[3][1]) / 2):
        if rows:
            head = rows[-1][0][3]
            overlap = min(head[1], e[3][1]) - max(head[0], e[3][0])
            if overlap > 0.5 * min(head[1] - head[0], e[3][1] - e[3][0]):
                rows[-1].append(e)
                continue
        rows.append([e])
    return [e for row in rows for e in sorted(row, key=lambda e: e[3][2])]


def _ordered(truth: list[tuple], reading_order: str) -> list[tuple]:
    """Apply the reading order to each run of two-column lines."""
    if reading_order == "columns":
        return truth
    if reading_order != "rows":
        raise ValueError(f"reading_order must be 'rows' or 'columns', not {reading_order!r}")
    out, run = [], []
    for e in truth + [(None, None, 0, None)]:
        if e[3] is not None:
            run.append(e)
            continue
        out += _by_rows(run)
        run = []
        if e[0] is not None:
            out.append(e)
    return out


def _assemble(pages: list[_Page]) -> tuple[str, dict[str, list[tuple[int, int, int]]]]:
    """Truth text of all pages ("\\n\\f\\n" between pages) and where each block landed."""
    parts: list[str] = []
    placements: dict[str, list[tuple[int, int, int]]] = {}
    pos = 0
    for k, page in enumerate(pages):
        if k:
            parts.append("\n\f\n")
            pos += 3
        for j, (text, block, offset, _) in enumerate(page.truth):
            if j:
                parts.append("\n")
                pos += 1
            if block is not None:
                placements.setdefault(block, []).append((offset, pos, len(text)))
            parts.append(text)
            pos += len(text)
    return "".join(parts), placements


def _check_glyphs(doc: ComposedDocument) -> None:
    text = " ".join([doc.date_line, doc.title or "", doc.vv or "", doc.signer, doc.issuer.stamp]
                    + [p.text for p in doc.paragraphs] + doc.noi_nhan + doc.signature
                    + [t for t, _ in doc.agency_lines] + doc.kinh_gui)
    for style in ("regular", "bold", "italic", "bolditalic"):
        require_glyphs(find_font(style), text)


def render_document(doc: ComposedDocument, *, dpi: int = 300, seed: int = 0, stamp: bool = True,
                    pen: bool = True, body_pt: float | None = None,
                    reading_order: str = "rows") -> RenderedDocument:
    """Lay out ``doc`` on A4 RGB pages at ``dpi``; deterministic in (doc, dpi, seed, options).

    ``body_pt`` defaults to 13 or 14 pt, chosen by ``seed``. The returned
    extraction is ``doc.extraction_for`` this rendering: every item's ``line``
    and ``raw`` point into ``truth_text``.
    """
    _check_glyphs(doc)
    rng = random.Random(seed)
    w = _Writer(dpi, body_pt or rng.choice((13.0, 14.0)))
    _header(w, doc)
    _title(w, doc)
    sig_gap = w.u.mm(rng.uniform(24, 30))  # room for the hand signature
    _body(w, doc, _footer_height(w, doc, sig_gap))
    _footer(w, doc, rng, stamp, pen, sig_gap)
    for page in w.pages:
        page.truth = _ordered(page.truth, reading_order)
    truth_text, placements = _assemble(w.pages)
    pages = [LayoutPage(p.image, "\n".join(e[0] for e in p.truth), dpi, p.number, p.stamp_box)
             for p in w.pages]
    extraction = doc.extraction_for(placements, truth_text)
    return RenderedDocument(pages, truth_text, extraction)
