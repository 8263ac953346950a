"""What must follow a change to member rows besides the rows themselves: the projections
(read models) kept in the writer's transaction — the rollup counters and snapshots of `stats`,
which sits above `members` (docs/decisions/0011).

Every write path of members.services (one event, a bulk load, a reorganisation, a corrected
record) ends in the same call, `project(changes, paths)`, with the member rows before and after
and, where the in-party periods changed, the periods before and after. The projections register
from their app's `AppConfig.ready()`; they are called explicitly, for bulk writes as for single
ones: no signals.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from dangvu.members.fields import DATED_FIELDS

__all__ = [
    "Span",
    "spans_of",
    "EventFact",
    "MemberChange",
    "MemberProjection",
    "register_projection",
    "project",
]


@dataclass(frozen=True)
class Span:
    """One in-party period as the projections read it, with the dated attributes in force
    during it (members.dated)."""

    org_id: int
    status: str
    exempted: bool
    valid_from: date
    valid_to: date | None
    education: str = ""
    professional_level: str = ""
    theory_level: str = ""
    occupation: str = ""
    academic_title: str = ""
    youth_union: str = ""
    enterprise_owner: str = ""
    married_foreigner: str = ""

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def spans_of(periods) -> list[Span]:
    return [
        Span(
            p.organisation_id,
            p.status,
            p.exempted,
            p.valid_from,
            p.valid_to,
            *(getattr(p, name) for name in DATED_FIELDS),
        )
        for p in periods
    ]


@dataclass(frozen=True)
class EventFact:
    """An event a write appended (sign +1), or one a correction undid (sign -1): its type, date
    and the organisation it names."""

    type: str
    date: date
    org_id: int | None
    sign: int = 1


@dataclass
class MemberChange:
    """A member row before (None: new) and after a write; the periods before and after when the
    write changed them or the counted record (None: a reorganisation, whose date the tree's
    history already marks); the events the write appended or undid."""

    before: Any
    after: Any
    before_spans: list[Span] | None = None
    after_spans: list[Span] | None = None
    events: list[EventFact] = field(default_factory=list)


class MemberProjection(Protocol):
    def members_changed(self, changes: list[MemberChange], paths: Any) -> None:
        """`paths` (organisations.tree.OrgPaths) already knows the changed members' cells."""


_projections: list[MemberProjection] = []


def register_projection(projection: MemberProjection) -> None:
    if projection not in _projections:
        _projections.append(projection)


def project(changes: list[MemberChange], paths) -> None:
    if not _projections:
        raise RuntimeError("no member projection is registered: is dangvu.stats installed?")
    for projection in _projections:
        projection.members_changed(changes, paths)
