"""Build the diacritic restorer's lexicon into ``models/built/`` (run by ``make setup``).

Everything comes from files that installed packages ship, never from the
project's evaluation documents:

* Debian ``hunspell-vi``: ``/usr/share/hunspell/vi_VN.dic`` — the list of valid
  syllables (plus a few names and acronyms).
* PyPI ``wordfreq``: Vietnamese syllable frequencies (the unigram backbone).
* PyPI ``underthesea`` (data files read from the wheel, the package is never
  imported, nothing is downloaded):
  - ``corpus/data/Viet74K.txt``: 74k dictionary words, most of them two or more
    syllables, which give syllable pairs that form words;
  - the VLSP 2013 POS-tagger test output bundled with the tagger: ~97k
    syllables of running news/legal text, which gives real adjacent-syllable
    counts;
  - ``address/data/mapping.json``: province/district/ward names, so place
    names (``Quảng Ngãi``, ``Trà Bồng``) are known pairs;
  - the CRFsuite models of its word segmenter / POS tagger / chunker / NER:
    their bigram feature strings (``T[-1,0].lower=thị trường``) name ~23k
    syllable pairs attested in the VLSP training corpora (read as bytes);
  - the running text's case: how often each syllable is written Title-case
    inside a sentence (the restorer's case feature), and Viet74K's
    two-syllable words (its word-overlap feature).

Output: ``models/built/restore_lexicon.json`` (see :func:`build`), deterministic
(sorted keys) so two builds give identical bytes.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path

from pipeline.vietnamese import nfc, strip_diacritics

BUILT_DIR = Path(__file__).resolve().parent / "built"
LEXICON_FILE = "restore_lexicon.json"
LM_FILE = "lm.npz"
FORMAT_VERSION = 2
# Share of the frequency prior in the LM's unigram level (see pipeline.lm.train).
LM_PRIOR_WEIGHT = 0.9

HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")
_UNDERTHESEA_FILES = {
    "dictionary": "corpus/data/Viet74K.txt",
    "running_text": "pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt",
    "places": "address/data/mapping.json",
}
# CRFsuite models bundled with underthesea's tagger/segmenter: their feature
# strings ("T[-1,0].lower=sản phẩm") name the syllable pairs seen in the VLSP
# training corpora (a much larger text than the bundled running text).
_UNDERTHESEA_CRF_MODELS = (
    "pipeline/word_tokenize/models/ws_crf_vlsp2013_20230727/models.bin",
    "pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/models.bin",
    "pipeline/pos_tag/pos_crf_2017_10_11.bin",
    "pipeline/chunking/chunk_crf_2017_10_12.bin",
    "pipeline/ner/ner_crf_2017_10_12.bin",
)
_CRF_PAIR_RE = re.compile(rb"T\[(?:-1,0|0,1|-2,-1|1,2)\](?:\.lower)?=([^\x00]{3,60})\x00")

# A syllable: Latin letters with Vietnamese marks only, at most 7 letters ("nghiêng").
_SYLLABLE_RE = re.compile(r"^[a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]{1,7}$")
# Dictionary pairs are word types, not running text: one entry counts as this
# many observed bigrams, enough to beat an unseen pair but not a frequent one.
DICTIONARY_PAIR_WEIGHT = 1
PLACE_PAIR_WEIGHT = 1
CRF_PAIR_WEIGHT = 1
# Unigram mixture: wordfreq is large and general, the running text is
# in-domain but small; dictionary-only syllables get a floor.
WORDFREQ_WEIGHT = 0.65
RUNNING_TEXT_WEIGHT = 0.3
# Administrative words (tỉnh, huyện, xã, phường) fill government documents
# far more than news text: the place-name list lends them some weight.
PLACE_WEIGHT = 0.05
FLOOR_PROB = 2e-8
MAX_FORMS_PER_KEY = 16
# Numbers are one context token so "năm 2024", "tháng 9", "số 69" teach the LM.
NUMBER_TOKEN = "<num>"
_NUMBER_RE = re.compile(r"^\d[\d.,/]*$")
# A pair shared by many distinct names (thị xã, thành phố) weighs more, up to a
# cap, so a district name (Tương Dương) cannot outweigh a common word (tương đương).
PLACE_PAIR_CAP = 40

# Vietnamese syllable shape on the stripped form: onset, 1-3 vowels, coda.
_SHAPE_RE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?([aeiouy]{1,3})(ch|ng|nh|[cmnpt])?$"
)
# Vowel clusters Vietnamese spelling allows (stripped: "ươi" -> "uoi").
_NUCLEI = frozenset(
    "a e i o u y ai ao au ay eo eu ia ie iu oa oe oi oo ua ue ui uo uu uy ya ye "
    "oai oay oeo uay uoi uou uya uye uyu ieu yeu uau".split()
)
# Foreign words (logo, email) are kept as written only when common enough that
# they are not OCR garbage that happens to be in the table ("ching").
FOREIGN_MIN_FREQ = 3e-6
_STOP_CODA_TONES = set("\u0301\u0323")  # only sắc / nặng before c, ch, p, t


def is_vietnamese_syllable(syl: str) -> bool:
    """True when ``syl`` (lower case) has the shape of a Vietnamese syllable, tone rules included."""
    import unicodedata

    base = strip_diacritics(syl)
    m = _SHAPE_RE.match(base)
    if not m:
        return False
    onset, vowels, coda = m.groups()
    if vowels not in _NUCLEI:
        return False
    if coda in ("ch", "nh") and vowels[-1] not in "aeiy":
        return False
    if coda == "ng" and vowels[-1] in "iy":
        return False
    if coda and coda in ("c", "ch", "p", "t"):
        tones = {c for c in unicodedata.normalize("NFD", syl) if c in "\u0300\u0301\u0303\u0309\u0323"}
        if tones and not tones <= _STOP_CODA_TONES:
            return False
    return True


class SourceMissing(RuntimeError):
    """A package the build reads from is not installed."""


def _underthesea_dir() -> Path:
    # find_spec locates the package without importing it (importing pulls in
    # its whole NLP stack and may try the network).
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise SourceMissing(
            "PyPI package 'underthesea' is not installed: pip install underthesea (it ships the "
            "Vietnamese dictionary and running text the restorer's bigrams come from)"
        )
    return Path(list(spec.submodule_search_locations)[0])


from pipeline.lm import BOS, WORD_START, modern_tone_placement  # noqa: E402  (shared with train-lm)
from pipeline.lm import train as train_lm_model  # noqa: E402


def syllables_of(text: str) -> list[str]:
    """Lower-case NFC syllables of a phrase (modern tone placement); empty if any part is not a syllable."""
    parts = nfc(text).lower().replace("-", " ").split()
    if not parts or not all(_SYLLABLE_RE.match(p) for p in parts):
        return []
    return [modern_tone_placement(p) for p in parts]


def read_hunspell(path: Path = HUNSPELL_DIC) -> set[str]:
    """Valid syllables from the hunspell-vi dictionary (first line is the count)."""
    if not path.exists():
        raise SourceMissing(f"{path} missing: apt-get install hunspell-vi")
    out: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        word = line.split("/", 1)[0].strip()
        out.update(syllables_of(word))
    return out


def read_wordfreq() -> dict[str, float]:
    """wordfreq's Vietnamese frequency table restricted to syllable-shaped entries."""
    import wordfreq

    out: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict("vi").items():
        parts = syllables_of(word)
        if len(parts) == 1:
            # Old and new tone placements (hoá/hóa) fold into one entry.
            out[parts[0]] = out.get(parts[0], 0.0) + freq
    return out


def read_dictionary(root: Path) -> list[list[str]]:
    """Viet74K entries as syllable lists."""
    text = (root / _UNDERTHESEA_FILES["dictionary"]).read_text(encoding="utf-8")
    return [s for s in (syllables_of(line) for line in text.splitlines()) if s]


def read_running_text(root: Path) -> list[list[str]]:
    """Sentences of the bundled VLSP text as syllable runs, split at punctuation."""
    runs: list[list[str]] = []
    current: list[str] = []
    path = root / _UNDERTHESEA_FILES["running_text"]
    for line in path.read_text(encoding="utf-8").splitlines():
        token = line.split("\t", 1)[0].strip()
        parts = [NUMBER_TOKEN] if _NUMBER_RE.match(token) else (syllables_of(token) if token else [])
        if parts:
            current.extend(parts)
            continue
        # Punctuation, numbers and sentence breaks cut the bigram context.
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return runs


def read_crf_pairs(root: Path) -> list[tuple[str, str]]:
    """Syllable pairs named by the bigram features of underthesea's CRF models (sorted, distinct)."""
    pairs: set[tuple[str, str]] = set()
    for rel in _UNDERTHESEA_CRF_MODELS:
        path = root / rel
        if not path.exists():
            continue
        for raw in _CRF_PAIR_RE.findall(path.read_bytes()):
            parts = syllables_of(raw.decode("utf-8", "replace"))
            if len(parts) == 2:
                pairs.add((parts[0], parts[1]))
    return sorted(pairs)


def read_case_counts(root: Path) -> dict[str, list[int]]:
    """Per syllable: how often the bundled VLSP text writes it Title-case / lower-case *inside* a
    sentence (not first).  Mid-sentence capitals mark names and agencies (Sở, Phòng, Ủy ban)."""
    counts: dict[str, list[int]] = {}
    first = True
    path = root / _UNDERTHESEA_FILES["running_text"]
    for line in path.read_text(encoding="utf-8").splitlines():
        token = line.split("\t", 1)[0].strip()
        if not token:
            first = True
            continue
        for part in nfc(token).replace("-", " ").split():
            if not _SYLLABLE_RE.match(part.lower()):
                first = first or part in ".!?:;"  # a new clause may start capitalised
                continue
            if not first and not part.isupper():
                row = counts.setdefault(modern_tone_placement(part.lower()), [0, 0])
                row[0 if part[0].isupper() else 1] += 1
            first = False
    return counts


def read_places(root: Path) -> Counter[tuple[str, ...]]:
    """Distinct administrative names (with their Tỉnh/Huyện/Xã prefix) as syllable tuples."""
    data = json.loads((root / _UNDERTHESEA_FILES["places"]).read_text(encoding="utf-8"))
    names: Counter[str] = Counter()
    for table in ("province_names", "old_province_names"):
        for entry in data.get(table, {}).values():
            names.update((entry.get("name", ""), entry.get("short", "")))
    for row in data.get("ward_mapping", []):
        for key in ("old_province", "old_district", "old_ward", "new_province", "new_ward"):
            names[row.get(key) or ""] += 1
    out: Counter[tuple[str, ...]] = Counter()
    for name in names:
        parts = syllables_of(name)
        if parts:
            out[tuple(parts)] = 1
    return out


def build(out_dir: Path = BUILT_DIR) -> Path:
    """Assemble unigram log-probabilities, the stripped-form index and the trigram LM."""
    root = _underthesea_dir()
    hunspell = read_hunspell()
    wf = read_wordfreq()
    dictionary = read_dictionary(root)
    runs = read_running_text(root)
    places = read_places(root)
    crf_pairs = read_crf_pairs(root)
    case_counts = read_case_counts(root)

    running_uni: Counter[str] = Counter()
    for run in runs:
        running_uni.update(run)

    place_uni: Counter[str] = Counter()
    for entry in places:
        place_uni.update(entry)
    # Restoration targets come from curated lists only; wordfreq and the running
    # text (which hold names and foreign words like "cia") only lend frequencies.
    curated = set(hunspell)
    for entry in dictionary + list(places):
        curated.update(entry)
    vocab = curated | set(wf) | set(running_uni)
    vocab.discard(NUMBER_TOKEN)
    # Only Vietnamese-shaped syllables are restoration targets; the rest of
    # wordfreq's table (logo, code, email) is kept as "foreign" words left as written.
    foreign = sorted(w for w in vocab if not is_vietnamese_syllable(w) and len(w) >= 4 and wf.get(w, 0.0) >= FOREIGN_MIN_FREQ)
    vocab = {w for w in vocab if is_vietnamese_syllable(w)}
    targets = {w for w in vocab if w in curated}

    wf_total = sum(wf.values()) or 1.0
    run_total = sum(running_uni.values()) or 1
    place_total = sum(place_uni.values()) or 1
    logprob: dict[str, float] = {}
    for syl in sorted(vocab):
        p = WORDFREQ_WEIGHT * wf.get(syl, 0.0) / wf_total + RUNNING_TEXT_WEIGHT * running_uni.get(syl, 0) / run_total
        p += PLACE_WEIGHT * place_uni.get(syl, 0) / place_total
        logprob[syl] = round(math.log(p + FLOOR_PROB), 4)

    index: dict[str, list[str]] = {}
    for syl in sorted(targets, key=lambda s: (-logprob[s], s)):
        forms = index.setdefault(strip_diacritics(syl), [])
        if len(forms) < MAX_FORMS_PER_KEY:
            forms.append(syl)

    model = {
        "format": FORMAT_VERSION,
        "sources": {
            "hunspell": str(HUNSPELL_DIC),
            "wordfreq": "wordfreq.get_frequency_dict('vi')",
            "underthesea": sorted(_UNDERTHESEA_FILES.values()),
        },
        "unigram_logprob": logprob,
        "index": index,
        "foreign": foreign,
        "number_token": NUMBER_TOKEN,
        # [Title-case, lower-case] counts inside sentences, for the restorer's case feature.
        "case_counts": {w: case_counts[w] for w in sorted(case_counts) if w in vocab},
        # Two-syllable dictionary words, for the restorer's word-overlap feature.
        "word_pairs": sorted({" ".join(e) for e in dictionary if len(e) == 2}),
        "lm": LM_FILE,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LEXICON_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)

    # Trigram Kneser-Ney LM: running text as sentences, dictionary words and
    # place names as stand-alone words, the unigram mixture above as its prior.
    def lm_runs():
        for run in runs:
            yield run, BOS, 1
        for entry in dictionary:
            if len(entry) > 1:
                yield entry, WORD_START, DICTIONARY_PAIR_WEIGHT
        for entry in places:
            if len(entry) > 1:
                yield list(entry), WORD_START, PLACE_PAIR_WEIGHT
        for pair in crf_pairs:
            yield list(pair), WORD_START, CRF_PAIR_WEIGHT

    prior = {w: math.exp(lp) for w, lp in logprob.items()}
    train_lm_model(lm_runs(), out_dir / LM_FILE, prior=prior, prior_weight=LM_PRIOR_WEIGHT)
    return path


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m models.build [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILT_DIR)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        path = build(args.out)
    except SourceMissing as exc:
        print(f"models.build: {exc}", file=sys.stderr)
        return 1
    model = json.loads(path.read_text(encoding="utf-8"))
    print(
        f"models.build: {path} — {len(model['unigram_logprob'])} syllables, "
        f"{len(model['index'])} stripped forms, LM {model['lm']} "
        f"in {time.perf_counter() - start:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
