"""`vanban eval`: the command, kept with the evaluation it runs.

The product's command line (pipeline/cli/main.py) lists it by the name pyproject.toml gives
as a ``vanban.commands`` entry point and imports this module only when it is asked for, so the
product never depends on the evaluation.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from corpus.degrade import EVAL_LEVELS
from corpus.report import print_eval, print_real, results_console


@click.command(name="eval")
@click.option("--level", "levels", multiple=True, type=click.Choice(EVAL_LEVELS),
              help="Degradation level(s) to measure (default: all three).")
@click.option("--docs-per-level", default=6, show_default=True, help="Generated documents per level.")
@click.option("--seed", default=0, show_default=True, help="Seed of the generated corpus.")
@click.option("--workers", type=int, default=None, help="Processes for OCR (default: cores).")
@click.option("--out", "out_dir", default="out/eval", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the generated corpus and the JSON report.")
@click.option("--json", "json_path", type=click.Path(path_type=Path),
              help="Where to write the JSON report (default: OUT/eval.json).")
@click.option("--archive", "archive", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Text files/folders of your own archive: restoration is measured again with an LM "
                   "trained on them (as `vanban train-lm` would; written under OUT, not installed).")
@click.option("--real", "real", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Instead: score header fields and the stored text's line CER on real scanned pages "
                   "(a folder like ../shared/realscans: manifest.tsv, scans/, truth/).")
@click.option("--cache", "cache", type=click.Path(file_okay=False, path_type=Path),
              help="With --real or --garbled: keep each page's OCR here, so re-scoring after an extractor change "
                   "skips Tesseract (keyed by the OCR settings).")
@click.option("--garbled", is_flag=True,
              help="Instead: restoration of generated garbled documents (text the OCR channel never saw) "
                   "per scanning condition, OCR'd with -l eng and -l vie (OCR kept under OUT/garbled_cache "
                   "or --cache).")
def eval_command(levels, docs_per_level, seed, workers, out_dir, json_path, archive, real, cache,
                 garbled) -> None:
    """Measure OCR, restoration and extraction against exact ground truth."""
    if garbled:
        from corpus.eval_garbled import evaluate_garbled, format_report

        report = evaluate_garbled(cache=cache or out_dir / "garbled_cache")
        json_path = json_path or out_dir / "eval_garbled.json"
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        results_console().print(format_report(report), highlight=False)
        results_console().print(f"report written to {json_path}", highlight=False)
        return
    if real is not None:
        from corpus.eval_real import run_real_eval

        report = run_real_eval(real, workers or os.cpu_count() or 1, cache)
        json_path = json_path or out_dir / "eval_real.json"
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print_real(report)
        results_console().print(f"report written to {json_path}", highlight=False)
        return
    from corpus.evaluate import DEFAULT_SHARED, run_eval

    report = run_eval(out_dir, tuple(levels) or EVAL_LEVELS, docs_per_level, seed, workers, DEFAULT_SHARED,
                      archive=list(archive) or None)
    json_path = json_path or out_dir / "eval.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print_eval(report)
    results_console().print(f"report written to {json_path}", highlight=False)
