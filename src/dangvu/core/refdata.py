"""Reference data used by member records and the standard statistics forms.

Codes are stable identifiers stored on rows; labels are shown in the active language.

Sources:
- Ethnic groups: General Statistics Office, Decision 1019/QĐ-TCTK of 12/11/2008 (codes 01-54,
  ordered by population). Never mix with the 1979 list (121-TCTK/PPCĐ), which numbers them
  differently. Other names are the common alternative names, matched by search.
- Religions: the religions recognised by the State (Government Committee for Religious
  Affairs), 16 religions as listed in the mid-2020s; "00" = none. Codes 01-16 are Dangvu's own.
- Education, professional and political-theory levels, occupations, age bands and admission
  periods: the breakdowns of the basic statistics forms (Hướng dẫn 11-HD/BTCTW, 13/12/2021;
  forms 2-BTCTW and 3-BTCTW).
"""

from dataclasses import dataclass, field

from django.utils.translation import get_language

from dangvu.core.text import fold

__all__ = [
    "RefItem",
    "RefList",
    "ETHNICITIES",
    "KINH",
    "RELIGIONS",
    "NO_RELIGION",
    "GENDERS",
    "EDUCATION_LEVELS",
    "PROFESSIONAL_LEVELS",
    "THEORY_LEVELS",
    "OCCUPATIONS",
    "YES",
    "ACADEMIC_TITLES",
]


@dataclass(frozen=True)
class RefItem:
    code: str
    vi: str
    en: str
    aliases: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return self.en if (get_language() or "vi").startswith("en") else self.vi


class RefList:
    def __init__(self, name: str, items: list[RefItem]):
        self.name = name
        self.items = items
        self._by_code = {item.code: item for item in items}
        self._by_folded: dict[str, RefItem] = {}
        for item in items:
            for text in (item.vi, item.en, *item.aliases):
                self._by_folded.setdefault(fold(text), item)

    def __iter__(self):
        return iter(self.items)

    def __contains__(self, code) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def get(self, code: str) -> RefItem | None:
        return self._by_code.get(code)

    def label(self, code: str | None) -> str:
        item = self._by_code.get(code or "")
        return item.label if item else ""

    def choices(self) -> list[tuple[str, str]]:
        return [(item.code, item.label) for item in self.items]

    def lookup(self, text: str) -> RefItem | None:
        """A code, a name or another name (accent-insensitive) -> the item."""
        text = (text or "").strip()
        return self._by_code.get(text) or self._by_folded.get(fold(text))


def _ethnic(code, vi, en, *aliases):
    return RefItem(code, vi, en, tuple(aliases))


ETHNICITIES = RefList(
    "ethnicity",
    [
        _ethnic("01", "Kinh", "Kinh", "Việt"),
        _ethnic("02", "Tày", "Tay", "Thổ", "Ngạn", "Phén", "Thu Lao", "Pa Dí"),
        _ethnic("03", "Thái", "Thai", "Tày Khao", "Tày Đăm", "Tày Mười", "Tày Thanh", "Hàng Tổng"),
        _ethnic("04", "Mường", "Muong", "Mol", "Mual", "Mọi"),
        _ethnic("05", "Khơ-me", "Khmer", "Khơ me", "Khmer", "Cur", "Cul", "Việt gốc Miên"),
        _ethnic("06", "Hoa", "Hoa", "Hán", "Triều Châu", "Phúc Kiến", "Quảng Đông", "Hải Nam"),
        _ethnic("07", "Nùng", "Nung", "Xuồng", "Giang", "Nùng An", "Phàn Sinh", "Nùng Cháo"),
        _ethnic("08", "Mông", "Hmong", "H'mông", "Hmông", "Mèo", "Mẹo", "Mán Trắng"),
        _ethnic("09", "Dao", "Dao", "Mán", "Động", "Trại", "Dìu Miền", "Kiềm Miền", "Quần Trắng"),
        _ethnic("10", "Gia-rai", "Jarai", "Gia Rai", "Giơ-rai", "Chơ-rai", "Jrai"),
        _ethnic("11", "Ê-đê", "Ede", "Ê Đê", "Ra-đê", "Đê", "Kpạ", "A-đham"),
        _ethnic(
            "12",
            "Ba-na",
            "Bahnar",
            "Ba Na",
            "Gơ-lar",
            "Tơ-lô",
            "Giơ-lâng",
            "Rơ-ngao",
            "Krem",
            "Roh",
            "Kon Kđe",
            "A-la Công",
            "Kpăng Công",
        ),
        _ethnic("13", "Sán Chay", "San Chay", "Cao Lan", "Sán Chỉ"),
        _ethnic("14", "Chăm", "Cham", "Chàm", "Chiêm Thành", "Hroi"),
        _ethnic("15", "Cơ-ho", "Koho", "Cơ Ho", "Xrê", "Nốp", "Cơ-don", "Chil", "Lát", "Tring"),
        _ethnic(
            "16", "Xơ-đăng", "Xo Dang", "Xơ Đăng", "Xê Đăng", "Kmrâng", "Con Lan", "Bri-la", "Tang"
        ),
        _ethnic("17", "Sán Dìu", "San Diu", "Sán Dẻo", "Trại Đất", "Mán Quần Cộc"),
        _ethnic("18", "Hrê", "Hre", "Chăm Rê", "Chom", "Krẹ Lũy"),
        _ethnic("19", "Ra-glai", "Raglai", "Ra Glai", "Ra-clây", "Rai", "Noang", "La-oang"),
        _ethnic("20", "Mnông", "Mnong", "M'nông", "Pnông", "Nông", "Pré", "Bu-đâng"),
        _ethnic("21", "Thổ", "Tho", "Kẹo", "Mọn", "Cuối", "Họ", "Đan Lai", "Ly Hà", "Tày Pọng"),
        _ethnic("22", "Xtiêng", "Stieng", "Xa-điêng", "X'tiêng"),
        _ethnic("23", "Khơ-mú", "Khmu", "Khơ Mú", "Xá Cẩu", "Mứn Xen", "Pu Thênh", "Tềnh"),
        _ethnic(
            "24", "Bru-Vân Kiều", "Bru-Van Kieu", "Bru", "Vân Kiều", "Măng Coong", "Tri", "Khùa"
        ),
        _ethnic("25", "Cơ-tu", "Co Tu", "Cơ Tu", "Ca-tu", "Cao", "Hạ", "Phương", "Ca-tang"),
        _ethnic("26", "Giáy", "Giay", "Nhắng", "Dẩng", "Pầu Thìn", "Nu Nà", "Cùi Chu", "Xa"),
        _ethnic("27", "Tà-ôi", "Ta Oi", "Tà Ôi", "Tôi-ôi", "Pa-co", "Pa-hy", "Ba-hi"),
        _ethnic("28", "Mạ", "Ma", "Châu Mạ", "Mạ Ngăn", "Mạ Xóp", "Mạ Tô", "Mạ Krung"),
        _ethnic(
            "29",
            "Giẻ-Triêng",
            "Gie Trieng",
            "Giẻ Triêng",
            "Đgiéh",
            "Tareb",
            "Giang Rẫy Pin",
            "Triêng",
            "Treng",
            "Ta-riêng",
            "Ve",
            "Veh",
            "La-ve",
            "Ca-tang",
        ),
        _ethnic("30", "Co", "Co", "Cor", "Col", "Cùa", "Trầu"),
        _ethnic("31", "Chơ-ro", "Cho Ro", "Chơ Ro", "Dơ-ro", "Châu-ro"),
        _ethnic("32", "Xinh-mun", "Xinh Mun", "Xinh Mun", "Puộc", "Pụa"),
        _ethnic("33", "Hà Nhì", "Ha Nhi", "U Ni", "Xá U Ni"),
        _ethnic("34", "Chu-ru", "Chu Ru", "Chu Ru", "Chơ-ru", "Chu"),
        _ethnic("35", "Lào", "Lao", "Lào Bốc", "Lào Nọi"),
        _ethnic("36", "La Chí", "La Chi", "Cù Tê", "La Quả"),
        _ethnic("37", "Kháng", "Khang", "Xá Khao", "Xá Súa", "Xá Dón", "Xá Dẩng", "Xá Hốc"),
        _ethnic("38", "Phù Lá", "Phu La", "Bồ Khô Pạ", "Mu Di", "Pạ Xá", "Phó", "Phổ", "Va Xơ"),
        _ethnic("39", "La Hủ", "La Hu", "Lao", "Pu Đang", "Khù Xung", "Cò Xung", "Khả Quy"),
        _ethnic("40", "La Ha", "La Ha", "Xá Khao", "Khlá Phlạo"),
        _ethnic("41", "Pà Thẻn", "Pa Then", "Pà Hưng", "Tống"),
        _ethnic("42", "Lự", "Lu", "Lừ", "Nhuồn Duôn", "Mun Di"),
        _ethnic("43", "Ngái", "Ngai", "Xín", "Lê", "Đản", "Khách Gia"),
        _ethnic("44", "Chứt", "Chut", "Rục", "Sách", "Arem", "Mã Liêng"),
        _ethnic("45", "Lô Lô", "Lo Lo", "Mun Di"),
        _ethnic("46", "Mảng", "Mang", "Mảng Ư", "Xá Lá Vàng"),
        _ethnic("47", "Cơ Lao", "Co Lao"),
        _ethnic("48", "Bố Y", "Bo Y", "Chủng Chá", "Trọng Gia", "Tu Dí", "Tu Din"),
        _ethnic("49", "Cống", "Cong", "Xắm Khống", "Mấng Nhé", "Xá Xeng"),
        _ethnic("50", "Si La", "Si La", "Cù Dề Xừ", "Khả Pẻ"),
        _ethnic("51", "Pu Péo", "Pu Peo", "Ka Pèo", "Pen Ti Lô Lô"),
        _ethnic("52", "Rơ-măm", "Ro Mam", "Rơ Măm"),
        _ethnic("53", "Brâu", "Brau", "Brao"),
        _ethnic("54", "Ơ Đu", "O Du", "Tày Hạt"),
    ],
)
KINH = "01"

RELIGIONS = RefList(
    "religion",
    [
        RefItem("00", "Không", "None"),
        RefItem("01", "Phật giáo", "Buddhism", ("Đạo Phật",)),
        RefItem("02", "Công giáo", "Catholicism", ("Thiên Chúa giáo", "Catholic")),
        RefItem("03", "Tin Lành", "Protestantism", ("Đạo Tin Lành", "Protestant")),
        RefItem("04", "Cao Đài", "Cao Dai"),
        RefItem("05", "Phật giáo Hòa Hảo", "Hoa Hao Buddhism", ("Hòa Hảo",)),
        RefItem("06", "Hồi giáo", "Islam", ("Islam",)),
        RefItem("07", "Tôn giáo Baha'i", "Baha'i Faith", ("Baha'i",)),
        RefItem(
            "08", "Tịnh độ Cư sĩ Phật hội Việt Nam", "Pure Land Buddhist Home Practice Association"
        ),
        RefItem(
            "09", "Cơ đốc Phục lâm", "Seventh-day Adventist Church", ("Cơ đốc Phục lâm Việt Nam",)
        ),
        RefItem("10", "Phật giáo Tứ Ân Hiếu Nghĩa", "Tu An Hieu Nghia Buddhism"),
        RefItem("11", "Minh Sư đạo", "Minh Su Dao"),
        RefItem("12", "Minh Lý đạo - Tam Tông Miếu", "Minh Ly Dao - Tam Tong Mieu"),
        RefItem(
            "13",
            "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô",
            "Church of Jesus Christ of Latter-day Saints",
        ),
        RefItem("14", "Bửu Sơn Kỳ Hương", "Buu Son Ky Huong"),
        RefItem("15", "Bà-la-môn giáo", "Brahmanism", ("Bà La Môn",)),
        RefItem("16", "Phật giáo Hiếu Nghĩa Tà Lơn", "Hieu Nghia Ta Lon Buddhism"),
    ],
)
NO_RELIGION = "00"

GENDERS = RefList("gender", [RefItem("M", "Nam", "Male"), RefItem("F", "Nữ", "Female")])

EDUCATION_LEVELS = RefList(
    "education",
    [
        RefItem("literate", "Biết chữ quốc ngữ", "Literate"),
        # As the records write them too: years completed of the 12-year system (the 10-year
        # system of the North before 1981), and the schools' initials.
        RefItem("primary", "Tiểu học", "Primary", aliases=("5/12", "4/10")),
        RefItem(
            "lower_secondary",
            "Trung học cơ sở",
            "Lower secondary",
            aliases=("9/12", "7/10", "THCS"),
        ),
        RefItem(
            "upper_secondary",
            "Trung học phổ thông",
            "Upper secondary",
            aliases=("12/12", "10/10", "THPT"),
        ),
    ],
)

PROFESSIONAL_LEVELS = RefList(
    "professional",
    [
        RefItem("none", "Chưa qua đào tạo", "No training"),
        RefItem(
            "elementary",
            "Công nhân kỹ thuật, nhân viên nghiệp vụ, sơ cấp",
            "Technical worker / elementary",
        ),
        RefItem("intermediate", "Trung cấp", "Intermediate"),
        RefItem("college", "Cao đẳng", "College"),
        RefItem("university", "Đại học", "University"),
        RefItem("master", "Thạc sĩ", "Master"),
        RefItem("doctor", "Tiến sĩ", "Doctor"),
    ],
)

THEORY_LEVELS = RefList(
    "theory",
    [
        RefItem("none", "Chưa qua đào tạo", "None"),
        RefItem("elementary", "Sơ cấp", "Elementary"),
        RefItem("intermediate", "Trung cấp", "Intermediate"),
        RefItem(
            "advanced", "Cao cấp, cử nhân", "Advanced / bachelor", aliases=("Cao cấp", "Cử nhân")
        ),
    ],
)

OCCUPATIONS = RefList(
    "occupation",
    [
        RefItem("state_official", "Công chức cơ quan nhà nước", "State civil servant"),
        RefItem(
            "party_official",
            "Công chức Đảng, Mặt trận, đoàn thể",
            "Party, Front and mass-organisation civil servant",
        ),
        RefItem(
            "commune_official",
            "Cán bộ, công chức cấp xã, người hoạt động không chuyên trách cấp xã",
            "Commune official or non-specialised commune staff",
        ),
        RefItem(
            "village_staff",
            "Người hoạt động không chuyên trách ở thôn, tổ dân phố",
            "Non-specialised village staff",
        ),
        RefItem("public_employee", "Viên chức sự nghiệp công lập", "Public-service employee"),
        RefItem(
            "non_public_employee",
            "Người làm việc trong đơn vị sự nghiệp ngoài công lập",
            "Non-public service worker",
        ),
        RefItem("enterprise", "Người làm việc trong doanh nghiệp", "Enterprise staff"),
        RefItem(
            "farmer",
            "Nông, lâm, ngư nghiệp",
            "Farmer, forester or fisher",
            aliases=("Nông dân", "Làm ruộng", "Làm nông", "Nông nghiệp", "Ngư dân"),
        ),
        RefItem("armed_forces", "Quân đội, công an", "Army and police"),
        RefItem("student", "Sinh viên", "University student"),
        RefItem("pupil", "Học sinh", "School pupil"),
        RefItem("other", "Lao động tự do, hợp đồng, khác", "Other (contract, freelance)"),
        RefItem("retired", "Nghỉ hưu, thôi việc", "Retired or no longer working"),
    ],
)

# A member's particulars counted by forms 2-BTCTW and 3-BTCTW (Youth Union member,
# private-enterprise owner, married to a foreigner): "yes", or empty for no (the record of
# nearly every member stores nothing for them).
YES = RefList("yes", [RefItem("yes", "Có", "Yes")])

# Academic title (học hàm), form 3-BTCTW; empty: none.
ACADEMIC_TITLES = RefList(
    "academic_title",
    [
        RefItem("associate_professor", "Phó giáo sư", "Associate professor", aliases=("PGS",)),
        RefItem("professor", "Giáo sư", "Professor", aliases=("GS",)),
    ],
)
