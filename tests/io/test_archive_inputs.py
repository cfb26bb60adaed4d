"""Every file an archive holds: odd names, unreadable folders, pixel formats, very long texts.

Rule for each: the input is processed or named in the run's failures (summary, ``failures``
table, console) with a one-line reason; the batch goes on; nothing already stored is lost.
"""
from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import db_rows, requires_tesseract_vie, seed_text
from pipeline.run.batch import run_batch
from pipeline.io.names import raw_path, shown_path, stored_path
from pipeline.run.store import FILES_TABLE, SCHEMA, SCHEMA_VERSION, Store

if TYPE_CHECKING:  # for line_image's annotation; PIL is imported where it is used
    from PIL import Image

# A short real document: extraction stays quick, and it is Vietnamese enough to be kept.
TEXT = "\n".join(seed_text("003").split("\n")[:15])
WINDOWS_NAME = b"caf\xe9.txt"  # "café.txt" in Windows-1252: not UTF-8
NFD_NAME = unicodedata.normalize("NFD", "Quyết định 779.txt")


def _write_bytes_name(folder: Path, name: bytes, data: bytes) -> Path:
    """A file whose name is these bytes (as a Windows share copied to Linux has them)."""
    with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
        fh.write(data)
    return Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))


# ------------------------------------------------------------------ names


def test_name_forms():
    real = os.fsdecode(b"/a/caf\xe9 \xe1\xba\xbf.txt")  # one byte not UTF-8, one good letter
    assert stored_path(real) == "/a/caf\\xe9 ế.txt" and shown_path(real) == "/a/caf\ufffd ế.txt"
    assert raw_path(real) == b"/a/caf\xe9 \xe1\xba\xbf.txt"
    nfd = unicodedata.normalize("NFD", "/a/Quyết.txt")
    assert stored_path(nfd) == shown_path(nfd) == "/a/Quyết.txt" and raw_path(nfd) == nfd.encode()
    assert raw_path("/a/Quyết.txt") is None and raw_path("/a/b.txt") is None
    # Different bytes keep different stored names (the store's path is unique).
    assert stored_path(os.fsdecode(b"caf\xe9")) != stored_path(os.fsdecode(b"caf\xe8"))


def test_a_name_that_is_not_utf8_is_processed_stored_reversibly_and_shown(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = _write_bytes_name(folder, WINDOWS_NAME, TEXT.encode("utf-8"))
    (folder / "good.txt").write_text(TEXT + "\nBản lưu.", encoding="utf-8")  # another content: another document
    out, log = tmp_path / "out", tmp_path / "run.jsonl"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out),
                           "--workers", "1", "--log", str(log)], capture_output=True, timeout=300)
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    assert "caf\ufffd.txt" in stdout and "0 failed" in stdout, stdout
    db = out / "vanban.sqlite"
    rows = db_rows(db, "SELECT path, name, path_raw FROM documents ORDER BY name")
    assert [(Path(p).name, n) for p, n, _ in rows] == [("caf\\xe9.txt", "caf\\xe9.txt"), ("good.txt", "good.txt")]
    assert rows[0][2] == os.fsencode(odd) and rows[1][2] is None
    assert Path(os.fsdecode(rows[0][2])).read_text(encoding="utf-8") == TEXT  # back to the file
    assert db_rows(db, "SELECT COUNT(*) FROM failures") == [(0,)]
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {Path(e["path"]).name for e in events if e["event"] == "document_done"} == {
        "caf\\xe9.txt", "good.txt"}
    # The next run finds it unchanged.
    again = run_batch([folder], out, workers=1)
    assert again.unchanged == 2 and not again.failed


def test_a_decomposed_name_is_stored_nfc_and_found_by_like(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / NFD_NAME).write_text(TEXT, encoding="utf-8")
    summary = run_batch([folder], tmp_path / "out", workers=1)
    assert not summary.failed and [r.path.name for r in summary.processed] == [NFD_NAME]
    db = tmp_path / "out" / "vanban.sqlite"
    rows = db_rows(db, "SELECT name, path, path_raw FROM documents WHERE name LIKE ?", ("Quyết định%",))
    assert [r[0] for r in rows] == ["Quyết định 779.txt"]
    assert rows[0][1] == str(folder / "Quyết định 779.txt") and rows[0][2] == str(folder / NFD_NAME).encode()
    assert run_batch([folder], tmp_path / "out", workers=1).unchanged == 1


def test_the_same_name_composed_and_decomposed_keeps_one_and_names_the_other(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / NFD_NAME).write_text(TEXT, encoding="utf-8")
    (folder / unicodedata.normalize("NFC", NFD_NAME)).write_text(TEXT + "\nThêm một dòng.", encoding="utf-8")
    summary = run_batch([folder], tmp_path / "out", workers=1)
    assert len(summary.processed) == 1 and len(summary.failed) == 1
    (failed, why), = summary.failed
    assert "once stored (names are stored NFC): rename one" in why
    db = tmp_path / "out" / "vanban.sqlite"
    assert db_rows(db, "SELECT COUNT(*) FROM documents") == [(1,)]
    assert db_rows(db, "SELECT reason FROM failures") == [(why,)]


def test_a_store_from_before_path_raw_gains_it_and_redoes_nothing(tmp_path):
    from pipeline.document import Document, Page

    old = re.sub(r",\n    path_raw BLOB.*", "", SCHEMA.replace(FILES_TABLE, ""))
    assert "path_raw BLOB" not in old
    conn = sqlite3.connect(tmp_path / "v.sqlite")
    conn.executescript(old)
    nfd = f"/in/{NFD_NAME}"  # how the version before stored a decomposed name: as it was
    for path, sha in (("/in/a.txt", "s1"), (nfd, "s2")):
        conn.execute("INSERT INTO documents (path, name, sha256, kind, n_pages, restored, pipeline_key, "
                     "processed_at) VALUES (?, ?, ?, 'text', 1, 0, 'k1', 'then')", (path, Path(path).name, sha))
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Store(tmp_path / "v.sqlite") as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.is_current("s1", "k1")
        doc = Document(path=Path(nfd), sha256="s2", kind="text", pages=[Page(1, TEXT, "text")])
        store.save_document(doc, {"self": {}}, "k1")
        # The decomposed row is replaced by the stored (NFC) one, not kept twice.
        assert sorted(r[0] for r in store.conn.execute("SELECT path FROM documents")) == [
            "/in/Quyết định 779.txt", "/in/a.txt"]


# ------------------------------------------------------------------ folders


def _refuse_listing(monkeypatch, locked: Path) -> None:
    """Make listing ``locked`` fail with EACCES, as chmod 000 does for a user (not for root, as in CI)."""
    real_scandir = os.scandir

    def scandir(path="."):
        if not isinstance(path, int) and Path(os.fsdecode(path)) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_is_named_in_the_failures(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "inside.txt").write_text(TEXT, encoding="utf-8")
    (folder / "good.txt").write_text(TEXT, encoding="utf-8")
    _refuse_listing(monkeypatch, folder / "locked")
    summary = run_batch([folder], tmp_path / "out", workers=1)
    monkeypatch.undo()
    assert [r.path.name for r in summary.processed] == ["good.txt"]
    assert summary.failed == [(folder / "locked", "cannot read folder: permission denied")]
    assert db_rows(tmp_path / "out" / "vanban.sqlite", "SELECT path, reason FROM failures") == [
        (str(folder / "locked"), "cannot read folder: permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a chmod 000 folder anyway")
def test_a_chmod_000_folder_is_named_in_the_failures(tmp_path):
    locked = tmp_path / "in" / "locked"
    locked.mkdir(parents=True)
    (locked / "inside.txt").write_text(TEXT, encoding="utf-8")
    locked.chmod(0)
    try:
        summary = run_batch([tmp_path / "in"], tmp_path / "out", workers=1)
    finally:
        locked.chmod(0o755)
    assert summary.failed == [(locked, "cannot read folder: permission denied")]


# ------------------------------------------------------------------ pixel formats

LINE = "Quyết định số 779/QĐ-UBND ngày 22 tháng 8 năm 2020"


def line_image() -> "Image.Image":
    """One 13-pt line at 300 DPI (54 px, as tests/ocr/test_tesseract.py draws it), with a scan's gray levels:
    ink at 30, paper at 235 (pure black on white hides a 16-bit file's clipping)."""
    from PIL import Image, ImageDraw, ImageFont

    from corpus.fonts import find_font

    img = Image.new("L", (1500, 200), 235)
    ImageDraw.Draw(img).text((60, 60), LINE, font=ImageFont.truetype(str(find_font("regular")), 54), fill=30)
    return img


def pixel_formats(folder: Path) -> dict[str, Path]:
    """The line in every pixel format an archive's images come in, one file each."""
    import numpy as np
    from PIL import Image

    base = line_image()
    ink = Image.eval(base, lambda v: 255 - v)  # opacity of the ink
    files = {
        "1-bit": base.point(lambda v: 255 if v > 128 else 0).convert("1"),
        "8-bit gray": base,
        "16-bit gray": Image.fromarray(np.asarray(base).astype(np.uint16) * 257),
        "palette": base.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE),
        "RGB": base.convert("RGB"),
        # Transparent background: black pixels behind alpha 0, the ink opaque.
        "RGBA": Image.merge("RGBA", (*Image.new("RGB", base.size, (20, 20, 60)).split(), ink)),
        "LA": Image.merge("LA", (Image.new("L", base.size, 0), ink)),
    }
    paths = {}
    for name, img in files.items():
        paths[name] = folder / f"{name.replace(' ', '_')}.png"
        img.save(paths[name], dpi=(300, 300))
    assert Image.open(paths["16-bit gray"]).mode == "I;16" and Image.open(paths["LA"]).mode == "LA"
    paths["CMYK"] = folder / "cmyk.jpg"
    base.convert("CMYK").save(paths["CMYK"], quality=95, dpi=(300, 300))
    # Stored turned a quarter (as a phone or scanner writes it), with the EXIF tag that says so.
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    paths["EXIF-rotated"] = folder / "rotated.jpg"
    base.rotate(90, expand=True).save(paths["EXIF-rotated"], quality=95, dpi=(300, 300), exif=exif)
    return paths


@requires_tesseract_vie
def test_every_pixel_format_is_read(tmp_path):
    from pipeline.run.process import Settings, read_page

    for name, path in pixel_formats(tmp_path).items():
        page = read_page(path, "image", 1, Settings())
        assert "Quyết định số 779/QĐ-UBND" in page.text, (name, page.text)
        # Upright from the EXIF tag, not from the cleanup's guess of the text's orientation.
        assert page.quality.get("rotation") == 0, (name, page.quality)


def test_an_image_too_small_for_a_line_of_text_fails_in_one_line(tmp_path):
    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("L", (1, 1), 255).save(folder / "dot.png")
    Image.new("RGB", (600, 12), "white").save(folder / "sliver.png")
    (folder / "good.txt").write_text(TEXT, encoding="utf-8")
    summary = run_batch([folder], tmp_path / "out", workers=1)
    assert sorted((p.name, why) for p, why in summary.failed) == [
        ("dot.png", "image too small (1×1)"), ("sliver.png", "image too small (600×12)")]
    assert [r.path.name for r in summary.processed] == ["good.txt"]


@requires_tesseract_vie
def test_an_all_black_page_is_no_text_not_a_crash(tmp_path):
    from PIL import Image

    from pipeline.run.process import Settings, read_page

    Image.new("L", (500, 300), 0).save(tmp_path / "black.png")
    assert read_page(tmp_path / "black.png", "image", 1, Settings()).text.strip() == ""


# ------------------------------------------------------------------ very long texts

REPORT = ("Căn cứ Kế hoạch số 165/KH-UBND ngày 22/8/2020 của UBND tỉnh Quảng Ngãi;\n"
          "Năm 2023, toàn tỉnh có 12 sản phẩm đạt OCOP 3 sao, kinh phí hỗ trợ 446 triệu đồng.\n")


def _long_text(copies: int) -> str:
    return "\n".join(f"{n}. {REPORT}" for n in range(1, copies + 1))


def _check_every_mention(result: dict, text: str, copies: int) -> None:
    for field, value_key, value in (("doc_refs", "number", "165/KH-UBND"), ("dates", "value", "2020-08-22"),
                                    ("counts", "value", 12), ("money", "value_vnd", 446_000_000)):
        items = result[field]
        assert [i[value_key] for i in items] == [value] * copies, field
        for item in items:
            start, end = item["span"]
            assert text[start:end] == item["raw"], (field, item)
    assert [c["stars"] for c in result["counts"]] == ["3"] * copies


def test_pieces_cover_the_text_and_end_at_paragraphs_or_lines():
    from pipeline.extract.nlp import pieces

    text = _long_text(40)
    spans = pieces(text, 1000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text) and len(spans) > 5
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert all(e - s <= 1000 and text[e - 1] == "\n" for s, e in spans[:-1])
    assert pieces("short", 1000) == [(0, 5)]
    assert pieces("x" * 2500, 1000) == [(0, 1000), (1000, 2000), (2000, 2500)]  # no line end at all


def test_a_text_parsed_in_pieces_extracts_what_it_does_whole():
    from pipeline.extract import extract_text

    text = _long_text(150)  # ~24,000 characters: one piece by default, ~25 of 1,000
    whole, pieced = extract_text(text, "long.txt"), extract_text(text, "long.txt", chunk_chars=1000)
    assert pieced == whole
    _check_every_mention(pieced, text, 150)
    seed = seed_text("003")  # a real document, cut in pieces of 2,000: the same result
    assert extract_text(seed, "003", chunk_chars=2000) == extract_text(seed, "003")


def test_a_text_over_a_million_characters_is_extracted(tmp_path):
    """spaCy's nlp.max_length (1,000,000) used to fail such a document after minutes of work."""
    from pipeline.extract import extract_text

    copies = 1_000_000 // len(REPORT) + 200
    text = _long_text(copies)
    assert len(text) > 1_000_000
    _check_every_mention(extract_text(text, "long.txt"), text, copies)


# ------------------------------------------------------------------ all of them in one batch


@requires_tesseract_vie
def test_a_batch_of_good_files_mixed_with_every_bad_one_stores_every_good_file_and_names_every_bad_one(
        tmp_path, monkeypatch):
    from PIL import Image

    from tests.run.test_batch import _minimal_pdf

    folder = tmp_path / "in"
    folder.mkdir()
    formats = pixel_formats(folder)
    # Compressed otherwise than 8-bit_gray.png: another content (the same bytes would be one document).
    line_image().save(folder / "was_good.png", dpi=(300, 300), optimize=True)
    (folder / "report.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    first = run_batch([folder], out, workers=2)
    assert not first.failed and len(first.processed) == len(formats) + 2
    stored_before = db_rows(out / "vanban.sqlite", "SELECT path, sha256 FROM documents ORDER BY path")

    # Good files with odd names or sizes, next to every kind of bad input.
    # Contents of their own: a copy of report.txt would be stored once, as report.txt.
    _write_bytes_name(folder, WINDOWS_NAME, (TEXT + "\nBản sao 1.").encode("utf-8"))
    (folder / NFD_NAME).write_text(TEXT + "\nBản sao 2.", encoding="utf-8")
    (folder / "long.txt").write_text(_long_text(1_000_000 // len(REPORT) + 200), encoding="utf-8")
    bad = {
        "dot.png": "image too small (1×1)",
        "stamp.pdf": "page 1 too small (8×8 pixels at 300 DPI)",
        "locked": "cannot read folder: permission denied",
        unicodedata.normalize("NFC", NFD_NAME): "once stored (names are stored NFC): rename one",
        "cut.pdf": "corrupt PDF",
        "was_good.png": "corrupt image",
        "empty.txt": "empty file",
    }
    Image.new("L", (1, 1), 255).save(folder / "dot.png")
    (folder / "stamp.pdf").write_bytes(_minimal_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2 2] >>"]))
    (folder / unicodedata.normalize("NFC", NFD_NAME)).write_text(TEXT + "\nMột dòng nữa.", encoding="utf-8")
    Image.open(formats["RGB"]).save(folder / "whole.pdf", resolution=300.0)
    (folder / "cut.pdf").write_bytes((folder / "whole.pdf").read_bytes()[:400])
    png = (folder / "was_good.png").read_bytes()
    (folder / "was_good.png").write_bytes(png[: len(png) // 2])  # damaged since the first run
    (folder / "empty.txt").write_bytes(b"")
    (folder / "locked").mkdir()
    (folder / "locked" / "inside.txt").write_text(TEXT, encoding="utf-8")
    _refuse_listing(monkeypatch, folder / "locked")
    summary = run_batch([folder], out, workers=2)
    monkeypatch.undo()

    failed = {p.name: why for p, why in summary.failed}
    assert set(failed) == set(bad), (set(failed) ^ set(bad), failed)
    for name, reason in bad.items():
        assert reason in failed[name] and "\n" not in failed[name], (name, failed[name])
    assert sorted(r.path.name for r in summary.processed) == sorted(
        [os.fsdecode(WINDOWS_NAME), NFD_NAME, "long.txt", "whole.pdf"])
    db = out / "vanban.sqlite"
    assert {Path(p).name for (p,) in db_rows(db, "SELECT path FROM failures")} == {
        stored_path(n) for n in bad}
    # Nothing stored before is lost: the file damaged since keeps its good rows.
    after = dict(db_rows(db, "SELECT path, sha256 FROM documents"))
    assert all(after.get(path) == sha for path, sha in stored_before)
    assert len(after) == len(stored_before) + 4
    assert db_rows(db, "SELECT COUNT(*) FROM dates d JOIN documents o ON o.id = d.document_id "
                     "WHERE o.name = 'long.txt'") == [(1_000_000 // len(REPORT) + 200,)]
