"""Words on the original page: cleanup's turn, deskew and upscale undone; the final text laid on them."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.document import Page, Region, Word
from pipeline.export.words import Frame, final_words, out_page
from pipeline.image.cleanup import _rotate
from pipeline.image.orientation import rotate_quarter
from tests.export.conftest import KNOWN_WORD, overlap


def _cleaned(rotation: int, skew: float, scale: float, size=(300, 400)):
    """A marker on an original raster, put through cleanup's own turn, deskew and upscale:
    (the marker's centre on the cleaned page, a Page with the cleaned size and notes)."""
    w, h = size
    img = np.zeros((h, w), np.uint8)
    img[100:104, 50:54] = 255  # centre (52, 102) in edge coordinates
    up = rotate_quarter(img, rotation)
    notes = {"rotation": rotation}
    if skew:
        turned = _rotate(up, skew, 0, interpolation=cv2.INTER_LINEAR, expand=True)
        notes.update(skew_deg=skew, deskew_offset=[round((turned.shape[1] - up.shape[1]) / 2, 1),
                                                   round((turned.shape[0] - up.shape[0]) / 2, 1)])
        up = turned
    if scale != 1:
        up = cv2.resize(up, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        notes["scale"] = scale
    ys, xs = np.nonzero(up > 60)
    page = Page(1, "", "ocr", width=up.shape[1], height=up.shape[0], quality=notes)
    return (xs.mean() + 0.5, ys.mean() + 0.5), page


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [0.0, 2.5, -3.0])
@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_frame_maps_a_point_of_the_cleaned_page_back_onto_the_scan(rotation, skew, scale):
    (cx, cy), page = _cleaned(rotation, skew, scale)
    frame = Frame.of(page)
    assert (frame.width, frame.height) == (300, 400)
    x, y = frame.point(cx, cy)
    assert abs(x - 52) <= 1.5 and abs(y - 102) <= 1.5
    # the text runs at the scan's own angle: a quarter turn counter-clockwise, less the deskew
    expected = (rotation - skew + 180) % 360 - 180
    assert abs((frame.text_angle - expected + 180) % 360 - 180) < 0.01


def test_final_words_take_the_stored_text_token_by_token():
    page = Page(1, "Tong kinh phi\nla 446 trieu", "ocr", words=[
        Word("Tong", 90, (0, 0, 40, 20), 0), Word("kinh", 91, (50, 0, 40, 20), 0),
        Word("phi", 92, (100, 0, 30, 20), 0), Word("la", 93, (0, 30, 20, 20), 1),
        Word("446", 94, (30, 30, 30, 20), 1), Word("trieu", 95, (70, 30, 50, 20), 1)])
    lines = final_words(page, "Tổng kinh phí\nlà 446 triệu")
    assert [[w.text for w in line] for line in lines] == [["Tổng", "kinh", "phí"], ["là", "446", "triệu"]]
    assert [w.box for w in lines[1]] == [w.box for w in page.words[3:]]


def test_final_words_align_a_line_whose_tokens_differ():
    page = Page(1, "Số: 23 /BC-UBND", "ocr", words=[
        Word("Số:", 90, (0, 0, 40, 20), 0), Word("2", 30, (50, 0, 10, 20), 0), Word("3", 30, (62, 0, 10, 20), 0),
        Word("/BC-UBND", 95, (80, 0, 90, 20), 0)])
    (line,) = final_words(page, "Số: 23 /BC-UBND")
    assert [w.text for w in line] == ["Số:", "23", "/BC-UBND"]
    assert line[1].box == (50, 0, 22, 20)  # the two words' joint box
    (line,) = final_words(page, "Số: 2 3 /BC-UBND ngày")
    assert " ".join(w.text for w in line) == "Số: 2 3 /BC-UBND ngày"  # every token kept, in order


def test_out_page_gives_one_block_per_region_in_text_order():
    words = [Word("ỦY", 90, (10, 10, 40, 20), 0), Word("BAN", 90, (60, 10, 40, 20), 0),
             Word("Kính", 80, (10, 100, 40, 20), 1), Word("gửi", 70, (60, 100, 40, 20), 1),
             Word("Nơi", 85, (10, 200, 40, 20), 2)]
    page = Page(1, "ỦY BAN\nKính gửi\nNơi", "ocr", words=words, width=600, height=800, dpi=300,
                quality={"source_dpi": 300},
                regions=[Region("header_left", (10, 10, 100, 30), lines=(0, 1)),
                         Region("stamp", (300, 0, 500, 40), "Ký bởi"),
                         Region("body", (10, 100, 100, 120), lines=(1, 2))])
    out = out_page(page)
    assert [b.kind for b in out.blocks] == ["header_left", "body", "text"]  # line 2: no region holds it
    assert out.text == page.text
    assert (out.width, out.height, out.dpi) == (600, 800, 300)


@pytest.mark.parametrize("name", ["png", "pdf", "turned", "skewed"])
def test_a_known_word_lands_where_it_was_drawn(scans, name):
    """The upright PNG is upscaled 1.5x by cleanup, the turned one also turned a quarter turn
    back, the skewed one deskewed: each word box still lies over the word on the scan."""
    scan = scans[name]
    page = next(p for p in scan.doc.pages if p.source == "ocr")
    out = out_page(page, scan.final.pages[0].text)
    scale = out.width / scan.size[0]  # the PDF is rasterised at 300 DPI, the PNG read at 200
    assert abs(out.height / scan.size[1] - scale) < 0.01
    word = next(w for b in out.blocks for line in b.lines for w in line.words if w.text == KNOWN_WORD[0])
    drawn = tuple(v * scale for v in scan.word_box)
    assert overlap(word.box, drawn) > 0.7, (word.box, drawn)
    assert out.quarter_turn == (90 if name == "turned" else 0)
