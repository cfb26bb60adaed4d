"""A run's identity, and the one folder that holds all its temporary files.

A run is known by its host, its pid and that process's start time, so a pid the
system has since given to another process is not mistaken for the run.  Every
temporary file of a run (its workers' page images, pytesseract's ``tess_*``
files, pdftoppm's output: ~8 MB a page in flight) lives in one folder,
``$TMPDIR/vanban-run-<pid>-<random>/``, removed when the run ends.  A run killed
with ``kill -9`` cannot remove it: the next run removes every such folder whose
run is gone.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil

RUN_FOLDER_PREFIX = "vanban-run-"
OWNER_FILE = "owner"  # in a run folder: the RunId of the run that made it


@dataclass(frozen=True)
class RunId:
    """One run of vanban: host, pid and the pid's start time (seconds since the epoch)."""

    host: str
    pid: int
    started: float

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.started:.2f}"

    @classmethod
    def parse(cls, text: str) -> "RunId | None":
        """The RunId written by ``str()``, or None when ``text`` is not one."""
        try:
            host, pid, started = text.strip().rsplit(":", 2)
            return cls(host, int(pid), float(started))
        except ValueError:
            return None

    def alive(self) -> bool:
        """True while the run's process exists (a run on another host is assumed alive)."""
        if self.host != socket.gethostname():
            return True
        try:
            # Start times are kept to 1/100 s; another process with the same pid started later.
            return abs(psutil.Process(self.pid).create_time() - self.started) < 1.0
        except psutil.NoSuchProcess:
            return False
        except psutil.Error:  # not ours to inspect: it exists
            return True


def this_run() -> RunId:
    """The RunId of this process."""
    return RunId(socket.gethostname(), os.getpid(), psutil.Process().create_time())


@contextmanager
def run_folder(base: Path | str | None = None) -> Iterator[Path]:
    """A new folder for this run's temporary files in ``base`` (default: the system's, which
    honours TMPDIR), removed on exit, errors included; first removes those of ended runs."""
    base = Path(base or tempfile.gettempdir())
    sweep_run_folders(base)
    folder = Path(tempfile.mkdtemp(prefix=f"{RUN_FOLDER_PREFIX}{os.getpid()}-", dir=base))
    try:
        (folder / OWNER_FILE).write_text(str(this_run()))
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_run_folders(base: Path) -> list[Path]:
    """Remove the run folders in ``base`` whose run has ended; return them."""
    removed = []
    for folder in Path(base).glob(f"{RUN_FOLDER_PREFIX}*"):
        try:
            owner = RunId.parse((folder / OWNER_FILE).read_text())
        except OSError:
            owner = None
        if owner is None:
            # Made a moment ago (the owner file comes right after) or killed in between:
            # the pid in the name tells.
            pid = folder.name[len(RUN_FOLDER_PREFIX):].split("-", 1)[0]
            if not pid.isdigit() or psutil.pid_exists(int(pid)):
                continue
        elif owner.alive():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


@contextmanager
def temp_files_in(folder: Path | str | None) -> Iterator[None]:
    """Make this process's temporary files (tempfile, pytesseract) go to ``folder`` meanwhile."""
    previous = tempfile.tempdir
    if folder is not None:
        tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = previous
