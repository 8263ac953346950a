"""Reads of the audit trail through the access gate.

- Staff holding `audit.view` browse the records of their organisations' subtrees (the record's
  `org_path`, kept as it was when the record was written; an administrator: everything,
  records about no organisation included).
- A member signed in reads who viewed or exported their personal particulars: the views of
  their record, the member lists that showed them, and the exports with particulars of an
  organisation that held them on that day (docs/decisions/0028)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import holds_anywhere, scope_for
from dangvu.accounts.selectors import people_named
from dangvu.audit.db import naming
from dangvu.audit.models import AuditRecord
from dangvu.audit.selectors import (
    SENSITIVE_EXPORT,
    SENSITIVE_VIEW,
    AuditFilters,
    audit_filter,
    records_before,
)
from dangvu.members.choices import IN_PARTY
from dangvu.members.models import MemberPeriod
from dangvu.organisations.models import Organisation, OrganisationVersion

__all__ = [
    "ACTION",
    "audit_list",
    "audit_page",
    "people_matching",
    "object_links",
    "ViewOfMe",
    "views_of_me",
    "VIEWS_LIMIT",
]

ACTION = "audit.view"
PEOPLE_CAP = 200  # users a "who" text may stand for
VIEWS_LIMIT = 200  # the latest reads of one member's particulars shown


# --- staff: the records of their subtrees ----------------------------------------------------


def audit_list(*, actor, filters: AuditFilters) -> QuerySet[AuditRecord]:
    """The records the actor may read (the subtrees where they hold `audit.view`), narrowed by
    `filters`, newest first. Http404 for an actor who holds `audit.view` nowhere: for them the
    audit trail does not exist."""
    if not holds_anywhere(actor, ACTION):
        raise Http404
    visible = AuditRecord.objects.filter(scope_for(actor).path_q(ACTION, "org_path"))
    return audit_filter(visible, filters)


def audit_page(records: QuerySet[AuditRecord], *, before: int | None, size: int):
    """(one page of records, the id to ask the next page with or None)."""
    page = list(records_before(records, before)[: size + 1])
    more = len(page) > size
    page = page[:size]
    return page, (page[-1].pk if more else None)


def people_matching(text: str) -> tuple[int, ...]:
    """The users a "who" filter names: a user name exactly, or every word of the text in the
    full name (case ignored). The audit records keep the actor's id, so this is the (actor,
    time) index's list of ids."""
    words = text.split()
    if not words:
        return ()
    users = get_user_model().objects.all()
    by_name = Q()
    for word in words:
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    found = users.filter(Q(username__iexact=text.strip()) | by_name)
    return tuple(found.order_by("pk").values_list("pk", flat=True)[:PEOPLE_CAP])


# Pages of the objects a record can be about, by their primary key.
_PAGES = {
    "member": "members:detail",
    "candidate": "admission:detail",
    "meeting": "meetings:detail",
    "training_class": "training:detail",
    "document": "documents:detail",
    "article": "news:article",
}


def object_links(records: Iterable[AuditRecord]) -> dict[int, str]:
    """{record id: the page of the object it is about}, for the kinds of object that have a
    page (an organisation's is addressed by its code: one query for the page's records)."""
    records = list(records)
    org_ids = {
        int(r.object_id)
        for r in records
        if r.object_type == "organisation" and r.object_id.isdigit()
    }
    codes = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "code"))
    links = {}
    for r in records:
        if not r.object_id.isdigit():
            continue
        if r.object_type in _PAGES:
            links[r.pk] = reverse(_PAGES[r.object_type], args=[int(r.object_id)])
        elif r.object_type == "organisation" and int(r.object_id) in codes:
            links[r.pk] = reverse("organisations:detail", args=[codes[int(r.object_id)]])
    return links


# --- a member: who read their particulars ----------------------------------------------------


@dataclass
class ViewOfMe:
    """One read of a member's particulars by someone else: a view (`kind` "view": `via` page,
    list, edit, api, audit, cli) or an export of a member list (`kind` "export")."""

    id: int
    time: datetime
    kind: str
    via: str
    who: str
    role: str
    fields: list[str] = field(default_factory=list)  # the particulars' field names
    organisation: str = ""  # an export: the organisation whose list it was
    rows: int | None = None  # an export: how many members it held
    reason: str = ""


@dataclass(frozen=True)
class _Placement:
    """The member in `path` with `status` from `start` (included) to `end` (excluded)."""

    path: str
    status: str
    start: date
    end: date | None

    def holds(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def _placements(member) -> list[_Placement]:
    """Where the member was, day by day: their periods in the party (members.MemberPeriod: a
    cell and a status) crossed with the versions of each cell (its path on those days, which
    a move of the tree changes); after the last period, the record stays in its last cell with
    its final status (a member who left is still on that cell's list of everyone)."""
    periods = list(
        MemberPeriod.objects.filter(member_id=member.pk)
        .order_by("valid_from")
        .values_list("organisation_id", "status", "valid_from", "valid_to")
    )
    last_end = periods[-1][3] if periods else None
    if not periods or last_end is not None:
        periods.append((member.organisation_id, member.status, last_end or date.min, None))
    versions: dict[int, list[tuple[str, date, date | None]]] = {}
    for org_id, path, start, end in OrganisationVersion.objects.filter(
        organisation_id__in={p[0] for p in periods}
    ).values_list("organisation_id", "path", "valid_from", "valid_to"):
        versions.setdefault(org_id, []).append((path, start, end))
    out = []
    for org_id, status, start, end in periods:
        for path, v_start, v_end in versions.get(org_id, ()):
            lo = max(start, v_start)
            hi = min((d for d in (end, v_end) if d is not None), default=None)
            if hi is None or lo < hi:
                out.append(_Placement(path, status, lo, hi))
    if not out:  # no version kept (an organisation made before versions were): its path now
        out.append(_Placement(member.org_path, member.status, date.min, None))
    return out


def _prefixes(paths: Iterable[str]) -> set[str]:
    step = Organisation.steplen
    return {p[:i] for p in paths for i in range(step, len(p) + 1, step)}


def _status_matches(wanted: str, status: str) -> bool:
    if wanted == "active":
        return status in IN_PARTY
    return not wanted or wanted == status


def _exports_holding(member, placements: list[_Placement], exclude_user: int | None):
    """The exports with particulars of an organisation that held the member on the day of the
    export (its path a prefix of the member's cell's path that day) with the member's status
    of that day among those it listed."""
    candidates = AuditRecord.objects.filter(
        action=SENSITIVE_EXPORT, org_path__in=sorted(_prefixes(p.path for p in placements))
    )
    if exclude_user is not None:
        candidates = candidates.exclude(actor_id=exclude_user)
    out = []
    for record in candidates.order_by("-time", "-id").iterator(chunk_size=500):
        day = timezone.localdate(record.time)
        after = record.after if isinstance(record.after, dict) else {}
        if any(
            p.holds(day)
            and p.path.startswith(record.org_path)
            and _status_matches(after.get("status", ""), p.status)
            for p in placements
        ):
            out.append(record)
            if len(out) >= VIEWS_LIMIT:
                break
    return out


def _who(records: list[AuditRecord]) -> dict[int, tuple[str, str]]:
    """{record id: (name, role and organisation)} of the person who read: their full name,
    never their user name (which helps no member and is half of a sign-in)."""
    people = people_named({r.actor_id for r in records if r.actor_id})
    out = {}
    for r in records:
        name, role = people.get(r.actor_id, ("", ""))
        if r.actor_id is None:
            name = _("An administrator (command line)") if r.actor_name == "system" else ""
        elif name == r.actor_name:  # no full name on the account: people_named's user name
            name = ""
        out[r.pk] = (name, role)
    return out


def views_of_me(*, user) -> list[ViewOfMe]:
    """Who viewed or exported the personal particulars of `user`'s own member record, newest
    first (the latest VIEWS_LIMIT); their own reads left out. Empty for a user with no record.
    Only ever the record of `user` itself: nothing here takes another member."""
    member_id = scope_for(user).member_id
    if member_id is None:
        return []
    member = user.member
    own = user.pk
    about = AuditRecord.objects.filter(action=SENSITIVE_VIEW).exclude(actor_id=own)
    # One member's page (object_id = the member) or a list naming them (object_id "").
    single = about.filter(object_type="member", object_id=str(member.pk))
    listed = naming(about.filter(object_type="member", object_id=""), "ids", member.pk)
    records = list(single.order_by("-time", "-id")[:VIEWS_LIMIT])
    records += list(listed.order_by("-time", "-id")[:VIEWS_LIMIT])
    records += _exports_holding(member, _placements(member), own)
    records.sort(key=lambda r: (r.time, r.pk), reverse=True)
    records = records[:VIEWS_LIMIT]
    who = _who(records)
    out = []
    for r in records:
        after = r.after if isinstance(r.after, dict) else {}
        export = r.action == SENSITIVE_EXPORT
        via = str(after.get("via", ""))
        if not export and not r.object_id and via == "page":
            via = "list"
        out.append(
            ViewOfMe(
                id=r.pk,
                time=r.time,
                kind="export" if export else "view",
                via=via,
                who=who[r.pk][0],
                role=who[r.pk][1],
                fields=[str(f) for f in after.get("fields", [])],
                organisation=r.object_repr if export else "",
                rows=after.get("rows") if export else None,
                reason=str(after.get("reason", "")) if export else "",
            )
        )
    return out
