"""The options of a run: one tree of frozen dataclasses.

::

    Settings
    ├── raster: RasterSettings            pages to pixels (pipeline.io.rasterize)
    ├── cleanup: CleanupSettings          the page image before OCR (pipeline.image.cleanup)
    ├── ocr: OcrSettings                  how Tesseract is called (pipeline.ocr.tesseract, annex cells)
    ├── handwriting: HandwritingSettings  pen digits in the header blanks (pipeline.ocr.handwriting)
    ├── use_text_layer, annex_tables
    └── restore

The command line builds it from its flags (environment variables are only their defaults,
read there: ``pipeline/cli/main.py``) and the stages get their part of it as arguments, not
from environment variables or module-level settings (the restorer's models are configured in
``pipeline/restore/``, and fingerprinted in :meth:`Settings.key`).  Every field is hashed into
:meth:`Settings.ocr_key` (what a page's cached words depend on) unless its metadata says
otherwise, so changing a knob here re-reads the pages without a version bump.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .restore.restorer import RestorerOptions

# Bump when rasterize, cleanup or OCR *code* changes what a page reads as (a changed value of
# the settings below changes the key by itself): it, not the package version, keys the OCR
# cache, so a release that only touches extraction or restoration re-extracts from cached
# words instead of re-running Tesseract.
OCR_STAGE_VERSION = 21

# Field metadata: not part of what a page reads (left out of Settings.ocr_key).
NOT_READ = {"ocr_key": False}

# Shapes of Vietnamese document numbers and dates (779/QĐ-UBND, 30/2020/NĐ-CP, 22/8/2020)
# in Tesseract's user-patterns syntax (\d digit, \A capital, \* repeat the previous class).
USER_PATTERNS = Path(__file__).with_name("data") / "vie.user-patterns"


@dataclass(frozen=True)
class RasterSettings:
    """Pages to pixels (:mod:`pipeline.io.rasterize`)."""

    dpi: int = 300  # PDF pages are rendered at this resolution
    # Decoded-pixel cap: an A0 poster at 300 DPI is ~140 Mpx; anything larger is a bomb or a
    # mistake.  It refuses pages and never changes what a page reads: not in the OCR key.
    max_pixels: int = field(default=200_000_000, metadata=NOT_READ)


@dataclass(frozen=True)
class CleanupSettings:
    """Tuning values of the page cleanup (:mod:`pipeline.image.cleanup`, whose docstring has
    what each step bought): they change the pixels Tesseract reads."""

    target_dpi: int = 300  # low-resolution scans are upscaled to this
    # Below this the strokes of stacked Vietnamese marks (ễ, ậ) merge; upscaling first helps Tesseract.
    upscale_below_dpi: int = 250
    max_skew_deg: float = 5.0  # deskew searches this far either way
    # Tesseract follows a baseline skewed by less than this itself, and the resample of a turn
    # costs it marks: on real 300-DPI scans skewed 0.25-0.8° (not turned / turned) 97.3 / 96.0%
    # of plain Tesseract's confident words were read ("tốt" read "tôt" on a page turned 0.65°:
    # 99.5 / 95.8%); the generated eval set's skews are 0 or 1.0-3.9° (same CER either way).
    min_skew_to_fix_deg: float = 1.0

    # x-height of the body text in inches, as an Otsu mask of a scan measures it: Times-like
    # faces have an x-height of ~0.45 em and Decree-30 bodies are 13-14 pt; with scanner blur
    # the mode of component heights is 27-30 px at 300 DPI on the generated eval set (28 = 0.0933 in).
    x_height_in: float = 0.0933
    # The estimate is trusted only with enough letter-sized components to have a clear mode.
    min_components_for_dpi: int = 400

    # Chroma (max - min of R, G, B) above which a pixel is stamp or pen ink, not toner.
    colour_chroma: int = 35
    # Size of one printed letter, in inches, as the components of a colour mask measure it:
    # up to 0.2 in tall (a 20-pt capital with its mark) and 0.5 in wide (a few letters that
    # touch).  A stamp's ring (~1.2-1.6 in) and a signature's strokes are larger.
    colour_letter_max_h_in: float = 0.2
    colour_letter_max_w_in: float = 0.5
    # Around a stamp or a signature stroke, letter-sized colour components are part of it
    # (the ring's lettering, the star, pen ticks): the stroke's box grown by this much.
    colour_zone_margin_in: float = 0.03
    # Other colour letters a colour letter has in its row (within 6 letter heights either side)
    # for it to be printed text: "Ký bởi: Ủy ban" has 6-10; pieces of a pen stroke 0-2.
    colour_row_letters: int = 3

    # Paper grain (see estimate_noise) above which the page gets a 3x3 median.  Non-local
    # means on top was dropped: it bought heavy pages 3.39% -> 3.36% CER for +0.6 s a page.
    noise_for_median: float = 7.0
    # Pages upscaled more than this (scans under ~120 DPI) go to Tesseract gray (see binarize);
    # the generated eval set's scans (150-300 DPI, scale <= 2) are all binarised.
    gray_above_scale: float = 2.5


@dataclass(frozen=True)
class OcrSettings:
    """How Tesseract is called (:mod:`pipeline.ocr.tesseract`; the annex cells' OCR uses its
    ``lang`` and ``oem``).

    Chosen by measurement on the generated eval set (``vanban eval``; see the cleanup
    note): ``psm 6`` (one uniform block) reads a cleaned page line by line across
    both columns, as the documents are laid out (agency | motto header, "Nơi nhận"
    | signature block); ``psm 3`` splits them into column blocks and reorders
    lines.  ``preserve_interword_spaces`` keeps the wide gaps between the two
    columns as runs of spaces in Tesseract's own text output (``image_to_string``,
    as OCRmyPDF and users' dumps see it); :func:`pipeline.ocr.tesseract.ocr_page` rebuilds
    lines from the words with single spaces, the gaps stay in the word boxes.  It changes no
    character read (measured: identical words with and without it).
    """

    lang: str = "vie"
    psm: int = 6  # one block of text lines: keeps two-column rows on one line, in page order
    oem: int = 1  # LSTM engine only: the `vie` model is LSTM-trained
    preserve_interword_spaces: bool = True
    user_patterns: bool = True  # bias the LSTM beam towards document-number shapes
    # A second reading of the page in this mode (None: none) supplies the tone marks the first
    # one dropped (see pipeline.ocr.tesseract.prefer_marked_readings).  psm 6 loses the tone
    # stacked on a circumflex or breve ("đât", "quyêt", "sô") on some scans, psm 4 on others,
    # never the same words: on the 23 real pages' line CER 0.0074 -> see README.
    mark_pass_psm: int | None = 4
    # ... read only on a page with this many words that show a lost tone (tesseract.lost_tones):
    # 11 of the 23 real pages; the generated pages, read well, pay nothing.
    mark_pass_after: int = 2

    def config(self) -> str:
        parts = [f"--oem {self.oem}", f"--psm {self.psm}"]
        if self.user_patterns and USER_PATTERNS.is_file():
            parts.append(f"--user-patterns {USER_PATTERNS}")
        parts.append(f"-c preserve_interword_spaces={int(self.preserve_interword_spaces)}")
        return " ".join(parts)


@dataclass(frozen=True)
class HandwritingSettings:
    """Knobs of the pen-digit reading (:mod:`pipeline.ocr.handwriting`; values measured on the
    real pages by the evaluation's handwriting_eval.py)."""

    # A component smaller than this share of text_height**2 is a speck or a leader dot.
    min_component_area: float = 0.045
    # A component lower than this share of the text height is a dot/dash/underline, unless
    # it is wide (a "5"'s or "7"'s bar is merged into its digit column first).
    min_digit_height: float = 0.45
    # Columns overlapping by this share of the narrower one are one digit (broken strokes).
    merge_overlap: float = 0.45
    # Width / height over which a column is tried as two or more touching digits.
    split_aspect: float = 0.8
    # A wide column is tried as touching digits when its best single-digit probability is
    # below this (or the classifier calls it "not one digit").
    split_below: float = 0.5
    # Confidence factor for every split of touching ink.
    split_penalty: float = 0.85
    # Ink darker than this gray level is always ink; Otsu decides between it and paper_level.
    max_ink_threshold: int = 170
    # A red pixel (stamp) has R above both G and B by this much: dropped from the ink.
    red_margin: int = 50
    max_digits: int = 8
    # Readings below this confidence are marked uncertain (DigitReading.uncertain).  On the
    # 35 handwritten fields of the real pages (the evaluation's handwriting_eval.py): at 0.7, 24
    # answered and 1 wrong (1 in 24); 0.6 the same wrong count with 25 answered, 0.5 2 wrong
    # in 28; with boxes moved half a text height up or down, 0.6-0.9 all keep the same
    # wrong answers (confident misreadings), so 0.7 keeps a margin over the 0.5 band.
    min_confidence: float = 0.7
    # A column at either end of the blank that the classifier calls "not a digit" with
    # this probability is printed text or a cut-off stroke: dropped.
    end_reject: float = 0.5
    # Ink crossing the box's edge and running on beyond it by more than this many text
    # heights is cut at the edge (joined to printed text); less, it is a digit kept whole.
    overrun: float = 0.35
    # The box is widened by this many text heights on each side to see digits whole, and
    # by context_above above and below.
    context: float = 0.6
    context_above: float = 0.5
    # Confidence factor when the first or last digit runs on past the widened box, or a
    # component left out (centre outside the box) is a digit with this probability.
    edge_penalty: float = 0.5
    straddler_digit: float = 0.8
    # ... or reaches this many text heights into the box (a digit glued to "/" or "ngày").
    straddler_reach: float = 0.3
    # Two tall components (both over this share of the taller's height) are one digit only
    # when their x-ranges overlap by tall_merge_overlap (slanted "31" overlaps ~0.5).
    tall_share: float = 0.75
    tall_merge_overlap: float = 0.8




@dataclass(frozen=True)
class Settings:
    """Everything that changes results; its keys decide what a re-run redoes."""

    raster: RasterSettings = field(default_factory=RasterSettings)
    cleanup: CleanupSettings = field(default_factory=CleanupSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    handwriting: HandwritingSettings = field(default_factory=HandwritingSettings)
    use_text_layer: bool = True  # a PDF page with a good text layer skips OCR
    annex_tables: bool = True  # read ruled tables (Phụ lục) cell by cell on OCR'd pages
    # Restore diacritics when the document needs it: decides nothing a page reads.
    restore: bool = field(default=True, metadata=NOT_READ)

    def ocr_key(self) -> str:
        """What a page's text and words depend on: the OCR stage version, Tesseract's version
        and every setting a page is read with (all fields but those marked :data:`NOT_READ`)."""
        blob = f"{OCR_STAGE_VERSION}|{_tesseract()}|{json.dumps(_read_with(self), sort_keys=True)}"
        return f"ocr{OCR_STAGE_VERSION}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}"

    def key(self, restorer: RestorerOptions | None = None) -> str:
        """Pipeline version + every setting + the models of ``restorer`` (the run's
        :class:`RestorerOptions`, needed when ``restore``), hashed: stored with every document,
        so changing any of them redoes it on the next run."""
        from .restore.restorer import model_fingerprint

        models = model_fingerprint(restorer) if self.restore else "-"
        blob = f"{__version__}|{self.ocr_key()}|{self.restore}|{models}"
        return f"{__version__}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}"


def _read_with(value):
    """The settings a page is read with, as plain JSON values: the dataclass tree without the
    fields whose metadata is :data:`NOT_READ`."""
    if is_dataclass(value):
        return {f.name: _read_with(getattr(value, f.name)) for f in fields(value)
                if f.metadata.get("ocr_key", True)}
    return value


@lru_cache(maxsize=1)
def _tesseract() -> str:
    from .ocr.tesseract import tesseract_version

    try:
        return tesseract_version()
    except Exception:  # noqa: BLE001 - no Tesseract: OCR will fail with its own message
        return "unknown"
