"""Issue 16's acceptance: the README's queries over totals, on a store `vanban run` makes of the real seeds.

The queries are read from the README itself, so what it shows is what these tests run.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SHARED, VANBAN

README = Path(__file__).resolve().parents[2] / "README.md"
pytestmark = pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason=f"{SHARED}/seeds not present")


def readme_query(*words: str) -> str:
    """The README's `vanban query` SQL that holds every one of ``words``."""
    found = [q for q in re.findall(r'^\.venv/bin/vanban query --db out/demo/vanban\.sqlite "(.*)"$',
                                   README.read_text(encoding="utf-8"), re.M) if all(w in q for w in words)]
    assert len(found) == 1, f"{len(found)} README queries hold {words}"
    return found[0]


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory) -> sqlite3.Connection:
    """The store of `vanban run` over the three seeds (001 restored as the run restores it)."""
    tmp = tmp_path_factory.mktemp("seeds")
    for f in (SHARED / "seeds").glob("*.txt"):
        shutil.copy(f, tmp / f.name)
    subprocess.run([VANBAN, "run", tmp, "--out", tmp / "out"], check=True, capture_output=True)
    conn = sqlite3.connect(tmp / "out" / "vanban.sqlite")
    yield conn
    conn.close()


def test_001_three_star_total_is_counted_once_with_its_district_parts(seeds_store):
    rows = seeds_store.execute(readme_query("FROM counts", "c.stars", "parts")).fetchall()
    of_001 = [r for r in rows if r[0].startswith("001_") and r[3] == "3"]
    assert len(of_001) == 1
    name, line, value, stars, as_of, role, parts = of_001[0]
    assert (value, as_of, role) == (13, "2024-08", "total")
    assert parts == "4 (huyện Tư Nghĩa) + 1 (huyện Bình Sơn) + 8 (thành phố Quảng Ngãi)"
    # Every part's parent_id is that total's row.
    linked = seeds_store.execute(
        "SELECT p.value, p.role FROM counts p JOIN counts c ON c.id = p.parent_id JOIN documents d "
        "ON d.id = c.document_id WHERE d.name LIKE '001_%' AND c.value = 13 AND c.stars = '3'").fetchall()
    assert linked == [(4, "part"), (1, "part"), (8, "part")]


def test_004_allocation_sums_to_446_million(seeds_store):
    rows = seeds_store.execute(readme_query("FROM money", "role IN ('total', 'single')")).fetchall()
    allocated = [r for r in rows if r[0].startswith("004_") and r[1] == "allocated"]
    assert len(allocated) == 1 and allocated[0][3] == 446_000_000
    # The breakdown amounts below it and below the other two headings are parts, not summed.
    parts = seeds_store.execute("SELECT COUNT(*), SUM(value_vnd) FROM money m JOIN documents d ON d.id = "
                                "m.document_id WHERE d.name LIKE '004_%' AND m.role = 'part'").fetchone()
    assert parts == (9, 446_000_000 + 324_474_000 + 121_526_000)


def test_2023_counts_about_binh_son_group_under_todays_province(seeds_store):
    # Issue 16 (places): huyện Bình Sơn no longer exists since 1 July 2025; its figures group under
    # today's tỉnh Quảng Ngãi (51), which it was in before too.
    rows = seeds_store.execute(readme_query("FROM counts", "huyện Bình Sơn", "province_code")).fetchall()
    assert [r for r in rows if r[0] == "2023"] == [
        ("2023", "Quảng Ngãi", "51", "huyện Bình Sơn", "524", "Quảng Ngãi", "sản phẩm", 3, 1),
        ("2023", "Quảng Ngãi", "51", "huyện Bình Sơn", "524", "Quảng Ngãi", "điểm", 1, 1)]
