"""Diacritic (dấu) restoration for text OCR'd with an English model.

An English OCR model turns ``Quảng Ngãi`` into ``Quang Ngéi`` and ``số`` into
``s6``.  This stage is a noisy channel decoded per sentence:

* **candidates** for each word: lexicon syllables whose stripped form matches
  one of the word's OCR-normalised readings (``s6`` -> ``so``, ``ciia`` ->
  ``cua``), plus an edit-distance search over the stripped-syllable inventory
  for words no reading explains;
* **channel** (:class:`OcrChannel`): a weighted edit cost between the OCR word
  and the diacritised candidate, cheap for what English OCR really does (drops
  marks, reads ``ô`` as ``6``, ``ư`` as ``w``, ``ê`` as ``é``);
* **language model** (:class:`BigramLM`): Witten-Bell smoothed syllable bigrams
  over a unigram mixture, all built by ``models.build``;
* **decode**: Viterbi over the candidates of each run of words.

The channel and the LM are separate objects behind small interfaces so a
trigram LM or a learned channel can replace either one.

Document codes (``69/KH-UBND``), numbers, e-mails, URLs, acronyms and
punctuation pass through untouched, except that the ``Đ`` English OCR loses in
codes is put back (``Qb-UBND`` -> ``QĐ-UBND``).
"""
from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .vietnamese import nfc, strip_diacritics

LEXICON_PATH = Path(__file__).resolve().parent.parent / "models" / "built" / "restore_lexicon.json"


class LexiconMissing(FileNotFoundError):
    """The built lexicon is absent: ``make setup`` (or ``python -m models.build``) was not run."""


# ---------------------------------------------------------------------------
# Vietnamese letters and OCR confusions

_VOWEL_FAMILY = {
    "a": "aàáảãạ", "ă": "ăằắẳẵặ", "â": "âầấẩẫậ", "e": "eèéẻẽẹ", "ê": "êềếểễệ",
    "i": "iìíỉĩị", "o": "oòóỏõọ", "ô": "ôồốổỗộ", "ơ": "ơờớởỡợ", "u": "uùúủũụ",
    "ư": "ưừứửữự", "y": "yỳýỷỹỵ",
}
# Vowel with any mark -> its letter without tone (ế -> ê), used to compare shapes.
_SHAPE = {ch: base for base, fam in _VOWEL_FAMILY.items() for ch in fam}
_VIET_LETTERS = set("".join(_VOWEL_FAMILY.values())) | set("bcdđghklmnpqrstvx")
# Letters only Vietnamese has (a French/English OCR model never produces them):
# their presence means the text already carries real Vietnamese marks.
_VIET_ONLY = set("ảãạăằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏõọồốổỗộơờớởỡợủũụưừứửữựỳỷỹỵđ")

# What an English/French OCR model outputs for Vietnamese letters: OCR char ->
# {stripped target letter: cost}.  Costs are in "edits" (a plain substitution is 1).
# Digits and symbols also hint at the mark: "x4"/"x&" is "xã", "s6" is "số".
_OCR_EXACT: dict[str, dict[str, float]] = {
    "4": {"ã": 0.1, "ả": 0.1, "ă": 0.15},
    "&": {"ã": 0.1, "ả": 0.15},
    "3": {"ã": 0.1, "ă": 0.1},
    "6": {"ô": 0.05, "ó": 0.05, "ơ": 0.05, "ố": 0.05, "ổ": 0.05, "ộ": 0.1, "ớ": 0.1},
    "8": {"ẽ": 0.1, "ễ": 0.15},
}
_OCR_SUBSTITUTIONS: dict[str, dict[str, float]] = {
    "6": {"o": 0.15, "d": 0.9},
    "0": {"o": 0.2},
    "4": {"a": 0.25},
    "3": {"a": 0.35},
    "8": {"e": 0.4, "a": 0.6},
    "&": {"a": 0.25},
    "¢": {"e": 0.4, "o": 0.6},
    "1": {"l": 0.2, "i": 0.2},
    "w": {"u": 0.1, "o": 0.5},
    "y": {"u": 0.5},
    "d": {"a": 0.45, "o": 0.45, "e": 0.7, "u": 0.7},
    "b": {"o": 0.4, "d": 0.5},
    "p": {"d": 0.5},
    "g": {"o": 0.5},
    "q": {"o": 0.35},
    "i": {"u": 0.45, "a": 0.55, "l": 0.5},
    "t": {"u": 0.55},
    "a": {"u": 0.6, "o": 0.7},
    "e": {"o": 0.6, "a": 0.7},
    "é": {"o": 0.45, "a": 0.55},
    "è": {"o": 0.5, "a": 0.6},
    "c": {"e": 0.7},
    "r": {"u": 0.7},
}
# OCR characters that are often pure noise (a mark read as a letter).
_OCR_DELETIONS = {"r": 0.5, "j": 0.4, "g": 0.7, "y": 0.6, "d": 0.7, "h": 0.8, "k": 0.6, "'": 0.3}
# Readings tried before searching the inventory: whole-string rewrites seen in
# English OCR of Vietnamese ("ii" is the hook of "ủ", "rn" is "m").
_READINGS = (("ii", "u"), ("rn", "m"), ("cl", "d"), ("tir", "tu"), ("1", "l"), ("1", "i"))
_CHAR_READINGS = str.maketrans({"6": "o", "0": "o", "4": "a", "3": "a", "8": "e", "&": "a", "¢": "e", "w": "u"})

# Acronyms whose Đ English OCR reads as D/b; applied only to code-like tokens.
_CODE_D_FIX = {"QD": "QĐ", "QB": "QĐ", "ND": "NĐ", "BCD": "BCĐ", "VPDP": "VPĐP", "HDND": "HĐND"}
_STANDALONE_D_FIX = {"QD": "QĐ", "BCD": "BCĐ", "VPDP": "VPĐP", "HDND": "HĐND"}

_URL_RE = re.compile(r"^(?:https?://|www\.)|@|\.(?:vn|com|org|net|gov)\b", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^[\d.,:/%+\-–]+$")
_EDGE_RE = re.compile(r"^([^\w&¢]*)(.*?)([^\w&¢]*)$", re.DOTALL)
_WORD_CHARS_RE = re.compile(r"^[\w&¢]+$")
_SENTENCE_BREAK = set(".;:!?()[]\"“”")


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


# ---------------------------------------------------------------------------
# Channel model


class OcrChannel:
    """Cost of an English-OCR model writing ``candidate`` as ``observed`` (lower case, NFC)."""

    def __init__(self) -> None:
        # The alphabet is small: memoising letter pairs makes the edit DP cheap.
        self._memo: dict[tuple[str, str], float] = {}

    def substitution(self, o: str, c: str) -> float:
        """Cost of reading candidate letter ``c`` as OCR letter ``o``."""
        key = (o, c)
        cost = self._memo.get(key)
        if cost is None:
            cost = self._memo[key] = self._substitution(o, c)
        return cost

    def _substitution(self, o: str, c: str) -> float:
        if o == c:
            return 0.0
        exact = _OCR_EXACT.get(o)
        if exact and c in exact:
            return exact[c]
        base_o, base_c = strip_diacritics(o), strip_diacritics(c)
        if base_o == base_c:
            if o == base_o:
                # Marks simply lost: the usual case, the LM decides.
                return 0.0
            # OCR kept *a* mark: same vowel shape (é for ế) is near-free, other marks cost.
            if _SHAPE.get(o) == _SHAPE.get(c) or (o in "éèêë" and _SHAPE.get(c) == "ê"):
                return 0.05
            if o in "éèêë" and c in "ê":
                return 0.05
            return 0.35
        table = _OCR_SUBSTITUTIONS.get(o)
        if table and base_c in table:
            return table[base_c]
        table = _OCR_SUBSTITUTIONS.get(base_o)
        if table and base_c in table:
            return table[base_c] + 0.1
        return 1.0

    def cost(self, observed: str, candidate: str) -> float:
        """Weighted edit distance (substitution table above, cheap deletion of OCR noise)."""
        return _channel_cost(self, observed, candidate)


@lru_cache(maxsize=200_000)
def _channel_cost(channel: OcrChannel, observed: str, candidate: str) -> float:
    n, m = len(observed), len(candidate)
    prev = [float(j) for j in range(m + 1)]
    for i in range(1, n + 1):
        o = observed[i - 1]
        delete = _OCR_DELETIONS.get(o, 1.0)
        cur = [prev[0] + delete] + [0.0] * m
        for j in range(1, m + 1):
            cur[j] = min(
                prev[j - 1] + channel.substitution(o, candidate[j - 1]),
                prev[j] + delete,
                cur[j - 1] + 1.0,
            )
        prev = cur
    return prev[m]


# ---------------------------------------------------------------------------
# Language model


class BigramLM:
    """Witten-Bell smoothed syllable bigram over a unigram mixture (natural-log scores)."""

    def __init__(self, unigram: dict[str, float], bigram: dict[str, int], context: dict[str, list[int]]):
        self.unigram = unigram
        self.bigram = bigram
        self.context = context
        self.unknown = min(unigram.values(), default=-20.0) - 2.0

    def unigram_logprob(self, word: str) -> float:
        """log P(word), with a floor below the rarest known syllable for unknown words."""
        return self.unigram.get(word, self.unknown)

    def logprob(self, prev: str | None, word: str) -> float:
        """log P(word | prev); ``prev`` None means no usable left context."""
        uni = math.exp(self.unigram_logprob(word))
        if prev is None:
            return math.log(uni)
        ctx = self.context.get(prev)
        if not ctx:
            return math.log(uni)
        total, types = ctx
        count = self.bigram.get(f"{prev} {word}", 0)
        return math.log((count + types * uni) / (total + types))


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


class Restorer:
    """Holds the built lexicon (loaded lazily, once) and restores text."""

    # Scale between channel edit cost and LM log-probability.
    CHANNEL_WEIGHT = 6.0
    # Penalty for replacing a token that is already a valid marked syllable
    # (in text that carries real Vietnamese marks): keeps clean text intact.
    KEEP_MARKED_BONUS = 6.0
    MAX_CANDIDATES = 12
    FUZZY_LIMIT = 40

    def __init__(self, lexicon_path: Path | str = LEXICON_PATH, channel: OcrChannel | None = None):
        self.lexicon_path = Path(lexicon_path)
        self.channel = channel or OcrChannel()
        self._lock = threading.Lock()
        self._loaded = False

    # -- loading ---------------------------------------------------------
    def load(self) -> "Restorer":
        """Read the lexicon built by ``models.build`` (no-op once loaded)."""
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
            self.index: dict[str, list[str]] = model["index"]
            self.keys: list[str] = sorted(self.index)
            self.lm = BigramLM(model["unigram_logprob"], model["bigram"], model["context"])
            self.foreign: set[str] = set(model["foreign"])
            self.number_token: str = model["number_token"]
            self._candidates = lru_cache(maxsize=100_000)(self._candidates_uncached)
            self._loaded = True
        return self

    # -- public API ------------------------------------------------------
    def is_syllable(self, word: str) -> bool:
        """True when ``word`` (any case) is a known diacritised syllable."""
        self.load()
        return nfc(word).lower() in self.lm.unigram

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

    def restore_text(self, text: str) -> str:
        """Restore every line of ``text``; same number of lines, same spacing and punctuation."""
        self.load()
        text = nfc(text)
        trusted = self._carries_real_marks(text)
        lines = text.split("\n")
        runs = self._runs(lines, trusted)
        out = [list(line) for line in lines]
        replacements: list[tuple[int, int, int, str]] = []
        for run in runs:
            for line_no, slot, word in self._decode(run):
                replacements.append((line_no, slot.start, slot.end, word))
        # Replace right to left so earlier offsets stay valid.
        for line_no, start, end, word in sorted(replacements, reverse=True):
            out[line_no][start:end] = list(word)
        return "\n".join("".join(chars) for chars in out)

    def restore_line(self, line: str) -> str:
        """Restore one line (no context from neighbouring lines)."""
        return self.restore_text(line.replace("\n", " "))

    # -- internals -------------------------------------------------------
    def _carries_real_marks(self, text: str) -> bool:
        words = re.findall(r"[^\W\d_]+", text)
        if not words:
            return False
        return sum(any(c in _VIET_ONLY for c in w.lower()) for w in words) / len(words) >= 0.12

    def _runs(self, lines: list[str], trusted: bool) -> list[list[tuple[int, _Slot]]]:
        """Group word slots into runs that share bigram context (broken by codes, numbers, sentence punctuation)."""
        runs: list[list[tuple[int, _Slot]]] = []
        current: list[tuple[int, _Slot]] = []

        def flush() -> None:
            nonlocal current
            if current:
                runs.append(current)
            current = []

        for line_no, line in enumerate(lines):
            for m in re.finditer(r"\S+", line):
                token = m.group()
                lead, core, trail = _EDGE_RE.match(token).groups()
                if lead and set(lead) & _SENTENCE_BREAK:
                    flush()
                core_start = m.start() + len(lead)
                slots = self._slots_for(core, core_start, trusted)
                if slots is None:
                    flush()
                elif slots[0].pattern == "code":
                    flush()
                    runs.append([(line_no, slots[0])])
                else:
                    for slot in slots:
                        current.append((line_no, slot))
                    if len(slots) > 1:
                        flush()
                if trail and (set(trail) & _SENTENCE_BREAK or "," in trail):
                    flush()
        flush()
        return runs

    def _slots_for(self, core: str, start: int, trusted: bool) -> list[_Slot] | None:
        """Slots for one token core, or None when it is not a word (code, number, URL…)."""
        if not core or _URL_RE.search(core):
            return None
        if _NUMBER_RE.match(core):
            # "năm 2024", "số 69": a number is context for the word before it.
            return [_Slot(start, start + len(core), "lower", [(self.number_token, 0.0)], write=False)]
        if "/" in core or "-" in core:
            parts = re.split(r"[/\-]", core)
            if all(p and p.isalpha() and p.islower() for p in parts):
                # "sao/trén": words joined by a slash, restored one by one.
                slots, pos = [], start
                for p in re.split(r"([/\-])", core):
                    if p not in ("/", "-"):
                        s = self._word_slot(p, pos, trusted)
                        if s is not None:
                            slots.append(s)
                    pos += len(p)
                return slots or None
            return [_Slot(start, start + len(core), "code", [(fix_code(core), 0.0)])]
        if not _WORD_CHARS_RE.match(core):
            return None
        slot = self._word_slot(core, start, trusted)
        return [slot] if slot else None

    def _word_slot(self, word: str, start: int, trusted: bool) -> _Slot | None:
        slot = self._restorable_slot(word, start, trusted)
        if slot is None and word.isalpha():
            # Kept as written (acronym, foreign word, name), but still context for its neighbours.
            return _Slot(start, start + len(word), "lower", [(word.lower(), 0.0)], write=False)
        return slot

    def _restorable_slot(self, word: str, start: int, trusted: bool) -> _Slot | None:
        pattern = case_pattern(word)
        if pattern == "upper" and word.upper() in _STANDALONE_D_FIX:
            return _Slot(start, start + len(word), "code", [(_STANDALONE_D_FIX[word.upper()], 0.0)])
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
        candidates = self._candidates(lower, pattern == "upper", not trusted)
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

    def _candidates_uncached(self, lower: str, upper: bool, ocr: bool = True) -> list[tuple[str, float]]:
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
            for key, dist, _ in process.extract(
                base.translate(_CHAR_READINGS), self.keys, scorer=Levenshtein.distance,
                limit=self.FUZZY_LIMIT, score_cutoff=max_dist,
            ):
                forms.update(self.index[key][:6])
        if upper and not keys:
            # Acronyms (UBND, OCOP) stay; only OCR slips on a real word (HQI -> HỘI) are mended.
            q = base.replace("q", "o")
            if q in self.index:
                forms.update(self.index[q])
        if not forms:
            return []
        scored = []
        for f in forms:
            cost = self.channel.cost(lower, f)
            scored.append((cost * self.CHANNEL_WEIGHT - self.lm.unigram_logprob(f), f, cost))
        scored.sort()
        return [(f, cost) for _, f, cost in scored[: self.MAX_CANDIDATES]]

    def _decode(self, run: list[tuple[int, _Slot]]) -> list[tuple[int, _Slot, str]]:
        """Viterbi over the run's candidates; returns the cased replacement for each slot."""
        lm, w = self.lm, self.CHANNEL_WEIGHT
        if run[0][1].pattern == "code":
            line_no, slot = run[0]
            return [(line_no, slot, slot.candidates[0][0])]
        # best[form] = (score, backpointer path index)
        prev_states: list[tuple[str | None, float, int]] = [(None, 0.0, -1)]
        history: list[list[tuple[str | None, float, int]]] = []
        for _, slot in run:
            states = []
            for form, cost in slot.candidates:
                best_score, best_i = -math.inf, 0
                for i, (pform, pscore, _) in enumerate(prev_states):
                    s = pscore + lm.logprob(pform, form)
                    if s > best_score:
                        best_score, best_i = s, i
                states.append((form, best_score - w * cost, best_i))
            history.append(states)
            prev_states = states
        # Backtrack from the best final state.
        i = max(range(len(prev_states)), key=lambda k: prev_states[k][1])
        chosen: list[str] = []
        for states in reversed(history):
            form, _, back = states[i]
            chosen.append(form)
            i = back
        chosen.reverse()
        return [(line_no, slot, apply_case(form, slot.pattern))
                for (line_no, slot), form in zip(run, chosen) if slot.write]


_default: Restorer | None = None


def default_restorer() -> Restorer:
    """The shared restorer over ``models/built`` (created on first use)."""
    global _default
    if _default is None:
        _default = Restorer()
    return _default


def restore_text(text: str) -> str:
    """Restore diacritics in ``text`` line by line (see :class:`Restorer`)."""
    return default_restorer().restore_text(text)


def restore_line(line: str) -> str:
    """Restore diacritics in a single line."""
    return default_restorer().restore_line(line)


def needs_restoration(text: str) -> bool:
    """True when ``text`` looks like Vietnamese OCR'd without its marks."""
    return default_restorer().needs_restoration(text)
