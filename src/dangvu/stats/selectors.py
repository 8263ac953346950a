"""Membership statistics for any organisation subtree and any date.

- Today: read from the rollup counters of the organisation (one indexed read, whatever the
  size of the subtree).
- A past date: computed from the in-party periods (derived from the events) joined to the
  organisation versions valid on that date, so the tree of that date is used.
Both produce the same structure (the standard form 3-BTCTW rows). The period form 1-BTCTW
(opening balance, increases, decreases, closing balance) is computed from the events.
"""

import hashlib
import json
from collections import Counter as Tally
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows
from dangvu.core.db import PREFIX_END, Prepared, as_date, prefix_q
from dangvu.core.errors import ValidationError
from dangvu.core.refdata import (
    ACADEMIC_TITLES,
    EDUCATION_LEVELS,
    ETHNICITIES,
    KINH,
    NO_RELIGION,
    OCCUPATIONS,
    PROFESSIONAL_LEVELS,
    RELIGIONS,
    THEORY_LEVELS,
)
from dangvu.members.choices import IN_PARTY, EventType, Status
from dangvu.members.fields import DATED_FIELDS
from dangvu.members.models import AttributeChange, Member, MemberPeriod, MembershipEvent
from dangvu.organisations.choices import (
    LEAF_KINDS,
    MEMBER_HOLDING_KINDS,
    GrassrootsType,
    LinkKind,
    OrgKind,
)
from dangvu.organisations.models import (
    STEPLEN,
    Organisation,
    OrganisationLink,
    OrganisationVersion,
)
from dangvu.organisations.selectors import org_version_on, versions_where
from dangvu.organisations.tree import ancestor_paths
from dangvu.stats.bands import (
    ADMISSION_PERIODS,
    AGE_BANDS,
    age_band,
    age_band_limits,
)
from dangvu.stats.counted import grassroots_type_of, org_contribution
from dangvu.stats.counters import cell_counts
from dangvu.stats.models import SignedReport, SubtreeCounter, SubtreeSnapshot
from dangvu.stats.snapshots import (
    banded,
    covering,
    orgs_tally,
    period_tally,
    unpack,
)

__all__ = [
    "BREAKDOWNS",
    "membership_report",
    "period_report",
    "membership_figures",
    "period_figures",
    "org_version_on",
    "percent",
    "membership_trend",
    "org_counts_on",
    "tally_from_periods",
    "tree_changed",
    "versions_on",
    "admissions_between",
    "admission_events",
    "predecessors",
]

# (report key, counter dim, reference list)
BREAKDOWNS = [
    ("ethnicity", "ethnicity", ETHNICITIES),
    ("religion", "religion", RELIGIONS),
    ("age_band", None, AGE_BANDS),
    ("admission_period", "admission_period", ADMISSION_PERIODS),
    ("education", "education", EDUCATION_LEVELS),
    ("professional", "professional", PROFESSIONAL_LEVELS),
    ("academic_title", "academic_title", ACADEMIC_TITLES),
    ("theory", "theory", THEORY_LEVELS),
    ("occupation", "occupation", OCCUPATIONS),
]
# The particulars forms 2-BTCTW and 3-BTCTW count (dated attributes whose value is "yes").
PARTICULARS = ("youth_union", "enterprise_owner", "married_foreigner")


def percent(count: int, total: int) -> float:
    """count / total in percent, two decimals rounded half up (in integers: exact, and a
    report's ~60 shares cost no Decimal arithmetic)."""
    if not total:
        return 0.0
    hundredths, rest = divmod(count * 10_000, total)
    if rest * 2 >= total:
        hundredths += 1
    return hundredths / 100


def _share(count: int, total: int) -> dict:
    return {"count": count, "percent": percent(count, total)}


def versions_on(day: date):
    return OrganisationVersion.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def _tally_from_counters(org: Organisation, on: date) -> Tally:
    """The organisation's counter rows; the birth-month rows summed into age bands by the
    database (one row per band instead of ~900 months for the nation). A cell keeps no
    counter rows: its few members are counted (stats.counters)."""
    if org.kind in MEMBER_HOLDING_KINDS:
        return banded(cell_counts(org), on)
    limits = age_band_limits(on)
    case = " ".join("WHEN value <= %s THEN %s" for _b in limits[:-1])
    table = SubtreeCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT dim, value, count FROM {table} WHERE organisation_id = %s AND dim <> %s "
            f"UNION ALL SELECT %s, CASE {case} ELSE %s END, CAST(SUM(count) AS BIGINT) FROM {table} "
            f"WHERE organisation_id = %s AND dim = %s GROUP BY 2 "
            # The sum of the birth months (year × 12 + month), for the average age.
            f"UNION ALL SELECT %s, %s, CAST(SUM(count * (CAST(SUBSTR(value, 1, 4) AS INTEGER) "
            f"* 12 + CAST(SUBSTR(value, 6, 2) AS INTEGER))) AS BIGINT) FROM {table} "
            f"WHERE organisation_id = %s AND dim = %s",
            [
                org.pk,
                "birth",
                "age_band",
                *[p for code_limit in limits[:-1] for p in (code_limit[1], code_limit[0])],
                limits[-1][0],
                org.pk,
                "birth",
                "birth_months",
                "sum",
                org.pk,
                "birth",
            ],
        )
        return Tally({(dim, value): count for dim, value, count in cursor.fetchall()})


def _cells_on(path: str, day: date):
    return versions_on(day).filter(prefix_q("path", path)).values("organisation_id")


def tally_from_periods(path: str, day: date) -> Tally:
    """Members in the party on `day` in the subtree at `path` in the tree of that day."""
    return period_tally(
        MemberPeriod.objects.filter(covering(day), organisation_id__in=_cells_on(path, day))
    )


def _changes_between(path: str, start: date, end: date) -> Tally:
    """What the periods that began or ended in (start, end] change, in the subtree at `path`
    (the tree being the same all along: callers check).

    Driven by the period dates: the window's few cells are found first, then kept if under
    `path` — a subtree filter written as `organisation IN (subtree)` makes SQLite probe every
    cell of the nation."""
    began = Q(valid_from__gt=start, valid_from__lte=end)
    ended = Q(valid_to__gt=start, valid_to__lte=end)
    tally: Tally = Tally()
    for window, sign in ((began, 1), (ended, -1)):
        cells = list(
            MemberPeriod.objects.filter(window)
            .values_list("organisation_id", flat=True)
            .distinct()
            .order_by()
        )
        for i in range(0, len(cells), 5000):
            inside = list(
                versions_on(end)
                .filter(prefix_q("path", path), organisation_id__in=cells[i : i + 5000])
                .values_list("organisation_id", flat=True)
            )
            if inside:
                # update, not +: a Counter sum drops negatives
                tally.update(
                    period_tally(
                        MemberPeriod.objects.filter(window, organisation_id__in=inside), sign
                    )
                )
    return tally


def tree_changed(start: date, end: date) -> bool:
    """Any organisation appeared, moved, merged or ended in (start, end]."""
    return OrganisationVersion.objects.filter(
        Q(valid_from__gt=start, valid_from__lte=end) | Q(valid_to__gt=start, valid_to__lte=end)
    ).exists()


# The subtree's last snapshot of the month on or before a day.
_SNAPSHOT_BEFORE = Prepared(
    lambda org, first, day: (
        SubtreeSnapshot.objects.filter(organisation_id=org, day__lte=day, day__gte=first)
        .order_by("-day")
        .values_list("day", "figures")[:1]
    ),
    -7_777_777,
    date(1111, 11, 1),
    date(1111, 11, 11),
)


def _tally_on(org: Organisation, version: OrganisationVersion, day: date) -> Tally:
    """Members and organisations of the subtree on a past day (`version`: the organisation's
    that day). A cell: its own periods. A subtree with snapshots: the last snapshot of the same
    month on or before the day plus the changes since, when the tree did not change in
    between. Else counted from the periods (subtrees under SNAPSHOT_MIN_MEMBERS: fast at their
    size). Birth months come summed into the age bands of the day (snapshots.banded), as
    snapshots hold them: within one month every birth month stays in its band."""
    if version.kind in LEAF_KINDS:
        tally = orgs_tally([org.pk], day)
        tally.update(org_contribution(version))
        return tally
    path = version.path
    snapshot = _SNAPSHOT_BEFORE.rows(org.pk, day.replace(day=1), day)
    if snapshot:
        taken, figures = snapshot[0]
        taken = as_date(taken)
        if taken == day:
            return unpack(figures)
        if not tree_changed(taken, day):
            tally = unpack(figures)
            tally.update(banded(_changes_between(path, taken, day), day))
            return tally
    return _subtree_on(path, day)


# Subtrees of up to this many organisations have their periods read by organisation: an index
# range per cell instead of a scan of the day's periods (PostgreSQL chose the scan for a
# commune at 1M members: 29 ms for 1,563 members).
_LISTED_ORGS = 1000


_SUBTREE_ORGS = Prepared(
    lambda low, high, day: (
        versions_on(day)
        .filter(path__gte=low, path__lt=high)
        .values_list("organisation_id", "kind", "grassroots_type")
    ),
    "~low~",
    "~high~",
    date(1111, 11, 11),
)


def _orgs_on(path: str, day: date) -> list[tuple[int, str, str]]:
    """(id, kind, grassroots type) of the organisations of the subtree at `path` on `day`."""
    return _SUBTREE_ORGS.rows(path, path + PREFIX_END, day)


def _org_tally(orgs: list[tuple[int, str, str]]) -> Tally:
    """What the organisations `_orgs_on` lists add to the counters."""
    tally: Tally = Tally()
    for (kind, gtype), n in Tally((kind, gtype) for _pk, kind, gtype in orgs).items():
        for key, one in org_contribution(SimpleNamespace(kind=kind, grassroots_type=gtype)).items():
            tally[key] += one * n
    return tally


def org_counts_on(path: str, day: date) -> Tally:
    """The organisations of the subtree at `path` on `day`, counted as the counters count them."""
    return _org_tally(_orgs_on(path, day))


def _subtree_on(path: str, day: date) -> Tally:
    """Members and organisations of the subtree at `path` on `day`, counted from the periods
    and the versions."""
    orgs = _orgs_on(path, day)
    tally = _org_tally(orgs)
    if len(orgs) > _LISTED_ORGS:
        return banded(tally + tally_from_periods(path, day), day)
    tally.update(orgs_tally([pk for pk, _kind, _gtype in orgs], day))
    return tally


def _average_age(month_sum: int, total: int, on: date) -> float | None:
    """The members' average age on `on` in years (one decimal), from the sum of their birth
    months (year × 12 + month): the form's "tuổi bình quân" (the article watches cells whose
    members are old). None without members."""
    if not total or not month_sum:
        return None
    months = on.year * 12 + on.month - Decimal(month_sum) / total
    return float((months / 12).quantize(Decimal("0.1"), ROUND_HALF_UP))


def membership_figures(
    org: Organisation, as_of: date | None = None, *, source: str = "auto"
) -> dict:
    """The standard membership figures for `org`'s subtree on `as_of` (today when None).

    source: "auto" (counters for today, events for a past date), "counters" or "events".
    """
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"as_of": _("The date cannot be in the future.")})
    use_counters = source == "counters" or (source == "auto" and as_of == today)
    if use_counters:
        if as_of != today:
            raise ValidationError({"as_of": _("Counters only hold today's figures.")})
        if not org.active_on(today):
            raise ValidationError(
                {
                    "as_of": _("%(name)s no longer exists; ask for a date before %(d)s.")
                    % {"name": org.name, "d": org.valid_to.strftime("%d/%m/%Y")}
                }
            )
        tally = _tally_from_counters(org, as_of)
        name, kind, path = org.name, org.kind, org.path
    else:
        version = org_version_on(org, as_of)
        if version is None:
            raise ValidationError(
                {
                    "as_of": _("%(name)s did not exist on %(d)s.")
                    % {"name": org.name, "d": as_of.strftime("%d/%m/%Y")}
                }
            )
        tally = _tally_on(org, version, as_of)
        name, kind, path = version.name, version.kind, version.path

    by_dim: dict[str, dict[str, int]] = {}
    for (d, v), n in tally.items():
        by_dim.setdefault(d, {})[v] = n
    total = tally[("members", "total")]
    ethnicity = by_dim.get("ethnicity", {})
    religion = by_dim.get("religion", {})
    women = tally[("gender", "F")]
    minority = total - ethnicity.get(KINH, 0)
    religious = total - religion.get(NO_RELIGION, 0)
    # Birth months are in age bands already (banded; the counters' sums in the database).
    bands = by_dim.get("age_band", {})
    month_sum = by_dim.get("birth_months", {}).get("sum") or 0

    english = (get_language() or "vi").startswith("en")
    breakdowns = {}
    for key, dim, reflist in BREAKDOWNS:
        values = bands if dim is None else by_dim.get(dim, {})
        every = key not in ("ethnicity", "religion")
        breakdowns[key] = [
            {
                "code": item.code,
                "label": item.en if english else item.vi,  # RefItem.label, asked once
                "count": n,
                "percent": percent(n, total),
            }
            for item in reflist
            if (n := values.get(item.code, 0)) or every
        ]
    by_kind = {k: tally[("org_kind", k)] for k in OrgKind.values if tally[("org_kind", k)]}
    by_type = {v: n for v, n in by_dim.get("grassroots_type", {}).items() if n}
    return {
        "organisation": {"code": org.code, "name": name, "kind": kind, "path": path},
        "as_of": as_of,
        "source": "counters" if use_counters else "events",
        "members": {
            "total": total,
            "official": tally[("status", Status.OFFICIAL)],
            "probationary": tally[("status", Status.PROBATIONARY)],
        },
        "women": _share(women, total),
        "ethnic_minority": _share(minority, total),
        "religious": _share(religious, total),
        "exempted": _share(tally[("exempted", "1")], total),
        **{key: _share(tally[(key, "yes")], total) for key in PARTICULARS},
        # Of the retired (occupation "retired"): those exempted from work and activities.
        "retired_exempted": _share(tally[("retired_exempted", "yes")], total),
        "average_age": _average_age(month_sum, total, as_of),
        "breakdowns": breakdowns,
        "organisations": {
            "grassroots": tally[("grassroots", "total")],
            "by_kind": by_kind,
            "by_grassroots_type": by_type,
        },
    }


# --- form 1-BTCTW: increase and decrease over a period ----------------------------------------

INCREASE_ROWS = [
    ("admitted", gettext_lazy("Admitted")),
    ("transferred_in", gettext_lazy("Transferred in")),
    ("restored", gettext_lazy("Membership restored")),
    ("reorganised_in", gettext_lazy("Received through reorganisation")),
]
DECREASE_ROWS = [
    ("died", gettext_lazy("Died")),
    ("expelled", gettext_lazy("Expelled")),
    ("struck_off", gettext_lazy("Struck off")),
    ("left", gettext_lazy("Left the party")),
    ("transferred_out", gettext_lazy("Transferred out")),
    ("reorganised_out", gettext_lazy("Passed on through reorganisation")),
]


def predecessors(org: Organisation, after: date, until: date) -> list[tuple[Organisation, date]]:
    """The organisations `org` took over in (after, until]: those merged or split into it
    (organisations.OrganisationLink), each with the day it took them over, and theirs in turn.
    A province that absorbed another on 1/7/2025, or was formed that day from two, reads a year
    that spans the day as their continuation (docs/decisions/0015)."""
    out, seen, todo = [], {org.pk}, [org]
    while todo:
        current = todo.pop()
        links = OrganisationLink.objects.filter(
            target=current,
            kind__in=(LinkKind.MERGED_INTO, LinkKind.SPLIT_INTO),
            date__gt=after,
            date__lte=until,
        ).select_related("source")
        for link in links:
            if link.source_id not in seen:
                seen.add(link.source_id)
                out.append((link.source, link.date))
                todo.append(link.source)
    return out


class _Membership:
    """Is an organisation inside the subtree on a date? (versions of both, cached). The subject
    is the organisation and, before it was founded, the organisations it continues
    (predecessors): on a day there may be several subtrees."""

    def __init__(self, org: Organisation, before: list[tuple[Organisation, date]] = ()):
        self.subject = list(
            OrganisationVersion.objects.filter(organisation=org).values_list(
                "path", "valid_from", "valid_to"
            )
        )
        for older, taken_over in before:
            # Only up to the day the subject took over from them.
            self.subject += [
                (path, start, min(end or taken_over, taken_over))
                for path, start, end in OrganisationVersion.objects.filter(
                    organisation=older, valid_from__lt=taken_over
                ).values_list("path", "valid_from", "valid_to")
            ]
        self.cache: dict[int, list] = {}

    def events_q(self, start: date, end: date) -> Q:
        """The events of [start, end] that may cross the subject's boundary: those naming an
        organisation that lay in one of its subtrees at some time in the period (in SQL: the
        period's events of the whole country read and tested one by one took 1.4 s for a
        province's year at 1M members)."""
        cells = self.cells(start, end)
        return Q(organisation_id__in=cells) | Q(from_organisation_id__in=cells)

    def below_provinces(self) -> bool:
        """Whether every subtree of the subject lies below the provinces (a few thousand
        members at most: events_q's scan of the period's events of the whole country costs
        more than finding its admissions through its own periods: admission_events)."""
        return all(len(path) > 2 * Organisation.steplen for path, _s, _e in self.subject)

    def cells(self, start: date, end: date):
        """The organisations that lay in one of the subject's subtrees at some time in
        [start, end] (a subquery of their ids)."""
        spans = Q(pk__in=[])
        for path, begin, finish in self.subject:
            if begin > end or (finish is not None and finish <= start):
                continue
            spans |= (
                prefix_q("path", path)
                & Q(valid_from__lte=end)
                & (Q(valid_to__isnull=True) | Q(valid_to__gt=max(start, begin) - timedelta(days=1)))
            )
        return OrganisationVersion.objects.filter(spans).values("organisation_id")

    def subject_paths(self, day: date) -> list[str]:
        return [
            path for path, start, end in self.subject if start <= day and (end is None or day < end)
        ]

    def preload(self, org_ids) -> None:
        """Load the versions of many organisations at once (one query per thousand)."""
        wanted = {i for i in org_ids if i is not None} - self.cache.keys()
        for org_id in wanted:
            self.cache[org_id] = []
        for org_id, path, begin, end in versions_where("organisation_id", wanted):
            self.cache[org_id].append((path, begin, end))

    def path_of(self, org_id: int | None, day: date) -> str | None:
        """An organisation's path in the tree of `day` (None: it did not exist then)."""
        if org_id is None:
            return None
        if org_id not in self.cache:
            self.cache[org_id] = list(
                OrganisationVersion.objects.filter(organisation_id=org_id).values_list(
                    "path", "valid_from", "valid_to"
                )
            )
        for path, start, end in self.cache[org_id]:
            if start <= day and (end is None or day < end):
                return path
        return None

    def contains(self, org_id: int | None, day: date) -> bool:
        prefixes = self.subject_paths(day)
        path = self.path_of(org_id, day) if prefixes else None
        return path is not None and path.startswith(tuple(prefixes))

    def same_province(self, org_id: int | None, day: date, subject_day: date) -> bool:
        """Whether `org_id` on `day` lies in the province the subtree belonged to on
        `subject_day` (the other side of a transfer: form 1-BTCTW splits transfers within the
        province from those from or to another province, or from outside Dangvu)."""
        subjects = self.subject_paths(subject_day)
        path = self.path_of(org_id, day)
        if not subjects or path is None:
            return False
        cut = PROVINCE_DEPTH * STEPLEN
        if any(len(s) < cut for s in subjects):
            return True  # a subject above the provinces
        return path[:cut] in {s[:cut] for s in subjects}


PROVINCE_DEPTH = 2  # the central committee, then the provinces (and central blocs)


def _count_on(org: Organisation, day: date) -> int:
    version = org_version_on(org, day)
    if version is None:
        return 0
    org_ids = versions_on(day).filter(prefix_q("path", version.path)).values("organisation_id")
    return (
        MemberPeriod.objects.filter(organisation_id__in=org_ids, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .count()
    )


def period_figures(org: Organisation, date_from: date, date_to: date) -> dict:
    """Form 1-BTCTW for `org`'s subtree over [date_from, date_to]."""
    today = timezone.localdate()
    if date_from > date_to:
        raise ValidationError({"from": _("The start of the period is after its end.")})
    if date_to > today:
        raise ValidationError({"to": _("The date cannot be in the future.")})
    eve = date_from - timedelta(days=1)
    # A unit founded within the period opens with what the units it continues held (a province
    # formed on 1/7/2025 reads its year as one form: docs/decisions/0015).
    carried = predecessors(org, eve, date_to)
    opening = _count_on(org, eve) + sum(_count_on(p, eve) for p, _day in carried)
    closing = _count_on(org, date_to)
    inside = _Membership(org, carried)
    increases = Tally({key: 0 for key, _label in INCREASE_ROWS})
    decreases = Tally({key: 0 for key, _label in DECREASE_ROWS})
    struck_off_probationary = 0
    transfers = Tally({"in_other_province": 0, "out_other_province": 0})
    events = (
        MembershipEvent.objects.filter(
            inside.events_q(date_from, date_to),
            date__gte=date_from,
            date__lte=date_to,
            corrected_by__isnull=True,
        )
        .exclude(type=EventType.CORRECTION)
        .values_list(
            "type",
            "date",
            "from_organisation_id",
            "organisation_id",
            "status_before",
            "status_after",
        )
        .order_by("date", "id")
    )
    events = list(events)
    inside.preload([e[2] for e in events] + [e[3] for e in events])
    for etype, day, from_org, to_org, status_before, status_after in events:
        was_in = status_before in IN_PARTY and inside.contains(from_org, day - timedelta(days=1))
        is_in = status_after in IN_PARTY and inside.contains(to_org, day)
        if was_in == is_in:
            continue
        if is_in:
            key = {
                EventType.ADMITTED: "admitted",
                EventType.RESTORED: "restored",
                EventType.REORGANISED: "reorganised_in",
            }.get(etype, "transferred_in")
            increases[key] += 1
            if key == "transferred_in" and not inside.same_province(
                from_org, day - timedelta(days=1), day
            ):
                transfers["in_other_province"] += 1
        else:
            key = {
                EventType.DIED: "died",
                EventType.EXPELLED: "expelled",
                EventType.STRUCK_OFF: "struck_off",
                EventType.LEFT: "left",
                EventType.REORGANISED: "reorganised_out",
            }.get(etype, "transferred_out")
            decreases[key] += 1
            if key == "transferred_out" and (
                etype == EventType.TRANSFERRED_OUT  # out of Dangvu
                or not inside.same_province(to_org, day, day - timedelta(days=1))
            ):
                transfers["out_other_province"] += 1
            if key == "struck_off" and status_before == Status.PROBATIONARY:
                struck_off_probationary += 1
    # Organisations moved into or out of the subtree (no member event: the members went along).
    moved = list(
        OrganisationVersion.objects.filter(
            valid_from__gte=date_from, valid_from__lte=date_to
        ).values_list("organisation_id", "path", "valid_from")
    )
    previous = {
        (org_id, end): path
        for org_id, path, end in OrganisationVersion.objects.filter(
            valid_to__gte=date_from, valid_to__lte=date_to
        ).values_list("organisation_id", "path", "valid_to")
    }
    crossing: dict[date, dict[int, bool]] = {}  # day -> {organisation id: moved in?}
    for org_id, path, day in moved:
        before = previous.get((org_id, day))
        if before is None:
            continue  # newly founded: it brings no member with it
        was_in = before.startswith(tuple(inside.subject_paths(day - timedelta(days=1))))
        is_in = path.startswith(tuple(inside.subject_paths(day)))
        if was_in != is_in:
            crossing.setdefault(day, {})[org_id] = is_in
    for day, orgs in crossing.items():
        # Members there on the day before and still there after the move; anyone arriving or
        # leaving on that very day is counted by their own event. "Still there": in the party
        # in the same organisation on both days, whether or not one period spans them (a
        # recognition that takes effect on the day of the move starts a new period that day).
        ids = sorted(orgs)
        staying = []
        still_there = MemberPeriod.objects.filter(
            covering(day),
            member_id=OuterRef("member_id"),
            organisation_id=OuterRef("organisation_id"),
        )
        for start in range(0, len(ids), 1000):
            staying += (
                MemberPeriod.objects.filter(
                    covering(day - timedelta(days=1)),
                    Exists(still_there),
                    organisation_id__in=ids[start : start + 1000],
                )
                .values("organisation_id")
                .annotate(n=Count("*"))
                .values_list("organisation_id", "n")
            )
        for org_id, n in staying:
            if orgs[org_id]:
                increases["reorganised_in"] += n
            else:
                decreases["reorganised_out"] += n
    return {
        "organisation": {"code": org.code, "name": org.name},
        "continues": [{"code": p.code, "name": p.name, "until": day} for p, day in carried],
        "from": date_from,
        "to": date_to,
        "opening": opening,
        "increases": [
            {"key": k, "label": str(label), "count": increases[k]} for k, label in INCREASE_ROWS
        ],
        "increase_total": sum(increases.values()),
        "decreases": [
            {"key": k, "label": str(label), "count": decreases[k]} for k, label in DECREASE_ROWS
        ],
        "struck_off_probationary": struck_off_probationary,
        # Of the transfers: those from or to another province (or from outside Dangvu); the
        # rest were within the province.
        "transferred_in_other_province": transfers["in_other_province"],
        "transferred_out_other_province": transfers["out_other_province"],
        "decrease_total": sum(decreases.values()),
        "closing": closing,
    }


# --- what serves a person: through the gate --------------------------------------------------


def membership_report(
    *, actor, org: Organisation, as_of: date | None = None, compare: bool = False
) -> dict:
    """Form 3-BTCTW for `org`'s subtree on `as_of` (today when None), if the actor may see
    reports there (Http404 otherwise: outside the scope an organisation does not exist); with
    `compare`, the same figures a year before (`year_ago`, the form's "cùng kỳ năm trước"
    columns: the form itself asks for them; a page's key figures do not)."""
    if not allows(actor, "reports.view", org):
        raise Http404
    report = membership_figures(org, as_of)
    if compare:
        report["year_ago"] = year_ago_figures(org, report["as_of"])
    return report


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_ago_figures(org: Organisation, as_of: date) -> dict | None:
    """The counts of form 3-BTCTW a year before `as_of`, for the same subtree: the
    organisation then, and the units it has taken over since (a province that absorbed another
    compares with both: docs/decisions/0015). None when none of them existed then."""
    day = _year_before(as_of)
    units = [org] + [p for p, _taken in predecessors(org, day, as_of)]
    figures = []
    for unit in units:
        if org_version_on(unit, day) is not None:
            figures.append(membership_figures(unit, day))
    if not figures:
        return None
    out: dict = {"as_of": day, "breakdowns": {}}
    for key in ("total", "official", "probationary"):
        out[key] = sum(f["members"][key] for f in figures)
    for key in (
        "women",
        "ethnic_minority",
        "religious",
        "exempted",
        *PARTICULARS,
        "retired_exempted",
    ):
        out[key] = sum(f[key]["count"] for f in figures)
    for f in figures:
        for key, items in f["breakdowns"].items():
            counts = out["breakdowns"].setdefault(key, {})
            for item in items:
                counts[item["code"]] = counts.get(item["code"], 0) + item["count"]
    return out


def period_report(*, actor, org: Organisation, date_from: date, date_to: date) -> dict:
    """Form 1-BTCTW for `org`'s subtree over [date_from, date_to], through the gate."""
    if not allows(actor, "reports.view", org):
        raise Http404
    return period_figures(org, date_from, date_to)


def membership_trend(*, actor, org: Organisation, years: int = 5) -> dict:
    """The home page's charts for `org`'s subtree: members in the party at the end of each of
    the last `years` years and today, and admissions in each of those years (admission events
    recorded in organisations now under `org`), through the gate."""
    if not allows(actor, "reports.view", org):
        raise Http404
    today = timezone.localdate()
    first = today.year - years
    totals = []
    for year in range(first, today.year):
        day = date(year, 12, 31)
        if day >= org.valid_from:
            totals.append((str(year), _count_on(org, day)))
    totals.append((_("today"), _count_on(org, today)))
    rows = (
        MembershipEvent.objects.filter(
            type=EventType.ADMITTED,
            corrected_by__isnull=True,
            date__gte=date(first + 1, 1, 1),
            organisation__path__startswith=org.path,
        )
        .values_list("date__year")
        .annotate(n=Count("id"))
    )
    admitted = dict(rows)
    admissions = [(str(y), admitted.get(y, 0)) for y in range(first + 1, today.year + 1)]
    return {"totals": totals, "admissions": admissions}


# --- signed reports --------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def canonical_figures(report: dict) -> tuple[dict, str]:
    """The figures of a report as stored and compared (where they were counted from is not a
    figure) and the SHA-256 of their canonical JSON."""
    figures = {k: v for k, v in report.items() if k != "source"}
    text = json.dumps(
        figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    )
    return json.loads(text), hashlib.sha256(text.encode()).hexdigest()


def signed_reports(*, actor, org: Organisation) -> list[SignedReport]:
    """The reports signed for `org`, newest first (the actor sees reports there)."""
    if not allows(actor, "reports.view", org):
        raise Http404
    return list(SignedReport.objects.filter(organisation=org).select_related("signed_by")[:200])


def signed_report_get(*, actor, pk: int) -> SignedReport:
    signed = SignedReport.objects.select_related("organisation", "signed_by").filter(pk=pk).first()
    if signed is None or not allows(actor, "reports.view", signed):
        raise Http404
    return signed


def _leaves(value, path: str = "") -> dict[str, object]:
    """{"members.total": 12, "breakdowns.theory.advanced.count": 3, ...}: list items keyed by
    their code (or key) so that a row added in the middle does not shift the others."""
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_leaves(v, f"{path}.{k}" if path else str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            name = v.get("code") or v.get("key") if isinstance(v, dict) else None
            out.update(_leaves(v, f"{path}.{name if name is not None else i}"))
    else:
        out[path] = value
    return out


def signed_report_recheck(signed: SignedReport) -> dict:
    """The signed report counted again now: whether its figures still hold, the figures that
    differ (path, signed, now), and what was recorded since it was signed that reaches back
    into its date or period (membership events, including corrections, and changes and
    corrections of dated attributes), by whom."""
    org = signed.organisation
    if signed.kind == SignedReport.Kind.MEMBERSHIP:
        report = membership_figures(org, signed.as_of)
        if "year_ago" in signed.figures:
            report["year_ago"] = year_ago_figures(org, signed.as_of)
        day = signed.as_of
    else:
        report = period_figures(org, signed.date_from, signed.date_to)
        day = signed.date_to
    figures, digest = canonical_figures(report)
    was, now = _leaves(signed.figures), _leaves(figures)
    differences = [
        (path, was.get(path), now.get(path))
        for path in sorted(set(was) | set(now))
        if was.get(path) != now.get(path)
    ]
    since = Q(recorded_at__gt=signed.signed_at) & prefix_q("member__org_path", signed.org_path)
    events = (
        MembershipEvent.objects.filter(since, date__lte=day)
        .select_related("member", "recorded_by", "corrects")
        .order_by("recorded_at", "id")[:200]
    )
    attributes = (
        AttributeChange.objects.filter(since)
        .exclude(kind=AttributeChange.Kind.INITIAL)  # what was already there, not a change
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .select_related("member", "recorded_by")
        .order_by("recorded_at", "id")[:200]
    )
    return {
        "unchanged": digest == signed.digest,
        "digest": digest,
        "differences": differences,
        "events": list(events),
        "attributes": list(attributes),
    }


# --- form 5-BTCTW: grassroots organisations and members by grassroots type ---------------------

_COMMITTEE_LIKE = {OrgKind.GRASSROOTS_COMMITTEE, OrgKind.COMMUNE}


def grassroots_figures(org: Organisation, as_of: date | None = None) -> dict:
    """Form 5-BTCTW for `org`'s subtree on `as_of` (today when None): for each grassroots type,
    the grassroots party organisations (đảng bộ cơ sở, chi bộ cơ sở), the units inside them
    (đảng bộ bộ phận, chi bộ trực thuộc) and their members, in the tree of that date. A
    grassroots organisation inside another (a school's cell under a commune committee) is
    counted under its own type, with its own units and members."""
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"as_of": _("The date cannot be in the future.")})
    version = org_version_on(org, as_of)
    if version is None:
        raise ValidationError(
            {
                "as_of": _("%(name)s did not exist on %(d)s.")
                % {"name": org.name, "d": as_of.strftime("%d/%m/%Y")}
            }
        )
    versions = list(
        versions_on(as_of)
        .filter(prefix_q("path", version.path))
        .values_list("organisation_id", "path", "kind", "grassroots_type")
    )
    grassroots = {}  # path -> (kind, type)
    for _id, path, kind, gtype in versions:
        t = grassroots_type_of(kind, gtype)
        if t is not None:
            grassroots[path] = (kind, t or GrassrootsType.OTHER.value)

    def unit_of(path: str) -> str | None:
        """The nearest grassroots organisation at or above `path` (within the subtree)."""
        p = path
        while len(p) >= STEPLEN:
            if p in grassroots:
                return p
            p = p[:-STEPLEN]
        return None

    per_cell = dict(
        MemberPeriod.objects.filter(
            covering(as_of),
            status__in=IN_PARTY,
            organisation_id__in=[i for i, _p, kind, _t in versions if kind in MEMBER_HOLDING_KINDS],
        )
        .values("organisation_id")
        .annotate(n=Count("*"))
        .values_list("organisation_id", "n")
        .order_by()
    )
    rows: dict[str, Tally] = {}
    outside = 0  # members of cells under no grassroots organisation (none in a sound tree)
    for org_id, path, kind, _gtype in versions:
        own = path in grassroots
        unit = unit_of(path)
        if unit is None:
            outside += per_cell.get(org_id, 0)
            continue
        tally = rows.setdefault(grassroots[unit][1], Tally())
        if own:
            tally["committees" if kind in _COMMITTEE_LIKE else "cells"] += 1
        elif kind == OrgKind.SUB_COMMITTEE:
            tally["sub_committees"] += 1
        elif kind == OrgKind.CELL:
            tally["attached_cells"] += 1
        tally["members"] += per_cell.get(org_id, 0)
    columns = ("committees", "cells", "total", "sub_committees", "attached_cells", "members")
    out_rows = []
    total: Tally = Tally()
    for item in GrassrootsType:
        tally = rows.get(item.value)
        if not tally:
            continue
        tally["total"] = tally["committees"] + tally["cells"]
        total.update(tally)
        out_rows.append(
            {"type": item.value, "label": str(item.label), **{c: tally[c] for c in columns}}
        )
    return {
        "organisation": {"code": org.code, "name": version.name, "kind": version.kind},
        "as_of": as_of,
        "rows": out_rows,
        "total": {c: total[c] for c in columns},
        "members_outside_grassroots": outside,
    }


# --- form 2-BTCTW: members admitted over a period -------------------------------------------------

ADMISSION_BREAKDOWNS = [
    ("age_band", AGE_BANDS),
    ("ethnicity", ETHNICITIES),
    ("education", EDUCATION_LEVELS),
    ("professional", PROFESSIONAL_LEVELS),
    ("academic_title", ACADEMIC_TITLES),
    ("theory", THEORY_LEVELS),
    ("occupation", OCCUPATIONS),
]


def admission_events(
    cells, date_from: date, date_to: date | None = None, types=(EventType.ADMITTED,)
) -> list[tuple[str, date, int, int]]:
    """The effective admissions (or other `types` that open an in-party period: restorations)
    of [date_from, date_to] in some organisations (ids, or a subquery of them): (type, date,
    organisation id, member id). Found through the periods they opened (indexed by
    organisation and start): events have no index by organisation."""
    window = Q(valid_from__gte=date_from)
    if date_to is not None:
        window &= Q(valid_from__lte=date_to)
    members = sorted(
        set(
            MemberPeriod.objects.filter(window, organisation_id__in=cells).values_list(
                "member_id", flat=True
            )
        )
    )
    found = Q(date__gte=date_from) if date_to is None else Q(date__range=(date_from, date_to))
    out = []
    for start in range(0, len(members), 1000):
        out += MembershipEvent.objects.filter(
            found,
            member_id__in=members[start : start + 1000],
            corrected_by__isnull=True,
            type__in=types,
        ).values_list("type", "date", "organisation_id", "member_id")
    return out


def _admitted_in(org: Organisation, date_from: date, date_to: date):
    """The admissions (and restorations) of [date_from, date_to] in cells of `org`'s subtree on
    their day, the units it continues included: (predecessors, membership, {member: day},
    {member: cell}, restorations). Below the provinces found through the subtree's periods
    (a commune's five years at 1M members: 467 → 7 ms on SQLite), above them from the period's
    events."""
    eve = date_from - timedelta(days=1)
    carried = predecessors(org, eve, date_to)
    inside = _Membership(org, carried)
    types = (EventType.ADMITTED, EventType.RESTORED)
    if inside.below_provinces():
        events = admission_events(inside.cells(date_from, date_to), date_from, date_to, types)
    else:
        events = list(
            MembershipEvent.objects.filter(
                inside.events_q(date_from, date_to),
                date__gte=date_from,
                date__lte=date_to,
                corrected_by__isnull=True,
                type__in=types,
            ).values_list("type", "date", "organisation_id", "member_id")
        )
    inside.preload([e[2] for e in events])
    admitted: dict[int, date] = {}
    restored = 0
    cells: dict[int, int] = {}  # admitted member -> cell
    for etype, day, cell, member_id in events:
        if not inside.contains(cell, day):
            continue
        if etype == EventType.RESTORED:
            restored += 1
        else:
            admitted[member_id] = day
            cells[member_id] = cell
    return carried, inside, admitted, cells, restored


def admissions_between(org: Organisation, date_from: date, date_to: date) -> list[dict]:
    """The members admitted in `org`'s subtree over [date_from, date_to] (by the date of the
    decision, in the tree of that day, the units it continues included), each with the path
    of their cell that day and their gender, ethnicity and date of birth: what a term target
    counts (admission.selectors)."""
    _c, inside, admitted, cells, _r = _admitted_in(org, date_from, date_to)
    out = []
    ids = sorted(admitted)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for pk, gender, ethnicity, born in Member.objects.filter(pk__in=chunk).values_list(
            "pk", "gender", "ethnicity", "birth_date"
        ):
            day = admitted[pk]
            out.append(
                {
                    "member": pk,
                    "date": day,
                    "path": inside.path_of(cells[pk], day) or "",
                    "gender": gender,
                    "ethnicity": ethnicity,
                    "birth_date": born,
                }
            )
    return out


def admissions_figures(org: Organisation, date_from: date, date_to: date) -> dict:
    """Form 2-BTCTW for `org`'s subtree over [date_from, date_to]: the members admitted (by the
    date of the decision) in cells of the subtree on that day — and, for a unit formed within
    the period, in the units it continues — with women, ethnic minority and religious among
    them, those restored to membership, the breakdowns by age at admission, ethnicity and the
    dated attributes in force on the day of admission; and the grassroots organisations of the
    subtree at the end of the period with and without an admission."""
    today = timezone.localdate()
    if date_from > date_to:
        raise ValidationError({"from": _("The start of the period is after its end.")})
    if date_to > today:
        raise ValidationError({"to": _("The date cannot be in the future.")})
    carried, inside, admitted, cells, restored = _admitted_in(org, date_from, date_to)
    people = {}
    ids = sorted(admitted)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for pk, gender, ethnicity, religion, born in Member.objects.filter(
            pk__in=chunk
        ).values_list("pk", "gender", "ethnicity", "religion", "birth_date"):
            people[pk] = {
                "gender": gender,
                "ethnicity": ethnicity,
                "religion": religion,
                "born": born,
            }
        for pk, start, *attrs in (
            MemberPeriod.objects.filter(member_id__in=chunk)
            .order_by("member_id", "valid_from")
            .values_list("member_id", "valid_from", *DATED_FIELDS)
        ):
            person = people.get(pk)
            if person is None:
                continue
            if start < admitted[pk]:
                # In the party before this admission: admitted again (kết nạp lại).
                person["again"] = True
            elif "education" not in person:
                # The values in force on the day of admission.
                person.update(zip(DATED_FIELDS, attrs, strict=True))
    by: dict[str, Tally] = {key: Tally() for key, _r in ADMISSION_BREAKDOWNS}
    women = minority = religious = again = 0
    particulars: Tally = Tally()
    for pk, day in admitted.items():
        person = people[pk]
        again += person.get("again", False)
        for key in PARTICULARS:
            particulars[key] += person.get(key) == "yes"
        by["academic_title"][person.get("academic_title", "")] += 1
        women += person["gender"] == "F"
        minority += person["ethnicity"] != KINH
        religious += person["religion"] != NO_RELIGION
        by["age_band"][age_band(person["born"], day)] += 1
        by["ethnicity"][person["ethnicity"]] += 1
        by["education"][person.get("education", "")] += 1
        by["professional"][person.get("professional_level", "")] += 1
        by["theory"][person.get("theory_level", "")] += 1
        by["occupation"][person.get("occupation", "")] += 1
    total = len(admitted)
    breakdowns = {
        key: [
            {"code": item.code, "label": item.label, **_share(by[key].get(item.code, 0), total)}
            for item in reflist
            if by[key].get(item.code, 0) or key != "ethnicity"
        ]
        for key, reflist in ADMISSION_BREAKDOWNS
    }
    # The grassroots organisations at the end of the period, with and without an admission.
    end_version = org_version_on(org, date_to)
    with_admission = without = 0
    if end_version is not None:
        units = [
            path
            for _i, path, kind, gtype in versions_on(date_to)
            .filter(prefix_q("path", end_version.path))
            .values_list("organisation_id", "path", "kind", "grassroots_type")
            if grassroots_type_of(kind, gtype) is not None
        ]
        # Every organisation at or above a cell with an admission (a province's year: 1,700
        # units × 2,600 admissions compared one by one took 0.9 s).
        reached = {
            above
            for pk in admitted
            for above in ancestor_paths(inside.path_of(cells[pk], admitted[pk]) or "")
        }
        with_admission = sum(1 for unit in units if unit in reached)
        without = len(units) - with_admission
    return {
        "organisation": {"code": org.code, "name": org.name},
        "continues": [{"code": p.code, "name": p.name, "until": day} for p, day in carried],
        "from": date_from,
        "to": date_to,
        "admitted": total,
        "women": _share(women, total),
        "ethnic_minority": _share(minority, total),
        "religious": _share(religious, total),
        **{key: _share(particulars[key], total) for key in PARTICULARS},
        "readmitted": _share(again, total),
        "restored": restored,
        "breakdowns": breakdowns,
        "grassroots_with_admissions": with_admission,
        "grassroots_without_admissions": without,
    }


def grassroots_report(*, actor, org: Organisation, as_of: date | None = None) -> dict:
    """Form 5-BTCTW through the gate."""
    if not allows(actor, "reports.view", org):
        raise Http404
    return grassroots_figures(org, as_of)


def admissions_report(*, actor, org: Organisation, date_from: date, date_to: date) -> dict:
    """Form 2-BTCTW through the gate."""
    if not allows(actor, "reports.view", org):
        raise Http404
    return admissions_figures(org, date_from, date_to)
