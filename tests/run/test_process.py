"""Per-page work of pipeline.run.process that needs a real raster and real Tesseract."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from corpus.fonts import find_font
from pipeline.document import Page, PageImage, Region, Word
from pipeline.ocr import handwriting as hw
from pipeline.options import OcrSettings
from pipeline.run import process
from pipeline.run.process import (_looks_like_name, _lost_digits, _possible, _reread_signer_name, read_fill_ins,
                                  write_fill_ins)

from tests.conftest import requires_tesseract_vie

NAME = "Phùng Thị Xuân Bình"


def _signature_page(first_reading: str) -> tuple[PageImage, Page]:
    """A signature block's last two lines drawn in black, a blue pen stroke across the name,
    and a Page whose words read the name line as ``first_reading`` (boxes from the drawing)."""
    img = Image.new("RGB", (1000, 260), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(find_font("bold")), 46)
    draw.text((150, 40), "CHỦ TỊCH", font=font, fill="black")
    x0, y0, x1, y1 = draw.textbbox((150, 150), NAME, font=font)
    draw.text((150, 150), NAME, font=font, fill="black")
    # The signature's stroke crosses the name (blue ink: read on the brightest channel it fades).
    draw.line([(120, 200), (330, 150), (560, 205)], fill=(40, 40, 190), width=5)
    readings = first_reading.split()
    step = (x1 - x0) // len(readings)
    words = [Word("CHỦ", 95.0, (150, 40, 120, 50), 0), Word("TỊCH", 95.0, (280, 40, 120, 50), 0)]
    words += [Word(t, 60.0, (x0 + i * step, y0, step - 10, y1 - y0), 1) for i, t in enumerate(readings)]
    page = Page(number=1, text=f"CHỦ TỊCH\n{first_reading}", source="ocr", words=words, width=1000,
                height=260, dpi=300, quality={"scale": 1.0},
                regions=[Region("signature", (100, 30, 950, 230), f"CHỦ TỊCH\n{first_reading}", 70.0, (0, 2))])
    return PageImage(1, np.asarray(img), 300), page


def test_looks_like_name():
    assert _looks_like_name([Word(t, 90, (0, 0, 1, 1), 0) for t in NAME.split()])
    assert not _looks_like_name([Word(t, 90, (0, 0, 1, 1), 0) for t in "phừững Ti Xuân Bình".split()[:1]])
    assert not _looks_like_name([Word(t, 90, (0, 0, 1, 1), 0) for t in "phừững Ti Xuân Bình".split()])
    assert not _looks_like_name([Word(t, 90, (0, 0, 1, 1), 0) for t in "Nơi nhận: - Như trên;".split()])


@requires_tesseract_vie
def test_signer_name_that_reads_as_no_name_is_read_again_alone():
    original, page = _signature_page("phừững Ti Xuân Bình")
    words = _reread_signer_name(original, page, OcrSettings())
    assert words is not None
    assert " ".join(w.text for w in words if w.line == 1) == NAME
    # The other lines are kept as they were.
    assert [w.text for w in words if w.line == 0] == ["CHỦ", "TỊCH"]


@requires_tesseract_vie
def test_signer_name_already_a_name_is_not_read_again():
    original, page = _signature_page("Phùng Thị Xuân Binh")
    assert _reread_signer_name(original, page, OcrSettings()) is None


def _line_page(kind: str, tokens: list[tuple[str, int, int]]) -> Page:
    """A one-line page whose words are (text, left, width) on line 0, the line a ``kind`` region."""
    words = [Word(t, 90.0, (x, 100, w, 40), 0) for t, x, w in tokens]
    text = " ".join(t for t, _, _ in tokens)
    return Page(number=1, text=text, source="ocr", words=words, width=2000, height=3000, dpi=300,
                regions=[Region(kind, (0, 90, 2000, 150), text, 90.0, (0, 1))])


def test_a_filled_in_number_is_joined_to_its_code():
    page = _line_page("number_line", [("Số:", 100, 80), ("#", 220, 60), ("/UBND-KTTH", 330, 260)])
    fill = Region("handwriting", (210, 95, 300, 145), "575", 0.99, role="number")
    out = write_fill_ins(page, [fill])
    assert out.text == "Số: 575/UBND-KTTH"
    assert len(out.words) == len(out.text.split())  # word confidences still line up with the text


def test_a_printed_or_unsure_number_is_joined_to_its_code_too():
    page = _line_page("number_line", [("Số:", 100, 80), ("660", 220, 90), ("/TB-UBND", 330, 220)])
    unsure = Region("handwriting", (210, 95, 300, 145), "860", 0.40, role="number")
    out = write_fill_ins(page, [unsure])
    assert out.text == "Số: 860/TB-UBND"  # the text says what the (unsure) number field says
    assert next(w for w in out.words if w.text.startswith("860")).conf == 40.0  # and how sure
    assert len(out.words) == len(out.text.split())
    assert write_fill_ins(page, []).text == "Số: 660/TB-UBND"  # printed digits, joined


def test_an_unsure_number_replaces_what_was_no_number_at_all():
    # Tesseract glued the printed "Số" to the pen's "11" ("Sô/tT", real page 08): the pen's
    # reading, unsure, is still better text than that; its word keeps its low confidence.
    page = _line_page("number_line", [("Sô/tT", 100, 150), ("/CT-UBND", 330, 220)])
    unsure = Region("handwriting", (190, 95, 300, 145), "11", 0.26, role="number")
    out = write_fill_ins(page, [unsure])
    assert out.text == "Số: 11/CT-UBND"
    assert len(out.words) == len(out.text.split())
    assert next(w for w in out.words if w.text.startswith("11")).conf == 26.0


def test_an_unsure_reading_beside_printed_digits_is_not_written():
    # The recogniser looked just above a printed day (generated heavy page): "ngày 3 13 tháng".
    page = _line_page("date_line", [("Quảng", 100, 150), ("Ngãi,", 260, 125), ("ngày", 402, 109),
                                    ("13", 528, 52), ("tháng", 596, 125), ("3", 736, 27), ("năm", 780, 93),
                                    ("2021", 888, 105)])
    unsure = Region("handwriting", (519, 60, 552, 99), "3", 0.5, role="day")
    assert write_fill_ins(page, [unsure]).text == "Quảng Ngãi, ngày 13 tháng 3 năm 2021"
    sure = Region("handwriting", (519, 60, 585, 99), "13", 0.95, role="day")
    assert write_fill_ins(page, [sure]).text == "Quảng Ngãi, ngày 13 tháng 3 năm 2021"


def test_the_number_lines_printed_so_is_kept_when_ink_touches_it():
    for garbled in ("“$ó:#f10", "Số„2/46", "Só:"):
        page = _line_page("number_line", [(garbled, 100, 240), ("/TB-QL", 350, 180), ("Đào", 545, 90),
                                          ("tạo", 650, 70)])
        fill = Region("handwriting", (215, 95, 340, 145), "2510", 0.95, role="number")
        assert write_fill_ins(page, [fill]).text == "Số: 2510/TB-QL Đào tạo", garbled


def test_a_day_glued_to_thang_is_written_before_it():
    # Tesseract glued the pen's "04" to "tháng": its word box starts at the ink.
    page = _line_page("date_line", [("Quảng", 100, 120), ("Ngãi,", 230, 110), ("ngày", 350, 100),
                                    ("04tháng", 470, 190), ("02", 670, 50), ("năm", 730, 90), ("2025", 830, 100)])
    fill = Region("handwriting", (465, 95, 525, 145), "04", 0.99, role="day")
    out = write_fill_ins(page, [fill])
    assert out.text == "Quảng Ngãi, ngày 04 tháng 02 năm 2025"
    assert len(out.words) == len(out.text.split())


def test_a_printed_word_the_ink_reaches_into_keeps_its_place():
    page = _line_page("date_line", [("Quảng", 100, 120), ("Ngãi,", 230, 110), ("ngày", 350, 100),
                                    ("3|", 470, 40), ("tháng", 530, 110), ("12", 650, 50), ("năm", 710, 90),
                                    ("2024", 810, 100)])
    fill = Region("handwriting", (430, 95, 515, 145), "31", 0.99, role="day")  # from the "y" of "ngày"
    assert write_fill_ins(page, [fill]).text == "Quảng Ngãi, ngày 31 tháng 12 năm 2024"


def test_a_date_glued_into_one_word_keeps_the_formulas_words():
    # "ngà¿2háng0„": Tesseract read "ngày", the pen's day, "tháng" and the pen's month as one word.
    page = _line_page("date_line", [("Hà", 100, 70), ("Nội,", 180, 90), ("ngà¿2háng0„", 300, 470),
                                    ("năm", 790, 80), ("2022", 880, 110)])
    fills = [Region("handwriting", (405, 95, 475, 145), "28", 0.99, role="day"),
             Region("handwriting", (610, 95, 675, 145), "02", 0.99, role="month")]
    out = write_fill_ins(page, fills)
    assert out.text == "Hà Nội, ngày 28 tháng 02 năm 2022"
    assert len(out.words) == len(out.text.split())


def test_a_reading_that_lost_digits_is_unsure():
    assert _lost_digits(4, "20") and _lost_digits(2, "2")
    assert not _lost_digits(2, "27") and not _lost_digits(1, "8") and not _lost_digits(3, "15")
    assert _possible("day", type("R", (), {"text": "31"})) and not _possible("day", type("R", (), {"text": "37188"}))
    assert not _possible("month", type("R", (), {"text": "13"})) and not _possible("month", None)


def test_number_blank_from_the_characters_when_the_reread_print_is_one_glued_word(monkeypatch):
    # The page's words hold no slash ("Số„2⁄46" "'TB-ĐHĐL"), the print read again on the
    # original holds it glued into one word: where that word's code starts is only a guess from
    # its length, so the line's characters place the blank's end (real page 35: the guess cut
    # "2116" to "21"; in the characters the printed "/" lies 41 px further right).
    page = _line_page("number_line", [("Số„2⁄46", 432, 204), ("'TB-ĐHĐL", 646, 252)])
    page.quality["scale"] = 1.0
    glued = "Só„24⁄4/TB-ĐHĐL"
    monkeypatch.setattr(process, "_print_words", lambda *a: [(glued, 432, 100, 468, 40)])
    xs = [432, 460, 488, 512, 542, 560, 604, 646, 662, 696, 732, 750, 788, 828, 868]
    symbols = [(c, x, 100, x + 24, 140) for c, x in zip(glued, xs)]
    monkeypatch.setattr(process, "_print_symbols", lambda *a: symbols)
    seen = []

    def read_digits(image, box, **kw):
        seen.append(box)

    monkeypatch.setattr(hw, "read_digits", read_digits)
    read_fill_ins(PageImage(1, np.full((300, 2000, 3), 255, np.uint8), 300), page)
    assert seen and seen[0][0] == 512 and 640 <= seen[0][2] < 646  # from after "„" to the "/"


def _signed_scan(path, with_stamp: bool = True, subtype: str = "/Stamp"):
    """A one-page scanned PDF (its text drawn in an image) whose signing software put an
    annotation over the header: text drawn by the annotation's appearance, not by the scan."""
    import pikepdf

    from corpus.generate import write_pdf

    img = Image.new("L", (2480, 1200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(find_font("bold")), 50)
    draw.text((900, 200), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font, fill=0)
    regular = ImageFont.truetype(str(find_font("regular")), 54)
    draw.text((300, 600), "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6;", font=regular, fill=0)
    write_pdf([img], path, 300)
    if with_stamp:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            page = pdf.pages[0]
            # page 595 x 288 pt: the header line sits at y ~ 48 pt from the top (~ 240 pt up)
            font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                        BaseFont=pikepdf.Name.Helvetica))
            appearance = pikepdf.Stream(pdf, b"BT /F1 16 Tf 4 8 Td (SIGNED BY TEST 05.02.2025) Tj ET")
            appearance.Type, appearance.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
            appearance.BBox = [0, 0, 300, 30]
            appearance.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
            annot = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(subtype), Rect=[250, 226, 550, 256], F=4,
                AP=pikepdf.Dictionary(N=appearance)))
            page.obj.Annots = pdf.make_indirect(pikepdf.Array([annot]))
            pdf.save(path)
    return path


def test_annotation_boxes_of_a_signed_scan(tmp_path):
    from pipeline.io.rasterize import pdf_overlay_boxes, render_pdf_area

    signed = _signed_scan(tmp_path / "signed.pdf")
    (box,) = pdf_overlay_boxes(signed, 1)
    assert box == (250.0, 288 - 256, 550.0, 288 - 226)  # points from the top left
    area = render_pdf_area(signed, 1, box, 300)
    assert area.shape == (125, 1250) and area.min() < 100  # the stamp's text, drawn
    assert pdf_overlay_boxes(_signed_scan(tmp_path / "plain.pdf", with_stamp=False), 1) == []
    # a reader's highlight only marks the scan's own text: no overlay to read apart
    assert pdf_overlay_boxes(_signed_scan(tmp_path / "marked.pdf", subtype="/Highlight"), 1) == []


@requires_tesseract_vie
def test_a_signed_scan_is_read_without_its_overlay_and_the_overlay_as_a_stamp(tmp_path):
    from pipeline.run.process import Settings, read_page

    page = read_page(_signed_scan(tmp_path / "signed.pdf"), "pdf", 1, Settings(annex_tables=False))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page.text and "SIGNED" not in page.text
    stamps = [r.text for r in page.regions if r.kind == "stamp"]
    assert any("SIGNED BY TEST" in s for s in stamps), stamps


def test_the_stored_signature_block_is_spelt_as_its_fields(tmp_path):
    from pipeline.document import Document
    from pipeline.restore.restorer import Restorer, RestorerOptions
    from pipeline.run.process import finish_document

    text = ("Ủy ban nhân dân tỉnh đề nghị các sở thực hiện nghiêm túc nội dung trên.\n"
            "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nTE:.HIỆU TRƯỞNG\nTRƯỞNG PHÒNG CTSV\n`Nguyên Văn An")
    words = [Word(t, 95.0, (10 * i, 10, 8, 8), 0) for i, t in enumerate(text.split())]
    page = Page(number=1, text=text, source="ocr", words=words, width=2480, height=3508, dpi=300,
                regions=[Region("body", (0, 0, 2480, 100), "", 95.0, (0, 1)),
                         Region("recipients", (0, 100, 1200, 300), "", 95.0, (1, 4)),
                         Region("signature", (1300, 100, 2400, 400), "", 95.0, (4, 7))])
    doc = Document(path=tmp_path / "a.pdf", sha256="0" * 64, kind="pdf", pages=[page])
    final, extraction = finish_document(doc, Restorer(RestorerOptions.find()))
    # the seal's "TE:." is the mark the title lines imply (TL.); the pen's "`" is no letter
    assert final.text.split("\n")[4:] == ["TL. HIỆU TRƯỞNG", "TRƯỞNG PHÒNG CTSV", "Nguyễn Văn An"]
    assert final.text.split("\n")[:4] == text.split("\n")[:4]
    assert extraction["self"]["signer"] == "Nguyễn Văn An"


@requires_tesseract_vie
def test_a_signing_title_the_page_reading_skipped_is_read_from_its_band():
    from pipeline.run.process import _reread_signing_title

    img = Image.new("RGB", (2480, 900), "white")
    draw = ImageDraw.Draw(img)
    bold = ImageFont.truetype(str(find_font("bold")), 48)
    draw.text((300, 100), "Nơi nhận:", font=bold, fill="black")
    draw.text((300, 160), "- Như trên;", font=bold, fill="black")
    draw.text((1500, 100), "HIỆU TRƯỞNG", font=bold, fill="black")
    draw.text((1450, 600), "Trương Huy Hoàng", font=bold, fill="black")
    words = [Word("Nơi", 95.0, (300, 105, 90, 45), 0), Word("nhận:", 95.0, (400, 105, 130, 50), 0),
             Word("-", 95.0, (300, 185, 15, 5), 1), Word("Như", 95.0, (330, 165, 90, 45), 1),
             Word("trên;", 95.0, (430, 165, 110, 50), 1),
             Word("Trương", 95.0, (1450, 605, 180, 50), 2), Word("Huy", 95.0, (1650, 605, 100, 50), 2),
             Word("Hoàng", 95.0, (1770, 605, 150, 50), 2)]
    page = Page(number=1, text="Nơi nhận:\n- Như trên;\nTrương Huy Hoàng", source="ocr", words=words, width=2480,
                height=900, dpi=300, quality={"scale": 1.0},
                regions=[Region("recipients", (300, 105, 540, 215), "", 95.0, (0, 2)),
                         Region("signature", (1450, 605, 1920, 655), "Trương Huy Hoàng", 95.0, (2, 3))])
    found = _reread_signing_title(PageImage(1, np.asarray(img), 300), page, OcrSettings())
    assert found is not None
    assert [w.text for w in found if w not in words] == ["HIỆU", "TRƯỞNG"]
    # a block whose title was read is not read again
    titled = _with_signature_lines(page, "Nơi nhận:\n- Như trên;\nHIỆU TRƯỞNG\nTrương Huy Hoàng", (2, 4))
    assert _reread_signing_title(PageImage(1, np.asarray(img), 300), titled, OcrSettings()) is None


def _with_signature_lines(page: Page, text: str, signature_lines: tuple[int, int]) -> Page:
    from dataclasses import replace

    regions = [replace(r, lines=signature_lines) if r.kind == "signature" else r for r in page.regions]
    return replace(page, text=text, regions=regions)
