"""Behaviour and measured quality of diacritic restoration (pipeline.restore.restorer)."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from rapidfuzz.distance import Levenshtein

from pipeline import resources
from pipeline.restore.restorer import LexiconMissing, Restorer, RestorerOptions
from pipeline.script import diacritic_share, strip_diacritics

from tests.conftest import SHARED

SEED_001 = next(iter(sorted((SHARED / "seeds").glob("001_*.txt"))), None)
GOLD_001 = SHARED / "gold" / "001_restored.txt"
CLEAN_SEEDS = sorted((SHARED / "seeds").glob("00[34]_*.txt"))

try:
    from corpus.metrics import wer as _shared_wer
except ImportError:  # metrics.py is written by another engineer; until it lands, compute here.
    _shared_wer = None


def wer(hyp: str, ref: str) -> float:
    """Word error rate, line by line, case kept, over whitespace tokens."""
    if _shared_wer is not None:
        return _shared_wer(hyp, ref)
    errors = words = 0
    for h, r in zip(hyp.split("\n"), ref.split("\n"), strict=True):
        errors += Levenshtein.distance(h.split(), r.split())
        words += len(r.split())
    return errors / max(words, 1)


def word_accuracy(hyp: str, ref: str) -> float:
    """Share of reference words restored exactly (same tokenisation by construction)."""
    h, r = hyp.split(), ref.split()
    assert len(h) == len(r)
    return sum(a == b for a, b in zip(h, r)) / len(r)


needs_shared = pytest.mark.skipif(SEED_001 is None or not GOLD_001.exists(), reason="shared/ seeds not present")
VBPL = SHARED / "corpus" / "vbpl" / "docs"


@pytest.fixture(scope="module")
def shipped() -> Restorer:
    """The shipped model only: figures must not depend on a user LM left in models/user."""
    return Restorer(RestorerOptions.find(user_lm=False)).load()


# --- shape of the output -------------------------------------------------------------

def test_learned_word_readings_only_on_ocr_garble(shipped):
    """The channel's whole-word readings ("tit" was "từ") are candidates on English-OCR garble,
    not on text merely stripped of its marks, where "tit" is what was written."""
    assert shipped._looks_garbled("Thu hién Chuong trinh m6i x4 mét san pham tit nam 2020")
    assert not shipped._looks_garbled(strip_diacritics("Thực hiện Chương trình mỗi xã một sản phẩm"))
    assert "từ" in shipped.channel.word_readings("tit")
    garbled = {f for f, _ in shipped._candidates("tit", False, True, True)}
    stripped = {f for f, _ in shipped._candidates("tit", False, True, False)}
    assert "từ" in garbled and "từ" not in stripped


def test_line_count_and_spacing_preserved(shipped):
    text = "Kinh gui:\tUBND cac huyen,  thi xa.\n\n  Thuc hien Ke hoach so 69/KH-UBND \nngay 22/3/2024.\n"
    out = shipped.restore_text(text)
    assert out.count("\n") == text.count("\n")
    # Whitespace runs are untouched: only words change, in place.
    assert [len(x) for x in out.split(" ")] == [len(x) for x in text.split(" ")]
    assert out.split("\n")[1] == ""


def test_case_punctuation_numbers_kept(shipped):
    out = shipped.restore_line("UBND TINH QUANG NGAI: Quang Ngai, ngay 26 thang 9 nam 2024 (lan 2).")
    assert out == "UBND TỈNH QUẢNG NGÃI: Quảng Ngãi, ngày 26 tháng 9 năm 2024 (lần 2)."


def test_codes_emails_urls_kept_and_d_restored_in_codes(shipped):
    line = ("Quyet dinh so 148/QD-TTg, Nghi dinh 98/2020/ND-CP, 1169/SNNPTNT-NTM, Qb-UBND, "
            "BCD, email vanphong@quangngai.gov.vn, https://quangngai.gov.vn/tin-tuc")
    out = shipped.restore_line(line)
    for kept in ("1169/SNNPTNT-NTM", "vanphong@quangngai.gov.vn", "https://quangngai.gov.vn/tin-tuc"):
        assert kept in out
    for fixed in ("148/QĐ-TTg", "98/2020/NĐ-CP", "QĐ-UBND", "BCĐ"):
        assert fixed in out
    assert out.startswith("Quyết định số")


def test_acronyms_and_foreign_words_untouched(shipped):
    out = shipped.restore_line("san pham OCOP, ma Qr code, logo cua UBND va PTNT")
    for kept in ("OCOP", "Qr", "code", "logo", "UBND", "PTNT"):
        assert kept in out.split() or kept + "," in out.split()


def test_ocr_confusions_are_mended(shipped):
    # Typical English-OCR readings of Vietnamese letters (digits, w for ư, é for ê).
    out = shipped.restore_line("Thuc hién Ké hoach s6 12 vé viéc phat trién x4 c6 hiéu qua tai dia phwong")
    assert out == "Thực hiện Kế hoạch số 12 về việc phát triển xã có hiệu quả tại địa phương"


# --- clean text and the per-document decision ------------------------------------------

@pytest.mark.parametrize("path", CLEAN_SEEDS, ids=lambda p: p.name[:3])
def test_clean_vietnamese_unchanged(path, shipped):
    text = path.read_text(encoding="utf-8")
    assert shipped.restore_text(text) == text
    assert not shipped.needs_restoration(text)


@needs_shared
def test_needs_restoration_decisions(shipped):
    assert shipped.needs_restoration(SEED_001.read_text(encoding="utf-8"))
    for path in CLEAN_SEEDS:
        assert shipped.needs_restoration(strip_diacritics(path.read_text(encoding="utf-8")))
    english = "The committee approved the annual report and asked every district to send data by May."
    assert not shipped.needs_restoration(english)


# --- quality on sentences written for this test ------------------------------------------

OWN_SENTENCES = """\
Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành phối hợp thực hiện.
Báo cáo kết quả thực hiện nhiệm vụ phát triển kinh tế xã hội năm 2023.
Các địa phương cần đẩy mạnh công tác tuyên truyền đến người dân.
Chủ tịch Ủy ban nhân dân các huyện chỉ đạo tổ chức triển khai kế hoạch.
Người dân được hỗ trợ vốn để sản xuất nông nghiệp và chăn nuôi.
Trường hợp có khó khăn, vướng mắc, đề nghị báo cáo về Sở để xem xét giải quyết.
Thời gian thực hiện từ ngày 01/7/2024 đến hết ngày 31/12/2024.
Giao Sở Tài chính chủ trì, phối hợp với các cơ quan liên quan tham mưu bố trí kinh phí."""


def test_own_sentences_restored_from_stripped(shipped):
    out = shipped.restore_text(strip_diacritics(OWN_SENTENCES))
    assert word_accuracy(out, OWN_SENTENCES) >= 0.90


# --- measurement on the project's documents --------------------------------------------

@needs_shared
def test_wer_on_001_against_gold(shipped):
    source = SEED_001.read_text(encoding="utf-8")
    gold = GOLD_001.read_text(encoding="utf-8")
    out = shipped.restore_text(source)
    assert out.count("\n") == source.count("\n")
    before, after = wer(source, gold), wer(out, gold)
    print(f"\n001 WER: input {before:.3f} -> restored {after:.3f}")
    assert before > 0.7
    # Measured 0.047 with the shipped model (0.078 before the Debian documentation and the
    # dictionary text joined the LM); a toy "most frequent form" gets 0.35-0.45.
    assert after <= 0.055


@pytest.mark.parametrize("path", CLEAN_SEEDS, ids=lambda p: p.name[:3])
def test_word_accuracy_on_stripped_clean_documents(path, shipped):
    clean = path.read_text(encoding="utf-8")
    stripped = strip_diacritics(clean)
    assert diacritic_share(stripped) == 0.0
    out = shipped.restore_text(stripped)
    acc = word_accuracy(out, clean)
    print(f"\n{path.name[:3]} word accuracy on stripped text: {acc:.4f}")
    # Measured 0.957 (003) and 0.956 (004) with the shipped model (0.937 / 0.933 before the
    # Debian documentation and the dictionary text joined the LM).
    assert acc >= 0.95


def test_throughput_words_per_second():
    # Fresh restorer so caches start cold, as for a new document.
    restorer = Restorer(RestorerOptions.find(user_lm=False)).load()
    text = strip_diacritics(OWN_SENTENCES) + "\n"
    if CLEAN_SEEDS:
        text += strip_diacritics(CLEAN_SEEDS[0].read_text(encoding="utf-8"))
    if SEED_001 is not None:
        text += SEED_001.read_text(encoding="utf-8")
    start = time.perf_counter()
    restorer.restore_text(text)
    rate = len(text.split()) / (time.perf_counter() - start)
    print(f"\nrestore throughput: {rate:.0f} words/s")
    assert rate >= 3000


# --- loading -------------------------------------------------------------------------------

def test_lexicon_loads_fast_and_once():
    restorer = Restorer(RestorerOptions.find())
    start = time.perf_counter()
    restorer.load()
    elapsed = time.perf_counter() - start
    index = restorer.index
    restorer.load()
    assert restorer.index is index
    assert elapsed < 2.0


def test_missing_lexicon_says_run_make_setup(tmp_path):
    restorer = Restorer(RestorerOptions(lexicon=tmp_path / "absent.json"))
    with pytest.raises(LexiconMissing, match="make setup"):
        restorer.restore_text("Quang Ngai")


def test_options_name_every_model_file(tmp_path, monkeypatch):
    import pickle

    monkeypatch.setenv("VANBAN_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("VANBAN_USER_LM", str(tmp_path / "user.npz"))
    options = RestorerOptions.find()
    assert options.lexicon == tmp_path / "models" / "restore_lexicon.json"
    assert options.channel == resources.CHANNEL_PATH and options.channel.is_file()
    assert options.user_lm is None  # no user LM there yet
    (tmp_path / "user.npz").write_bytes(b"")
    assert RestorerOptions.find().user_lm == tmp_path / "user.npz"
    assert RestorerOptions.find(user_lm=False).user_lm is None
    assert RestorerOptions.find(tmp_path / "other").lexicon.parent == tmp_path / "other"  # explicit first
    # Frozen and picklable: the run hands it to its page workers.
    assert pickle.loads(pickle.dumps(options)) == options
    with pytest.raises(AttributeError):
        options.user_weight = 0.5  # type: ignore[misc]
    assert Restorer(options).options is options


# --- Tesseract confidences, user LM ------------------------------------------------------

def test_confident_ocr_words_are_kept(shipped):
    line = "Uy ban nhan dan tinh giao So Tai chinh"
    assert shipped.restore_line(line).startswith("Ủy ban nhân dân")
    assert shipped.restore_line(line).split()[4] != "tinh"
    # "tinh" read with confidence 96 is a valid syllable: kept as read, still context for the rest.
    conf = [40, 40, 40, 40, 96, 40, 40, 40, 40]
    out = shipped.restore_line(line, conf)
    assert out.split()[4] == "tinh" and out.split()[3] == "dân"
    # Low confidence everywhere behaves as no confidences at all.
    assert shipped.restore_line(line, [10] * 9) == shipped.restore_line(line)
    with pytest.raises(ValueError):
        shipped.restore_line(line, [99])


def test_vie_ocr_text_left_alone_except_bare_words(shipped):
    # Text with real marks: valid syllables are trusted, only words no syllable spells are restored.
    text = "Ủy ban nhân dân tỉnh giao Sở Tài chính chủ trì, phối hợp với các sở, ngành và nguoi dân."
    assert shipped.restore_text(text) == text.replace("nguoi", "người")


@needs_shared
@pytest.mark.skipif(not VBPL.is_dir(), reason="../shared/corpus/vbpl not present")
def test_user_lm_from_vbpl_improves_seed_restoration(tmp_path, shipped):
    """train-lm on (a slice of) a legal archive, then restore the seeds with both models."""
    from pipeline.restore.lm import train_lm

    docs = sorted(VBPL.glob("*.txt"))[:120]
    model = train_lm(docs, tmp_path / "vbpl.npz")
    with_user = Restorer(replace(shipped.options, user_lm=model)).load()
    clean = CLEAN_SEEDS[0].read_text(encoding="utf-8")
    stripped = strip_diacritics(clean)
    base_acc = word_accuracy(shipped.restore_text(stripped), clean)
    user_acc = word_accuracy(with_user.restore_text(stripped), clean)
    gold = GOLD_001.read_text(encoding="utf-8")
    source = SEED_001.read_text(encoding="utf-8")
    base_wer, user_wer = wer(shipped.restore_text(source), gold), wer(with_user.restore_text(source), gold)
    print(f"\n003 stripped {base_acc:.4f} -> {user_acc:.4f}; 001 WER {base_wer:.3f} -> {user_wer:.3f}")
    # Measured with these 120 documents: 003 0.958 -> 0.965, 001 WER 0.046 -> 0.031 (the shipped
    # model has the dictionary text since; before it the gains were 0.015 and more).
    assert user_acc >= base_acc + 0.005
    assert user_wer <= base_wer - 0.01


# --- Tesseract vie output: mending marks ----------------------------------------------------

# Written for these tests: the hỏi -> sắc misreadings Tesseract vie makes on degraded pages.
VIE_OCR = """\
Ủy ban nhân dân tỉnh có thế xem xét, điều chỉnh tống số vốn cho các tố chức.
Sở Kế hoạch và Đầu tư chủ trì triến khai, báo cáo kết quả đế Chủ tịch biết."""
VIE_TRUE = """\
Ủy ban nhân dân tỉnh có thể xem xét, điều chỉnh tổng số vốn cho các tổ chức.
Sở Kế hoạch và Đầu tư chủ trì triển khai, báo cáo kết quả để Chủ tịch biết."""


def test_correct_marks_mends_vie_misreadings(shipped):
    out = shipped.correct_marks(VIE_OCR)
    assert out == VIE_TRUE
    # Only marks move: same letters, case, spacing and punctuation.
    assert strip_diacritics(out) == strip_diacritics(VIE_OCR)


def test_correct_marks_mends_a_word_that_spells_no_syllable(shipped):
    # "buỗi" (ngã on ô) is no Vietnamese syllable: a misread mark, never kept as read,
    # while a name or a foreign word without Vietnamese marks is left alone.
    assert shipped.correct_marks("tại buỗi làm việc") == "tại buổi làm việc"
    assert shipped.correct_marks("Ban Chỉ đạo COVID Online") == "Ban Chỉ đạo COVID Online"


def test_correct_marks_mends_a_misread_letter_in_a_marked_word(shipped):
    # Tesseract vie reads g as p, t as I: the marks say the word is Vietnamese, and it spells
    # no syllable, so a syllable one letter away is tried.
    assert shipped.correct_marks("cấp piấy chứng nhận") == "cấp giấy chứng nhận"
    assert shipped.correct_marks("Căn cứ tình hình, Irường Đại học") == "Căn cứ tình hình, Trường Đại học"
    # Words without Vietnamese marks are names, codes or foreign words: left as written.
    assert shipped.correct_marks("gửi email covid về Sở") == "gửi email covid về Sở"


def test_correct_marks_keeps_correct_text_and_codes(shipped):
    assert shipped.correct_marks(VIE_TRUE) == VIE_TRUE
    line = "Căn cứ Quyết định số 148/QĐ-TTg ngày 24/02/2022, UBND tỉnh gửi vanphong@quangngai.gov.vn."
    assert shipped.correct_marks(line) == line


def test_restore_ocr_page_dispatches_on_marks(shipped):
    # A page without marks (English OCR, a stripped dump) is restored ...
    stripped = strip_diacritics(VIE_TRUE)
    assert word_accuracy(shipped.restore_ocr_page(stripped), VIE_TRUE) >= 0.8
    # ... a page with marks has them mended; English text is left alone.
    assert shipped.restore_ocr_page(VIE_OCR) == VIE_TRUE
    english = "The committee approved the annual report and asked every district to send data."
    assert shipped.restore_ocr_page(english) == english


def test_correct_marks_uses_confidences(shipped):
    n = len(VIE_OCR.split())
    with pytest.raises(ValueError):
        shipped.correct_marks(VIE_OCR, [90.0])
    # Words read at or above MARK_KEEP_CONFIDENCE are kept as read.
    sure = shipped.correct_marks(VIE_OCR, [100.0] * n)
    assert sure == VIE_OCR
    assert shipped.correct_marks(VIE_OCR, [60.0] * n) == VIE_TRUE


@pytest.mark.parametrize("path", CLEAN_SEEDS, ids=lambda p: p.name[:3])
def test_correct_marks_on_simulated_vie_errors(path, shipped):
    """Put vie's commonest confusion (hỏi read as sắc on ê/ô/â) into half the places it can
    happen in a clean document, then mend: most errors go, clean words hardly move."""
    import random

    clean = path.read_text(encoding="utf-8")
    swap = {"ể": "ế", "ổ": "ố", "ẩ": "ấ", "Ể": "Ế", "Ổ": "Ố", "Ẩ": "Ấ"}
    rnd = random.Random(7)
    noisy = "".join(swap[c] if c in swap and rnd.random() < 0.5 else c for c in clean)
    before = word_accuracy(noisy, clean)
    after = word_accuracy(shipped.correct_marks(noisy), clean)
    untouched = word_accuracy(shipped.correct_marks(clean), clean)
    print(f"\n{path.name[:3]} simulated vie errors: {before:.4f} -> {after:.4f}; clean kept {untouched:.4f}")
    # Measured 0.968 -> 0.998 (003), 0.966 -> 0.993 (004); clean text: 6 (003) and 23 (004)
    # words of ~5,000 change, 17 of them since real scans' tone misreadings are in the channel
    # (MarkChannel.STACKED_TONE_LOSS, REAL_TONE_FLOOR: names such as "Đỗ" -> "Đồ" move).
    assert before < 0.98
    assert after >= 0.993
    assert untouched >= 0.995


# --- features beyond the n-grams -------------------------------------------------------------

def test_case_feature_reads_mid_sentence_capitals_as_agencies():
    """A Title-case word inside a sentence leans towards forms the running text writes
    Title-case there (Sở of "Sở Nông nghiệp"), a lower-case one towards ordinary words (số)."""
    from pipeline.restore.restorer import _Slot

    r = Restorer(RestorerOptions.find(user_lm=False)).load()
    title = dict(r._with_case(_Slot(0, 2, "title", [("sở", 1.0), ("số", 1.0)])).candidates)
    lower = dict(r._with_case(_Slot(0, 2, "lower", [("sở", 1.0), ("số", 1.0)])).candidates)
    assert title["sở"] < title["số"]
    assert lower["số"] < lower["sở"]
    r.CASE_WEIGHT = 0.0  # the feature off: the channel costs are left as they were
    assert dict(r._with_case(_Slot(0, 2, "title", [("sở", 1.0), ("số", 1.0)])).candidates) == {
        "sở": 1.0, "số": 1.0}


def test_word_overlap_penalty_mechanism():
    """A syllable closing "địa bàn" should not also open "bàn tính"."""
    r = Restorer(RestorerOptions.find(user_lm=False)).load()
    assert ("địa", "bàn") in r.word_pairs and ("bàn", "tính") in r.word_pairs
    r.OVERLAP_PENALTY = 0.0
    assert r.restore_text("tren dia ban tinh").split()[-1] == "tính"
    r.OVERLAP_PENALTY = 5.0  # strong enough to overturn the LM's preference here
    assert r.restore_text("tren dia ban tinh").split()[-1] != "tính"


def test_word_bonus_mechanism():
    """Two syllables that form a dictionary word ("bán sỉ", to sell wholesale) beat commoner
    syllables ("bản sĩ") that the LM alone prefers; without the bonus the LM's choice stands."""
    r = Restorer(RestorerOptions.find(user_lm=False)).load()
    assert ("bán", "sỉ") in r.word_pairs
    r.WORD_BONUS = 0.0
    assert r.restore_text("co so ban si hang hoa") == "cơ sở bản sĩ hàng hóa"
    r.WORD_BONUS = Restorer.WORD_BONUS
    assert r.restore_text("co so ban si hang hoa") == "cơ sở bán sỉ hàng hóa"


def test_correct_marks_keeps_old_tone_placement(shipped):
    """Old-style placement (hoá, thuỷ) is read as the modern syllable for the LM but written back
    as the document wrote it; a real misreading next to it is still mended."""
    line = "Công tác chuyển đổi số hoá và thuỷ lợi được tăng cường."
    assert shipped.correct_marks(line) == line
    assert shipped.correct_marks(line.replace("lợi", "lọi")) == line


def test_place_feature_reads_names_after_unit_words():
    """After a unit word (xã, phường) a pair that starts a known place name wins over common
    words the LM prefers there ("xã Phó Phòng", a deputy head of office)."""
    r = Restorer(RestorerOptions.find(user_lm=False)).load()
    assert ("phổ", "phong") in r.place_pairs and ("phó", "phòng") not in r.place_pairs
    line = "giao UBND xa Pho Phong, xa Pho Hoa va phuong Pho Thanh thuc hien"
    r.PLACE_BONUS = 0.0
    assert "xã Phổ Phong" not in r.restore_text(line)
    r.PLACE_BONUS = 6.0
    assert "xã Phổ Phong, xã Phổ Hòa và phường Phổ Thạnh" in r.restore_text(line)
    # Without a unit word before it the pair is just words: the feature stays out.
    assert r.restore_text("Pho Phong Kinh te").startswith("Phó Phòng")


def test_document_number_is_number_context_and_keeps_its_code(shipped):
    """"số 148/QĐ-TTg ngày": the number-led code is context like "số 69", and is still
    written in its canonical form (QD -> QĐ)."""
    out = shipped.restore_text("Can cu Quyet dinh so 148/QD-TTg ngay 12/3/2024 cua Thu tuong")
    assert out == "Căn cứ Quyết định số 148/QĐ-TTg ngày 12/3/2024 của Thủ tướng"
    runs = shipped._runs(["so 148/QD-TTg ngay"], trusted=False)
    # one run of context ("số <num> ngày") plus the code's own run
    assert sorted(len(run) for run in runs) == [1, 3]
    assert [s.candidates[0][0] for _, s in max(runs, key=len)][1] == shipped.number_token


@needs_shared
@pytest.mark.skipif(not VBPL.is_dir() or not CLEAN_SEEDS, reason="../shared/corpus/vbpl or seeds not present")
def test_acceptance_with_an_archive_lm(tmp_path):
    """Issue 5's figures as `vanban eval --archive ../shared/corpus/vbpl/docs` measures them:
    the restorer with an LM trained on a legal archive (575 documents, ~30 s) reaches 97%
    word accuracy on 003/004 stripped and keeps 001 well under 8% WER (line for line)."""
    from corpus.evaluate import _line_word_accuracy
    from pipeline.restore.lm import train_lm

    model = train_lm([VBPL], tmp_path / "vbpl.npz")
    archive = Restorer(replace(RestorerOptions.find(user_lm=False), user_lm=model)).load()
    for path in CLEAN_SEEDS:
        clean = path.read_text(encoding="utf-8")
        acc = _line_word_accuracy(clean, archive.restore_text(strip_diacritics(clean)))
        print(f"\n{path.name[:3]} stripped, with the archive LM: {acc:.4f}")
        assert acc >= 0.97  # measured 0.9754 (003), 0.9715 (004)
    gold = GOLD_001.read_text(encoding="utf-8")
    wer_001 = 1 - _line_word_accuracy(gold, archive.restore_text(SEED_001.read_text(encoding="utf-8")))
    assert wer_001 <= 0.05  # measured 0.032 (0.047 with the shipped model alone)


# A page that reads a term surely three times and once unsurely (a subject line's "HĐND tính",
# conf 78, beside the body's "HĐND tỉnh", conf 96).
PAGE_TERMS = "trình HĐND tính tại kỳ họp\nThường trực HĐND tỉnh tại kỳ họp\nbáo cáo HĐND tỉnh tại kỳ họp"


def test_page_cache_mends_a_term_the_page_reads_surely_elsewhere(shipped):
    confs = [96.0] * len(PAGE_TERMS.split())
    confs[2] = 78.0
    out = shipped.correct_marks(PAGE_TERMS, confs)
    assert out.split("\n")[0] == "trình HĐND tỉnh tại kỳ họp"
    # The LM alone (no confidences: no page cache; or the cache's weight at 0) keeps "tính".
    assert shipped.correct_marks(PAGE_TERMS).split("\n")[0] == "trình HĐND tính tại kỳ họp"
    off = Restorer(shipped.options).load()
    off.PAGE_CACHE_NATS = 0.0
    assert off.correct_marks(PAGE_TERMS, confs).split("\n")[0] == "trình HĐND tính tại kỳ họp"


def test_page_cache_is_no_evidence_for_a_word_itself(shipped):
    # Every pair occurs once, so the cache holds each sure word's own pair only: it changes nothing.
    confs = [95.0] * len(VIE_OCR.split())
    off = Restorer(shipped.options).load()
    off.PAGE_CACHE_NATS = 0.0
    assert shipped.correct_marks(VIE_OCR, confs) == off.correct_marks(VIE_OCR, confs)


def test_code_with_a_misread_digit_takes_the_pages_sure_reading(shipped):
    text = "phòng, chống dịch COVID-L9\nphòng, chống dịch COVID-19 trong trường học"
    confs = [96.0] * len(text.split())
    confs[3] = 70.0
    assert shipped.correct_marks(text, confs).split("\n")[0] == "phòng, chống dịch COVID-19"
    # Not without a sure reading of that code on the page, nor when two sure codes share its shape.
    assert shipped.correct_marks(text, [70.0] * len(confs)).split("\n")[0] == "phòng, chống dịch COVID-L9"
    both = text + "\nmã COVID-I9 khác"
    assert shipped.correct_marks(both, confs + [96.0, 96.0, 96.0]).split("\n")[0] == "phòng, chống dịch COVID-L9"


def test_a_misread_capital_of_a_case_blind_letter_inside_a_sentence(shipped):
    # An English-model dump prints v, x, s … in either case: "V6i" inside a sentence is "với".
    assert shipped.restore_text("san pham ddi V6i cac san pham") == "sản phẩm đối với các sản phẩm"
    assert shipped.restore_text("mbi X& mot san pham") == "mỗi xã một sản phẩm"
    # A Title word before another starts a name; a sentence's first word keeps its capital.
    assert shipped.restore_text("theo dé nghi cla S¢ Nong nghiép") == "theo đề nghị của Sở Nông nghiệp"
    assert shipped.restore_text("V6i cac san pham").startswith("Với")


def test_correct_marks_mends_capitals_that_lost_their_marks(shipped):
    # Marks above capitals are lost more often; a capital word that is a syllable's letters
    # without its marks is no acronym.
    assert shipped.correct_marks("TM. ỦY BAN NHÂN DÂN\nCHỦ TICH") == "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    assert shipped.correct_marks("Nơi nhận: Lưu: VT, KTTH, UBND") == "Nơi nhận: Lưu: VT, KTTH, UBND"


def test_a_document_writes_the_same_letters_as_the_same_word(shipped):
    # "tinh" is "tỉnh" eight times in this report: the document cache carries that to the
    # sentence where the trigram model alone prefers "tính".
    report = "\n".join(["UBND tinh Quang Ngai giao Chu tich UBND tinh chi dao."] * 4
                       + ["Ban Chi dao Chuong trinh OCOP tinh."])
    assert shipped.restore_text(report).split("\n")[-1].endswith("OCOP tỉnh.")
