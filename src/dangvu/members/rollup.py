"""What a member adds to the rollup counters of their cell and every ancestor."""

from dangvu.core.refdata import admission_period
from dangvu.members.choices import IN_PARTY

__all__ = ["member_contribution", "MEMBER_DIMS", "COUNTED_RECORD", "COUNTED_STATE"]

MEMBER_DIMS = (
    "members",
    "status",
    "gender",
    "ethnicity",
    "religion",
    "birth",
    "admission_period",
    "education",
    "professional",
    "theory",
    "occupation",
    "exempted",
)

# What member_contribution reads: the member's state and fields of their record.
COUNTED_STATE = ("status", "exempted")
COUNTED_RECORD = (
    "gender",
    "ethnicity",
    "religion",
    "birth_date",
    "admission_date",
    "education",
    "professional_level",
    "theory_level",
    "occupation",
)


def member_contribution(m) -> dict[tuple[str, str], int]:
    """`m` is a Member (or anything with the same fields). Empty when not in the party."""
    if m.status not in IN_PARTY:
        return {}
    c = {
        ("members", "total"): 1,
        ("status", m.status): 1,
        ("gender", m.gender): 1,
        ("ethnicity", m.ethnicity): 1,
        ("religion", m.religion): 1,
        ("birth", f"{m.birth_date.year:04d}-{m.birth_date.month:02d}"): 1,
        ("admission_period", admission_period(m.admission_date)): 1,
        ("education", m.education): 1,
        ("professional", m.professional_level): 1,
        ("theory", m.theory_level): 1,
        ("occupation", m.occupation): 1,
    }
    if m.exempted:
        c[("exempted", "1")] = 1
    return c
