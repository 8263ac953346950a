"""The demo's organisation tree before 1/7/2025, as plain specifications (no database).

Organisation codes (stable, readable; the tree is rebuilt identically on every database):

| code             | organisation                                                         |
|------------------|----------------------------------------------------------------------|
| `TW`             | Ban Chấp hành Trung ương (root, kind central)                        |
| `T62`            | Đảng bộ tỉnh Kon Tum — "T" + official province code                  |
| `T51`, `T02`, `T08`, `T96`, `T95` | Quảng Ngãi, Hà Giang, Tuyên Quang, Cà Mau, Bạc Liêu |
| `T51-QS`, `T51-CA` | Đảng bộ Quân sự / Công an tỉnh (kind direct) of a receiving province |
| `H610`           | Đảng bộ huyện Đắk Glei — "H" + official district code                |
| `H035`, `H968`, `H970`, `H958` | Quang Bình, Trần Văn Thời, Đầm Dơi, Vĩnh Lợi            |
| `CS23344`        | grassroots committee of an old commune — "CS" + old commune code     |
| `CS23344-T01`    | its village cells (`T` thôn, `TDP` tổ dân phố, `A` ấp, `K` khóm + n) |
| `CS23344-CQ`, `-QS`, `-CA` | its office, military and police cells                      |
| `H610-UBND` …    | district agencies, schools, army, police, enterprises: district code |
|                  | + a short name (`H610-THCS23359`: the lower-secondary school of the  |
|                  | commune 23359); their cells add `-01`, `-02` …                       |
| `X23344`         | commune committee since 1/7/2025 — "X" + new commune code            |
| `X23344-CQ`, `-QS`, `-CA` | the cells that merged the old communes' office, military, police cells |

Place names and codes come from `vietnamadminunits` (see places.py). The package stops at the
commune level, so village cells are numbered (thôn 1, 2 …) rather than given invented names.
Founding dates are those of the administrative units: Kon Tum and its districts 12/8/1991
(re-established from Gia Lai - Kon Tum), Quảng Ngãi 1/7/1989, Hà Giang and Tuyên Quang 1/10/1991,
Quang Bình district 1/12/2003, Cà Mau, Bạc Liêu and their districts 1/1/1997 (from Minh Hải).
Members admitted before their organisation existed enter it by a transfer on its founding date.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from dangvu.dataset.demo.places import OldUnit, Places
from dangvu.organisations.choices import GrassrootsType, OrgKind

__all__ = [
    "ROOT",
    "PROVINCES",
    "RECEIVERS",
    "Unit",
    "Grassroots",
    "District",
    "ProvinceSpec",
    "build_districts",
    "KINH",
]

KINH = "01"


@dataclass(frozen=True)
class ProvinceSpec:
    code: str  # official province code, "62"
    valid_from: date
    receiver: str | None = None  # the province code it merges into on 1/7/2025
    direct: bool = False  # gets the army and police committees that receive district ones


ROOT = {"code": "TW", "name": "Ban Chấp hành Trung ương", "valid_from": date(1930, 2, 3)}

PROVINCES = [
    ProvinceSpec("51", date(1989, 7, 1), direct=True),  # Quảng Ngãi
    ProvinceSpec("62", date(1991, 8, 12), receiver="51"),  # Kon Tum
    ProvinceSpec("08", date(1991, 10, 1), direct=True),  # Tuyên Quang
    ProvinceSpec("02", date(1991, 10, 1), receiver="08"),  # Hà Giang
    ProvinceSpec("96", date(1997, 1, 1), direct=True),  # Cà Mau
    ProvinceSpec("95", date(1997, 1, 1), receiver="96"),  # Bạc Liêu
]
# Old province code -> the province it is part of since 1/7/2025 (itself when unchanged).
RECEIVERS = {p.code: p.receiver or p.code for p in PROVINCES}


@dataclass(eq=False)
class Unit:
    """A member-holding organisation: a cell, or a grassroots cell."""

    code: str
    name: str
    kind: str
    profile: str  # drives the members' attributes (see people.PROFILES)
    size: int  # members in the party on the reference date 20/6/2022
    mix: dict[str, float]  # ethnicity code -> share
    place: OldUnit | None  # the commune it is in (hometowns, where it goes in 2025)
    place_name: str = ""
    district: "District | None" = None
    grassroots: "Grassroots | None" = None
    merged_into: "Unit | None" = None  # the cell that takes its members on 1/7/2025
    post_issuer: str = ""  # who decides on its members after 1/7/2025
    org: object = None  # the Organisation, once created

    @property
    def current(self) -> "Unit":
        """The cell holding its members after 1/7/2025."""
        return self.merged_into or self

    @property
    def survives(self) -> bool:
        return self.merged_into is None

    @property
    def working(self) -> bool:
        """Members of working age only (agencies, schools, army …), not a residential cell."""
        return self.profile not in ("village", "town")


@dataclass(eq=False)
class Grassroots:
    code: str
    name: str
    kind: str
    grassroots_type: str
    place: OldUnit | None
    place_name: str
    cells: list[Unit]  # for a grassroots cell: itself
    destination: str = (
        "seat"  # where it goes on 1/7/2025: merge (commune) / seat / commune / army / police
    )
    rename: str = ""  # its name after 1/7/2025, if it changes
    org: object = None


@dataclass(eq=False)
class District:
    code: str  # "H610"
    name: str  # "Đảng bộ huyện Đắk Glei"
    short: str  # "Đắk Glei"
    province_code: str
    district_code: str
    valid_from: date
    founding_from: str  # where members came from when it was founded
    founding_note: str
    hometown_provinces: dict[str, float]  # province code -> share of Kinh born elsewhere
    kinh_from_elsewhere: float
    women_factor: float
    religious_rates: dict[str, float]  # ethnicity (or "*") -> share religious
    religion_mix: dict[str, dict[str, float]]  # ethnicity (or "*") -> religion -> share
    targets: dict[str, int] | None  # exact figures on 20/6/2022: total, minority, women, religious
    seat: OldUnit | None = None  # the commune of the district's seat
    grassroots: list[Grassroots] = field(default_factory=list)
    communes: list[OldUnit] = field(default_factory=list)
    org: object = None

    @property
    def units(self) -> list[Unit]:
        return [cell for g in self.grassroots for cell in g.cells]

    @property
    def issuer(self) -> str:
        return f"Ban Thường vụ Huyện ủy {self.short}"


# --- ethnic mixes ------------------------------------------------------------------------------


def _blend(minority: dict[str, float], kinh: float) -> dict[str, float]:
    """A mix with `kinh` Kinh and the rest shared like `minority` (whose Kinh part is ignored)."""
    others = {k: v for k, v in minority.items() if k != KINH}
    total = sum(others.values())
    mix = {k: (1 - kinh) * v / total for k, v in others.items()} if total else {}
    mix[KINH] = kinh if total else 1.0
    return mix


def _perturb(rng: random.Random, mix: dict[str, float], spread: float = 0.35) -> dict[str, float]:
    values = {k: v * rng.uniform(1 - spread, 1 + spread) for k, v in mix.items()}
    total = sum(values.values())
    return {k: v / total for k, v in values.items()}


# Share of Kinh in the non-village cells of a commune and in district agencies, by profile.
_KINH_SHARE_HIGHLAND = {
    "commune_office": 0.25,
    "commune_military": 0.12,
    "commune_police": 0.45,
    "commune_school": 0.5,
    "party_agency": 0.55,
    "state_agency": 0.6,
    "public_service": 0.62,
    "school": 0.6,
    "health": 0.65,
    "army": 0.55,
    "police": 0.62,
    "enterprise": 0.72,
    "bank": 0.75,
}

# --- agencies ----------------------------------------------------------------------------------

# slug -> (body of the name, grassroots type, profile, cells of a committee, destination in 2025)
_AGENCIES: dict[str, tuple[str, str, str, list[str], str]] = {
    "UBND": (
        "Cơ quan Chính quyền huyện {d}",
        GrassrootsType.STATE_AGENCY,
        "state_agency",
        [
            "Văn phòng HĐND và UBND huyện",
            "Phòng Tài chính - Kế hoạch",
            "Phòng Nội vụ",
            "Phòng Nông nghiệp và Phát triển nông thôn",
            "Phòng Tài nguyên và Môi trường",
            "Phòng Giáo dục và Đào tạo",
            "Phòng Kinh tế và Hạ tầng",
            "Phòng Lao động - Thương binh và Xã hội",
            "Phòng Tư pháp và Thanh tra huyện",
        ],
        "seat",
    ),
    "DANG": (
        "Cơ quan Đảng - Mặt trận - Đoàn thể huyện {d}",
        GrassrootsType.PARTY_AGENCY,
        "party_agency",
        ["Văn phòng Huyện ủy", "Các ban xây dựng Đảng", "Ủy ban Mặt trận Tổ quốc và các đoàn thể"],
        "seat",
    ),
    "QUANSU": (
        "Quân sự huyện {d}",
        GrassrootsType.ARMY,
        "army",
        ["Chỉ huy", "Tham mưu", "Chính trị - Hậu cần - Kỹ thuật", "Khung B"],
        "army",
    ),
    "CONGAN": (
        "Công an huyện {d}",
        GrassrootsType.POLICE,
        "police",
        [
            "An ninh",
            "Cảnh sát điều tra",
            "Cảnh sát quản lý hành chính",
            "Cảnh sát giao thông - trật tự",
            "Tham mưu - Hậu cần",
        ],
        "police",
    ),
    "YTE": (
        "Trung tâm Y tế huyện {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "health",
        ["Khối điều trị", "Khối dự phòng", "Hành chính - Tổng hợp"],
        "seat",
    ),
    "THPT": (
        "Trường Trung học phổ thông {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "school",
        ["Tổ Tự nhiên", "Tổ Xã hội"],
        "seat",
    ),
    "DTNT": (
        "Trường Phổ thông Dân tộc nội trú huyện {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "school",
        ["Tổ Tự nhiên", "Tổ Xã hội"],
        "seat",
    ),
    "TTCT": (
        "Trung tâm Chính trị huyện {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "public_service",
        [],
        "seat",
    ),
    "GDNN": (
        "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "school",
        [],
        "seat",
    ),
    "VHTT": (
        "Trung tâm Văn hóa - Thể thao và Truyền thông huyện {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "public_service",
        [],
        "seat",
    ),
    "BQLDA": (
        "Ban Quản lý dự án đầu tư xây dựng huyện {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "public_service",
        [],
        "seat",
    ),
    "DVNN": (
        "Trung tâm Dịch vụ nông nghiệp huyện {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "public_service",
        [],
        "seat",
    ),
    "KIEMLAM": ("Hạt Kiểm lâm huyện {d}", GrassrootsType.STATE_AGENCY, "state_agency", [], "seat"),
    "RPH": (
        "Ban Quản lý rừng phòng hộ {d}",
        GrassrootsType.PUBLIC_SERVICE,
        "public_service",
        [],
        "seat",
    ),
    "KHOBAC": (
        "Kho bạc Nhà nước huyện {d}",
        GrassrootsType.STATE_AGENCY,
        "state_agency",
        [],
        "seat",
    ),
    "THUE": ("Chi cục Thuế huyện {d}", GrassrootsType.STATE_AGENCY, "state_agency", [], "seat"),
    "THA": (
        "Chi cục Thi hành án dân sự huyện {d}",
        GrassrootsType.STATE_AGENCY,
        "state_agency",
        [],
        "seat",
    ),
    "TOAAN": ("Tòa án nhân dân huyện {d}", GrassrootsType.STATE_AGENCY, "state_agency", [], "seat"),
    "VKS": (
        "Viện Kiểm sát nhân dân huyện {d}",
        GrassrootsType.STATE_AGENCY,
        "state_agency",
        [],
        "seat",
    ),
    "BHXH": ("Bảo hiểm xã hội huyện {d}", GrassrootsType.STATE_AGENCY, "state_agency", [], "seat"),
    "NHCS": (
        "Phòng Giao dịch Ngân hàng Chính sách xã hội huyện {d}",
        GrassrootsType.STATE_ENTERPRISE,
        "bank",
        [],
        "seat",
    ),
    "NHNN": (
        "Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh huyện {d}",
        GrassrootsType.STATE_ENTERPRISE,
        "bank",
        [],
        "seat",
    ),
    "DIENLUC": ("Điện lực {d}", GrassrootsType.STATE_ENTERPRISE, "enterprise", [], "seat"),
    "BUUDIEN": ("Bưu điện huyện {d}", GrassrootsType.STATE_ENTERPRISE, "enterprise", [], "seat"),
    "LAMNGHIEP": (
        "Công ty TNHH một thành viên Lâm nghiệp {d}",
        GrassrootsType.STATE_ENTERPRISE,
        "enterprise",
        [],
        "seat",
    ),
    "HTX": (
        "Hợp tác xã Nông nghiệp - Dịch vụ {d}",
        GrassrootsType.OTHER_ENTERPRISE,
        "enterprise",
        [],
        "seat",
    ),
}
# Renamed after 1/7/2025: district health centres became regional ones.
_RENAMES = {"YTE": "Trung tâm Y tế khu vực {d}"}


@dataclass(frozen=True)
class _DistrictPlan:
    code: str
    province_code: str
    district_code: str
    valid_from: date
    founding_from: str
    founding_note: str
    village_word: tuple[str, str]  # ("thôn", "T")
    town_word: tuple[str, str]  # ("tổ dân phố", "TDP")
    commune_sizes: dict[str, int] | None  # ward code -> members on 20/6/2022 (None: drawn)
    commune_range: tuple[int, int]
    town_size: int
    agencies: dict[str, int]  # slug -> members on 20/6/2022
    school_sizes: dict[str, int] | None  # ward code -> size of its school (None: drawn)
    school_count: int
    commune_mix: Callable[[random.Random, OldUnit], dict[str, float]]
    agency_minority: dict[str, float]
    kinh_share: dict[str, float]
    hometown_provinces: dict[str, float]
    kinh_from_elsewhere: float
    women_factor: float
    religious_rates: dict[str, float]
    religion_mix: dict[str, dict[str, float]]
    targets: dict[str, int] | None = None


# Giẻ Triêng live mostly in the communes along the Lao border, Xơ Đăng in the others.
_DG_GIE_TRIENG = {"23344", "23347", "23350", "23368"}


def _dak_glei_mix(rng: random.Random, unit: OldUnit) -> dict[str, float]:
    if unit.ward_type == "Thị trấn":
        return _blend({"16": 0.7, "29": 0.2, "12": 0.1}, 0.68)
    if unit.ward_code in _DG_GIE_TRIENG:
        return _blend(_perturb(rng, {"29": 0.85, "16": 0.12, "12": 0.03}, 0.1), 0.05)
    return _blend(_perturb(rng, {"16": 0.93, "29": 0.05, "12": 0.02}, 0.1), 0.05)


def _quang_binh_mix(rng: random.Random, unit: OldUnit) -> dict[str, float]:
    base = {
        "02": 0.42,
        "09": 0.25,
        "01": 0.10,
        "07": 0.08,
        "36": 0.06,
        "08": 0.05,
        "41": 0.02,
        "26": 0.02,
    }
    if unit.ward_type == "Thị trấn":
        base = {"02": 0.40, "01": 0.40, "09": 0.10, "07": 0.07, "36": 0.03}
    return _perturb(rng, base, 0.4)


def _ca_mau_mix(rng: random.Random, unit: OldUnit) -> dict[str, float]:
    return _perturb(rng, {"01": 0.965, "05": 0.025, "06": 0.01}, 0.3)


def _vinh_loi_mix(rng: random.Random, unit: OldUnit) -> dict[str, float]:
    return _perturb(rng, {"01": 0.76, "05": 0.20, "06": 0.04}, 0.3)


_SOUTH_KINH_SHARE = {k: 0.97 for k in _KINH_SHARE_HIGHLAND}
_VINH_LOI_KINH_SHARE = {k: 0.85 for k in _KINH_SHARE_HIGHLAND}
_QUANG_BINH_KINH_SHARE = {k: min(0.9, v * 0.7) for k, v in _KINH_SHARE_HIGHLAND.items()}

_DG_AGENCIES = {
    "UBND": 110,
    "DANG": 65,
    "QUANSU": 70,
    "CONGAN": 95,
    "YTE": 48,
    "THPT": 34,
    "DTNT": 26,
    "TTCT": 9,
    "GDNN": 12,
    "VHTT": 14,
    "BQLDA": 11,
    "DVNN": 13,
    "KIEMLAM": 16,
    "RPH": 15,
    "KHOBAC": 8,
    "THUE": 12,
    "THA": 7,
    "TOAAN": 9,
    "VKS": 10,
    "BHXH": 8,
    "NHCS": 7,
    "NHNN": 12,
    "DIENLUC": 14,
    "BUUDIEN": 6,
    "LAMNGHIEP": 18,
    "HTX": 5,
}
_DG_COMMUNES = {
    "23341": 280,
    "23344": 135,
    "23347": 125,
    "23350": 130,
    "23353": 195,
    "23356": 160,
    "23359": 120,
    "23362": 140,
    "23365": 130,
    "23368": 155,
    "23371": 150,
    "23374": 180,
}
_DG_SCHOOLS = {
    "23344": 17,
    "23347": 16,
    "23350": 18,
    "23353": 15,
    "23356": 17,
    "23359": 16,
    "23362": 15,
    "23365": 16,
    "23368": 17,
    "23371": 16,
    "23374": 16,
}

_PLANS = [
    _DistrictPlan(
        code="H610",
        province_code="62",
        district_code="610",
        valid_from=date(1991, 8, 12),
        founding_from="Đảng bộ tỉnh Gia Lai - Kon Tum",
        founding_note="Tái lập tỉnh Kon Tum (12/8/1991)",
        village_word=("thôn", "T"),
        town_word=("tổ dân phố", "TDP"),
        commune_sizes=_DG_COMMUNES,
        commune_range=(0, 0),
        town_size=0,
        agencies=_DG_AGENCIES,
        school_sizes=_DG_SCHOOLS,
        school_count=0,
        commune_mix=_dak_glei_mix,
        agency_minority={"16": 0.6, "29": 0.3, "12": 0.07, "04": 0.01, "02": 0.01, "03": 0.01},
        kinh_share=_KINH_SHARE_HIGHLAND,
        hometown_provinces={"49": 0.3, "51": 0.2, "52": 0.15, "40": 0.15, "42": 0.1, "34": 0.1},
        kinh_from_elsewhere=0.6,
        women_factor=1.0,
        religious_rates={"01": 0.035, "*": 0.055},
        religion_mix={"01": {"01": 0.5, "02": 0.45, "04": 0.05}, "*": {"02": 0.7, "03": 0.3}},
        # DOMAIN.md §0: 2,733 members, 1,807 ethnic minority (66.12 %), 886 women, 143 religious.
        targets={"total": 2733, "minority": 1807, "women": 886, "religious": 143},
    ),
    _DistrictPlan(
        code="H035",
        province_code="02",
        district_code="035",
        valid_from=date(2003, 12, 1),
        founding_from="Đảng bộ huyện Bắc Quang",
        founding_note="Thành lập huyện Quang Bình",
        village_word=("thôn", "T"),
        town_word=("tổ dân phố", "TDP"),
        commune_sizes=None,
        commune_range=(45, 70),
        town_size=110,
        agencies={
            "UBND": 60,
            "DANG": 40,
            "QUANSU": 38,
            "CONGAN": 50,
            "YTE": 35,
            "THPT": 22,
            "DTNT": 20,
            "TTCT": 7,
            "KHOBAC": 7,
            "THUE": 8,
            "TOAAN": 7,
            "VKS": 7,
            "BHXH": 6,
            "NHNN": 9,
            "DIENLUC": 9,
            "KIEMLAM": 8,
        },
        school_sizes=None,
        school_count=6,
        commune_mix=_quang_binh_mix,
        agency_minority={"02": 0.55, "09": 0.2, "07": 0.12, "36": 0.05, "08": 0.04, "26": 0.04},
        kinh_share=_QUANG_BINH_KINH_SHARE,
        hometown_provinces={"08": 0.4, "25": 0.2, "34": 0.2, "36": 0.2},
        kinh_from_elsewhere=0.5,
        women_factor=1.1,
        religious_rates={"08": 0.04, "09": 0.01, "*": 0.005},
        religion_mix={"*": {"03": 0.6, "02": 0.3, "01": 0.1}},
    ),
    _DistrictPlan(
        code="H968",
        province_code="96",
        district_code="968",
        valid_from=date(1997, 1, 1),
        founding_from="Đảng bộ tỉnh Minh Hải",
        founding_note="Tái lập tỉnh Cà Mau (1/1/1997)",
        village_word=("ấp", "A"),
        town_word=("khóm", "K"),
        commune_sizes=None,
        commune_range=(45, 65),
        town_size=110,
        agencies={
            "UBND": 55,
            "DANG": 35,
            "QUANSU": 32,
            "CONGAN": 45,
            "YTE": 32,
            "THPT": 18,
            "KHOBAC": 7,
            "THUE": 8,
            "TOAAN": 6,
            "VKS": 6,
            "BHXH": 6,
            "NHNN": 8,
            "DIENLUC": 8,
            "KIEMLAM": 10,
        },
        school_sizes=None,
        school_count=4,
        commune_mix=_ca_mau_mix,
        agency_minority={"05": 0.7, "06": 0.3},
        kinh_share=_SOUTH_KINH_SHARE,
        hometown_provinces={"95": 0.4, "91": 0.35, "94": 0.25},
        kinh_from_elsewhere=0.15,
        women_factor=1.0,
        religious_rates={"05": 0.5, "06": 0.3, "*": 0.12},
        religion_mix={
            "05": {"01": 1.0},
            "06": {"01": 1.0},
            "*": {"01": 0.45, "04": 0.3, "02": 0.15, "05": 0.1},
        },
    ),
    _DistrictPlan(
        code="H970",
        province_code="96",
        district_code="970",
        valid_from=date(1997, 1, 1),
        founding_from="Đảng bộ tỉnh Minh Hải",
        founding_note="Tái lập tỉnh Cà Mau (1/1/1997)",
        village_word=("ấp", "A"),
        town_word=("khóm", "K"),
        commune_sizes=None,
        commune_range=(30, 45),
        town_size=90,
        agencies={
            "UBND": 45,
            "DANG": 30,
            "QUANSU": 30,
            "CONGAN": 38,
            "YTE": 30,
            "THPT": 16,
            "KHOBAC": 6,
            "THUE": 7,
            "TOAAN": 6,
            "VKS": 6,
            "NHNN": 7,
            "DIENLUC": 7,
        },
        school_sizes=None,
        school_count=3,
        commune_mix=_ca_mau_mix,
        agency_minority={"05": 0.7, "06": 0.3},
        kinh_share=_SOUTH_KINH_SHARE,
        hometown_provinces={"95": 0.5, "94": 0.5},
        kinh_from_elsewhere=0.12,
        women_factor=1.0,
        religious_rates={"05": 0.5, "06": 0.3, "*": 0.12},
        religion_mix={
            "05": {"01": 1.0},
            "06": {"01": 1.0},
            "*": {"01": 0.45, "04": 0.3, "02": 0.15, "05": 0.1},
        },
    ),
    _DistrictPlan(
        code="H958",
        province_code="95",
        district_code="958",
        valid_from=date(1997, 1, 1),
        founding_from="Đảng bộ tỉnh Minh Hải",
        founding_note="Tái lập tỉnh Bạc Liêu (1/1/1997)",
        village_word=("ấp", "A"),
        town_word=("khóm", "K"),
        commune_sizes=None,
        commune_range=(55, 80),
        town_size=100,
        agencies={
            "UBND": 50,
            "DANG": 32,
            "QUANSU": 30,
            "CONGAN": 40,
            "YTE": 30,
            "THPT": 16,
            "KHOBAC": 6,
            "THUE": 7,
            "TOAAN": 6,
            "VKS": 6,
            "NHNN": 8,
            "DIENLUC": 7,
        },
        school_sizes=None,
        school_count=3,
        commune_mix=_vinh_loi_mix,
        agency_minority={"05": 0.8, "06": 0.2},
        kinh_share=_VINH_LOI_KINH_SHARE,
        hometown_provinces={"96": 0.4, "94": 0.6},
        kinh_from_elsewhere=0.12,
        women_factor=1.0,
        religious_rates={"05": 0.6, "06": 0.35, "*": 0.12},
        religion_mix={
            "05": {"01": 1.0},
            "06": {"01": 1.0},
            "*": {"01": 0.45, "04": 0.3, "02": 0.15, "05": 0.1},
        },
    ),
]


def _split(rng: random.Random, total: int, parts: int, minimum: int = 3) -> list[int]:
    """`total` split into `parts` uneven integers >= minimum, summing exactly to `total`."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = (total - minimum * parts) / sum(weights)
    raw = [minimum + w * scale for w in weights]
    sizes = [int(r) for r in raw]
    order = sorted(range(parts), key=lambda i: raw[i] - sizes[i], reverse=True)
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _lower_type(unit: OldUnit) -> str:
    return f"{unit.ward_type.lower()} {unit.ward_short}"


def _commune(plan: _DistrictPlan, rng: random.Random, unit: OldUnit, size: int) -> Grassroots:
    town = unit.ward_type == "Thị trấn"
    mix = plan.commune_mix(rng, unit)
    where = _lower_type(unit)
    grassroots_type = GrassrootsType.TOWNSHIP if town else GrassrootsType.COMMUNE
    code = f"CS{unit.ward_code}"
    g = Grassroots(
        code=code,
        name=f"Đảng bộ {where}",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        grassroots_type=grassroots_type,
        place=unit,
        place_name=unit.ward,
        cells=[],
        destination="merge",
    )
    office = max(5, round(size * 0.12))
    military = max(3, round(size * 0.05))
    police = max(3, round(size * 0.04))
    rest = size - office - military - police
    word, letter = plan.town_word if town else plan.village_word
    villages = min(12, max(4, round(rest / (14 if plan.code == "H610" else 9))))
    residential = "town" if town else "village"
    for n, n_size in enumerate(_split(rng, rest, villages), start=1):
        g.cells.append(
            Unit(
                code=f"{code}-{letter}{n:02d}",
                name=f"Chi bộ {word} {n}, {where}",
                kind=OrgKind.CELL,
                profile=residential,
                size=n_size,
                mix=mix,
                place=unit,
                place_name=f"{word.capitalize()} {n}, {unit.ward}",
            )
        )
    for slot, body, profile, n_size in (
        ("CQ", "Cơ quan", "commune_office", office),
        ("QS", "Quân sự", "commune_military", military),
        ("CA", "Công an", "commune_police", police),
    ):
        g.cells.append(
            Unit(
                code=f"{code}-{slot}",
                name=f"Chi bộ {body} {where}",
                kind=OrgKind.CELL,
                profile=profile,
                size=n_size,
                mix=_blend(mix, plan.kinh_share[profile]),
                place=unit,
                place_name=unit.ward,
            )
        )
    return g


def _agency(
    plan: _DistrictPlan, rng: random.Random, slug: str, size: int, district: District, seat: OldUnit
) -> Grassroots:
    body, gtype, profile, cell_names, destination = _AGENCIES[slug]
    body = body.format(d=district.short)
    mix = _blend(plan.agency_minority, plan.kinh_share[profile])
    code = f"{district.code}-{slug}"
    committee = size >= 30 and bool(cell_names)
    kind = OrgKind.GRASSROOTS_COMMITTEE if committee else OrgKind.GRASSROOTS_CELL
    g = Grassroots(
        code=code,
        name=f"{'Đảng bộ' if committee else 'Chi bộ'} {body}",
        kind=kind,
        grassroots_type=gtype,
        place=seat,
        place_name=body,
        cells=[],
        destination=destination,
        rename=(f"{'Đảng bộ' if committee else 'Chi bộ'} {_RENAMES[slug].format(d=district.short)}")
        if slug in _RENAMES
        else "",
    )
    if committee:
        for n, (cell_name, n_size) in enumerate(
            zip(cell_names, _split(rng, size, len(cell_names)), strict=True), start=1
        ):
            g.cells.append(
                Unit(
                    code=f"{code}-{n:02d}",
                    name=f"Chi bộ {cell_name}",
                    kind=OrgKind.CELL,
                    profile=profile,
                    size=n_size,
                    mix=mix,
                    place=seat,
                    place_name=cell_name,
                )
            )
    else:
        g.cells.append(
            Unit(
                code=code,
                name=g.name,
                kind=OrgKind.GRASSROOTS_CELL,
                profile=profile,
                size=size,
                mix=mix,
                place=seat,
                place_name=body,
            )
        )
    return g


def _school(
    plan: _DistrictPlan, unit: OldUnit, size: int, district: District, mix: dict[str, float]
) -> Grassroots:
    body = (
        "Trường Phổ thông dân tộc bán trú Trung học cơ sở "
        if plan.code == "H610"
        else "Trường Trung học cơ sở "
    ) + unit.ward_short
    code = f"{district.code}-THCS{unit.ward_code}"
    name = f"Chi bộ {body}"
    profile = "commune_school"
    cell_mix = _blend(mix, plan.kinh_share[profile])
    g = Grassroots(
        code=code,
        name=name,
        kind=OrgKind.GRASSROOTS_CELL,
        grassroots_type=GrassrootsType.PUBLIC_SERVICE,
        place=unit,
        place_name=body,
        cells=[],
        destination="commune",
    )
    g.cells.append(
        Unit(
            code=code,
            name=name,
            kind=OrgKind.GRASSROOTS_CELL,
            profile=profile,
            size=size,
            mix=cell_mix,
            place=unit,
            place_name=body,
        )
    )
    return g


def build_districts(*, places: Places) -> list[District]:
    """Every district of the demo with its grassroots organisations and cells (deterministic)."""
    districts = []
    for plan in _PLANS:
        rng = random.Random(f"dangvu-demo-structure-{plan.code}")
        communes = places.district_units(plan.province_code, plan.district_code)
        first = communes[0]
        district = District(
            code=plan.code,
            name=f"Đảng bộ {first.district.split(' ')[0].lower()} {first.district_short}",
            short=first.district_short,
            province_code=plan.province_code,
            district_code=plan.district_code,
            valid_from=plan.valid_from,
            founding_from=plan.founding_from,
            founding_note=plan.founding_note,
            hometown_provinces=plan.hometown_provinces,
            kinh_from_elsewhere=plan.kinh_from_elsewhere,
            women_factor=plan.women_factor,
            religious_rates=plan.religious_rates,
            religion_mix=plan.religion_mix,
            targets=plan.targets,
            communes=communes,
        )
        towns = [u for u in communes if u.ward_type == "Thị trấn"]
        seat = towns[0] if towns else communes[0]
        district.seat = seat
        mixes = {}
        for unit in communes:
            if plan.commune_sizes is not None:
                size = plan.commune_sizes[unit.ward_code]
            elif unit.ward_type == "Thị trấn":
                size = plan.town_size if unit is seat else round(plan.town_size * 0.8)
            else:
                size = rng.randint(*plan.commune_range)
            g = _commune(plan, rng, unit, size)
            mixes[unit.ward_code] = g.cells[0].mix
            district.grassroots.append(g)
        for slug, size in plan.agencies.items():
            district.grassroots.append(_agency(plan, rng, slug, size, district, seat))
        if plan.school_sizes is not None:
            schools = plan.school_sizes
        else:
            rural = [u for u in communes if u.ward_type != "Thị trấn"]
            chosen = sorted(
                rng.sample(rural, min(plan.school_count, len(rural))), key=lambda u: u.ward_code
            )
            schools = {u.ward_code: rng.randint(9, 16) for u in chosen}
        by_code = {u.ward_code: u for u in communes}
        for ward_code, size in schools.items():
            district.grassroots.append(
                _school(plan, by_code[ward_code], size, district, mixes[ward_code])
            )
        for g in district.grassroots:
            for cell in g.cells:
                cell.district = district
                cell.grassroots = g
        districts.append(district)
    return districts
