"""Page layout of a state document on generated two-column pages, read by real Tesseract."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.run.batch import run_batch
from pipeline.restore.restorer import Restorer, RestorerOptions
from pipeline.run.process import Settings, process_file, read_page
from tests.conftest import requires_tesseract_vie

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
DPI = 200
SETTINGS = Settings(annex_tables=False)


def _font(size_pt: float, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(BOLD if bold else FONT, round(size_pt * DPI / 72))


def render_state_page(province: str, number: str, title: str, signer: str, day: int = 15,
                      stamp: bool = True) -> Image.Image:
    """An A4 page laid out as Nghị định 30 has it: header columns, title, body, footer columns."""
    page = Image.new("RGB", (1654, 2339), "white")
    draw = ImageDraw.Draw(page)

    def centred(x: int, y: int, text: str, size: float = 13, bold: bool = False) -> None:
        font = _font(size, bold)
        width = draw.textlength(text, font=font)
        draw.text((x - width / 2, y), text, font=font, fill="black")

    if stamp:  # an e-signature block in small print above the motto (dark: colour is cleanup's test)
        for i, line in enumerate(("Ký bởi: Ủy ban nhân dân", f"tỉnh {province}",
                                  "Thời gian ký: 16.03.2024 09:10:11 +07:00")):
            draw.text((1130, 40 + i * 26), line, font=_font(8), fill=(40, 40, 40))
    centred(380, 180, "ỦY BAN NHÂN DÂN", 13, True)
    centred(380, 225, f"TỈNH {province.upper()}", 13, True)
    centred(380, 300, f"Số: {number}")
    centred(1120, 180, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True)
    centred(1120, 225, "Độc lập - Tự do - Hạnh phúc", 13, True)
    centred(1120, 300, f"{province}, ngày {day} tháng 3 năm 2024")
    centred(827, 420, title.upper(), 14, True)
    centred(827, 470, "Về việc tổ chức kiểm tra công tác cải cách hành chính năm 2024", 14, True)
    body = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
            "Căn cứ Kế hoạch số 45/KH-UBND ngày 10/01/2024 của Ủy ban nhân dân tỉnh;",
            "Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 12/TTr-SNV.")
    for i, line in enumerate(body):
        draw.text((210, 580 + i * 60), line, font=_font(14), fill="black")
    draw.text((180, 900), "Nơi nhận:", font=_font(12, True), fill="black")
    for i, line in enumerate(("- Như Điều 3;", "- Chủ tịch, các PCT UBND tỉnh;", "- Lưu: VT, NC.")):
        draw.text((180, 945 + i * 40), line, font=_font(11), fill="black")
    centred(1180, 900, "TM. ỦY BAN NHÂN DÂN", 13, True)
    centred(1180, 945, "CHỦ TỊCH", 13, True)
    centred(1180, 1150, signer, 13, True)
    return page


@pytest.fixture(scope="module")
def state_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("regions") / "quyet_dinh.png"
    render_state_page("Bình Định", "123/QĐ-UBND", "Quyết định", "Trần Văn Bình").save(path, dpi=(DPI, DPI))
    return path


@requires_tesseract_vie
def test_regions_are_found_and_read_column_by_column(state_page):
    page = read_page(state_page, "image", 1, SETTINGS)
    kinds = [r.kind for r in page.regions]
    for kind in ("header_left", "number_line", "header_right", "date_line", "body", "recipients",
                 "signature", "stamp"):
        assert kind in kinds, kinds
    # Reading order: the left block, then the right block, the body, the two footer columns.
    order = [k for k in kinds if k in ("header_left", "header_right", "body", "recipients", "signature")]
    assert order.index("header_left") < order.index("header_right") < order.index("body") \
        < order.index("recipients") < order.index("signature")
    lines = page.text.split("\n")
    recipients = next(i for i, ln in enumerate(lines) if ln.startswith("Nơi nhận"))
    assert "TM." not in lines[recipients] and "CHỦ" not in lines[recipients]  # columns not joined
    assert "16.03.2024" not in page.text  # stamp text kept apart ...
    stamp = next(r for r in page.regions if r.kind == "stamp")
    assert "16.03.2024" in stamp.text  # ... as stamp text of its own
    # Every word box of a region lies inside the region's box, and its lines are its own.
    for r in page.regions:
        if r.lines != (0, 0):
            x0, y0, x1, y1 = r.box
            for w in page.words:
                if r.lines[0] <= w.line < r.lines[1]:
                    assert x0 <= w.box[0] and w.box[0] + w.box[2] <= x1 and y0 <= w.box[1] <= y1


@requires_tesseract_vie
def test_header_read_from_regions_of_any_province(state_page):
    _, extraction = process_file(state_page, Restorer(RestorerOptions.find()), SETTINGS)
    own = extraction["self"]
    assert own["type"] == "Quyết định"
    assert own["number"] == "123/QĐ-UBND" and own.get("number_uncertain") is False
    assert own["date"] == "2024-03-15" and not own.get("date_uncertain")
    assert own["place"] == "Bình Định"
    assert own["issuer"] == "Ủy ban nhân dân tỉnh Bình Định"
    assert own["issuer_parent"] is None
    assert own["signer"] == "Trần Văn Bình"
    assert own["signer_title"] == "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"
    assert own["recipients"][:2] == ["Như Điều 3", "Chủ tịch, các PCT UBND tỉnh"]
    assert not any(r["number"] == "123/QĐ-UBND" for r in extraction["doc_refs"])


@requires_tesseract_vie
def test_a_file_holding_two_documents_is_stored_as_two(tmp_path):
    first = render_state_page("Bình Định", "7/QĐ-UBND", "Quyết định", "Trần Văn Bình", day=15)
    second = render_state_page("Phú Yên", "88/TB-UBND", "Thông báo", "Lê Thị Hoa", day=20, stamp=False)
    pdf = tmp_path / "in" / "two.pdf"
    pdf.parent.mkdir()
    first.save(pdf, save_all=True, append_images=[second], resolution=DPI)
    summary = run_batch([pdf.parent], tmp_path / "out", SETTINGS, workers=1)
    assert not summary.failed
    conn = sqlite3.connect(tmp_path / "out" / "vanban.sqlite")
    rows = conn.execute("SELECT name, number, type, first_page, n_pages, signer FROM documents ORDER BY id").fetchall()
    assert rows == [("two.pdf", "7/QĐ-UBND", "Quyết định", 1, 1, "Trần Văn Bình"),
                    ("two.pdf#2", "88/TB-UBND", "Thông báo", 2, 1, "Lê Thị Hoa")]
    kinds = {k for (k,) in conn.execute("SELECT kind FROM regions")}
    assert {"header_left", "number_line", "signature", "stamp"} <= kinds
    names = [n for (n,) in conn.execute("SELECT name FROM recipients ORDER BY document_id, seq")]
    assert names.count("Như Điều 3") == 2
    # A re-run replaces both documents, never duplicating them.
    run_batch([pdf.parent], tmp_path / "out", SETTINGS, workers=1, force=True)
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2
    assert json.loads(json.dumps(rows))  # plain values (no bytes) for the exports


def test_seal_and_pen_rows_of_the_footer_are_noise():
    from pipeline.document import Word
    from pipeline.ocr.layout import Segment, _is_footer_noise

    def row(text: str, conf: float) -> Segment:
        return Segment([Word(text=t, conf=conf, box=(100 * i, 0, 80, 30), line=0)
                        for i, t in enumerate(text.split())])

    # What seals and signatures read as on real pages, at the confidences Tesseract gave them.
    for text, conf in (("Si A7", 46), ("& ` VÀ, MÀ", 50), ("—W_", 46), ("v2,", 53), ("X ^", 80), ("|", 69)):
        assert _is_footer_noise(row(text, conf)), text
    # Print: a word of three letters, short items Tesseract is sure of, a page number.
    for text, conf in (("-: CHỦTỊCH", 53), ("- Lưu: VT.", 60), ("- Sở Y tế;", 90), ("4", 97)):
        assert not _is_footer_noise(row(text, conf)), text


def render_letter_page(note: tuple[str, ...] = ()) -> Image.Image:
    """A công văn: its "V/v …" subject under the number, and (optionally) a routing note typed
    in by the receiving office in the free space right of the subject, under the date line."""
    page = Image.new("RGB", (1654, 2339), "white")
    draw = ImageDraw.Draw(page)

    def centred(x: int, y: int, text: str, size: float = 13, bold: bool = False) -> None:
        font = _font(size, bold)
        draw.text((x - draw.textlength(text, font=font) / 2, y), text, font=font, fill="black")

    centred(380, 180, "ỦY BAN NHÂN DÂN", 13, True)
    centred(380, 225, "TỈNH PHÚ YÊN", 13, True)
    centred(380, 300, "Số: 45/UBND-KTTH")
    centred(1120, 180, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True)
    centred(1120, 225, "Độc lập - Tự do - Hạnh phúc", 13, True)
    centred(1120, 300, "Phú Yên, ngày 12 tháng 6 năm 2024")
    centred(380, 360, "V/v báo cáo kết quả thực hiện", 12)
    centred(380, 400, "chương trình năm 2024", 12)
    for i, line in enumerate(note):  # a sans-serif note, its lines flush left at one edge
        draw.text((760, 352 + i * 36), line, font=ImageFont.truetype(
            "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf", round(10 * DPI / 72)),
            fill="black")
    centred(827, 560, "Kính gửi: Ủy ban nhân dân các huyện, thị xã", 14)
    body = ("Thực hiện Kế hoạch số 45/KH-UBND ngày 10/01/2024 của Ủy ban nhân dân tỉnh,",
            "Ủy ban nhân dân tỉnh đề nghị các địa phương báo cáo kết quả thực hiện.")
    for i, line in enumerate(body):
        draw.text((210, 640 + i * 60), line, font=_font(14), fill="black")
    return page


ROUTING_NOTE = ("1. Phòng Tổng hợp theo dõi, đôn đốc thực hiện;",
                "2. Phòng Kinh tế chủ trì tham mưu báo cáo;",
                "3. Văn phòng lưu hồ sơ theo quy định.")


@requires_tesseract_vie
@pytest.mark.parametrize("note", [ROUTING_NOTE, ()], ids=["with-note", "without-note"])
def test_a_note_beside_the_subject_is_kept_apart(tmp_path, note):
    path = tmp_path / "cong_van.png"
    render_letter_page(note).save(path, dpi=(DPI, DPI))
    page = read_page(path, "image", 1, SETTINGS)
    notes = [r for r in page.regions if r.kind == "note"]
    if note:
        assert len(notes) == 1 and "Tổng hợp" in notes[0].text and "lưu hồ sơ" in notes[0].text
        assert "Tổng hợp" not in page.text and "lưu hồ sơ" not in page.text
        assert notes[0].lines == (0, 0)  # not part of the page text
    else:
        assert not notes
    _, extraction = process_file(path, Restorer(RestorerOptions.find()), SETTINGS)
    assert extraction["self"]["subject"] == "báo cáo kết quả thực hiện chương trình năm 2024"
    assert extraction["self"]["type"] == "Công văn"


def _page_of_rows(rows: list[list[tuple[str, int, int]]], width: int = 2480, height: int = 3508):
    """A 300-dpi OCR'd page whose rows hold (text, x, y) words, 22 px a letter, 50 px high."""
    from pipeline.document import Page, Word

    words = []
    for line, row in enumerate(rows):
        for text, x, y in row:
            for k, token in enumerate(text.split()):
                dx = sum(len(t) * 22 + 14 for t in text.split()[:k])
                box = (x + dx, y + 22, 14, 5) if token in ("-", "–") else (x + dx, y, len(token) * 22, 50)
                words.append(Word(text=token, conf=92.0, box=box, line=line))  # a dash is flat
    return Page(number=1, text="", source="ocr", words=words, width=width, height=height, dpi=300)


def test_an_e_copy_stamp_naming_a_body_and_kinh_gui_stay_out_of_the_header():
    from pipeline.ocr.layout import layout_page

    page = layout_page(_page_of_rows([
        [("SAO Y", 1700, 20)],
        [("Ủy ban nhân dân thành phố Đà Nẵng", 1300, 75)],
        [("ỦY BAN NHÂN DÂN", 420, 130), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 1250, 130)],
        [("THÀNH PHỐ ĐÀ NẴNG", 400, 190), ("Độc lập - Tự do - Hạnh phúc", 1400, 190)],
        [("Số: 57/UBND-VP", 420, 290), ("Đà Nẵng, ngày 18 tháng 10 năm 2023", 1300, 290)],
        [("V/v thực hiện Thông báo số 496", 330, 380)],
        [("Kính gửi:", 690, 600)],
        [("- Các sở, ban, ngành;", 900, 660)],
        [("Thực hiện Thông báo số 496-TB/TU ngày 17/8/2023 của Thành ủy về kết luận", 300, 800)],
    ]))
    stamp = " ".join(r.text for r in page.regions if r.kind == "stamp")
    assert "SAO Y" in stamp and "Ủy ban nhân dân thành phố" in stamp
    left = " ".join(r.text for r in page.regions if r.kind == "header_left")
    assert "V/v" in left and "Kính gửi" not in left
    lines = page.text.split("\n")
    assert lines.index("Kính gửi:") > lines.index("Đà Nẵng, ngày 18 tháng 10 năm 2023")
    # The issuing body in the header's left block is not taken for a stamp.
    assert "ỦY BAN NHÂN DÂN" in left


def test_marks_in_a_side_margin_are_noise_and_print_is_kept():
    from pipeline.ocr.layout import layout_page

    line = "Thực hiện Thông báo số 496-TB/TU ngày 17/8/2023 của Thành ủy về kết luận"
    rows = [[(line, 300, 800 + 60 * i)] for i in range(12)]
    rows[2].append(("( 7", 2300, 920))          # a pen tick in the right margin
    rows[4].insert(0, ("Ñ", 60, 1040))           # a punch hole in the left margin
    rows[5] = [("a)", 330, 1100), (line, 400, 1100)]  # a list marker inside the column
    rows[6].append(("Ghi chú", 2250, 1160))      # sure words in the margin are not marks
    page = layout_page(_page_of_rows(rows))
    lines = page.text.split("\n")
    assert lines[2] == line and lines[4] == line
    assert lines[5].startswith("a) Thực hiện") and lines[6].endswith("kết luận Ghi chú")
    noise = [r.text for r in page.regions if r.kind == "noise"]
    assert sorted(noise) == ["( 7", "Ñ"]


def test_rules_and_ticks_are_noise_not_text():
    from dataclasses import replace

    from pipeline.ocr.layout import layout_page

    line = "Thực hiện Thông báo số 496-TB/TU ngày 17/8/2023 của Thành ủy về kết luận"
    page = layout_page(_page_of_rows([[("__", 900, 700), ("THÔNG BÁO", 1000, 700)],
                                      [("` - Ban Quản lý dự án", 300, 800)], [(line, 300, 860)]]))
    assert page.text.split("\n")[:2] == ["THÔNG BÁO", "- Ban Quản lý dự án"]
    assert sorted(r.text for r in page.regions if r.kind == "noise") == ["__", "`"]
    assert layout_page(_page_of_rows([[("__", 900, 700)]])).text == ""
    # A list's dash read as "~" is a flat mark the size of a dash: written "-".
    page = _page_of_rows([[("~ Như trên;", 300, 800)], [(line, 300, 860)]])
    page.words[0] = replace(page.words[0], box=(300, 822, 14, 6))
    assert layout_page(page).text.split("\n")[0] == "- Như trên;"
    # A "-" as tall as it is wide is a speck ("- SỞ GIÁO DỤC" with a dot before it).
    page = _page_of_rows([[("- SỞ GIÁO DỤC", 300, 800)], [(line, 300, 860)]])
    page.words[0] = replace(page.words[0], box=(300, 820, 5, 5))
    assert layout_page(page).text.split("\n")[0] == "SỞ GIÁO DỤC"


def test_a_received_stamp_in_the_margin_is_stamp_text_not_page_text(tmp_path):
    page = Image.new("RGB", (1654, 2339), "white")
    draw = ImageDraw.Draw(page)
    for y, line in ((300, "CHỈ THỊ"), (360, "Về việc tăng cường công tác thi hành án hành chính")):
        width = draw.textlength(line, font=_font(14, True))
        draw.text((827 - width / 2, y), line, font=_font(14, True), fill="black")
    # The receiving office's ruled stamp (dấu "CÔNG VĂN ĐẾN"), 1.5 x 0.8 in, over the margin.
    x0, y0, x1, y1 = 20, 440, 320, 600
    draw.rectangle((x0, y0, x1, y1), outline="black", width=3)
    draw.line((90, y0, 90, y1), fill="black", width=2)
    draw.text((30, 480), "CV", font=_font(10, True), fill="black")
    draw.text((28, 530), "ĐẾN", font=_font(10, True), fill="black")
    for i, label in enumerate(("Số: 2352", "Ngày: 21/3", "Chuyển:")):
        draw.text((100, 455 + 48 * i), label, font=_font(10), fill="black")
    body = ("Trong thời gian qua, công tác triển khai thi hành Luật tố tụng hành chính",
            "đã đạt được những kết quả quan trọng, góp phần bảo đảm quyền và lợi ích",
            "hợp pháp của cơ quan, tổ chức và cá nhân trên địa bàn tỉnh.")
    for i, line in enumerate(body):
        draw.text((360, 460 + 60 * i), line, font=_font(12), fill="black")
    path = tmp_path / "received.png"
    page.save(path, dpi=(DPI, DPI))
    read = read_page(path, "image", 1, SETTINGS)
    stamps = [r.text for r in read.regions if r.kind == "stamp"]
    assert any("Ngày" in t and "Chuyển" in t for t in stamps), stamps
    assert "Chuyển" not in read.text and "2352" not in read.text
    for line in body:
        assert line in read.text
    assert "Về việc tăng cường công tác thi hành án hành chính" in read.text


def test_a_title_centred_on_the_text_block_right_of_the_page_middle_is_the_title():
    from pipeline.ocr.layout import layout_page

    # Nghị định 30 margins (left 30, right 15 mm): the text block's middle is right of the page's.
    body = "Trong thời gian qua, công tác triển khai thi hành Luật tố tụng hành chính ở các cơ quan nhà đã"
    page = layout_page(_page_of_rows([
        [("ỦY BAN NHÂN DÂN", 420, 130), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 1250, 130)],
        [("TỈNH QUẢNG NGÃI", 430, 190), ("Độc lập - Tự do - Hạnh phúc", 1400, 190)],
        [("Số: 07/CT-UBND", 420, 290), ("Quảng Ngãi, ngày 20 tháng 3 năm 2018", 1300, 290)],
        [("CHỈ THỊ", 1331, 420)],  # 0.066 of the width right of the page's middle, 0.024 of the body's
        [("Về việc tăng cường công tác", 1107, 480)],
        *[[(body, 390, 600 + 60 * i)] for i in range(6)],
    ]))
    titles = [r.text for r in page.regions if r.kind == "title"]
    assert titles and titles[0].startswith("CHỈ THỊ\nVề việc tăng cường")
    assert "CHỈ THỊ" not in " ".join(r.text for r in page.regions if r.kind == "header_right")


def test_a_printed_page_number_is_a_region_of_its_own_not_page_text():
    from pipeline.ocr.layout import layout_page

    line = "Thực hiện Thông báo số 496-TB/TU ngày 17/8/2023 của Thành ủy về kết luận"
    body = [[(line, 300, 400 + 60 * i)] for i in range(5)] + [[("15", 300, 800)]]
    top = layout_page(_page_of_rows([[("3", 1290, 120)]] + body))  # top centre (Nghị định 30)
    foot = layout_page(_page_of_rows(body + [[("- 4 -", 1200, 3300)]]))  # some offices: the foot
    for page, number in ((top, "3"), (foot, "- 4 -")):
        lines = page.text.split("\n")
        assert number not in lines and lines[0] == line
        assert "15" in lines  # a number inside the page is text
        assert [r.text for r in page.regions if r.kind == "page_number"] == [number]


def test_the_seals_lettering_is_no_page_text():
    from pipeline.document import Page, Word
    from pipeline.ocr.layout import layout_page, seal_words

    seal = [1626, 2862, 206]
    inner = Word("TRƯỜNG", 95.0, (1546, 2763, 150, 34), 0)
    rim = Word("HIỆU", 90.0, (1700, 2690, 140, 45), 1)  # print over the rim stays print
    below = Word("Trương", 96.0, (1699, 3072, 151, 42), 2)
    assert seal_words([inner, rim, below], [seal]) == ([rim, below], [inner])
    assert seal_words([inner], []) == ([inner], [])
    page = Page(number=1, text="", source="ocr", words=[inner, rim, below], width=2463, height=3488, dpi=300,
                quality={"seals": [seal]})
    out = layout_page(page)
    assert "TRƯỜNG" not in out.text and "HIỆU" in out.text
    assert [r.text for r in out.regions if r.kind == "seal"] == ["TRƯỜNG"]


def test_signing_title_lines():
    from pipeline.ocr.layout import is_signing_title

    for line in ("KT. CHỦ TỊCH", "HIỆU TRƯỞNG", "HU TRƯỞNG", "PHÓ GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"):
        assert is_signing_title(line), line
    for line in ("Trương Huy Hoàng", "ĐẠI HỌC", "Nơi nhận:", "UBND"):
        assert not is_signing_title(line), line
