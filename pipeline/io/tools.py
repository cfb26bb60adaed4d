"""The environment of the programs vanban runs: tesseract (through pytesseract), pdftoppm and
pdfimages (through pdf2image and :mod:`pipeline.io.rasterize`).

Set once in the environment of each process that runs them, where it starts: the command
line (it reads pages itself for ``vanban ocr`` / ``extract``, and its children inherit it),
a local worker's initializer, and a Dask worker's first page (:func:`pipeline.run.workers.run_page`:
Dask starts its workers itself).  In ``os.environ`` and not per call because pytesseract
gives tesseract no environment of its own choosing: it starts it with ``env=os.environ``
(``pytesseract.subprocess_args``), and pdf2image and ``subprocess.run`` inherit it too.
Nothing is set on import.
"""
from __future__ import annotations

import os


def use_tool_environment(temp_dir: str | None = None) -> None:
    """Make this process's environment the one the external programs should run with.

    ``OMP_THREAD_LIMIT=1``: Tesseract's OpenMP threads fight each other (and our worker
    processes) on small machines: one thread per Tesseract is ~4x faster on 2 cores.  A
    user's own setting wins.  ``temp_dir``: the run's folder for temporary files, as
    ``TMPDIR`` for the programs (pipeline/run/runs.py).
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if temp_dir:
        os.environ["TMPDIR"] = temp_dir
