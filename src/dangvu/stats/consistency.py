"""`dangvu check`: recompute everything derived from the events and compare, streaming (memory
stays flat at national size).

- each member's current state (status, cell, exemption, official date) = replay of its events;
- each member's in-party periods = the spans its events produce;
- each member's organisation path = its cell's path;
- every active organisation has exactly one open version, at its current path;
- every rollup counter = the sum over the current members and active organisations;
- every member's name has its search keys (one per word: members.models.NameKey);
- every foreign key has its constraint (PostgreSQL: a national load takes them out for its
  duration: core.db.foreign_keys_checked_after, dataset.national);
- what the apps register (core.registry.register_check), e.g. the indexes a stopped load left
  out (dataset).
"""

from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from django.apps import apps
from django.db.models import Count

from dangvu.core.db import missing_foreign_keys
from dangvu.core.errors import DomainError
from dangvu.core.registry import consistency_checks
from dangvu.core.text import rotations
from dangvu.members.choices import IN_PARTY, EventType
from dangvu.members.dated import DATED_FIELDS, Timeline, attrs_of
from dangvu.members.models import AttributeChange, Member, MemberPeriod, MembershipEvent, NameKey
from dangvu.members.services import replay_with_periods
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation, OrganisationVersion
from dangvu.stats.counted import COUNTED_FIELDS, member_contribution, org_contribution
from dangvu.stats.models import SubtreeCounter

__all__ = ["consistency_check"]

PROGRESS_EVERY = 500_000

# What the replay (members.services.replay_with_periods) and member_contribution read.
_MEMBER_FIELDS = (
    "id",
    "organisation_id",
    "org_path",
    "official_date",
    "ceremony_date",
    *COUNTED_FIELDS,
)


class _Event(NamedTuple):
    """An event as the replay reads it (members.services.event_input): a row, not a model
    instance (12 million of them at national size)."""

    id: int
    member_id: int
    type: str
    date: date
    organisation_id: int | None
    temp_organisation_id: int | None
    status_after: str


class _Member:
    """A member row as the replay and member_contribution read it (not a model instance)."""

    __slots__ = _MEMBER_FIELDS

    def __init__(self, values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


def _events_by_member():
    """(member_id, [effective events]) in member order, streaming."""
    corrected = set(
        MembershipEvent.objects.filter(corrects__isnull=False).values_list("corrects_id", flat=True)
    )
    current, batch = None, []
    rows = (
        MembershipEvent.objects.exclude(type=EventType.CORRECTION)
        .order_by("member_id", "seq")
        .values_list(*_Event._fields)
        .iterator(chunk_size=10000)
    )
    for ev in map(_Event._make, rows):
        if ev.id in corrected:
            continue
        if ev.member_id != current:
            if current is not None:
                yield current, batch
            current, batch = ev.member_id, []
        batch.append(ev)
    if current is not None:
        yield current, batch


def _grouped(rows, key_index: int = 0):
    """(key, [rows]) from rows already ordered by that key."""
    current, batch = None, []
    for row in rows:
        if row[key_index] != current:
            if batch:
                yield current, batch
            current, batch = row[key_index], []
        batch.append(row)
    if batch:
        yield current, batch


def _check_members(report, org_paths: dict[int, str], progress=None) -> dict[str, Tally]:
    """Members against their events, periods against the events, paths against the cells: three
    streams in member order, so memory does not grow with the number of members. Returns what
    the members with a wrong path contribute, by their cell's true path (for the recount)."""
    misplaced: dict[str, Tally] = defaultdict(Tally)
    events = _events_by_member()
    periods = _grouped(
        MemberPeriod.objects.order_by("member_id", "valid_from", "id")
        .values_list(
            "member_id",
            "organisation_id",
            "status",
            "exempted",
            "valid_from",
            "valid_to",
            *DATED_FIELDS,
        )
        .iterator(chunk_size=5000)
    )
    # The dated attributes' histories, in the order recorded (members.dated).
    changes = _grouped(
        AttributeChange.objects.order_by("member_id", "id")
        .values_list("member_id", "field", "value", "kind", "valid_from")
        .iterator(chunk_size=5000)
    )
    ev = next(events, None)
    per = next(periods, None)
    chg = next(changes, None)
    members = Member.objects.order_by("pk").values_list(*_MEMBER_FIELDS).iterator(chunk_size=10000)
    for done, m in enumerate(map(_Member, members), start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(f"members: {done:,} checked")
        if org_paths.get(m.organisation_id) != m.org_path:
            report(
                "path",
                f"member {m.pk}: path {m.org_path} but its cell is at "
                f"{org_paths.get(m.organisation_id)}",
            )
            misplaced[org_paths.get(m.organisation_id)].update(member_contribution(m))
        while ev is not None and ev[0] < m.pk:
            ev = next(events, None)
        while per is not None and per[0] < m.pk:
            per = next(periods, None)
        while chg is not None and chg[0] < m.pk:
            chg = next(changes, None)
        stored = [p[1:] for p in per[1]] if per is not None and per[0] == m.pk else []
        timeline = None
        if chg is not None and chg[0] == m.pk:
            timeline = Timeline(m, [c[1:] for c in chg[1]])
            if timeline.current() != attrs_of(m):
                report(
                    "attributes",
                    f"member {m.pk}: record {attrs_of(m)} but its history gives "
                    f"{timeline.current()}",
                )
        if ev is None or ev[0] != m.pk:
            report("state", f"member {m.pk}: has no membership event")
            continue
        member_events = ev[1]
        try:
            state, rebuilt_periods = replay_with_periods(m, member_events, timeline=timeline)
        except DomainError as exc:
            report("replay", f"member {m.pk}: its events break a rule: {exc.message}")
            continue
        expected = (state.status, state.org_id, state.exempted, state.official_date)
        actual = (m.status, m.organisation_id, m.exempted, m.official_date)
        if expected != actual:
            report("state", f"member {m.pk}: row {actual} but events give {expected}")
        rebuilt = [
            (p.organisation_id, p.status, p.exempted, p.valid_from, p.valid_to, *attrs_of(p))
            for p in rebuilt_periods
        ]
        if rebuilt != stored:
            report("periods", f"member {m.pk}: periods {stored} but events give {rebuilt}")
    return misplaced


def _check_name_keys(report) -> None:
    """Each distinct member name against the number of its keys (memory: one entry per
    distinct name: about 62,000 for 1M generated members)."""
    keys = dict(NameKey.objects.values("name").annotate(n=Count("*")).values_list("name", "n"))
    names = (
        Member.objects.exclude(name_folded="")
        .order_by("name_folded")
        .values_list("name_folded", flat=True)
        .distinct()
    )
    for name in names.iterator(chunk_size=10000):
        if keys.get(name, 0) != len(rotations(name)):
            report("name keys", f"name {name!r}: {keys.get(name, 0)} search keys")


def _check_foreign_keys(report) -> None:
    models = [m for m in apps.get_models() if m.__module__.startswith("dangvu.")]
    for column in missing_foreign_keys(*models):
        report(
            "foreign keys",
            f"{column}: no foreign key constraint (a `dangvu generate` stopped while loading: "
            "run it again with the same arguments)",
        )


def _check_versions(report) -> None:
    open_versions = defaultdict(list)
    for org_id, path in OrganisationVersion.objects.filter(valid_to__isnull=True).values_list(
        "organisation_id", "path"
    ):
        open_versions[org_id].append(path)
    # Each organisation's versions follow each other: none inverted, none overlapping.
    previous: tuple | None = None
    for org_id, start, end in (
        OrganisationVersion.objects.order_by("organisation_id", "valid_from", "id")
        .values_list("organisation_id", "valid_from", "valid_to")
        .iterator(chunk_size=10000)
    ):
        if end is not None and end < start:
            report(
                "versions",
                f"organisation {org_id}: a version ends ({end}) before it starts ({start})",
            )
        if previous and previous[0] == org_id and (previous[2] is None or previous[2] > start):
            report("versions", f"organisation {org_id}: versions overlap from {start}")
        previous = (org_id, start, end)
    for org_id, path in Organisation.objects.filter(valid_to__isnull=True).values_list(
        "id", "path"
    ):
        if open_versions.get(org_id) != [path]:
            report(
                "versions",
                f"organisation {org_id}: open versions {open_versions.get(org_id)} "
                f"but it is at {path}",
            )


class _Org:
    __slots__ = ("kind", "grassroots_type")

    def __init__(self, kind, grassroots_type):
        self.kind, self.grassroots_type = kind, grassroots_type


def _check_counters(report, org_paths: dict[int, str], misplaced: dict[str, Tally]) -> None:
    """Every rollup counter against a recount: organisations walked in path order (depth
    first) beside the members in path order, each subtree's figures added into its parent's
    when the walk leaves it, and compared with the stored rows 500 organisations at a time.
    Memory holds one branch of the tree, not the country."""
    pending: dict[int, Tally] = {}

    def flush() -> None:
        stored: dict[int, Tally] = defaultdict(Tally)
        for org_id, dim, value, count in SubtreeCounter.objects.filter(
            organisation_id__in=list(pending)
        ).values_list("organisation_id", "dim", "value", "count"):
            if count:
                stored[org_id][(dim, value)] = count
        for org_id, expected in pending.items():
            expected = Tally({k: v for k, v in expected.items() if v})
            found = stored.get(org_id, Tally())
            for dim, value in sorted(found.keys() | expected.keys()):
                if found.get((dim, value), 0) != expected.get((dim, value), 0):
                    report(
                        "counters",
                        f"counter organisation {org_id} {dim}={value}: stored "
                        f"{found.get((dim, value), 0)} but recomputed "
                        f"{expected.get((dim, value), 0)}",
                    )
        pending.clear()

    stack: list[tuple[str, int, Tally, bool]] = []

    def leave() -> None:
        path, org_id, tally, holds_members = stack.pop()
        if stack:
            stack[-1][2].update(tally)
        # A cell keeps no counter rows (stats.counters): any stored row is an error.
        pending[org_id] = Tally() if holds_members else tally
        if len(pending) >= 500:
            flush()

    members = map(
        _Member,
        Member.objects.filter(status__in=IN_PARTY)
        .order_by("org_path")
        .values_list(*_MEMBER_FIELDS)
        .iterator(chunk_size=5000),
    )
    member = next(members, None)
    for org_id, path, kind, gtype, valid_to in (
        Organisation.objects.order_by("path")
        .values_list("id", "path", "kind", "grassroots_type", "valid_to")
        .iterator(chunk_size=5000)
    ):
        while stack and not path.startswith(stack[-1][0]):
            leave()
        tally: Tally = Tally(org_contribution(_Org(kind, gtype)) if valid_to is None else {})
        while member is not None and member.org_path < path:
            member = next(members, None)  # a path no organisation has: reported by _members
        while member is not None and member.org_path == path:
            if org_paths.get(member.organisation_id) == path:
                tally.update(member_contribution(member))
            member = next(members, None)
        tally.update(misplaced.get(path, {}))
        stack.append((path, org_id, tally, kind in MEMBER_HOLDING_KINDS))
    while stack:
        leave()
    flush()


def consistency_check(limit: int = 50, progress: Callable[[str], None] | None = None) -> list[str]:
    """Differences found (empty when everything agrees); at most `limit` per kind. `progress`
    is told which part runs, and every PROGRESS_EVERY members checked."""
    problems: list[str] = []
    per_kind: Tally = Tally()

    def report(kind: str, message: str) -> None:
        per_kind[kind] += 1
        if per_kind[kind] <= limit:
            problems.append(message)

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    step("foreign keys")
    _check_foreign_keys(report)
    for name, check in consistency_checks().items():
        step(name)
        check(report)
    org_paths = dict(Organisation.objects.values_list("id", "path").iterator(chunk_size=10000))
    step("members against their events")
    misplaced = _check_members(report, org_paths, progress)
    step("organisation versions")
    _check_versions(report)
    step("name search keys")
    _check_name_keys(report)
    step("counters")
    _check_counters(report, org_paths, misplaced)
    for kind, n in per_kind.items():
        if n > limit:
            problems.append(f"… and {n - limit} more differences of kind {kind}")
    return problems
