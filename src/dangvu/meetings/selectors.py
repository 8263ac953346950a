"""Reads of cell meetings, each through the access gate with the actor: a cell's calendar, one
meeting with its attendance, a member's own view, and the dashboard of a subtree over a period
(which cells met each month, attendance, quality, supervision and task coverage)."""

from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, holds_anywhere, restrict
from dangvu.core.db import prefix_q
from dangvu.core.registry import DueItem
from dangvu.meetings.choices import Kind, State, TaskState
from dangvu.meetings.models import (
    Meeting,
    MeetingEvaluation,
    MeetingFile,
    MemberTask,
    Supervision,
    SupervisionVisit,
)
from dangvu.meetings.rollup import FIGURES, rollup_months
from dangvu.meetings.services import roster
from dangvu.members.choices import IN_PARTY
from dangvu.members.models import Member, MemberPeriod
from dangvu.members.selectors import COUNT_BOUND, bounded_count
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation
from dangvu.stats.models import SubtreeCounter

__all__ = [
    "meeting_list",
    "meeting_get",
    "meeting_file",
    "attendance_of",
    "cell_members",
    "own_view",
    "task_list",
    "meetings_report",
    "org_row",
    "meetings_due",
]

HELD = (State.HELD, State.APPROVED)


def org_row(org: Organisation) -> Meeting:
    """A stand-in row in `org` for the gate's decision about the organisation itself."""
    row = Meeting()
    row.org_path = org.path
    return row


def meeting_list(
    *,
    actor,
    org: Organisation | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str = "",
    state: str = "",
):
    """The meetings the actor may see (under `org` when given), latest first: those the gate
    allows, and a member's own cell's."""
    qs = restrict(Meeting.objects.all(), actor, "meetings.view")
    member = _member_of(actor)
    if member is not None:
        qs = qs | Meeting.objects.filter(organisation_id=member.organisation_id)
    if org is not None:
        qs = qs.filter(prefix_q("org_path", org.path))
    if date_from is not None:
        qs = qs.filter(planned_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(planned_on__lte=date_to)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("organisation").order_by("-planned_on", "org_path", "-pk")


def task_list(*, actor, org: Organisation | None = None, state: str = ""):
    """The member tasks the actor may see (under `org` when given; in `state` when it is one),
    soonest due first."""
    qs = restrict(MemberTask.objects.all(), actor, "meetings.view")
    if org is not None:
        qs = qs.filter(prefix_q("org_path", org.path))
    if state in TaskState.values:
        qs = qs.filter(state=state)
    return qs.select_related("member", "organisation").order_by("due_on", "pk")


def meeting_get(*, actor, pk: int, action: str = "meetings.view") -> Meeting:
    m = (
        Meeting.objects.select_related("organisation", "chair", "minute_taker")
        .filter(pk=pk)
        .first()
    )
    if m is None or not (allows(actor, action, m) or _own_cell(actor, m, action)):
        raise Http404
    return m


def meeting_file(*, actor, meeting_id: int, file_id: int) -> MeetingFile:
    """A file of a meeting the actor may see (a member: of their own cell), or 404."""
    m = meeting_get(actor=actor, pk=meeting_id)
    f = MeetingFile.objects.filter(meeting=m, pk=file_id).first()
    if f is None:
        raise Http404
    return f


def _member_of(actor) -> Member | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return Member.objects.filter(user_id=actor.pk).select_related("organisation").first()


def _own_cell(actor, m: Meeting, action: str) -> bool:
    """A member sees the meetings of their own cell (and nothing else of it)."""
    if action != "meetings.view":
        return False
    member = _member_of(actor)
    return member is not None and member.organisation_id == m.organisation_id


def attendance_of(m: Meeting) -> list[dict]:
    """Every member of the cell on the meeting's day with their attendance: present (the
    default), absent with or without reason, temporarily elsewhere; for a meeting not yet
    held, the members as of its planned day."""
    day = m.held_on or m.planned_on
    absent = {a.member_id: a for a in m.absences.all()}
    out = []
    for e in roster(m.organisation, day):
        a = absent.get(e.member_id)
        out.append(
            {
                "member": e.member_id,
                "full_name": e.full_name,
                "official": e.official,
                "exempted": e.exempted,
                "away": e.away,
                "attendance": "away" if e.away else (a.kind if a else "present"),
                "reason": a.reason if a else "",
            }
        )
    return out


def cell_members(m: Meeting, ids) -> dict[int, Member]:
    """{id: member} of the given member ids that belong to the meeting's cell now or belonged
    to it (the service checks the day's roster)."""
    wanted = sorted({i for i in ids if i})
    return {
        p.pk: p
        for p in Member.objects.filter(pk__in=wanted)
        .filter(
            Q(organisation_id=m.organisation_id) | Q(periods__organisation_id=m.organisation_id)
        )
        .distinct()
    }


def own_view(*, actor, today: date | None = None) -> dict | None:
    """A member's own page (the e-handbook's core): the next meetings of their cell, their
    tasks, their attendance over the last twelve months and the resolutions of their cell.
    None for a user who is no member."""
    member = _member_of(actor)
    if member is None:
        return None
    today = today or timezone.localdate()
    cell_meetings = Meeting.objects.filter(organisation_id=member.organisation_id)
    upcoming = list(
        cell_meetings.filter(state=State.PLANNED, planned_on__gte=today).order_by("planned_on")[:5]
    )
    held = list(
        cell_meetings.filter(state__in=HELD, held_on__gte=today - timedelta(days=365))
        .prefetch_related("absences")
        .order_by("-held_on")
    )
    record = []
    for m in held:
        mine = next((a for a in m.absences.all() if a.member_id == member.pk), None)
        record.append({"meeting": m, "attendance": mine.kind if mine else "present"})
    tasks = list(MemberTask.objects.filter(member=member).order_by("due_on", "pk"))
    resolutions = [m for m in held if m.resolution][:12]
    return {
        "member": member,
        "upcoming": upcoming,
        "attendance": record,
        "present": sum(r["attendance"] == "present" for r in record),
        "tasks": tasks,
        "resolutions": resolutions,
    }


# --- the dashboard --------------------------------------------------------------------------------


def _months_ended(date_from: date, date_to: date) -> list[date]:
    """The months of the period that have ended: a cell that has not met yet this month has
    not missed it, nor a month still to come."""
    this_month = timezone.localdate().replace(day=1)
    return _months(date_from, min(date_to, this_month - timedelta(days=1)))


def _months(date_from: date, date_to: date) -> list[date]:
    out, month = [], date_from.replace(day=1)
    while month <= date_to:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


CELL_GRID_LIMIT = 300  # cells shown one by one (month by month); a larger subtree drills down


@dataclass
class _Tally:
    """What the meetings of a set of cells add up to."""

    cells: int = 0
    cell_months: int = 0  # (cell, month) pairs the period covers
    met: int = 0  # of those, the ones with a regular meeting held
    held: int = 0
    present: int = 0
    convened: int = 0
    invalid: int = 0
    levels: Tally = field(default_factory=Tally)
    visited: int = 0
    active: int = 0
    with_task: int = 0

    def add(self, other: "_Tally") -> None:
        for name in (
            "cells",
            "cell_months",
            "met",
            "held",
            "present",
            "convened",
            "invalid",
            "visited",
            "active",
            "with_task",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.levels.update(other.levels)

    def out(self) -> dict:
        return {
            "cells": self.cells,
            "meetings_held": self.held,
            "monthly_share": round(self.met / self.cell_months * 100, 2)
            if self.cell_months
            else None,
            "attendance_rate": round(self.present / self.convened * 100, 2)
            if self.convened
            else None,
            "invalid": self.invalid,
            "quality": dict(self.levels),
            "visited_cells": self.visited,
            "active_members": self.active,
            "with_task": self.with_task,
            "task_share": round(self.with_task / self.active * 100, 2) if self.active else None,
        }


def meetings_report(
    *, actor, org: Organisation, date_from: date, date_to: date, source: str = "auto"
) -> dict:
    """For `org`'s subtree over [date_from, date_to]: the cells (those that existed in the
    period), the share of them that held their regular meeting in each month and which did not,
    the attendance rate, the quality levels (the supervisor's evaluation where there is one,
    else the cell's), the cells a supervisor visited, and the share of active members (on the
    period's last day: in the party, not exempted) with a task. Counted from the meetings' own
    counts. Drill-down: the same figures for each organisation directly under `org`, and, for
    a subtree of at most CELL_GRID_LIMIT cells, each cell month by month. The nation and a
    province with more than CELL_GRID_LIMIT cells read whole months from the monthly rollup
    (_report_from_rollup); `source` "meetings" or "rollup" forces one path."""
    if not allows(actor, "meetings.view", org_row(org)):
        raise Http404
    whole_months = date_from.day == 1 and date_to == _month_end(date_to.replace(day=1))
    if source == "rollup" or (
        source == "auto"
        and whole_months
        and len(org.path) <= ROLLUP_FAST_DEPTH * Organisation.steplen
        # A small subtree is read from its meetings: the names of its cells come with it.
        and _counted_now([org.pk])[org.pk][0] > CELL_GRID_LIMIT
    ):
        if not whole_months:
            raise ValueError("the rollup holds whole months")
        return _report_from_rollup(org, date_from, date_to)
    cells = list(
        Organisation.objects.filter(
            prefix_q("path", org.path),
            kind__in=sorted(MEMBER_HOLDING_KINDS),
            valid_from__lte=date_to,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=date_from))
        .values_list("pk", "code", "name", "path", "valid_from", "valid_to")
        .order_by("path")
    )
    months = _months_ended(date_from, date_to)
    ended = set(months)
    held = list(
        Meeting.objects.filter(
            prefix_q("org_path", org.path),
            state__in=HELD,
            held_on__gte=date_from,
            held_on__lte=date_to,
        ).values_list("pk", "organisation_id", "kind", "held_on", "present", "convened", "valid")
    )
    levels: dict[int, str] = {}
    for meeting_id, by, level in MeetingEvaluation.objects.filter(
        meeting_id__in=[h[0] for h in held]
    ).values_list("meeting_id", "by", "level"):
        if by == "supervisor" or meeting_id not in levels:
            levels[meeting_id] = level
    visited = set(
        SupervisionVisit.objects.filter(
            prefix_q("supervision__org_path", org.path),
            attended=True,
            meeting__held_on__gte=date_from,
            meeting__held_on__lte=date_to,
        ).values_list("supervision__organisation_id", flat=True)
    )
    assigned = set(
        Supervision.objects.filter(prefix_q("org_path", org.path), valid_from__lte=date_to)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date_from))
        .values_list("organisation_id", flat=True)
    )
    with_task = set(
        MemberTask.objects.filter(
            prefix_q("org_path", org.path), assigned_on__lte=date_to, due_on__gte=date_from
        )
        .exclude(state=TaskState.CANCELLED)
        .values_list("member_id", flat=True)
    )
    active_in: dict[int, int] = dict(
        MemberPeriod.objects.filter(
            prefix_q("organisation__path", org.path),
            status__in=sorted(IN_PARTY),
            exempted=False,
            valid_from__lte=date_to,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=date_to))
        .values_list("member_id", "organisation_id")
    )

    # Per cell, then summed up.
    per_cell: dict[int, _Tally] = {}
    met: dict[int, dict[date, str]] = {}  # cell -> month -> the level of its regular meeting
    attendance: dict[int, dict[date, tuple[int, int]]] = {}
    for pk, _code, _name, _path, valid_from, valid_to in cells:
        t = per_cell[pk] = _Tally(cells=1, visited=pk in visited)
        t.cell_months = sum(
            valid_from <= _month_end(m) and (valid_to is None or valid_to > m) for m in months
        )
        met[pk], attendance[pk] = {}, {}
    for pk, cell, kind, day, p, c, valid in held:
        t = per_cell.get(cell)
        if t is None:  # a cell that no longer exists in this subtree's tree
            continue
        t.held += 1
        t.present += p
        t.convened += c
        t.invalid += valid is False
        if pk in levels:
            t.levels[levels[pk]] += 1
        month = day.replace(day=1)
        if kind == Kind.REGULAR:
            met[cell][month] = levels.get(pk, met[cell].get(month, ""))
        a = attendance[cell].get(month, (0, 0))
        attendance[cell][month] = (a[0] + p, a[1] + c)
    for member_id, cell in active_in.items():
        t = per_cell.get(cell)
        if t is not None:
            t.active += 1
            t.with_task += member_id in with_task
    for pk, t in per_cell.items():
        t.met = len(ended.intersection(met[pk]))
    total = _Tally()
    for t in per_cell.values():
        total.add(t)

    names = {pk: (code, name) for pk, code, name, *_rest in cells}
    by_month = []
    for month in months:
        missing = [
            names[pk]
            for pk, *_rest, valid_from, valid_to in cells
            if month not in met[pk]
            and valid_from <= _month_end(month)
            and (valid_to is None or valid_to > month)
        ]
        existing = sum(
            valid_from <= _month_end(month) and (valid_to is None or valid_to > month)
            for *_rest, valid_from, valid_to in cells
        )
        by_month.append(
            {
                "month": month,
                "held": existing - len(missing),
                "cells": existing,
                "missing": [{"code": c, "name": n} for c, n in missing],
            }
        )

    children = []
    depth = len(org.path) + Organisation.steplen
    if len(cells) != 1 or cells[0][0] != org.pk:
        groups: dict[str, _Tally] = {}
        for pk, _code, _name, path, *_rest in cells:
            groups.setdefault(path[:depth], _Tally()).add(per_cell[pk])
        for child in Organisation.objects.filter(path__in=list(groups)).order_by("path"):
            children.append({"code": child.code, "name": child.name, **groups[child.path].out()})

    grid = None
    if len(cells) <= CELL_GRID_LIMIT:
        grid = [
            {
                "code": code,
                "name": name,
                "months": [
                    {
                        "month": m,
                        "exists": valid_from <= _month_end(m)
                        and (valid_to is None or valid_to > m),
                        "met": m in met[pk],
                        "level": met[pk].get(m, ""),
                        "attendance_rate": round(attendance[pk][m][0] / attendance[pk][m][1] * 100)
                        if attendance[pk].get(m, (0, 0))[1]
                        else None,
                    }
                    for m in months
                ],
                **per_cell[pk].out(),
            }
            for pk, code, name, _path, valid_from, valid_to in cells
        ]

    out = total.out()
    return {
        "organisation": {"code": org.code, "name": org.name},
        "from": date_from,
        "to": date_to,
        "cells": len(cells),
        "months": by_month,
        "meetings_held": total.held,
        "monthly_share": out["monthly_share"],
        "attendance_rate": out["attendance_rate"],
        "invalid": total.invalid,
        "quality": dict(total.levels),
        "evaluated": sum(total.levels.values()),
        "supervision": {
            "assigned_cells": len(assigned),
            "visited_cells": total.visited,
            "not_visited": [
                {"code": names[pk][0], "name": names[pk][1]} for pk in names if pk not in visited
            ],
        },
        "tasks": {
            "active_members": total.active,
            "with_task": total.with_task,
            "share": out["task_share"],
        },
        "children": children,
        "cell_grid": grid,
    }


# The nation and the provinces read their dashboard from the monthly rollup (meetings.rollup)
# for whole months; their children's rows are there too.
ROLLUP_FAST_DEPTH = 2


def _counted_now(org_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{organisation: (cells, active members)} today, from the rollup counters."""
    out: dict[int, list[int]] = {pk: [0, 0] for pk in org_ids}
    for pk, dim, value, count in SubtreeCounter.objects.filter(
        organisation_id__in=org_ids,
        dim__in=("org_kind", "members", "exempted"),
    ).values_list("organisation_id", "dim", "value", "count"):
        if dim == "org_kind" and value in MEMBER_HOLDING_KINDS:
            out[pk][0] += count
        elif dim == "members" and value == "total":
            out[pk][1] += count
        elif dim == "exempted" and value == "1":
            out[pk][1] -= count
    return {pk: (v[0], v[1]) for pk, v in out.items()}


def _report_from_rollup(org: Organisation, date_from: date, date_to: date) -> dict:
    """The dashboard of a large subtree (the nation, a province) for whole months: the
    figures of each month from MeetingMonth, for the organisation and the ones directly under
    it; the cells and active members as the counters hold them today; the cells visited from
    the first visits of each year when the period starts in January, else counted from the
    visits; members with a task counted from the tasks (docs/decisions/0021)."""
    months = _months_ended(date_from, date_to)
    # The totals count this month's meetings too (as the meetings' path does).
    counted_months = _months(date_from, min(date_to, timezone.localdate()))
    children = list(
        Organisation.objects.filter(
            path__startswith=org.path,
            depth=org.depth + 1,
            valid_from__lte=date_to,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=date_from))
        .values_list("pk", "code", "name", "path")
        .order_by("path")
    )
    ids = [org.pk] + [c[0] for c in children]
    rows = rollup_months(ids, counted_months[0], counted_months[-1]) if counted_months else {}
    counted = _counted_now(ids)
    # First visits add up to the cells visited from January of one year.
    from_first_visits = date_from.month == 1 and date_to.year == date_from.year

    def figures(pk: int) -> _Tally:
        sums = [0] * len(FIGURES)
        for month in counted_months:
            for i, v in enumerate(rows.get((pk, month), ())):
                sums[i] += v
        sums[0] = sum(rows.get((pk, month), [0])[0] for month in months)
        cells, active = counted[pk]
        t = _Tally(
            cells=cells,
            cell_months=cells * len(months),
            met=sums[0],
            held=sums[1],
            present=sums[2],
            convened=sums[3],
            invalid=sums[4],
            levels=Tally(
                {
                    level: n
                    for level, n in zip(("good", "fair", "average", "poor"), sums[5:9], strict=True)
                    if n
                }
            ),
            visited=sums[9] if from_first_visits else 0,
            active=active,
        )
        return t

    visited_paths: list[str] = []
    if not from_first_visits:
        # Counted from the visits: the distinct cells visited, by path.
        visited_paths = list(
            SupervisionVisit.objects.filter(
                prefix_q("supervision__org_path", org.path),
                attended=True,
                meeting__held_on__gte=date_from,
                meeting__held_on__lte=date_to,
            )
            .values_list("supervision__org_path", flat=True)
            .distinct()
        )

    def visited_under(path: str) -> int:
        return sum(p.startswith(path) for p in visited_paths)

    own = figures(org.pk)
    if not from_first_visits:
        own.visited = len(visited_paths)
    own.with_task = (
        MemberTask.objects.filter(
            prefix_q("org_path", org.path), assigned_on__lte=date_to, due_on__gte=date_from
        )
        .exclude(state=TaskState.CANCELLED)
        .values("member_id")
        .distinct()
        .count()
    )
    assigned = (
        Supervision.objects.filter(prefix_q("org_path", org.path), valid_from__lte=date_to)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date_from))
        .values("organisation_id")
        .distinct()
        .count()
    )
    out = own.out()
    cells = own.cells
    return {
        "organisation": {"code": org.code, "name": org.name},
        "from": date_from,
        "to": date_to,
        "cells": cells,
        "months": [
            {
                "month": month,
                "held": rows.get((org.pk, month), [0])[0],
                "cells": cells,
                "missing": [],
                "missing_count": max(0, cells - rows.get((org.pk, month), [0])[0]),
            }
            for month in months
        ],
        "meetings_held": own.held,
        "monthly_share": out["monthly_share"],
        "attendance_rate": out["attendance_rate"],
        "invalid": own.invalid,
        "quality": dict(own.levels),
        "evaluated": sum(own.levels.values()),
        "supervision": {
            "assigned_cells": assigned,
            "visited_cells": own.visited,
            "not_visited": [],
            "not_visited_count": max(0, cells - own.visited),
        },
        "tasks": {
            "active_members": own.active,
            "with_task": own.with_task,
            "share": out["task_share"],
        },
        "children": [
            {
                "code": code,
                "name": name,
                **figures(pk).out(),
                **({} if from_first_visits else {"visited_cells": visited_under(path)}),
            }
            for pk, code, name, path in children
        ],
        "cell_grid": None,
        "source": "rollup",
    }


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


# --- the home page --------------------------------------------------------------------------------


def meetings_due(actor, today: date) -> list[DueItem]:
    """The home page's meeting work (core.registry.DueSource): for those who manage a cell's
    meetings, meetings whose day has passed without a record, held meetings the cell has not
    evaluated and tasks past their due date; for a supervisor, the visits planned within the
    week."""
    items = []

    def add(qs, title, url, level):
        n = bounded_count(qs)
        if n:
            items.append(
                DueItem(
                    title=title,
                    count=min(n, COUNT_BOUND),
                    more=n > COUNT_BOUND,
                    url=url,
                    level=level,
                )
            )

    if holds_anywhere(actor, "meetings.manage"):
        meetings = restrict(Meeting.objects.all(), actor, "meetings.manage")
        url = reverse("meetings:list")
        add(
            meetings.filter(state=State.PLANNED, planned_on__lt=today),
            _("Meetings whose day has passed without a record"),
            url,
            "overdue",
        )
        add(
            meetings.filter(state__in=HELD, held_on__gte=today - timedelta(days=62)).exclude(
                evaluations__by="cell"
            ),
            _("Meetings held but not yet evaluated"),
            url,
            "due",
        )
        add(
            restrict(MemberTask.objects.all(), actor, "meetings.manage").filter(
                state=TaskState.OPEN, due_on__lt=today
            ),
            _("Member tasks past their due date"),
            reverse("meetings:tasks"),
            "overdue",
        )
    if getattr(actor, "pk", None) is not None:
        add(
            SupervisionVisit.objects.filter(
                supervision__supervisor_id=actor.pk,
                attended__isnull=True,
                meeting__planned_on__gte=today,
                meeting__planned_on__lte=today + timedelta(days=7),
            ),
            _("Cell meetings you are to attend this week"),
            reverse("meetings:list"),
            "soon",
        )
    return items
