"""Writes of training classes: the class and its sessions and materials; enrolment (one person,
or many by a filter) with its waiting list; attendance, by roll call or from an online
platform's participant list; completion, certificates and the hand-off of a passed awareness
class to the admission case. DOMAIN.md §3.3 step 2, "Features" 6; docs/decisions/0022."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM, allows, restrict
from dangvu.audit.services import AuditEntry, audit_bulk, audit_record
from dangvu.core.db import prefix_q
from dangvu.core.editing import Editable, editable
from dangvu.core.errors import ValidationError, field_errors
from dangvu.core.rules import rule_value_or_none
from dangvu.core.text import clean_texts, fold
from dangvu.core.uploads import check_upload, stored_name
from dangvu.members.choices import IN_PARTY
from dangvu.members.models import Member, Position
from dangvu.members.services import recorder_id
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS, GrassrootsType, OrgKind
from dangvu.organisations.models import Organisation
from dangvu.training.choices import Kind, Match, Mode, Result, State, Status
from dangvu.training.importers import (
    Enrolled,
    RowMatch,
    match_participants,
    parse_participants,
)
from dangvu.training.models import (
    Certificate,
    CertificateCounter,
    ClassMaterial,
    ClassSession,
    ClassTally,
    Enrolment,
    SessionAttendance,
    TrainingClass,
)
from dangvu.training.state import can_move, may_enrol

__all__ = [
    "TRAINING_CLASS",
    "SCORE_SHEET",
    "classes_move",
    "SessionInput",
    "class_create",
    "class_update",
    "class_move",
    "session_add",
    "session_remove",
    "material_attach",
    "enrolment_create",
    "enrolment_withdraw",
    "Withdrawal",
    "BulkEnrolment",
    "enrolments_create_bulk",
    "enrol_by_position",
    "session_roll_call",
    "ImportPreview",
    "attendance_import_preview",
    "attendance_import_confirm",
    "scores_record",
    "completes",
    "minimum_share",
    "Completion",
    "class_complete",
    "Issue",
    "certificates_issue",
    "certificate_number",
    "UPDATABLE",
]

TEXT_LIMITS = {
    "title": 300,
    "location": 300,
    "online_link": 300,
    "audience": 500,
    "lecturers": 5000,
    "topic": 300,
    "lecturer": 200,
}
MULTILINE = {"lecturers"}
# What class_update may change (the kind and the organiser make another class).
UPDATABLE = (
    "title",
    "mode",
    "location",
    "cluster",
    "online_link",
    "capacity",
    "audience",
    "lecturers",
    "min_attendance_percent",
    "pass_mark",
    "in_charge",
)
BATCH = 1000


@dataclass(frozen=True)
class SessionInput:
    day: date
    starts_at: time
    ends_at: time
    topic: str
    lecturer: str = ""


# --- helpers -----------------------------------------------------------------------------------


def _system(actor) -> bool:
    return actor is None or actor is SYSTEM


def _gate(actor, target, field: str = "organisation") -> None:
    """The system (the demo, the generator) records as told; a person where the gate allows
    `training.manage` over the class (its organiser's path)."""
    if _system(actor) or allows(actor, "training.manage", target):
        return
    raise ValidationError({field: _("You may not manage the classes of this organisation.")})


def _texts(**texts) -> dict[str, str]:
    return clean_texts(texts, limits=TEXT_LIMITS, multiline=MULTILINE)


def _entry(action: str, c: TrainingClass, before=None, after=None, label: str = "") -> AuditEntry:
    return AuditEntry(
        action=action,
        object_type="training_class",
        object_id=c.pk,
        object_repr=(label or c.title)[:100],
        org_path=c.org_path,
        before=before,
        after=after,
    )


def _audit(actor, action: str, c: TrainingClass, before=None, after=None, label="") -> None:
    audit_record(actor=actor, entry=_entry(action, c, before, after, label))


def _locked(c: TrainingClass) -> TrainingClass:
    """The class's row, locked: every change to its roll (capacity, waiting list) passes here
    one at a time."""
    return TrainingClass.objects.select_for_update().get(pk=c.pk)


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- the class ---------------------------------------------------------------------------------


def _is_commune_level(org: Organisation) -> bool:
    """A commune, ward or township's party organisation: the commune-level committee (since
    2025) or a grassroots committee or cell of a commune, ward or township."""
    return org.kind == OrgKind.COMMUNE or (
        org.kind in (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL)
        and org.grassroots_type
        in (GrassrootsType.COMMUNE, GrassrootsType.WARD, GrassrootsType.TOWNSHIP)
    )


def _check_organiser(org: Organisation | None) -> None:
    if org is None:
        raise ValidationError({"organisation": _("Choose the organising committee.")})
    if org.kind in MEMBER_HOLDING_KINDS and org.kind != OrgKind.GRASSROOTS_CELL:
        raise ValidationError(
            {"organisation": _("A class is organised by a committee, not by a party cell.")}
        )
    if not org.is_active:
        raise ValidationError({"organisation": _("%(org)s no longer exists.") % {"org": org.name}})


def _check_cluster(org: Organisation, cluster: list[Organisation]) -> None:
    for c in cluster:
        if not c.path.startswith(org.path):
            raise ValidationError(
                {
                    "cluster": _("%(commune)s is not under %(org)s.")
                    % {"commune": c.name, "org": org.name}
                }
            )
        if not _is_commune_level(c):
            raise ValidationError(
                {"cluster": _("%(org)s is not a commune-level organisation.") % {"org": c.name}}
            )


def _percent(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= 100:
        raise ValidationError(
            {"min_attendance_percent": _("The minimum attendance is a share from 1 to 100 %.")}
        )
    return n


def _mark(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        d = Decimal(-1)
    if not Decimal(0) <= d <= Decimal(10) or d != d.quantize(Decimal("0.01")):
        raise ValidationError({field: _("A mark is from 0 to 10, with at most two decimals.")})
    return d


def _check_class(values: dict, cluster: list[Organisation]) -> None:
    """The rules of a class taken together: a capacity of at least one; a link where people
    join online; a place or a cluster of communes where they come in person."""
    errors = {}
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        errors["capacity"] = _("The capacity is at least one person.")
    mode = values["mode"]
    link = values["online_link"]
    if mode in (Mode.ONLINE, Mode.HYBRID):
        if not link:
            errors["online_link"] = _("An online class needs its link.")
        elif not link.startswith(("https://", "http://")):
            errors["online_link"] = _("The online link starts with https://.")
    elif link and not link.startswith(("https://", "http://")):
        errors["online_link"] = _("The online link starts with https://.")
    if mode in (Mode.IN_PERSON, Mode.HYBRID) and not values["location"] and not cluster:
        errors["location"] = _("Say where the class meets, or the communes it serves.")
    if errors:
        raise ValidationError(errors)


def _check_sessions(sessions: list[SessionInput]) -> list[SessionInput]:
    """Sessions in order: each ends after it starts and begins after the one before ends."""
    cleaned = []
    previous: SessionInput | None = None
    for n, s in enumerate(sessions, start=1):
        if s.day is None or s.starts_at is None or s.ends_at is None:
            raise ValidationError(
                {"sessions": _("Session %(n)d: enter its date and hours.") % {"n": n}}
            )
        if s.ends_at <= s.starts_at:
            raise ValidationError(
                {"sessions": _("Session %(n)d ends before it starts.") % {"n": n}}
            )
        texts = _texts(topic=s.topic, lecturer=s.lecturer)
        if not texts["topic"]:
            raise ValidationError({"sessions": _("Session %(n)d: enter its topic.") % {"n": n}})
        if previous is not None and (s.day, s.starts_at) < (previous.day, previous.ends_at):
            raise ValidationError(
                {
                    "sessions": _(
                        "Session %(n)d begins before the session before it ends: list the "
                        "sessions in order."
                    )
                    % {"n": n}
                }
            )
        previous = s
        cleaned.append(SessionInput(s.day, s.starts_at, s.ends_at, **texts))
    return cleaned


def _span(c: TrainingClass) -> None:
    """The class's first and last session days (kept on the row for the reports)."""
    days = [d for d in c.sessions.values_list("day", flat=True)]
    c.starts_on, c.ends_on = (min(days), max(days)) if days else (None, None)


def _snapshot(c: TrainingClass, cluster_ids=None) -> dict:
    out = {name: getattr(c, name) for name in UPDATABLE if name not in ("cluster", "in_charge")}
    out["in_charge"] = c.in_charge_id
    out["cluster"] = sorted(cluster_ids if cluster_ids is not None else [])
    return out


@transaction.atomic
def class_create(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    mode: str,
    title: str,
    capacity: int,
    location: str = "",
    cluster: Iterable[Organisation] = (),
    online_link: str = "",
    audience: str = "",
    lecturers: str = "",
    min_attendance_percent: int | None = None,
    pass_mark=None,
    sessions: Iterable[SessionInput] = (),
    in_charge=None,
) -> TrainingClass:
    """Plan a class of an organising committee: its kind and mode, title, capacity (at least
    one), place or the communes it serves (in person; communes under the organiser), link
    (online), audience, lecturers, its own minimum attendance (else the rules registry's) and
    pass mark (where it holds a final test), and its sessions, in order. Audited as
    `training.class_create`."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of class.")})
    if mode not in Mode.values:
        raise ValidationError({"mode": _("Choose how the class meets.")})
    _check_organiser(organisation)
    row = TrainingClass()
    row.place_in(organisation)
    _gate(actor, row)
    texts = _texts(
        title=title,
        location=location,
        online_link=online_link,
        audience=audience,
        lecturers=lecturers,
    )
    if not texts["title"]:
        raise ValidationError({"title": _("Enter the title of the class.")})
    cluster = list(cluster)
    _check_cluster(organisation, cluster)
    values = {**texts, "mode": mode, "capacity": capacity}
    _check_class(values, cluster)
    percent = _percent(min_attendance_percent)
    mark = _mark(pass_mark, "pass_mark")
    checked = _check_sessions(list(sessions))
    for name, value in values.items():
        setattr(row, name, value)
    row.kind = kind
    row.min_attendance_percent = percent
    row.pass_mark = mark
    row.in_charge = in_charge
    row.recorded_by_id = recorder_id(actor)
    if checked:
        row.starts_on, row.ends_on = checked[0].day, max(s.day for s in checked)
    row.save()
    row.cluster.set([o.pk for o in cluster])  # by key: a bulk-created row has no db
    ClassSession.objects.bulk_create(
        [ClassSession(training_class=row, **s.__dict__) for s in checked]
    )
    _audit(
        actor,
        "training.class_create",
        row,
        after={
            "kind": kind,
            **_snapshot(row, [c.pk for c in cluster]),
            "sessions": [
                (s.day, f"{s.starts_at:%H:%M}", f"{s.ends_at:%H:%M}", s.topic) for s in checked
            ],
        },
    )
    return row


# A class as its edit page and GET /api/v1/classes/{id} show it (core.editing).
TRAINING_CLASS = editable(
    Editable(
        name="training.class",
        labels=lambda: {
            name: capfirst(TrainingClass._meta.get_field(name).verbose_name) for name in UPDATABLE
        },
        read=lambda c: {
            name: list(c.cluster.all()) if name == "cluster" else getattr(c, name)
            for name in UPDATABLE
        },
        audit=lambda c: ("training_class", c.pk),
        page="training:edit",
        api="POST /api/v1/classes/{class_id}",
    )
)


@transaction.atomic
def class_update(
    *, actor, training_class: TrainingClass, data: dict, version: str | None = None
) -> TrainingClass:
    """Change a class that is not finished or cancelled: any of UPDATABLE, checked as a whole
    as class_create checks it. A capacity below the people enrolled is refused (withdraw
    someone first); a larger one takes the first people of the waiting list in order.
    `version` (core.editing): the class as the editor read it; changed since, nothing is
    written."""
    unknown = set(data) - set(UPDATABLE)
    if unknown:
        raise ValidationError(
            {"__all__": _("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}}
        )
    c = _locked(training_class)
    _gate(actor, c)
    TRAINING_CLASS.check(c, version)
    if c.state in (State.FINISHED, State.CANCELLED):
        raise ValidationError(
            {
                "state": _("The class is %(state)s: it no longer changes.")
                % {"state": c.get_state_display()}
            }
        )
    old_cluster = list(c.cluster.all())
    before = _snapshot(c, [o.pk for o in old_cluster])
    current = {
        name: getattr(c, name)
        for name in ("title", "location", "online_link", "audience", "lecturers")
    }
    texts = _texts(**{**current, **{k: v for k, v in data.items() if k in current}})
    if not texts["title"]:
        raise ValidationError({"title": _("Enter the title of the class.")})
    mode = data.get("mode", c.mode)
    if mode not in Mode.values:
        raise ValidationError({"mode": _("Choose how the class meets.")})
    cluster = list(data["cluster"]) if "cluster" in data else old_cluster
    _check_cluster(c.organisation, cluster)
    capacity = data.get("capacity", c.capacity)
    values = {**texts, "mode": mode, "capacity": capacity}
    _check_class(values, cluster)
    enrolled = c.enrolments.filter(status=Status.ENROLLED).count()
    if capacity < enrolled:
        raise ValidationError(
            {
                "capacity": _("%(n)d people are enrolled: the capacity cannot be lower.")
                % {"n": enrolled}
            }
        )
    if "min_attendance_percent" in data:
        c.min_attendance_percent = _percent(data["min_attendance_percent"])
    if "pass_mark" in data:
        c.pass_mark = _mark(data["pass_mark"], "pass_mark")
    if "in_charge" in data:
        c.in_charge = data["in_charge"]
    for name, value in values.items():
        setattr(c, name, value)
    c.save()
    if "cluster" in data:
        c.cluster.set([o.pk for o in cluster])
    promoted = _promote(c, capacity - enrolled)
    if promoted:
        _recount(c)
    after = _snapshot(c, [o.pk for o in cluster])
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    _audit(
        actor,
        "training.class_update",
        c,
        before={k: before[k] for k in changed},
        after={**changed, "promoted": promoted} if promoted else changed,
    )
    return c


@transaction.atomic
def class_move(*, actor, training_class: TrainingClass, to: str) -> TrainingClass:
    """Open a class for enrolment, close it (under way), reopen it, or cancel it (training.state
    says which move follows which; finishing is class_complete's)."""
    c = _locked(training_class)
    _gate(actor, c)
    if to == State.FINISHED or to not in State.values or not can_move(c.state, to):
        raise ValidationError(
            {
                "state": _("A class that is %(state)s cannot become %(to)s.")
                % {
                    "state": c.get_state_display(),
                    "to": State(to).label if to in State.values else to,
                }
            }
        )
    before = c.state
    c.state = to
    c.save(update_fields=["state", "updated_at"])
    _audit(actor, "training.class_move", c, before={"state": before}, after={"state": to})
    return c


@transaction.atomic
def session_add(*, actor, training_class: TrainingClass, session: SessionInput) -> ClassSession:
    """Add a session to a class that is not finished or cancelled. It may fall between others,
    but not overlap one."""
    c = _locked(training_class)
    _gate(actor, c)
    if c.state in (State.FINISHED, State.CANCELLED):
        raise ValidationError(
            {
                "state": _("The class is %(state)s: it no longer changes.")
                % {"state": c.get_state_display()}
            }
        )
    (s,) = _check_sessions([session])
    clash = c.sessions.filter(day=s.day, starts_at__lt=s.ends_at, ends_at__gt=s.starts_at).first()
    if clash is not None:
        raise ValidationError(
            {
                "starts_at": _("It overlaps the session “%(topic)s” of %(d)s.")
                % {"topic": clash.topic, "d": _fmt(clash.day)}
            }
        )
    row = ClassSession.objects.create(training_class=c, **s.__dict__)
    _span(c)
    c.save(update_fields=["starts_on", "ends_on", "updated_at"])
    _audit(
        actor,
        "training.session_add",
        c,
        after={
            "day": s.day,
            "starts_at": f"{s.starts_at:%H:%M}",
            "ends_at": f"{s.ends_at:%H:%M}",
            "topic": s.topic,
        },
    )
    return row


@transaction.atomic
def session_remove(*, actor, session: ClassSession) -> None:
    """Take a session out of a class that is not finished or cancelled (a date entered wrongly:
    remove it and add it again). A session whose attendance is recorded took place: it stays."""
    c = _locked(session.training_class)
    _gate(actor, c)
    if c.state in (State.FINISHED, State.CANCELLED):
        raise ValidationError(
            {
                "state": _("The class is %(state)s: it no longer changes.")
                % {"state": c.get_state_display()}
            }
        )
    s = c.sessions.get(pk=session.pk)
    if s.attendance_taken:
        raise ValidationError(
            {
                "session": _(
                    "The attendance of the session of %(d)s is recorded: it took place and stays."
                )
                % {"d": _fmt(s.day)}
            }
        )
    before = {
        "day": s.day,
        "starts_at": f"{s.starts_at:%H:%M}",
        "ends_at": f"{s.ends_at:%H:%M}",
        "topic": s.topic,
    }
    s.delete()
    _span(c)
    c.save(update_fields=["starts_on", "ends_on", "updated_at"])
    _audit(actor, "training.session_remove", c, before=before)


def material_attach(
    *, actor, training_class: TrainingClass, upload, title: str = ""
) -> ClassMaterial:
    """Attach a document to a class (the programme, slides, a reading): its type is read from
    its bytes and its size checked first (core.uploads: PDF, DOCX, JPEG, PNG, WebP). Stored
    under a generated name; removed again if the record fails."""
    c = TrainingClass.objects.get(pk=training_class.pk)
    _gate(actor, c)
    if c.state == State.CANCELLED:
        raise ValidationError({"state": _("The class was cancelled.")})
    title = _texts(title=title)["title"]
    checked = check_upload(upload)
    path = default_storage.save(stored_name(f"training/{c.pk}", checked.kind), upload)
    try:
        with transaction.atomic():
            row = ClassMaterial.objects.create(
                training_class=c,
                title=title,
                file=path,
                name=checked.name,
                kind=checked.kind.code,
                size=checked.size,
                uploaded_by_id=recorder_id(actor),
            )
            _audit(
                actor,
                "training.material_attach",
                c,
                after={"file": checked.name, "title": title, "size": checked.size},
            )
    except BaseException:
        default_storage.delete(path)
        raise
    return row


# --- enrolment ---------------------------------------------------------------------------------


def _promote(c: TrainingClass, free: int) -> list[int]:
    """Move the first `free` people of the waiting list into the class, in order (the class is
    locked by the caller). Returns their enrolment ids."""
    if free <= 0:
        return []
    ids = list(
        c.enrolments.filter(status=Status.WAITING)
        .order_by("position")
        .values_list("pk", flat=True)[:free]
    )
    if ids:
        Enrolment.objects.filter(pk__in=ids).update(status=Status.ENROLLED, position=None)
    return ids


def _recount(c: TrainingClass) -> None:
    """Count the class's roll again into its ClassTally rows (enrolled people by gender and
    ethnicity, with their results) and mark its people's enrolments `repeated` where they are
    enrolled in another class too: after every change to the roll or the results, in the
    caller's transaction. A few queries over the class's own rows and its people's
    enrolments."""
    ClassTally.objects.filter(training_class=c).delete()
    groups = (
        c.enrolments.filter(status=Status.ENROLLED)
        .values_list("gender", "ethnicity")
        .annotate(
            n=Count("pk"),
            passed=Count("pk", filter=Q(result=Result.PASSED)),
            failed=Count("pk", filter=Q(result=Result.FAILED)),
        )
        .order_by()
    )
    ClassTally.objects.bulk_create(
        [
            ClassTally(training_class=c, gender=g, ethnicity=e, enrolled=n, passed=p, failed=f)
            for g, e, n, p, f in groups
        ]
    )
    for column in ("member_id", "candidate_id"):
        people = c.enrolments.filter(**{f"{column}__isnull": False}).values(column)
        twice = (
            Enrolment.objects.filter(**{f"{column}__in": people}, status=Status.ENROLLED)
            .values(column)
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
            .values(column)
        )
        mine = Enrolment.objects.filter(**{f"{column}__in": people})
        mine.filter(**{f"{column}__in": twice}, repeated=False).update(repeated=True)
        mine.filter(repeated=True).exclude(**{f"{column}__in": twice}).update(repeated=False)


def _check_enrolling(c: TrainingClass) -> None:
    if not may_enrol(c.state):
        raise ValidationError(
            {
                "state": _("The class is %(state)s: its roll no longer changes.")
                % {"state": c.get_state_display()}
            }
        )


def _person(member, candidate) -> dict:
    """The enrolment's person fields from a member or an admission case."""
    if (member is None) == (candidate is None):
        raise ValidationError({"person": _("Choose one person: a party member or a candidate.")})
    if member is not None:
        if member.status not in IN_PARTY:
            raise ValidationError(
                {"person": _("%(name)s is not a party member now.") % {"name": member.full_name}}
            )
        return {"member": member, "candidate_id": None, "who": member}
    if not getattr(candidate, "is_open", True):
        raise ValidationError(
            {
                "person": _("The admission case of %(name)s is closed.")
                % {"name": candidate.full_name}
            }
        )
    return {"member": None, "candidate_id": candidate.pk, "who": candidate}


@transaction.atomic
def enrolment_create(
    *, actor, training_class: TrainingClass, member=None, candidate=None
) -> Enrolment:
    """Enrol one person (a party member, or an admission case: `candidate`) in a class that is
    planned or open, where the actor may manage both the class and the person's organisation.
    Within the capacity they are enrolled; beyond it they join the end of the waiting list.
    Never twice (a database constraint as well): a person who withdrew enrols again at the
    end of the queue. Audited as `training.enrol`."""
    c = _locked(training_class)
    _gate(actor, c)
    person = _person(member, candidate)
    who = person.pop("who")
    if not _system(actor) and not allows(actor, "training.manage", who):
        raise ValidationError({"person": _("You may not enrol people of this organisation.")})
    _check_enrolling(c)
    key = {"member": who} if person["member"] is not None else {"candidate_id": who.pk}
    existing = c.enrolments.filter(**key).first()
    if existing is not None and existing.status != Status.WITHDRAWN:
        raise ValidationError(
            {
                "person": _("%(name)s is already in this class (%(status)s).")
                % {"name": who.full_name, "status": existing.get_status_display()}
            }
        )
    enrolled = c.enrolments.filter(status=Status.ENROLLED).count()
    if enrolled < c.capacity:
        status, position = Status.ENROLLED, None
    else:
        last = c.enrolments.aggregate(m=Max("position"))["m"] or 0
        status, position = Status.WAITING, last + 1
    row = existing or Enrolment(training_class=c, **person)
    row.full_name = who.full_name
    row.name_folded = fold(who.full_name)
    row.person_org_id = who.organisation_id
    row.person_path = who.org_path
    row.gender, row.ethnicity = who.gender, who.ethnicity
    row.status, row.position = status, position
    row.result = Result.PENDING
    row.recorded_by_id = recorder_id(actor)
    row.save()
    _audit(
        actor,
        "training.enrol",
        c,
        after={
            "person": row.full_name,
            "enrolment": row.pk,
            "status": status,
            "position": position,
        },
    )
    _recount(c)
    return row


@dataclass(frozen=True)
class Withdrawal:
    withdrawn: Enrolment
    promoted: Enrolment | None  # the first of the waiting list, who took the place


@transaction.atomic
def enrolment_withdraw(*, actor, enrolment: Enrolment) -> Withdrawal:
    """Take a person out of a class that is planned or open. An enrolled person's place goes
    to the first person of the waiting list; a waiting person leaves the queue (the others
    keep their order)."""
    c = _locked(enrolment.training_class)
    _gate(actor, c)
    _check_enrolling(c)
    e = c.enrolments.get(pk=enrolment.pk)
    if e.status == Status.WITHDRAWN:
        raise ValidationError(
            {"person": _("%(name)s has already withdrawn.") % {"name": e.full_name}}
        )
    was = e.status
    e.status, e.position = Status.WITHDRAWN, None
    e.save(update_fields=["status", "position"])
    promoted = None
    if was == Status.ENROLLED:
        ids = _promote(c, 1)
        promoted = Enrolment.objects.get(pk=ids[0]) if ids else None
    _audit(
        actor,
        "training.withdraw",
        c,
        before={"person": e.full_name, "enrolment": e.pk, "status": was},
        after={"promoted": promoted.pk if promoted else None},
    )
    _recount(c)
    return Withdrawal(e, promoted)


@dataclass(frozen=True)
class BulkEnrolment:
    enrolled: int  # new people in the class
    waiting: int  # new people on the waiting list
    already: int  # already in the class or its waiting list (left as they were)


# What an enrolment copies of its person (members' and admission cases' columns alike).
_PERSON_COLUMNS = ("pk", "full_name", "organisation_id", "org_path", "gender", "ethnicity")


def enrolments_create_bulk(
    *,
    actor,
    training_class: TrainingClass,
    members: QuerySet | None = None,
    candidates: QuerySet | None = None,
) -> BulkEnrolment:
    """Enrol many people at once (`members`: a Member queryset; `candidates`: an admission
    Candidate queryset), set-based: the people are read in one query per kind (only those in
    the party now, or whose case is open, and in the actor's `training.manage` scope), the
    class's roll in one, written with bulk_create in batches and audited with one record per
    person (audit_bulk). In order of organisation and name: the first fill the free places,
    the rest join the waiting list. People already in the class keep their place; those who
    withdrew are not taken again (enrol them one by one)."""
    with transaction.atomic():
        c = _locked(training_class)
        _gate(actor, c)
        _check_enrolling(c)
        people: list[tuple] = []  # (kind, *_PERSON_COLUMNS)
        if members is not None:
            qs = members.filter(status__in=sorted(IN_PARTY))
            if not _system(actor):
                qs = restrict(qs, actor, "training.manage")
            people += [
                ("m", *row)
                for row in qs.order_by("org_path", "name_folded", "pk").values_list(
                    *_PERSON_COLUMNS
                )
            ]
        if candidates is not None:
            from dangvu.admission.choices import OPEN  # noqa: PLC0415 — only when asked

            qs = candidates.filter(stage__in=sorted(OPEN))
            if not _system(actor):
                qs = restrict(qs, actor, "training.manage")
            people += [
                ("c", *row)
                for row in qs.order_by("org_path", "name_folded", "pk").values_list(
                    *_PERSON_COLUMNS
                )
            ]
        roll = list(c.enrolments.values_list("member_id", "candidate_id", "status", "position"))
        taken_m = {m for m, _c, _s, _p in roll if m is not None}
        taken_c = {cid for _m, cid, _s, _p in roll if cid is not None}
        enrolled = sum(1 for r in roll if r[2] == Status.ENROLLED)
        last = max((r[3] for r in roll if r[3] is not None), default=0)
        free = max(c.capacity - enrolled, 0)
        rows, already = [], 0
        for kind, pk, name, org, path, gender, ethnicity in people:
            if (kind == "m" and pk in taken_m) or (kind == "c" and pk in taken_c):
                already += 1
                continue
            (taken_m if kind == "m" else taken_c).add(pk)
            if free:
                status, position, free = Status.ENROLLED, None, free - 1
            else:
                last += 1
                status, position = Status.WAITING, last
            rows.append(
                Enrolment(
                    training_class=c,
                    member_id=pk if kind == "m" else None,
                    candidate_id=pk if kind == "c" else None,
                    full_name=name,
                    name_folded=fold(name),
                    person_org_id=org,
                    person_path=path,
                    gender=gender,
                    ethnicity=ethnicity,
                    status=status,
                    position=position,
                    recorded_by_id=recorder_id(actor),
                )
            )
        Enrolment.objects.bulk_create(rows, batch_size=BATCH)
        audit_bulk(
            actor=actor,
            entries=[
                _entry(
                    "training.enrol",
                    c,
                    after={"person": r.full_name, "status": r.status, "position": r.position},
                )
                for r in rows
            ],
        )
        waiting = sum(1 for r in rows if r.status == Status.WAITING)
        if rows:
            _recount(c)
        return BulkEnrolment(enrolled=len(rows) - waiting, waiting=waiting, already=already)


def enrol_by_position(
    *,
    actor,
    training_class: TrainingClass,
    under: Organisation,
    positions: Iterable[str],
    on: date | None = None,
) -> BulkEnrolment:
    """Enrol every party member who holds one of `positions` (members.Position.Kind: secretary,
    deputy secretary, committee member…) on `on` (today) in an organisation under `under` (its
    subtree) — e.g. all cell secretaries of a province for an online skills class. One query
    selects them (a subquery on the positions), enrolments_create_bulk does the rest."""
    kinds = sorted(set(positions))
    unknown = set(kinds) - set(Position.Kind.values)
    if not kinds or unknown:
        raise ValidationError({"positions": _("Choose the positions.")})
    on = on or timezone.localdate()
    held = (
        Position.objects.filter(
            prefix_q("org_path", under.path), kind__in=kinds, valid_from__lte=on
        )
        .exclude(valid_to__lte=on)
        .filter(member__isnull=False)
        .values("member_id")
    )
    return enrolments_create_bulk(
        actor=actor, training_class=training_class, members=Member.objects.filter(pk__in=held)
    )


def classes_move(*, old_path: str, new_path: str) -> None:
    """A subtree moved (core.registry): the classes it organises follow, and so do the
    enrolments of the people it holds (their organisation's path, which the report's travel
    burden compares with the class's communes)."""
    TrainingClass.objects.filter(prefix_q("org_path", old_path)).update(
        org_path=Concat(Value(new_path), Substr(F("org_path"), Length(Value(old_path)) + 1))
    )
    Enrolment.objects.filter(prefix_q("person_path", old_path)).update(
        person_path=Concat(Value(new_path), Substr(F("person_path"), Length(Value(old_path)) + 1))
    )


# --- attendance --------------------------------------------------------------------------------


def _session(actor, session: ClassSession) -> tuple[TrainingClass, ClassSession]:
    c = _locked(session.training_class)
    _gate(actor, c)
    if c.state in (State.FINISHED, State.CANCELLED):
        raise ValidationError(
            {
                "state": _("The class is %(state)s: its attendance no longer changes.")
                % {"state": c.get_state_display()}
            }
        )
    s = c.sessions.get(pk=session.pk)
    if s.day > timezone.localdate():
        raise ValidationError({"session": _("The session has not taken place yet.")})
    return c, s


def _write_attendance(s: ClassSession, marks: dict[int, tuple[bool, int | None]]) -> None:
    """Replace the rows of these enrolments for the session (one delete, one insert)."""
    SessionAttendance.objects.filter(session=s, enrolment_id__in=list(marks)).delete()
    SessionAttendance.objects.bulk_create(
        [
            SessionAttendance(session=s, enrolment_id=e, present=present, minutes=minutes)
            for e, (present, minutes) in marks.items()
        ],
        batch_size=BATCH,
    )
    if not s.attendance_taken:
        s.attendance_taken = True
        s.save(update_fields=["attendance_taken"])


@transaction.atomic
def session_roll_call(
    *, actor, session: ClassSession, present: Iterable[int] = (), absent: Iterable[int] = ()
) -> dict[str, int]:
    """Record who attended a session that has taken place, for many enrolled people in one call
    (enrolment ids); those not named keep what was recorded. Only enrolled people of the class
    are marked; anyone else named is refused. Audited once for the session."""
    c, s = _session(actor, session)
    present, absent = set(present), set(absent)
    if present & absent:
        raise ValidationError({"present": _("Someone is marked both present and absent.")})
    named = present | absent
    known = set(
        c.enrolments.filter(pk__in=named, status=Status.ENROLLED).values_list("pk", flat=True)
    )
    if named - known:
        raise ValidationError(
            {
                "present": _("%(n)d of the people marked are not enrolled in this class.")
                % {"n": len(named - known)}
            }
        )
    marks = {e: (True, None) for e in present} | {e: (False, None) for e in absent}
    _write_attendance(s, marks)
    _audit(
        actor,
        "training.roll_call",
        c,
        after={"session": s.pk, "day": s.day, "present": len(present), "absent": len(absent)},
    )
    return {"present": len(present), "absent": len(absent)}


@dataclass
class ImportPreview:
    """An imported participant list matched against the class: one RowMatch per row, the
    counts by status, and (after confirmation) how many attendance rows were written."""

    session: ClassSession
    rows: list[RowMatch]
    counts: dict[str, int] = field(default_factory=dict)
    written: int = 0


def _match(c: TrainingClass, content: bytes) -> list[RowMatch]:
    enrolled = [
        Enrolled(pk, name, folded)
        for pk, name, folded in c.enrolments.filter(status=Status.ENROLLED).values_list(
            "pk", "full_name", "name_folded"
        )
    ]
    return match_participants(parse_participants(content), enrolled)


def _preview(s: ClassSession, rows: list[RowMatch]) -> ImportPreview:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return ImportPreview(session=s, rows=rows, counts=counts)


def attendance_import_preview(*, actor, session: ClassSession, content: bytes) -> ImportPreview:
    """Read an online platform's participant list (CSV) for a session and say, row by row, whom
    it matches (training.importers): matched, unknown, ambiguous, duplicate, probable
    misspelling with its suggestion. Writes nothing."""
    with transaction.atomic():
        c, s = _session(actor, session)
        preview = _preview(s, _match(c, content))
        transaction.set_rollback(True)  # a preview: nothing of it stays, not even the lock
    return preview


@transaction.atomic
def attendance_import_confirm(*, actor, session: ClassSession, content: bytes) -> ImportPreview:
    """Record the matched rows of a participant list as present at the session (with their
    minutes online where the list has them); every other row is left out, misspellings
    included (correct the name or mark the person by roll call). The list is matched again
    here: what is written is what the same list previews now. Audited once."""
    c, s = _session(actor, session)
    preview = _preview(s, _match(c, content))
    marks = {
        r.enrolment_id: (True, r.row.minutes)
        for r in preview.rows
        if r.status == Match.MATCHED and r.enrolment_id is not None
    }
    _write_attendance(s, marks)
    preview.written = len(marks)
    _audit(
        actor,
        "training.attendance_import",
        c,
        after={"session": s.pk, "day": s.day, "present": len(marks), "rows": preview.counts},
    )
    return preview


# --- results and certificates --------------------------------------------------------------------


def _sheet(c: TrainingClass, column: str) -> dict[str, Any]:
    rows = c.enrolments.filter(status=Status.ENROLLED).order_by("pk").values_list("pk", column)
    return {f"e{pk}": value for pk, value in rows}


# A class's score sheet as its page (Final test scores) and GET /api/v1/classes/{id}
# (`scores_version`) show it (core.editing): the record is the whole sheet, a field per person
# enrolled ("e" and the enrolment id, as the page's inputs), labelled with their name. A score
# changed by someone else after the sheet was read refuses the save, naming the person and the
# values; someone enrolled or withdrawn since is no score overwritten.
SCORE_SHEET = editable(
    Editable(
        name="training.scores",
        labels=dict,
        read=lambda c: _sheet(c, "score"),
        row_labels=lambda c: _sheet(c, "full_name"),
        audit=lambda c: ("training_class", c.pk),
        page="training:scores",
        api="POST /api/v1/classes/{class_id}/scores",
    )
)


@transaction.atomic
def scores_record(
    *,
    actor,
    training_class: TrainingClass,
    scores: dict[int, object],
    version: str | None = None,
) -> int:
    """Record the final test's scores (0–10, two decimals) of enrolled people (enrolment id →
    score), before the class is finished. `version` (core.editing): the class's score sheet as
    the editor read it; a score changed since, nothing is written."""
    c = _locked(training_class)
    _gate(actor, c)
    SCORE_SHEET.check(c, version)
    if c.state in (State.FINISHED, State.CANCELLED):
        raise ValidationError(
            {
                "state": _("The class is %(state)s: its results no longer change.")
                % {"state": c.get_state_display()}
            }
        )
    if c.pass_mark is None:
        raise ValidationError({"scores": _("This class holds no final test.")})
    marks = {int(k): _mark(v, "scores") for k, v in scores.items()}
    rows = list(c.enrolments.filter(pk__in=list(marks), status=Status.ENROLLED))
    if len(rows) != len(marks):
        raise ValidationError(
            {"scores": _("Scores are recorded for enrolled people of the class only.")}
        )
    for r in rows:
        r.score = marks[r.pk]
    Enrolment.objects.bulk_update(rows, ["score"], batch_size=BATCH)
    _audit(actor, "training.scores", c, after={"scores": {r.pk: r.score for r in rows}})
    return len(rows)


def minimum_share(c: TrainingClass) -> tuple[int, int]:
    """The share of sessions to attend, as (numerator, denominator): the class's own, else the
    rules registry's in force on its last session day."""
    if c.min_attendance_percent is not None:
        return (c.min_attendance_percent, 100)
    share = rule_value_or_none(
        "training_min_attendance_share", on=c.ends_on or timezone.localdate()
    )
    if share is None:
        raise ValidationError(
            {
                "min_attendance_percent": _(
                    "No rule for the minimum attendance is recorded for this date: set the "
                    "class's own."
                )
            }
        )
    return share


def completes(
    *,
    attended: int,
    sessions: int,
    share: tuple[int, int],
    score: Decimal | None = None,
    pass_mark: Decimal | None = None,
) -> bool:
    """Whether an enrolled person completed the class: they attended AT LEAST the minimum share
    of its sessions (exactly at the share completes: the rule reads "at least"), and where the
    class holds a final test, scored at least its pass mark."""
    num, den = share
    if sessions <= 0 or attended * den < sessions * num:
        return False
    if pass_mark is not None:
        return score is not None and score >= pass_mark
    return True


@dataclass(frozen=True)
class Completion:
    passed: int
    failed: int
    share: tuple[int, int]


@transaction.atomic
def class_complete(*, actor, training_class: TrainingClass, on: date | None = None) -> Completion:
    """Finish a closed class and record each enrolled person's result (completes): every
    session must have taken place with its attendance recorded, and where the class holds a
    final test every enrolled person must have a score. Waiting and withdrawn people keep no
    result. Audited as `training.class_complete`."""
    c = _locked(training_class)
    _gate(actor, c)
    on = on or timezone.localdate()
    if c.state != State.CLOSED:
        raise ValidationError(
            {"state": _("Close the class's enrolment before recording its results.")}
        )
    sessions = list(c.sessions.all())
    if not sessions:
        raise ValidationError({"sessions": _("The class has no session.")})
    if c.ends_on > on:
        raise ValidationError(
            {"on": _("The class's last session is on %(d)s.") % {"d": _fmt(c.ends_on)}}
        )
    missing = [s for s in sessions if not s.attendance_taken]
    if missing:
        raise ValidationError(
            {
                "sessions": _("The attendance of the session of %(d)s is not recorded.")
                % {"d": _fmt(missing[0].day)}
            }
        )
    rows = list(c.enrolments.filter(status=Status.ENROLLED))
    if c.pass_mark is not None:
        unscored = [r for r in rows if r.score is None]
        if unscored:
            raise ValidationError(
                {
                    "scores": _("%(n)d enrolled people have no score (e.g. %(name)s).")
                    % {"n": len(unscored), "name": unscored[0].full_name}
                }
            )
    attended: dict[int, int] = {}
    # By the sessions' keys (the attendance's primary key starts with the session), so the
    # plan does not depend on the tables' statistics: without them PostgreSQL joined by
    # scanning, seconds a class once the tables held a few thousand rows.
    enrolled = {r.pk for r in rows}
    for e in SessionAttendance.objects.filter(
        session_id__in=[s.pk for s in sessions], present=True
    ).values_list("enrolment_id", flat=True):
        if e in enrolled:
            attended[e] = attended.get(e, 0) + 1
    share = minimum_share(c)
    for r in rows:
        ok = completes(
            attended=attended.get(r.pk, 0),
            sessions=len(sessions),
            share=share,
            score=r.score,
            pass_mark=c.pass_mark,
        )
        r.result = Result.PASSED if ok else Result.FAILED
    Enrolment.objects.bulk_update(rows, ["result"], batch_size=BATCH)
    c.state, c.finished_on = State.FINISHED, on
    c.save(update_fields=["state", "finished_on", "updated_at"])
    passed = sum(r.result == Result.PASSED for r in rows)
    _recount(c)
    _audit(
        actor,
        "training.class_complete",
        c,
        after={"passed": passed, "failed": len(rows) - passed, "share": list(share)},
    )
    return Completion(passed=passed, failed=len(rows) - passed, share=share)


def certificate_number(seq: int, year: int, organiser: Organisation) -> str:
    """ "12/2025/TTCT-KT-DG": the sequence in the organiser's year, the year, and the organiser's
    code after TTCT (trung tâm chính trị). Unique across the country as the codes are."""
    return f"{seq}/{year}/TTCT-{organiser.code}"


@dataclass(frozen=True)
class Issue:
    certificates: list[Certificate]
    # Admission cases moved to "awareness class passed", and those that could not be (id → why).
    handed_off: list[int]
    not_handed_off: dict[int, str]


@transaction.atomic
def certificates_issue(*, actor, training_class: TrainingClass, issued_on: date) -> Issue:
    """Issue the certificates of a finished class's completed enrolments that have none yet,
    dated `issued_on` (not before the last session, not in the future), numbered on from the
    organiser's last number of that year (the counter row is locked: two issues at once queue,
    and the numbers have no gap), in order of name.

    For an awareness class, each certificate of a person on the admission pipeline who is at
    the "identified" stage is recorded on their case as the step "awareness class passed", with
    the certificate's number and date (admission.services.candidate_step, by the system on the
    certificate's authority; only where the admission app is installed). A case the step
    refuses (a later step already dated after the certificate…) is reported, not forced."""
    c = _locked(training_class)
    _gate(actor, c)
    if c.state != State.FINISHED:
        raise ValidationError(
            {"state": _("Record the class's results before issuing certificates.")}
        )
    if issued_on is None:
        raise ValidationError({"issued_on": _("Enter the date.")})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("The date cannot be in the future.")})
    if c.ends_on and issued_on < c.ends_on:
        raise ValidationError(
            {"issued_on": _("The class's last session is on %(d)s.") % {"d": _fmt(c.ends_on)}}
        )
    rows = list(
        c.enrolments.filter(
            status=Status.ENROLLED, result=Result.PASSED, certificate__isnull=True
        ).order_by("name_folded", "pk")
    )
    if not rows:
        return Issue([], [], {})
    organiser = c.organisation
    year = issued_on.year
    CertificateCounter.objects.get_or_create(organiser=organiser, year=year)
    counter = CertificateCounter.objects.select_for_update().get(organiser=organiser, year=year)
    certificates = []
    for n, r in enumerate(rows, start=counter.last + 1):
        certificates.append(
            Certificate(
                enrolment=r,
                organiser=organiser,
                year=year,
                seq=n,
                number=certificate_number(n, year, organiser),
                issued_on=issued_on,
                full_name=r.full_name,
                recorded_by_id=recorder_id(actor),
            )
        )
    Certificate.objects.bulk_create(certificates, batch_size=BATCH)
    counter.last += len(certificates)
    counter.save(update_fields=["last"])
    audit_bulk(
        actor=actor,
        entries=[
            _entry(
                "training.certificate",
                c,
                after={"number": cert.number, "person": cert.full_name, "issued_on": issued_on},
                label=cert.number,
            )
            for cert in certificates
        ],
    )
    handed, refused = [], {}
    if c.kind == Kind.AWARENESS:
        handed, refused = _hand_off(actor, c, certificates)
    return Issue(certificates, handed, refused)


def _hand_off(actor, c: TrainingClass, certificates: list[Certificate]):
    """Record "awareness class passed" on the admission cases of these certificates that are at
    the "identified" stage (nothing when the admission app is not installed)."""
    by_case = {
        cert.enrolment.candidate_id: cert for cert in certificates if cert.enrolment.candidate_id
    }
    if not by_case or not apps.is_installed("dangvu.admission"):
        return [], {}
    from dangvu.admission.choices import Stage, Step  # noqa: PLC0415 — optional app
    from dangvu.admission.models import Candidate  # noqa: PLC0415
    from dangvu.admission.services import StepInput, candidate_step  # noqa: PLC0415

    handed, refused = [], {}
    by = getattr(actor, "username", "") or "system"
    for case in Candidate.objects.filter(pk__in=list(by_case), stage=Stage.IDENTIFIED).order_by(
        "pk"
    ):
        cert = by_case[case.pk]
        step = StepInput(
            step=Step.CLASS_PASSED,
            date=cert.issued_on,
            certificate_number=cert.number,
            issuer=c.organisation.name,
            note=_("Certificate issued by %(user)s for the class “%(title)s”.")
            % {"user": by, "title": c.title},
        )
        try:
            with transaction.atomic():
                # The certificate is the act: the step follows from it whoever issued it (a
                # trainer holds no admission action), and its note names them.
                candidate_step(actor=SYSTEM, candidate=case, step=step)
        except ValidationError as exc:
            refused[case.pk] = "; ".join(m for ms in field_errors(exc).values() for m in ms)
        else:
            handed.append(case.pk)
    return handed, refused
