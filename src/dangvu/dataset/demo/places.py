"""Administrative units read from the `vietnamadminunits` package (MIT licence).

Two tables of its SQLite file `data/dataset.db` and one JSON file are used:

- `admin_units_legacy`: the 63 provinces and their districts and communes before 1/7/2025, with
  the official codes (provinceCode, districtCode, wardCode) and normalised keys;
- `admin_units`: the 34 provinces and their communes since 1/7/2025 (no district level);
- `converter_2025.json`: the real old -> new mapping. `DICT_PROVINCE` lists the old provinces of
  each new one; `DICT_PROVINCE_WARD_NO_DIVIDED[new province][new ward]` lists the old communes
  ("province_district_ward" keys) merged whole into that new commune;
  `DICT_PROVINCE_WARD_DIVIDED[new province][old commune]` lists the new communes an old commune
  was divided between, one of them flagged `isDefaultNewWard` (the one we use).

Nothing here is invented: every place name and code the demo shows comes from these files.
"""

import json
import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import vietnamadminunits

__all__ = ["OldUnit", "NewUnit", "Places", "data_dir"]


def data_dir() -> Path:
    """The package's data directory (dataset.db, converter_2025.json)."""
    return Path(vietnamadminunits.__file__).resolve().parent / "data"


def _type_of(full: str, short: str) -> str:
    """'Tỉnh Kon Tum', 'Kon Tum' -> 'Tỉnh'."""
    return full[: len(full) - len(short)].strip() if full.endswith(short) else ""


@dataclass(frozen=True)
class OldUnit:
    """A commune-level unit before 1/7/2025, with its district and province."""

    province: str  # "Tỉnh Kon Tum"
    province_short: str  # "Kon Tum"
    province_code: str  # "62"
    province_key: str  # "tinhkontum"
    district: str  # "Huyện Đắk Glei"
    district_short: str
    district_code: str  # "610"
    district_key: str
    ward: str  # "Xã Đăk Blô"
    ward_short: str
    ward_type: str  # "Xã", "Thị trấn", "Phường"
    ward_code: str  # "23344"
    ward_key: str

    @property
    def key(self) -> str:
        """The converter's key: 'tinhkontum_huyendakglei_xadakblo'."""
        return f"{self.province_key}_{self.district_key}_{self.ward_key}"

    @property
    def address(self) -> str:
        """'Xã Đăk Blô, huyện Đắk Glei, tỉnh Kon Tum' (names of the time)."""
        district_type = _type_of(self.district, self.district_short).lower()
        province_type = _type_of(self.province, self.province_short).lower()
        return (
            f"{self.ward}, {district_type} {self.district_short}, "
            f"{province_type} {self.province_short}"
        )


@dataclass(frozen=True)
class NewUnit:
    """A commune-level unit since 1/7/2025 (directly under the province)."""

    province: str
    province_short: str
    province_code: str
    province_key: str
    ward: str  # "Xã Đăk Plô"
    ward_short: str
    ward_type: str
    ward_code: str
    ward_key: str


_OLD_COLUMNS = (
    "province, provinceShort, provinceCode, provinceKey, district, districtShort, "
    "districtCode, districtKey, ward, wardShort, wardType, wardCode, wardKey"
)
_NEW_COLUMNS = (
    "province, provinceShort, provinceCode, provinceKey, ward, wardShort, wardType, "
    "wardCode, wardKey"
)


class Places:
    """Read access to the package's data, loaded lazily and cached for one demo run."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory or data_dir()
        self._provinces: dict[str, list[OldUnit]] = {}

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        uri = f"file:{self.directory / 'dataset.db'}?mode=ro"
        with sqlite3.connect(uri, uri=True) as connection:
            return connection.execute(sql, params).fetchall()

    @cached_property
    def _converter(self) -> dict:
        with open(self.directory / "converter_2025.json", encoding="utf-8") as fh:
            return json.load(fh)

    @cached_property
    def _old_to_new(self) -> dict[str, tuple[str, str]]:
        """Old commune key -> (new province key, new ward key)."""
        mapping: dict[str, tuple[str, str]] = {}
        for new_province, wards in self._converter["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old_key, targets in wards.items():
                default = next((t for t in targets if t.get("isDefaultNewWard")), targets[0])
                mapping[old_key] = (new_province, default["newWardKey"])
        # Communes merged whole take precedence over the divided ones' default.
        for new_province, wards in self._converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for new_ward, old_keys in wards.items():
                for old_key in old_keys:
                    mapping[old_key] = (new_province, new_ward)
        return mapping

    def district_units(self, province_code: str, district_code: str) -> list[OldUnit]:
        """The communes of a pre-2025 district, in the order of their official codes."""
        rows = self._query(
            f"SELECT {_OLD_COLUMNS} FROM admin_units_legacy "
            "WHERE provinceCode = ? AND districtCode = ? ORDER BY wardCode",
            (province_code, district_code),
        )
        if not rows:
            raise LookupError(f"no district {district_code} in province {province_code}")
        return [OldUnit(*row) for row in rows]

    def province_units(self, province_code: str) -> list[OldUnit]:
        """Every commune of a pre-2025 province (hometowns are drawn from these)."""
        if province_code not in self._provinces:
            rows = self._query(
                f"SELECT {_OLD_COLUMNS} FROM admin_units_legacy WHERE provinceCode = ? "
                "ORDER BY wardCode",
                (province_code,),
            )
            self._provinces[province_code] = [OldUnit(*row) for row in rows]
        return self._provinces[province_code]

    def old_province(self, province_code: str) -> tuple[str, str]:
        """(full name, short name) of a pre-2025 province: ('Tỉnh Kon Tum', 'Kon Tum')."""
        rows = self._query(
            "SELECT DISTINCT province, provinceShort FROM admin_units_legacy WHERE provinceCode = ?",
            (province_code,),
        )
        if not rows:
            raise LookupError(f"no province {province_code}")
        return rows[0]

    def new_unit(self, province_key: str, ward_key: str) -> NewUnit:
        rows = self._query(
            f"SELECT {_NEW_COLUMNS} FROM admin_units WHERE provinceKey = ? AND wardKey = ?",
            (province_key, ward_key),
        )
        if not rows:
            raise LookupError(f"no commune {ward_key} in {province_key}")
        return NewUnit(*rows[0])

    def successor(self, unit: OldUnit) -> NewUnit:
        """The commune an old commune became on 1/7/2025 (the default one if it was divided)."""
        new_province, new_ward = self._old_to_new[unit.key]
        return self.new_unit(new_province, new_ward)

    def new_province_of(self, old_province_key: str) -> str:
        """The key of the province an old province became part of."""
        for new_key, old_keys in self._converter["DICT_PROVINCE"].items():
            if old_province_key in old_keys:
                return new_key
        raise LookupError(old_province_key)
