"""Searchable PDF/A-2b of a scanned document: the original pages with vanban's text under them.

Built on OCRmyPDF used as a library (``ocrmypdf.ocr``), with vanban as its OCR engine
(:mod:`pipeline.export.ocrmypdf_plugin`): OCRmyPDF takes the input as it is (a PDF's pages, or
an image embedded losslessly by img2pdf at its own pixel size and DPI), asks the engine for
each page vanban OCR'd, renders the invisible text layer (fpdf2, an embedded Noto Sans),
grafts it onto the page with pikepdf and declares PDF/A-2b.  Settings that keep the page
images byte-identical: no optimisation (``optimize=0``), no deskew, clean or rotation, and
PDF/A by pikepdf (``pdfa_backend="internal"``: structures added, nothing re-encoded, the file
kept only when pikepdf's PDF/A validator approves it) rather than by Ghostscript, which
rewrites every image.  When pikepdf cannot approve a file, Ghostscript converts it instead
(``ghostscript`` in ``make setup``; the result says its images were re-encoded), and when
Ghostscript cannot either (Debian 12's 10.0.0 refuses pages that keep text of their own) the
file is a plain PDF, its images untouched, and the result says why it is not PDF/A.

Only the pages vanban OCR'd get a text layer; a page whose own text layer vanban used is left
as it is, and a PDF whose every page has one is copied unchanged (``vanban pdf --redo-ocr``
OCRs them: OCRmyPDF's redo mode then replaces an old invisible layer by vanban's).  A page
cleanup turned a quarter turn is shown upright (its ``/Rotate``); an e-signed scan loses its
(no longer valid) signature but keeps the signature's stamp as page content
(:func:`_prepared_input`).
"""
from __future__ import annotations

import logging
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ..errors import VanbanError
from .files import write_atomic
from .words import OutPage

log = logging.getLogger(__name__)

PLUGIN = "pipeline.export.ocrmypdf_plugin"


class PdfExportError(VanbanError):
    """A searchable PDF could not be written (the store is not affected)."""


@dataclass(frozen=True)
class PdfResult:
    path: Path
    how: str  # "text layer added" | "passed through" (a PDF whose own text layers were used)
    pdfa: bool  # PDF/A-2b declared (and approved by pikepdf's validator or made by Ghostscript)
    note: str = ""  # what the user should know (images re-encoded, not PDF/A and why)


def write_pdf(source: Path, kind: str, pages: list[OutPage], target: Path, *, title: str = "",
              work_dir: Path | None = None) -> PdfResult:
    """Write ``source`` (a PDF or image file) with vanban's text layer on ``pages`` to ``target``.

    ``pages``: the OCR'd pages (:func:`pipeline.export.words.out_page`), numbered as in the file;
    a PDF without any is copied unchanged.  Raises :class:`PdfExportError` (one line) on failure.
    """
    with _quiet():
        return _write_pdf(Path(source), kind, pages, Path(target), title, work_dir)


def _write_pdf(source: Path, kind: str, pages: list[OutPage], target: Path, title: str,
               work_dir: Path | None) -> PdfResult:
    if not pages:
        if kind != "pdf":
            raise PdfExportError("no OCR'd page to put a text layer on")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, source.read_bytes())
        return PdfResult(target, "passed through", _claims_pdfa(target))
    try:
        import ocrmypdf  # noqa: F401
    except ImportError as exc:
        raise PdfExportError(f"OCRmyPDF is not installed ({exc}): run `make setup`") from None
    from ..run.runs import run_folder, temp_files_in
    from .ocrmypdf_plugin import pages_to_json

    # OCRmyPDF's work folder too in a run folder of vanban's: removed at the end, or by the next
    # run when this one is killed (pipeline/run/runs.py)
    with run_folder(work_dir) as tmp, temp_files_in(tmp):
        data = tmp / "pages.json"
        data.write_text(pages_to_json(pages), encoding="utf-8")
        out = tmp / "out.pdf"
        numbers = ",".join(str(p.number) for p in sorted(pages, key=lambda p: p.number))
        options = dict(
            language=["vie"], plugins=[PLUGIN], vanban_pages=str(data), pages=numbers,
            # the page images untouched: no optimisation, no image processing, PDF/A by pikepdf
            optimize=0, deskew=False, clean=False, clean_final=False, rotate_pages=False,
            remove_background=False, output_type="pdfa-2", pdfa_backend="internal",
            mode="default",
            jobs=1, use_threads=True, progress_bar=False, title=title or None,
        )
        if kind == "image":
            options["image_dpi"] = pages[0].dpi  # used only when the image has no DPI tag
        notes: list[str] = []
        try:
            if kind == "pdf":
                source = _prepared_input(source, tmp / "input.pdf", notes)
            _ocrmypdf_adapting(source, out, options, notes)
        except Exception as exc:  # noqa: BLE001 - reported in one line below
            if not _is(exc, "PdfaConversionFailedError"):
                raise PdfExportError(_reason(exc)) from None
            # pikepdf could not approve the file as PDF/A: Ghostscript converts it (its images re-encoded)
            try:
                _ocrmypdf(source, out, {**options, "pdfa_backend": "ghostscript"})
                notes.append("PDF/A by Ghostscript: page images re-encoded")
            except Exception as exc2:  # noqa: BLE001
                try:
                    _ocrmypdf(source, out, {**options, "output_type": "pdf"})
                except Exception as exc3:  # noqa: BLE001
                    raise PdfExportError(_reason(exc3)) from None
                notes.append(f"not PDF/A ({_reason(exc)}; Ghostscript: {_reason(exc2)})")
        turned = {p.number: p.quarter_turn for p in pages if p.quarter_turn}
        if turned:
            out = _show_upright(out, turned, tmp / "upright.pdf", pdfa=not any("not PDF/A" in n for n in notes))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), str(target.with_name(f".{target.name}.tmp")))
        target.with_name(f".{target.name}.tmp").replace(target)
    note = "; ".join(notes)
    return PdfResult(target, "text layer added", "not PDF/A" not in note, note)


def _show_upright(path: Path, turned: dict[int, int], out: Path, pdfa: bool = True) -> Path:
    """Pages scanned turned (``turned``: page number -> the counter-clockwise quarter turn cleanup
    undid) shown upright: their ``/Rotate`` turned clockwise as much, as ``ocrmypdf
    --rotate-pages`` does (image and text layer turn together; the image stream is untouched).
    Saved with the settings OCRmyPDF saves PDF/A with."""
    import pikepdf
    from ocrmypdf.pdfa import get_pdf_save_settings

    with pikepdf.open(path) as pdf:
        for number, turn in turned.items():
            pdf.pages[number - 1].rotate(turn, relative=True)
        pdf.save(out, **get_pdf_save_settings("pdfa-2" if pdfa else "pdf"))
    return out


def _prepared_input(source: Path, out: Path, notes: list[str]) -> Path:
    """``source``, or a copy of it in ``out`` made ready for a text layer and PDF/A; its image
    streams stay byte-identical.

    - An e-signed scan (an /AcroForm of signature fields): the copy cannot keep a valid
      signature (its bytes change), so the signature's appearance (the visible e-signature
      stamp) is made page content (``flatten_annotations``) and the form and its /Perms go
      (OCRmyPDF cannot add a text layer to a page with a form, nor pikepdf approve one as PDF/A).
    - An image stream both another image's soft mask and drawn on its own (e-signature
      appearances draw their logo's mask): pikepdf's PDF/A validator cannot check a stream in
      two roles, so the mask gets a copy of its own (the same encoded bytes).
    """
    import pikepdf

    with pikepdf.open(source) as pdf:
        changed = False
        form = pdf.Root.get("/AcroForm")
        if isinstance(form, pikepdf.Dictionary):
            fields: Any = form.get("/Fields") or []  # pikepdf types it Object; an Array here
            if fields and all(f.get("/FT") == "/Sig" for f in fields):
                pdf.flatten_annotations("all")
                for key in ("/AcroForm", "/Perms"):
                    if key in pdf.Root:
                        del pdf.Root[key]
                extensions = pdf.Root.get("/Extensions")
                if isinstance(extensions, pikepdf.Dictionary) and "/ESIC" in extensions:
                    del extensions["/ESIC"]  # the PAdES signature's extension level: no signature now
                    if not extensions.keys():
                        del pdf.Root["/Extensions"]
                for page in pdf.pages:
                    _drop_unused_fonts(page.obj.get("/Resources"), set())
                notes.append("e-signed: the signature is not carried over, its stamp is kept as page content")
                changed = True
        drawn: set[tuple[int, int]] = set()
        for obj in pdf.objects:
            resources = obj.get("/Resources") if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)) else None
            if isinstance(resources, pikepdf.Dictionary) and isinstance(resources.get("/XObject"), pikepdf.Dictionary):
                drawn.update(x.objgen for _, x in resources.XObject.items() if x.is_indirect)
        for obj in list(pdf.objects):
            if not (isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"):
                continue
            mask = obj.get("/SMask")
            if isinstance(mask, pikepdf.Stream) and mask.objgen in drawn:
                copy = pikepdf.Stream(pdf, b"")
                copy.write(mask.read_raw_bytes(), filter=cast(Any, mask.get("/Filter")),
                           decode_parms=cast(Any, mask.get("/DecodeParms")))  # as the mask had them
                for key, value in mask.items():
                    if key not in ("/Length", "/Filter", "/DecodeParms"):
                        copy[key] = value
                obj.SMask = pdf.make_indirect(copy)
                changed = True
        if not changed:
            return source
        pdf.save(out)
    return out


def _drop_unused_fonts(resources, seen: set) -> None:
    """Fonts no text of their form XObjects uses, removed (flattening copies the form's default
    fonts, Helvetica and ZapfDingbats, never embedded, into every appearance it flattens: PDF/A
    would refuse them although nothing is written in them)."""
    import pikepdf

    if not isinstance(resources, pikepdf.Dictionary):
        return
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary):
        return
    for _, form in xobjects.items():
        if not isinstance(form, pikepdf.Stream) or form.get("/Subtype") != "/Form" or form.objgen in seen:
            continue
        seen.add(form.objgen)
        inner = form.get("/Resources")
        fonts = inner.get("/Font") if isinstance(inner, pikepdf.Dictionary) else None
        if isinstance(fonts, pikepdf.Dictionary):
            # (operands, operator) pairs; pikepdf types the items as instruction objects
            used = {str(operands[0]) for operands, op in cast(Any, pikepdf.parse_content_stream(form))
                    if str(op) == "Tf" and operands}
            for name in [n for n in fonts.keys() if n not in used]:
                del fonts[name]
        _drop_unused_fonts(inner, seen)


def _ocrmypdf_adapting(source: Path, out: Path, options: dict, notes: list[str]) -> None:
    """:func:`_ocrmypdf`, adapting ``options`` to what OCRmyPDF finds in the input."""
    for _ in range(3):
        try:
            return _ocrmypdf(source, out, options)
        except Exception as exc:  # noqa: BLE001
            if _is(exc, "PriorOcrFoundError") and options["mode"] == "default":
                # a page vanban OCR'd has text already (an e-signature stamp, an old OCR layer
                # with --redo-ocr): redo mode replaces its invisible text by vanban's, keeps the rest
                options["mode"] = "redo"
            elif _is(exc, "DigitalSignatureError") and not options.get("invalidate_digital_signatures"):
                # signed otherwise than by signature fields (_prepared_input handles those)
                options["invalidate_digital_signatures"] = True
                notes.append("the input's digital signature is not carried over")
            else:
                raise
    return _ocrmypdf(source, out, options)


def _ocrmypdf(source: Path, out: Path, options: dict) -> None:
    import sys

    import ocrmypdf

    streams = sys.stdout, sys.stderr
    try:
        ocrmypdf.ocr(source, out, **options)
    finally:
        # its output check (pikepdf's check_linearization) leaves sys.stderr pointing at a
        # StringIO: every later log line (vanban's warnings, the run's summary) would vanish
        sys.stdout, sys.stderr = streams


# Libraries whose progress notes (fontTools logs every glyph table it subsets) are not vanban's
# to show, even with `vanban -v`: their errors surface as exceptions.
_CHATTY = ("ocrmypdf", "pikepdf", "fontTools", "fpdf", "PIL", "pypdfium2")


@contextmanager
def _quiet():
    loggers = [logging.getLogger(name) for name in _CHATTY]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _is(exc: Exception, name: str) -> bool:
    """``exc`` is OCRmyPDF's exception ``name`` (ocrmypdf.exceptions)."""
    from ocrmypdf import exceptions

    kind = getattr(exceptions, name, None)
    return kind is not None and isinstance(exc, kind)


def _reason(exc: Exception, limit: int = 160) -> str:
    text = (str(exc).strip().splitlines() or [""])[0]
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _claims_pdfa(path: Path) -> bool:
    return not pdfa_problems(path, validate=False)


def pdfa_problems(path: Path, validate: bool = True) -> list[str]:
    """What keeps ``path`` from being PDF/A-2b, as far as can be checked offline (empty: none).

    Checked: pikepdf opens it, unencrypted; its XMP declares ``pdfaid:part`` 2 and
    ``pdfaid:conformance`` B; the catalog has a ``GTS_PDFA1`` output intent with an ICC
    profile; every font is embedded; and (``validate``) pikepdf's PDF/A validator
    (``pikepdf.pdfa.validate_written``, an allowlist built from the veraPDF rules: it approves
    only what it knows conforms) passes it.
    """
    with _quiet():
        return _pdfa_problems(Path(path), validate)


def _pdfa_problems(path: Path, validate: bool) -> list[str]:
    import pikepdf

    problems = []
    try:
        pdf = pikepdf.open(path)
    except Exception as exc:  # noqa: BLE001
        return [f"not readable by pikepdf ({_reason(exc)})"]
    with pdf:
        if pdf.is_encrypted:
            problems.append("encrypted")
        meta = pdf.open_metadata()
        part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
        if part != "2" or (conformance or "").upper() != "B":
            problems.append(f"XMP declares PDF/A part {part!r} conformance {conformance!r}, not 2 B")
        intents = pdf.Root.get("/OutputIntents")
        if not intents or not any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
            problems.append("no GTS_PDFA1 output intent with an ICC profile")
        from ocrmypdf.pdfa import find_nonembedded_fonts

        missing = find_nonembedded_fonts(pdf)
        if missing:
            problems.append(f"fonts not embedded: {', '.join(sorted(missing))}")
    if validate and not problems:
        from pikepdf.pdfa import validate_written

        report = validate_written(Path(path), "2b")
        if report.verdict != "pass":
            problems.append(f"pikepdf's PDF/A-2b validator: {report.verdict} ({report.summary(limit=3)})")
    return problems
