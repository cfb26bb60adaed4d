"""What a token is for the LM's text and for the restorer (pipeline.restore.tokens), and the
train/serve differences the module names (kept as they were: each is pinned here)."""
from __future__ import annotations

from pipeline.restore.lm import text_runs
from pipeline.restore.tokens import (NUMBER_TOKEN, breaks_run, is_document_number, is_number, normalise_token,
                                     split_token)


def test_a_token_is_lead_core_trail():
    assert split_token("(số") == ("(", "số", "")
    assert split_token("69/KH-UBND,") == ("", "69/KH-UBND", ",")
    assert split_token("…") == ("…", "", "")
    # OCR letters: "&" and "¢" are letters of the core when reading OCR output only.
    assert split_token("&c", ocr=True) == ("", "&c", "") and split_token("&c") == ("&", "c", "")
    assert split_token("vi¢.", ocr=True) == ("", "vi¢", ".") and split_token("vi¢.") == ("", "vi", "¢.")


def test_numbers_are_one_lm_token():
    assert normalise_token("2024") == normalise_token("22/3/2024") == NUMBER_TOKEN
    assert normalise_token("hoá") == "hóa" and normalise_token("QĐ-UBND") is None
    assert is_document_number("01/KH-UBND") and is_document_number("01/KH-UBND", ocr=True)
    # Skew: the restorer also reads these as numbers / document numbers, training text does not ...
    for core in ("8:30", "2024-2025", "1+2"):
        assert is_number(core, ocr=True) and not is_number(core)
    assert is_document_number("12a/KH", ocr=True) and not is_document_number("12a/KH")
    # ... and training text takes "1.a" as a document number, the restorer does not.
    assert is_document_number("1.a") and not is_document_number("1.a", ocr=True)


def test_run_breaks():
    for edge in (".", ";", ":", "!", "?", "(", ")", "“", "”"):
        assert breaks_run(edge) and breaks_run(edge, ocr=True) and breaks_run(edge, ocr=True, trail=True)
    # Skew: "," ends a training run anywhere, a restorer run only after a word; "…" and "|" only in training.
    assert breaks_run(",") and breaks_run(",", ocr=True, trail=True) and not breaks_run(",", ocr=True)
    for edge in ("…", "|"):
        assert breaks_run(edge) and not breaks_run(edge, ocr=True, trail=True)
    assert not breaks_run("-") and not breaks_run("-", ocr=True, trail=True)


def test_text_runs_read_through_the_shared_definitions():
    assert list(text_runs("Kế hoạch số 01/KH-UBND ngày 22/3/2024, UBND tỉnh (Quảng Ngãi) giao…")) == [
        ["kế", "hoạch", "số", NUMBER_TOKEN, "ngày", NUMBER_TOKEN], ["ubnd", "tỉnh"], ["quảng", "ngãi"], ["giao"]]
