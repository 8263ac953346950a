"""Building the month-start snapshots of large subtrees (see stats.snapshots).

`dangvu snapshots` (nightly, and at the end of `dangvu generate`) adds the missing days: the
first one counted in full from the periods, each next one as the previous figures plus the
changes in between (a full count again where the tree changed). A snapshot is a cache of a
report as of that day; the tests compare them with full counts around every kind of change.
"""

import calendar
from collections import Counter as Tally
from collections.abc import Callable
from datetime import date

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dangvu.core.db import commit_without_flush_wait, insert_rows, refresh_planner_statistics
from dangvu.members.models import MemberPeriod
from dangvu.organisations.models import Organisation
from dangvu.organisations.tree import ancestor_paths
from dangvu.stats.models import SubtreeCounter, SubtreeSnapshot
from dangvu.stats.selectors import (
    org_counts_on,
    tally_from_periods,
    tree_changed,
    versions_on,
)
from dangvu.stats.snapshots import (
    ChangeStream,
    add_rows,
    banded,
    changes_between,
    covering,
    pack,
    period_tallies_by_group,
)

__all__ = ["SNAPSHOT_SINCE", "SNAPSHOT_MIN_MEMBERS", "snapshot_days", "snapshots_build"]

# Month starts from here on are kept (the 2020-2025 congress term and after); reports on
# earlier dates count from the periods.
SNAPSHOT_SINCE = date(2021, 1, 1)
# Subtrees smaller than this are counted from the periods: about 10 ms at this size on either
# engine (docs/decisions/0016; at 20,000 a province of 18,000 took 110 ms on SQLite, 390 ms
# on PostgreSQL at 1M members).
SNAPSHOT_MIN_MEMBERS = 1_500


# Days of each month with a snapshot: a report date is at most six days after one, and the
# last day of a month (where reports are usually asked) has its own.
MONTH_DAYS = (1, 8, 15, 22)


def snapshot_days(since: date, until: date) -> list[date]:
    days = []
    year, month = since.year, since.month
    while date(year, month, 1) <= until:
        last = calendar.monthrange(year, month)[1]
        for day in (*MONTH_DAYS, last):
            d = date(year, month, day)
            if since <= d <= until and (not days or days[-1] < d):
                days.append(d)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def _large_subtrees(min_members: int) -> list[Organisation]:
    large = SubtreeCounter.objects.filter(
        dim="members", value="total", count__gte=min_members
    ).values("organisation_id")
    return list(Organisation.objects.filter(valid_to__isnull=True, id__in=large).order_by("path"))


def _paths_on(org_ids, day: date) -> dict[int, str]:
    ids = list(org_ids)
    paths = {}
    for i in range(0, len(ids), 5000):
        paths.update(
            versions_on(day)
            .filter(organisation_id__in=ids[i : i + 5000])
            .values_list("organisation_id", "path")
        )
    return paths


def _first_counts(subtrees: dict[int, str], day: date) -> dict[int, Tally]:
    """{subtree: its members' figures on `day`} counted from the periods, for {id: path}.
    PostgreSQL: each member read once, in the deepest of the subtrees holding their cell, and
    the nested subtrees' figures summed upwards (64 separate counts read the nation's members
    about 2.5 times)."""
    if connection.vendor != "postgresql" or len(subtrees) < 2:
        return {pk: Tally(tally_from_periods(path, day)) for pk, path in subtrees.items()}
    by_path = {path: pk for pk, path in subtrees.items()}
    deepest = {}
    for cell, path in versions_on(day).values_list("organisation_id", "path").iterator(10000):
        for prefix in reversed(ancestor_paths(path)):
            if prefix in by_path:
                deepest[cell] = by_path[prefix]
                break
    own = period_tallies_by_group(MemberPeriod.objects.filter(covering(day)), deepest)
    totals = {}
    for pk, path in subtrees.items():
        totals[pk] = Tally()
        for inner_path, inner in by_path.items():
            if inner_path.startswith(path) and inner in own:
                totals[pk].update(own[inner])
    return totals


def snapshots_build(
    *,
    since: date = SNAPSHOT_SINCE,
    min_members: int = SNAPSHOT_MIN_MEMBERS,
    rebuild: bool = False,
    log: Callable[[str], None] | None = None,
) -> int:
    """Add the missing month-start snapshots of every subtree of at least `min_members`
    members (all of them again with `rebuild`). Returns the number of snapshots written.

    One pass over the days for all subtrees together, one transaction per day: a subtree's
    first missing day is counted in full from the periods (stored snapshots hold age bands,
    not birth months, so they cannot be continued), each next day adds the periods that began
    or ended since, read once for all subtrees and given to each subtree holding the cell. A
    change to the tree in between means a full count again."""
    today = timezone.localdate()
    days = snapshot_days(since, today)
    if rebuild:
        with transaction.atomic():
            SubtreeSnapshot.objects.all().delete()
    subtrees = _large_subtrees(min_members)
    last = dict(
        SubtreeSnapshot.objects.filter(organisation__in=subtrees)
        .values("organisation_id")
        .annotate(d=Max("day"))
        .values_list("organisation_id", "d")
    )
    running: dict[int, Tally] = {}  # subtree -> its figures (birth months) on `prev`
    prev = None
    written = 0
    # The large subtrees each cell lies in, while the tree stays as it is: a national build
    # reads about 15,000 changed cells a day, each now looked up once per stretch of days
    # without a tree change instead of once a day against every subtree.
    holders: dict[int, tuple[int, ...]] = {}
    by_path: dict[str, int] = {}
    stream: ChangeStream | None = None  # PostgreSQL: all days' changes in one pass
    for day in days:
        todo = [o for o in subtrees if last.get(o.pk) is None or day > last[o.pk]]
        if not todo:
            continue
        rebuilt = prev is None or tree_changed(prev, day)
        if rebuilt:
            holders = {}
            by_path = {path: pk for pk, path in _paths_on([o.pk for o in subtrees], day).items()}
        # The tree is as on the last rebuilt day: so are the subtrees' paths.
        wanted = {o.pk for o in todo}
        paths = {pk: path for path, pk in by_path.items() if pk in wanted}
        going_on = set() if rebuilt else {o.pk for o in todo if o.pk in running and o.pk in paths}
        if stream is None and prev is not None and connection.vendor == "postgresql":
            stream = ChangeStream(prev)
        # The stream is read on every day, changes after a full count included (dropped).
        streamed = stream.until(day) if stream is not None else None
        if going_on:
            if streamed is None:
                streamed = changes_between(prev, day)
            new_cells = {cell for cell, _s, _r in streamed if cell not in holders}
            for cell, cell_path in _paths_on(new_cells, day).items():
                holders[cell] = tuple(by_path[p] for p in ancestor_paths(cell_path) if p in by_path)
            # Summed per set of holding subtrees first (a few dozen), then added to each.
            batches: dict[tuple[tuple[int, ...], int], list[tuple]] = {}
            for cell, sign, row in streamed:
                if holders.get(cell):
                    batches.setdefault((holders[cell], sign), []).append(row)
            grouped: dict[tuple[int, ...], Tally] = {}
            for (held, sign), rows in batches.items():
                add_rows(grouped.setdefault(held, Tally()), rows, sign)
            for held, tally in grouped.items():
                for pk in held:
                    if pk in going_on:
                        running[pk].update(tally)
        counted = _first_counts(
            {o.pk: paths[o.pk] for o in todo if o.pk in paths and (rebuilt or o.pk not in running)},
            day,
        )
        rows: list[tuple] = []
        with transaction.atomic():
            commit_without_flush_wait()  # a lost day is missing, and built again, next time
            for o in todo:
                path = paths.get(o.pk)
                if path is None:  # not there that day
                    running.pop(o.pk, None)
                    continue
                if o.pk in counted:
                    running[o.pk] = counted[o.pk]
                    running[o.pk].update(org_counts_on(path, day))
                rows.append((o.pk, day, pack(banded(running[o.pk], day))))
            # One write per day for all subtrees.
            written += insert_rows(SubtreeSnapshot, ("organisation_id", "day", "figures"), rows)
        prev = day
        if log and day.day == calendar.monthrange(day.year, day.month)[1]:
            log(f"{day:%Y-%m}: snapshots of {len(todo)} subtrees")
    if stream is not None:
        stream.close()
    refresh_planner_statistics(SubtreeSnapshot)
    return written
