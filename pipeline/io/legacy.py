"""Legacy Vietnamese encodings: TCVN3 (ABC, the ``.VnTime`` fonts) and choosing a decoding.

Before Unicode, offices typed in TCVN3 fonts: the bytes of a Vietnamese letter
are Latin-1 codes drawn as Vietnamese glyphs, so read as Windows-1258 (or
extracted from a PDF whose font says WinAnsi) ``Sở Nông nghiệp`` comes out as
``Së N«ng nghiÖp``.  A decoding is chosen by how many words come out as valid
Vietnamese syllables.
"""
from __future__ import annotations

import re
import unicodedata

from ..script import is_syllable_shaped, nfc

# TCVN3 byte (as its Latin-1 character) → the Vietnamese letter the font draws.
# Upper-case toned letters lived in separate ".VnTimeH" fonts with the same codes,
# so only the seven upper-case base letters have codes of their own.
_TCVN3_PAIRS = (
    "µà ¸á ¶ả ·ã ¹ạ ¨ă »ằ ¾ắ ¼ẳ ½ẵ Æặ ©â Çầ Êấ Èẩ Éẫ Ëậ ®đ Ìè Ðé Îẻ Ïẽ Ñẹ "
    "ªê Òề Õế Óể Ôễ Öệ ×ì Ýí Øỉ Üĩ Þị ßò ãó áỏ âõ äọ «ô åồ èố æổ çỗ éộ "
    "¬ơ êờ íớ ëở ìỡ îợ ïù óú ñủ òũ ôụ \u00adư õừ øứ öử ÷ữ ùự úỳ ýý ûỷ üỹ þỵ "
    "¡Ă ¢Â §Đ £Ê ¤Ô ¥Ơ ¦Ư"
)
TCVN3_TO_UNICODE = {pair[0]: pair[1] for pair in _TCVN3_PAIRS.split(" ")}
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VIET_LETTERS = set(
    "abcdefghijklmnopqrstuvwxyzàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợ"
    "ùúủũụưừứửữựỳýỷỹỵđ"
)
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# A few signature characters make a text worth testing for TCVN3 at all.
_TCVN3_SIGNS = set("«¬®µ¸¶·¹¨»¾¼½ÆÇÊÈÉËÌÐÎÏÑÒÕÓÔÖ×ÝØÜÞßãáâäåèæçéêíëìîïóñòôõøö÷ùúýûüþ")


def tcvn3_to_unicode(text: str) -> str:
    """Map TCVN3 code points (read as Latin-1 characters) to Unicode Vietnamese, NFC."""
    return nfc(text.translate(_TCVN3_TABLE))


def decode_tcvn3(data: bytes) -> str:
    """Decode bytes written with a TCVN3 (ABC) font."""
    return tcvn3_to_unicode(data.decode("latin-1"))


def vietnamese_validity(text: str) -> float:
    """Share of words that are possible Vietnamese syllables: Vietnamese letters only,
    syllable-shaped, at most one tone mark.  Wrong decodings score far lower."""
    words = _WORD_RE.findall(nfc(text))
    if not words:
        return 0.0
    return sum(_valid_word(w) for w in words) / len(words)


def _valid_word(word: str) -> bool:
    lower = word.lower()
    if any(c not in _VIET_LETTERS for c in lower):
        return False
    tones = sum(1 for c in unicodedata.normalize("NFD", lower) if c in _TONES)
    return tones <= 1 and is_syllable_shaped(lower)


def fix_tcvn3_mojibake(text: str) -> str:
    """Return the TCVN3 reading of ``text`` when it is clearly better Vietnamese, else ``text``.

    For text that went through a wrong decoding already (a PDF text layer in a
    ``.VnTime`` font, a TCVN3 file saved as UTF-8 by a converter).
    """
    signs = sum(1 for c in text if c in _TCVN3_SIGNS)
    if signs < 3:
        return text
    fixed = tcvn3_to_unicode(text)
    return fixed if vietnamese_validity(fixed) > vietnamese_validity(text) + 0.1 else text
