"""`vanban serve` over HTTP: the store's tables as JSON, read-only, described, searchable without
marks; /document/<id> and its page images; the errors a user can meet."""
from __future__ import annotations

import asyncio
import hashlib
import html
import json
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request

from pipeline.errors import ExitCode
from pipeline.run.dictionary import COLUMNS, TABLES
from tests.conftest import VANBAN


def test_documents_as_json(served):
    docs = served.json("/vanban/documents.json?_shape=array")
    assert sorted(d["name"] for d in docs) == ["gone.pdf", "upright.pdf"]
    assert all(d["kind"] == "pdf" and d["n_pages"] == 1 for d in docs)
    money = served.json("/vanban/money.json?_shape=array&_sort=id")
    assert {m["value_vnd"] for m in money} == {446_000_000, 324_000_000}


def test_the_store_cannot_be_written(served):
    before = hashlib.sha256(served.db.read_bytes()).hexdigest()
    for sql in ("UPDATE documents SET name = 'x'", "DELETE FROM money", "DROP TABLE words",
                "ATTACH DATABASE '/tmp/x.sqlite' AS x", "PRAGMA user_version = 9"):
        status, body, _ = served.get("/vanban.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status == 400 and json.loads(body)["ok"] is False, (sql, body[:300])
    for path in ("/vanban/documents/-/insert", "/vanban/documents/1/-/delete"):  # Datasette 1.0's write API
        request = urllib.request.Request(served.url + path, data=b'{"row": {"name": "x"}}', method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=30)
            raise AssertionError(f"POST {path} was accepted")
        except urllib.error.HTTPError as exc:
            assert exc.code in (403, 404, 405), (path, exc.code)
    assert sorted(d["name"] for d in served.json("/vanban/documents.json?_shape=array")) == ["gone.pdf",
                                                                                              "upright.pdf"]
    assert hashlib.sha256(served.db.read_bytes()).hexdigest() == before


def test_every_table_and_column_is_described(served):
    databases = served.json("/-/metadata.json")["databases"]
    tables = databases["vanban"]["tables"]
    assert {t: m["description"] for t, m in tables.items()} == TABLES
    assert {t: m["columns"] for t, m in tables.items()} == COLUMNS
    status, page, _ = served.get("/vanban/money")  # the table page shows them
    text = html.unescape(page.decode())
    assert status == 200 and TABLES["money"] in text and COLUMNS["money"]["value_vnd"] in text


def test_search_typed_without_marks(served):
    hits = served.json("/vanban/search.json?_shape=array&q=" + urllib.parse.quote("TONG KINH PHI duoc giao"))
    assert hits and all(h["text"].endswith("Tổng kinh phí được giao là 446 triệu đồng, trong đó đã giải ngân "
                                           "324 triệu đồng.") for h in hits)
    assert {h["name"] for h in hits} == {"upright.pdf", "gone.pdf"} and len(hits) == 6
    lines = served.json("/vanban/lines.json?_shape=array&_search=" + urllib.parse.quote('"giam doc so noi vu"'))
    assert lines and all("Giám đốc Sở Nội vụ" in line["text"] for line in lines)
    assert served.json("/vanban/search.json?_shape=array&q=") == []  # nothing typed: no error, no line
    assert served.json("/vanban/search.json?_shape=array&q=" + urllib.parse.quote("hà nội")) == []
    status, page, _ = served.get("/vanban/lines")
    assert status == 200 and 'name="_search"' in page.decode()  # the search box is shown


def test_document_page(served):
    doc = served.ids["upright.pdf"]
    status, body, kind = served.get(f"/document/{doc}")
    page = body.decode()
    assert status == 200 and kind.startswith("text/html")
    assert f'<image href="/document/{doc}/page/1.png"' in page
    money = served.json(f"/vanban/money.json?_shape=array&document_id={doc}")
    for m in money:  # every item is outlined and links to its row
        assert f'<a href="/vanban/money/{m["id"]}"><rect class="item item-money"' in page
    assert page.count('class="item item-dates"') == 3 and page.count("conf-high") > 50
    status, png, kind = served.get(f"/document/{doc}/page/1.png")
    assert status == 200 and kind == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1241, 1754)  # A4 at 150 DPI
    assert served.get(f"/document/{doc}/page/2.png")[0] == 404
    for listing in ("/vanban/documents", "/vanban/search?q=tong+kinh+phi"):  # a document's name links to its page
        status, body, _ = served.get(listing)
        assert status == 200 and f'<a href="/document/{doc}">upright.pdf</a>' in body.decode(), listing


def test_a_moved_original_still_shows_text_and_items(served):
    doc = served.ids["gone.pdf"]
    status, body, _ = served.get(f"/document/{doc}")
    page = html.unescape(body.decode())
    assert status == 200 and "<image" not in page
    assert "The original file is not at" in page and "gone.pdf (moved or deleted)" in page
    assert page.count('class="item item-money"') == 6 and "Tổng kinh phí được giao là 446 triệu đồng" in page
    status, body, _ = served.get(f"/document/{doc}/page/1.png")
    assert status == 404 and b"gone.pdf" in body


def test_unknown_document_is_404(served):
    for path in ("/document/999", "/document/999/page/1.png"):
        status, body, _ = served.get(path)
        assert status == 404 and b"999" in body


def test_a_store_that_is_not_there_is_one_line(tmp_path):
    proc = subprocess.run([VANBAN, "serve", "--db", str(tmp_path / "nope.sqlite")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == ExitCode.store_error
    assert proc.stderr.strip().count("\n") == 0 and "nope.sqlite" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "notes.sqlite").write_text("not a database, some notes\n" * 100)
    proc = subprocess.run([VANBAN, "serve", "--db", str(tmp_path / "notes.sqlite")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == ExitCode.store_error and "not a vanban store" in proc.stderr


def test_a_port_in_use_is_one_line(served):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([VANBAN, "serve", "--db", str(served.db), "--port", str(port)], capture_output=True,
                              text=True, timeout=60)
    assert proc.returncode == ExitCode.bad_args and f"127.0.0.1:{port}: in use" in proc.stderr


def test_a_store_in_a_read_only_folder_is_served_immutable(served, monkeypatch):
    # (as root every folder is writable: the folder's state is what os.access says)
    from pipeline.serve import app

    monkeypatch.setattr(app.os, "access", lambda *_args, **_kw: False)
    ds = app.build(app.ServeOptions(db=served.db))
    assert ds.databases["vanban"].is_mutable is False  # immutable=1: SQLite needs no WAL index
    response = asyncio.run(ds.client.get("/vanban/documents.json?_shape=array"))
    assert response.status_code == 200 and len(response.json()) == 2
