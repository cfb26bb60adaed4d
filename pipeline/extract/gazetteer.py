"""Vietnam's administrative units before and after the 1 July 2025 reorganisation, with official codes.

Before: 63 provinces (tỉnh, thành phố trực thuộc Trung ương), 696 districts (huyện, quận, thị xã,
thành phố thuộc tỉnh) and 10,035 communes (xã, phường, thị trấn).  Since 1 July 2025: 34 provinces
and 3,321 communes (xã, phường, đặc khu), no districts.  Codes are the statistics office's (mã đơn vị
hành chính): a merged province keeps the code of the one whose name it kept (Quảng Ngãi 51).

The tables are those the ``vietnamadminunits`` package ships (dataset.db and the old -> new tables
of converter_2025.json).  They are read here directly, without importing the package: its
converter geocodes street addresses online (ArcGIS), and nothing here may fetch at run time.
Loading takes ~0.15 s, once per process (:func:`gazetteer`).
"""
from __future__ import annotations

import functools
import importlib.util
import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.script import fold

OLD, NEW = "old", "new"
# Nghị quyết 202/2025/QH15 (provinces) and the communes' resolutions took effect on this day.
REORGANISED = "2025-07-01"
PROVINCE, DISTRICT, COMMUNE = 1, 2, 3
# The tier(s) each level word names; "thành phố" is a province (Đà Nẵng) or a district (Quảng Ngãi city).
TIERS = {"tỉnh": (PROVINCE,), "thành phố": (PROVINCE, DISTRICT), "huyện": (DISTRICT,), "quận": (DISTRICT,),
         "thị xã": (DISTRICT,), "xã": (COMMUNE,), "phường": (COMMUNE,), "thị trấn": (COMMUNE,),
         "đặc khu": (COMMUNE,)}
PACKAGE = "vietnamadminunits"


def name_key(s: str) -> str:
    """The folded (:func:`pipeline.script.fold`), single-spaced form used as a lookup key."""
    return re.sub(r"\s+", " ", fold(s)).strip()


@dataclass(frozen=True)
class Unit:
    """One administrative unit of one era: "huyện Bình Sơn" (524, in tỉnh Quảng Ngãi 51, old)."""

    level: str  # "tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu"
    name: str  # "Bình Sơn"
    code: str
    tier: int  # PROVINCE, DISTRICT or COMMUNE
    province_code: str
    district_code: str | None
    era: str  # OLD (until 30 June 2025) or NEW

    def __str__(self) -> str:
        return f"{self.level} {self.name}"

    def within(self, other: Unit) -> bool:
        """Whether this unit is ``other`` or lies inside it (both of one era)."""
        if self.era != other.era:
            return False
        if other.tier == PROVINCE:
            return self.province_code == other.code
        if other.tier == DISTRICT:
            return self.district_code == other.code or self.code == other.code and self.tier == DISTRICT
        return self == other


@dataclass(frozen=True)
class Place:
    """A unit named in a document, with the province it was in and today's province (and commune)."""

    unit: Unit
    province_old: Unit | None  # the pre-2025 province; None for a unit of today
    province: Unit  # today's province
    commune: Unit | None  # today's commune, when the old commune went whole into one

    def columns(self) -> dict[str, str | None]:
        """The counts table's columns for this place (locality itself stays the text)."""
        return {"locality_code": self.unit.code,
                "province_old": self.province_old.name if self.province_old else None,
                "province_code_old": self.province_old.code if self.province_old else None,
                "province": self.province.name, "province_code": self.province.code,
                "commune": str(self.commune) if self.commune else None,
                "commune_code": self.commune.code if self.commune else None}


# The columns of Place.columns, in the order the counts table has them.
COLUMNS = ["locality_code", "province_old", "province_code_old", "province", "province_code", "commune", "commune_code"]


def _level(typed: str) -> str:
    return unicodedata.normalize("NFC", typed).lower()


class Gazetteer:
    """The units of both eras, looked up by name, and the mapping of old units onto today's."""

    def __init__(self, data: Path):
        self.units: dict[str, list[Unit]] = defaultdict(list)  # name_key -> units of any tier and era
        self.by_key: dict[tuple[str, int, str], Unit] = {}  # (era, tier, package key) -> unit
        province_now: dict[str, str] = {}  # old province code -> today's
        commune_now: dict[str, list[str]] = defaultdict(list)  # old commune code -> today's (several if split)
        conn = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
        try:
            old = conn.execute("SELECT province, provinceShort, provinceCode, provinceKey, district, districtShort, "
                               "districtType, districtCode, districtKey, ward, wardShort, wardType, wardCode, wardKey "
                               "FROM admin_units_legacy").fetchall()
            new = conn.execute("SELECT province, provinceShort, provinceCode, provinceKey, ward, wardShort, wardType, "
                               "wardCode, wardKey FROM admin_units").fetchall()
        finally:
            conn.close()
        old_commune: dict[str, Unit] = {}  # "tinhquangngai_huyenbinhson_xabinhthuan" -> unit
        for p, p_short, p_code, p_key, _, d_short, d_type, d_code, d_key, _, w_short, w_type, w_code, w_key in old:
            self._add(OLD, PROVINCE, p_key, p, p_short, p_code, p_code, None)
            self._add(OLD, DISTRICT, f"{p_key}_{d_key}", _level(d_type), d_short, d_code, p_code, None)
            if w_code:
                old_commune[f"{p_key}_{d_key}_{w_key}"] = self._add(
                    OLD, COMMUNE, f"{p_key}_{d_key}_{w_key}", _level(w_type), w_short, w_code, p_code, d_code)
        new_commune: dict[tuple[str, str], Unit] = {}
        for p, p_short, p_code, p_key, _, w_short, w_type, w_code, w_key in new:
            self._add(NEW, PROVINCE, p_key, p, p_short, p_code, p_code, None)
            new_commune[(p_key, w_key)] = self._add(NEW, COMMUNE, f"{p_key}_{w_key}", _level(w_type), w_short,
                                                    w_code, p_code, None)
        tables = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
        for new_key, old_keys in tables["DICT_PROVINCE"].items():
            for old_key in old_keys:
                province_now[self.by_key[(OLD, PROVINCE, old_key)].code] = self.by_key[(NEW, PROVINCE, new_key)].code
        for p_key, wards in tables["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for w_key, old_keys in wards.items():
                for old_key in old_keys:
                    if old_key in old_commune:
                        commune_now[old_commune[old_key].code].append(new_commune[(p_key, w_key)].code)
        for p_key, splits in tables["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old_key, parts in splits.items():
                if old_key in old_commune:
                    commune_now[old_commune[old_key].code] += [new_commune[(p_key, w["newWardKey"])].code
                                                               for w in parts]
        self._province_now = province_now
        self._commune_now = commune_now
        self._by_code = {(u.era, u.tier, u.code): u for u in self.by_key.values()}

    def _add(self, era: str, tier: int, key: str, typed: str, short: str, code: str, province_code: str,
             district_code: str | None) -> Unit:
        if (era, tier, key) in self.by_key:
            return self.by_key[(era, tier, key)]
        if tier == PROVINCE:  # typed is the full name: "Tỉnh Quảng Ngãi", "Thành phố Đà Nẵng"
            typed = "thành phố" if typed.lower().startswith("thành phố") else "tỉnh"
        unit = Unit(typed, unicodedata.normalize("NFC", short), code, tier, province_code, district_code, era)
        self.by_key[(era, tier, key)] = unit
        self.units[name_key(unit.name)].append(unit)
        return unit

    def find(self, level: str | None, name: str, era: str | None = None) -> list[Unit]:
        """Units called ``name`` (spelt as written, else folded) at ``level``'s tiers, of ``era`` if given."""
        tiers = TIERS.get(level, ()) if level else (PROVINCE, DISTRICT)
        found = [u for u in self.units.get(name_key(name), ()) if u.tier in tiers and (era is None or u.era == era)
                 and (level is None or u.tier == PROVINCE or u.level == level)]
        exact = [u for u in found if u.name.lower() == unicodedata.normalize("NFC", name).lower()]
        return exact or found

    def resolve(self, level: str | None, name: str, context: Sequence[Unit] = (), date: str | None = None
                ) -> Place | None:
        """The one unit ``level name`` can be, or None when it is unknown or could be several.

        ``context``: units the same sentence or document names (its province, its district), most
        specific first.  A commune (many share a name: 32 "Tân Thành") is resolved only inside one of
        them; a province or district inside them if it is there, else when the country has one
        of that name.  ``date`` (ISO) picks the era tried first: today's units from 1 July 2025.
        """
        eras = (NEW, OLD) if date and date >= REORGANISED else (OLD, NEW)
        for era in eras:
            found = self.find(level, name, era)
            if not found:
                continue
            inside = next((hits for u in context if (hits := [f for f in found if f.within(u)])), [])
            if inside or any(f.tier == COMMUNE for f in found):
                found = inside
            # Names of one place at two tiers (thành phố Quảng Ngãi the city and the province): the wider one
            # only when the text said "tỉnh" or the city is a province itself (Đà Nẵng).
            if len({f.tier for f in found}) > 1:
                found = [f for f in found if f.tier == DISTRICT]
            return self.place(found[0]) if len(found) == 1 else None
        return None

    def place(self, unit: Unit) -> Place:
        """``unit`` with the province it was in and today's province and commune."""
        if unit.era == NEW:
            return Place(unit, None, self._by_code[(NEW, PROVINCE, unit.province_code)],
                         unit if unit.tier == COMMUNE else None)
        province_old = self._by_code[(OLD, PROVINCE, unit.province_code)]
        province = self._by_code[(NEW, PROVINCE, self._province_now[unit.province_code])]
        now = set(self._commune_now.get(unit.code, ())) if unit.tier == COMMUNE else set()
        commune = self._by_code[(NEW, COMMUNE, now.pop())] if len(now) == 1 else None
        return Place(unit, province_old, province, commune)

    def named(self, tier: int, province: Unit | None = None) -> Iterable[Unit]:
        """Every unit of ``tier`` (of any era), only those within ``province`` if given."""
        for units in self.units.values():
            for u in units:
                if u.tier == tier and (province is None or u.within(province)):
                    yield u


def data_dir() -> Path:
    """Where the installed vietnamadminunits keeps its tables (found without running its code)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{PACKAGE} is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer, loaded once per process."""
    return Gazetteer(data_dir())
