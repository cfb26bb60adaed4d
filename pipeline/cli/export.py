"""`vanban pdf INPUT OUTPUT.pdf`: a scan made searchable, as ``ocrmypdf in.pdf out.pdf`` does.

Registered in :mod:`pipeline.cli.main` as ``main.add_command(pdf_command)``; the work is
:mod:`pipeline.export` 's.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import BadArgs


@click.command("pdf")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path))
@click.argument("output", metavar="OUTPUT.pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--redo-ocr", is_flag=True,
              help="OCR pages that already have a text layer too (their old invisible text is replaced).")
@click.option("--hocr", "hocr_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the words, lines and regions as hOCR to this file.")
@click.option("--alto", "alto_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write them as ALTO XML v4 to this file.")
def pdf_command(input_file: Path, output: Path, redo_ocr: bool, hocr_path: Path | None,
                alto_path: Path | None) -> None:
    """Write a PDF or image as a searchable PDF/A-2b: the original pages with vanban's text under them.

    The page images are kept as they are; the invisible text is vanban's final text (marks
    mended, diacritics restored), word by word over the words of the page.  A PDF whose every
    page has a good text layer is copied unchanged unless --redo-ocr.
    """
    from ..export.outputs import document_pages, write_output
    from ..export.pdf import PdfExportError
    from ..restore.restorer import Restorer, RestorerOptions
    from ..run.process import Settings, check_models, finish_document, read_document
    from ..run.runs import run_folder, temp_files_in

    if output.exists() and input_file.exists() and output.samefile(input_file):
        raise BadArgs("OUTPUT.pdf must not be INPUT (the input is read while the output is written)")
    if input_file.suffix.lower() == ".txt":
        raise BadArgs(f"{input_file} is a text file: `vanban pdf` makes scans (PDF or image) searchable")
    restorer = Restorer(RestorerOptions.find())
    check_models(restorer)
    settings = Settings(use_text_layer=not redo_ocr)
    with run_folder() as temp_dir, temp_files_in(temp_dir):
        doc = read_document(input_file, settings)
        restored, _ = finish_document(doc, restorer, settings)
        ocr_pages = [p for p in doc.pages if p.source == "ocr" and p.words]
        texts = {p.number: p.text for p in restored.pages}
        pages = document_pages(ocr_pages, texts)
        try:
            result = write_output("pdf", doc, pages, output)
        except PdfExportError as exc:
            raise PdfExportError(f"could not write {output}: {exc}") from None
        for kind, target in (("hocr", hocr_path), ("alto", alto_path)):
            if target is not None and pages:
                write_output(kind, doc, pages, target)
    if result.how == "passed through":
        click.echo(f"{output}: copied unchanged, every page has its own text layer "
                   f"(--redo-ocr to OCR them)")
        return
    kind = "PDF/A-2b" if result.pdfa else "PDF"
    note = f" ({result.note})" if result.note else ""
    click.echo(f"{output}: {kind}, vanban's text on {len(pages)} of {len(doc.pages)} pages{note}")
