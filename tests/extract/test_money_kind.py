"""What an amount of money is (kind), on sentences written for the tests."""
from pipeline.extract import extract_text
from pipeline.extract.money import find_money


def kinds(text):
    return [(m.value_vnd, m.kind) for m in find_money(text)]


def test_allocated_cues():
    assert kinds("Năm 2025 tỉnh phân bổ 1,2 tỷ đồng cho chương trình.") == [(1_200_000_000, "allocated")]
    assert kinds("Huyện đã bố trí 350 triệu đồng từ ngân sách huyện.") == [(350_000_000, "allocated")]
    assert kinds("Dự toán năm 2025 của Sở là 900 triệu đồng.") == [(900_000_000, "allocated")]
    assert kinds("Kế hoạch vốn năm 2025: 15 tỷ đồng.") == [(15_000_000_000, "allocated")]
    assert kinds("Kinh phí được giao cho huyện Ba Tơ 75 triệu đồng.") == [(75_000_000, "allocated")]
    assert kinds("Tổng kinh phí được cấp năm nay 2.400.000.000 đồng.") == [(2_400_000_000, "allocated")]


def test_disbursed_cues():
    assert kinds("Đến ngày 30/6, đã giải ngân 410 triệu đồng.") == [(410_000_000, "disbursed")]
    assert kinds("Trong quý, đơn vị đã chi 12,5 triệu đồng cho in ấn.") == [(12_500_000, "disbursed")]
    assert kinds("Sở đã thanh toán cho nhà thầu 88 triệu đồng.") == [(88_000_000, "disbursed")]
    assert kinds("Giá trị quyết toán công trình: 1 tỷ 150 triệu đồng.") == [(1_150_000_000, "disbursed")]


def test_support_and_revenue_cues():
    assert kinds("Mỗi sản phẩm đạt 4 sao được hỗ trợ 20 triệu đồng.") == [(20_000_000, "support")]
    assert kinds("Doanh thu của hợp tác xã năm 2024 đạt 3,8 tỷ đồng.") == [(3_800_000_000, "revenue")]
    assert kinds("Tổng doanh số tại gian hàng ước khoảng 640 triệu đồng.") == [(640_000_000, "revenue")]


def test_no_cue_is_none():
    assert kinds("Tổng kinh phí thực hiện kế hoạch là 600 triệu đồng.") == [(600_000_000, None)]
    assert kinds("Giải thưởng cuộc thi gồm 1 giải nhất 5 triệu đồng.") == [(5_000_000, None)]


def test_look_alikes_are_not_cues():
    # "giao thông", "giáo dục", "đã chỉ đạo", "bàn giao" fold to letters that look like cues.
    assert kinds("Sở Giao thông vận tải chi 30 triệu đồng cho biển báo.") == [(30_000_000, None)]
    assert kinds("Phòng Giáo dục chi 8 triệu đồng.") == [(8_000_000, None)]
    assert kinds("UBND tỉnh đã chỉ đạo sửa chữa, tổng mức 45 triệu đồng.") == [(45_000_000, None)]
    assert kinds("Dự án đã bàn giao, tổng mức đầu tư 2 tỷ đồng.") == [(2_000_000_000, None)]


def test_nearest_cue_before_wins_within_the_sentence():
    text = ("Kế hoạch vốn năm 2025 là 12 tỷ đồng, đến nay đã giải ngân 7 tỷ đồng; "
            "doanh thu của các chủ thể đạt 30 tỷ đồng.")
    assert kinds(text) == [(12_000_000_000, "allocated"), (7_000_000_000, "disbursed"),
                           (30_000_000_000, "revenue")]
    # An enumeration keeps the cue of its sentence.
    assert kinds("Dự toán giao 300 triệu đồng và 40 triệu đồng vốn đối ứng.") == [
        (300_000_000, "allocated"), (40_000_000, "allocated")]
    # A cue does not cross a sentence end.
    assert kinds("Huyện đã giải ngân hết. Năm sau cần 90 triệu đồng.") == [(90_000_000, None)]


def test_cues_after_the_amount():
    # The amount is the subject: "X đồng đã được giải ngân" decides even over a cue before it.
    assert kinds("Trong 800 triệu đồng được phân bổ, 500 triệu đồng đã được giải ngân.") == [
        (800_000_000, "allocated"), (500_000_000, "disbursed")]
    # With no cue before, the first cue after it in the same clause.
    assert kinds("Năm nay có 250 triệu đồng vốn hỗ trợ sản xuất.") == [(250_000_000, "support")]
    # ... but not one in the next clause.
    assert kinds("Chi phí tổ chức 15 triệu đồng, các xã được hỗ trợ tập huấn.") == [(15_000_000, None)]


def test_negated_cue_gives_no_kind():
    assert kinds("Đến nay còn 95 triệu đồng chưa giải ngân.") == [(95_000_000, None)]
    assert kinds("Kinh phí không giải ngân được: 61 triệu đồng.") == [(61_000_000, None)]


def test_status_beats_the_purpose_of_the_funds():
    # "kinh phí hỗ trợ" says what the money is for; "đã giải ngân" says what happened to it.
    assert kinds("Huyện đã giải ngân kinh phí hỗ trợ 140 triệu đồng.") == [(140_000_000, "disbursed")]
    assert kinds("Đã phân bổ, kinh phí hỗ trợ 60 triệu đồng.") == [(60_000_000, "support")]


def test_breakdown_items_take_the_kind_of_their_heading():
    text = ("2. Kinh phí đã giải ngân: 510 triệu đồng, trong đó:\n"
            "- Ngân sách trung ương: 400 triệu đồng;\n"
            "- Ngân sách huyện: 110 triệu đồng.\n"
            "3. Kinh phí còn lại chưa giải ngân: 90 triệu đồng, trong đó:\n"
            "- Ngân sách trung ương: 90 triệu đồng.\n"
            "4. Kết quả: 70 triệu đồng.")
    assert kinds(text) == [(510_000_000, "disbursed"), (400_000_000, "disbursed"),
                           (110_000_000, "disbursed"), (90_000_000, None), (90_000_000, None),
                           (70_000_000, None)]
    # An item with its own cue keeps it.
    assert kinds("Tổng vốn được giao: 1 tỷ đồng, gồm:\n+ đã thanh toán 600 triệu đồng;\n"
                 "+ Ngân sách tỉnh: 400 triệu đồng.") == [
        (1_000_000_000, "allocated"), (600_000_000, "disbursed"), (400_000_000, "allocated")]


def test_ocr_text_without_diacritics_and_broken_lines():
    assert kinds("Kinh phi da giai ngan trong nam 57,5 trieu dong") == [(57_500_000, "disbursed")]
    assert kinds("UBND huyen phan bo 200 trieu dong, ho tro 12 trieu dong/san pham") == [
        (200_000_000, "allocated"), (12_000_000, "support")]
    assert kinds("doanh thu dat 1,1 ty dong; du toan giao 300.000.000 d") == [
        (1_100_000_000, "revenue"), (300_000_000, "allocated")]
    # A cue split over two OCR lines, and stray OCR diacritics.
    assert kinds("Tinh dã giái\nngàn 45 trieu dong") == [(45_000_000, "disbursed")]


def test_kind_is_in_the_extraction_json():
    items = extract_text("Đã giải ngân 44 triệu đồng.\nTổng kinh phí 10 triệu đồng.")["money"]
    assert [(i["value_vnd"], i["kind"]) for i in items] == [(44_000_000, "disbursed"), (10_000_000, None)]
