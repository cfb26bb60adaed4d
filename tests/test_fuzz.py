"""Property-based tests (Hypothesis): decoding, restoration and extraction never crash on any input,
and damaged PDFs and images in a batch are each processed or named, never a traceback.

Bounded so that the whole module stays within a few seconds of Hypothesis time (plus one batch):
few examples, short inputs, derandomized (the same examples on every run and in CI).
"""
from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import PAGE_BREAK, InputError
from pipeline.io.ingest import decode_text

FUZZ = settings(max_examples=400, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# Words the extractors look for, so that random text reaches their rules and not only
# their "nothing here" path.
WORDS = ["Số:", "số", "Quyết định", "Kế hoạch", "Công văn", "ngày", "tháng", "năm", "Ngày", "779/QĐ-UBND",
         "52/2018/NĐ-CP", "22/8/2020", "08/2024", "2023", "12", "03", "3-4", "130/191", "từ", "đến", "sản phẩm",
         "san pham", "chủ thể", "OCOP", "sao", "đạt", "triệu đồng", "tỷ đồng", "324,474", "21,3", "đồng",
         "tỉnh Quảng Ngãi", "huyện", "UBND", "V/v", "Nơi nhận:", "KT. CHỦ TỊCH", "Trang 2", "tính đến",
         "lũy kế", "(", ")", ",", ".", ";", ":", "-", "+", "/", "%", "\t", "\n", "\n\n", PAGE_BREAK, "\n\f\n"]
VIETNAMESE = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=60).map(" ".join)
ANY_TEXT = st.one_of(st.text(max_size=300), VIETNAMESE,
                     VIETNAMESE.map(lambda t: unicodedata.normalize("NFD", t)))


@FUZZ
@given(st.one_of(st.binary(max_size=600),
                 st.tuples(VIETNAMESE, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                                        "utf-16-be", "cp1258"]))
                 .map(lambda te: te[0].encode(te[1], "replace")),
                 st.tuples(VIETNAMESE, st.binary(max_size=8)).map(lambda tb: tb[0].encode() + tb[1])))
def test_decoding_any_bytes_gives_text_or_a_clean_refusal(data):
    try:
        text = decode_text(data, "fuzz.txt")
    except InputError as exc:
        assert "\n" not in exc.reason
        return
    assert isinstance(text, str) and "\r" not in text and "\x00" not in text
    assert unicodedata.is_normalized("NFC", text)


@lru_cache(maxsize=1)
def _restorer():
    """One restorer for every example (hypothesis runs them in one test)."""
    from pipeline.restore.restorer import Restorer, RestorerOptions

    return Restorer(RestorerOptions.find())


@FUZZ
@given(ANY_TEXT)
def test_restoration_keeps_every_line_and_never_crashes(text):
    restorer = _restorer()
    for restored in (restorer.restore_text(text), restorer.correct_marks(text)):
        assert restored.count("\n") == unicodedata.normalize("NFC", text).count("\n")


@FUZZ
@given(ANY_TEXT)
def test_extraction_never_crashes_and_every_span_quotes_the_text(text):
    from pipeline.extract import extract_text

    # Whole, and in pieces of 64 characters as a long text is parsed (offsets shifted back).
    for result in (extract_text(text, "fuzz.txt"), extract_text(text, "fuzz.txt", chunk_chars=64)):
        for field in ("doc_refs", "dates", "counts", "money"):
            for item in result[field]:
                start, end = item["span"]
                assert 0 <= start <= end <= len(text), (field, item)
                assert text[start:end] == item["raw"], (field, item)
                assert 1 <= item["line"] <= text.count("\n") + 1


# ------------------------------------------------------------------ damaged files in a batch


def _line_png(path: Path, text: str) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    from corpus.fonts import find_font

    img = Image.new("L", (1400, 180), 255)
    ImageDraw.Draw(img).text((50, 50), text, font=ImageFont.truetype(str(find_font("regular")), 54), fill=0)
    img.save(path, dpi=(300, 300))
    return path


def mutants(good: bytes, rng: random.Random, count: int) -> list[bytes]:
    """Damaged copies of a file: cut short at random places, or with random bytes flipped."""
    out = []
    for n in range(count):
        data = bytearray(good)
        if n % 2 == 0:
            data = data[: rng.randrange(1, len(data))]
        else:
            for _ in range(rng.randint(1, 12)):
                i = rng.randrange(len(data))
                data[i] ^= 1 << rng.randrange(8)
        out.append(bytes(data))
    return out


def test_damaged_pdfs_and_images_in_a_batch_are_each_processed_or_named(tmp_path):
    from PIL import Image

    rng = random.Random(13)
    folder = tmp_path / "in"
    folder.mkdir()
    line = "Căn cứ Quyết định số 779/QĐ-UBND ngày 22 tháng 8 năm 2020"
    good_png = _line_png(folder / "good.png", line)
    good_pdf = folder / "good.pdf"
    Image.open(good_png).convert("RGB").save(good_pdf, resolution=300.0)
    bad = {}
    for source in (good_png, good_pdf):
        for n, data in enumerate(mutants(source.read_bytes(), rng, 8)):
            bad[f"bad{n}{source.suffix}"] = data
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out),
                           "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    assert proc.returncode == 0, proc.stderr[-3000:]
    conn = sqlite3.connect(out / "vanban.sqlite")
    stored = {Path(p).name for (p,) in conn.execute("SELECT path FROM documents")}
    failed = dict((Path(p).name, r) for p, r in conn.execute("SELECT path, reason FROM failures"))
    conn.close()
    assert {"good.png", "good.pdf"} <= stored
    assert stored | set(failed) == set(bad) | {"good.png", "good.pdf"} and not stored & set(failed)
    for name, reason in failed.items():
        assert reason and "\n" not in reason and name in proc.stdout, (name, reason)
    assert failed, "no damaged file failed: the mutations are too gentle to test anything"
