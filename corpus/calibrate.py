"""Fit the weights of the extraction's confidence model (:mod:`pipeline.extract.confidence`).

Generated scans with exact truth are read as ``vanban eval`` reads them (cleanup, OCR,
restoration, extraction with each item's evidence kept); every predicted item is labelled right
or wrong as the scoring counts it (:func:`corpus.metrics.item_outcomes`).  The logistic model is
fitted on one generated set (``--fit-seed``) and its calibration table measured on another
(``--test-seed``, the set ``vanban eval`` uses by default): held out by corpus seed, so no
document of the test set was seen while fitting.

    python -m corpus.calibrate --out /tmp/calibrate [--fit-seed 1 --fit-docs 10] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from corpus.evaluate import ocr_generated, _ocr_and_restored
from corpus.metrics import calibration, item_outcomes
from pipeline.extract.confidence import FEATURES, SET_WEIGHTS, WEIGHTS, logistic
from pipeline.restore.restorer import Restorer, RestorerOptions
from pipeline.run.process import extract_document


def labelled_items(documents: list, by_page: dict, restorer: Restorer) -> list[dict]:
    """Every item extracted from the documents with truth: level, doc, field, features, confidence, right."""
    rows = []
    for doc in documents:
        if doc.truth_extraction is None:
            continue
        ocr_doc, restored = _ocr_and_restored(doc, by_page, restorer)
        predicted = extract_document(restored, ocr_doc, explain=True)
        for name, item, right in item_outcomes(predicted, doc.truth_extraction):
            rows.append({"level": doc.level, "doc": doc.doc_id, "field": name, "right": right,
                         "features": [item["evidence"][f] for f in FEATURES], "confidence": item["confidence"]})
    return rows


def fit_weights(rows: list[dict], fixed: dict[int, float], l2: float = 1.0, steps: int = 50) -> tuple[float, ...]:
    """Logistic regression (Newton's method, an L2 penalty) of right on the features, the weights of
    ``fixed`` (index into the weights, 0 the intercept -> value) held at their values; a fitted weight
    that comes out with the wrong sign (evidence against an item raising its confidence: too few
    examples) is held at 0 instead, and the rest is fitted again."""
    x = np.array([[1.0, *r["features"]] for r in rows])
    y = np.array([float(r["right"]) for r in rows])
    signs = np.array([0.0, 1.0] + [-1.0] * (x.shape[1] - 2))  # required sign of each weight (0: free)
    held = dict(fixed)
    while True:
        w = np.zeros(x.shape[1])
        for i, v in held.items():
            w[i] = v
        free = np.array([i not in held for i in range(x.shape[1])])
        offset = x[:, ~free] @ w[~free]
        xs = x[:, free]
        for _ in range(steps):
            p = 1 / (1 + np.exp(-(offset + xs @ w[free])))
            grad = xs.T @ (p - y) + l2 * w[free]
            hess = (xs * (p * (1 - p))[:, None]).T @ xs + (l2 + 1e-9) * np.eye(int(free.sum()))
            w[free] -= np.linalg.solve(hess, grad)
        wrong = [i for i in range(x.shape[1]) if free[i] and signs[i] * w[i] < 0]
        if not wrong:
            return tuple(round(float(v), 3) for v in w)
        held.update({i: 0.0 for i in wrong})


def table(rows: list[dict], weights: tuple[float, ...]) -> list[dict]:
    """The calibration table of ``rows`` scored with ``weights``."""
    return calibration((logistic(weights, r["features"]), r["right"]) for r in rows)


def main(argv: list[str] | None = None) -> None:
    """Fit on one generated set, measure on another, print both tables and the weights."""
    from corpus.evalset import build_eval_set

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fit-seed", type=int, default=1)
    parser.add_argument("--fit-docs", type=int, default=10, help="generated documents per level to fit on")
    parser.add_argument("--test-seed", type=int, default=0)
    parser.add_argument("--test-docs", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    restorer = Restorer(RestorerOptions.find())
    sets = {}
    for name, seed, n in (("fit", args.fit_seed, args.fit_docs), ("test", args.test_seed, args.test_docs)):
        documents = build_eval_set(args.out / f"seed{seed}", docs_per_level=n, seed=seed)
        by_page, _ = ocr_generated(documents, args.workers)
        sets[name] = labelled_items(documents, by_page, restorer)
    weights = fit_weights(sets["fit"], {1 + FEATURES.index(name): w for name, w in SET_WEIGHTS.items()}, l2=0.1)
    report = {"features": FEATURES, "weights": weights, "shipped_weights": WEIGHTS,
              "items": {k: len(v) for k, v in sets.items()},
              "fit": table(sets["fit"], weights), "test": table(sets["test"], weights),
              "test_shipped": calibration((r["confidence"], r["right"]) for r in sets["test"])}
    (args.out / "calibration.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
