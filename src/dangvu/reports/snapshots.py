"""Building the month-start snapshots of large subtrees (see members.snapshots).

`dangvu snapshots` (nightly, and at the end of `dangvu generate`) adds the missing month starts:
the first one counted in full from the periods, each next one as the previous figures plus the
changes of the month (a full count again where the tree changed in between). A snapshot is a cache of a report
as of that day: `dangvu check` compares the latest ones with a full count.
"""

import calendar
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dangvu.core.db import insert_rows, refresh_planner_statistics
from dangvu.members.snapshots import banded
from dangvu.organisations.models import (
    Organisation,
    SnapshotMark,
    SubtreeCounter,
    SubtreeSnapshot,
)
from dangvu.reports.selectors import (
    _changes_between,
    _org_counts_on,
    _tally_from_periods,
    _tree_changed,
    org_version_on,
)

__all__ = ["SNAPSHOT_SINCE", "SNAPSHOT_MIN_MEMBERS", "snapshot_days", "snapshots_build"]

# Month starts from here on are kept (the 2020-2025 congress term and after); reports on
# earlier dates count from the periods.
SNAPSHOT_SINCE = date(2021, 1, 1)
# Subtrees smaller than this are counted from the periods (fast enough at their size).
SNAPSHOT_MIN_MEMBERS = 20_000


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


def snapshots_build(
    *,
    since: date = SNAPSHOT_SINCE,
    min_members: int = SNAPSHOT_MIN_MEMBERS,
    rebuild: bool = False,
    log: Callable[[str], None] | None = None,
) -> int:
    """Add the missing month-start snapshots of every subtree of at least `min_members`
    members (all of them again with `rebuild`). One transaction per subtree. Returns the
    number of snapshots written."""
    today = timezone.localdate()
    days = snapshot_days(since, today)
    if rebuild:
        with transaction.atomic():
            SubtreeSnapshot.objects.all().delete()
            SnapshotMark.objects.all().delete()
    written = 0
    for org in _large_subtrees(min_members):
        with transaction.atomic():
            last = SnapshotMark.objects.filter(organisation=org).aggregate(d=Max("day"))["d"]
            # Stored snapshots hold age bands, not birth months: the first missing month is
            # counted in full, the next ones follow from it.
            prev, tally = None, None
            for day in days:
                if last and day <= last:
                    continue
                version = org_version_on(org, day)
                if version is None:
                    prev, tally = None, None
                    continue
                if prev is None or _tree_changed(prev, day):
                    tally = _tally_from_periods(version.path, day) + _org_counts_on(
                        version.path, day
                    )
                else:
                    tally = tally + _changes_between(version.path, prev, day)
                insert_rows(
                    SubtreeSnapshot,
                    ("organisation_id", "day", "dim", "value", "count"),
                    (
                        (org.pk, day, dim, value, n)
                        for (dim, value), n in banded(tally, day).items()
                        if n
                    ),
                )
                SnapshotMark.objects.create(organisation=org, day=day)
                written += 1
                prev = day
        if log:
            log(f"{org.code}: snapshots to {days[-1] if days else '-'}")
    refresh_planner_statistics(SubtreeSnapshot, SnapshotMark)
    return written
