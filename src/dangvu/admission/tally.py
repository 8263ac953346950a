"""The admissions of each month under the organisations of the top three levels
(AdmissionMonth): kept by every write of an admission, read by term targets.

A province's target counts the admissions of five years in its subtree: read from the events,
some fifteen thousand at a million members, each placed in the tree of its day, it took 0.6 s on
SQLite and 0.7 s on PostgreSQL (the nation's 2.6 and 4.1 s). Read from here it is a few hundred
rows (docs/decisions/0019). Only the top three levels keep rows: below them a subtree is small
enough for its events, and a row per month of every grassroots organisation and cell would be
one row per admission (a quarter of a million since 2015 at a million members).

What changes the rows, in the writer's transaction:
- an admission written, or undone by a correction (the member projection: members.projections
  hands over the events a write appended or undid);
- a member's gender, ethnicity or date of birth corrected (the flags of their admissions);
- a subtree moved with a date in the past (the tree observer: its admissions since that day
  now count under the new parents).
`dangvu check` recomputes every row from the events (tally_check); `tally_rebuild` writes them
all again (a migration, a restore).
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.db import connection
from django.db.models import Max

from dangvu.admission.models import AdmissionMonth
from dangvu.core.db import json_rows
from dangvu.core.refdata import KINH
from dangvu.members.choices import EventType
from dangvu.members.models import Member, MembershipEvent
from dangvu.organisations.models import Organisation, OrganisationVersion
from dangvu.organisations.selectors import versions_where
from dangvu.stats.bands import age_on
from dangvu.stats.selectors import admission_events

__all__ = [
    "TALLY_DEPTH",
    "YOUTH_AGE",
    "month_of",
    "Ancestry",
    "tally_deferred",
    "AdmissionTally",
    "AdmissionTallyTree",
    "tally_expected",
    "tally_rebuild",
    "tally_check",
]

TALLY_DEPTH = 3  # the nation, the provinces and the organisations directly under them
YOUTH_AGE = 30  # "aged 30 or under": a target's youth share
STEP = Organisation.steplen
PARTICULARS = ("gender", "ethnicity", "birth_date")

Deltas = dict  # (organisation id, month) -> [admitted, women, minority, youth]


def month_of(day: date) -> date:
    return day.replace(day=1)


def flags(gender: str, ethnicity: str, born: date | None, day: date) -> tuple[int, int, int, int]:
    """What one admission adds: itself, and whether a woman, of an ethnic minority, aged 30 or
    under on its day (age counted by month: stats.bands.age_on)."""
    return (
        1,
        int(gender == "F"),
        int(ethnicity != KINH),
        int(born is not None and age_on(born, day) <= YOUTH_AGE),
    )


def _covers(start: date, end: date | None, day: date) -> bool:
    return start <= day and (end is None or day < end)


class Ancestry:
    """The organisations of the top three levels above a cell on a day, in the tree of that day
    (organisation versions, loaded for many cells at once)."""

    def __init__(self):
        self.cells: dict[int, list[tuple[str, date, date | None]]] = {}
        self.upper: dict[str, list[tuple[int, date, date | None]]] = {}

    def load_all(self) -> "Ancestry":
        """Every version (a rebuild or a check reads every admission)."""
        for org_id, path, start, end in OrganisationVersion.objects.values_list(
            "organisation_id", "path", "valid_from", "valid_to"
        ).iterator(chunk_size=10_000):
            self.cells.setdefault(org_id, []).append((path, start, end))
            if len(path) <= STEP * TALLY_DEPTH:
                self.upper.setdefault(path, []).append((org_id, start, end))
        return self

    def preload(self, cell_ids: Iterable[int | None]) -> None:
        wanted = {i for i in cell_ids if i is not None} - self.cells.keys()
        for org_id in wanted:
            self.cells[org_id] = []
        paths = set()
        for org_id, path, begin, end in versions_where("organisation_id", wanted):
            self.cells[org_id].append((path, begin, end))
            paths.add(path)
        prefixes = {
            path[: STEP * d] for path in paths for d in range(1, TALLY_DEPTH + 1)
        } - self.upper.keys()
        for path in prefixes:
            self.upper[path] = []
        for org_id, path, begin, end in versions_where("path", prefixes):
            self.upper[path].append((org_id, begin, end))

    def orgs(self, cell_id: int | None, day: date) -> list[int]:
        """The organisations of depth ≤ TALLY_DEPTH on the cell's path on `day`, root first
        (none when the cell did not exist that day)."""
        path = next((p for p, s, e in self.cells.get(cell_id, ()) if _covers(s, e, day)), None)
        if path is None:
            return []
        out = []
        for depth in range(1, min(len(path) // STEP, TALLY_DEPTH) + 1):
            found = next(
                (o for o, s, e in self.upper.get(path[: STEP * depth], ()) if _covers(s, e, day)),
                None,
            )
            if found is not None:
                out.append(found)
        return out


def _add(deltas: Deltas, org_ids: Iterable[int], day: date, values, sign: int) -> None:
    month = month_of(day)
    for org_id in org_ids:
        row = deltas.setdefault((org_id, month), [0, 0, 0, 0])
        for i, v in enumerate(values):
            row[i] += sign * v


_deferred: ContextVar[Deltas | None] = ContextVar("tally_deferred", default=None)


@contextmanager
def tally_deferred() -> Iterator[None]:
    """Sum the deltas of many writes and apply them once when the block ends without an error
    (a bulk load: the nation's and the province's rows written once per block, as the rollup
    counters are: stats.counters.counters_deferred)."""
    pending: Deltas = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    _apply(pending)


def _apply(deltas: Deltas) -> None:
    pending = _deferred.get()
    if pending is not None:
        for key, values in deltas.items():
            row = pending.setdefault(key, [0, 0, 0, 0])
            for i, v in enumerate(values):
                row[i] += v
        return
    rows = sorted((k, v) for k, v in deltas.items() if any(v))
    if not rows:
        return
    table = AdmissionMonth._meta.db_table
    # One statement, the rows as one JSON parameter, keys in order (concurrent writers lock
    # rows in the same order).
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, month, admitted, women, minority, youth) "
            f"{json_rows('bigint', 'date', 'bigint', 'bigint', 'bigint', 'bigint')} "
            "ON CONFLICT (organisation_id, month) DO UPDATE SET "
            f"admitted = {table}.admitted + excluded.admitted, "
            f"women = {table}.women + excluded.women, "
            f"minority = {table}.minority + excluded.minority, "
            f"youth = {table}.youth + excluded.youth",
            [json.dumps([(org, month.isoformat(), *v) for (org, month), v in rows])],
        )


def _particulars(row) -> tuple:
    return tuple(getattr(row, name) for name in PARTICULARS)


class AdmissionTally:
    """The member projection (members.projections) that keeps AdmissionMonth."""

    def members_changed(self, changes, paths) -> None:
        items = []  # (particulars, cell, day, sign)
        for change in changes:
            for fact in change.events:
                if fact.type == EventType.ADMITTED:
                    row = change.after if fact.sign > 0 else (change.before or change.after)
                    items.append((_particulars(row), fact.org_id, fact.date, fact.sign))
            if (
                not change.events
                and change.before is not None
                and change.after is not None
                and _particulars(change.before) != _particulars(change.after)
            ):
                # Corrected particulars: the member's admissions count again with them.
                for cell, day in MembershipEvent.objects.filter(
                    member_id=change.after.pk, type=EventType.ADMITTED, corrected_by__isnull=True
                ).values_list("organisation_id", "date"):
                    items.append((_particulars(change.before), cell, day, -1))
                    items.append((_particulars(change.after), cell, day, +1))
        if not items:
            return
        ancestry = Ancestry()
        ancestry.preload(cell for _p, cell, _d, _s in items)
        deltas: Deltas = {}
        for (gender, ethnicity, born), cell, day, sign in items:
            _add(deltas, ancestry.orgs(cell, day), day, flags(gender, ethnicity, born, day), sign)
        _apply(deltas)


class AdmissionTallyTree:
    """The tree observer (core.registry.TreeObserver): a subtree moved on a day in the past
    takes the admissions recorded since that day to its new parents. New, ended and renamed
    organisations change no admission's place."""

    def organisations_added(self, orgs, chains) -> None:
        pass

    def organisation_ended(self, org, chain) -> None:
        pass

    def tree_changed(self, since) -> None:
        pass

    def subtree_moved(self, org, old_chain, new_chain) -> None:
        if len(old_chain) >= TALLY_DEPTH and old_chain[:TALLY_DEPTH] == new_chain[:TALLY_DEPTH]:
            return  # below the top levels before and after: no row moves
        on = OrganisationVersion.objects.filter(organisation=org).aggregate(d=Max("valid_from"))[
            "d"
        ]
        nodes = dict(Organisation.objects.get_tree(org).values_list("path", "pk"))
        ids = set(nodes.values())
        events = [
            (cell, day, member)
            for _t, day, cell, member in admission_events(sorted(ids), on)
            if cell in ids
        ]
        if not events:
            return
        people = dict(
            (pk, rest)
            for pk, *rest in Member.objects.filter(
                pk__in=sorted({m for _c, _d, m in events})
            ).values_list("pk", *PARTICULARS)
        )
        path_of = {pk: path for path, pk in nodes.items()}
        deltas: Deltas = {}
        for cell, day, member_id in events:
            path = path_of[cell]
            below = [nodes[path[:length]] for length in range(len(org.path), len(path) + 1, STEP)]
            values = flags(*people[member_id], day)
            _add(deltas, (list(old_chain) + below)[:TALLY_DEPTH], day, values, -1)
            _add(deltas, (list(new_chain) + below)[:TALLY_DEPTH], day, values, +1)
        _apply(deltas)


# --- from the events: the check and the rebuild -----------------------------------------------


def tally_expected() -> Deltas:
    """Every row recomputed from the effective admission events, streaming."""
    ancestry = Ancestry().load_all()
    deltas: Deltas = {}
    rows = (
        MembershipEvent.objects.filter(type=EventType.ADMITTED, corrected_by__isnull=True)
        .values_list("organisation_id", "date", *(f"member__{name}" for name in PARTICULARS))
        .iterator(chunk_size=10_000)
    )
    for cell, day, gender, ethnicity, born in rows:
        _add(deltas, ancestry.orgs(cell, day), day, flags(gender, ethnicity, born, day), +1)
    return {k: v for k, v in deltas.items() if any(v)}


def tally_rebuild() -> int:
    """Write every row again from the events (returns how many)."""
    AdmissionMonth.objects.all().delete()
    expected = tally_expected()
    rows = [
        AdmissionMonth(organisation_id=org, month=month, **dict(zip(_COLUMNS, v, strict=True)))
        for (org, month), v in sorted(expected.items())
    ]
    AdmissionMonth.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


_COLUMNS = ("admitted", "women", "minority", "youth")


def tally_check(report) -> None:
    """Part of `dangvu check`: every row equals its recount from the events."""
    expected = tally_expected()
    stored = {
        (org, month): list(values)
        for org, month, *values in AdmissionMonth.objects.values_list(
            "organisation_id", "month", *_COLUMNS
        ).iterator(chunk_size=10_000)
    }
    for key in sorted(expected.keys() | stored.keys()):
        want = expected.get(key, [0, 0, 0, 0])
        have = stored.get(key, [0, 0, 0, 0])
        if want != have:
            org, month = key
            report(
                "admission tally",
                f"organisation {org}, {month:%m/%Y}: stored {have}, counted from the events {want}",
            )


def tally_months(org_ids: Iterable[int], first: date, last: date) -> dict:
    """The stored rows of some organisations over the months [first, last]:
    {(organisation id, month): (admitted, women, minority, youth)}."""
    return {
        (org, month): tuple(values)
        for org, month, *values in AdmissionMonth.objects.filter(
            organisation_id__in=sorted(set(org_ids)), month__gte=first, month__lte=last
        ).values_list("organisation_id", "month", *_COLUMNS)
    }


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)
