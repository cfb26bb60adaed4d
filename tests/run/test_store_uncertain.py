"""The extraction's doubts (`uncertain`) are stored, each pointing at the item it doubts."""
from __future__ import annotations

import sqlite3
import subprocess

from tests.conftest import VANBAN

TEXT = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 12/BC-UBND\nQuảng Ngãi, ngày 10 tháng 5 năm 2024\nBÁO CÁO\n"
        "Kết quả thực hiện Chương trình OCOP\n"
        "Xã hội hóa 04 điểm gồm: thành phố Quảng Ngãi 5 điểm, huyện Mộ Đức 1 điểm, huyện Bình Sơn 1 điểm.\n"
        "Hoàn thành trước ngày 30/6/2074.\n")


def test_a_run_stores_what_extract_prints_as_uncertain(tmp_path):
    source = tmp_path / "in" / "bao_cao.txt"
    source.parent.mkdir()
    source.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([VANBAN, "run", str(source.parent), "--out", str(out), "--workers", "1"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(out / "vanban.sqlite")
    rows = conn.execute("SELECT line, why, item_table FROM uncertain ORDER BY line").fetchall()
    assert rows == [(7, "breakdown adds up to 7, more than its total 4: parts not linked", "counts"),
                    (8, "date 2074-06-30 years after the document's own date 2024-05-10", "dates")]
    # each row points at its item, which keeps the confidence the evidence gave it
    assert conn.execute("SELECT c.value FROM uncertain u JOIN counts c ON c.id = u.item_id "
                        "WHERE u.item_table = 'counts'").fetchall() == [(4,)]
    (value, conf), = conn.execute("SELECT d.value, d.confidence FROM uncertain u JOIN dates d ON d.id = u.item_id "
                                  "WHERE u.item_table = 'dates'").fetchall()
    assert value == "2074-06-30" and conf < 0.5
    (own,), = conn.execute("SELECT confidence FROM dates WHERE value = '2024-05-10'").fetchall()
    assert own > 0.9
