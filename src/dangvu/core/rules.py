"""Rules are data with dates.

Every number a rule depends on lives here, tagged with the document that set it and the
date it took effect. A service asks for the value in force on the date of the act it
records: `rule("probation_months", on=ceremony_date)`.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

__all__ = [
    "RuleValue",
    "RULES",
    "rule",
    "rule_value",
    "rule_value_or_none",
    "UnknownRule",
    "RuleNotInForce",
]


@dataclass(frozen=True)
class RuleValue:
    """One value of a rule from the day a document set it. `scope` is a province's code for a
    value only that province set (its own scoring sheet); "" for the whole country."""

    key: str
    value: object
    effective_from: date
    source: str
    note: str = ""
    scope: str = ""


class UnknownRule(LookupError):
    pass


class RuleNotInForce(LookupError):
    """No value of the rule is known for the date asked (before the first document Dangvu
    records): the act cannot be checked against it. Callers decide explicitly what that means
    (a record of the time stands as recorded); the earliest value is never assumed."""

    def __init__(self, key: str, on: date, first: RuleValue):
        self.key, self.on, self.first = key, on, first
        super().__init__(
            f"{key}: no value known on {on:%d/%m/%Y}; the first recorded is "
            f"{first.value} from {first.effective_from:%d/%m/%Y} ({first.source})"
        )


# Sources: DOMAIN.md §3.3 and §2.6, and the table of documents in §6 (24-QĐ/TW of 30/7/2021
# with HD 01-HD/TW of 28/9/2021; 232-QĐ/TW of 20/1/2025, in force on signing; 294-QĐ/TW of
# 26/5/2025, in force from 1/7/2025). Where a later document restated a value unchanged it has
# its own row, so that every act is checked against the text in force on its date.
_QD24 = "Quy định 24-QĐ/TW (30/7/2021), Hướng dẫn 01-HD/TW (28/9/2021)"
_QD232 = "Quy định 232-QĐ/TW (20/1/2025)"
_QD294 = "Quy định 294-QĐ/TW (26/5/2025, hiệu lực 1/7/2025)"
_IN_FORCE = ((date(2021, 7, 30), _QD24), (date(2025, 1, 20), _QD232), (date(2025, 7, 1), _QD294))


def _restated(key: str, value, note: str = "") -> list[RuleValue]:
    """The same value under each of the three documents, from the day each took effect."""
    return [RuleValue(key, value, day, source, note) for day, source in _IN_FORCE]


RULES: list[RuleValue] = [
    # Probation: 12 months counted from the admission ceremony (DOMAIN.md §3.3, §2.7).
    RuleValue(
        "probation_months",
        12,
        date(2011, 1, 19),
        "Điều lệ Đảng (2011), Điều 5",
        "12 tháng kể từ ngày kết nạp",
    ),
    *_restated("probation_months", 12),
    # Admission age window, counted in months at the time of the cell's consideration; over
    # 60 only by a committee directly under the Central Committee, in the cases listed.
    RuleValue("admission_min_age", 18, date(2011, 1, 19), "Điều lệ Đảng (2011), Điều 1"),
    *_restated("admission_min_age", 18),
    RuleValue(
        "admission_max_age",
        60,
        date(2016, 7, 25),
        "Quy định 29-QĐ/TW (25/7/2016)",
        "trên 60 tuổi do cấp ủy trực thuộc Trung ương xem xét",
    ),
    *_restated(
        "admission_max_age", 60, "trên 60 tuổi do cấp ủy trực thuộc Trung ương xem xét, quyết định"
    ),
    # Deadlines in working days (DOMAIN.md §3.3 steps 9, 10, 13), each with its extension.
    *_restated("admission_decision_working_days", 60, "kể từ ngày nhận nghị quyết của chi bộ"),
    *_restated("admission_decision_extension_working_days", 30),
    *_restated("admission_ceremony_working_days", 30, "kể từ ngày nhận quyết định"),
    *_restated("recognition_review_working_days", 30, "kể từ ngày hết 12 tháng dự bị"),
    *_restated("recognition_decision_working_days", 30, "kể từ ngày nhận nghị quyết của chi bộ"),
    *_restated("recognition_decision_extension_working_days", 30),
    # Temporary transfer (DOMAIN.md §2.6): from 3 months to under a year; full-time study from
    # 3 months up to 2 years.
    RuleValue(
        "temporary_transfer_min_months", 3, date(2021, 9, 28), "Hướng dẫn 01-HD/TW (28/9/2021)"
    ),
    RuleValue(
        "temporary_transfer_min_months", 3, date(2025, 6, 9), "Hướng dẫn 06-HD/TW (9/6/2025)"
    ),
    RuleValue(
        "temporary_transfer_under_months",
        12,
        date(2021, 9, 28),
        "Hướng dẫn 01-HD/TW (28/9/2021)",
        "dưới 1 năm",
    ),
    RuleValue(
        "temporary_transfer_under_months",
        12,
        date(2025, 6, 9),
        "Hướng dẫn 06-HD/TW (9/6/2025)",
        "dưới 1 năm",
    ),
    RuleValue(
        "temporary_transfer_study_max_months",
        24,
        date(2021, 9, 28),
        "Hướng dẫn 01-HD/TW (28/9/2021)",
        "đi học tập trung: đến 2 năm",
    ),
    RuleValue(
        "temporary_transfer_study_max_months",
        24,
        date(2025, 6, 9),
        "Hướng dẫn 06-HD/TW (9/6/2025)",
        "đi học tập trung: đến 2 năm",
    ),
    # Official transfer (DOMAIN.md §2.6): the member presents the letter to the receiving
    # organisation within 30 days of being introduced out; a delay must be explained.
    # Admission again (kết nạp lại) of a person who left, was struck off or expelled: at least
    # 36 months after leaving (60 after a minor criminal record is cleared) (DOMAIN.md §3.2).
    *_restated(
        "readmission_wait_months",
        36,
        "ít nhất 36 tháng kể từ khi ra khỏi Đảng (60 tháng sau khi được xóa án tích)",
    ),
    RuleValue(
        "transfer_present_days",
        30,
        date(2021, 9, 28),
        "Hướng dẫn 01-HD/TW (28/9/2021)",
        "nộp giấy giới thiệu trong 30 ngày",
    ),
    RuleValue(
        "transfer_present_days",
        30,
        date(2025, 6, 9),
        "Hướng dẫn 06-HD/TW (9/6/2025)",
        "nộp giấy giới thiệu trong 30 ngày",
    ),
    # The admission pipeline (DOMAIN.md §3.2, §3.3, §9). The statute (2011) sets the
    # introducers and the vote; the later documents restate them.
    RuleValue(
        "introducers_required",
        2,
        date(2011, 1, 19),
        "Điều lệ Đảng (2011), Điều 4",
        "hai đảng viên chính thức giới thiệu",
    ),
    *_restated("introducers_required", 2),
    RuleValue(
        "introducers_required_youth_union",
        1,
        date(2011, 1, 19),
        "Điều lệ Đảng (2011), Điều 4",
        "đoàn viên: nghị quyết giới thiệu của Đoàn và một đảng viên chính thức",
    ),
    *_restated("introducers_required_youth_union", 1),
    RuleValue(
        "introducer_months_together",
        12,
        date(2016, 7, 25),
        "Quy định 29-QĐ/TW (25/7/2016)",
        "cùng công tác, học tập (từ 2021: hoặc cư trú) ít nhất 12 tháng",
    ),
    *_restated("introducer_months_together", 12),
    # A share as (numerator, denominator): at least two thirds of the official members.
    RuleValue(
        "admission_vote_share",
        (2, 3),
        date(2011, 1, 19),
        "Điều lệ Đảng (2011), Điều 4",
        "ít nhất hai phần ba đảng viên chính thức tán thành",
    ),
    *_restated("admission_vote_share", (2, 3)),
    RuleValue(
        "recognition_vote_share",
        (2, 3),
        date(2011, 1, 19),
        "Điều lệ Đảng (2011), Điều 5",
        "ít nhất hai phần ba đảng viên chính thức tán thành",
    ),
    *_restated("recognition_vote_share", (2, 3)),
    # After this many votes without the majority the cell reports upward for a decision.
    *_restated("votes_before_referral", 3, "sau 3 lần biểu quyết không đủ 2/3: báo cáo cấp trên"),
    # Education: a lower-secondary diploma (the 2021 rule dropped "or equivalent"); for
    # ethnic-minority people in mountain, border, island and especially disadvantaged areas
    # the Secretariat's guidance allows primary education (DOMAIN.md §3.2).
    *_restated("admission_min_education", "lower_secondary", "tốt nghiệp trung học cơ sở"),
    *_restated(
        "admission_min_education_hard_area",
        "primary",
        "người dân tộc thiểu số ở miền núi, biên giới, hải đảo, vùng đặc biệt khó khăn",
    ),
    # The awareness-class certificate's validity: 5 years under HD 09-HD/BTCTW (2017); whether
    # HD 12-HD/BTCTW (2022) or HD 06-HD/TW (2025) changed it is not known (DOMAIN.md §3.3: a
    # documented default, replaced here when a later text is confirmed).
    RuleValue(
        "awareness_certificate_valid_years",
        5,
        date(2017, 6, 5),
        "Hướng dẫn 09-HD/BTCTW (5/6/2017)",
        "giá trị 5 năm (chưa xác minh văn bản sau)",
    ),
    # Cell meetings (DOMAIN.md §4). A resolution is valid when more than half of the official
    # members counted agree; the meeting's quorum is read the same way (§4.7).
    RuleValue(
        "meeting_quorum_share",
        (1, 2),
        date(2011, 1, 19),
        "Điều lệ Đảng (2011), nguyên tắc biểu quyết",
        "quá một nửa số đảng viên chính thức được triệu tập (trừ các trường hợp loại trừ)",
    ),
    # The 2018 quality test: attendance above 85 % with no unexcused absence, at least 90
    # minutes (§4.5); a thematic meeting at least once a quarter (§4.2).
    RuleValue(
        "meeting_quality_attendance_share",
        (85, 100),
        date(2018, 7, 6),
        "Hướng dẫn 12-HD/BTCTW (6/7/2018)",
        "trên 85 %, không có đảng viên vắng mặt không lý do",
    ),
    RuleValue(
        "meeting_min_minutes",
        90,
        date(2018, 7, 6),
        "Hướng dẫn 12-HD/BTCTW (6/7/2018)",
        "thời gian sinh hoạt ít nhất 90 phút",
    ),
    # The scoring sheet of a meeting: criteria with their points on a 100-point scale and the
    # lowest total of each level. DOMAIN.md §4.5: the five criteria are HD 12's; the points and
    # thresholds are set by each province and vary (uncertain): this is Dangvu's documented
    # default, replaced for a province by its own sheet (a value with scope = its code).
    RuleValue(
        "meeting_scoring_sheet",
        {
            "criteria": (
                ("attendance", "Tỷ lệ dự họp trên 85 %, không vắng không lý do", 20),
                ("preparation", "Chuẩn bị: nội dung, họp chi ủy trước, dự thảo nghị quyết", 20),
                ("conduct", "Tiến hành: đúng giờ, đủ nội dung, từ 90 phút, biên bản", 30),
                ("principles", "Giữ nguyên tắc tổ chức và sinh hoạt đảng", 10),
                ("implementation", "Nghị quyết kỳ trước được thực hiện có kết quả", 20),
            ),
            "levels": (("good", 85), ("fair", 70), ("average", 50), ("poor", 0)),
        },
        date(2018, 7, 6),
        "Hướng dẫn 12-HD/BTCTW (6/7/2018); thang điểm mặc định của Dangvu",
        "tiêu chí theo HD 12; điểm và ngưỡng do tỉnh quy định",
    ),
    # Training classes (DOMAIN.md §3.3 step 2, "Features" 6). The share of the sessions a
    # learner must attend to complete a class is set by each political centre's rules for
    # learners; no central text giving it was found [uncertain]: at least 80 % is Dangvu's
    # documented default, which a class may override with its own share (docs/decisions/0022).
    # "At least": a learner exactly at the share completes (training.services.class_complete).
    RuleValue(
        "training_min_attendance_share",
        (80, 100),
        date(2000, 1, 1),
        "Mặc định của Dangvu (chưa xác minh với văn bản của Trung ương)",
        "tham dự ít nhất 80 % số buổi học",
    ),
    RuleValue(
        "meeting_thematic_months",
        3,
        date(2018, 7, 6),
        "Hướng dẫn 12-HD/BTCTW (6/7/2018)",
        "sinh hoạt chuyên đề ít nhất mỗi quý một lần",
    ),
]


_index: dict = {"source": None, "by_key": {}}


def _by_key() -> dict[tuple[str, str], tuple[list[date], list[RuleValue]]]:
    """RULES grouped by (key, scope) and sorted by date, rebuilt whenever RULES is replaced."""
    if _index["source"] is not RULES:
        groups: dict[tuple[str, str], list[RuleValue]] = {}
        for r in sorted(RULES, key=lambda r: r.effective_from):
            groups.setdefault((r.key, r.scope), []).append(r)
        _index["by_key"] = {k: ([r.effective_from for r in v], v) for k, v in groups.items()}
        _index["source"] = RULES
    return _index["by_key"]


def rule(key: str, *, on: date, scope: str = "") -> RuleValue:
    """The rule value in force on a date (the latest one that took effect on or before it): the
    province's own (`scope`, its code) where it set one in force that day, else the country's."""
    index = _by_key()
    if scope and (key, scope) in index:
        dates, values = index[(key, scope)]
        i = bisect_right(dates, on)
        if i:
            return values[i - 1]
    found = index.get((key, ""))
    if found is None:
        raise UnknownRule(key)
    dates, values = found
    i = bisect_right(dates, on)
    if not i:
        raise RuleNotInForce(key, on, values[0])
    return values[i - 1]


def rule_value(key: str, *, on: date, scope: str = ""):
    return rule(key, on=on, scope=scope).value


def rule_value_or_none(key: str, *, on: date):
    """The value in force on a date, or None before the first document Dangvu records.
    (Without raising RuleNotInForce: a bulk load asks this for every member admitted before
    2021, and building the exception's message cost more than the look-up.)"""
    found = _by_key().get((key, ""))
    if found is None:
        raise UnknownRule(key)
    dates, values = found
    i = bisect_right(dates, on)
    return values[i - 1].value if i else None
