"""What the statistics count, declared once: the dimensions of a member's contribution to the
rollup counters and the fields each reads, and an organisation's own contribution.

Everything that counts members reads this declaration: the writers' counter deltas
(member_contribution), the period queries of past-date reports and snapshots (the SQL columns
of `period_columns`), the tallies built from them (stats.snapshots.add_rows), `dangvu check`
and the bench.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, F, Func, Value, When

from dangvu.members.choices import IN_PARTY
from dangvu.organisations.choices import GRASSROOTS_KINDS, GrassrootsType, OrgKind
from dangvu.stats.bands import ADMISSION_PERIOD_STARTS, admission_period

__all__ = [
    "Dim",
    "MEMBER_DIMS",
    "DIMENSIONS",
    "SPARSE",
    "COUNTED_STATE",
    "COUNTED_RECORD",
    "COUNTED_FIELDS",
    "birth_month",
    "member_contribution",
    "org_contribution",
    "grassroots_type_of",
    "period_columns",
    "BirthMonth",
]


def birth_month(born: date) -> str:
    """The counter value of a birth date: "YYYY-MM" (age bands move with the calendar, so
    counters keep months and reports band them: PERFORMANCE.md trap 8)."""
    return f"{born.year:04d}-{born.month:02d}"


class BirthMonth(Func):
    """ "YYYY-MM" of a date, in SQL. Django's TruncMonth is a Python function on SQLite, called
    once per row (tens of microseconds each: seconds for a province)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="SUBSTR(%(expressions)s, 1, 7)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="TO_CHAR(%(expressions)s, 'YYYY-MM')")


def _admission_period_sql(column: str):
    return Case(
        *(
            When(**{f"{column}__gte": start}, then=Value(code))
            for code, start in ADMISSION_PERIOD_STARTS
        ),
        default=Value(admission_period(date.min)),
        output_field=CharField(),
    )


RETIRED = "retired"  # the occupation code (core.refdata.OCCUPATIONS)


@dataclass(frozen=True)
class Dim:
    """A counter dimension: `name` (SubtreeCounter.dim), the member `field` it reads, whether
    that field is on the period row (the membership state and the dated attributes: what held
    during the period) or only on the record, and how
    the field's value becomes the counter's (None: as it is)."""

    name: str
    field: str
    state: bool = False
    key: object = None  # callable value -> counter value
    sql: object = None  # callable column -> SQL expression of the counter value
    # An empty value (none, no: nearly every member) is not counted: no counter row, no
    # snapshot entry; the form counts the others.
    sparse: bool = False
    # A value computed from the whole member (several fields), for member_contribution; the
    # SQL of `sql` computes the same from the period row's columns.
    of: object = None  # callable member -> counter value


MEMBER_DIMS = (
    Dim("status", "status", state=True),
    Dim("exempted", "exempted", state=True),  # counted as ("exempted", "1") when true
    Dim("gender", "gender"),
    Dim("ethnicity", "ethnicity"),
    Dim("religion", "religion"),
    Dim("birth", "birth_date", key=birth_month, sql=BirthMonth),
    Dim("admission_period", "admission_date", key=admission_period, sql=_admission_period_sql),
    # The dated attributes (members.dated): the values in force on the period row.
    Dim("education", "education", state=True),
    Dim("professional", "professional_level", state=True),
    Dim("theory", "theory_level", state=True),
    Dim("occupation", "occupation", state=True),
    # The particulars of forms 2 and 3 (dated too): empty for none / no.
    Dim("academic_title", "academic_title", state=True, sparse=True),
    Dim("youth_union", "youth_union", state=True, sparse=True),
    Dim("enterprise_owner", "enterprise_owner", state=True, sparse=True),
    Dim("married_foreigner", "married_foreigner", state=True, sparse=True),
    # 3-BTCTW: retired or no longer working, "of which exempted from work and activities".
    Dim(
        "retired_exempted",
        "occupation",
        state=True,
        sparse=True,
        of=lambda m: "yes" if m.occupation == RETIRED and m.exempted else "",
        sql=lambda column: Case(
            When(**{column: RETIRED, "exempted": True}, then=Value("yes")),
            default=Value(""),
            output_field=CharField(),
        ),
    ),
)
DIMENSIONS = tuple(d.name for d in MEMBER_DIMS)
# The member fields member_contribution reads: the state and fields of the record.
COUNTED_STATE = tuple(dict.fromkeys(d.field for d in MEMBER_DIMS if d.state))
COUNTED_RECORD = tuple(d.field for d in MEMBER_DIMS if not d.state)
COUNTED_FIELDS = COUNTED_STATE + COUNTED_RECORD
_PLAIN = tuple(
    (d.name, d.field)
    for d in MEMBER_DIMS
    if d.key is None and d.name != "exempted" and not d.sparse
)
SPARSE = frozenset(d.name for d in MEMBER_DIMS if d.sparse)
_SPARSE = tuple(
    (d.name, d.of or (lambda m, field=d.field: getattr(m, field))) for d in MEMBER_DIMS if d.sparse
)
_KEYED = tuple((d.name, d.field, d.key) for d in MEMBER_DIMS if d.key is not None)


def member_contribution(m) -> dict[tuple[str, str], int]:
    """What a member adds to the counters of every organisation above their cell: `m` is a
    Member or anything with the COUNTED_FIELDS. Empty when not in the party."""
    if m.status not in IN_PARTY:
        return {}
    c = {("members", "total"): 1}
    for name, field in _PLAIN:
        c[(name, getattr(m, field))] = 1
    for name, field, key in _KEYED:
        c[(name, key(getattr(m, field)))] = 1
    for name, value_of in _SPARSE:
        value = value_of(m)
        if value:
            c[(name, value)] = 1
    if m.exempted:
        c[("exempted", "1")] = 1
    return c


def grassroots_type_of(kind: str, grassroots_type: str) -> str | None:
    """The grassroots type an organisation is counted under in the forms (5-BTCTW), "" when a
    grassroots organisation has none recorded, None when it is not a grassroots organisation.

    A grassroots party committee or cell is one; so, since 1/7/2025, is a commune-level party
    committee (đảng bộ xã, phường, đặc khu: the grassroots party organisation of its commune,
    given the powers of the level above the grassroots organisations in it; its village cells
    are cells under it, not grassroots organisations): docs/domain/grassroots-after-2025.md."""
    if kind in GRASSROOTS_KINDS:
        return grassroots_type or ""
    if kind == OrgKind.COMMUNE:
        # A ward's committee records its type; without one, a commune's.
        return grassroots_type or GrassrootsType.COMMUNE.value
    return None


def org_contribution(org) -> dict[tuple[str, str], int]:
    """What one active organisation adds to its own and its ancestors' counters (`org` has
    `kind` and `grassroots_type`)."""
    contribution = {("org_kind", org.kind): 1}
    gtype = grassroots_type_of(org.kind, org.grassroots_type)
    if gtype is not None:
        contribution[("grassroots", "total")] = 1
        if gtype:
            contribution[("grassroots_type", gtype)] = 1
    return contribution


def period_columns(record_prefix: str = "member__") -> dict[str, object]:
    """{alias: expression} of the counted columns of an in-party period row, in DIMENSIONS
    order: the state from the period itself, the record through `record_prefix`. For
    `queryset.annotate(**cols).values_list(*cols)`."""
    columns = {}
    for d in MEMBER_DIMS:
        column = d.field if d.state else record_prefix + d.field
        columns[f"c_{d.name}"] = d.sql(column) if d.sql else F(column)
    return columns
