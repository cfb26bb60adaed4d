"""What a token is, for the language model's text and for the text being restored.

Both sides of the LM read text through this module: :func:`pipeline.restore.lm.text_runs`
cuts training text into runs of LM tokens (``models.build``, ``vanban train-lm``), and
:class:`pipeline.restore.restorer.Restorer` cuts the text it restores into runs of word slots.

* A whitespace-separated token is ``lead + core + trail`` (:func:`split_token`): the
  punctuation around a word is not part of it.
* A syllable of the LM is 1-7 lower-case Vietnamese letters (:data:`SYLLABLE_RE`) in modern
  tone placement (:func:`modern_tone_placement`); :func:`normalise_token` gives a token's LM form.
* A number is one LM token, :data:`NUMBER_TOKEN` ("năm 2024", "số 69" teach the LM what
  precedes numbers) (:func:`is_number`), and so is a document number ("số 01/KH-UBND")
  (:func:`is_document_number`).
* Sentence punctuation in a token's lead or trail ends a run (:func:`breaks_run`).

The restorer reads OCR output and its rules were tuned on it; where it reads differently
from the training side, the difference is the ``ocr=True`` variant here.  Each is a
train/serve skew, kept as it was (changing either side changes the shipped LM or the
restored text, so it is a measured change of its own):

* letters: "&" and "¢" are letters English-model OCR wrote for "a" and "e"
  (:data:`OCR_LETTERS`): the restorer keeps them in the core, training text strips them;
* numbers: the restorer also reads "8:30", "2024-2025", "1+2" as a number (":", "%", "+",
  "-", "–" inside); training text ends the run there;
* document numbers: training text takes digits, "/", "." or "-", then anything up to a
  letter ("01/KH-UBND", also "1.a"); the restorer any token with "/" or "-" that starts with
  a digit and is not a number ("01/KH-UBND", also "12a/KH");
* run breaks: training text also ends a run at "," "…" or "|" in a lead or a trail; the
  restorer at "," in a trail only (:data:`SENTENCE_BREAK` and :data:`CLAUSE_BREAK`);
* words joined by "-" or "/" ("sao/trên"): training text keeps them when all lower case,
  the restorer when each is lower or Title case and the whole is not Title case (each
  side's own rule, in :func:`pipeline.restore.lm.text_runs` and ``Restorer._slots_for``).
"""
from __future__ import annotations

import re
import unicodedata

NUMBER_TOKEN = "<num>"

# A syllable of the LM's vocabulary: lower-case Vietnamese letters (NFC), at most 7.
SYLLABLE_RE = re.compile(r"^[a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]{1,7}$")

# Letters English-model OCR writes for Vietnamese ones ("&" for "a", "¢" for "e").
OCR_LETTERS = "&¢"

_EDGES = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.DOTALL)
_OCR_EDGES = re.compile(rf"^([^\w{OCR_LETTERS}]*)(.*?)([^\w{OCR_LETTERS}]*)$", re.DOTALL)

_NUMBER_RE = re.compile(r"^\d[\d.,/]*$")
_OCR_NUMBER_RE = re.compile(r"^[\d.,:/%+\-–]+$")
_DOCUMENT_NUMBER_RE = re.compile(r"^\d+[/.-][\w./-]*[^\W\d_]")

# Punctuation that ends a sentence or a quoted / bracketed part: a run ends there.
SENTENCE_BREAK = frozenset(".;:!?()[]\"“”")
# Punctuation that ends a run of training text too ("," also in the restorer, after a word).
CLAUSE_BREAK = frozenset(",…|")


def split_token(token: str, ocr: bool = False) -> tuple[str, str, str]:
    """``(lead, core, trail)`` of a whitespace-free token: the punctuation before the word, the
    word, the punctuation after it (``"(số"`` -> ``("(", "số", "")``).  ``ocr``: "&" and "¢"
    are letters.  A token without a word is all lead."""
    # (both patterns match every string, in three groups)
    return (_OCR_EDGES if ocr else _EDGES).match(token).groups()  # type: ignore[union-attr, return-value]


def is_number(core: str, ocr: bool = False) -> bool:
    """True for a number the LM sees as :data:`NUMBER_TOKEN` ("2024", "22/3/2024", "1.234,5");
    ``ocr``: also with ":", "%", "+", "-", "–" inside ("8:30", "2024-2025")."""
    return bool((_OCR_NUMBER_RE if ocr else _NUMBER_RE).match(core))


def is_document_number(core: str, ocr: bool = False) -> bool:
    """True for a document number ("01/KH-UBND"), context like any number.  ``ocr``: for a
    core that :func:`is_number` did not take, any with "/" or "-" that starts with a digit."""
    if ocr:
        return core[:1].isdigit() and ("/" in core or "-" in core)
    return bool(_DOCUMENT_NUMBER_RE.match(core))


def breaks_run(edge: str, ocr: bool = False, trail: bool = False) -> bool:
    """True when punctuation ``edge`` (a token's lead, or its trail when ``trail``) ends a run:
    :data:`SENTENCE_BREAK` or :data:`CLAUSE_BREAK` in training text; ``ocr``:
    :data:`SENTENCE_BREAK`, or "," in a trail."""
    if ocr:
        return any(c in SENTENCE_BREAK for c in edge) or (trail and "," in edge)
    return any(c in SENTENCE_BREAK or c in CLAUSE_BREAK for c in edge)


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _strip(s: str) -> str:
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFD", s.replace("đ", "d")) if not unicodedata.combining(c)))


def modern_tone_placement(syl: str) -> str:
    """Put the tone of open "oa", "oe", "uy" on the first vowel (hoá -> hóa, thuỷ -> thủy)."""
    base = _strip(syl)
    if not base.endswith(("oa", "oe", "uy")) or base.startswith("qu") or base.endswith("uoa"):
        return syl
    decomposed = unicodedata.normalize("NFD", syl)
    tone = next((c for c in decomposed if c in _TONES), None)
    if tone is None:
        return syl
    chars = [c for c in decomposed if c != tone]
    letters = [i for i, c in enumerate(chars) if not unicodedata.combining(c)]
    insert_at = letters[-2] + 1
    while insert_at < len(chars) and unicodedata.combining(chars[insert_at]):
        insert_at += 1
    chars.insert(insert_at, tone)
    return unicodedata.normalize("NFC", "".join(chars))


def normalise_token(token: str) -> str | None:
    """Lower-case syllable (modern tone placement), ``<num>`` for numbers, None for anything else."""
    if is_number(token):
        return NUMBER_TOKEN
    low = token.lower()
    if SYLLABLE_RE.match(low):
        return modern_tone_placement(low)
    return None
