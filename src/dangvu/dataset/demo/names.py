"""Generated Vietnamese names for the demo members — no real people.

A name is drawn from syllable lists by the naming pattern of the person's ethnic group:

- Kinh: family name + middle name + given name. Family names follow their well-known national
  frequencies (Nguyễn ≈ 38 %, Trần ≈ 12 %, Lê ≈ 9.5 %, Phạm ≈ 7 %, Hoàng/Huỳnh ≈ 5 %, Phan, Vũ/Võ,
  Đặng, Bùi, Đỗ, Hồ, Ngô, Dương, Lý …); Hoàng and Vũ are the northern forms of Huỳnh and Võ, so
  the region decides which one is used. "Văn" and "Thị" are the usual middle names of men and
  women, less so for people born after 1990.
- Xơ Đăng, Giẻ Triêng, Ba Na (Kon Tum): "A" + name for men, "Y" + name for women, the name being
  a local syllable or a Vietnamese given name.
- Tày, Nùng, Dao, La Chí, Mông: their own family names (Hoàng, Nông, Lục, Triệu, Bàn, Lý, Đặng,
  Vương, Giàng, Sùng …), "Văn"/"Thị" or the group's own middle names (Dao "Tài", Mông "Seo"/"Mí").
- Khmer: Thạch, Danh, Sơn, Kim, Lâm … and a Khmer given name ("Thị" before it for women).
- Hoa: Lâm, Quách, Trương, Lưu, Mã … with Sino-Vietnamese middle and given names.

Everything is chosen with the caller's `random.Random`, so the same seed gives the same names.
"""

import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

__all__ = ["full_name", "draw", "REGIONS"]

REGIONS = ("north", "central", "south")


# id(table) -> (table, names, cumulative weights): choices() sums the weights on every call
# otherwise (a national load draws about 4 names a member). The same draws either way.
_CUMULATIVE: dict[int, tuple[list, tuple, list[float]]] = {}


def _pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    entry = _CUMULATIVE.get(id(table))
    if entry is None or entry[0] is not table:
        names, weights = zip(*table, strict=True)
        entry = _CUMULATIVE[id(table)] = (table, names, list(accumulate(weights)))
    return draw(rng, entry[1], entry[2])


def draw(rng: random.Random, population: Sequence, cum_weights: list) -> object:
    """`rng.choices(population, cum_weights=cum_weights)[0]`, the same draw from the same state
    (what choices computes for one item), without building a list: a national load makes
    about ten draws a member."""
    return population[
        bisect_right(cum_weights, rng.random() * cum_weights[-1], 0, len(population) - 1)
    ]


# --- Kinh ---------------------------------------------------------------------------------------

# (name, % of the population); "Hoàng"/"Huỳnh" and "Vũ"/"Võ" are resolved by region.
_KINH_FAMILY = [
    ("Nguyễn", 38.4),
    ("Trần", 12.1),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng|Huỳnh", 5.1),
    ("Phan", 4.5),
    ("Vũ|Võ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.8),
    ("Trương", 0.6),
    ("Đoàn", 0.5),
    ("Đào", 0.4),
    ("Lương", 0.4),
    ("Mai", 0.4),
    ("Cao", 0.4),
    ("Hà", 0.4),
    ("Tạ", 0.3),
    ("Lâm", 0.3),
    ("Châu", 0.2),
    ("Tô", 0.2),
    ("Thái", 0.2),
    ("Lưu", 0.2),
    ("Kiều", 0.1),
    ("Quách", 0.1),
    ("Tăng", 0.1),
    ("Triệu", 0.1),
    ("La", 0.1),
    ("Khổng", 0.05),
]
# Share of the northern form (Hoàng, Vũ) by region.
_NORTHERN_FORM = {"north": 0.95, "central": 0.45, "south": 0.1}

_KINH_MIDDLE_MALE = [
    ("Văn", 45),
    ("Đức", 6),
    ("Minh", 6),
    ("Quang", 5),
    ("Hữu", 5),
    ("Thanh", 5),
    ("Ngọc", 4),
    ("Công", 4),
    ("Quốc", 4),
    ("Đình", 4),
    ("Xuân", 3),
    ("Trọng", 3),
    ("Anh", 2),
    ("Tuấn", 2),
    ("Thành", 2),
    ("Bá", 1),
    ("Tấn", 2),
    ("Hoài", 1),
    ("Nhật", 1),
    ("Gia", 1),
]
_KINH_MIDDLE_FEMALE = [
    ("Thị", 60),
    ("Ngọc", 6),
    ("Thu", 5),
    ("Thanh", 5),
    ("Kim", 4),
    ("Hồng", 4),
    ("Minh", 3),
    ("Mỹ", 3),
    ("Thùy", 3),
    ("Bích", 2),
    ("Phương", 2),
    ("Hoài", 2),
    ("Diệu", 1),
    ("Khánh", 1),
    ("Bảo", 1),
    ("Hải", 1),
]
_KINH_GIVEN_MALE = [
    "An",
    "Anh",
    "Bảo",
    "Bình",
    "Cường",
    "Chiến",
    "Công",
    "Dũng",
    "Duy",
    "Đại",
    "Đạt",
    "Định",
    "Đông",
    "Đức",
    "Giang",
    "Hải",
    "Hào",
    "Hậu",
    "Hiếu",
    "Hòa",
    "Hoàng",
    "Hùng",
    "Hưng",
    "Huy",
    "Khải",
    "Khánh",
    "Khoa",
    "Kiên",
    "Lâm",
    "Lộc",
    "Lợi",
    "Long",
    "Luân",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Nhân",
    "Phong",
    "Phúc",
    "Phương",
    "Quân",
    "Quang",
    "Quý",
    "Sơn",
    "Tài",
    "Tâm",
    "Tân",
    "Thắng",
    "Thanh",
    "Thành",
    "Thịnh",
    "Thông",
    "Tiến",
    "Toàn",
    "Trí",
    "Trung",
    "Trường",
    "Tú",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
    "Xuân",
]
_KINH_GIVEN_FEMALE = [
    "An",
    "Anh",
    "Bích",
    "Châu",
    "Chi",
    "Cúc",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hằng",
    "Hạnh",
    "Hiền",
    "Hoa",
    "Hồng",
    "Huệ",
    "Hương",
    "Huyền",
    "Lan",
    "Liên",
    "Liễu",
    "Linh",
    "Loan",
    "Lụa",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nguyệt",
    "Nhung",
    "Oanh",
    "Phượng",
    "Phương",
    "Quyên",
    "Quỳnh",
    "Sương",
    "Tâm",
    "Thảo",
    "Thắm",
    "Thơm",
    "Thu",
    "Thủy",
    "Thư",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Vy",
    "Xuân",
    "Yến",
]


def _younger(table: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Fewer "Văn"/"Thị" among the young (born 1990 or later)."""
    return [(n, w * 0.45 if n in ("Văn", "Thị") else w) for n, w in table]


_KINH_MIDDLE_MALE_YOUNG = _younger(_KINH_MIDDLE_MALE)
_KINH_MIDDLE_FEMALE_YOUNG = _younger(_KINH_MIDDLE_FEMALE)


def _kinh(rng: random.Random, male: bool, birth_year: int, region: str) -> str:
    family = _pick(rng, _KINH_FAMILY)
    if "|" in family:
        northern, southern = family.split("|")
        family = northern if rng.random() < _NORTHERN_FORM[region] else southern
    if birth_year >= 1990:
        middle_table = _KINH_MIDDLE_MALE_YOUNG if male else _KINH_MIDDLE_FEMALE_YOUNG
    else:
        middle_table = _KINH_MIDDLE_MALE if male else _KINH_MIDDLE_FEMALE
    middle = _pick(rng, middle_table)
    given = rng.choice(_KINH_GIVEN_MALE if male else _KINH_GIVEN_FEMALE)
    if middle == given:
        given = rng.choice(_KINH_GIVEN_MALE if male else _KINH_GIVEN_FEMALE)
    return f"{family} {middle} {given}"


# --- Central Highlands (Xơ Đăng, Giẻ Triêng, Ba Na) -------------------------------------------

_HIGHLAND_MALE = [
    "Bôl",
    "Blông",
    "Brao",
    "Đin",
    "Dôn",
    "Duh",
    "Hiêng",
    "Hmăk",
    "Jơn",
    "Kheo",
    "Khoa",
    "Kơ",
    "Lếch",
    "Lơi",
    "Mui",
    "Nhơi",
    "Pal",
    "Prông",
    "Pơ",
    "Rin",
    "Sang",
    "Tiêu",
    "Thăk",
    "Tơr",
    "Vên",
    "Xoan",
    "Ding",
    "Hmưn",
    "Rốt",
    "Yơr",
    "Chíp",
    "Bloh",
    "Nhưk",
    "Trơi",
    "Bưh",
    "Blếp",
    "Dơn",
    "Gir",
    "Glong",
    "Hloi",
    "Hnil",
    "Jrăng",
    "Kpă",
    "Krông",
    "Lưm",
    "Mơr",
    "Nhâm",
    "Phăm",
    "Pring",
    "Rưn",
    "Sơm",
    "Tơng",
    "Thoang",
    "Treh",
    "Vang",
    "Xiêm",
    "Đreng",
    "Kriêng",
]
_HIGHLAND_FEMALE = [
    "Blưm",
    "Bới",
    "Chiêng",
    "Đoan",
    "Hiên",
    "Hơn",
    "Khiên",
    "Lênh",
    "Liêng",
    "Mưn",
    "Nhung",
    "Ngân",
    "Pin",
    "Rơm",
    "Sen",
    "Thơm",
    "Tưi",
    "Vân",
    "Xí",
    "Xuyến",
    "Dên",
    "Bích",
    "Hmai",
    "Jen",
    "Loan",
    "Mơ",
    "Nhơn",
    "Prăh",
    "Rói",
    "Trăm",
    "Blin",
    "Brơ",
    "Deh",
    "Glưh",
    "Hdơn",
    "Hnhăk",
    "Jưn",
    "Kdơng",
    "Klin",
    "Lăm",
    "Mlơn",
    "Ngeh",
    "Phôi",
    "Prin",
    "Rưh",
    "Sương",
    "Thoa",
    "Trêh",
    "Vơh",
    "Xêm",
    "Đriêng",
    "Hlưn",
]


def _highland(rng: random.Random, male: bool) -> str:
    prefix = "A" if male else "Y"
    if rng.random() < 0.55:
        name = rng.choice(_HIGHLAND_MALE if male else _HIGHLAND_FEMALE)
    else:
        name = rng.choice(_KINH_GIVEN_MALE if male else _KINH_GIVEN_FEMALE)
    if rng.random() < 0.2:
        # Some carry a second syllable.
        name = f"{name} {rng.choice(_HIGHLAND_MALE if male else _HIGHLAND_FEMALE)}"
    return f"{prefix} {name}"


# --- Northern mountain groups ------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    family: list[tuple[str, float]]
    middle_male: list[tuple[str, float]]
    middle_female: list[tuple[str, float]]
    given_male: list[str]
    given_female: list[str]


_VAN = [("Văn", 80), ("Đức", 6), ("Ngọc", 5), ("Quang", 5), ("Minh", 4)]
_THI = [("Thị", 85), ("Ngọc", 5), ("Thu", 5), ("Kim", 5)]

_STYLES: dict[str, _Style] = {
    # Tày
    "02": _Style(
        family=[
            ("Hoàng", 20),
            ("Nông", 15),
            ("Ma", 8),
            ("Lục", 6),
            ("Hà", 6),
            ("Nguyễn", 8),
            ("La", 4),
            ("Lương", 5),
            ("Triệu", 4),
            ("Mã", 3),
            ("Vi", 3),
            ("Đàm", 3),
            ("Bế", 3),
            ("Hứa", 3),
            ("Lý", 3),
            ("Lò", 2),
            ("Quan", 2),
        ],
        middle_male=_VAN,
        middle_female=_THI,
        given_male=_KINH_GIVEN_MALE + ["Pảo", "Slan", "Thàng", "Khiêm", "Chuyên", "Tằng"],
        given_female=_KINH_GIVEN_FEMALE + ["Pẻng", "Slao", "Mỉn", "Ngần", "Thìn"],
    ),
    # Nùng
    "07": _Style(
        family=[
            ("Hoàng", 15),
            ("Nông", 12),
            ("Lục", 10),
            ("Lý", 10),
            ("Vi", 6),
            ("Mã", 6),
            ("Sầm", 3),
            ("Chu", 4),
            ("Lương", 5),
            ("Triệu", 5),
            ("Vương", 4),
            ("Đinh", 3),
            ("Hà", 3),
            ("Mông", 2),
        ],
        middle_male=_VAN,
        middle_female=_THI,
        given_male=_KINH_GIVEN_MALE + ["Sình", "Páo", "Phủ", "Slẩy", "Sáng", "Pằn"],
        given_female=_KINH_GIVEN_FEMALE + ["Pẻng", "Slẩy", "Mìn", "Nhàn", "Sửu"],
    ),
    # Dao
    "09": _Style(
        family=[
            ("Bàn", 20),
            ("Triệu", 20),
            ("Đặng", 15),
            ("Lý", 12),
            ("Phùng", 8),
            ("Chảo", 6),
            ("Tẩn", 5),
            ("Lò", 4),
            ("Chu", 3),
            ("Bạch", 2),
        ],
        middle_male=[("Văn", 50), ("Tài", 20), ("Tiến", 10), ("Kim", 8), ("Quý", 6), ("Phúc", 6)],
        middle_female=[("Thị", 80), ("Mùi", 8), ("Kim", 6), ("Ngọc", 6)],
        given_male=[
            "Quẩy",
            "Phấu",
            "Tòng",
            "Chiêu",
            "Sành",
            "Kiềm",
            "Liềm",
            "Kiêu",
            "Siểu",
            "Cao",
            "Lìu",
            "Nhất",
            "Quang",
            "Vinh",
            "Thành",
            "Dũng",
            "Hùng",
            "Lâm",
            "Tiến",
        ],
        given_female=[
            "Mẩy",
            "Xuân",
            "Dung",
            "Hương",
            "Chiêm",
            "Kiều",
            "Nhất",
            "Mai",
            "Liên",
            "Hoa",
            "Lan",
            "Hằng",
            "Thu",
            "Phin",
            "Diếp",
        ],
    ),
    # La Chí
    "36": _Style(
        family=[
            ("Vương", 25),
            ("Ly", 15),
            ("Hoàng", 15),
            ("Lù", 10),
            ("Cháng", 10),
            ("Vần", 8),
            ("Lò", 8),
            ("Sân", 5),
        ],
        middle_male=[("Văn", 75), ("Đức", 10), ("Quang", 8), ("Ngọc", 7)],
        middle_female=[("Thị", 90), ("Ngọc", 10)],
        given_male=[
            "Thành",
            "Chuyên",
            "Dín",
            "Pờ",
            "Sáng",
            "Hùng",
            "Minh",
            "Tiến",
            "Lâm",
            "Chung",
            "Thắng",
            "Phúc",
            "Hải",
        ],
        given_female=["Phương", "Mai", "Ngân", "Sen", "Hoa", "Dung", "Liên", "Thảo", "Hồng"],
    ),
    # Mông
    "08": _Style(
        family=[
            ("Giàng", 18),
            ("Vàng", 16),
            ("Sùng", 14),
            ("Thào", 12),
            ("Lù", 8),
            ("Hầu", 7),
            ("Ly", 8),
            ("Mua", 6),
            ("Cứ", 4),
            ("Vừ", 4),
            ("Lầu", 3),
        ],
        middle_male=[("Seo", 40), ("Mí", 25), ("A", 15), ("Văn", 20)],
        middle_female=[("Thị", 80), ("Mỷ", 20)],
        given_male=[
            "Chứ",
            "Dính",
            "Pó",
            "Súng",
            "Sính",
            "Dình",
            "Páo",
            "Chơ",
            "Lử",
            "Pà",
            "Chá",
            "Dơ",
            "Tủa",
        ],
        given_female=["Mỷ", "Dợ", "Mai", "Sua", "Dế", "Chá", "Pà", "Mý", "Say", "Chu", "Dung"],
    ),
    # Khmer
    "05": _Style(
        family=[
            ("Thạch", 20),
            ("Danh", 20),
            ("Sơn", 15),
            ("Kim", 10),
            ("Lâm", 8),
            ("Lý", 5),
            ("Châu", 5),
            ("Dương", 3),
            ("Trần", 4),
            ("Huỳnh", 3),
            ("Triệu", 3),
            ("Tăng", 2),
            ("Kiên", 2),
        ],
        middle_male=[("", 70), ("Văn", 30)],
        middle_female=[("Thị", 90), ("", 10)],
        given_male=[
            "Sa Rươl",
            "Phol",
            "Sóc",
            "Som",
            "Sang",
            "Rớt",
            "Út",
            "Phi",
            "Sa Ry",
            "Chanh",
            "Pho",
            "Đa Ra",
            "Sà Rinh",
            "Chanh Đa",
            "Sô Phai",
            "Kha",
            "Sóc Khum",
            "Mết",
            "Sa Vơn",
            "Thươl",
        ],
        given_female=[
            "Sa Ri",
            "Sa Vươn",
            "Sóc Thươl",
            "Sà Rươne",
            "Chanh Thu",
            "Đa Ni",
            "Sa Phia",
            "Sô Phol",
            "Mây",
            "Chanh Thy",
            "Kim Hương",
            "Sa Ly",
            "Phas",
            "Ry",
        ],
    ),
    # Hoa
    "06": _Style(
        family=[
            ("Lâm", 15),
            ("Quách", 10),
            ("Trương", 12),
            ("Lưu", 8),
            ("Mã", 6),
            ("Tăng", 6),
            ("Lý", 8),
            ("Hứa", 6),
            ("Thái", 5),
            ("Huỳnh", 5),
            ("Trần", 6),
            ("Diệp", 4),
            ("Ông", 3),
            ("Tạ", 3),
            ("Quan", 3),
        ],
        middle_male=[
            ("Chí", 15),
            ("Gia", 12),
            ("Tuấn", 10),
            ("Thành", 12),
            ("Vĩnh", 10),
            ("Quốc", 10),
            ("Minh", 10),
            ("Văn", 15),
            ("Hữu", 6),
        ],
        middle_female=[
            ("Mỹ", 18),
            ("Quế", 10),
            ("Huệ", 10),
            ("Ngọc", 14),
            ("Kim", 12),
            ("Thị", 20),
            ("Lệ", 8),
            ("Bội", 8),
        ],
        given_male=[
            "Kiệt",
            "Phát",
            "Đạt",
            "Cường",
            "Hào",
            "Vinh",
            "Khang",
            "Lợi",
            "Hưng",
            "Thuận",
            "Quyền",
            "Hoa",
            "Tài",
            "Minh",
            "Kiên",
        ],
        given_female=[
            "Anh",
            "Lệ",
            "Linh",
            "Hoa",
            "Trân",
            "Phụng",
            "Mai",
            "Nghi",
            "Ngọc",
            "Như",
            "Quyên",
            "Hân",
            "Dung",
            "Huệ",
        ],
    ),
    # Mường
    "04": _Style(
        family=[
            ("Bùi", 35),
            ("Đinh", 25),
            ("Quách", 10),
            ("Hà", 10),
            ("Phạm", 10),
            ("Xa", 5),
            ("Cao", 5),
        ],
        middle_male=_VAN,
        middle_female=_THI,
        given_male=_KINH_GIVEN_MALE,
        given_female=_KINH_GIVEN_FEMALE,
    ),
    # Thái
    "03": _Style(
        family=[
            ("Lò", 25),
            ("Lường", 15),
            ("Cầm", 12),
            ("Quàng", 10),
            ("Vi", 10),
            ("Hà", 10),
            ("Lộc", 8),
            ("Điêu", 5),
            ("Tòng", 5),
        ],
        middle_male=_VAN,
        middle_female=_THI,
        given_male=_KINH_GIVEN_MALE + ["Panh", "Xuân", "Ún", "Sương"],
        given_female=_KINH_GIVEN_FEMALE + ["Ín", "Panh", "Ỏi", "Ánh"],
    ),
}
# Smaller northern groups (Pà Thẻn, Giáy …) are named in the Tày style.
_HIGHLAND_GROUPS = {"16", "29", "12"}


def _styled(rng: random.Random, style: _Style, male: bool) -> str:
    family = _pick(rng, style.family)
    middle = _pick(rng, style.middle_male if male else style.middle_female)
    given = rng.choice(style.given_male if male else style.given_female)
    return " ".join(part for part in (family, middle, given) if part)


def full_name(
    rng: random.Random, *, ethnicity: str, gender: str, birth_year: int, region: str = "central"
) -> str:
    """A generated full name for a person of `ethnicity` (2008 code) and gender "M"/"F"."""
    male = gender == "M"
    if ethnicity in _HIGHLAND_GROUPS:
        return _highland(rng, male)
    style = _STYLES.get(ethnicity)
    if style is not None:
        return _styled(rng, style, male)
    if ethnicity == "01":
        return _kinh(rng, male, birth_year, region)
    return _styled(rng, _STYLES["02"], male)
