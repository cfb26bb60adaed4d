"""Times-like fonts that really cover Vietnamese, and a loud check for missing glyphs.

Vietnamese government documents are set in Times New Roman 13-14 pt (Decree
30/2020/NĐ-CP). Liberation Serif 2 and TeX Gyre Termes are metric/visual clones
that ship the precomposed Vietnamese letters. Debian's old fonts-liberation 1.07
does not, and PIL silently draws boxes ("tofu") for missing glyphs, which would
poison every OCR measurement, hence :func:`check_glyphs`.
"""
from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

STYLES = ("regular", "bold", "italic", "bolditalic")

_LIBERATION2 = Path("/usr/share/fonts/truetype/liberation2")
_TERMES = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre")
_TERMES_ALT = Path("/usr/share/fonts/opentype/tex-gyre")

# Preference order: Liberation Serif 2 first (TrueType, hinted for rasterising),
# then TeX Gyre Termes from either of its Debian install locations.
_CANDIDATES: dict[str, tuple[Path, ...]] = {
    "regular": (
        _LIBERATION2 / "LiberationSerif-Regular.ttf",
        _TERMES / "texgyretermes-regular.otf",
        _TERMES_ALT / "texgyretermes-regular.otf",
    ),
    "bold": (
        _LIBERATION2 / "LiberationSerif-Bold.ttf",
        _TERMES / "texgyretermes-bold.otf",
        _TERMES_ALT / "texgyretermes-bold.otf",
    ),
    "italic": (
        _LIBERATION2 / "LiberationSerif-Italic.ttf",
        _TERMES / "texgyretermes-italic.otf",
        _TERMES_ALT / "texgyretermes-italic.otf",
    ),
    "bolditalic": (
        _LIBERATION2 / "LiberationSerif-BoldItalic.ttf",
        _TERMES / "texgyretermes-bolditalic.otf",
        _TERMES_ALT / "texgyretermes-bolditalic.otf",
    ),
}

# A sample that exercises the stacked Vietnamese diacritics; a font that lacks
# any of these is unusable for the corpus.
VIETNAMESE_SAMPLE = (
    "ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸĐƠƯ"
    "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđơư"
)


class FontNotFoundError(FileNotFoundError):
    """No usable Vietnamese-capable serif font is installed."""


class MissingGlyphsError(ValueError):
    """The font lacks glyphs for characters we were asked to render."""

    def __init__(self, font_path: Path, missing: set[str]):
        self.font_path = Path(font_path)
        self.missing = missing
        shown = " ".join(f"{c!r}(U+{ord(c):04X})" for c in sorted(missing)[:20])
        super().__init__(f"{font_path} lacks {len(missing)} glyph(s): {shown}")


@functools.lru_cache(maxsize=None)
def _cmap(font_path: str) -> frozenset[int]:
    # Reading the cmap is the slow part; fonts never change during a run.
    with TTFont(font_path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def check_glyphs(font_path: str | Path, text: str) -> set[str]:
    """Return the characters of ``text`` (NFC) that the font has no glyph for.

    Whitespace and control characters are ignored: they are never drawn.
    """
    cmap = _cmap(str(font_path))
    chars = set(unicodedata.normalize("NFC", text))
    return {c for c in chars if not c.isspace() and unicodedata.category(c)[0] != "C"
            and ord(c) not in cmap}


def require_glyphs(font_path: str | Path, text: str) -> None:
    """Raise :class:`MissingGlyphsError` if the font cannot draw all of ``text``."""
    missing = check_glyphs(font_path, text)
    if missing:
        raise MissingGlyphsError(Path(font_path), missing)


# The faces by name, for renders that must use one of them (the OCR channel's plans and the
# garbled held-out evaluation set text in both, as state documents come in both metrics).
FAMILIES = {"liberation": (_LIBERATION2,), "termes": (_TERMES, _TERMES_ALT)}


@functools.lru_cache(maxsize=None)
def find_font(style: str = "regular", family: str | None = None) -> Path:
    """Path to a Times-like font of ``style`` that covers Vietnamese.

    Tries Liberation Serif 2, then TeX Gyre Termes (only that :data:`FAMILIES` face when
    ``family`` is given); raises :class:`FontNotFoundError` if none is installed with
    Vietnamese glyphs.
    """
    if style not in _CANDIDATES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    if family is not None and family not in FAMILIES:
        raise ValueError(f"unknown font family {family!r}; expected one of {sorted(FAMILIES)}")
    for path in _CANDIDATES[style]:
        if family is not None and path.parent not in FAMILIES[family]:
            continue
        if path.is_file() and not check_glyphs(path, VIETNAMESE_SAMPLE):
            return path
    raise FontNotFoundError(
        f"no Vietnamese-capable serif font for style {style!r}; "
        "install fonts-liberation2 or tex-gyre (tried: "
        + ", ".join(str(p) for p in _CANDIDATES[style]) + ")"
    )
