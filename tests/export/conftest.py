"""Small generated scans for the archivist's outputs: a Vietnamese page drawn with PIL at 200 DPI
(so cleanup upscales it to 300 before OCR), saved as PNG and as a PDF, upright, turned a quarter
turn and skewed 2°; each read once by the product (real Tesseract) per test module."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.document import Document
from pipeline.restore.restorer import Restorer, RestorerOptions
from pipeline.run.process import Settings, finish_document, read_document

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
DPI = 200
SETTINGS = Settings(annex_tables=False)
LINES = (
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 12/TTr-SNV.",
    "Tổng kinh phí được giao là 446 triệu đồng, trong đó đã giải ngân 324 triệu đồng.",
    "Các sản phẩm OCOP đạt 3 sao và 4 sao của huyện Bình Sơn được công nhận.",
    "Sở Nông nghiệp và Phát triển nông thôn chủ trì, phối hợp với các huyện.",
)
# More lines, so that the text covers a quarter of the page: a text layer over less is taken
# for an e-signature stamp by ingest, and the page OCR'd (a PDF vanban wrote must pass through).
LINES += tuple(f"{i}. {line}" for i, line in enumerate(LINES[3:] + LINES[1:2] + LINES[3:] + LINES[1:2], 1))
KNOWN_WORD = ("Giám", 2)  # a word (drawn once) and its line: where it lies is checked on every output


@dataclass
class Scan:
    """A generated scan file, where its known word was drawn, and what the product made of it."""

    path: Path
    size: tuple[int, int]  # pixels of the page as saved
    word_box: tuple[float, float, float, float]  # KNOWN_WORD on the saved page, pixels x0 y0 x1 y1
    doc: Document | None = None  # as read (OCR words)
    final: Document | None = None  # restored/mended: the store's text


def draw_page(turn: int = 0, skew: float = 0.0) -> tuple[Image.Image, tuple]:
    """An A4 page at 200 DPI and the box of :data:`KNOWN_WORD` on it; ``turn``: degrees the page
    is turned counter-clockwise (90: scanned sideways), ``skew``: a small counter-clockwise turn."""
    size = (round(8.27 * DPI), round(11.69 * DPI))
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, round(13 * DPI / 72))
    box = None
    for i, line in enumerate(LINES):
        x, y = 1.0 * DPI, 1.2 * DPI + i * 0.33 * DPI
        draw.text((x, y), line, font=font, fill=0)
        if i == KNOWN_WORD[1]:
            before = line[:line.index(KNOWN_WORD[0])]
            x0 = x + draw.textlength(before, font=font)
            bx0, by0, bx1, by1 = draw.textbbox((x0, y), KNOWN_WORD[0], font=font)
            box = (bx0, by0, bx1, by1)
    if skew:
        page = page.rotate(skew, resample=Image.BICUBIC, fillcolor=255)  # about the centre, same size
        box = _turned_box(box, skew, size[0] / 2, size[1] / 2)
    if turn:
        page = page.rotate(turn, expand=True, fillcolor=255)
        w, h = size
        x0, y0, x1, y1 = box
        if turn == 90:  # counter-clockwise: (x, y) -> (y, W - x)
            box = (y0, w - x1, y1, w - x0)
        elif turn == 270:
            box = (h - y1, x0, h - y0, x1)
    return page, box


def _turned_box(box, angle, cx, cy):
    a = math.radians(angle)
    pts = []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])):
        dx, dy = x - cx, y - cy  # PIL turns counter-clockwise on screen (y down)
        pts.append((cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a)))
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def make_scan(folder: Path, name: str, turn: int = 0, skew: float = 0.0, read: bool = True) -> Scan:
    page, box = draw_page(turn, skew)
    path = folder / name
    if path.suffix == ".pdf":
        page.save(path, "PDF", resolution=DPI)
    else:
        page.save(path, dpi=(DPI, DPI))
    scan = Scan(path, page.size, box)
    if read:
        scan.doc = read_document(path, SETTINGS)
        scan.final, _ = finish_document(scan.doc, Restorer(RestorerOptions.find()), SETTINGS)
    return scan


@pytest.fixture(scope="package")
def scans(tmp_path_factory) -> dict[str, Scan]:
    """Every generated scan of the package, read once: ``png``, ``pdf`` (upright), ``turned``
    (PNG scanned a quarter turn counter-clockwise), ``turned_pdf``, ``skewed`` (PNG, 2°)."""
    from tests.conftest import _has_tesseract_vie

    if not _has_tesseract_vie():
        pytest.skip("tesseract with 'vie' not installed")
    folder = tmp_path_factory.mktemp("export-scans")
    return {
        "png": make_scan(folder, "upright.png"),
        "pdf": make_scan(folder, "upright.pdf"),
        "turned": make_scan(folder, "turned.png", turn=90),
        "turned_pdf": make_scan(folder, "turned.pdf", turn=90),
        "skewed": make_scan(folder, "skewed.png", skew=2.0),
    }


def overlap(a, b) -> float:
    """Intersection over the smaller box's area (boxes x0 y0 x1 y1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller
