"""Errors a user can act on, and the exit codes they give (one line each, no traceback).

Every error vanban expects is a :class:`VanbanError`: the command line prints its
label and message on one line of stderr and exits with its :class:`ExitCode`.
Anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from .io.names import shown_path


class ExitCode(IntEnum):
    """What ``vanban``'s exit status means (the table in README.md)."""

    ok = 0  # done; files that failed are listed (and in the `failures` table)
    nothing_processed = 1  # every input failed, the one input of ocr/extract is bad, no cluster
    bad_args = 2  # a malformed option or argument, SQL that is not a read (click's usage errors too)
    missing_dependency = 3  # Tesseract, poppler or dask.distributed not installed; models not built
    store_error = 4  # the store cannot be opened or written: disk full, read-only, not a database
    interrupted = 130  # Ctrl-C (SIGINT), as shells report it


class VanbanError(Exception):
    """An error with a one-line message and the exit code it gives."""

    exit_code = ExitCode.nothing_processed
    label = "error"  # printed before the message


class BadArgs(VanbanError):
    """An option or argument that cannot be used as given."""

    exit_code = ExitCode.bad_args


class MissingDependency(VanbanError):
    """A program or package vanban needs is not installed."""

    exit_code = ExitCode.missing_dependency


class StoreError(VanbanError):
    """The store cannot be opened or written; what it held before stays intact."""

    exit_code = ExitCode.store_error
    label = "store error"

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{reason}: {self.path}")


class Interrupted(VanbanError):
    """The user stopped the run (Ctrl-C); every document saved so far is kept."""

    exit_code = ExitCode.interrupted
    label = "interrupted"


class InputError(VanbanError):
    """A file that cannot be processed; the message is one line naming the reason."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{shown_path(self.path)}: {reason}")
