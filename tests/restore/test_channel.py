"""The OCR channel (pipeline.restore.channel) and the script that learns it (models.build_channel)."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from models.build_channel import align_pair
from pipeline.restore.channel import CHANNEL_PATH, LearnedChannel, OcrChannel, load_channel


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
    # (not "vẻ": English OCR prints é for ẻ too, 59 of 65 in the renders; the LM decides)
    ("vé", "về", ["và", "vô"]),
    ("hién", "hiện", ["hàn", "hin", "hôn"]),
    ("ciia", "của", ["cái", "cứ", "cha"]),
    ("tw", "tư", ["tô", "ta"]),
])
def test_channel_ranks_the_true_syllable_first(eng, observed, truth, distractors):
    # Letter shapes only: which tone a bare or é-marked vowel had is the LM's call.
    cost = eng.cost(observed, truth)
    assert all(cost < eng.cost(observed, d) for d in distractors), (
        observed, cost, {d: eng.cost(observed, d) for d in distractors})


def test_align_pair_counts_letter_confusions():
    sub, ins, words = defaultdict(Counter), Counter(), defaultdict(Counter)
    align_pair("Số liệu của tỉnh Quảng Ngãi", "S6 liéu ciia tinh Quang Ngéi", sub, ins, words)
    assert sub["ố"]["6"] == 1 and sub["ệ"]["é"] == 1 and sub["ỉ"]["i"] == 1
    assert sub["ủ"]["i"] == 1 and ins["i"] == 1
    assert words["s6"]["số"] == 1 and words["ciia"]["của"] == 1
    assert sub["q"]["q"] == 1  # unchanged letters are counted too


# --- the mark channel for Tesseract vie output --------------------------------------------

@pytest.fixture(scope="module")
def marks():
    from pipeline.restore.channel import MarkChannel

    return MarkChannel(CHANNEL_PATH, "vie")


def test_vie_tables_have_mark_confusions():
    vie = LearnedChannel(CHANNEL_PATH, "vie")
    # Rendered + OCR'd pages (clean, moderate, heavy): Tesseract vie reads hỏi on ê/ô as sắc.
    assert sum(vie.sub["ể"].values()) > 150 and vie.sub["ể"].get("ế", 0) > 20
    assert vie.sub["ổ"].get("ố", 0) > 20


def test_mark_channel_prices_what_vie_confuses(marks):
    assert marks.name == "marks:vie"
    assert marks.cost("thể", "thể") == 0.0
    # A misreading Tesseract makes (hỏi printed as sắc) is cheap; the reverse is not.
    assert marks.cost("thế", "thể") < 2.5
    assert marks.cost("tống", "tổng") < 2.5
    assert marks.cost("thể", "thế") > marks.cost("thế", "thể") + 2.0
    # Marks vie hardly ever confuses, or a letter dropped/added, cost much more.
    assert marks.cost("và", "vá") > 6.0
    assert marks.cost("dan", "dân") > 3.0
    assert marks.cost("tinh", "tỉnhh") == float("inf")
    # A rare letter borrows the pooled tone confusion (hỏi -> sắc on any vowel).
    assert marks.cost("ấ", "ẩ") < marks.cost("ầ", "ẩ")


def test_mark_channel_without_tables_uses_the_prior(tmp_path):
    from pipeline.restore.channel import MarkChannel

    prior = MarkChannel(tmp_path / "absent.json")
    assert prior.name == "marks:prior"
    assert 0 < prior.cost("thế", "thể") < prior.cost("tho", "thơ") < prior.cost("do", "đo")


def test_build_channel_only_merges_other_channels(tmp_path, monkeypatch):
    """--only vie rebuilds one channel and keeps the others from the existing file."""
    import json

    import models.build_channel as bc

    out = tmp_path / "channel.json"
    out.write_text(json.dumps({"channels": {"eng": {"sub": {"a": {"a": 1}}, "ins": {}, "words": {}}}}))
    monkeypatch.setattr(bc, "PLANS", (("eng", "eng", "liberation", "clean", 300, 1, 1),
                                      ("vie", "vie", "termes", "clean", 300, 1, 2)))
    monkeypatch.setattr(bc, "training_sentences", lambda: ["Thủ tướng Chính phủ giao các bộ."] * 300)

    class Page:
        def __init__(self, text):
            self.text, self.image = text, None

    import corpus.generate
    import pytesseract

    monkeypatch.setattr(corpus.generate, "render_pages",
                        lambda text, **kw: [Page("Thủ tướng Chính phủ giao các bộ.")])
    monkeypatch.setattr(pytesseract, "image_to_string", lambda image, **kw: "Thủ tướng Chính phú giao các bộ.")
    monkeypatch.setattr(pytesseract, "get_tesseract_version", lambda: "test")
    bc.build(out, only="vie", log=lambda *a: None)
    model = json.loads(out.read_text())
    assert model["channels"]["eng"]["sub"] == {"a": {"a": 1}}
    assert model["channels"]["vie"]["sub"]["ủ"] == {"ủ": 1, "ú": 1}  # Thủ read right, phủ as phú
    assert model["plans"] == [["vie", "vie", "termes", "clean", 300, 1, 2]]


def test_build_channel_plans_read_disjoint_text():
    """Every plan renders sentences of its own (the channel's pages never repeat a text)."""
    import models.build_channel as bc

    sentences = [f"Câu số {i} của văn bản mẫu." for i in range(60000)]
    chunks = bc.plan_chunks(sentences)
    assert len(chunks) == len(bc.PLANS) and all(chunks)
    flat = [s for chunk in chunks for s in chunk]
    assert len(flat) == len(set(flat))
    for chunk, plan in zip(chunks, bc.PLANS):
        assert sum(len(s.split()) for s in chunk) >= bc.WORDS_PER_PAGE * plan[5]


def test_word_readings_price_what_the_ocr_word_meant(tmp_path):
    """P(intended | OCR word) from the renders: "sin" nearly always meant "sản", "chi" seldom "chủ"."""
    import json

    path = tmp_path / "channel.json"
    path.write_text(json.dumps({"channels": {"eng": {
        "sub": {"a": {"a": 50}}, "ins": {},
        "words": {"sin": {"sản": 8}, "chi": {"chủ": 4, "chỉ": 20}},
        "word_seen": {"sin": 9, "chi": 40}}}}), encoding="utf-8")
    channel = LearnedChannel(path, "eng")
    assert channel.word_readings("sin")["sản"] < channel.word_readings("chi")["chủ"]
    assert channel.word_readings("chi")["chỉ"] < channel.word_readings("chi")["chủ"]
    assert channel.word_readings("xyz") == {}
    assert OcrChannel().word_readings("sin") == {}


def test_shipped_word_readings_cover_common_garbles(eng):
    assert "của" in eng.word_readings("ciia")
    assert "được" in eng.word_readings("dugc")
