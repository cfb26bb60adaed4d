"""Place names of Quảng Ngãi province, for restoring diacritics and naming localities.

The archive is the OCOP program of one province, so its district-level units
(huyện, thị xã, thành phố) are a closed list; OCR or diacritic-less text is
mapped back to the official spelling through their folded form.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from pipeline.script import fold

PROVINCE = "Quảng Ngãi"

# name -> its administrative level (cấp huyện) as written before the name
DISTRICTS: dict[str, str] = {
    "Bình Sơn": "huyện", "Sơn Tịnh": "huyện", "Tư Nghĩa": "huyện", "Nghĩa Hành": "huyện",
    "Mộ Đức": "huyện", "Ba Tơ": "huyện", "Minh Long": "huyện", "Sơn Hà": "huyện",
    "Sơn Tây": "huyện", "Trà Bồng": "huyện", "Lý Sơn": "huyện", "Đức Phổ": "thị xã",
    "Quảng Ngãi": "thành phố",
}

# Provinces and centrally-run cities (tỉnh, thành phố trực thuộc Trung ương), so that a
# neighbour such as "Quang Nam" is not pulled onto "Quảng Ngãi" by fuzzy matching.
PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An",
    "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình",
    "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Hồ Chí Minh",
    "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Huế",
]

LEVELS = {"huyen": "huyện", "thi xa": "thị xã", "thanh pho": "thành phố", "tp": "thành phố",
          "tinh": "tỉnh", "xa": "xã", "phuong": "phường", "thi tran": "thị trấn"}


def name_key(s: str) -> str:
    """The folded (:func:`pipeline.script.fold`), single-spaced form used as a lookup key."""
    return re.sub(r"\s+", " ", fold(s)).strip()


_BY_FOLD = {name_key(n): n for n in DISTRICTS}
_ALL = {**{name_key(n): n for n in PROVINCES}, **_BY_FOLD}


def restore_name(name: str, cutoff: float = 84) -> str | None:
    """Official spelling of a district-level name (``"Tu Nghia"`` -> ``"Tư Nghĩa"``), or None."""
    key = name_key(name)
    if key in _BY_FOLD:
        return _BY_FOLD[key]
    if key in _ALL:
        return None  # another province's name, spelt right
    hit = process.extractOne(key, list(_ALL), scorer=fuzz.ratio, score_cutoff=cutoff)
    return _BY_FOLD.get(hit[0]) if hit else None


def restore_place(name: str, cutoff: float = 84) -> str | None:
    """Official spelling of a province or Quảng Ngãi district name, or None."""
    key = name_key(name)
    if key in _ALL:
        return _ALL[key]
    hit = process.extractOne(key, list(_ALL), scorer=fuzz.ratio, score_cutoff=cutoff)
    return _ALL[hit[0]] if hit else None


def locality(level: str | None, name: str) -> str | None:
    """Locality as the schema writes it: "huyện Tư Nghĩa", "tỉnh Quảng Ngãi"."""
    official = restore_name(name)
    lvl = LEVELS.get(name_key(level)) if level else None
    if official:
        if lvl is None:
            lvl = DISTRICTS[official]
        return f"{lvl} {official}"
    if lvl:
        return lvl + " " + re.sub(r"\s+", " ", name).strip()
    return None
