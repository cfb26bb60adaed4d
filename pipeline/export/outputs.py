"""The archivist's outputs of a run: ``vanban run … --pdf --alto --hocr``.

``OUT/pdf/<name>.pdf`` (searchable PDF/A-2b, :mod:`pipeline.export.pdf`),
``OUT/alto/<name>.xml`` (ALTO v4) and ``OUT/hocr/<name>.hocr`` for every scanned file (one
with at least one OCR'd page), ``<name>`` its file name without the extension.  A file holding
several documents (``file.pdf``, ``file.pdf#2``) gives one set of outputs, of the whole file; so
does each path of a content stored once (a copy in another folder gets its own outputs).

The command line says which it wants (:func:`requested`, passed to ``run_batch`` as
``outputs``); the batch calls :func:`document_saved` right after a file's documents are saved, and
:func:`document_unchanged` for a file the run skips as unchanged (its outputs are written
from the store's page cache when they are missing, so ``--pdf`` on an existing store needs
no ``--force``).  Writing an output never touches the store: a failure is one warning line
naming the file.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document, Page
from ..io.names import shown_path
from .files import output_stem

log = logging.getLogger(__name__)

FOLDERS = {"pdf": ("pdf", ".pdf"), "alto": ("alto", ".xml"), "hocr": ("hocr", ".hocr")}


@dataclass
class Requested:
    """Which outputs a run writes, into which folder."""

    out_dir: Path
    pdf: bool = False
    alto: bool = False
    hocr: bool = False
    stems: dict[str, Path] = field(default_factory=dict)  # output stem -> the file it was given to

    @property
    def kinds(self) -> list[str]:
        return [k for k in FOLDERS if getattr(self, k)]

    def targets(self, source: Path, name: str) -> dict[str, Path]:
        """Output paths of a file: ``<stem>.pdf`` etc., ``<name>.pdf`` when another file of this
        run already has that stem (``a.png`` and ``a.pdf``)."""
        stem = output_stem(name)
        owner = self.stems.setdefault(stem, source)
        if owner != source:
            stem = output_stem(name.replace(".", "_")) if "." in name else f"{stem}_{len(self.stems)}"
            self.stems.setdefault(stem, source)
        return {k: self.out_dir / FOLDERS[k][0] / f"{stem}{FOLDERS[k][1]}" for k in self.kinds}


def requested(out_dir: Path, *, pdf: bool = False, alto: bool = False,
              hocr: bool = False) -> Requested | None:
    """The outputs ``vanban run --pdf/--alto/--hocr`` asks for (None: none), handed to
    :func:`pipeline.run.batch.run_batch` as ``outputs``."""
    return Requested(Path(out_dir), pdf, alto, hocr) if (pdf or alto or hocr) else None


def document_saved(whole: Document, results: list, req: Requested | None) -> None:
    """Hook of the batch: a file's documents were saved (``results``: (document, extraction,
    first page in the file) each, their texts final).  Writes the outputs ``req`` asks for."""
    if req is None:
        return
    try:
        texts = {first + p.number - 1: p.text for part, _, first in results for p in part.pages}
    except Exception as exc:  # noqa: BLE001 - outputs never stop the run
        log.warning("could not write the outputs of %s: %s", shown_path(whole.path), _reason(exc))
        return
    _write_all(whole, texts, req)


def document_unchanged(store, path: Path, sha: str, ocr_key: str, req: Requested | None) -> None:
    """Hook of the batch: ``path``'s content ``sha`` is stored (unchanged since the last run, or
    stored under another path: a copy, a move); its missing outputs (of those ``req`` asks for)
    are written from the store (the content's final page texts and cached OCR pages)."""
    if req is None:
        return
    try:
        from ..io.names import stored_path

        name = stored_path(path.name)
        targets = {k: t for k, t in req.targets(Path(path), name).items() if not t.exists()}
        if not targets:
            return
        rows = store.content_page_texts(sha)
        if not rows or not any(source == "ocr" for *_, source in rows):
            return
        kind = rows[0][0]
        texts = {number: text for _, number, text, _ in rows}
        cached = store.cached_pages(sha, ocr_key)
        pages = [cached[n] for n in sorted(cached) if n in texts]
        whole = Document(path=Path(path), sha256=sha, kind=kind, pages=pages)
    except Exception as exc:  # noqa: BLE001 - outputs never stop the run
        log.warning("could not write the outputs of %s: %s", shown_path(path), _reason(exc))
        return
    _write_all(whole, texts, req, targets)


def _write_all(whole: Document, texts: dict[int, str], req: Requested,
               targets: dict[str, Path] | None = None) -> None:
    ocr_pages = [p for p in whole.pages if p.source == "ocr" and p.words]
    if not ocr_pages:
        return  # not a scan: nothing to lay a text layer on
    targets = targets or req.targets(whole.path, whole.name)
    try:
        pages = document_pages(ocr_pages, texts)
    except Exception as exc:  # noqa: BLE001
        log.warning("could not write the outputs of %s: %s", shown_path(whole.path), _reason(exc))
        return
    for kind, target in targets.items():
        started = time.perf_counter()
        try:
            write_output(kind, whole, pages, target)
        except Exception as exc:  # noqa: BLE001 - one line naming the file, the store is not touched
            log.warning("could not write %s: %s", target, _reason(exc))
        else:
            log.info("wrote %s in %.2f s", target, time.perf_counter() - started)


def document_pages(pages: list[Page], texts: dict[int, str]):
    """The OCR'd pages as :class:`pipeline.export.words.OutPage` s with their final texts."""
    from .words import out_page

    return [out_page(p, texts.get(p.number, p.text)) for p in pages]


def write_output(kind: str, doc: Document, pages, target: Path):
    """Write one output (``pdf``, ``alto``, ``hocr``) of ``doc`` (its OCR'd ``pages``) to ``target``."""
    if kind == "pdf":
        from .pdf import write_pdf

        return write_pdf(doc.path, doc.kind, pages, target, title=doc.name)
    if kind == "alto":
        from .alto import write_alto

        return write_alto(pages, target, file_name=doc.name)
    if kind == "hocr":
        from .hocr import write_hocr

        return write_hocr(pages, target, title=doc.name, image=doc.name)
    raise ValueError(f"unknown output {kind!r}")


def _reason(exc: Exception) -> str:
    text = (str(exc).strip().splitlines() or [""])[0]
    return text if text else type(exc).__name__
