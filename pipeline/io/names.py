"""File names as archives hold them: any bytes, stored, logged and shown without a crash.

A name read from disk is a ``str`` in which bytes that are not UTF-8 (a name copied from
an old Windows share, ``caf\\xe9.txt`` in Windows-1252) stand as lone surrogates (Python's
surrogateescape).  That string opens the file, but SQLite, JSON and a terminal refuse it;
and a name written decomposed (NFD, as macOS and some zip tools write Vietnamese) is
another string than the same name typed by an analyst (NFC).  So a path has three forms:

* the real path (a ``Path``, surrogates, NFD and all): kept through the whole pipeline and
  used for every file access;
* :func:`stored_path`: NFC, each byte that is not UTF-8 written as ``\\xNN``: the store's
  ``path`` and ``name`` columns and the event log.  Printable, found by
  ``name LIKE 'Quyết định%'``, and different for different bytes;
* :func:`shown_path`: NFC, each such byte shown as U+FFFD: the console.

:func:`raw_path` gives the exact bytes when the stored form does not give them back (the
store's ``path_raw`` column), so every stored name can be turned back into its file.
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import PurePath


def _bytes(text: str) -> bytes:
    """The bytes a name stands for: its surrogates are the undecodable bytes themselves."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that does not stand for a byte: not from the disk
        return text.encode("utf-8", "replace")


def stored_path(path: PurePath | str) -> str:
    """The form stored and logged: NFC, bytes that are not UTF-8 as ``\\xNN``."""
    text = os.fspath(path)
    if not text.isascii():
        text = unicodedata.normalize("NFC", _bytes(text).decode("utf-8", "backslashreplace"))
    return text


def shown_path(path: PurePath | str) -> str:
    """The form printed on the console: NFC, bytes that are not UTF-8 as U+FFFD."""
    return printable(os.fspath(path))


def printable(text: str) -> str:
    """Any text (a reason quoting a file name, say) as NFC without lone surrogates."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _bytes(text).decode("utf-8", "replace"))


def is_text(name: str) -> bool:
    """True when every byte of the name is UTF-8 (SQLite and JSON take it as it is)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def raw_path(path: PurePath | str) -> bytes | None:
    """The path's exact bytes when :func:`stored_path` changed them (not UTF-8, or not NFC), else None."""
    text = os.fspath(path)
    if text.isascii():
        return None
    raw = _bytes(text)
    return None if raw == stored_path(text).encode("utf-8") else raw
