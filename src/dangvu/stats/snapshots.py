"""Member figures for reports as of a past date, and keeping the snapshots of large subtrees
right when a change reaches back before them.

A report as of day d for a large subtree = its snapshot on the last snapshot day s <= d of the
same month (stats.SubtreeSnapshot, figures packed by `pack`) + what the periods that began or
ended in (s, d] add or take away. A member write that changes a period or a counted attribute on or before a snapshot day
adjusts the snapshots of the subtrees that counted the member (snapshots_adjust), in the
writer's transaction, so the two sources never disagree.
"""

import heapq
import itertools
import json
import zlib
from bisect import bisect_left
from collections import Counter as Tally
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from operator import itemgetter

from django.db import connection
from django.db.models import Q, QuerySet

from dangvu.core.db import Prepared, as_date, fetch, ids_in, json_rows, raw_rows
from dangvu.members.choices import IN_PARTY
from dangvu.members.models import MemberPeriod
from dangvu.members.projections import Span
from dangvu.organisations.models import OrganisationVersion
from dangvu.organisations.tree import ancestor_paths
from dangvu.stats.bands import age_band_limits, age_band_of_month
from dangvu.stats.counted import (
    COUNTED_RECORD,
    COUNTED_STATE,
    DIMENSIONS,
    SPARSE,
    member_contribution,
    period_columns,
)
from dangvu.stats.models import SubtreeSnapshot

__all__ = [
    "ChangeStream",
    "add_row",
    "add_rows",
    "period_tallies_by_group",
    "period_tally",
    "period_tally_joint",
    "orgs_tally",
    "add_members",
    "changes_between",
    "snapshots_adjust",
    "snapshots_adjust_many",
    "banded",
    "covering",
    "pack",
    "unpack",
]


# The preset dictionary of the deflated figures: what a snapshot's JSON usually says, so that
# a commune's figures take about 210 bytes instead of 490 (zlib's zdict). NEVER CHANGE IT: the
# stored snapshots need it to be read (figures packed without it read the same). A better one
# would need a new format with a mark of its own.
_ZDICT = (
    b'{"academic_title":{"associate_professor":0,"professor":0},"admission_period":'
    b'{"1954_1975":0,"post_1975":0},"age_band":{"18-30":0,"31-35":0,"36-40":0,"41-45":0,'
    b'"46-50":0,"51-55":0,"56-60":0,"61+":0},"birth_months":{"sum":0},"education":'
    b'{"lower_secondary":0,"upper_secondary":0},"enterprise_owner":{"yes":0},"ethnicity":'
    b'{"01":0,"02":0,"03":0,"04":0,"05":0,"06":0,"07":0,"08":0,"09":0,"12":0,"16":0,"29":0},'
    b'"gender":{"F":0,"M":0},"grassroots":{"total":0},"grassroots_type":{"army":0,'
    b'"commune":0,"other_enterprise":0,"party_agency":0,"police":0,"public_service":0,'
    b'"state_agency":0,"state_enterprise":0,"ward":0},"married_foreigner":{"yes":0},'
    b'"members":{"total":0},"occupation":{"armed_forces":0,"enterprise":0,"farmer":0,'
    b'"other":0,"public_employee":0,"retired":0,"state_official":0},"org_kind":{"cell":0,'
    b'"commune":0,"direct":0,"grassroots_cell":0,"grassroots_committee":0,"province":0},'
    b'"professional":{"college":0,"doctor":0,"intermediate":0,"master":0,"none":0,'
    b'"university":0},"religion":{"00":0,"01":0,"02":0,"03":0},"retired_exempted":{"yes":0},'
    b'"status":{"official":0,"probationary":0},"theory":{"advanced":0,"elementary":0,'
    b'"intermediate":0,"none":0},"youth_union":{"yes":0}}'
)


def pack(tally) -> bytes:
    """A snapshot's figures as stored: {dim: {value: count}} of the non-zero counts, as compact
    JSON, deflated with a preset dictionary (about 60 counts in about 210 bytes instead of 60
    rows)."""
    nested: dict[str, dict[str, int]] = {}
    for (dim, value), n in sorted(tally.items()):
        if n:
            nested.setdefault(dim, {})[value] = n
    deflate = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, _ZDICT)
    return deflate.compress(json.dumps(nested, separators=(",", ":")).encode()) + deflate.flush()


def unpack(blob) -> Tally:
    """The figures `pack` stored (bytes, or the memoryview PostgreSQL gives)."""
    nested = json.loads(zlib.decompressobj(zdict=_ZDICT).decompress(bytes(blob)))
    return Tally({(dim, value): n for dim, values in nested.items() for value, n in values.items()})


def banded(tally, day: date) -> Tally:
    """The same figures with birth months summed into the age bands of `day` (what a snapshot
    stores: ~8 rows instead of ~900 for the nation), and into one sum for the average age."""
    bands = _bands_of_month(day.year, day.month)
    out: Tally = Tally()
    births, month_sum = False, 0
    for (dim, value), n in tally.items():
        if dim == "birth":
            known = bands.get(value) or _band_of(bands, value, day)
            out[("age_band", known[0])] += n
            births, month_sum = True, month_sum + n * known[1]
        else:
            out[(dim, value)] += n
    if births:
        # Their birth months summed (year × 12 + month), for the average age.
        out[("birth_months", "sum")] += month_sum
    return out


def _band_of(bands: dict, month: str, day: date) -> tuple[str, int]:
    """(age band on `day`, year × 12 + month) of a birth month "YYYY-MM", kept in `bands`."""
    known = bands[month] = (
        age_band_of_month(month, _limits_of_month(day.year, day.month)),
        int(month[:4]) * 12 + int(month[5:7]),
    )
    return known


@lru_cache(maxsize=1024)
def _limits_of_month(year: int, month: int) -> list[tuple[str, str]]:
    """age_band_limits of the days of one month (they move by month)."""
    return age_band_limits(date(year, month, 1))


@lru_cache(maxsize=1024)
def _bands_of_month(year: int, month: int) -> dict[str, tuple[str, int]]:
    """Birth month -> (age band, year × 12 + month), filled as asked, for the days of one
    month (the limits move by month): a national snapshot build bands ~900 birth months for
    each of 64 subtrees a day, 16 million lookups otherwise."""
    return {}


_COLUMNS = period_columns()
_GROUP = tuple(_COLUMNS)


def period_tally(periods: QuerySet[MemberPeriod], sign: int = 1) -> Tally:
    """sign × the counters of the members in `periods` (one row per period), grouped in the
    database: the same keys as stats.counted.member_contribution."""
    if connection.vendor == "postgresql":
        return _period_marginals(periods, sign)
    return period_tally_joint(periods, sign)


def period_tally_joint(periods: QuerySet[MemberPeriod], sign: int = 1) -> Tally:
    """period_tally on SQLite (no GROUPING SETS), and for a small subtree on either engine
    (fewer round trips than the grouping sets for a few hundred rows): the counted columns of
    every period, read as they come and counted column by column in chunks. Grouping by the
    columns in SQLite
    gave about one row per member anyway, after sorting them all: 166 ms against 98 ms for a
    province of 19,000 members (bench, 200,000 members)."""
    tally: Tally = Tally()
    rows = raw_rows(periods.filter(status__in=IN_PARTY).annotate(**_COLUMNS).values_list(*_GROUP))
    while chunk := list(itertools.islice(rows, 20_000)):
        add_members(tally, chunk, sign)
    return tally


_ORG_PERIODS = Prepared(
    lambda orgs, day: (
        MemberPeriod.objects.filter(
            covering(day), organisation_id__in=ids_in(orgs), status__in=IN_PARTY
        )
        .annotate(**_COLUMNS)
        .values_list(*_GROUP)
    ),
    (-7_777_777,),
    date(1111, 11, 11),
)


def orgs_tally(org_ids: list[int], day: date) -> Tally:
    """period_tally of the periods on `day` of the listed organisations (a cell, or a small
    subtree's cells), read through the (organisation, date) index with SQL compiled once (for
    a cell the ORM's compiling took longer than the query); banded."""
    tally: Tally = Tally()
    add_members(tally, _ORG_PERIODS.rows(org_ids, day), 1, banded_on=day)
    return tally


def _period_marginals(periods: QuerySet[MemberPeriod], sign: int) -> Tally:
    """PostgreSQL: period_tally from one pass that counts each dimension on its own (GROUPING
    SETS): about 1,200 rows for the nation instead of one per distinct combination of the
    eleven dimensions (millions: two minutes of a national snapshot build went to them)."""
    return _marginals(periods, None, sign).get(None, Tally())


def period_tallies_by_group(periods: QuerySet[MemberPeriod], groups: dict[int, int]) -> dict:
    """PostgreSQL: {group: period_tally of the periods in the group's cells}, `groups` mapping
    each cell (organisation id) to one group, in one pass over the periods. For the first
    counts of a national snapshot build: 64 subtrees counted one by one read the nation's
    members about 2.5 times (nested subtrees), 110 s at 5.6M members."""
    return _marginals(periods, groups, 1)


def _marginals(periods: QuerySet[MemberPeriod], groups: dict[int, int] | None, sign: int):
    inner = (
        periods.filter(status__in=IN_PARTY)
        .annotate(**_COLUMNS)
        .order_by()
        .values_list("organisation_id", *_GROUP)
    )
    sql, params = inner.query.sql_with_params()
    columns = [f"c{i}" for i in range(len(_GROUP))]
    names = ", ".join(columns)
    if groups is None:
        group, join, extra = "NULL::bigint", "", []
    else:
        group = "g.grp"
        join = f"JOIN ({json_rows('bigint', 'bigint')}) AS g (cell, grp) ON g.cell = t.cell "
        extra = [json.dumps(list(groups.items()))]
    sets = ", ".join(f"(grp, {c})" for c in columns)
    full = (1 << len(_GROUP)) - 1
    tallies: dict = {}
    for grp, mask, *values, n in fetch(
        f"SELECT grp, GROUPING({names}), {names}, COUNT(*) FROM "
        f"(SELECT {group} AS grp, t.* FROM ({sql}) AS t (cell, {names}) {join}) AS u "
        f"GROUP BY GROUPING SETS ({sets})",
        [*params, *extra],
    ):
        tally = tallies.setdefault(grp, Tally())
        # GROUPING() has a 0 bit for the grouped column, the first column's bit highest.
        i = len(_GROUP) - (full ^ mask).bit_length()
        value, n = values[i], n * sign
        if i == 0:
            tally[("members", "total")] += n
        if DIMENSIONS[i] == "exempted":
            if value:
                tally[("exempted", "1")] += n
        elif DIMENSIONS[i] in SPARSE and not value:
            continue
        else:
            tally[(DIMENSIONS[i], value)] += n
    return tallies


class ChangeStream:
    """The in-party periods that began or ended after `start`, read once in date order, taken
    window by window with `until`. For a national snapshot build on PostgreSQL: one pass
    (a hash join) instead of two indexed queries per snapshot day, which looked up every
    changed member's row one by one (about 22 µs a row, 140 ms a day at 5.6M members)."""

    def __init__(self, start: date):
        def rows(date_field: str, sign: int):
            periods = _counted(
                MemberPeriod.objects.filter(**{f"{date_field}__gt": start}).order_by(date_field),
                date_field,
            )
            return ((row[0], sign, row) for row in raw_rows(periods))

        self._rows = heapq.merge(rows("valid_from", 1), rows("valid_to", -1), key=itemgetter(0))
        self._next = next(self._rows, None)

    def until(self, day: date) -> list[tuple[int, int, tuple]]:
        """(cell, +1 began / -1 ended, counted row for `add_row`) of the periods that began or
        ended after the last call (or `start`) and on or before `day`."""
        out = []
        while self._next is not None and self._next[0] <= day:
            _day, sign, (_d, cell, *row) = self._next
            out.append((cell, sign, (*row, 1)))
            self._next = next(self._rows, None)
        return out

    def close(self) -> None:
        self._rows.close()


def changes_between(start: date, end: date) -> list[tuple[int, int, tuple]]:
    """ChangeStream.until's rows for one window (start, end]: two indexed queries (SQLite,
    which reads one window a day)."""
    out = []
    for date_field, sign in (("valid_from", 1), ("valid_to", -1)):
        window = {f"{date_field}__gt": start, f"{date_field}__lte": end}
        periods = _counted(MemberPeriod.objects.filter(**window).order_by())
        out.extend((cell, sign, (*row, 1)) for cell, *row in raw_rows(periods))
    return out


def _counted(periods: QuerySet[MemberPeriod], *first: str):
    """(*first, cell, the counted columns) of each in-party period."""
    return (
        periods.filter(status__in=IN_PARTY)
        .annotate(**_COLUMNS)
        .values_list(*first, "organisation_id", *_GROUP)
    )


def add_rows(tally: Tally, rows: Iterable[tuple], sign: int) -> None:
    """add_row for many rows: those counting one member are counted column by column (Counter
    counts an iterable in C) instead of with twelve dictionary updates each in Python."""
    ones = []
    for row in rows:
        if row[-1] == 1:
            ones.append(row)
        else:
            add_row(tally, row, sign)
    add_members(tally, ones, sign)


def add_members(tally: Tally, rows: list[tuple], sign: int, banded_on: date | None = None) -> None:
    """sign × the counters of the members whose counted columns are `rows` (one row a member;
    a count column after them is ignored), column by column. With `banded_on`, birth months
    are counted into that day's age bands and their sum, as `banded` would."""
    if not rows:
        return
    # tally.get and a plain store: a Counter's += calls its __missing__ (Python) for each new
    # key, most of the keys of a fresh tally.
    get = tally.get
    key = ("members", "total")
    tally[key] = get(key, 0) + sign * len(rows)
    # zip stops at the last dimension: a count column is left out.
    for dim, column in zip(DIMENSIONS, zip(*rows, strict=True), strict=False):
        if dim == "birth" and banded_on is not None:
            bands = _bands_of_month(banded_on.year, banded_on.month)
            by_band: dict[str, int] = {}
            month_sum = 0
            for month, n in Tally(column).items():
                band, number = bands.get(month) or _band_of(bands, month, banded_on)
                by_band[band] = by_band.get(band, 0) + n
                month_sum += n * number
            for band, n in by_band.items():
                key = ("age_band", band)
                tally[key] = get(key, 0) + sign * n
            key = ("birth_months", "sum")
            tally[key] = get(key, 0) + sign * month_sum
            continue
        if dim == "exempted":
            exempted = len(list(filter(None, column)))
            if exempted:
                key = ("exempted", "1")
                tally[key] = get(key, 0) + sign * exempted
            continue
        # A Counter per column (C, the values' hashes cached) and a few keys per dimension:
        # three times faster than counting (dimension, value) pairs.
        for value, n in Tally(filter(None, column) if dim in SPARSE else column).items():
            key = (dim, value)
            tally[key] = get(key, 0) + sign * n


def add_row(tally: Tally, row, sign: int) -> None:
    """Add sign × a counted row (the columns of DIMENSIONS and a count) to `tally`."""
    n = row[-1] * sign
    tally[("members", "total")] += n
    for dim, value in zip(DIMENSIONS, row, strict=False):
        if dim == "exempted":
            if value:
                tally[("exempted", "1")] += n
        elif value or dim not in SPARSE:
            tally[(dim, value)] += n


class _As:
    """A member's counted fields with one period's state and dated attributes (for
    member_contribution)."""

    def __init__(self, member, span: Span):
        self.__dict__.update({name: getattr(member, name) for name in COUNTED_RECORD})
        self.__dict__.update({name: getattr(span, name) for name in COUNTED_STATE})


def _paths_on(org_ids, days) -> dict[tuple[int, date], str]:
    """(organisation, day) -> its path that day, for the given days."""
    out = {}
    versions = OrganisationVersion.objects.filter(organisation_id__in=set(org_ids)).values_list(
        "organisation_id", "path", "valid_from", "valid_to"
    )
    for org_id, path, start, end in versions:
        for day in days:
            if start <= day and (end is None or day < end):
                out[(org_id, day)] = path
    return out


def _at(spans: list[Span], day: date) -> tuple | None:
    span = next((s for s in spans if s.covers(day)), None)
    if span is None or span.status not in IN_PARTY:
        return None
    return (span.org_id, *(getattr(span, name) for name in COUNTED_STATE))


def _first_difference(before_spans: list[Span], after_spans: list[Span]) -> date | None:
    """The first day on which the member is counted differently (coverage is constant between
    period boundaries, so only boundaries need looking at)."""
    bounds = sorted(
        {d for s in before_spans + after_spans for d in (s.valid_from, s.valid_to) if d}
    )
    return next((d for d in bounds if _at(before_spans, d) != _at(after_spans, d)), None)


def snapshots_adjust(*, before, before_spans: list[Span], after, after_spans: list[Span]) -> None:
    """Move the snapshots of every subtree that counted the member on a snapshot day from what
    `before` (record + spans) contributed to what `after` contributes. Only snapshot days on or
    after the first difference are read: an event dated today touches nothing."""
    snapshots_adjust_many([(before, before_spans, after, after_spans)])


def snapshots_adjust_many(changes: list[tuple]) -> None:
    """snapshots_adjust for many members at once, [(before, before_spans, after, after_spans)]:
    the snapshots they reach are read once and written once (a bulk load or an import of
    100,000 members with their past would otherwise read and rewrite them per member)."""
    prepared = []
    for before, before_spans, after, after_spans in changes:
        dims_changed = before is not None and after is not None and _dims(before) != _dims(after)
        if dims_changed:
            since = min((s.valid_from for s in before_spans + after_spans), default=None)
        else:
            since = _first_difference(before_spans, after_spans)
        if since is not None:
            prepared.append((before, before_spans, after, after_spans, dims_changed, since))
    if not prepared:
        return
    cells = {s.org_id for p in prepared for s in p[1] + p[3]}
    marks = [
        (org_id, as_date(day))
        for org_id, day in _snapshots_holding(cells, min(p[5] for p in prepared))
    ]
    if not marks:
        return
    days = sorted({d for _o, d in marks})
    marked: dict[date, list[int]] = {}
    for org_id, day in marks:
        marked.setdefault(day, []).append(org_id)
    paths = _paths_on(cells | {o for o, _d in marks}, days)
    # What each cell adds on each snapshot day, as a sweep over the days: every counted span
    # adds its contribution from its first snapshot day and takes it back after its last
    # (a before state with the sign -, the after state with +; where the two agree they
    # cancel). Then each cell's running figures, banded by the day's age limits, go to the
    # subtrees that held the cell that day. members × spans + cells × days, not members × days.
    steps: dict[int, dict[int, Tally]] = {}
    for before, before_spans, after, after_spans, _dims_changed, since in prepared:
        first = bisect_left(days, since)
        for member, spans, sign in ((before, before_spans, -1), (after, after_spans, +1)):
            if member is None:
                continue
            for span in spans:
                if span.status not in IN_PARTY:
                    continue
                lo = max(bisect_left(days, span.valid_from), first)
                hi = len(days) if span.valid_to is None else bisect_left(days, span.valid_to)
                if lo >= hi:
                    continue
                contribution = member_contribution(_As(member, span))
                cell = steps.setdefault(span.org_id, {})
                for i, factor in ((lo, sign), (hi, -sign)):
                    if i < len(days):
                        tally = cell.setdefault(i, Tally())
                        for key, n in contribution.items():
                            tally[key] += factor * n
    deltas: Tally = Tally()
    for cell_id, changes_at in steps.items():
        running: Tally = Tally()
        shown, shown_month = None, None
        for i, day in enumerate(days):
            step = changes_at.get(i)
            if step:
                for key, n in step.items():
                    running[key] += n
                shown = None
            if not any(running.values()):
                continue
            cell_path = paths.get((cell_id, day))
            if cell_path is None:
                continue
            if shown is None or shown_month != (day.year, day.month):
                # banded() is a sum: negative figures (a member moved out) band as well.
                shown = banded(Tally({k: n for k, n in running.items() if n}), day)
                shown_month = (day.year, day.month)
            for org_id in marked[day]:
                org_path = paths.get((org_id, day))
                if org_path is not None and cell_path.startswith(org_path):
                    for (dim, value), n in shown.items():
                        deltas[(org_id, day, dim, value)] += n
    _apply(deltas)


def _dims(member) -> tuple:
    return tuple(getattr(member, name) for name in COUNTED_RECORD)


def _snapshots_holding(cells: set[int], since: date) -> list[tuple]:
    """(organisation, day) of the snapshots on or after `since` of the subtrees that ever held
    one of `cells`: a change reaching back to 2021 reads a few hundred of them, not every
    snapshot of the country since."""
    paths = OrganisationVersion.objects.filter(organisation_id__in=cells).values_list(
        "path", flat=True
    )
    above = {p for path in paths for p in ancestor_paths(path)}
    holders = OrganisationVersion.objects.filter(path__in=above).values("organisation_id")
    return list(
        SubtreeSnapshot.objects.filter(day__gte=since, organisation_id__in=holders).values_list(
            "organisation_id", "day"
        )
    )


def _apply(deltas: Tally) -> None:
    """Add {(organisation, day, dim, value): n} to the stored snapshots: each one touched read,
    changed and written back whole (on PostgreSQL under a row lock, so two writers reaching
    back into the same snapshot both count). A snapshot dropped meanwhile stays dropped."""
    by_snapshot: dict[tuple[int, date], Tally] = {}
    for (org_id, day, dim, value), n in deltas.items():
        if n:
            by_snapshot.setdefault((org_id, day), Tally())[(dim, value)] += n
    if not by_snapshot:
        return
    table = SubtreeSnapshot._meta.db_table
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    orgs = sorted({o for o, _d in by_snapshot})
    first = min(d for _o, d in by_snapshot)
    adapt = connection.ops.adapt_datefield_value
    rows = fetch(
        f"SELECT organisation_id, day, figures FROM {table} WHERE day >= %s "
        f"AND organisation_id IN ({', '.join(['%s'] * len(orgs))}) "
        f"ORDER BY organisation_id, day{lock}",
        [adapt(first), *orgs],
    )
    updates = []
    for org_id, day, blob in rows:
        delta = by_snapshot.get((org_id, as_date(day)))
        if delta is not None:
            figures = unpack(blob)
            figures.update(delta)  # update, not +: keeps a count that went to zero out
            updates.append((pack(figures), org_id, day))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET figures = %s WHERE organisation_id = %s AND day = %s", updates
        )


def covering(day: date) -> Q:
    """Periods in force on `day`."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
