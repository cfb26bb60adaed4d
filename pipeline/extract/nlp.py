"""The shared spaCy pipeline, built once per process.

A blank multi-language pipeline ("xx") is used: its tokenizer splits "(04",
"sản phẩm)," and "3-4" into syllables, numbers and punctuation, which is what
the rule components need (the blank "vi" tokenizer without pyvi keeps "(04" and
"phẩm)," glued).  The extractors feed it the folded text (no diacritics, lower
case, same length as the input), so token offsets are input offsets.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# The most characters given to spaCy at once.  It refuses a text over ``nlp.max_length``
# (1,000,000; E088), so a longer document is parsed in pieces cut at paragraph or line
# ends, their offsets shifted back into the whole text.  Pieces cost no time: the folded
# text of 990,000 characters of seed 003 parses in 2.95 s whole, 2.17 s in pieces of
# 100,000 (smaller Docs, less memory); a shorter document is one piece, as before.
CHUNK_CHARS = 100_000


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The blank pipeline with the OCOP count components (``ocop_units``, ``ocop_quantities``, ``ocop_counts``)."""
    from pipeline.extract import counts  # noqa: F401  - registers the component factories

    nlp = spacy.blank("xx")
    for name in ("ocop_units", "ocop_quantities", "ocop_counts"):
        nlp.add_pipe(name)
    return nlp


def pieces(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of ``text`` of at most ``size`` characters, one if it fits.

    Each piece ends after a blank line in its second half when there is one, else after
    a line end, else after a space (a line longer than half a piece), else at ``size``.
    """
    spans, start = [], 0
    while len(text) - start > size:
        end, half = start + size, start + size // 2
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, half, end)
            if cut >= 0:
                end = cut + len(sep)
                break
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def parse(text: str, chunk_chars: int = CHUNK_CHARS) -> Iterator[tuple[int, Doc]]:
    """The pipeline run on ``text`` of any length: (offset of each piece in ``text``, its Doc)."""
    nlp = get_nlp()
    for start, end in pieces(text, min(chunk_chars, nlp.max_length)):
        yield start, nlp(text[start:end])
