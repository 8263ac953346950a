"""`dangvu check`: recompute everything derived from the events and compare.

- each member's current state (status, cell, exemption, official date) = replay of its events;
- each member's in-party periods = the spans its events produce;
- each member's organisation path = its cell's path;
- every active organisation has exactly one open version, at its current path;
- every rollup counter = the sum over the current members and active organisations.
"""

from collections import Counter as Tally
from collections import defaultdict

from dangvu.core.errors import DomainError
from dangvu.members.choices import EventType
from dangvu.members.models import Member, MemberPeriod, MembershipEvent
from dangvu.members.rollup import member_contribution
from dangvu.members.services import periods_from_events, replay_member
from dangvu.organisations.models import Organisation, OrganisationVersion, SubtreeCounter
from dangvu.organisations.rollups import ancestor_paths, org_contribution

__all__ = ["consistency_check"]

_MEMBER_FIELDS = (
    "id",
    "status",
    "organisation_id",
    "org_path",
    "exempted",
    "official_date",
    "admission_date",
    "ceremony_date",
    "gender",
    "ethnicity",
    "religion",
    "birth_date",
    "education",
    "professional_level",
    "theory_level",
    "occupation",
)


def _events_by_member():
    """(member_id, [effective events]) in member order, streaming."""
    corrected = set(
        MembershipEvent.objects.filter(corrects__isnull=False).values_list("corrects_id", flat=True)
    )
    current, batch = None, []
    qs = MembershipEvent.objects.exclude(type=EventType.CORRECTION).order_by("member_id", "seq")
    for ev in qs.iterator(chunk_size=5000):
        if ev.pk in corrected:
            continue
        if ev.member_id != current:
            if current is not None:
                yield current, batch
            current, batch = ev.member_id, []
        batch.append(ev)
    if current is not None:
        yield current, batch


def consistency_check(limit: int = 50) -> list[str]:
    """Differences found (empty when everything agrees); at most `limit` per kind."""
    problems: list[str] = []
    per_kind: Tally = Tally()

    def report(kind: str, message: str) -> None:
        per_kind[kind] += 1
        if per_kind[kind] <= limit:
            problems.append(message)

    org_paths = dict(Organisation.objects.values_list("id", "path"))
    path_to_id = {path: pk for pk, path in org_paths.items()}

    # Members against their events; periods against the events.
    members = {m.pk: m for m in Member.objects.only(*_MEMBER_FIELDS).iterator(chunk_size=5000)}
    stored_periods = defaultdict(list)
    for p in (
        MemberPeriod.objects.order_by("member_id", "valid_from", "id")
        .values_list("member_id", "organisation_id", "status", "exempted", "valid_from", "valid_to")
        .iterator(chunk_size=5000)
    ):
        stored_periods[p[0]].append(p[1:])
    seen = set()
    for member_id, events in _events_by_member():
        seen.add(member_id)
        m = members.get(member_id)
        if m is None:
            continue
        try:
            state = replay_member(m, events)
            periods = periods_from_events(m, events)
        except DomainError as exc:
            report("replay", f"member {member_id}: its events break a rule: {exc.message}")
            continue
        expected = (state.status, state.org_id, state.exempted, state.official_date)
        actual = (m.status, m.organisation_id, m.exempted, m.official_date)
        if expected != actual:
            report("state", f"member {member_id}: row {actual} but events give {expected}")
        rebuilt = [
            (p.organisation_id, p.status, p.exempted, p.valid_from, p.valid_to) for p in periods
        ]
        if rebuilt != stored_periods.get(member_id, []):
            report(
                "periods",
                f"member {member_id}: periods {stored_periods.get(member_id, [])} "
                f"but events give {rebuilt}",
            )
    for member_id in members.keys() - seen:
        report("state", f"member {member_id}: has no membership event")
    for m in members.values():
        if org_paths.get(m.organisation_id) != m.org_path:
            report(
                "path",
                f"member {m.pk}: path {m.org_path} but its cell is at "
                f"{org_paths.get(m.organisation_id)}",
            )

    # Organisation versions.
    open_versions = defaultdict(list)
    for org_id, path in OrganisationVersion.objects.filter(valid_to__isnull=True).values_list(
        "organisation_id", "path"
    ):
        open_versions[org_id].append(path)
    # Each organisation's versions follow each other: none inverted, none overlapping.
    previous: tuple | None = None
    for org_id, start, end in OrganisationVersion.objects.order_by(
        "organisation_id", "valid_from", "id"
    ).values_list("organisation_id", "valid_from", "valid_to"):
        if end is not None and end < start:
            report(
                "versions",
                f"organisation {org_id}: a version ends ({end}) before it starts ({start})",
            )
        if previous and previous[0] == org_id and (previous[2] is None or previous[2] > start):
            report("versions", f"organisation {org_id}: versions overlap from {start}")
        previous = (org_id, start, end)
    expected_counters: Tally = Tally()
    for org in Organisation.objects.filter(valid_to__isnull=True).only(
        "id", "path", "kind", "grassroots_type", "depth"
    ):
        if open_versions.get(org.pk) != [org.path]:
            report(
                "versions",
                f"organisation {org.pk}: open versions {open_versions.get(org.pk)} "
                f"but it is at {org.path}",
            )
        for (dim, value), n in org_contribution(org).items():
            for path in ancestor_paths(org.path):
                expected_counters[(path_to_id[path], dim, value)] += n

    # Counters.
    for m in members.values():
        contribution = member_contribution(m)
        if not contribution:
            continue
        for path in ancestor_paths(org_paths[m.organisation_id]):
            org_id = path_to_id[path]
            for (dim, value), n in contribution.items():
                expected_counters[(org_id, dim, value)] += n
    stored = Tally()
    for org_id, dim, value, count in SubtreeCounter.objects.values_list(
        "organisation_id", "dim", "value", "count"
    ).iterator(chunk_size=10000):
        if count:
            stored[(org_id, dim, value)] = count
    expected_counters = Tally({k: v for k, v in expected_counters.items() if v})
    for key in sorted(stored.keys() | expected_counters.keys()):
        if stored.get(key, 0) != expected_counters.get(key, 0):
            org_id, dim, value = key
            report(
                "counters",
                f"counter organisation {org_id} {dim}={value}: stored "
                f"{stored.get(key, 0)} but recomputed {expected_counters.get(key, 0)}",
            )
    for kind, n in per_kind.items():
        if n > limit:
            problems.append(f"… and {n - limit} more differences of kind {kind}")
    return problems
