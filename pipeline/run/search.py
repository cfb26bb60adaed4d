"""`vanban search`: full-text search over the stored lines (SQLite FTS5, table ``lines_search``).

The index holds every line folded by :func:`pipeline.script.search_fold` (lower case, no
marks, đ as d; FTS5's own ``remove_diacritics`` keeps đ, so "de an" would miss "Đề án"),
one row per ``lines`` row (rowid: document id << 32 | line); :class:`pipeline.run.store.Store`
fills it in the transaction that saves the document.  A query is folded the same way, so it may be typed with
or without marks, in any case:

- words: each one required; ``word*`` is a prefix; ``"a few words"`` in double quotes, a phrase;
- document numbers (digits then ``/`` parts: ``69/KH-UBND``, ``69 / KH - UBND``, ``148/QD-TTg``):
  spaces dropped, then searched as the phrase of their tokens (FTS5 cuts at ``/`` and ``-``, so
  ``69/KH-UBND`` and ``69 / KH - UBND`` in a line index alike), and the documents whose own number
  (``documents.number``) folds to the same key come first, even when their number line was read
  differently (a handwritten number: that line is shown).

Nothing typed reaches FTS5's syntax: every token is letters and digits inside double quotes.
Hits are ranked by bm25 (when thousands of lines match, those of the documents stored last:
see :func:`_search`), a document's own number first.  The snippet is the original line with the matched words marked:
a match in the folded text maps back to the same characters (:func:`pipeline.script.fold_offsets`).
"""
from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import BadArgs, StoreError
from ..script import fold_offsets, search_fold
from .store import SEARCH_SCHEMA_VERSION, open_read_only, store_error

DEFAULT_LIMIT = 20
# bm25 costs ~1 µs per match and query word on top of ~5-10 ms to weigh the words: at most this
# many word-matches are ranked (5,000 lines for one or two words, 2,000 for five; see _search).
RANKED_WORDS = 10_000
RANKED_LINES = (2_000, 5_000)
_LINE_BITS = 0xFFFFFFFF  # lines_search.rowid = document_id << 32 | line (pipeline/run/store.py)
SNIPPET_CHARS = 160  # a longer line is cut to this many characters around its first match
_TOKEN = re.compile(r"[^\W_]+")  # what FTS5's unicode61 keeps as a token: letters and digits
# A document number as typed: digits, then parts after "/" or "-", spaces around them allowed.
_NUMBER = re.compile(r"(?<![^\W_])\d[^\W_]*(?:\s*[/-]\s*[^\W_]+)+")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—−"})
_PHRASE = re.compile(r'"([^"]*)"')
# Marks of adjacent matched words joined into one: "[Quảng Ngãi]", "[69/KH-UBND]".
_JOIN_GAP = re.compile(r"\s*[/.-]?\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


@dataclass(frozen=True)
class Term:
    """One required part of a query: a token, a phrase of tokens, or a number's tokens."""

    tokens: tuple[str, ...]
    prefix: bool = False  # the last token is a prefix ("ngai*")

    def fts(self) -> str:
        return '"' + " ".join(self.tokens).replace('"', '""') + '"' + ("*" if self.prefix else "")


@dataclass
class Query:
    """A query as typed, read into FTS5 terms and document-number keys."""

    text: str
    terms: list[Term] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # number_key() of each number typed

    def fts(self) -> str:
        return " AND ".join(t.fts() for t in self.terms)

    @property
    def only_numbers(self) -> bool:
        return bool(self.numbers) and len(self.terms) == len(self.numbers)


@dataclass
class Hit:
    """A line that matches: where it is, its text and the spans to mark in it."""

    document: str  # documents.name
    path: str
    page: int
    line: int
    text: str  # the stored line, control characters as spaces
    marks: list[tuple[int, int]]  # character spans of `text`
    number_match: bool = False  # the document's own number is the number searched for

    def snippet(self, width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
        """The line (cut to ``width`` characters around its first mark) and its marks in it."""
        text, marks = self.text.strip(), self.marks
        lead = len(self.text) - len(self.text.lstrip())
        marks = [(s - lead, e - lead) for s, e in marks]
        if len(text) <= width:
            return text, [(max(s, 0), min(e, len(text))) for s, e in marks if e > 0 and s < len(text)]
        first = marks[0][0] if marks else 0
        start = max(0, min(first - width // 3, len(text) - width))
        if start:
            cut = text.find(" ", start)
            start = cut + 1 if 0 <= cut < first else start
        end = min(len(text), start + width)
        if end < len(text):
            cut = text.rfind(" ", start, end)
            end = cut if cut > max(start, first) else end
        head, tail = ("…" if start else ""), ("…" if end < len(text) else "")
        shift = len(head) - start
        shown = [(max(s, start) + shift, min(e, end) + shift) for s, e in marks if e > start and s < end]
        return head + text[start:end] + tail, shown

    def marked(self, open_mark: str = "[", close_mark: str = "]") -> str:
        """The snippet with its marks written in."""
        text, marks = self.snippet()
        out, at = [], 0
        for s, e in marks:
            out += [text[at:s], open_mark, text[s:e], close_mark]
            at = e
        return "".join(out) + text[at:]

    def as_json(self) -> dict:
        text, marks = self.snippet()
        return {"document": self.document, "path": self.path, "page": self.page, "line": self.line,
                "text": self.text, "snippet": text, "marks": [list(m) for m in marks],
                "number_match": self.number_match}


@dataclass
class Result:
    hits: list[Hit]
    total: int  # lines that match (with the filters)
    ranked: int | None = None  # when not every match was ranked: how many (the last stored)

    @property
    def more(self) -> bool:
        return self.total > len(self.hits)


def number_key(text: str) -> str:
    """A document number as compared: folded, dashes as "-", no spaces ("148/QĐ - TTg" -> "148/qd-ttg")."""
    return "".join(search_fold(unicodedata.normalize("NFC", text).translate(_DASHES)).split())


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(search_fold(text)))


def parse_query(text: str) -> Query:
    """Read a query: phrases in double quotes, document numbers, then words (see the module doc).

    :class:`BadArgs` when nothing is left to search for (no letter or digit)."""
    query = Query(text)
    rest = unicodedata.normalize("NFC", text).translate(_DASHES)
    if rest.count('"') >= 2:
        for m in _PHRASE.finditer(rest):
            if tokens := _tokens(m.group(1)):
                query.terms.append(Term(tokens))
                if "/" in m.group(1) and _NUMBER.fullmatch(m.group(1).strip()):  # "69/KH-UBND" quoted
                    query.numbers.append(number_key(m.group(1)))
        rest = _PHRASE.sub(" ", rest)

    def number(m: re.Match) -> str:
        if "/" not in m.group(0):
            return m.group(0)  # "2021-2025": words
        if tokens := _tokens(m.group(0)):
            query.terms.append(Term(tokens))
            query.numbers.append(number_key(m.group(0)))
        return " "

    rest = _NUMBER.sub(number, rest)
    for chunk in rest.split():
        if tokens := _tokens(chunk):
            query.terms.append(Term(tokens, prefix=chunk.endswith("*")))
    if not query.terms:
        raise BadArgs(f"nothing to search for in {text.strip()!r}: give words or a document number")
    return query


def mark_spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Spans of ``text`` where a term occurs, its words one after the other, folded as the index."""
    folded, origin = fold_offsets(text)
    found = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    words = [w for w, _, _ in found]
    covered: set[int] = set()
    for term in terms:
        n = len(term.tokens)
        for i in range(len(words) - n + 1):
            if all(words[i + k] == term.tokens[k] for k in range(n - 1)) and (
                    words[i + n - 1].startswith(term.tokens[-1]) if term.prefix
                    else words[i + n - 1] == term.tokens[-1]):
                covered.update(range(i, i + n))
    spans: list[tuple[int, int]] = []
    for i in sorted(covered):
        start, end = origin[found[i][1]], origin[found[i][2] - 1] + 1
        while end < len(text) and not search_fold(text[end]):  # a combining mark after the letter
            end += 1
        if spans and _JOIN_GAP.fullmatch(text, spans[-1][1], start):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _date_bound(value: str | None, option: str) -> str | None:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) checked; the prefix of documents.date it bounds."""
    if value is None:
        return None
    value = value.strip()
    ok = _DATE.fullmatch(value)
    if ok:
        parts = [int(p) for p in value.split("-")] + [1, 1]
        try:
            date(*parts[:3])
        except ValueError:
            ok = None
    if not ok:
        raise BadArgs(f"{option} {value!r} is not a date: give YYYY-MM-DD (or YYYY-MM, YYYY)")
    return value


def _type_key(text: str | None) -> str | None:
    return " ".join(search_fold(text).split()) if text is not None else None


def _open(path: Path) -> sqlite3.Connection:
    conn = open_read_only(path)
    # open_read_only's authorizer guards an analyst's SQL; here every statement is this module's
    # own (the query is bound, never pasted), and FTS5 must declare its table to read it.
    conn.set_authorizer(None)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        conn.close()
        raise store_error(path, exc) from None
    if version < SEARCH_SCHEMA_VERSION:
        conn.close()
        raise StoreError(path, "no search index yet (store made by an older vanban): the next `vanban run "
                               "--out` on its folder builds it, without redoing any document")
    return conn


def search(path: Path, text: str, doc_type: str | None = None, date_from: str | None = None,
           date_to: str | None = None, limit: int = DEFAULT_LIMIT) -> Result:
    """The lines of the store at ``path`` that match ``text``, best first (see the module doc).

    Filters: ``doc_type`` (documents.type, folded: "cong van" is "Công văn"), ``date_from`` /
    ``date_to`` (documents.date, ISO, inclusive; documents without a date are left out).
    Bad input is :class:`BadArgs`; a missing or unreadable store :class:`StoreError`.
    """
    if limit < 1:
        raise BadArgs(f"--limit {limit}: give 1 or more")
    query = parse_query(text)
    lo, hi = _date_bound(date_from, "--from"), _date_bound(date_to, "--to")
    if lo and hi and lo > hi[:len(lo)]:
        raise BadArgs(f"--from {lo} is after --to {hi}")
    if doc_type is not None and not _type_key(doc_type):
        raise BadArgs("--type is empty: give a document type (Công văn, Báo cáo, …)")
    conn = _open(path)
    try:
        conn.execute("BEGIN")  # one snapshot for every statement below (a run may be saving)
        return _search(conn, query, doc_type, lo, hi, limit)
    except sqlite3.Error as exc:
        raise store_error(path, exc) from None
    finally:
        conn.close()


def _search(conn: sqlite3.Connection, query: Query, doc_type: str | None, lo: str | None, hi: str | None,
            limit: int) -> Result:
    # The documents the filters let through, as SQL on `documents`: a match's document is its
    # rowid >> 32 (see lines_search in store.py), so no row of `lines` is read before the last step.
    where, params = ["1"], []
    if doc_type is not None:
        types = [t for (t,) in conn.execute("SELECT DISTINCT type FROM documents WHERE type IS NOT NULL")
                 if _type_key(t) == _type_key(doc_type)]
        where.append(f"type IN ({','.join('?' * len(types))})")
        params += types
    if lo:
        where.append("substr(date, 1, ?) >= ?")
        params += [len(lo), lo]
    if hi:
        where.append("substr(date, 1, ?) <= ?")
        params += [len(hi), hi]
    docs = " AND ".join(where)
    in_docs = f" AND (rowid >> 32) IN (SELECT id FROM documents WHERE {docs})" if len(where) > 1 else ""
    numbered = []
    if query.numbers:  # compared folded, in Python; SQL keeps those that open with the same digits
        # (\d* matches every string)
        heads = [re.match(r"\d*", key).group(0) + "%" for key in query.numbers]  # type: ignore[union-attr]
        like = " OR ".join("number LIKE ?" for _ in heads)
        numbered = [doc_id for doc_id, number in conn.execute(
            f"SELECT id, number FROM documents WHERE ({like}) AND {docs} ORDER BY name", (*heads, *params))
            if number_key(number) in query.numbers]
    match = (query.fts(), *(params if in_docs else ()))
    total = conn.execute(f"SELECT count(*) FROM lines_search WHERE lines_search MATCH ?{in_docs}", match).fetchone()[0]
    # Ranking every match of a word found on a third of all lines would take ~0.1 s: the lines of the
    # documents stored last are ranked, `ranked` at most (FTS5 walks its matches in rowid order and
    # stops there).  The count line says so when it happens; more words or a filter narrow it.
    words = sum(len(t.tokens) for t in query.terms)
    ranked = max(RANKED_LINES[0], min(RANKED_LINES[1], RANKED_WORDS // words))
    first = f"(rowid >> 32) IN ({','.join(map(str, numbered))})" if numbered else "0"
    rows = conn.execute(
        f"SELECT doc, line, first FROM (SELECT rowid >> 32 AS doc, rowid & {_LINE_BITS} AS line, "
        f"bm25(lines_search) AS score, {first} AS first FROM lines_search WHERE lines_search MATCH ?{in_docs} "
        f"ORDER BY rowid DESC LIMIT {ranked}) ORDER BY first DESC, score, doc, line LIMIT ?",
        (*match, limit + 1)).fetchall()
    hits = [h for h in (_hit(conn, doc, line, query.terms, bool(first)) for doc, line, first in rows) if h]
    if query.only_numbers:
        # A document that is the number but whose number line reads otherwise (a handwritten
        # or misread number): its number line, before every line that only cites the number.
        shown = {h.path for h in hits if h.number_match}
        extra = [h for h in (_number_line(conn, doc_id, query) for doc_id in numbered)
                 if h is not None and h.path not in shown]
        hits = [h for h in hits if h.number_match] + extra + [h for h in hits if not h.number_match]
        total += len(extra)
    return Result(hits[:limit], total, ranked if total > ranked else None)


def _hit(conn: sqlite3.Connection, doc: int, line: int, terms: list[Term], number_match: bool) -> Hit | None:
    row = conn.execute("SELECT d.name, d.path, l.page, l.line, l.text FROM lines l JOIN documents d "
                       "ON d.id = l.document_id WHERE l.document_id = ? AND l.line = ?", (doc, line)).fetchone()
    return _hit_of(row, terms, number_match) if row else None


def _hit_of(row: tuple, terms: list[Term], number_match: bool) -> Hit:
    name, path, page, line, text = row
    text = _CONTROL.sub(" ", text)
    return Hit(name, path, page, line, text, mark_spans(text, terms), number_match)


# The line that states a document's own number: "Số: 69/KH-UBND", "So 69/KH…" (folded).
_NUMBER_LINE = re.compile(r"\W*so\s*[:.\d/]")


def _number_line(conn: sqlite3.Connection, doc_id: int, query: Query) -> Hit | None:
    """The line of document ``doc_id`` that states its number: its ``number_line`` region (a scan),
    else the "Số:" line near the top sharing most words with the number, else its first line."""
    rows = conn.execute("SELECT d.name, d.path, l.page, l.line, l.text FROM lines l "
                        "JOIN documents d ON d.id = l.document_id WHERE l.document_id = ? "
                        "ORDER BY l.line LIMIT 40", (doc_id,)).fetchall()
    if not rows:
        return None
    region = conn.execute("SELECT line_first FROM regions WHERE document_id = ? AND kind = 'number_line' "
                          "AND line_first IS NOT NULL ORDER BY page, seq LIMIT 1", (doc_id,)).fetchone()
    wanted = {t for term in query.terms for t in term.tokens}

    def score(row: tuple) -> tuple:
        folded = search_fold(row[4])
        return (bool(region) and row[3] == region[0], bool(_NUMBER_LINE.match(folded)),
                len(wanted & set(_TOKEN.findall(folded))))

    best = max(rows, key=score)  # max keeps the first of equals: the top line when nothing fits
    # Its words that are any part of the number are marked ("Số: [4383] ISNNPTNT-[NTM]").
    return _hit_of(best, [Term((t,)) for t in sorted(wanted)], True)
