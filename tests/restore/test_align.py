"""Offsets in restored text map back to the exact raw OCR substring."""
from pipeline.restore.align import OffsetMap


def test_maps_spans_back_to_the_original_tokens():
    original = "Thuc hién Ké hoach s6 69/KH-UBND ngay 22/3/2024 caa UBND"
    restored = "Thực hiện Kế hoạch số 69/KH-UBND ngày 22/3/2024 của UBND"
    start = restored.index("Kế")
    end = restored.index("2024") + 4
    s, e = OffsetMap(original, restored).span(start, end)
    assert original[s:e] == "Ké hoach s6 69/KH-UBND ngay 22/3/2024"


def test_span_inside_a_token_and_across_lines():
    original = "so 4383 ISNNPTNT\nngay 26"
    restored = "số 4383 /SNNPTNT\nngày 26"
    m = OffsetMap(original, restored)
    assert original[slice(*m.span(restored.index("4383"), restored.index("4383") + 4))] == "4383"
    assert original[slice(*m.span(restored.index("ngày"), len(restored)))] == "ngay 26"


def test_identity_when_unchanged():
    text = "Quyết định 148/QĐ-TTg"
    assert OffsetMap(text, text).span(0, len(text)) == (0, len(text))
