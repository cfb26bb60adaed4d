"""A store's own language model (mô hình ngôn ngữ của kho): the restorer adapts to the user's
archive without being asked.

The pages a store can trust as Vietnamese running text (:meth:`pipeline.run.store.Store.trusted_texts`:
PDF text layers, typed text files that kept their marks, OCR pages read surely) are the best
sample there is of the archive's own words, names and formulas ("HĐND tỉnh", "Quyết định số",
the province's communes).  When enough of them have accumulated, a run trains a trigram LM on
them beside the store (:func:`pipeline.resources.store_lm_path`); later runs interpolate it with
the shipped one (``RestorerOptions.store_lm``), and its fingerprint in the pipeline key has their
stored documents restored again from their cached OCR.  ``vanban train-lm --from-store`` does
the same on demand.

Measured with 575 legal texts (../shared/corpus/vbpl) standing for the trusted pages: 001 WER
0.047 -> 0.031, 003/004 with marks stripped 95.7/95.6% -> 97.3/97.3% of words right, real pages'
line CER 0.0114 -> 0.0108 (pipeline/restore/restorer.py, STORE_LM_WEIGHT).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..resources import store_lm_path
from ..restore.lm import train_lm_texts
from .store import Store

# An OCR page read at this mean Tesseract confidence or more is trusted text (its marks mended):
# the 23 real scans read at 91.6-94.7 and carry about 1 wrong character in 100 after mending
# (line CER 0.011): a few wrong words in a text the trigrams average over.
TRUSTED_OCR_CONFIDENCE = 90.0
# Trained once the store trusts this many words (~100 pages of a report), and again each time
# the trusted text has doubled: every retraining restores the whole store again, so the work it
# causes stays within twice the store's size.
MIN_WORDS = 50_000
GROWTH = 2.0
_WORDS_KEY = "store_lm_words"


@dataclass(frozen=True)
class StoreLM:
    """A store's own LM as trained: where it is and how many trusted words it learnt from."""

    path: Path
    words: int


def train_store_lm(store: Store, out: Path | None = None) -> StoreLM:
    """Train ``store``'s own LM on its trusted pages now (``vanban train-lm --from-store``);
    written atomically, so a run loading it meanwhile reads the old model or the new one."""
    return _train(store, store.trusted_words(TRUSTED_OCR_CONFIDENCE), out)


def refresh_store_lm(store: Store) -> StoreLM | None:
    """Train ``store``'s own LM when it trusts :data:`MIN_WORDS` words and twice what the present
    model learnt from (:data:`GROWTH`); None when it is not time yet."""
    words = store.trusted_words(TRUSTED_OCR_CONFIDENCE)
    last = int(store.meta_value(_WORDS_KEY) or 0)
    if words < MIN_WORDS or (store_lm_path(store.path).is_file() and words < GROWTH * last):
        return None
    return _train(store, words)


def _train(store: Store, words: int, out: Path | None = None) -> StoreLM:
    """Train on the store's trusted pages, ``words`` of them (counted once by the caller)."""
    if words == 0:
        raise ValueError(f"{store.path}: no trusted text yet (text layers, typed text, OCR pages read at "
                         f"confidence >= {TRUSTED_OCR_CONFIDENCE:g})")
    target = Path(out) if out is not None else store_lm_path(store.path)
    temp = target.with_name(target.name.removesuffix(".npz") + f".{os.getpid()}.tmp.npz")
    try:
        train_lm_texts(store.trusted_texts(TRUSTED_OCR_CONFIDENCE), temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    if out is None:
        store.set_meta(_WORDS_KEY, str(words))
    return StoreLM(target, words)

