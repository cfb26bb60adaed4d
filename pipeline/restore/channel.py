"""OCR channel models: the cost of an OCR engine writing an intended syllable as what it printed.

Costs are in "edits" (a plain letter substitution costs 1; the restorer turns
them into log-probabilities with its ``CHANNEL_WEIGHT``).

* :class:`OcrChannel` — hand-set weighted edit distance for English-model OCR
  of Vietnamese (drops marks, reads ``ô`` as ``6``, ``ư`` as ``w``, ``ê`` as ``é``).
* :class:`LearnedChannel` — the same edit distance whose letter costs come
  from confusion counts learned on rendered + OCR'd pages
  (``pipeline/data/channel.json``, rebuilt by ``python -m models.build_channel``):
  ``cost(o | c) = -ln P(o | c) + ln max_o' P(o' | c)`` (so the likeliest reading
  of a letter is free), in nats divided by :data:`NATS_PER_EDIT`; where the
  counts are too thin the hand-set cost stands.  (The model's whole-word table,
  ``ciia`` -> ``của``, is not read: candidates come from the restorer's own readings.)

Marks simply lost (``a`` for ``ạ``) always cost nothing: the language model
decides which tone it was, so stripped text is not biased towards bare forms.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from ..resources import CHANNEL_PATH
from ..script import strip_diacritics

# The restorer weighs one edit as 6 nats of language-model log-probability.
NATS_PER_EDIT = 6.0
MIN_LETTER_COUNT = 20
# A whole-word reading (OCR word -> intended word) counts once the renders showed it this often.
MIN_WORD_READINGS = 2

_VOWEL_FAMILY = {
    "a": "aàáảãạ", "ă": "ăằắẳẵặ", "â": "âầấẩẫậ", "e": "eèéẻẽẹ", "ê": "êềếểễệ",
    "i": "iìíỉĩị", "o": "oòóỏõọ", "ô": "ôồốổỗộ", "ơ": "ơờớởỡợ", "u": "uùúủũụ",
    "ư": "ưừứửữự", "y": "yỳýỷỹỵ",
}
# Vowel with any mark -> its letter without tone (ế -> ê), used to compare shapes.
SHAPE = {ch: base for base, fam in _VOWEL_FAMILY.items() for ch in fam}

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


class OcrChannel:
    """Hand-set cost of an English-OCR model writing ``candidate`` as ``observed`` (lower case, NFC)."""

    name = "hand-set"

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

    def noise(self, o: str) -> float:
        """Cost of an OCR letter that stands for nothing (a mark read as a letter)."""
        return _OCR_DELETIONS.get(o, 1.0)

    def dropped(self, c: str) -> float:
        """Cost of a candidate letter the OCR did not print at all."""
        return 1.0

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
            if SHAPE.get(o) == SHAPE.get(c) or (o in "éèêë" and SHAPE.get(c) == "ê"):
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
        """Weighted edit distance between the OCR word and a candidate syllable."""
        return _channel_cost(self, observed, candidate)

    def word_readings(self, observed: str) -> dict[str, float]:
        """Whole words the OCR word was seen standing for, with their cost in edits (none here)."""
        return {}

    def bounded_cost(self, observed: str, candidate: str, bound: float) -> float:
        """:meth:`cost`, or ``math.inf`` as soon as the DP shows it exceeds ``bound`` (cheaper)."""
        if bound == math.inf:
            return _channel_cost(self, observed, candidate)
        return _channel_cost_bounded(self, observed, candidate, bound)


class LearnedChannel(OcrChannel):
    """Letter costs learned from (truth, OCR) page pairs; the hand-set costs fill the gaps."""

    def __init__(self, path: Path | str = CHANNEL_PATH, channel: str = "eng") -> None:
        super().__init__()
        self.path = Path(path)
        model = json.loads(self.path.read_text(encoding="utf-8"))
        table = model["channels"][channel]
        self.name = f"learned:{channel}"
        self.sub: dict[str, dict[str, int]] = table["sub"]
        self.ins: dict[str, int] = table["ins"]
        self._totals = {c: sum(obs.values()) for c, obs in self.sub.items()}
        self._best = {c: max(obs.values()) for c, obs in self.sub.items()}
        total_letters = sum(self._totals.values()) or 1
        self._ins_cost = {o: min(1.0, -math.log(n / total_letters) / NATS_PER_EDIT) for o, n in self.ins.items()}
        # Whole-word readings: P(intended | OCR word) = n(OCR word for intended) / n(OCR word).
        # (Priced instead as P(OCR word | intended) against the intended word's commonest
        # reading, as letters are, held-out garbled eng restored WER went 0.1748 -> 0.1767.)
        self._words: dict[str, dict[str, float]] = {}
        seen = table.get("word_seen", {})
        for o, intended in table.get("words", {}).items():
            total = max(seen.get(o, 0), sum(intended.values()))
            self._words[o] = {t: -math.log(n / total) / NATS_PER_EDIT for t, n in intended.items()
                              if n >= MIN_WORD_READINGS}

    def word_readings(self, observed: str) -> dict[str, float]:
        """Intended words the renders showed ``observed`` standing for (``sin`` -> ``sản``), each
        with -ln P(intended | observed) in edits: the candidates a letter-by-letter reading misses
        when the garbled word is itself a valid syllable."""
        return self._words.get(observed, {})

    def learned(self, o: str, c: str) -> float | None:
        """Learned cost of ``c`` printed as ``o`` (``""``: not printed), None without enough evidence."""
        total = self._totals.get(c, 0)
        if total < MIN_LETTER_COUNT:
            return None
        n = self.sub[c].get(o, 0)
        if n == 0:
            return None
        return (math.log(self._best[c]) - math.log(n)) / NATS_PER_EDIT

    def _substitution(self, o: str, c: str) -> float:
        base = super()._substitution(o, c)
        if base == 0.0:
            return 0.0
        learned = self.learned(o, c)
        return base if learned is None else min(base, learned)

    def noise(self, o: str) -> float:
        return min(super().noise(o), self._ins_cost.get(o, 1.0))

    def dropped(self, c: str) -> float:
        learned = self.learned("", c)
        return 1.0 if learned is None else min(1.0, learned)


@lru_cache(maxsize=400_000)
def _channel_cost(channel: OcrChannel, observed: str, candidate: str) -> float:
    """Weighted Levenshtein DP (substitute / OCR noise letter / candidate letter dropped)."""
    return _channel_cost_bounded(channel, observed, candidate, math.inf)


def _channel_cost_bounded(channel: OcrChannel, observed: str, candidate: str, bound: float) -> float:
    """Weighted Levenshtein DP, abandoned (``math.inf``) once a whole row exceeds ``bound``
    (costs only grow along a path, so the row minimum bounds the result)."""
    rows, noises, drops = _tables(channel)
    dropped = []
    for c in candidate:
        d = drops.get(c)
        if d is None:
            d = drops[c] = channel.dropped(c)
        dropped.append(d)
    m = len(candidate)
    prev = [0.0] * (m + 1)
    acc = 0.0
    for j in range(m):
        acc += dropped[j]
        prev[j + 1] = acc
    for o in observed:
        row = rows.get(o)
        if row is None:
            row = rows[o] = {}
        noise = noises.get(o)
        if noise is None:
            noise = noises[o] = channel.noise(o)
        left = prev[0] + noise
        cur = [left]
        low = left
        for j in range(m):
            c = candidate[j]
            sub = row.get(c)
            if sub is None:
                sub = row[c] = channel.substitution(o, c)
            best = prev[j] + sub
            x = prev[j + 1] + noise
            if x < best:
                best = x
            x = left + dropped[j]
            if x < best:
                best = x
            cur.append(best)
            left = best
            if best < low:
                low = best
        if low > bound:
            return math.inf
        prev = cur
    return prev[m]


# id(channel) -> (substitution rows per OCR letter, noise costs, drop costs, the channel);
# holding the channel keeps its id from being reused by another object.
_TABLES: dict[int, tuple[dict, dict, dict, OcrChannel]] = {}


def _tables(channel: OcrChannel) -> tuple[dict, dict, dict]:
    """Per-channel memo tables for the edit DP: letter costs are fixed once a channel is built."""
    t = _TABLES.get(id(channel))
    if t is None or t[3] is not channel:
        t = _TABLES[id(channel)] = ({}, {}, {}, channel)
    return t[0], t[1], t[2]


# ---------------------------------------------------------------------------
# Modern Tesseract ``vie`` output: the letters are right, a mark may be wrong.

_TONE_OF = {}
for _fam in _VOWEL_FAMILY.values():
    for _i, _ch in enumerate(_fam):
        _TONE_OF[_ch] = _i  # 0 none, 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng


_STACKED_SHAPES = set("âêôăÂÊÔĂ")


class MarkChannel:
    """P(printed letter | intended letter) for OCR that keeps the letters but may misread a mark.

    Used on text Tesseract ``vie`` already gave marks to: the candidates of a
    word are the syllables spelled with the same letters (same stripped form),
    so a word and a candidate have the same length (NFC) and the cost is a sum
    over aligned letters, no edit DP.  Costs are in nats:
    ``cost(o | c) = ln P(c | c) - ln P(o | c)`` with
    ``P(o | c) = (n(c -> o) + alpha * q(o | c)) / (N_c + alpha)``: the counts
    ``n`` are the ``vie`` confusion tables of ``pipeline/data/channel.json``; the prior
    ``q`` says a tone is misread more often than a vowel shape (ô/ơ, ê/e) and
    that anything else is rare.  Reading a letter as itself is near free.
    """

    ALPHA = 20.0
    Q_SAME = 0.97
    Q_TONE = 0.006    # same vowel shape, other tone (ể -> ế)
    Q_SHAPE = 0.0015  # same base vowel, other shape (ô -> o, ư -> u)
    Q_OTHER = 0.0001  # d/đ and anything else with the same stripped letter
    # A tone stacked over a circumflex or breve (ế ấ ố ề ổ ắ) that real scans lose: Tesseract
    # ``vie`` reads "kiến" as "kiên", "số" as "sô" in 10-14 pt Times print.  Measured on the
    # real scans of one province (../shared/realscans pages 01-12, pipeline OCR against our
    # proofread transcriptions): 201 of 960 stacked vowels lost their tone (0.21); on the
    # other sources' pages (26-36, not used to choose it) 79 of 884 (0.09).  The generated
    # renders that ``pipeline/data/channel.json`` was learned from never show it (706 ế, 0 lost).
    # Set below the measured rate: at 0.05 the mean line CER of the 23 real pages went
    # 0.0473 -> 0.0433 (0.15: no better) while clean 004 lost 2 more words of ~5,000
    # ("nêu" -> "nếu"); at 0.15 it lost 20.
    STACKED_TONE_LOSS = 0.05
    # Any other tone misread on real scans (dev pages 01-12 as above): 14 of 1,880 toned plain
    # vowels and 22 of 1,373 toned stacked ones read with another tone (~0.004 for each of the
    # four others), 18 of 2,114 untoned ones given a tone; the renders say ~1e-5.  Half the
    # measured rate: mean real-page CER 0.0433 -> 0.0410 at 0.002 as at 0.004, while clean 004
    # keeps 0.9954 of its words (0.9950 at 0.004; names like "Đỗ", "Trần" are what move).
    REAL_TONE_FLOOR = 0.002

    def __init__(self, path: Path | str = CHANNEL_PATH, channel: str = "vie") -> None:
        self.name = f"marks:{channel}"
        try:
            model = json.loads(Path(path).read_text(encoding="utf-8"))
            self.sub: dict[str, dict[str, int]] = model["channels"][channel]["sub"]
        except (FileNotFoundError, KeyError):
            self.name, self.sub = "marks:prior", {}
        self._memo: dict[tuple[str, str], float] = {}
        # Tone and shape confusions pooled over all vowels: a letter seen rarely
        # (ẩ) borrows what its tone (hỏi -> sắc) and its shape (â -> a) do elsewhere.
        self._tone: dict[int, dict[int, int]] = {}
        self._shape: dict[str, dict[str, int]] = {}
        for c, row in self.sub.items():
            if c not in _TONE_OF:
                continue
            for o, n in row.items():
                if o in _TONE_OF:
                    t = self._tone.setdefault(_TONE_OF[c], {})
                    t[_TONE_OF[o]] = t.get(_TONE_OF[o], 0) + n
                    if SHAPE[o] != SHAPE[c] and strip_diacritics(o) == strip_diacritics(c):
                        sh = self._shape.setdefault(SHAPE[c], {})
                        sh[SHAPE[o]] = sh.get(SHAPE[o], 0) + n

    @staticmethod
    def _pooled(table: dict, c, o, same: float, other: float) -> float:
        row = table.get(c, {})
        total = sum(row.values())
        return (row.get(o, 0) + 5.0 * (same if o == c else other)) / (total + 5.0)

    def _prior(self, o: str, c: str) -> float:
        if o == c:
            return self.Q_SAME
        if o in _TONE_OF and c in _TONE_OF and strip_diacritics(o) == strip_diacritics(c):
            # Independent tone and shape misreadings, each estimated over all vowels.
            tone = self._pooled(self._tone, _TONE_OF[c], _TONE_OF[o], 1.0 - 5 * self.Q_TONE, self.Q_TONE)
            shape = self._pooled(self._shape, SHAPE[c], SHAPE[o], 1.0 - 2 * self.Q_SHAPE, self.Q_SHAPE)
            return tone * shape
        return self.Q_OTHER

    def _prob(self, o: str, c: str) -> float:
        row = self.sub.get(c, {})
        total = sum(row.values())
        learned = (row.get(o, 0) + self.ALPHA * self._prior(o, c)) / (total + self.ALPHA)
        if o != c and o == SHAPE.get(c) and o in _STACKED_SHAPES:
            return max(learned, self.STACKED_TONE_LOSS)
        if o != c and o in SHAPE and SHAPE[o] == SHAPE.get(c):
            return max(learned, self.REAL_TONE_FLOOR)
        return learned

    def letter_cost(self, o: str, c: str) -> float:
        """Nats for intended letter ``c`` printed as ``o`` (0 when ``o == c`` and the letter is plain)."""
        key = (o, c)
        cost = self._memo.get(key)
        if cost is None:
            cost = self._memo[key] = max(0.0, math.log(self._prob(c, c)) - math.log(self._prob(o, c)))
        return cost

    def cost(self, observed: str, candidate: str) -> float:
        """Nats for ``candidate`` printed as ``observed`` (lower case NFC, same stripped form)."""
        if observed == candidate:
            return 0.0
        if len(observed) != len(candidate):
            return math.inf
        total = 0.0
        for o, c in zip(observed, candidate):
            if o != c:
                total += self.letter_cost(o, c)
        return total


def load_channel(name: str = "eng", path: Path | str = CHANNEL_PATH) -> OcrChannel:
    """The learned channel ``name`` when ``pipeline/data/channel.json`` exists, else the hand-set one."""
    try:
        return LearnedChannel(path, name)
    except (FileNotFoundError, KeyError):
        return OcrChannel()
