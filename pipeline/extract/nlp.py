"""The shared spaCy pipeline, built once per process.

A blank multi-language pipeline ("xx") is used: its tokenizer splits "(04",
"sản phẩm)," and "3-4" into syllables, numbers and punctuation, which is what
the rule components need (the blank "vi" tokenizer without pyvi keeps "(04" and
"phẩm)," glued).  The extractors feed it the folded text (no diacritics, lower
case, same length as the input), so token offsets are input offsets.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The blank pipeline with the OCOP count components (``ocop_units``, ``ocop_quantities``, ``ocop_counts``)."""
    from pipeline.extract import counts  # noqa: F401  - registers the component factories

    nlp = spacy.blank("xx")
    for name in ("ocop_units", "ocop_quantities", "ocop_counts"):
        nlp.add_pipe(name)
    return nlp
