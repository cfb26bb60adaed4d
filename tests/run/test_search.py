"""Full-text search (pipeline/run/search.py) and its index in the store: folding, numbers, marks,
the index kept in the document's transaction, an older store back-filled, any query safe."""
from __future__ import annotations

import re
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document, Page
from pipeline.errors import BadArgs, StoreError
from pipeline.run import search as search_module
from pipeline.run.search import Hit, mark_spans, number_key, parse_query, search
from pipeline.run.store import SCHEMA, SCHEMA_VERSION, Store
from pipeline.script import fold_offsets, search_fold, strip_diacritics

PLAN = ("UBND TỈNH QUẢNG NGÃI\nSố: 69/KH-UBND\nQuảng Ngãi, ngày 22 tháng 3 năm 2024\nKẾ HOẠCH\n"
        "Căn cứ Quyết định số 148/QĐ-TTg ngày 24/02/2023 của Thủ tướng Chính phủ;\n"
        "Đề án hỗ trợ các hợp tác xã của huyện Đức Phổ.")
LETTER = ("SỞ NÔNG NGHIỆP VÀ PTNT\nSố: 12/SNN-KHTC\nQuảng Ngãi, ngày 10 tháng 5 năm 2023\n"
          "Thực hiện Kế hoạch số 69 / KH - UBND của UBND tỉnh, đề nghị rà soát sản phẩm chè.")


def _doc(path: str, text: str, sha: str = "s1") -> Document:
    return Document(path=Path(path), sha256=sha, kind="text", pages=[Page(1, text, "text")])


def _save(store: Store, path: str, text: str, sha: str | None = None, **own) -> None:
    store.save_document(_doc(path, text, sha or path), {"self": own}, "k1")


def _lines(hits: list[Hit]) -> list[tuple[str, int]]:
    return [(h.document, h.line) for h in hits]


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "vanban.sqlite"
    with Store(path) as store:
        _save(store, "/in/plan.txt", PLAN, number="69/KH-UBND", type="Kế hoạch", date="2024-03-22")
        _save(store, "/in/letter.txt", LETTER, number="12/SNN-KHTC", type="Công văn", date="2023-05-10")
    return path


def test_search_fold_keeps_one_character_for_each():
    assert search_fold("Đề án Quảng Ngãi, ĐỨC PHỔ") == "de an quang ngai, duc pho"
    nfd = unicodedata.normalize("NFD", "Quảng Ngãi")
    folded, origin = fold_offsets(nfd)
    assert folded == "quang ngai" and [nfd[i] for i in origin] == list("Quang Ngai")


def test_words_without_marks_in_capitals_find_the_marked_line(db):
    for query in ("DE AN HO TRO", "đề án hỗ trợ", "De An Ho Tro"):
        hit, = search(db, query).hits
        assert (hit.document, hit.line) == ("plan.txt", 6)
        assert hit.marked() == "[Đề án hỗ trợ] các hợp tác xã của huyện Đức Phổ."
    assert search(db, "DUC PHO").hits[0].marked().endswith("huyện [Đức Phổ].")


def test_quang_ngai_typed_with_or_without_marks(db):
    found = [_lines(search(db, q).hits) for q in ("Quảng Ngãi", "quang ngai", "QUẢNG NGÃI", "QUANG NGAI")]
    assert found[0] == found[1] == found[2] == found[3]
    assert set(found[0]) == {("plan.txt", 1), ("plan.txt", 3), ("letter.txt", 3)}


def test_a_number_typed_with_spaces_or_d_for_dj(db):
    hit, = search(db, "148/QD-TTg").hits
    assert hit.marked().startswith("Căn cứ Quyết định số [148/QĐ-TTg] ngày")
    for query in ("69/KH-UBND", "69 / kh - ubnd", "69/kh-UBND", '"69/KH-UBND"'):
        hits = search(db, query).hits
        # The document that is 69/KH-UBND first (its "Số:" line), then the line that cites it.
        assert _lines(hits) == [("plan.txt", 2), ("letter.txt", 4)], query
        assert [h.number_match for h in hits] == [True, False]
        assert hits[0].marked() == "Số: [69/KH-UBND]"
        assert "Kế hoạch số [69 / KH - UBND] của" in hits[1].marked()


def test_a_document_whose_number_line_reads_otherwise_is_still_found(tmp_path):
    with Store(tmp_path / "v.sqlite") as store:  # the number was read from handwriting
        _save(store, "/in/scan.pdf", "UBND TỈNH\nSố: 4383 ISNNPTNT-NTM\nV/v OCOP", number="4383/SNNPTNT-NTM")
    hit, = search(tmp_path / "v.sqlite", "4383/SNNPTNT-NTM").hits
    assert hit.number_match and hit.line == 2 and hit.marked() == "Số: [4383] ISNNPTNT-[NTM]"


def test_number_keys_ignore_spaces_case_marks_and_dashes():
    assert number_key("148/QĐ - TTg") == number_key("148/qd–ttg") == "148/qd-ttg"
    query = parse_query("kế hoạch 69 / KH - UBND 2021-2025")
    assert query.numbers == ["69/kh-ubnd"]
    assert query.fts() == '"69 kh ubnd" AND "ke" AND "hoach" AND "2021 2025"'


def test_filters_type_and_dates(db):
    def docs(**filters):
        return {h.document for h in search(db, "quang ngai", **filters).hits}

    assert docs() == {"plan.txt", "letter.txt"}
    assert docs(doc_type="cong van") == docs(doc_type="CÔNG VĂN") == {"letter.txt"}
    assert docs(date_from="2024") == docs(date_from="2024-03-22") == {"plan.txt"}
    assert docs(date_to="2023-12-31") == docs(date_to="2023-05") == {"letter.txt"}
    assert docs(date_from="2023-05-11", date_to="2024-03-21") == set()
    assert docs(doc_type="Quyết định") == set()


def test_limit_and_count(db):
    result = search(db, "quang ngai", limit=1)
    assert len(result.hits) == 1 and result.total == 3 and result.more


@pytest.mark.parametrize("query", ['"69/KH-UBND"', 'a*b"', "NEAR(ocop", "ocop OR", "AND", "^ocop", "text:ocop",
                                   "ocop -hop", "(quang) ngai)", '"unclosed phrase', "quang*", "x'); DROP TABLE lines;--",
                                   "Ngãi\x00", "a" * 500])
def test_fts_syntax_in_a_query_never_errors(db, query):
    result = search(db, query)  # quoted before FTS5 sees it
    assert result.total >= 0


@pytest.mark.parametrize("query", ["", "   ", "*", "/-", '"', "()", "“”"])
def test_a_query_with_nothing_to_search_is_bad_args(db, query):
    with pytest.raises(BadArgs, match="nothing to search for"):
        search(db, query)


@pytest.mark.parametrize("options, message", [
    ({"date_from": "2024-13-01"}, "--from '2024-13-01' is not a date"),
    ({"date_to": "22/3/2024"}, "--to '22/3/2024' is not a date"),
    ({"date_from": "2024", "date_to": "2023"}, "--from 2024 is after --to 2023"),
    ({"doc_type": " "}, "--type is empty"),
    ({"limit": 0}, "--limit 0"),
])
def test_bad_options_are_bad_args(db, options, message):
    with pytest.raises(BadArgs, match=re.escape(message)):
        search(db, "quang", **options)


def test_a_missing_store_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        search(tmp_path / "none.sqlite", "quang")


def test_a_rerun_replaces_the_documents_index_rows(db):
    with Store(db) as store:
        _save(store, "/in/plan.txt", PLAN.replace("hợp tác xã", "làng nghề"), sha="s2", number="69/KH-UBND")
        assert store.conn.execute("SELECT COUNT(*) FROM lines_search").fetchone() == \
            store.conn.execute("SELECT COUNT(*) FROM lines").fetchone()
        store.conn.execute("INSERT INTO lines_search (lines_search) VALUES ('integrity-check')")
    assert search(db, "hop tac xa").hits == []
    assert _lines(search(db, "lang nghe").hits) == [("plan.txt", 6)]


def test_the_index_is_written_in_the_documents_transaction(db, monkeypatch):
    def fail(*args):
        raise RuntimeError("crash while saving")

    with Store(db) as store:
        monkeypatch.setattr(Store, "_insert_mentions", staticmethod(fail))
        with pytest.raises(RuntimeError):
            _save(store, "/in/plan.txt", PLAN.replace("hợp tác xã", "làng nghề"), sha="s2")
    # Rolled back together: the old lines are found, the new ones never were.
    assert _lines(search(db, "hop tac xa").hits) == [("plan.txt", 6)]
    assert search(db, "lang nghe").hits == []


def test_an_older_store_is_back_filled_once(tmp_path):
    path = tmp_path / "v.sqlite"
    old = SCHEMA[:SCHEMA.index("-- Full-text search")]
    assert "lines_search" not in old
    conn = sqlite3.connect(path)
    conn.executescript(old)
    conn.execute("INSERT INTO documents (path, name, sha256, kind, n_pages, restored, pipeline_key, processed_at, "
                 "type) VALUES ('/in/plan.txt', 'plan.txt', 's1', 'text', 1, 0, 'k1', 'then', 'Kế hoạch')")
    conn.execute("INSERT INTO pages (document_id, number, source, text) VALUES (1, 1, 'text', ?)", (PLAN,))
    conn.executemany("INSERT INTO lines (document_id, page_id, page, line, text) VALUES (1, 1, 1, ?, ?)",
                     list(enumerate(PLAN.split("\n"), 1)))
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="no search index yet"):  # read-only: cannot build it
        search(path, "quang ngai")
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert store.is_current("s1", "k1")  # nothing to redo
        assert store.generation() == 0  # the exports are still those of the store
    assert _lines(search(path, "QUANG NGAI", doc_type="ke hoach").hits) == [("plan.txt", 1), ("plan.txt", 3)]
    with Store(path) as store:  # deleting a line drops its index row (the trigger)
        store.conn.execute("DELETE FROM documents")
        assert store.conn.execute("SELECT COUNT(*) FROM lines_search").fetchone() == (0,)


def test_marks_join_words_and_cover_combining_marks():
    nfd = unicodedata.normalize("NFD", "tỉnh Quảng Ngãi.")
    spans = mark_spans(nfd, parse_query("quang ngai").terms)
    assert [nfd[s:e] for s, e in spans] == [unicodedata.normalize("NFD", "Quảng Ngãi")]
    assert mark_spans("ngai quang", parse_query('"quang ngai"').terms) == []
    assert mark_spans("Ngãi", parse_query("nga*").terms) == [(0, 4)]


def test_a_long_line_is_cut_around_its_first_match():
    text = "mở đầu " * 40 + "tỉnh Quảng Ngãi " + "kết thúc " * 40
    hit = Hit("a.txt", "/a.txt", 1, 1, text, mark_spans(text, parse_query("quang ngai").terms))
    snippet, marks = hit.snippet()
    assert len(snippet) <= search_module.SNIPPET_CHARS + 2 and snippet.startswith("…") and snippet.endswith("…")
    assert [snippet[s:e] for s, e in marks] == ["Quảng Ngãi"]


# Lines of Vietnamese syllables with marks, in mixed case.
SYLLABLES = ["Quảng", "Ngãi", "đề", "án", "hỗ", "trợ", "Đức", "Phổ", "nghiệp", "xã", "sản", "phẩm", "OCOP",
             "ĐỒNG", "tháng", "Thủ", "tướng", "chè", "mật", "ong", "2024", "69/KH-UBND", "ưởng", "Ủy", "ban"]
LINE = st.lists(st.sampled_from(SYLLABLES).map(lambda w: w.upper() if len(w) % 3 == 0 else w),
                min_size=1, max_size=8).map(" ".join)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, min_size=1, max_size=6), pick=st.data())
def test_any_word_of_a_line_typed_without_marks_finds_it(tmp_path, lines, pick):
    path = tmp_path / f"p{abs(hash(tuple(lines)))}.sqlite"
    with Store(path) as store:
        _save(store, "/in/doc.txt", "\n".join(lines))
    i = pick.draw(st.integers(0, len(lines) - 1))
    word = pick.draw(st.sampled_from(lines[i].split()))
    typed = pick.draw(st.sampled_from([strip_diacritics(word).upper(), strip_diacritics(word).lower(), word]))
    hits = search(path, typed, limit=100).hits
    assert ("doc.txt", i + 1) in _lines(hits)
    hit = next(h for h in hits if h.line == i + 1)
    assert hit.marks and all(search_fold(hit.text[s:e]).replace(" ", "") for s, e in hit.marks)
    path.unlink()
