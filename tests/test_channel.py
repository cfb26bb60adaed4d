"""The OCR channel (pipeline.channel) and the script that learns it (models.build_channel)."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from models.build_channel import align_pair
from pipeline.channel import CHANNEL_PATH, LearnedChannel, OcrChannel, load_channel


@pytest.fixture(scope="module")
def eng() -> LearnedChannel:
    return LearnedChannel(CHANNEL_PATH, "eng")


def test_tables_load_with_evidence(eng):
    assert CHANNEL_PATH.stat().st_size < 1_000_000
    assert eng.name == "learned:eng"
    # Enough rendered text behind each channel to trust the common letters.
    assert sum(eng.sub["a"].values()) > 500 and sum(eng.sub["ư"].values()) > 200
    vie = LearnedChannel(CHANNEL_PATH, "vie")
    assert sum(vie.sub["a"].values()) > 500
    # English OCR drops the marks of ạ; the Vietnamese model keeps most of them.
    assert eng.sub["ạ"].get("a", 0) > 0.8 * sum(eng.sub["ạ"].values())
    assert vie.sub["ạ"].get("ạ", 0) > 0.8 * sum(vie.sub["ạ"].values())
    assert isinstance(load_channel("no-such-channel"), OcrChannel)


def test_learned_confusions_are_cheap(eng):
    # Readings English OCR really produces cost well under a plain substitution.
    assert eng.substitution("w", "ư") < 0.4
    assert eng.substitution("6", "ố") < 0.4
    assert eng.substitution("é", "ế") < 0.1
    # Marks lost are free (the LM picks the tone); an unrelated letter is not.
    assert eng.substitution("a", "ạ") == 0.0
    assert eng.substitution("k", "ạ") >= 0.9


@pytest.mark.parametrize("observed,truth,distractors", [
    ("c6ng", "công", ["cong", "càng", "cũng"]),
    ("phwong", "phương", ["phong", "phóng", "phụng"]),
    ("vé", "về", ["và", "vẻ", "vô"]),
    ("hién", "hiện", ["hàn", "hin", "hôn"]),
    ("ciia", "của", ["cái", "cứ", "cha"]),
    ("tw", "tư", ["tô", "ta"]),
])
def test_channel_ranks_the_true_syllable_first(eng, observed, truth, distractors):
    # Letter shapes only: which tone a bare or é-marked vowel had is the LM's call.
    cost = eng.cost(observed, truth)
    assert all(cost < eng.cost(observed, d) for d in distractors), (
        observed, cost, {d: eng.cost(observed, d) for d in distractors})


def test_word_readings_learned(eng):
    # Whole OCR words seen standing for a syllable during training.
    assert "co" in eng.word_readings("c6")


def test_align_pair_counts_letter_confusions():
    sub, ins, words = defaultdict(Counter), Counter(), defaultdict(Counter)
    align_pair("Số liệu của tỉnh Quảng Ngãi", "S6 liéu ciia tinh Quang Ngéi", sub, ins, words)
    assert sub["ố"]["6"] == 1 and sub["ệ"]["é"] == 1 and sub["ỉ"]["i"] == 1
    assert sub["ủ"]["i"] == 1 and ins["i"] == 1
    assert words["s6"]["số"] == 1 and words["ciia"]["của"] == 1
    assert sub["q"]["q"] == 1  # unchanged letters are counted too
