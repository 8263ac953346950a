"""Reads of the admission pipeline, each through the access gate with the actor: the cases, the
deadlines dashboard, term targets and their progress (counted from the admission events), the
development report and the early warnings."""

from collections import Counter as Tally
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, holds_anywhere, restrict
from dangvu.admission.choices import OPEN, Stage
from dangvu.admission.models import Candidate, Target
from dangvu.admission.tally import TALLY_DEPTH, flags, month_of, next_month, tally_months
from dangvu.core.db import prefix_q
from dangvu.core.registry import DueItem
from dangvu.core.text import tokens
from dangvu.members.choices import EventType, Status
from dangvu.members.models import Member, MembershipEvent, Position
from dangvu.members.selectors import COUNT_BOUND, bounded_count
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation, OrganisationVersion
from dangvu.stats.bands import age_on
from dangvu.stats.selectors import (
    admissions_between,
    admissions_report,
    percent,
    predecessors,
)

__all__ = [
    "candidate_list",
    "candidate_get",
    "stage_counts",
    "deadlines",
    "admission_due",
    "targets_for",
    "target_progress",
    "targets_progress",
    "development_report",
    "development_warnings",
    "DUE_KINDS",
    "SOON_DAYS",
]

SOON_DAYS = 30
LIST_LIMIT = 200


def DUE_KINDS() -> dict[str, str]:
    return {
        "decision": _("Admission decisions awaited"),
        "ceremony": _("Decisions awaiting their ceremony"),
        "recognition": _("Probationers to be considered for recognition"),
        "certificate": _("Awareness certificates about to expire"),
    }


def candidate_list(
    *, actor, org: Organisation | None = None, q: str = "", stage: str = "", due: str = ""
):
    """The cases the actor may see (under `org` when given), by name; `stage` one stage,
    "open" the open ones; `due` "overdue" or "soon" (due within SOON_DAYS days)."""
    qs = restrict(Candidate.objects.all(), actor, "admission.view")
    if org is not None:
        qs = qs.filter(prefix_q("org_path", org.path))
    for word in tokens(q):
        qs = qs.filter(name_folded__contains=word)
    if stage == "open":
        qs = qs.filter(stage__in=OPEN)
    elif stage:
        qs = qs.filter(stage=stage)
    today = timezone.localdate()
    if due == "overdue":
        qs = qs.filter(due_on__lt=today, stage__in=OPEN)
    elif due == "soon":
        qs = qs.filter(due_on__gte=today, due_on__lte=today + timedelta(days=SOON_DAYS))
    return qs.select_related("organisation").order_by("org_path", "name_folded", "pk")


def candidate_get(*, actor, pk: int, action: str = "admission.view") -> Candidate:
    c = Candidate.objects.select_related("organisation", "helper", "member").filter(pk=pk).first()
    if c is None or not allows(actor, action, c):
        raise Http404
    return c


def stage_counts(*, actor, org: Organisation) -> list[dict]:
    """How many cases stand at each stage under `org`."""
    if not allows(actor, "admission.view", org_row(org)):
        raise Http404
    counts = dict(
        Candidate.objects.filter(prefix_q("org_path", org.path))
        .values_list("stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [{"stage": s, "label": s.label, "count": counts.get(s.value, 0)} for s in Stage]


def org_row(org: Organisation) -> Candidate:
    """A stand-in row in `org` for the gate's decision about the organisation itself."""
    row = Candidate()
    row.org_path = org.path
    return row


def deadlines(*, actor, org: Organisation, today: date | None = None) -> dict:
    """The committee's (or cell's) deadlines dashboard: the open cases whose next due date has
    passed (overdue) or falls within SOON_DAYS days, counted by what is due, and the first
    LIST_LIMIT of them by date."""
    if not allows(actor, "admission.view", org_row(org)):
        raise Http404
    today = today or timezone.localdate()
    horizon = today + timedelta(days=SOON_DAYS)
    base = Candidate.objects.filter(
        prefix_q("org_path", org.path), due_on__lte=horizon, stage__in=OPEN
    )
    counts = {"overdue": {}, "soon": {}}
    for kind, late, n in (
        base.annotate(late=Q(due_on__lt=today))
        .values_list("due_kind", "late")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts["overdue" if late else "soon"][kind] = n
    rows = list(base.select_related("organisation").order_by("due_on", "pk")[:LIST_LIMIT])
    kinds = DUE_KINDS()
    return {
        "organisation": org,
        "today": today,
        "overdue": [
            {"kind": k, "label": kinds[k], "count": counts["overdue"].get(k, 0)} for k in kinds
        ],
        "soon": [{"kind": k, "label": kinds[k], "count": counts["soon"].get(k, 0)} for k in kinds],
        "overdue_total": sum(counts["overdue"].values()),
        "soon_total": sum(counts["soon"].values()),
        "cases": [
            {"candidate": c, "overdue": c.due_on < today, "kind": kinds.get(c.due_kind, "")}
            for c in rows
        ],
    }


def admission_due(actor, today: date) -> list[DueItem]:
    """The home page's admission work (core.registry.DueSource): overdue cases and those due
    within SOON_DAYS days, among the cases the actor records (or may see)."""
    action = "admission.manage" if holds_anywhere(actor, "admission.manage") else "admission.view"
    if not holds_anywhere(actor, action):
        return []
    base = restrict(Candidate.objects.filter(stage__in=OPEN), actor, action)
    items = []
    url = reverse("admission:list")
    for due, level, title in (
        ("overdue", "overdue", _("Admission cases past their time limit")),
        ("soon", "soon", _("Admission cases due within 30 days")),
    ):
        if due == "overdue":
            qs = base.filter(due_on__lt=today)
        else:
            qs = base.filter(due_on__gte=today, due_on__lte=today + timedelta(days=SOON_DAYS))
        n = bounded_count(qs)
        if n:
            items.append(
                DueItem(
                    title=title,
                    count=min(n, COUNT_BOUND),
                    more=n > COUNT_BOUND,
                    url=f"{url}?due={due}&stage=open",
                    level=level,
                )
            )
    return items


# --- targets --------------------------------------------------------------------------------


def targets_for(*, actor, org: Organisation) -> list[Target]:
    if not allows(actor, "admission.view", org_row(org)):
        raise Http404
    return list(
        Target.objects.filter(organisation=org)
        .select_related("organisation")
        .prefetch_related("parts")
        .order_by("-term_start")
    )


def _children(
    org: Organisation, start: date, end: date
) -> list[tuple[int, str, date, date | None]]:
    """The organisations directly under `org` at some time in [start, end]: their versions
    (id, path, from, until)."""
    return list(
        OrganisationVersion.objects.filter(parent=org, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .values_list("organisation_id", "path", "valid_from", "valid_to")
    )


def target_progress(target: Target, today: date | None = None) -> dict:
    """Progress against one term target (targets_progress)."""
    return targets_progress([target], today)[0]


def targets_progress(targets: list[Target], today: date | None = None) -> list[dict]:
    """Progress against term targets of one committee, counted from the admissions (the tree of
    each day, the units the committee continues included): admitted, percent of the target and
    of the term elapsed, the pace needed for the rest of the term and the forecast at the
    current pace; by sub-target, by year and by child organisation. The nation's and a
    province's months come from the monthly tally (admission.tally), the rest from the
    events (stats.selectors.admissions_between)."""
    if not targets:
        return []
    today = today or timezone.localdate()
    org = targets[0].organisation
    first = min(t.term_start for t in targets)
    last = min(max(t.term_end for t in targets), today)
    versions = _children(org, first, max(last, first))
    parts_of = {t.pk: list(t.parts.all()) for t in targets}
    wanted = {v[0] for v in versions} | {
        p.organisation_id for parts in parts_of.values() for p in parts if p.organisation_id
    }
    names = {
        pk: (code, name)
        for pk, code, name in Organisation.objects.filter(pk__in=wanted).values_list(
            "pk", "code", "name"
        )
    }
    bounds = {t.term_start for t in targets} | {t.term_end + timedelta(days=1) for t in targets}
    reading = _Reading(org, first, last, versions, today, bounds) if last >= first else None
    out = []
    for t in targets:
        counted_to = min(t.term_end, today)
        in_term = [
            v for v in versions if v[2] <= counted_to and (v[3] is None or v[3] > t.term_start)
        ]
        counted = reading.count(t.term_start, counted_to, in_term) if reading else _Counted()
        out.append(_progress(t, counted, in_term, parts_of[t.pk], names, today))
    return out


class _Counted:
    """The admissions of a term: how many, of them women, ethnic minority and young; by year
    and by child organisation."""

    def __init__(self):
        self.admitted = self.women = self.minority = self.youth = 0
        self.years: Tally = Tally()
        self.children: Tally = Tally()

    def add(self, year: int, values) -> None:
        admitted, women, minority, youth = values
        self.admitted += admitted
        self.women += women
        self.minority += minority
        self.youth += youth
        self.years[year] += admitted

    def add_rows(self, rows: list[dict], versions) -> None:
        """Admissions read one by one (stats.selectors.admissions_between), each given to the
        child whose version held its cell that day."""
        # A child's path is one step longer than its parent's: each admission's cell path, cut
        # to that length, names the child (among the versions of that path, the one of its day).
        by_path: dict[str, list] = {}
        for version in versions:
            by_path.setdefault(version[1], []).append(version)
        lengths = sorted({len(path) for path in by_path})
        for r in rows:
            day, path = r["date"], r["path"]
            self.add(day.year, flags(r["gender"], r["ethnicity"], r["birth_date"], day))
            found = next(
                (
                    org_id
                    for length in lengths
                    for org_id, _p, vfrom, vto in by_path.get(path[:length], ())
                    if vfrom <= day and (vto is None or day < vto)
                ),
                None,
            )
            if found is not None:
                self.children[found] += 1


class _Reading:
    """The admissions of [first, last] under `org`, read once for all the terms of its targets:
    the whole months from the monthly tally where it can say (_tally_plan), the other days from
    the events."""

    MAX_WINDOWS = 3  # beyond them, one read from the first window's start to the last's end

    def __init__(self, org, first: date, last: date, versions, today: date, bounds=()):
        self.months: list[date] = []
        self.own: dict[int, date | None] = {}
        self.tally: dict = {}
        plan = _tally_plan(org, first, last, versions, today, bounds)
        if plan is None:
            self.rows = admissions_between(org, first, last)
            return
        months, windows, self.own = plan
        if len(windows) > self.MAX_WINDOWS:
            windows = [(windows[0][0], windows[-1][1])]
            months = [m for m in months if not windows[0][0] <= m <= windows[0][1]]
        self.months = months
        if months:
            ids = {*self.own, *(v[0] for v in versions)}
            self.tally = tally_months(ids, months[0], months[-1])
        self.rows = [r for a, b in windows for r in admissions_between(org, a, b)]

    def count(self, start: date, end: date, versions) -> "_Counted":
        """The admissions of [start, end] (a term: none of its bounds falls within a month read
        from the tally), `versions` the children's in it."""
        counted = _Counted()
        for month in self.months:
            if not start <= month <= end:
                continue
            for org_id, until in self.own.items():
                if (until is None or month < until) and (org_id, month) in self.tally:
                    counted.add(month.year, self.tally[(org_id, month)])
            after = next_month(month)
            for child, _path, vfrom, vto in versions:
                if vfrom <= month and (vto is None or vto >= after):
                    counted.children[child] += self.tally.get((child, month), (0,))[0]
        counted.add_rows([r for r in self.rows if start <= r["date"] <= end], versions)
        return counted


def _tally_plan(org: Organisation, start: date, end: date, versions, today: date, bounds=()):
    """How to count [start, end] under `org` from the monthly tally: (the whole months read from
    it, the windows read from the events, {organisation counted as `org`: the month it stops
    counting (None: never)}); None when the tally cannot say (`org` or a unit it continues lay
    below the provinces at some time in the term: its children keep no rows). A month is read
    from the tally when the term covers it (or it is the current one) and nothing changes
    within it: a unit taken over, a child joining or leaving, one of `bounds` (the first days
    of the terms and the days after them), other than on its first day."""
    carried = predecessors(org, start - timedelta(days=1), end)
    subject = OrganisationVersion.objects.filter(
        Q(organisation=org) | Q(organisation_id__in=[o.pk for o, _d in carried]),
        valid_from__lte=end,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    step = Organisation.steplen
    for org_id, path in subject.values_list("organisation_id", "path"):
        if len(path) > step * (TALLY_DEPTH - (1 if org_id == org.pk else 0)):
            return None
    own = {org.pk: None, **{o.pk: month_of(day) for o, day in carried}}
    changes = {day for _o, day in carried} | set(bounds)
    for _c, _p, vfrom, vto in versions:
        changes.add(vfrom)
        if vto is not None:
            changes.add(vto)
    months, windows = [], []

    def window(a: date, b: date) -> None:
        if windows and windows[-1][1] + timedelta(days=1) == a:
            windows[-1] = (windows[-1][0], b)
        else:
            windows.append((a, b))

    month = month_of(start)
    while month <= end:
        last = next_month(month) - timedelta(days=1)
        whole = month >= start and (last <= end or end >= today)
        if whole and not any(month < day <= last for day in changes):
            months.append(month)
        else:
            window(max(month, start), min(last, end))
        month = next_month(month)
    return months, windows, own


def _progress(target, counted: _Counted, in_term, parts, names, today) -> dict:
    org = target.organisation
    start, end = target.term_start, target.term_end
    counted_to = min(end, today)
    admitted, minority = counted.admitted, counted.minority
    women, youth = counted.women, counted.youth
    term_days = (end - start).days + 1
    elapsed = max(0, min((counted_to - start).days + 1, term_days))
    left = term_days - elapsed
    pace = admitted / elapsed * 365.25 if elapsed else 0.0
    remaining = max(target.total - admitted, 0)
    needed = remaining / left * 365.25 if left else None
    forecast = admitted + round(pace * left / 365.25)
    by_year_target = {p.year: p.count for p in parts if p.year}
    years = [
        {"year": year, "admitted": counted.years[year], "target": by_year_target.get(year)}
        for year in range(start.year, end.year + 1)
    ]
    child_target = {p.organisation_id: p.count for p in parts if p.organisation_id}
    per_child = counted.children
    children = sorted(
        (
            {
                "code": names.get(pk, ("", ""))[0],
                "name": names.get(pk, ("", ""))[1],
                "admitted": per_child.get(pk, 0),
                "target": child_target.get(pk),
                "percent": percent(per_child.get(pk, 0), child_target[pk])
                if child_target.get(pk)
                else None,
            }
            for pk in {v[0] for v in in_term} | set(child_target)
        ),
        key=lambda c: (-c["admitted"], c["name"]),
    )

    def sub(done: int, goal: int) -> dict:
        return {"admitted": done, "target": goal, "percent": percent(done, goal) if goal else None}

    return {
        "organisation": {"code": org.code, "name": org.name},
        "term_start": start,
        "term_end": end,
        "counted_to": counted_to,
        "target": target.total,
        "admitted": admitted,
        "percent": percent(admitted, target.total),
        "term_elapsed_percent": percent(elapsed, term_days),
        "pace_per_year": round(pace, 1),
        "needed_per_year": round(needed, 1) if needed is not None else None,
        "forecast": forecast,
        "forecast_percent": percent(forecast, target.total),
        "ethnic_minority": sub(minority, target.ethnic_minority),
        "women": sub(women, target.women),
        "youth": sub(youth, target.youth),
        "years": years,
        "children": children,
    }


# --- reports and warnings -------------------------------------------------------------------


def development_report(*, actor, org: Organisation, date_from: date, date_to: date) -> dict:
    """Admissions over a period (form 2-BTCTW's figures: by ethnicity, gender, age band and
    education, counted from the events) and the cases open now at each stage."""
    figures = admissions_report(actor=actor, org=org, date_from=date_from, date_to=date_to)
    figures["pipeline"] = [
        {"stage": r["stage"].value, "label": str(r["label"]), "count": r["count"]}
        for r in stage_counts(actor=actor, org=org)
    ]
    return figures


def development_warnings(*, actor, org: Organisation, today: date | None = None) -> dict:
    """Where development is needed under `org` (DOMAIN.md §0): cells with fewer than three
    official members, cells whose members' average age is at or above the setting
    DANGVU_WARN_AVERAGE_AGE, cells with no admission in DANGVU_WARN_NO_ADMISSION_YEARS years,
    villages whose cell secretary is not the village head; and the share of village heads and
    mass-organisation heads who are members. Each warning names the cell and why."""
    if not allows(actor, "admission.view", org_row(org)):
        raise Http404
    today = today or timezone.localdate()
    avg_limit = settings.DANGVU_WARN_AVERAGE_AGE
    years = settings.DANGVU_WARN_NO_ADMISSION_YEARS
    cells = {
        pk: (code, name)
        for pk, code, name in Organisation.objects.filter(
            prefix_q("path", org.path), kind__in=MEMBER_HOLDING_KINDS, valid_to__isnull=True
        ).values_list("pk", "code", "name")
    }
    official: dict[int, int] = {}
    age_sum: dict[int, int] = {}
    people: dict[int, int] = {}
    for cell, status, born in Member.objects.filter(
        prefix_q("org_path", org.path), status__in=(Status.OFFICIAL, Status.PROBATIONARY)
    ).values_list("organisation_id", "status", "birth_date"):
        people[cell] = people.get(cell, 0) + 1
        age_sum[cell] = age_sum.get(cell, 0) + age_on(born, today)
        if status == Status.OFFICIAL:
            official[cell] = official.get(cell, 0) + 1
    since = date(today.year - years, today.month, min(today.day, 28))
    last_admission = dict(
        MembershipEvent.objects.filter(
            organisation_id__in=list(cells),
            type=EventType.ADMITTED,
            corrected_by__isnull=True,
        )
        .values_list("organisation_id")
        .annotate(last=Max("date"))
        .order_by()
    )
    warnings = []

    def warn(pk: int, kind: str, why: str) -> None:
        code, name = cells[pk]
        warnings.append({"kind": kind, "code": code, "name": name, "why": why})

    for pk in sorted(cells, key=lambda p: cells[p][1]):
        n = official.get(pk, 0)
        if n < 3:
            warn(pk, "few_members", _("%(n)d official members (fewer than 3)") % {"n": n})
        if people.get(pk):
            average = age_sum[pk] / people[pk]
            if average >= avg_limit:
                warn(
                    pk,
                    "old_members",
                    _("average age %(a).1f (threshold %(t)d)") % {"a": average, "t": avg_limit},
                )
        last = last_admission.get(pk)
        if last is None or last < since:
            why = (
                _("no admission since %(d)s") % {"d": last.strftime("%d/%m/%Y")}
                if last
                else _("no admission recorded")
            )
            warn(pk, "no_admission", why + " " + _("(%(n)d years or more)") % {"n": years})
    current = Position.objects.filter(
        prefix_q("org_path", org.path), valid_to__isnull=True, organisation_id__in=list(cells)
    ).values_list("organisation_id", "kind", "member_id")
    secretary, village_head = {}, {}
    heads: dict[str, list[int]] = {}
    for cell, kind, member_id in current:
        if kind == Position.Kind.SECRETARY:
            secretary[cell] = member_id
        elif kind == Position.Kind.VILLAGE_HEAD:
            village_head[cell] = member_id
        if kind not in (
            Position.Kind.SECRETARY,
            Position.Kind.DEPUTY_SECRETARY,
            Position.Kind.COMMITTEE_MEMBER,
            Position.Kind.STANDING_COMMITTEE,
        ):
            pair = heads.setdefault(kind, [0, 0])
            pair[0] += 1
            pair[1] += member_id is not None
    for cell, head in sorted(village_head.items(), key=lambda i: cells[i[0]][1]):
        if secretary.get(cell) is None or secretary[cell] != head:
            warn(
                cell,
                "secretary_not_head",
                _("the village head is not a member")
                if head is None
                else _("the cell secretary is not the village head"),
            )
    shares = [
        {
            "kind": kind,
            "label": str(Position.Kind(kind).label),
            "holders": total,
            "members": members,
            "percent": percent(members, total),
        }
        for kind, (total, members) in sorted(heads.items())
    ]
    return {
        "organisation": org,
        "warnings": warnings,
        "shares": shares,
        "settings": {"average_age": avg_limit, "years": years},
    }
