"""The shape of a synthetic country: provinces, the units loaded one transaction each, and the
organisations inside every unit.

Everything is drawn from a random generator seeded by (seed, what is being drawn), never from
a shared stream, so a unit comes out the same whether the run is fresh or resumed after a
crash, and so a plan is cheap to recompute.

Places are real (the 34 provinces and 3,321 commune-level units since 1/7/2025, with their
official codes, from the `vietnamadminunits` package); everything about people is generated.
"""

import math
import random
import sqlite3
from dataclasses import dataclass, field

from dangvu.dataset.demo.places import data_dir

__all__ = ["Province", "Unit", "country_plan", "unit_branch", "rng_for", "REGIONS"]

# Province code -> region (drives ethnic mix and names).
REGIONS = {
    **dict.fromkeys(("04", "08", "11", "12", "14", "15", "19", "20"), "north_highland"),
    **dict.fromkeys(("01", "22", "24", "25", "31", "33", "37"), "north"),
    **dict.fromkeys(("38", "40", "42", "44", "46", "48", "51", "56"), "central"),
    **dict.fromkeys(("52", "66", "68"), "central_highland"),
    **dict.fromkeys(("75", "79", "80", "82", "86", "92"), "south"),
    **dict.fromkeys(("91", "96"), "mekong_khmer"),
}
# Members per commune-level unit are higher in the big cities.
_URBAN = {"01": 2.4, "79": 2.4, "31": 1.4, "48": 1.4, "92": 1.3, "46": 1.2}
# Share of a province's members in its directly-subordinate committees, by committee.
_DIRECTS = [
    ("CQD", "Đảng bộ các cơ quan Đảng", "party_agency", 0.07),
    ("UB", "Đảng bộ Ủy ban nhân dân", "state_agency", 0.16),
    ("QS", "Đảng bộ Quân sự", "army", 0.06),
    ("CA", "Đảng bộ Công an", "police", 0.06),
]
_DIRECT_SHARE = sum(share for *_x, share in _DIRECTS)


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}:" + ":".join(str(p) for p in parts))


@dataclass
class Unit:
    """One transaction of the load: a commune-level committee or a directly-subordinate
    committee of a province, with everything under it."""

    code: str
    name: str
    kind: str  # "commune" | "direct"
    province_code: str
    region: str
    members: int
    offset: int  # index of its first member in the whole country (card and identity numbers)
    grassroots_type: str = ""
    place_name: str = ""
    place_code: str = ""


@dataclass
class Province:
    code: str  # official code, "79"
    org_code: str  # "T79"
    name: str  # "Hồ Chí Minh"
    full_name: str  # "Thành phố Hồ Chí Minh"
    region: str
    members: int = 0
    units: list[Unit] = field(default_factory=list)


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights, summing exactly to total."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    rest = total - sum(out)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[:rest]:
        out[i] += 1
    return out


def _communes() -> list[tuple]:
    uri = f"file:{data_dir() / 'dataset.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as c:
        return c.execute(
            "SELECT provinceCode, provinceShort, province, wardCode, ward, wardType "
            "FROM admin_units ORDER BY provinceCode, wardCode"
        ).fetchall()


def country_plan(members: int, seed: int) -> list[Province]:
    """Provinces with their units and member counts (summing to `members`)."""
    rows = _communes()
    provinces: dict[str, Province] = {}
    wards: dict[str, list[tuple]] = {}
    for pcode, short, full, wcode, ward, wtype in rows:
        provinces.setdefault(
            pcode, Province(pcode, f"T{pcode}", short, full, REGIONS.get(pcode, "central"))
        )
        wards.setdefault(pcode, []).append((wcode, ward, wtype))
    plist = list(provinces.values())
    weights = [len(wards[p.code]) * _URBAN.get(p.code, 1.0) for p in plist]
    for p, n in zip(plist, _split(members, weights), strict=True):
        p.members = n
    offset = 0
    for p in plist:
        rng = rng_for(seed, "province", p.code)
        direct_total = round(p.members * _DIRECT_SHARE)
        commune_weights = [
            rng.lognormvariate(0, 0.45) * (1.6 if wtype == "Phường" else 1.0)
            for _c, _w, wtype in wards[p.code]
        ]
        commune_counts = _split(p.members - direct_total, commune_weights)
        direct_counts = _split(direct_total, [share for *_x, share in _DIRECTS])
        for (suffix, name, gtype, _share), n in zip(_DIRECTS, direct_counts, strict=True):
            p.units.append(
                Unit(
                    code=f"{p.org_code}-{suffix}",
                    name=f"{name} {_of_province(p)}",
                    kind="direct",
                    province_code=p.code,
                    region=p.region,
                    members=n,
                    offset=offset,
                    grassroots_type=gtype,
                )
            )
            offset += n
        for (wcode, ward, wtype), n in zip(wards[p.code], commune_counts, strict=True):
            level = {"Phường": "phường", "Đặc khu": "đặc khu"}.get(wtype, "xã")
            short = ward[len(wtype) :].strip() if ward.startswith(wtype) else ward
            p.units.append(
                Unit(
                    code=f"X{wcode}",
                    name=f"Đảng bộ {level} {short}",
                    kind="commune",
                    province_code=p.code,
                    region=p.region,
                    members=n,
                    offset=offset,
                    grassroots_type="ward" if wtype == "Phường" else "commune",
                    place_name=f"{ward}, {p.full_name}",
                    place_code=wcode,
                )
            )
            offset += n
    return plist


def _of_province(p: Province) -> str:
    return f"thành phố {p.name}" if p.full_name.startswith("Thành phố") else f"tỉnh {p.name}"


# --- inside a unit -----------------------------------------------------------------------------

# Grassroots organisations of a commune: (code suffix, name, grassroots type, weight).
_COMMUNE_GRASSROOTS = [
    ("CA", "Chi bộ Công an {u}", "police", 1.0),
    ("QS", "Chi bộ Quân sự {u}", "army", 0.8),
    ("THCS", "Chi bộ Trường THCS {u}", "public_service", 1.0),
    ("TH", "Chi bộ Trường Tiểu học {u}", "public_service", 1.0),
    ("MN", "Chi bộ Trường Mầm non {u}", "public_service", 0.8),
    ("YT", "Chi bộ Trạm Y tế {u}", "public_service", 0.5),
    ("HTX", "Chi bộ Hợp tác xã {u}", "other_enterprise", 0.6),
]
_DIRECT_NAMES = {
    "party_agency": [
        "Văn phòng",
        "Ban Tổ chức",
        "Ban Tuyên giáo và Dân vận",
        "Ủy ban Kiểm tra",
        "Ủy ban MTTQ",
        "Báo",
        "Trường Chính trị",
        "Tỉnh đoàn",
        "Hội Nông dân",
        "Hội Liên hiệp Phụ nữ",
        "Liên đoàn Lao động",
        "Hội Cựu chiến binh",
    ],
    "state_agency": [
        "Sở Tài chính",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Xây dựng",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
        "Sở Nông nghiệp và Môi trường",
        "Sở Công Thương",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Khoa học và Công nghệ",
        "Thanh tra",
        "Văn phòng UBND",
        "Bệnh viện Đa khoa",
        "Trường THPT",
        "Trường Cao đẳng",
        "Công ty Điện lực",
        "Công ty Cấp nước",
        "Công ty Cổ phần",
        "Ngân hàng",
        "Kho bạc Nhà nước",
        "Cục Thuế",
    ],
    "army": [
        "Bộ Chỉ huy Quân sự",
        "Trung đoàn",
        "Bộ đội Biên phòng",
        "Ban Chỉ huy Phòng thủ khu vực",
    ],
    "police": [
        "Phòng Cảnh sát hình sự",
        "Phòng An ninh",
        "Phòng Cảnh sát giao thông",
        "Phòng Tham mưu",
        "Phòng Cảnh sát PCCC",
        "Trại tạm giam",
    ],
}
# Which grassroots types each directly-subordinate committee's units take (enterprises and
# hospitals sit under the People's Committee's party committee since 2025).
_STATE_TYPES = {
    "Bệnh viện Đa khoa": "public_service",
    "Trường THPT": "public_service",
    "Trường Cao đẳng": "public_service",
    "Công ty Điện lực": "state_enterprise",
    "Công ty Cấp nước": "state_enterprise",
    "Công ty Cổ phần": "other_enterprise",
    "Ngân hàng": "state_enterprise",
}


def cell_sizes(rng: random.Random, total: int) -> list[int]:
    """Split `total` members into cells of 3 to 150, skewed (median about 14)."""
    sizes = []
    left = total
    while left > 0:
        size = max(3, min(150, int(rng.lognormvariate(math.log(14), 0.75))))
        if left - size < 3:
            size = left
        sizes.append(min(size, left))
        left -= sizes[-1]
    return sizes


def _grassroots(rng, code, name, gtype, total, cell_prefix, cell_names):
    """A grassroots organisation of `total` members: a cell if small, else a committee with
    cells. Returns (spec, [(cell code, size)])."""
    if total < 30:
        return {"code": code, "name": name, "kind": "grassroots_cell", "grassroots_type": gtype}, [
            (code, total)
        ]
    committee_name = name.replace("Chi bộ", "Đảng bộ", 1)
    spec = {
        "code": code,
        "name": committee_name,
        "kind": "grassroots_committee",
        "grassroots_type": gtype,
        "children": [],
    }
    cells = []
    for i, size in enumerate(cell_sizes(rng, total), start=1):
        cell_code = f"{code}-{i:02d}"
        label = cell_names[(i - 1) % len(cell_names)]
        spec["children"].append({"code": cell_code, "name": f"Chi bộ {label} {i}", "kind": "cell"})
        cells.append((cell_code, size))
    return spec, cells


def unit_branch(unit: Unit, seed: int) -> tuple[list[dict], list[tuple[str, int]], dict]:
    """The organisations under a unit (specs for organisations_create_bulk) and its cells with
    their member counts. Also a description of the cells' kinds (cell code -> grassroots type,
    "village" for village cells), which steers occupations and ages."""
    rng = rng_for(seed, "unit", unit.code)
    specs: list[dict] = []
    cells: list[tuple[str, int]] = []
    kinds: dict[str, str] = {}
    if unit.kind == "commune":
        short = unit.name.split(" ", 2)[-1]
        village_share = rng.uniform(0.5, 0.7)
        village_total = round(unit.members * village_share)
        picks = [g for g in _COMMUNE_GRASSROOTS if rng.random() < g[3]]
        counts = _split(unit.members - village_total, [rng.uniform(0.5, 1.5) for _ in picks])
        for (suffix, name, gtype, _w), n in zip(picks, counts, strict=True):
            if n <= 0:
                continue
            spec, gcells = _grassroots(
                rng,
                f"{unit.code}-{suffix}",
                name.format(u=short),
                gtype,
                n,
                suffix,
                ["Tổ", "Khối", "Bộ phận"],
            )
            specs.append(spec)
            cells.extend(gcells)
            kinds.update({c: gtype for c, _n in gcells})
        village = "Khu phố" if unit.grassroots_type == "ward" else "Thôn"
        for i, size in enumerate(cell_sizes(rng, village_total), start=1):
            code = f"{unit.code}-T{i:02d}"
            specs.append({"code": code, "name": f"Chi bộ {village} {i}", "kind": "cell"})
            cells.append((code, size))
            kinds[code] = "village"
        return specs, cells, kinds
    names = _DIRECT_NAMES[unit.grassroots_type]
    # Directly-subordinate committees: grassroots organisations of 10 to 400 members.
    sizes = []
    left = unit.members
    while left > 0:
        size = max(10, min(400, int(rng.lognormvariate(math.log(60), 0.8))))
        size = left if left - size < 10 else size
        sizes.append(size)
        left -= size
    for i, n in enumerate(sizes, start=1):
        label = names[(i - 1) % len(names)]
        gtype = _STATE_TYPES.get(label, unit.grassroots_type)
        spec, gcells = _grassroots(
            rng,
            f"{unit.code}-{i:03d}",
            f"Chi bộ {label} {i}",
            gtype,
            n,
            "",
            ["Phòng", "Tổ", "Đội"],
        )
        specs.append(spec)
        cells.extend(gcells)
        kinds.update({c: gtype for c, _n in gcells})
    return specs, cells, kinds
