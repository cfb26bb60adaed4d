"""OCR channel models: the cost of an OCR engine writing an intended syllable as what it printed.

Costs are in "edits" (a plain letter substitution costs 1; the restorer turns
them into log-probabilities with its ``CHANNEL_WEIGHT``).

* :class:`OcrChannel` — hand-set weighted edit distance for English-model OCR
  of Vietnamese (drops marks, reads ``ô`` as ``6``, ``ư`` as ``w``, ``ê`` as ``é``).
* :class:`LearnedChannel` — the same edit distance whose letter costs come
  from confusion counts learned on rendered + OCR'd pages
  (``models/channel.json``, rebuilt by ``python -m models.build_channel``):
  ``cost(o | c) = -ln P(o | c) + ln max_o' P(o' | c)`` (so the likeliest reading
  of a letter is free), in nats divided by :data:`NATS_PER_EDIT`; where the
  counts are too thin the hand-set cost stands.  It also exposes the whole-word
  readings seen in training (``ciia`` -> ``của``) for candidate generation.

Marks simply lost (``a`` for ``ạ``) always cost nothing: the language model
decides which tone it was, so stripped text is not biased towards bare forms.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from .vietnamese import strip_diacritics

CHANNEL_PATH = Path(__file__).resolve().parent.parent / "models" / "channel.json"
# The restorer weighs one edit as 6 nats of language-model log-probability.
NATS_PER_EDIT = 6.0
MIN_LETTER_COUNT = 20

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

    def word_readings(self, observed: str) -> list[str]:
        """Stripped syllables this OCR word was seen to stand for (none for the hand-set model)."""
        return []


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
        self.words: dict[str, dict[str, int]] = table["words"]
        self._totals = {c: sum(obs.values()) for c, obs in self.sub.items()}
        self._best = {c: max(obs.values()) for c, obs in self.sub.items()}
        total_letters = sum(self._totals.values()) or 1
        self._ins_cost = {o: min(1.0, -math.log(n / total_letters) / NATS_PER_EDIT) for o, n in self.ins.items()}
        self._readings = {}
        for o, truths in self.words.items():
            keys = sorted({strip_diacritics(t) for t in truths}, key=lambda k: -sum(n for t, n in truths.items() if strip_diacritics(t) == k))
            self._readings[o] = keys

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

    def word_readings(self, observed: str) -> list[str]:
        return self._readings.get(observed, [])


@lru_cache(maxsize=400_000)
def _channel_cost(channel: OcrChannel, observed: str, candidate: str) -> float:
    n, m = len(observed), len(candidate)
    dropped = [channel.dropped(c) for c in candidate]
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + dropped[j - 1]
    for i in range(1, n + 1):
        o = observed[i - 1]
        noise = channel.noise(o)
        cur = [prev[0] + noise] + [0.0] * m
        for j in range(1, m + 1):
            cur[j] = min(
                prev[j - 1] + channel.substitution(o, candidate[j - 1]),
                prev[j] + noise,
                cur[j - 1] + dropped[j - 1],
            )
        prev = cur
    return prev[m]


def load_channel(name: str = "eng", path: Path | str = CHANNEL_PATH) -> OcrChannel:
    """The learned channel ``name`` when ``models/channel.json`` exists, else the hand-set one."""
    try:
        return LearnedChannel(path, name)
    except (FileNotFoundError, KeyError):
        return OcrChannel()
