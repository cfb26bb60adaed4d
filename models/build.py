"""Build the diacritic restorer's lexicon into ``models/built/`` (run by ``make setup``).

The folder is :func:`pipeline.resources.models_dir` (``models/built`` in a checkout), ``--out``
to write elsewhere.

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

* Debian packages of Vietnamese documentation, fetched by ``make setup`` with
  ``apt-get download`` (never installed: ``libreoffice-help-vi`` depends on
  LibreOffice itself) and unpacked with ``dpkg-deb -x`` into
  ``models/built/sources/<package>/`` (or read from ``/usr/share`` when the
  package happens to be installed).  Each is optional: a missing one prints a
  warning and the model is built without it.  They add ~290k syllables of
  running text once English sentences and repeats are dropped (the VLSP text
  above has ~97k): a share of the unigram mixture, and a trigram LM of their
  own interpolated into the shipped one (see DOCS_LM_MIX_WEIGHT):
  - ``libreoffice-help-vi``: the LibreOffice help in HTML (tags and scripts
    stripped; it is only partly translated, so English sentences are dropped by
    syllable shape and diacritic share, and boilerplate sentences repeated
    across pages are counted once);
  - ``manpages-vi``: translated man pages (roff requests and escapes stripped);
  - ``maint-guide-vi``: the Debian New Maintainers' Guide (plain-text edition).

* PyPI ``underthesea==6.8.4``: its Vietnamese dictionary (``dictionary.data``,
  31k entries; later releases dropped it), fetched by ``make setup`` with ``pip
  download`` (never installed) into ``models/built/sources/underthesea-6.8.4/``.
  Its definitions and usage examples are ~0.8M syllables of plain standard prose,
  read as running text for a trigram LM of their own interpolated into the shipped
  one (DICTIONARY_LM_MIX_WEIGHT).  Optional like the Debian packages.

Output: ``models/built/restore_lexicon.json`` (see :func:`build`), deterministic
(sorted keys) so two builds give identical bytes.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import pickle
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from pipeline.resources import LEXICON_FILE, LM_FILE, models_dir
# What a syllable and a number are, and "<num>" (numbers are one context token so "năm 2024",
# "tháng 9", "số 69" teach the LM): shared with train-lm and the restorer.
from pipeline.restore.tokens import NUMBER_TOKEN, SYLLABLE_RE, is_number, modern_tone_placement
from pipeline.script import nfc, strip_diacritics

# Written where the product reads (pipeline/resources.py): $VANBAN_MODELS, else the checkout's
# models/built, else the per-user folder of an installed package.
BUILT_DIR = models_dir()
FORMAT_VERSION = 2
# Share of the frequency prior in the LM's unigram level (see pipeline.restore.lm.train).
LM_PRIOR_WEIGHT = 0.9

HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")
# The project's own list of state bodies and national programmes (models/data/).
STATE_BODIES = Path(__file__).resolve().parent / "data" / "state_bodies.txt"
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

# Dictionary pairs are word types, not running text: one entry counts as this
# many observed bigrams, enough to beat an unseen pair but not a frequent one.
DICTIONARY_PAIR_WEIGHT = 1
PLACE_PAIR_WEIGHT = 1
# State bodies (Sở Nông nghiệp…) are written in nearly every document this tool reads,
# yet news text and dictionaries barely hold them: they count like running text.
STATE_BODY_WEIGHT = 3
CRF_PAIR_WEIGHT = 1
# Unigram mixture: wordfreq is large and general, the running text is
# in-domain but small; dictionary-only syllables get a floor.
WORDFREQ_WEIGHT = 0.65
RUNNING_TEXT_WEIGHT = 0.3
# Administrative words (tỉnh, huyện, xã, phường) fill government documents
# far more than news text: the place-name list lends them some weight.
PLACE_WEIGHT = 0.05
# The Debian documentation (software help, not legal prose) takes this share of
# the unigram mixture when present (the others shrink to make room) ...
DOCS_UNIGRAM_WEIGHT = 0.05
# ... and gets its own trigram LM, interpolated with the main one at this
# weight into the shipped lm.npz (pipeline.restore.lm.mix): linear interpolation keeps
# the software vocabulary from swamping the legal/news text's statistics, which
# pooling the counts did (tuned on held-out vbpl text: 95.27% pooled, 95.8% mixed).
DOCS_LM_MIX_WEIGHT = 0.2
# (dev, 2,000 vbpl lines: 0.05 -> 95.55%, 0.1 -> 95.73, 0.15 -> 95.85, 0.2 -> 95.82,
# 0.3 -> 95.52; without the documentation 95.15.)
# Unigram level of the documentation LM: this share is the lexicon's frequency
# prior, as for the main LM (1.0, i.e. none of the help's own word frequencies
# such as "bạn", "nhấn", "hộp", measured the same).
DOCS_LM_PRIOR_WEIGHT = 0.9
# The dictionary's definitions and examples (read_dictionary_text): their own trigram LM,
# interpolated like the documentation's (final mixture: main 0.6, docs 0.2, dictionary 0.2).
# Chosen on vbpl dev (2,000 lines): without it 96.92%; 0.1 -> 97.41, 0.15 -> 97.51,
# 0.2 -> 97.60, 0.3 -> 97.40 (docs at 0.1 or 0.3 beside it: 97.58, 97.26).
DICTIONARY_LM_MIX_WEIGHT = 0.2
# Its share of the unigram mixture (0.05 measured 97.45%: definitions over-weight
# dictionary words such as "của", "người", "có").
DICTIONARY_UNIGRAM_WEIGHT = 0.0
# Times each VLSP sentence counts in the main LM (2 measured worse: scaled counts
# upset the Kneser-Ney discounts).
RUNNING_TEXT_LM_WEIGHT = 1
FLOOR_PROB = 2e-8
MAX_FORMS_PER_KEY = 16
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


from pipeline.restore.lm import BOS, WORD_START  # noqa: E402  (shared with train-lm)
from pipeline.restore.lm import mix as mix_lms  # noqa: E402
from pipeline.restore.lm import train as train_lm_model  # noqa: E402


def syllables_of(text: str) -> list[str]:
    """Lower-case NFC syllables of a phrase (modern tone placement); empty if any part is not a syllable."""
    parts = nfc(text).lower().replace("-", " ").split()
    if not parts or not all(SYLLABLE_RE.match(p) for p in parts):
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
        parts = [NUMBER_TOKEN] if is_number(token) else (syllables_of(token) if token else [])
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
            if not SYLLABLE_RE.match(part.lower()):
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


# Words that name an administrative unit and stand before its proper name
# ("xã Phổ Phong", "thị trấn Châu Ổ", "TP Quảng Ngãi").
UNIT_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "tp")


def place_name_pairs(places: Iterable[tuple[str, ...]]) -> set[tuple[str, str]]:
    """The first two syllables of each place name, its unit word ("xã", "thị trấn") cut off."""
    units = sorted((tuple(u.split()) for u in UNIT_WORDS), key=len, reverse=True)
    pairs: set[tuple[str, str]] = set()
    for name in places:
        for unit in units:
            if name[:len(unit)] == unit:
                name = name[len(unit):]
                break
        if len(name) >= 2:
            pairs.add((name[0], name[1]))
    return pairs


# ---------------------------------------------------------------------------
# Vietnamese documentation from Debian packages (fetched by ``make setup``)

SOURCES_DIR = BUILT_DIR / "sources"
# package -> where its text lives inside the unpacked tree (also the installed path).
DEBIAN_TEXT_SOURCES = {
    "libreoffice-help-vi": "usr/share/libreoffice/help/vi/text",
    "manpages-vi": "usr/share/man/vi",
    "maint-guide-vi": "usr/share/doc/maint-guide-vi/maint-guide.vi.txt.gz",
}
# A sentence of the documentation is kept when it reads as Vietnamese: syllable-shaped
# words (pipeline.script.looks_vietnamese) and enough of them marked, which
# English UI strings ("Find Bar", "can be used to") are not.
DOC_MIN_DIACRITIC_SHARE = 0.35
DOC_MIN_WORDS = 3
# Sentences repeated verbatim across pages (help boilerplate) count once.
DOCS_DEDUPE = True
_DOC_SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+|\s*[•·]\s*")


class _HelpHTML(HTMLParser):
    """Text of a LibreOffice help page, one paragraph per block element, page chrome skipped."""

    _BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "div", "br", "tr", "table", "pre", "dt", "dd"}
    _SKIP = {"script", "style", "head", "header", "aside", "pre", "code", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._buf: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.paragraphs.append(text)
        self._buf = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        if tag in self._SKIP:
            self._skip += 1
        if tag in self._BLOCKS:
            self._flush()

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in self._BLOCKS:
            self._flush()
        if tag in self._SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):  # noqa: ANN001
        if not self._skip:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()  # text after the last block tag


def _read_maybe_gz(path: Path) -> str:
    import gzip

    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", "replace")


_ROFF_ESCAPE_RE = re.compile(r"\\(?:f(?:\[[^\]]*\]|\(..|.)|\((..)|\[([^\]]*)\]|s[-+]?\d+|[&|^%:c]|\*(?:\(..|\[[^\]]*\]|.)|(.))")
_ROFF_CHARS = {"em": "—", "en": "–", "lq": "“", "rq": "”", "oq": "‘", "cq": "’", "aq": "'", "dq": '"', "bu": "•"}
# Requests whose arguments are running text (section titles, fonts); others are layout.
_ROFF_TEXT_REQUESTS = {"SH", "SS", "B", "I", "BR", "RB", "IR", "RI", "BI", "IB", "SM", "SB"}


def _roff_unescape(line: str) -> str:
    def sub(m: re.Match) -> str:
        two, name, char = m.group(1), m.group(2), m.group(3)
        if two or name:
            return _ROFF_CHARS.get(two or name, " ")
        if char is not None:
            return {"-": "-", "e": "\\\\", " ": " ", "~": " ", "0": " "}.get(char, "")
        return ""

    return _ROFF_ESCAPE_RE.sub(sub, line)


def man_paragraphs(text: str) -> list[str]:
    """Paragraphs of a roff man page: requests dropped (their text arguments kept), escapes resolved."""
    paragraphs: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            paragraphs.append(" ".join(" ".join(buf).split()))
            buf.clear()

    for line in text.splitlines():
        if line.startswith(("'", ".")):
            flush()
            m = re.match(r"^[.']\s*(\w+)\s*(.*)$", line)
            if m and m.group(1) in _ROFF_TEXT_REQUESTS and m.group(2):
                paragraphs.append(_roff_unescape(m.group(2).replace('"', " ")).strip())
            continue
        if not line.strip():
            flush()
            continue
        buf.append(_roff_unescape(line))
    flush()
    return [p for p in paragraphs if p]


def plain_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs of a plain-text document, wrapped lines joined."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def vietnamese_sentences(paragraphs: Iterable[str]) -> Iterator[str]:
    """Sentences of ``paragraphs`` that read as Vietnamese (English ones and code dropped)."""
    from pipeline.script import diacritic_share, looks_vietnamese

    for para in paragraphs:
        for sent in _DOC_SENTENCE_RE.split(para):
            if (len(sent.split()) >= DOC_MIN_WORDS and looks_vietnamese(sent)
                    and diacritic_share(sent) >= DOC_MIN_DIACRITIC_SHARE):
                yield sent


def _debian_root(package: str, sources_dir: Path) -> tuple[Path, str] | None:
    """(path of the package's text, version) from the unpacked tree, else from an installed package."""
    rel = DEBIAN_TEXT_SOURCES[package]
    tree = sources_dir / package
    if (tree / rel).exists():
        version_file = tree / "VERSION"
        version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else "?"
        return tree / rel, version
    if (Path("/") / rel).exists():
        return Path("/") / rel, "installed"
    return None


def read_debian_docs(sources_dir: Path = SOURCES_DIR, dedupe: bool | None = None) -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    """Running text of the Debian documentation packages as syllable runs, per package.

    Returns (runs per package, version per package found).  Missing packages
    print a warning on stderr and are left out.  Sentences repeated verbatim
    (help boilerplate, man-page option blurbs) count once when ``dedupe``.
    """
    from pipeline.restore.lm import text_runs

    dedupe = DOCS_DEDUPE if dedupe is None else dedupe
    out: dict[str, list[list[str]]] = {}
    versions: dict[str, str] = {}
    for package in DEBIAN_TEXT_SOURCES:
        found = _debian_root(package, sources_dir)
        if found is None:
            print(f"models.build: WARNING: Debian package {package} not found under {sources_dir} "
                  f"(make setup runs apt-get download); building without it", file=sys.stderr)
            continue
        path, versions[package] = found
        paragraphs: list[str] = []
        if package == "libreoffice-help-vi":
            for page in sorted(path.rglob("*.html")):
                parser = _HelpHTML()
                parser.feed(page.read_text(encoding="utf-8", errors="replace"))
                parser.close()
                paragraphs.extend(parser.paragraphs)
        elif package == "manpages-vi":
            for page in sorted(p for p in path.rglob("*") if p.is_file()):
                paragraphs.extend(man_paragraphs(_read_maybe_gz(page)))
        else:
            paragraphs = plain_paragraphs(_read_maybe_gz(path))
        seen: set[str] = set()
        runs: list[list[str]] = []
        for sent in vietnamese_sentences(paragraphs):
            if dedupe:
                if sent in seen:
                    continue
                seen.add(sent)
            runs.extend(text_runs(sent))
        out[package] = runs
    return out, versions


# ---------------------------------------------------------------------------
# The Vietnamese dictionary of underthesea 6.8.4 (fetched by ``make setup``)

# underthesea up to 6.x shipped a 31k-entry Vietnamese dictionary (definitions and usage
# examples: ~0.8M syllables of plain prose); later releases dropped the file. `make setup`
# fetches that wheel with `pip download --no-deps` and unzips only this file, into
# SOURCES_DIR/underthesea-6.8.4/ (the Makefile reads both names from these two lines).
DICTIONARY_WHEEL = "underthesea==6.8.4"
DICTIONARY_FILE = "underthesea/dictionary/dictionary.data"
DICTIONARY_DATA = f"{DICTIONARY_WHEEL.replace('==', '-')}/{DICTIONARY_FILE}"


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles plain dicts, lists and strings only: a data file never runs code."""

    def find_class(self, module: str, name: str):  # noqa: ANN201
        raise pickle.UnpicklingError(f"refusing {module}.{name}: only plain data is expected")


def read_dictionary_text(sources_dir: Path = SOURCES_DIR) -> tuple[list[list[str]], str | None]:
    """Runs of the dictionary's definitions and examples, in entry order; (runs, version) or
    ([], None) with a warning when the file was not fetched."""
    from pipeline.restore.lm import text_runs

    path = sources_dir / DICTIONARY_DATA
    if not path.is_file():
        print(f"models.build: WARNING: {path} not found (make setup fetches {DICTIONARY_WHEEL}); "
              "building without the dictionary's text", file=sys.stderr)
        return [], None
    with path.open("rb") as f:
        entries = _PlainDataUnpickler(f).load()
    runs: list[list[str]] = []
    for word in sorted(entries):
        for sense in entries[word]:
            for key in ("definition", "example"):
                if sense.get(key):
                    runs.extend(text_runs(sense[key]))
    return runs, DICTIONARY_WHEEL.split("==")[1]


def read_state_bodies(path: Path = STATE_BODIES) -> list[list[str]]:
    """The project's own list of state bodies and national programmes as syllable runs
    (one per comma-separated part of a line)."""
    runs: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for part in line.split(","):
            parts = syllables_of(part)
            if parts:
                runs.append(parts)
    return runs


def build(out_dir: Path = BUILT_DIR, sources_dir: Path = SOURCES_DIR) -> Path:
    """Assemble unigram log-probabilities, the stripped-form index and the trigram LM."""
    root = _underthesea_dir()
    doc_runs_by_package, doc_versions = read_debian_docs(sources_dir)
    doc_runs = [run for package in sorted(doc_runs_by_package) for run in doc_runs_by_package[package]]
    dict_runs, dict_version = read_dictionary_text(sources_dir)
    hunspell = read_hunspell()
    wf = read_wordfreq()
    dictionary = read_dictionary(root)
    runs = read_running_text(root)
    places = read_places(root)
    crf_pairs = read_crf_pairs(root)
    case_counts = read_case_counts(root)
    state_bodies = read_state_bodies()

    running_uni: Counter[str] = Counter()
    for run in runs:
        running_uni.update(run)

    doc_uni: Counter[str] = Counter()
    for run in doc_runs:
        doc_uni.update(run)
    doc_uni.pop(NUMBER_TOKEN, None)
    dict_uni: Counter[str] = Counter()
    for run in dict_runs:
        dict_uni.update(run)
    dict_uni.pop(NUMBER_TOKEN, None)

    place_uni: Counter[str] = Counter()
    for entry in places:
        place_uni.update(entry)
    # Restoration targets come from curated lists only; wordfreq and the running
    # text (which hold names and foreign words like "cia") only lend frequencies.
    curated = set(hunspell)
    for entry in dictionary + list(places) + state_bodies:
        curated.update(entry)
    vocab = curated | set(wf) | set(running_uni) | set(doc_uni) | set(dict_uni)
    vocab.discard(NUMBER_TOKEN)
    # Only Vietnamese-shaped syllables are restoration targets; the rest of
    # wordfreq's table (logo, code, email) is kept as "foreign" words left as written.
    foreign = sorted(w for w in vocab if not is_vietnamese_syllable(w) and len(w) >= 4 and wf.get(w, 0.0) >= FOREIGN_MIN_FREQ)
    vocab = {w for w in vocab if is_vietnamese_syllable(w)}
    targets = {w for w in vocab if w in curated}

    wf_total = sum(wf.values()) or 1.0
    run_total = sum(running_uni.values()) or 1
    place_total = sum(place_uni.values()) or 1
    doc_total = sum(doc_uni.values())
    doc_weight = DOCS_UNIGRAM_WEIGHT if doc_total else 0.0
    dict_total = sum(dict_uni.values())
    dict_weight = DICTIONARY_UNIGRAM_WEIGHT if dict_total else 0.0
    logprob: dict[str, float] = {}
    for syl in sorted(vocab):
        p = WORDFREQ_WEIGHT * wf.get(syl, 0.0) / wf_total + RUNNING_TEXT_WEIGHT * running_uni.get(syl, 0) / run_total
        p += PLACE_WEIGHT * place_uni.get(syl, 0) / place_total
        p *= 1.0 - doc_weight - dict_weight
        if doc_weight:
            p += doc_weight * doc_uni.get(syl, 0) / doc_total
        if dict_weight:
            p += dict_weight * dict_uni.get(syl, 0) / dict_total
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
            "state_bodies": "models/data/state_bodies.txt",
            # Debian package -> version whose documentation was read as running text.
            "debian_docs": {p: doc_versions[p] for p in sorted(doc_versions)},
            # underthesea release whose dictionary text was read (None: not fetched).
            "dictionary_text": dict_version,
        },
        "unigram_logprob": logprob,
        "index": index,
        "foreign": foreign,
        "number_token": NUMBER_TOKEN,
        # [Title-case, lower-case] counts inside sentences, for the restorer's case feature.
        "case_counts": {w: case_counts[w] for w in sorted(case_counts) if w in vocab},
        # Two-syllable dictionary words, for the restorer's word-overlap feature.
        "word_pairs": sorted({" ".join(e) for e in dictionary if len(e) == 2}),
        # First two syllables of place names, and the last syllable of each unit word that
        # may stand before one, for the restorer's place feature.
        "place_pairs": sorted(" ".join(p) for p in place_name_pairs(places)),
        "place_unit_words": sorted({unit.split()[-1] for unit in UNIT_WORDS}),
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
            yield run, BOS, RUNNING_TEXT_LM_WEIGHT
        for entry in dictionary:
            if len(entry) > 1:
                yield entry, WORD_START, DICTIONARY_PAIR_WEIGHT
        for entry in places:
            if len(entry) > 1:
                yield list(entry), WORD_START, PLACE_PAIR_WEIGHT
        for pair in crf_pairs:
            yield list(pair), WORD_START, CRF_PAIR_WEIGHT
        for entry in state_bodies:
            if len(entry) > 1:
                yield entry, WORD_START, STATE_BODY_WEIGHT

    prior = {w: math.exp(lp) for w, lp in logprob.items()}
    # Each other text gets a model of its own (same vocabulary), linearly interpolated
    # into the main one at its weight: (name, runs, weight).
    others = [(name, runs_, weight) for name, runs_, weight in
              (("docs", doc_runs, DOCS_LM_MIX_WEIGHT), ("dictionary", dict_runs, DICTIONARY_LM_MIX_WEIGHT))
              if runs_ and weight > 0]
    if not others:
        train_lm_model(lm_runs(), out_dir / LM_FILE, prior=prior, prior_weight=LM_PRIOR_WEIGHT)
        return path
    words = sorted({w for run, _, _ in lm_runs() for w in run}
                   | {w for _, runs_, _ in others for run in runs_ for w in run})
    mixed = out_dir / "lm_main.tmp.npz"
    train_lm_model(lm_runs(), mixed, prior=prior, prior_weight=LM_PRIOR_WEIGHT, extra_vocab=words)
    # Mixing one model in at a time: weight w_i of the final mixture is w_i / (weights so far + w_i)
    # of this step.
    so_far = 1.0 - sum(weight for _, _, weight in others)
    for name, runs_, weight in others:
        part = out_dir / f"lm_{name}.tmp.npz"
        train_lm_model(((run, BOS, 1) for run in runs_), part, prior=prior,
                       prior_weight=DOCS_LM_PRIOR_WEIGHT, extra_vocab=words)
        so_far += weight
        step = out_dir / "lm_step.tmp.npz"
        mix_lms(mixed, part, weight / so_far, step)
        part.unlink()
        step.replace(mixed)
    mixed.replace(out_dir / LM_FILE)
    return path


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m models.build [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILT_DIR)
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR,
                        help="unpacked Debian documentation packages and underthesea's dictionary (make setup fills it)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        path = build(args.out, args.sources)
    except SourceMissing as exc:
        print(f"models.build: {exc}", file=sys.stderr)
        return 1
    model = json.loads(path.read_text(encoding="utf-8"))
    print(
        f"models.build: {path} — {len(model['unigram_logprob'])} syllables, "
        f"{len(model['index'])} stripped forms, LM {model['lm']}, "
        f"Debian docs: {', '.join(model['sources']['debian_docs']) or 'none'}, "
        f"dictionary text: {'underthesea ' + model['sources']['dictionary_text'] if model['sources']['dictionary_text'] else 'none'} "
        f"in {time.perf_counter() - start:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
