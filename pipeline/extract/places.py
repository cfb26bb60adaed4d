"""Place names of any province, for restoring diacritics and naming localities.

The names are the gazetteer's (:mod:`pipeline.extract.gazetteer`: the 63 provinces and 696
districts before 1 July 2025, the 34 provinces since).  OCR or diacritic-less text is mapped
back to the official spelling through the folded form; a document's province, when known,
narrows the districts to its own (13 for Quảng Ngãi), so that fuzzy matching has few names to
pull a misread word onto.
"""
from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz, process

from pipeline.extract.gazetteer import COMMUNE, DISTRICT, PROVINCE, TIERS, Unit, gazetteer, name_key

__all__ = ["LEVELS", "name_key", "restore_name", "restore_place", "locality", "district_level"]

LEVELS = {"huyen": "huyện", "thi xa": "thị xã", "thanh pho": "thành phố", "tp": "thành phố",
          "tinh": "tỉnh", "xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "quan": "quận",
          "dac khu": "đặc khu"}
COMMUNE_LEVELS = {lv for lv, tiers in TIERS.items() if tiers == (COMMUNE,)}
# Names documents still use for a province the gazetteer knows by its newer name (Huế since 1/2025).
PROVINCE_ALIASES = ["Thừa Thiên Huế"]


@functools.cache
def _provinces() -> dict[str, str]:
    """Folded key -> name of every province, before and since 1 July 2025."""
    return {name_key(n): n for n in [u.name for u in gazetteer().named(PROVINCE)] + PROVINCE_ALIASES}


@functools.cache
def _names(province: str | None) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, ...]]]:
    """(district key -> name, province or district key -> name, district name -> its levels) for
    ``province``'s districts, or every district of the country when None."""
    g = gazetteer()
    # A name the gazetteer does not know (a misread) narrows nothing: every district is a candidate.
    within: list[Unit | None] = [u for u in g.named(PROVINCE) if u.name == province] if province else []
    districts: dict[str, str] = {}
    levels: dict[str, set[str]] = {}
    for prov in within or [None]:
        for u in g.named(DISTRICT, prov):
            districts.setdefault(name_key(u.name), u.name)
            levels.setdefault(u.name, set()).add(u.level)
    return districts, {**_provinces(), **districts}, {n: tuple(sorted(lv)) for n, lv in levels.items()}


def restore_name(name: str, cutoff: float = 84, province: str | None = None) -> str | None:
    """Official spelling of a district-level name (``"Tu Nghia"`` -> ``"Tư Nghĩa"``), or None.

    ``province``: the document's, when known: only its districts are candidates, and only then is a
    misread name matched fuzzily.  Over the 696 districts of the country fuzzy matching pulls village
    names onto districts ("thôn Gò Da" -> huyện Gò Dầu, Tây Ninh), so without a province only the
    folded name is looked up.
    """
    districts, known, _ = _names(province)
    key = name_key(name)
    if key in districts:
        return districts[key]
    if key in known or province is None:
        return None  # a province's name, spelt right; or nothing to narrow a fuzzy match
    hit = process.extractOne(key, list(known), scorer=fuzz.ratio, score_cutoff=cutoff)
    return districts.get(hit[0]) if hit else None


def restore_place(name: str, cutoff: float = 84) -> str | None:
    """Official spelling of a province or district name, or None; only province names are matched fuzzily."""
    _, known, _ = _names(None)
    key = name_key(name)
    if key in known:
        return known[key]
    provinces = _provinces()
    hit = process.extractOne(key, list(provinces), scorer=fuzz.ratio, score_cutoff=cutoff)
    return provinces[hit[0]] if hit else None


def district_level(name: str, province: str | None = None) -> str | None:
    """The level a district-level name has ("Đức Phổ" -> "thị xã"), None if it has several (Sơn Tây)."""
    lv = _names(province)[2].get(name, ())
    return lv[0] if len(lv) == 1 else None


def locality(level: str | None, name: str, province: str | None = None) -> str | None:
    """Locality as the schema writes it: "huyện Tư Nghĩa", "tỉnh Quảng Ngãi"."""
    lvl = LEVELS.get(name_key(level)) if level else None
    # A commune's name is not restored onto a district's ("xã Tân Thành" is not huyện Tân Thạnh).
    official = None if lvl in COMMUNE_LEVELS else restore_name(name, province=province)
    if official:
        lvl = lvl or district_level(official, province)
        return f"{lvl} {official}" if lvl else None
    if lvl:
        return lvl + " " + re.sub(r"\s+", " ", name).strip()
    return None
