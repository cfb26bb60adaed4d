"""Small facts about Vietnamese script shared by several stages."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that carry a Vietnamese diacritic (dấu) once NFC-composed, lower case.
_VIET_MARKED = set(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def nfc(text: str) -> str:
    """Unicode NFC: one code point per accented letter, as Vietnamese text is stored."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Remove every Vietnamese diacritic (``Quảng Ngãi`` -> ``Quang Ngai``, ``Đ`` -> ``D``)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case without diacritics, the form rules match on (``Số:`` -> ``so:``); cached, as
    header and layout rules fold the same lines many times over."""
    return strip_diacritics(text).lower()


class _FoldTable(dict):
    """``str.translate`` table of :func:`search_fold`, filled one character at a time."""

    def __missing__(self, code: int) -> str:
        folded = strip_diacritics(chr(code).lower())  # a lone combining mark folds to ""
        self[code] = folded
        return folded


_SEARCH_FOLD = _FoldTable()


def search_fold(text: str) -> str:
    """``text`` as the search index holds it: lower case, no marks, đ as d, character for
    character (``Quảng Ngãi, ĐỨC`` -> ``quang ngai, duc``).  Each character is folded on its
    own, so an NFC character gives one character and a lone combining mark none: a match in
    the folded text maps back to the same characters of the original (:func:`fold_offsets`).
    FTS5's own ``remove_diacritics`` leaves đ as it is, which is why the index is folded here."""
    return text.translate(_SEARCH_FOLD)


def fold_offsets(text: str) -> tuple[str, list[int]]:
    """(:func:`search_fold` of ``text``, the offset in ``text`` of each folded character)."""
    folded, origin = [], []
    for i, ch in enumerate(text):
        piece = _SEARCH_FOLD[ord(ch)]
        folded.append(piece)
        origin.extend([i] * len(piece))
    return "".join(folded), origin


def has_diacritics(word: str) -> bool:
    """True when the word carries at least one Vietnamese diacritic."""
    return any(c in _VIET_MARKED for c in nfc(word).lower())


def diacritic_share(text: str) -> float:
    """Share of alphabetic words that carry a diacritic (about 0.5-0.7 in real Vietnamese)."""
    words = [w for w in _TOKEN_RE.findall(nfc(text)) if w.isalpha()]
    if not words:
        return 0.0
    return sum(has_diacritics(w) for w in words) / len(words)


# Vietnamese syllable shape once diacritics are stripped: optional initial consonant,
# a vowel nucleus of 1-3 letters, optional final consonant.  English words fail it on
# their consonant clusters ("str", "nd", "ck"), which is what tells the two apart.
_SYLLABLE_RE = re.compile(
    r"^(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?$"
)


def is_syllable_shaped(word: str) -> bool:
    """True when the word, stripped of diacritics, has the shape of a Vietnamese syllable."""
    return bool(_SYLLABLE_RE.match(strip_diacritics(word).lower()))


def syllable_share(text: str) -> float:
    """Share of alphabetic words shaped like Vietnamese syllables (0.9+ in Vietnamese text)."""
    words = [w for w in _TOKEN_RE.findall(nfc(text)) if w.isalpha()]
    if not words:
        return 0.0
    return sum(is_syllable_shaped(w) for w in words) / len(words)


# Real Vietnamese (even garbled English-model OCR of it) scores 0.8+; English or French ~0.1-0.3.
MIN_SYLLABLE_SHARE = 0.6


def looks_vietnamese(text: str) -> bool:
    """True when the text is (possibly diacritic-less) Vietnamese rather than another language."""
    return syllable_share(text) >= MIN_SYLLABLE_SHARE
