"""The cell meetings of each month under the organisations of the top two levels (the nation,
the provinces) and the level below them (MeetingMonth): kept by every write that changes what
the dashboard counts, read by the dashboard of a large subtree (docs/decisions/0021).

A province's dashboard over a year counts some hundred thousand meetings at national size and
the nation's four million: read from the meetings they took seconds. Read from here they are
twelve rows per organisation. Below the third level a subtree is small enough for its
meetings.

Figures per (organisation, month), in the current tree (the dashboard's subtree is the
meetings' organisation path, as the registry keeps it):
- cells_met: cells that held a regular meeting that month (a cell counts once a month);
- held, present, convened, invalid: meetings held and what their attendance adds up to;
- good, fair, average, poor: the quality of the meetings evaluated (the supervisor's
  evaluation where there is one, else the cell's);
- first_visits: cells whose first meeting of the calendar year attended by their supervisor
  was that month (so that the cells visited from January to any month add up).

What changes the rows, in the writer's transaction: recording a meeting (meeting_record),
evaluating it, a supervisor's visit reported, the national generator's bulk writes, and a
subtree moved under another province (the tree observer). Each single write recomputes the
figures of the cell-months it touches before and after and applies the difference; `dangvu
check` recomputes every row from the meetings."""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.db import connection
from django.db.models import Min

from dangvu.core.db import json_rows
from dangvu.meetings.choices import Evaluator, Kind, Level, State
from dangvu.meetings.models import Meeting, MeetingEvaluation, MeetingMonth, SupervisionVisit
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation

__all__ = [
    "ROLLUP_DEPTH",
    "FIGURES",
    "rollup_kept",
    "rollup_add",
    "rollup_deferred",
    "MeetingRollupTree",
    "rollup_expected",
    "rollup_rebuild",
    "rollup_check",
    "rollup_months",
    "month_of",
]

ROLLUP_DEPTH = 3
STEP = Organisation.steplen
HELD = (State.HELD, State.APPROVED)
FIGURES = (
    "cells_met",
    "held",
    "present",
    "convened",
    "invalid",
    "good",
    "fair",
    "average",
    "poor",
    "first_visits",
)
LEVEL_INDEX = {Level.GOOD: 5, Level.FAIR: 6, Level.AVERAGE: 7, Level.POOR: 8}
FIRST_VISITS = 9

Deltas = dict  # (organisation id, month) -> list of len(FIGURES)


def month_of(day: date) -> date:
    return day.replace(day=1)


def _next(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _zero() -> list[int]:
    return [0] * len(FIGURES)


# --- one cell's figures ---------------------------------------------------------------------------


def _levels(meeting_ids: Iterable[int]) -> dict[int, str]:
    """The level each meeting counts with: the supervisor's evaluation, else the cell's."""
    levels: dict[int, str] = {}
    ids = sorted(meeting_ids)
    for start in range(0, len(ids), 5000):
        for meeting_id, by, level in MeetingEvaluation.objects.filter(
            meeting_id__in=ids[start : start + 5000]
        ).values_list("meeting_id", "by", "level"):
            if by == Evaluator.SUPERVISOR or meeting_id not in levels:
                levels[meeting_id] = level
    return levels


def _cell_months(cell_id: int, months: Iterable[date]) -> dict[date, list[int]]:
    """The figures (first_visits aside) of one cell in some months, from its meetings."""
    months = sorted(set(months))
    out = {m: _zero() for m in months}
    if not months:
        return out
    rows = list(
        Meeting.objects.filter(
            organisation_id=cell_id,
            state__in=HELD,
            held_on__gte=months[0],
            held_on__lt=_next(months[-1]),
        ).values_list("pk", "organisation_id", "kind", "held_on", "present", "convened", "valid")
    )
    for (_cell, month), values in _figures(rows, _levels(r[0] for r in rows), ()).items():
        if month in out:
            out[month] = values
    return out


def _first_visit(cell_id: int, year: int) -> date | None:
    day = SupervisionVisit.objects.filter(
        supervision__organisation_id=cell_id,
        attended=True,
        meeting__held_on__year=year,
    ).aggregate(d=Min("meeting__held_on"))["d"]
    return month_of(day) if day else None


def _chain(path: str) -> list[int]:
    """The ids of the organisations of the top levels above (and including) `path`."""
    prefixes = [path[:n] for n in range(STEP, min(len(path), ROLLUP_DEPTH * STEP) + 1, STEP)]
    found = dict(Organisation.objects.filter(path__in=prefixes).values_list("path", "pk"))
    return [found[p] for p in prefixes if p in found]


@contextmanager
def rollup_kept(cell_id: int, path: str, days: Iterable[date | None]) -> Iterator[None]:
    """Around a write to a cell's meetings on `days` (None ignored): the figures of those
    months and the first visits of those years before and after; the difference goes to the
    rows of the top levels above the cell."""
    months = sorted({month_of(d) for d in days if d is not None})
    years = sorted({m.year for m in months})
    before = _cell_months(cell_id, months)
    first_before = {y: _first_visit(cell_id, y) for y in years}
    yield
    after = _cell_months(cell_id, months)
    deltas: Deltas = {}
    chain = _chain(path)
    for month in months:
        diff = [a - b for a, b in zip(after[month], before[month], strict=True)]
        if any(diff):
            for org in chain:
                _add(deltas, org, month, diff)
    for year in years:
        first_after = _first_visit(cell_id, year)
        if first_after != first_before[year]:
            for org in chain:
                if first_before[year] is not None:
                    _add(deltas, org, first_before[year], _one(FIRST_VISITS, -1))
                if first_after is not None:
                    _add(deltas, org, first_after, _one(FIRST_VISITS, +1))
    _apply(deltas)


def _one(index: int, value: int) -> list[int]:
    row = _zero()
    row[index] = value
    return row


def _add(deltas: Deltas, org: int, month: date, values) -> None:
    row = deltas.setdefault((org, month), _zero())
    for i, v in enumerate(values):
        row[i] += v


def _apply(deltas: Deltas) -> None:
    rows = sorted((k, v) for k, v in deltas.items() if any(v))
    if not rows:
        return
    table = MeetingMonth._meta.db_table
    columns = ", ".join(FIGURES)
    updates = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, month, {columns}) "
            f"{json_rows('bigint', 'date', *['bigint'] * len(FIGURES))} "
            f"ON CONFLICT (organisation_id, month) DO UPDATE SET {updates}",
            [json.dumps([(org, month.isoformat(), *v) for (org, month), v in rows])],
        )


# --- many cells at once: the bulk writes, a moved subtree, the check ------------------------------


def _figures(meetings: Iterable[tuple], levels: dict[int, str], visits: Iterable[tuple]) -> dict:
    """{(cell, month): figures} from meetings (pk, cell, kind, held_on, present, convened,
    valid), their levels and the attended visits (cell, held_on)."""
    out: dict[tuple[int, date], list[int]] = {}
    met: set[tuple[int, date]] = set()
    for pk, cell, kind, day, present, convened, valid in meetings:
        key = (cell, month_of(day))
        row = out.setdefault(key, _zero())
        row[1] += 1
        row[2] += present
        row[3] += convened
        row[4] += valid is False
        if pk in levels:
            row[LEVEL_INDEX[levels[pk]]] += 1
        if kind == Kind.REGULAR:
            met.add(key)
    for key in met:
        out[key][0] = 1
    first: dict[tuple[int, int], date] = {}
    for cell, day in visits:
        key = (cell, day.year)
        if key not in first or day < first[key]:
            first[key] = day
    for (cell, _year), day in first.items():
        out.setdefault((cell, month_of(day)), _zero())[FIRST_VISITS] += 1
    return out


def _spread(per_cell: dict, chains: dict[int, list[int]]) -> Deltas:
    deltas: Deltas = {}
    for (cell, month), values in per_cell.items():
        for org in chains.get(cell, ()):
            _add(deltas, org, month, values)
    return deltas


def _chains(cell_paths: dict[int, str]) -> dict[int, list[int]]:
    """{cell id: the ids of the top levels above it} for many cells (one query)."""
    prefixes = {
        p[:n]
        for p in cell_paths.values()
        for n in range(STEP, min(len(p), ROLLUP_DEPTH * STEP) + 1, STEP)
    }
    found = dict(Organisation.objects.filter(path__in=sorted(prefixes)).values_list("path", "pk"))
    return {
        cell: [
            found[p[:n]]
            for n in range(STEP, min(len(p), ROLLUP_DEPTH * STEP) + 1, STEP)
            if p[:n] in found
        ]
        for cell, p in cell_paths.items()
    }


class _Pending:
    def __init__(self):
        self.per_cell: dict = {}
        self.paths: dict[int, str] = {}


_deferred: ContextVar[_Pending | None] = ContextVar("rollup_deferred", default=None)


@contextmanager
def rollup_deferred() -> Iterator[None]:
    """Collect the figures of many bulk writes (rollup_add) and add them to the rows once, when
    the block ends without an error (the national generator's commit group: the top levels'
    rows and the organisations above the cells are then read and written once per group, not
    once per unit). Rows read inside the block do not include its own writes yet."""
    pending = _Pending()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    _apply(_spread(pending.per_cell, _chains(pending.paths)))


def rollup_add(
    *,
    meetings: Iterable[Meeting] = (),
    levels: dict[int, str] | None = None,
    visits: Iterable[tuple[int, date]] = (),
    paths: dict[int, str] | None = None,
) -> None:
    """After a bulk write (the national generator): new meetings with their levels, or
    attended visits (cell id, held_on) to meetings already counted, of cells that had none in
    those months (or years): added to the rows. `paths`: the cells' paths, when no meeting
    names them."""
    meetings = list(meetings)
    per_cell = _figures(
        (
            (m.pk, m.organisation_id, m.kind, m.held_on, m.present, m.convened, m.valid)
            for m in meetings
            if m.state in HELD
        ),
        levels or {},
        visits,
    )
    cell_paths = {m.organisation_id: m.org_path for m in meetings} | (paths or {})
    pending = _deferred.get()
    if pending is None:
        _apply(_spread(per_cell, _chains(cell_paths)))
        return
    pending.paths.update(cell_paths)
    for key, values in per_cell.items():
        row = pending.per_cell.get(key)
        if row is None:
            pending.per_cell[key] = values
        else:
            for i, v in enumerate(values):
                row[i] += v


def _subtree_figures(cell_ids: list[int]) -> dict:
    meetings = []
    for start in range(0, len(cell_ids), 500):
        meetings += Meeting.objects.filter(
            organisation_id__in=cell_ids[start : start + 500], state__in=HELD
        ).values_list("pk", "organisation_id", "kind", "held_on", "present", "convened", "valid")
    visits = []
    for start in range(0, len(cell_ids), 500):
        visits += SupervisionVisit.objects.filter(
            supervision__organisation_id__in=cell_ids[start : start + 500], attended=True
        ).values_list("supervision__organisation_id", "meeting__held_on")
    return _figures(meetings, _levels(m[0] for m in meetings), visits)


class MeetingRollupTree:
    """The tree observer (core.registry.TreeObserver): a subtree moved under other top-level
    organisations takes its cells' meetings with it."""

    def organisations_added(self, orgs, chains) -> None:
        pass

    def organisation_ended(self, org, chain) -> None:
        pass

    def tree_changed(self, since) -> None:
        pass

    def subtree_moved(self, org, old_chain, new_chain) -> None:
        if len(old_chain) >= ROLLUP_DEPTH and old_chain[:ROLLUP_DEPTH] == new_chain[:ROLLUP_DEPTH]:
            return
        nodes = dict(Organisation.objects.get_tree(org).values_list("pk", "path"))
        per_cell = _subtree_figures(sorted(nodes))
        by_path = {path: pk for pk, path in nodes.items()}
        deltas: Deltas = {}
        for (cell, month), values in per_cell.items():
            path = nodes[cell]
            below = [by_path[path[:n]] for n in range(len(org.path), len(path) + 1, STEP)]
            for chain, sign in ((old_chain, -1), (new_chain, +1)):
                for o in (list(chain) + below)[:ROLLUP_DEPTH]:
                    _add(deltas, o, month, [sign * v for v in values])
        _apply(deltas)


def rollup_expected() -> Deltas:
    """Every row recomputed from the meetings, a few thousand cells at a time (memory bounded
    by the chunk, not by the country)."""
    cell_paths = dict(
        Organisation.objects.filter(kind__in=sorted(MEMBER_HOLDING_KINDS)).values_list("pk", "path")
    )
    chains = _chains(cell_paths)
    ids = sorted(cell_paths)
    deltas: Deltas = {}
    for start in range(0, len(ids), 2000):
        for (org, month), values in _spread(
            _subtree_figures(ids[start : start + 2000]), chains
        ).items():
            _add(deltas, org, month, values)
    return {k: v for k, v in deltas.items() if any(v)}


def rollup_rebuild() -> int:
    """Write every row again from the meetings (returns how many)."""
    MeetingMonth.objects.all().delete()
    rows = [
        MeetingMonth(organisation_id=org, month=month, **dict(zip(FIGURES, v, strict=True)))
        for (org, month), v in sorted(rollup_expected().items())
    ]
    MeetingMonth.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def rollup_check(report) -> None:
    """Part of `dangvu check`: every row equals its recount from the meetings."""
    expected = rollup_expected()
    stored = {
        (org, month): list(values)
        for org, month, *values in MeetingMonth.objects.values_list(
            "organisation_id", "month", *FIGURES
        ).iterator(chunk_size=10_000)
    }
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, _zero()), stored.get(key, _zero())
        if want != have:
            org, month = key
            report(
                "meetings by month",
                f"organisation {org}, {month:%m/%Y}: stored {have}, "
                f"counted from the meetings {want}",
            )


def rollup_months(org_ids: Iterable[int], first: date, last: date) -> dict:
    """{(organisation id, month): figures} of some organisations over the months [first,
    last] (the months without a row are absent)."""
    return {
        (org, month): list(values)
        for org, month, *values in MeetingMonth.objects.filter(
            organisation_id__in=sorted(set(org_ids)), month__gte=first, month__lte=last
        ).values_list("organisation_id", "month", *FIGURES)
    }
