"""The tables ``vanban eval`` prints from its report (the JSON it also writes)."""
from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table


def results_console() -> Console:
    """Console for results, as the product's commands print them: wide when piped to a file."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def print_real(report: dict) -> None:
    """Per-field outcomes and per-page line CER of ``vanban eval --real``."""
    from corpus.eval_real import OUTCOMES

    out = results_console()
    tab = Table(title=f"Header fields on {report['pages']} real pages ({report['root']}): "
                      f"right {_pct(report['header_right'])} of {report['scored']}")
    tab.add_column("field")
    for col in OUTCOMES + ("right share", "wrong in filled-in"):
        tab.add_column(col, justify="right")
    for name, t in report["fields"].items():
        n = sum(t.values())
        filled = t["right"] + t["wrong"] + t["unsure"] + t["invented"]
        tab.add_row(name, *(str(t[o]) for o in OUTCOMES), _pct(t["right"] / n if n else None),
                    f"{t['wrong'] + t['invented']} / {filled}")
    out.print(tab)
    pages = Table(title="Pages")
    for col in ("page", "s", "line CER", "not right"):
        pages.add_column(col, justify="left" if col in ("page", "not right") else "right")
    for row in report["rows"]:
        bad = ", ".join(f"{f}={o}:{row['predicted'].get(f)!r}" for f, o in row["outcomes"].items()
                        if o != "right")
        cer = row.get("line_cer")
        pages.add_row(row["stem"][:40], f"{row['seconds']:.1f}", "-" if cer is None else f"{cer:.4f}",
                      row["error"] or bad)
    out.print(pages)
    if report["transcribed_pages"]:
        out.print(f"stored-text line CER on {report['transcribed_pages']} transcribed pages: mean "
                  f"{report['line_cer_mean']:.4f}, max {report['line_cer_max']:.4f}", highlight=False)
    if report.get("calibration"):
        _print_calibration({"real pages' items (vs. their transcription's)": report["calibration"]})
    out.print(f"eval --real finished in {report['seconds']:.0f} s", highlight=False)


def _pct(value) -> str:
    """A share as a percentage with two decimals, '-' when there is none."""
    return "-" if value is None else f"{100 * value:.2f}%"


# The restoration figures of `vanban eval`, as its tables name them.
_RESTORATION_LABELS = {"001_vs_gold": "001 garbled OCR vs gold/001_restored.txt",
                       "003_stripped": "003 with all diacritics stripped",
                       "004_stripped": "004 with all diacritics stripped"}


def _print_archive(archive: dict, shipped_seeds: dict | None, shipped_levels: dict) -> None:
    """Restoration with the shipped model beside the same with the archive's LM added."""
    out = results_console()
    title = (f"Restoration with an LM trained on {', '.join(archive['archive'])} "
             f"({archive['train_s']:.0f} s to train) vs the shipped model")
    tab = Table(title=title)
    for col in ("text", "shipped model", "with the archive LM"):
        tab.add_column(col, justify="left" if col == "text" else "right")
    if archive["seeds"]:
        for key, value in archive["seeds"].items():
            tab.add_row(f"{_RESTORATION_LABELS.get(key, key)}: word accuracy",
                        _pct((shipped_seeds or {}).get(key)), _pct(value))
    for level, row in archive["levels"].items():
        tab.add_row(f"generated {level}: WER cleanup+OCR → restored",
                    f"{_pct(shipped_levels[level]['wer_ocr'])} → {_pct(shipped_levels[level]['wer_restored'])}",
                    f"{_pct(row['wer_ocr'])} → {_pct(row['wer_restored'])}")
    out.print(tab)


def _print_calibration(tables: dict[str, list[dict] | None]) -> None:
    """Confidence bin -> items and share right, one pair of columns per set of items measured."""
    from corpus.metrics import SURE_CONFIDENCE, SURE_SHARE

    tables = {name: rows for name, rows in tables.items() if rows}
    if not tables:
        return
    tab = Table(title=f"Confidence of extracted items: share right per bin (required: >= {SURE_SHARE:.0%} "
                      f"at >= {SURE_CONFIDENCE})")
    tab.add_column("confidence")
    for name in tables:
        tab.add_column(f"{name}: items", justify="right")
        tab.add_column("right", justify="right")
    first = next(iter(tables.values()))
    for n, row in enumerate(first):
        cells = [cell for rows in tables.values() for cell in (str(rows[n]["items"]), _pct(rows[n]["share_right"]))]
        tab.add_row(f"{row['low']:.1f}-{row['high']:.1f}", *cells)
    results_console().print(tab)


def print_eval(report: dict) -> None:
    """The tables of ``vanban eval``: OCR per level, extraction, restoration, archive LM, annex tables."""
    out = results_console()
    scans = report["scans"]
    table = Table(title=f"OCR on the generated corpus ({scans['pages']} pages, "
                        f"{scans['pages_per_min']:.1f} pages/min with {scans['workers']} workers)")
    ocrmypdf = scans.get("ocrmypdf") is True
    cols = ["level", "pages", "CER raw"] + (["CER OCRmyPDF"] if ocrmypdf else []) + [
        "CER cleanup+OCR", "CER restored", "WER raw"] + (["WER OCRmyPDF"] if ocrmypdf else []) + [
        "WER cleanup+OCR", "WER restored", "pages/min (1 core)"]
    for col in cols:
        table.add_column(col, justify="left" if col == "level" else "right")
    stages = ("raw", "ocrmypdf", "ocr", "restored") if ocrmypdf else ("raw", "ocr", "restored")
    for level, row in scans["levels"].items():
        table.add_row(level, str(row["pages"]),
                      *(_pct(row.get(f"{m}_{s}")) for m in ("cer", "wer") for s in stages),
                      f"{row['pages_per_min_one_core']:.1f}")
    out.print(table)

    ext = Table(title="Extraction against ground truth (P / R / F1)")
    for col in ("source", "doc_refs", "dates", "counts", "money", "header right"):
        ext.add_column(col, justify="left" if col == "source" else "right")

    def add(source: str, scores: dict) -> None:
        cells = [f"{s['precision']:.2f} / {s['recall']:.2f} / {s['f1']:.2f}"
                 for s in (scores[f] for f in ("doc_refs", "dates", "counts", "money"))]
        ext.add_row(source, *cells, _pct(scores["header"]["accuracy"]))

    seeds = report.get("seeds")
    if seeds:
        for prefix, scores in seeds["extraction"].items():
            add(f"seed {prefix} (text)", scores)
    for level, row in scans["levels"].items():
        if row["extraction"]:
            add(f"generated {level} (OCR+restore)", row["extraction"])
    out.print(ext)
    _print_calibration({"generated scans": scans.get("calibration"),
                        "seed texts": seeds["extraction"]["all"].get("calibration") if seeds else None})
    if seeds:
        rest = Table(title="Diacritic restoration: word accuracy")
        rest.add_column("text")
        rest.add_column("word accuracy", justify="right")
        for key, value in seeds["restoration"].items():
            rest.add_row(_RESTORATION_LABELS.get(key, key), _pct(value))
        out.print(rest)
    archive = report.get("archive")
    if archive:
        _print_archive(archive, seeds["restoration"] if seeds else None, scans["levels"])
    annex = report.get("annex")
    if annex:
        tab = Table(title=f"Annex tables (Phụ lục): {annex['pages_per_level']} generated pages a level, "
                          f"{annex['rows_per_page']} rows x 5 columns, cleanup + read_tables")
        for col in ("level", "pages", "tables found", "upright", "grid shape right", "cells exactly right",
                    "cell CER", "s/page (1 core)"):
            tab.add_column(col, justify="left" if col == "level" else "right")
        for level, row in annex["levels"].items():
            tab.add_row(level, str(row["pages"]), f"{row['tables_found']} / {row['pages']}",
                        f"{row['upright']} / {row['pages']}",
                        f"{row['grid_ok']} / {row['pages']}", _pct(row["cell_exact_rate"]),
                        _pct(row["cell_cer"]), f"{row['seconds_per_page']:.1f}")
        out.print(tab)
    if report.get("note"):
        out.print(report["note"], highlight=False)
    if isinstance(scans.get("ocrmypdf"), str):
        out.print(f"OCRmyPDF {scans['ocrmypdf']}", highlight=False)
    out.print(f"eval finished in {report['total_s']:.0f} s", highlight=False)
