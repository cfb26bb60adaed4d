"""`vanban search` on a store written by a real `vanban run` of small text files: words typed
without marks, numbers, filters, a changed file re-run, bad input in one line."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.errors import ExitCode
from tests.conftest import VANBAN

PLAN = """UBND TỈNH QUẢNG NGÃI
SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN
Số: 69/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 22 tháng 3 năm 2024

KẾ HOẠCH
Thực hiện Chương trình mỗi xã một sản phẩm năm 2024

Căn cứ Quyết định số 148/QĐ-TTg ngày 24/02/2023 của Thủ tướng Chính phủ;
Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện Chương trình OCOP năm 2024 như sau:
1. Phấn đấu có thêm 50 sản phẩm OCOP đạt từ 3 sao trở lên.
2. Đề án hỗ trợ các hợp tác xã nâng cấp sản phẩm đặc sản của huyện Đức Phổ.
"""
LETTER = """SỞ NÔNG NGHIỆP VÀ PTNT
Số: 12/SNN-KHTC
V/v triển khai Kế hoạch OCOP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày 10 tháng 5 năm 2023

Kính gửi: UBND các huyện, thị xã, thành phố.

Thực hiện Kế hoạch số 69 / KH - UBND của UBND tỉnh, Sở Nông nghiệp đề nghị các địa phương
rà soát các sản phẩm chè và mật ong, báo cáo kết quả trước ngày 30/6/2023.
"""


def _run(inputs: Path, out: Path) -> None:
    proc = subprocess.run([VANBAN, "run", str(inputs), "--out", str(out), "--workers", "1"], check=False,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]


def vanban_search(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([VANBAN, "search", "--db", str(db), *args], check=False, capture_output=True, text=True,
                          timeout=120)


def _hits(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout.splitlines()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Two documents run through `vanban run` (restoration, extraction, the store)."""
    root = tmp_path_factory.mktemp("archive")
    (root / "in").mkdir()
    (root / "in" / "kehoach.txt").write_text(PLAN, encoding="utf-8")
    (root / "in" / "congvan.txt").write_text(LETTER, encoding="utf-8")
    _run(root / "in", root / "out")
    return root / "out" / "vanban.sqlite"


def test_words_typed_without_marks_and_in_capitals(archive):
    for query in (["DE AN HO TRO"], ["de", "an", "ho", "tro"], ["Đề án hỗ trợ"]):
        proc = vanban_search(archive, *query)
        assert _hits(proc) == [("kehoach.txt p.1 l.14: 2. [Đề án hỗ trợ] các hợp tác xã nâng cấp sản phẩm đặc sản "
                                "của huyện Đức Phổ.")]
        assert proc.stderr.strip() == "1 line"


def test_quang_ngai_with_or_without_marks(archive):
    outputs = [_hits(vanban_search(archive, q)) for q in ("Quảng Ngãi", "quang ngai", "QUẢNG NGÃI")]
    assert outputs[0] == outputs[1] == outputs[2]
    assert "kehoach.txt p.1 l.6: [Quảng Ngãi], ngày 22 tháng 3 năm 2024" in outputs[0]
    assert "congvan.txt p.1 l.6: [Quảng Ngãi], ngày 10 tháng 5 năm 2023" in outputs[0]


def test_a_number_typed_with_spaces_and_d_for_dj(archive):
    assert _hits(vanban_search(archive, "148/QD-TTg")) == [
        "kehoach.txt p.1 l.11: Căn cứ Quyết định số [148/QĐ-TTg] ngày 24/02/2023 của Thủ tướng Chính phủ;"]
    for query in ("69 / kh - ubnd", '"69/KH-UBND"'):
        hits = _hits(vanban_search(archive, query))
        assert hits[0] == "kehoach.txt p.1 l.3: Số: [69/KH-UBND]"  # the document that is the number
        assert hits[1].startswith("congvan.txt p.1 l.10: Thực hiện Kế hoạch số [69 / KH - UBND] của UBND tỉnh")


def test_filters(archive):
    def documents(*options):
        return {line.split(" ")[0] for line in _hits(vanban_search(archive, "ocop", *options))}

    assert documents() == {"kehoach.txt", "congvan.txt"}
    assert documents("--type", "cong van") == {"congvan.txt"}
    assert documents("--type", "KẾ HOẠCH", "--from", "2024-01-01") == {"kehoach.txt"}
    assert documents("--to", "2023-12-31") == {"congvan.txt"}
    assert documents("--from", "2025") == set()


def test_json_and_limit(archive):
    proc = vanban_search(archive, "--json", "--limit", "1", "quang ngai")
    hit, = json.loads(_hits(proc) and proc.stdout)
    assert set(hit) == {"document", "path", "page", "line", "text", "snippet", "marks", "number_match"}
    s, e = hit["marks"][0]
    assert hit["snippet"][s:e].lower() == "quảng ngãi"
    assert proc.stderr.strip().startswith("1 of ") and "--limit N shows more" in proc.stderr


@pytest.mark.parametrize("query", ['"69/KH-UBND"', 'a*b"', "NEAR(ocop", "ocop OR", "^ocop:", "(x"])
def test_fts_syntax_characters_never_crash(archive, query):
    proc = vanban_search(archive, query)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("args, code, message", [
    (["--db", "missing/vanban.sqlite", "ocop"], ExitCode.store_error, "store error: no store here"),
    (["--from", "2024-02-30", "ocop"], ExitCode.bad_args, "error: --from '2024-02-30' is not a date"),
    (["*/-"], ExitCode.bad_args, "error: nothing to search for in '*/-'"),
    ([""], ExitCode.bad_args, "error: nothing to search for"),
    (["--limit", "0", "ocop"], ExitCode.bad_args, "Invalid value for '--limit'"),
])
def test_bad_input_is_one_line_and_its_exit_code(archive, tmp_path, args, code, message):
    if args[0] != "--db":
        args = ["--db", str(archive), *args]
    proc = subprocess.run([VANBAN, "search", *args], check=False, capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_a_rerun_of_a_changed_file_leaves_no_stale_hits(tmp_path):
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "kehoach.txt"
    source.write_text(PLAN, encoding="utf-8")
    _run(tmp_path / "in", tmp_path / "out")
    db = tmp_path / "out" / "vanban.sqlite"
    assert len(_hits(vanban_search(db, "dac san"))) == 1
    source.write_text(PLAN.replace("đặc sản", "làng nghề"), encoding="utf-8")
    shutil.copy(source, tmp_path / "in" / "kehoach-copy.txt")
    _run(tmp_path / "in", tmp_path / "out")
    assert _hits(vanban_search(db, "dac san")) == []
    # The copy is the same content: one document, under the path it had (the copy's path is in `files`).
    assert [h.split(" ")[0] for h in _hits(vanban_search(db, "lang nghe"))] == ["kehoach.txt"]
