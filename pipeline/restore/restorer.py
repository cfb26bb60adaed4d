"""Diacritic (dấu) restoration for text OCR'd with an English model.

An English OCR model turns ``Quảng Ngãi`` into ``Quang Ngéi`` and ``số`` into
``s6``.  This stage is a noisy channel decoded per sentence:

* **candidates** for each word: lexicon syllables whose stripped form matches
  one of the word's OCR-normalised readings (``s6`` -> ``so``, ``ciia`` ->
  ``cua``), plus an edit-distance search over the stripped-syllable inventory
  for words no reading explains;
* **channel** (:mod:`pipeline.restore.channel`): a weighted edit cost between the OCR
  word and the diacritised candidate whose letter costs are learned from
  rendered + OCR'd pages (``pipeline/data/channel.json``), hand-set costs filling gaps;
* **language model** (:mod:`pipeline.restore.lm`): syllable trigrams with interpolated
  modified Kneser-Ney, built by ``models.build`` from package text, linearly
  interpolated with a user model from ``vanban train-lm`` when there is one;
* **decode**: trigram beam search (states = last two syllables) over each run.

A :class:`Restorer` reads the files its :class:`RestorerOptions` name and nothing else: the
command line and the run build one (:meth:`RestorerOptions.find` gives the product's setup)
and hand it to whoever restores; there is no shared default restorer.  Text is cut into
tokens and runs as :mod:`pipeline.restore.tokens` says (as the LM's training text is).

Per document, text that already carries Vietnamese marks is trusted by
:meth:`Restorer.restore_text` (only words no syllable spells are restored); per
token, a word Tesseract read with high confidence that is a valid syllable is
kept (``word_confidences``).

Modern Tesseract ``vie`` output has its letters right but misreads stacked
marks (``thể`` -> ``thế``, ``tổng`` -> ``tống``): :meth:`Restorer.correct_marks`
decodes it with the same LM, each word's candidates being the syllables spelled
with the same letters, priced by :class:`pipeline.restore.channel.MarkChannel` (learned
from rendered + ``-l vie`` OCR'd pages).  :meth:`Restorer.restore_ocr_page`
picks per page: restore (no marks) or mend (marks).

Two features beyond the n-grams: a mid-sentence Title-case word is likelier a
name or agency (``Sở``, ``Phòng``: case counts from the bundled running text),
and one syllable cannot close one dictionary word and open the next
(``địa bàn`` + ``bàn tính``: a small penalty).

Document codes (``69/KH-UBND``), numbers, e-mails, URLs, acronyms and
punctuation pass through untouched, except that the ``Đ`` English OCR loses in
codes is put back (``Qb-UBND`` -> ``QĐ-UBND``).
"""
from __future__ import annotations

import hashlib
import heapq
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .channel import NATS_PER_EDIT, SHAPE, MarkChannel, OcrChannel, load_channel
from .lm import MixtureLM, NgramLM
from .tokens import (OCR_LETTERS, breaks_run, is_document_number, is_number, modern_tone_placement,
                     split_token)
from .. import resources
from ..script import nfc, strip_diacritics

# Weight of a user LM (vanban train-lm) in the linear interpolation with the shipped one.
USER_LM_WEIGHT = 0.7
# Weight of a store's own LM (pipeline.run.adapt) against the rest (shipped, and user when there
# is one).  With 575 legal texts (../shared/corpus/vbpl) as the trusted pages, weights 0.3 / 0.5 /
# 0.7 gave: 001 WER 0.047 -> 0.030 / 0.031 / 0.032, 003 stripped 95.7% -> 97.0 / 97.3 / 97.5%,
# 004 95.6% -> 97.1 / 97.3 / 97.2%, real pages' line CER 0.0114 -> 0.0109 / 0.0108 / 0.0106.
STORE_LM_WEIGHT = 0.5


@dataclass(frozen=True)
class RestorerOptions:
    """Everything a :class:`Restorer` reads, named explicitly: the model files and the user
    LM's weight.  Frozen and picklable, so the run hands it to the page workers.

    ``lm``: None for the LM the lexicon names (``lm.npz`` beside it); ``user_lm``: a model
    from ``vanban train-lm`` interpolated with the shipped one (None: none).
    """

    lexicon: Path
    lm: Path | None = None
    channel: Path = resources.CHANNEL_PATH
    user_lm: Path | None = None
    user_weight: float = USER_LM_WEIGHT
    store_lm: Path | None = None  # the store's own LM (pipeline.run.adapt), None: none
    store_weight: float = STORE_LM_WEIGHT

    def __post_init__(self) -> None:
        for name in ("lexicon", "lm", "channel", "user_lm", "store_lm"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))

    @classmethod
    def find(cls, models: Path | str | None = None, user_lm: bool = True,
             store: Path | str | None = None) -> "RestorerOptions":
        """The product's setup: the models of :func:`pipeline.resources.models_dir` (``models``
        or ``$VANBAN_MODELS`` or ``models/built``…), when ``user_lm`` the user LM at
        :func:`pipeline.resources.user_lm_path` and, for a ``store``, its own LM
        (:func:`pipeline.resources.store_lm_path`), each if that file exists."""
        found = resources.user_lm_path() if user_lm else None
        return cls(lexicon=resources.model_file(resources.LEXICON_FILE, models),
                   user_lm=found if found is not None and found.exists() else None).for_store(store)

    def for_store(self, store: Path | str | None) -> "RestorerOptions":
        """These options with ``store``'s own LM when it has one (else unchanged)."""
        found = resources.store_lm_path(store) if store is not None else None
        return replace(self, store_lm=found) if found is not None and found.is_file() else self


class LexiconMissing(FileNotFoundError):
    """The built lexicon is absent: ``make setup`` (or ``python -m models.build``) was not run."""


# ---------------------------------------------------------------------------
# Vietnamese letters and OCR confusions

_VIET_LETTERS = set(SHAPE) | set("bcdđghklmnpqrstvx")
# Letters only Vietnamese has (a French/English OCR model never produces them):
# their presence means the text already carries real Vietnamese marks.
_VIET_ONLY = set("ảãạăằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏõọồốổỗộơờớởỡợủũụưừứửữựỳỷỹỵđ")

# Readings tried before searching the inventory: whole-string rewrites seen in
# English OCR of Vietnamese ("ii" is the hook of "ủ", "rn" is "m").
_READINGS = (("ii", "u"), ("rn", "m"), ("cl", "d"), ("tir", "tu"), ("1", "l"), ("1", "i"))
_CHAR_READINGS = str.maketrans({"6": "o", "0": "o", "4": "a", "3": "a", "8": "e", "&": "a", "¢": "e", "w": "u"})

# Acronyms whose Đ English OCR reads as D/b; applied only to code-like tokens.
_CODE_D_FIX = {"QD": "QĐ", "QB": "QĐ", "ND": "NĐ", "BCD": "BCĐ", "VPDP": "VPĐP", "HDND": "HĐND"}
_STANDALONE_D_FIX = {"QD": "QĐ", "BCD": "BCĐ", "VPDP": "VPĐP", "HDND": "HĐND"}

_URL_RE = re.compile(r"^(?:https?://|www\.)|@|\.(?:vn|com|org|net|gov)\b", re.IGNORECASE)
# What a token, a number and a run break are: pipeline.restore.tokens (ocr=True: read as OCR output).
_WORD_CHARS_RE = re.compile(rf"^[\w{OCR_LETTERS}]+$")
_ROMAN_RE = re.compile(r"^[IVXLC]+$")


def case_pattern(token: str) -> str:
    """'upper', 'title' or 'lower' — the shape to give the restored word."""
    letters = [c for c in token if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "upper"
    if letters and letters[0].isupper():
        return "title"
    return "lower"


def apply_case(word: str, pattern: str) -> str:
    """Give ``word`` (lower case) the case ``pattern`` of the original token."""
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word


def fix_code(code: str) -> str:
    """Put back the Đ of ``QĐ``, ``NĐ-CP``, ``BCĐ`` … inside a document code; keep the rest."""
    parts = re.split(r"([/\-])", code)
    for i, part in enumerate(parts):
        key = part.upper()
        fixed = _CODE_D_FIX.get(key)
        if fixed and (part.isupper() or key == "QB"):
            parts[i] = fixed
    return "".join(parts)


# Glyphs OCR takes for a digit inside a code ("COVID-L9" for COVID-19, "2O25" for 2025).
_DIGIT_LOOKALIKES = str.maketrans("lIL|iOoSBZ", "1111100582")


def code_shape(code: str) -> str:
    """``code`` with every digit look-alike read as the digit: equal shapes, same code misread."""
    return code.translate(_DIGIT_LOOKALIKES)


# ---------------------------------------------------------------------------
# Tokens


@dataclass
class _Slot:
    """One word position in a run: what OCR gave and the candidates to decode over."""

    start: int
    end: int
    pattern: str
    candidates: list[tuple[str, float]]  # (lower-case diacritised form, channel cost)
    # False for tokens kept as written that still give the LM context (numbers, acronyms).
    write: bool = True
    # Written as is when the first candidate wins (a vie reading in old tone placement, "hoá",
    # decoded as its modern form "hóa" but left in the document's own style).
    reading: str | None = None
    # Tesseract read it at or above Restorer.PAGE_CACHE_CONFIDENCE: its reading feeds the page cache.
    sure: bool = False
    # The page-cache pair this slot's own reading made with the previous one (not evidence for itself).
    cached_pair: tuple[str, str] | None = None
    # Misread Title-case inside a sentence of an old dump: its case may be wrong too (CASE_BLIND).
    title_inside: bool = False


class Restorer:
    """Holds the built lexicon (loaded lazily, once) and restores text."""

    # Scale between channel edit cost and LM log-probability.
    CHANNEL_WEIGHT = 6.0
    # Penalty for replacing a token that is already a valid marked syllable
    # (in text that carries real Vietnamese marks): keeps clean text intact.
    KEEP_MARKED_BONUS = 6.0
    MAX_CANDIDATES = 12
    FUZZY_LIMIT = 30
    FUZZY_FORMS = 4
    FUZZY_SLACK = 5
    # Hypotheses kept per word by the trigram beam search.
    BEAM = 8
    # Tesseract confidence (0-100) at or above which a word that is a valid syllable is kept as read.
    KEEP_CONFIDENCE = 90.0
    # Mark correction of Tesseract vie output (correct_marks): a word read at or above this
    # confidence is kept; below it a change costs MARK_CONFIDENCE_NATS * (conf - 50) / 50
    # nats on top of the channel; alternatives dearer than MARK_MAX_NATS are not tried.
    MARK_KEEP_CONFIDENCE = 99.0
    MARK_CONFIDENCE_NATS = 0.0
    MARK_MAX_NATS = 9.0
    # Capitals carry their marks in the little room above the cap height, and Tesseract vie
    # loses or changes them more often there ("PHO CHỦ TỊCH", "TINH QUẢNG NGAI") than on small
    # letters, where the mark channel was learnt: their mark changes cost this share.
    UPPER_MARK_SCALE = 0.5
    # Keeping a marked word that spells no Vietnamese syllable ("buỗi", "thể̉") costs this
    # many nats: such a reading is a misread mark, not a name or a foreign word (those carry
    # no Vietnamese tone marks).  Real pages: subjects right 12 -> 13 of 18 ("buỗi"), clean
    # 003/004 keep the same words (0.9987/0.9954), simulated 003 errors 0.9979 -> 0.9981.
    INVALID_KEEP_NATS = 6.0
    # Case feature (see _with_case): weight of log P(case | form) inside a run, and the
    # pseudo-count smoothing it towards the overall Title-case rate.
    CASE_WEIGHT = 0.5
    CASE_PRIOR_COUNT = 5.0
    # Letters whose capital is their small letter drawn bigger (o s v w x z, and ô ơ … on o):
    # an English-model dump prints them in either case at random ("đối V6i", "X& một"), so
    # inside a sentence such a Title-case word that spells no syllable as read, before a
    # lower-case word (a Title word before another starts a name: "Sở Nông nghiệp"), is written
    # in the case the case model finds likelier for the chosen form ("với": lower).  Seed 001:
    # 38 -> 35 word errors; held-out garbled documents (`vanban eval --garbled`, eng) 0.1748 ->
    # 0.1746 WER, but 0.1760 with c too ("Chương trình" is written with its capital).
    CASE_BLIND = frozenset("oswvxz")
    # Word features over Viet74K's two-syllable words, in nats (chosen on held-out legal
    # text, vbpl dev: 95.86% -> 96.93% word accuracy): a pair that forms a word ("hội chợ",
    # "quà tặng") earns a bonus the LM's sparse counts cannot give it; a syllable that would
    # both end one word and start the next ("địa bàn" + "bàn tính") pays a penalty.
    # With the dictionary text in the LM, 1.5 measured 97.69% on vbpl dev against 97.60% for
    # 2.0, but mended OCR pages (eval, moderate/heavy) lost 0.10-0.16 points of WER: kept at 2.
    OVERLAP_PENALTY = 2.0
    WORD_BONUS = 2.0
    # Place feature, in nats: after a unit word (xã, phường, huyện…) a pair that starts a
    # known place name ("xã Phổ Phong", not "xã Phó Phòng"). Chosen on held-out vbpl lines
    # that name places (2,754 words): 95.68% -> 96.70% word accuracy (4 nats: 96.59%);
    # ordinary held-out lines are unchanged.
    PLACE_BONUS = 6.0
    # Page cache (a cache LM, bộ nhớ đệm của trang): a document repeats its own terms, and
    # Tesseract reads most of their occurrences well ("HĐND tỉnh" three times at confidence 96,
    # once "HĐND tính" at 78 in a subject).  A pair of adjacent words both read at or above
    # PAGE_CACHE_CONFIDENCE elsewhere on the page earns PAGE_CACHE_NATS when the decoder
    # puts the same pair together.  Measured in `vanban eval --real` and `vanban eval` (README).
    PAGE_CACHE_CONFIDENCE = 90.0
    PAGE_CACHE_NATS = 3.0
    # Document cache (context beyond trigrams) for text without marks: a document writes the same
    # letters as the same word far more often than a trigram model knows ("tinh" is "tỉnh" in
    # a province's reports), so a second pass gives each form DOC_CACHE_NATS times its share of
    # the first pass's choices for those letters elsewhere in the text.  Held-out legal text
    # (60 vbpl documents, 157,671 words, marks stripped): 96.35% words right without, 96.69% at
    # 1.0, 96.73% at 1.5, 96.60% at 2.5; seeds: 003 226 -> 206 word errors, 004 105 -> 114.
    # Not on OCR garble (_looks_garbled), where the first pass is wrong too often and the cache
    # spreads its errors: held-out garbled documents (`vanban eval --garbled`, eng) 0.1760 ->
    # 0.1782 WER with it, clean 300 DPI 0.049 -> 0.061.  It costs the second decode: restore
    # 8,362 -> 5,724 words/s on stripped text.
    DOC_CACHE_NATS = 1.5

    def __init__(self, options: RestorerOptions, channel: OcrChannel | None = None):
        """``options``: the model files (:meth:`RestorerOptions.find` for the product's);
        ``channel``: an OCR channel to use instead of the learned ``eng`` one."""
        self.options = options
        self.lexicon_path = options.lexicon
        self.lm_path = options.lm
        self.channel = channel or load_channel("eng", options.channel)
        self.mark_channel = MarkChannel(options.channel)
        self.vie_channel = load_channel("vie", options.channel)
        self.user_lm_path = options.user_lm
        self.user_weight = options.user_weight
        self.store_lm_path = options.store_lm
        self.store_weight = options.store_weight
        self._lock = threading.Lock()
        self._loaded = False

    # -- loading ---------------------------------------------------------
    def load(self) -> "Restorer":
        """Read the lexicon and LM built by ``models.build`` (no-op once loaded)."""
        if self._loaded:
            return self
        with self._lock:
            if self._loaded:
                return self
            if not self.lexicon_path.exists():
                raise LexiconMissing(
                    f"diacritic restorer lexicon not found at {self.lexicon_path}: run `make setup` "
                    "(or `python -m models.build`) to build it"
                )
            model = json.loads(self.lexicon_path.read_text(encoding="utf-8"))
            lm_path = self.lm_path or self.lexicon_path.with_name(model.get("lm", "lm.npz"))
            if "lm" not in model or not lm_path.exists():
                raise LexiconMissing(
                    f"diacritic restorer language model not found at {lm_path} (or the lexicon is from an "
                    "older build): run `make setup` (or `python -m models.build`) to build it"
                )
            self.index: dict[str, list[str]] = model["index"]
            self.keys: list[str] = sorted(self.index)
            self.unigram: dict[str, float] = model["unigram_logprob"]
            base = NgramLM(lm_path)
            # P = ws·P_store + (1 - ws)·(wu·P_user + (1 - wu)·P_shipped), each part when it exists.
            parts, rest = [], 1.0
            if self.store_lm_path:
                parts.append((NgramLM(self.store_lm_path), self.store_weight))
                rest = 1.0 - self.store_weight
            if self.user_lm_path:
                parts.append((NgramLM(self.user_lm_path), rest * self.user_weight))
            self.lm = MixtureLM(base, parts)
            self.foreign: set[str] = set(model["foreign"])
            self.number_token: str = model["number_token"]
            self._case_logprob = self._case_model(model.get("case_counts", {}))
            self.word_pairs: frozenset[tuple[str, str]] = frozenset(
                tuple(p.split(" ", 1)) for p in model.get("word_pairs", ()))
            self.place_pairs: frozenset[tuple[str, str]] = frozenset(
                tuple(p.split(" ", 1)) for p in model.get("place_pairs", ()))
            self.place_unit_words: frozenset[str] = frozenset(model.get("place_unit_words", ()))
            self._candidates = lru_cache(maxsize=100_000)(self._candidates_uncached)
            self._loaded = True
        return self

    def _case_model(self, counts: dict[str, list[int]]) -> dict[str, tuple[float, float]]:
        """Per form: (log P(Title | form), log P(lower | form)) inside a sentence, smoothed
        towards the overall rate; forms never seen get the overall rate."""
        title = sum(c[0] for c in counts.values())
        total = sum(c[0] + c[1] for c in counts.values()) or 1
        rate = max(title, 1) / total
        a = self.CASE_PRIOR_COUNT
        out = {}
        for form, (t, n) in counts.items():
            p = (t + a * rate) / (t + n + a)
            out[form] = (math.log(p), math.log(1 - p))
        self._case_default = (math.log(rate), math.log(1 - rate))
        return out

    def _with_case(self, slot: _Slot, misread: bool = False) -> _Slot:
        """Add the case feature to a slot inside a run: a Title-case word there is likely a
        name or an agency (Sở, Phòng), a lower-case one an ordinary word.  ``misread``: the
        token spells no syllable as read ("V6i"), so its case is no evidence either."""
        if slot.pattern == "title" and misread:
            slot = replace(slot, title_inside=True)
        if self.CASE_WEIGHT <= 0 or slot.pattern not in ("title", "lower") or len(slot.candidates) < 2:
            return slot
        k = 0 if slot.pattern == "title" else 1
        default = self._case_default[k]
        scale = self.CASE_WEIGHT / self.CHANNEL_WEIGHT
        table = self._case_logprob
        cands = [(f, c - scale * table.get(f, self._case_default)[k] + scale * default) for f, c in slot.candidates]
        return replace(slot, candidates=cands)

    # -- public API ------------------------------------------------------
    def is_syllable(self, word: str) -> bool:
        """True when ``word`` (any case) is a known diacritised syllable."""
        self.load()
        return nfc(word).lower() in self.unigram

    def is_syllable_key(self, word: str) -> bool:
        """True when ``word`` stripped of marks is the stripped form of a known syllable."""
        self.load()
        return strip_diacritics(nfc(word)).lower() in self.index

    def needs_restoration(self, text: str) -> bool:
        """True for a document whose words lack Vietnamese marks yet read as Vietnamese once stripped."""
        self.load()
        words = [w for w in re.findall(r"[^\W\d_]+", nfc(text)) if len(w) > 1 or w.lower() in "aàáảãạ"]
        if len(words) < 5:
            return False
        viet_only = sum(any(c in _VIET_ONLY for c in w.lower()) for w in words) / len(words)
        syllabic = sum(self.is_syllable_key(w) for w in words) / len(words)
        return viet_only < 0.12 and syllabic > 0.6

    def restore_text(self, text: str, word_confidences: Sequence[float | None] | None = None) -> str:
        """Restore every line of ``text``; same number of lines, same spacing and punctuation.

        ``word_confidences``: optional Tesseract confidences (0-100), one per
        whitespace-separated token of ``text`` in order (``text.split()``), as
        :func:`pipeline.ocr.tesseract.ocr_page` reports them for its words.  A token read
        with confidence >= :attr:`KEEP_CONFIDENCE` that is already a valid
        syllable is kept as OCR read it (it still gives context).  Without
        them every token is decoded.
        """
        self.load()
        return self._restore(nfc(text), word_confidences)

    def _restore(self, text: str, word_confidences: Sequence[float | None] | None,
                 marks: bool = False) -> str:
        trusted = self._carries_real_marks(text)
        lines = text.split("\n")
        if word_confidences is not None and len(word_confidences) != len(text.split()):
            raise ValueError(f"word_confidences has {len(word_confidences)} entries for "
                             f"{len(text.split())} tokens")
        garbled = not trusted and not marks and self._looks_garbled(text)
        runs = self._runs(lines, trusted, word_confidences, marks, garbled=garbled)
        cache = self._page_cache(runs)
        self._mend_codes(runs)
        out = [list(line) for line in lines]
        replacements: list[tuple[int, int, int, str]] = []
        decoded = [self._decode(run, cache) for run in runs]
        if not marks and not garbled and self.DOC_CACHE_NATS > 0:
            decoded = self._with_document_cache(runs, decoded, cache)
        for words in decoded:
            for line_no, slot, word in words:
                replacements.append((line_no, slot.start, slot.end, word))
        # Replace right to left so earlier offsets stay valid.
        for line_no, start, end, word in sorted(replacements, reverse=True):
            out[line_no][start:end] = list(word)
        return "\n".join("".join(chars) for chars in out)

    def correct_marks(self, text: str, word_confidences: Sequence[float | None] | None = None) -> str:
        """Mend the marks of text Tesseract ``vie`` read (``thế`` -> ``thể``, ``tống`` -> ``tổng``).

        Case, spacing and punctuation are kept; a word can only become a syllable spelled with
        the same letters (channel: :class:`pipeline.restore.channel.MarkChannel`), except a
        marked word that spells no syllable, which may also lose one misread letter (the learned
        ``vie`` channel: "piấy" -> "giấy").  ``word_confidences`` (one per
        ``text.split()`` token, 0-100) make a sure word dearer to change.
        """
        self.load()
        return self._restore(nfc(text), word_confidences, marks=True)

    def restore_ocr_page(self, text: str, word_confidences: Sequence[float | None] | None = None) -> str:
        """Restore one OCR'd page: a page without marks (English-model OCR, a stripped dump) is
        restored by :meth:`restore_text`; a page with marks (Tesseract ``vie``) has them mended
        by :meth:`correct_marks`.  ``word_confidences``: Tesseract's, one per ``text.split()`` token."""
        self.load()
        if self.needs_restoration(text):
            return self.restore_text(text, word_confidences)
        if not self._carries_real_marks(nfc(text)):
            return text  # not Vietnamese (or too little of it): leave alone
        return self.correct_marks(text, word_confidences)

    def restore_line(self, line: str, word_confidences: Sequence[float | None] | None = None) -> str:
        """Restore one line (no context from neighbouring lines)."""
        return self.restore_text(line.replace("\n", " "), word_confidences)

    # -- internals -------------------------------------------------------
    # Share of words with a non-ASCII letter that marks text as OCR garble (English-model
    # Tesseract writes é/è/ô for ê, ơ, ...: 001 has ~12%), not text stripped of its marks (0%).
    GARBLED_SHARE = 0.03

    def _looks_garbled(self, text: str) -> bool:
        """True for mark-less text that an English OCR model wrote (``hién``, ``trén``, ``s6``),
        False for Vietnamese merely typed or stripped without marks."""
        words = re.findall(r"[^\W_]+", text)
        if not words:
            return False
        odd = sum(1 for w in words if not w.isascii() or re.search(r"[a-z][0-9&]|[0-9&][a-z]", w))
        return odd / len(words) >= self.GARBLED_SHARE

    def _carries_real_marks(self, text: str) -> bool:
        words = re.findall(r"[^\W\d_]+", text)
        if not words:
            return False
        return sum(any(c in _VIET_ONLY for c in w.lower()) for w in words) / len(words) >= 0.12

    def _runs(self, lines: list[str], trusted: bool,
              confidences: Sequence[float | None] | None = None,
              marks: bool = False, garbled: bool = False) -> list[list[tuple[int, _Slot]]]:
        """Group word slots into runs that share bigram context (broken by codes, numbers, sentence punctuation)."""
        runs: list[list[tuple[int, _Slot]]] = []
        current: list[tuple[int, _Slot]] = []

        def flush() -> None:
            nonlocal current
            if current:
                runs.append(current)
            current = []

        k = -1
        for line_no, line in enumerate(lines):
            for m in re.finditer(r"\S+", line):
                token = m.group()
                k += 1
                conf = confidences[k] if confidences is not None else None
                lead, core, trail = split_token(token, ocr=True)
                if lead and breaks_run(lead, ocr=True):
                    flush()
                core_start = m.start() + len(lead)
                slots = self._slots_for(core, core_start, trusted, conf, marks, garbled)
                if slots and conf is not None and conf >= self.PAGE_CACHE_CONFIDENCE:
                    for slot in slots:
                        slot.sure = True
                if slots is None:
                    flush()
                elif slots[0].pattern == "code":
                    runs.append([(line_no, slots[0])])
                    if is_document_number(core, ocr=True):
                        # "Kế hoạch số 01/KH-PKT": a document number is context like any number.
                        current.append((line_no, _Slot(slots[0].start, slots[0].end, "lower",
                                                       [(self.number_token, 0.0)], write=False)))
                    else:
                        flush()
                else:
                    for slot in slots:
                        if current and slot.write and not marks:
                            slot = self._with_case(slot, misread=not self.is_syllable_key(core))
                        current.append((line_no, slot))
                    if len(slots) > 1:
                        flush()
                if trail and breaks_run(trail, ocr=True, trail=True):
                    flush()
        flush()
        return runs

    def _slots_for(self, core: str, start: int, trusted: bool, conf: float | None = None,
                   marks: bool = False, garbled: bool = False) -> list[_Slot] | None:
        """Slots for one token core, or None when it is not a word (code, number, URL…)."""
        if not core or _URL_RE.search(core):
            return None
        if is_number(core, ocr=True):
            # "năm 2024", "số 69": a number is context for the word before it.
            return [_Slot(start, start + len(core), "lower", [(self.number_token, 0.0)], write=False)]
        if "/" in core or "-" in core:
            parts = re.split(r"[/\-]", core)
            if all(p and p.isalpha() and (p.islower() or p.istitle()) for p in parts) and not core.istitle():
                # "sao/trén": words joined by a slash, restored one by one.
                slots, pos = [], start
                for p in re.split(r"([/\-])", core):
                    if p not in ("/", "-"):
                        s = self._word_slot(p, pos, trusted, conf, marks, garbled)
                        if s is not None:
                            slots.append(s)
                    pos += len(p)
                return slots or None
            return [_Slot(start, start + len(core), "code", [(fix_code(core), 0.0)])]
        if not _WORD_CHARS_RE.match(core):
            return None
        slot = self._word_slot(core, start, trusted, conf, marks, garbled)
        return [slot] if slot else None

    def _word_slot(self, word: str, start: int, trusted: bool, conf: float | None = None,
                   marks: bool = False, garbled: bool = False) -> _Slot | None:
        if marks:
            return self._mark_slot(word, start, conf)
        if conf is not None and conf >= self.KEEP_CONFIDENCE and self.is_syllable(word):
            # Tesseract is sure and the word is valid Vietnamese: keep its reading, use it as context.
            return _Slot(start, start + len(word), "lower", [(word.lower(), 0.0)], write=False)
        slot = self._restorable_slot(word, start, trusted, garbled)
        if slot is None and word.isalpha():
            # Kept as written (acronym, foreign word, name), but still context for its neighbours.
            return _Slot(start, start + len(word), "lower", [(word.lower(), 0.0)], write=False)
        return slot

    def _mark_slot(self, word: str, start: int, conf: float | None) -> _Slot:
        """A word of Tesseract ``vie`` output: its reading, or a syllable with the same letters
        and other marks, priced by the mark channel (and by how sure Tesseract was)."""
        written = word.lower()
        # The LM and the lexicon use modern tone placement (hóa, thủy); old style (hoá, thuỷ)
        # is decoded as modern and, if kept, written back as it was.
        lower = modern_tone_placement(written)
        pattern = case_pattern(word)
        keep = _Slot(start, start + len(word), "lower", [(lower, 0.0)], write=False)
        if not word.isalpha() or (pattern == "upper" and not self.is_syllable(lower)
                                  and strip_diacritics(lower) not in self.index):
            return keep  # acronyms (UBND), mixed tokens: context only ("TICH" is "TỊCH" unmarked)
        if conf is not None and conf >= self.MARK_KEEP_CONFIDENCE and self.is_syllable(lower):
            return keep
        forms = self.index.get(strip_diacritics(lower), [])
        if not forms and self.is_syllable(lower):
            return keep
        # Confidence makes a change dearer: sure words move only on strong LM evidence.
        sure = self.MARK_CONFIDENCE_NATS * max(0.0, (conf if conf is not None else 90.0) - 50.0) / 50.0
        mark_cost = self.mark_channel.cost
        keep_nats = 0.0
        misread = any(c in _VIET_ONLY for c in lower) and not self.is_syllable(lower)
        if misread:
            keep_nats = self.INVALID_KEEP_NATS
        candidates = [(lower, keep_nats / self.CHANNEL_WEIGHT)]
        scale = self.UPPER_MARK_SCALE if pattern == "upper" else 1.0
        for f in forms:
            if f != lower:
                nats = scale * mark_cost(lower, f) + sure
                if nats <= self.MARK_MAX_NATS:
                    candidates.append((f, nats / self.CHANNEL_WEIGHT))
        if misread and (word.islower() or pattern == "title" and word[1:].islower()):
            # (not "SởNN": a syllable glued to an acronym is no misread letter)
            candidates += self._letter_candidates(lower, {f for f, _ in candidates}, sure)
        if len(candidates) == 1:
            return keep
        return _Slot(start, start + len(word), pattern, candidates[: self.MAX_CANDIDATES],
                     reading=word if lower != written else None)

    def _letter_candidates(self, lower: str, known: set[str], sure: float) -> list[tuple[str, float]]:
        """Syllables one letter away from a marked word that spells none ("piấy", "irường"):
        Tesseract ``vie`` also misreads a letter (g as p, t as l or I), priced by its learned
        channel."""
        base = strip_diacritics(lower)
        if len(base) < 2:
            return []
        channel = self.vie_channel
        doubled = {base[:i] + base[i + 1:] for i in range(1, len(base)) if base[i] == base[i - 1]}
        out = []
        for key, _, _ in process.extract(base, self.keys, scorer=Levenshtein.distance,
                                         limit=self.FUZZY_LIMIT, score_cutoff=1):
            if key == base or (len(key) != len(base) and key not in doubled):
                continue  # the same letters are the mark channel's to price; a letter lost or
                # added is rarer in vie print than a syllable it would make ("sặm" -> "âm"),
                # but for a vowel printed twice, once per mark ("tiêệp")
            for f in self.index[key]:
                if f in known:
                    continue
                nats = channel.bounded_cost(lower, f, self.MARK_MAX_NATS / NATS_PER_EDIT) * NATS_PER_EDIT + sure
                if nats <= self.MARK_MAX_NATS:
                    out.append((f, nats / self.CHANNEL_WEIGHT))
        return out

    def _restorable_slot(self, word: str, start: int, trusted: bool, garbled: bool = False) -> _Slot | None:
        pattern = case_pattern(word)
        if pattern == "upper" and word.upper() in _STANDALONE_D_FIX:
            return _Slot(start, start + len(word), "code", [(_STANDALONE_D_FIX[word.upper()], 0.0)])
        if pattern == "upper" and _ROMAN_RE.match(word):
            return None  # section numbers (II, IV, XII) are not words
        if any(c.isdigit() for c in word) and not re.fullmatch(r"[^\W_]*[013468][^\W_]*", word):
            return None
        if word.isdigit():
            return None
        lower = word.lower()
        # "Iy" is OCR for "lý": a capital I inside lower-case text is an l.
        if len(word) > 1 and word[0] == "I" and word[1:].islower() and not self.is_syllable_key(word):
            lower, pattern = "l" + lower[1:], "lower"
        if lower in self.foreign:
            return None
        if trusted and (self.is_syllable(lower) or any(c in _VIET_LETTERS - set("bcdghklmnpqrstvxaeiouy") for c in lower)):
            # Real Vietnamese text: a valid syllable, or any word already carrying
            # marks (a name, a typo), is taken as written; only bare words are restored.
            return None
        # In text with real marks a bare word is only dropped marks, not an OCR slip.
        candidates = self._candidates(lower, pattern == "upper", not trusted, garbled)
        if not candidates:
            return None
        if any(c in _VIET_ONLY for c in lower) and self.is_syllable(lower):
            # A Vietnamese-only mark is strong evidence; alternatives must earn the switch.
            candidates = [(f, cost + (0 if f == lower else self.KEEP_MARKED_BONUS / self.CHANNEL_WEIGHT))
                          for f, cost in candidates]
        return _Slot(start, start + len(word), pattern, candidates)

    def _readings(self, lower: str) -> set[str]:
        """Stripped keys the OCR word may stand for."""
        base = strip_diacritics(lower)
        keys = {base, strip_diacritics(lower.translate(_CHAR_READINGS))}
        for old, new in _READINGS:
            for k in list(keys):
                if old in k:
                    keys.add(k.replace(old, new))
        # Đ read as b/P at the start of a word.
        for k in list(keys):
            if k[:1] in ("b", "p"):
                keys.add("d" + k[1:])
        return {k for k in keys if k}

    def _candidates_uncached(self, lower: str, upper: bool, ocr: bool = True,
                             garbled: bool = False) -> list[tuple[str, float]]:
        if not ocr:
            return [(f, 0.0) for f in self.index.get(strip_diacritics(lower), [])][: self.MAX_CANDIDATES]
        keys = [k for k in self._readings(lower) if k in self.index]
        forms: set[str] = set()
        for k in keys:
            forms.update(self.index[k])
        base = strip_diacritics(lower)
        exact = base in self.index and base.isalpha()
        if not upper and len(base) >= 2 and not (exact and base == lower):
            # Words no reading explains (or OCR'd with marks / digits): search nearby stripped syllables.
            max_dist = 1 if len(base) <= 3 else 2
            found = process.extract(
                base.translate(_CHAR_READINGS), self.keys, scorer=Levenshtein.distance,
                limit=self.FUZZY_LIMIT, score_cutoff=max_dist,
            )
            # Keys one edit further than the nearest ones rarely win: skip them (speed).
            nearest = min((d for _, d, _ in found), default=0) if not keys else 1
            for key, dist, _ in found:
                if dist <= nearest + self.FUZZY_SLACK:
                    forms.update(self.index[key][: self.FUZZY_FORMS])
        if upper and not keys:
            # Acronyms (UBND, OCOP) stay; only OCR slips on a real word (HQI -> HỘI) are mended.
            q = base.replace("q", "o")
            if q in self.index:
                forms.update(self.index[q])
        # Whole-word readings the channel learnt ("sin" was "sản", "chi" was "chủ"): the letter
        # edits would price them high, the renders say how often the OCR word meant them.
        # Only on OCR garble (see _looks_garbled): in text merely stripped of its marks "chi" is
        # "chi", and these readings cost 004 stripped 22 more wrong words (105 -> 127).
        readings = {f: c for f, c in self.channel.word_readings(lower).items()
                    if f in self.index.get(strip_diacritics(f), ())} if garbled else {}
        forms.update(readings)
        if not forms:
            return []
        # Best unigram first, so the MAX_CANDIDATES-th best score is known early and the edit
        # DP of a form that cannot beat it stops after a row or two.
        uni = self.lm.unigram_logprob
        w, keep = self.CHANNEL_WEIGHT, self.MAX_CANDIDATES
        ordered = sorted(((uni(f), f) for f in forms), key=lambda uf: (-uf[0], uf[1]))
        scored: list[tuple[float, str, float]] = []
        best: list[float] = []  # max-heap (negated) of the `keep` best scores so far
        bounded = self.channel.bounded_cost
        for u, f in ordered:
            bound = (-best[0] + u) / w if len(best) == keep else math.inf
            cost = bounded(lower, f, bound)
            if f in readings:
                cost = min(cost, readings[f])
            if cost == math.inf:
                continue
            score = cost * w - u
            scored.append((score, f, cost))
            if len(best) < keep:
                heapq.heappush(best, -score)
            elif score < -best[0]:
                heapq.heapreplace(best, -score)
        scored.sort()
        return [(f, cost) for _, f, cost in scored[:keep]]

    def _page_cache(self, runs: list[list[tuple[int, _Slot]]]) -> dict[tuple[str | None, str], int]:
        """Pairs of adjacent words both read surely, counted over the page (see PAGE_CACHE_NATS);
        marks each slot with the pair its own reading made, which is no evidence for itself."""
        cache: dict[tuple[str | None, str], int] = {}
        for run in runs:
            for (_, a), (_, b) in zip(run, run[1:]):
                if a.sure and b.sure:
                    pair = (a.candidates[0][0], b.candidates[0][0])
                    cache[pair] = cache.get(pair, 0) + 1
                    b.cached_pair = pair
        return cache

    def _with_document_cache(self, runs: list[list[tuple[int, _Slot]]], decoded: list[list[tuple[int, _Slot, str]]],
                             cache: dict[tuple[str | None, str], int]) -> list[list[tuple[int, _Slot, str]]]:
        """Decode again with a document cache: a form the first pass chose elsewhere in the text
        for the same letters earns DOC_CACHE_NATS times its share of those choices (a slot's own
        choice is no evidence for itself)."""
        chosen: dict[str, Counter] = {}
        for words in decoded:
            for _, slot, word in words:
                if len(slot.candidates) > 1:
                    form = word.lower()
                    chosen.setdefault(strip_diacritics(form), Counter())[form] += 1
        totals = {key: sum(counts.values()) for key, counts in chosen.items()}
        again = []
        for run, words in zip(runs, decoded):
            own = {id(slot): word.lower() for _, slot, word in words}
            new_run = []
            changed = False
            for line_no, slot in run:
                if len(slot.candidates) > 1:
                    mine = own.get(id(slot))
                    mine_key = strip_diacritics(mine) if mine is not None else None
                    cands = []
                    for f, c in slot.candidates:
                        key = strip_diacritics(f)
                        counts = chosen.get(key)
                        if counts:
                            total = totals[key] - (1 if key == mine_key else 0)
                            n = counts.get(f, 0) - (1 if f == mine else 0)
                            if total > 0 and n > 0:
                                c -= self.DOC_CACHE_NATS * n / total / self.CHANNEL_WEIGHT
                                changed = True
                        cands.append((f, c))
                    slot = replace(slot, candidates=cands)
                new_run.append((line_no, slot))
            again.append(self._decode(new_run, cache) if changed else words)
        return again

    @staticmethod
    def _mend_codes(runs: list[list[tuple[int, _Slot]]]) -> None:
        """A code read unsurely that is a surely read code of the same page with a digit misread
        ("COVID-L9" beside three "COVID-19") becomes that code; two sure codes of one shape
        ("S0", "50") make the shape ambiguous and nothing is changed."""
        sure: dict[str, set[str]] = {}
        for run in runs:
            for _, slot in run:
                if slot.pattern == "code" and slot.sure:
                    code = slot.candidates[0][0]
                    sure.setdefault(code_shape(code), set()).add(code)
        for run in runs:
            for _, slot in run:
                if slot.pattern == "code" and not slot.sure:
                    found = sure.get(code_shape(slot.candidates[0][0]), set())
                    if len(found) == 1:
                        slot.candidates = [(next(iter(found)), 0.0)]

    def _decode(self, run: list[tuple[int, _Slot]],
                cache: dict[tuple[str | None, str], int] | None = None) -> list[tuple[int, _Slot, str]]:
        """Trigram beam search over the run's candidates; returns the cased replacement for each slot.

        A hypothesis is the pair of its last two syllables (hypotheses ending in
        the same pair are merged, keeping the best), so with a beam wider than
        the candidates of one word this is exact trigram Viterbi.
        """
        lm, w = self.lm, self.CHANNEL_WEIGHT
        if run[0][1].pattern == "code":
            line_no, slot = run[0]
            return [(line_no, slot, slot.candidates[0][0])]
        # state (u, v) -> (score, path) where path is a (form, parent path) chain
        beam: dict[tuple[str | None, str | None], tuple[float, tuple | None]] = {(None, None): (0.0, None)}
        logprob = lm.logprob
        pairs, overlap, bonus = self.word_pairs, self.OVERLAP_PENALTY, self.WORD_BONUS
        places, units, place_bonus = self.place_pairs, self.place_unit_words, self.PLACE_BONUS
        cache = cache or {}
        cache_bonus = self.PAGE_CACHE_NATS
        for _, slot in run:
            nxt: dict[tuple[str | None, str | None], tuple[float, tuple | None]] = {}
            for form, cost in slot.candidates:
                penalty = w * cost
                for (u, v), (score, path) in beam.items():
                    s = score + logprob(u, v, form) - penalty
                    if (v, form) in pairs:
                        s += bonus
                        if overlap and (u, v) in pairs:
                            # "địa bàn" + "bàn tính": one syllable cannot end one word and start the next.
                            s -= overlap
                    if u in units and (v, form) in places:
                        s += place_bonus
                    if cache and cache.get((v, form), 0) > ((v, form) == slot.cached_pair):
                        s += cache_bonus
                    key = (v, form)
                    old = nxt.get(key)
                    if old is None or s > old[0]:
                        nxt[key] = (s, (form, path))
            if len(nxt) > self.BEAM:
                nxt = dict(sorted(nxt.items(), key=lambda kv: kv[1][0], reverse=True)[: self.BEAM])
            beam = nxt
        _, path = max(beam.values(), key=lambda sp: sp[0])
        chosen: list[str] = []
        while path is not None:
            chosen.append(path[0])
            path = path[1]
        chosen.reverse()
        nexts = [slot.pattern for _, slot in run[1:]] + [None]
        return [(line_no, slot, self._written(form, slot, after)) for ((line_no, slot), form), after
                in zip(zip(run, chosen), nexts) if slot.write]

    def _written(self, form: str, slot: _Slot, next_pattern: str | None = None) -> str:
        """The chosen ``form`` as the document writes it: the slot's own reading, or its case
        (``next_pattern``: the next word's; a Title word before another starts a name)."""
        if slot.reading and form == slot.candidates[0][0]:
            return slot.reading
        if (slot.title_inside and next_pattern == "lower" and strip_diacritics(form[:1]) in self.CASE_BLIND
                and self._case_logprob.get(form, self._case_default)[0] < math.log(0.5)):
            return form
        return apply_case(form, slot.pattern)


def model_fingerprint(options: RestorerOptions | None) -> str:
    """Short hash of every model file a restorer with ``options`` reads: the lexicon, the
    shipped LM, the learned channel, the user LM and the store's own. Part of the pipeline key, so
    after `make setup` rebuilds a model or `vanban train-lm` (or a run) writes a new one, the next
    run restores stored documents again (from their cached OCR pages)."""
    if not isinstance(options, RestorerOptions):
        raise TypeError(f"model_fingerprint needs the restorer's options, not {options!r}")
    files = [options.lexicon, options.lm or options.lexicon.with_name(resources.LM_FILE), options.channel]
    files += [path for path in (options.user_lm, options.store_lm) if path]
    digest = hashlib.sha1()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()[:10]
