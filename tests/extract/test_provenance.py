"""Bounding boxes of extracted items on OCR'd pages (pipeline.extract.provenance)."""
from pathlib import Path

from pipeline.document import Document, Page, Word
from pipeline.extract import extract_text
from pipeline.extract.provenance import attach_boxes


def _page(number, lines, y0=100):
    """An OCR'd page: each word 20 px per character wide, lines 50 px apart."""
    words = []
    for i, line in enumerate(lines):
        x = 100
        for w in line.split(" "):
            words.append(Word(w, 95.0, (x, y0 + 50 * i, 20 * len(w), 40), i))
            x += 20 * len(w) + 20
    return Page(number=number, text="\n".join(lines), source="ocr", words=words, width=2480, height=3508)


def test_boxes_cover_the_words_of_each_mention_on_the_right_page():
    p1 = _page(1, ["Thực hiện Kế hoạch số 69/KH-UBND ngày 22/3/2024 của UBND tỉnh",
                   "có 13 sản phẩm đạt OCOP 3 sao"])
    p2 = _page(2, ["Tổng kinh phí 446 triệu đồng"], y0=300)
    doc = Document(Path("x.pdf"), "", "pdf", [p1, p2])
    ex = attach_boxes(extract_text(doc.text), doc)
    ref = ex["doc_refs"][0]
    assert ref["page"] == 1
    # "Kế hoạch số 69/KH-UBND ngày 22/3/2024": words 3..8 of line 0
    x0 = 100 + 20 * len("Thực") + 20 + 20 * len("hiện") + 20
    assert ref["bbox"][0] == x0 and ref["bbox"][1] == 100 and ref["bbox"][3] == 140
    count = ex["counts"][0]
    assert count["page"] == 1 and count["bbox"][1] == 150
    money = ex["money"][0]
    assert money["page"] == 2 and money["bbox"][1] == 300
    assert money["bbox"][2] == 100 + 20 * len("Tổng kinh phí 446 triệu đồng")


def test_mention_over_two_lines_gets_the_union_box():
    p = _page(1, ["theo Kế hoạch số 165/KH-", "UBND ngày 02/8/2024 của tỉnh"])
    doc = Document(Path("x.pdf"), "", "pdf", [p])
    ref = attach_boxes(extract_text(doc.text), doc)["doc_refs"][0]
    assert ref["number"] == "165/KH-UBND"
    assert ref["bbox"][1] == 100 and ref["bbox"][3] == 190


def test_pages_without_words_get_no_box():
    doc = Document(Path("x.txt"), "", "text", [Page(1, "Tổng kinh phí 446 triệu đồng", "text")])
    ex = attach_boxes(extract_text(doc.text), doc)
    assert "bbox" not in ex["money"][0]
