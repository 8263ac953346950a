"""Writes of cell meetings: planning (one meeting, or a year from a rule), recording what
happened with its attendance, approving the minutes (which locks the meeting) and correcting a
locked meeting (recorded, not overwritten). DOMAIN.md §4."""

import calendar
import json
from dataclasses import dataclass
from datetime import date, time
from typing import NamedTuple

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM, allows
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.db import allocate_ids, insert_rows
from dangvu.core.editing import Editable, editable, shown_value
from dangvu.core.errors import ValidationError
from dangvu.core.rules import RuleNotInForce, rule, rule_value_or_none
from dangvu.core.text import clean_text, clean_texts
from dangvu.core.uploads import check_upload, stored_name
from dangvu.meetings.choices import Absence, Evaluator, Kind, State, TaskState
from dangvu.meetings.models import (
    Meeting,
    MeetingAbsence,
    MeetingCorrection,
    MeetingEvaluation,
    MeetingFile,
    MemberTask,
    Supervision,
    SupervisionVisit,
)
from dangvu.meetings.notices import notify_planned, notify_task
from dangvu.meetings.rollup import rollup_add, rollup_kept
from dangvu.members.choices import IN_PARTY, EventType, Status
from dangvu.members.models import Member, MemberPeriod, MembershipEvent
from dangvu.members.services import recorder_id
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation

__all__ = [
    "MEETING_RECORD",
    "TASK_REVIEW",
    "RosterEntry",
    "roster",
    "Turnout",
    "turnout",
    "attendance_figures",
    "attendance_counts",
    "meeting_plan",
    "meetings_plan_year",
    "meeting_record",
    "meeting_approve",
    "meeting_correct",
    "meeting_cancel",
    "meeting_attach",
    "meeting_detach",
    "HeldMeeting",
    "meetings_create_bulk",
    "WrittenMeeting",
    "supervisions_create_bulk",
    "meeting_evaluate",
    "quality_test",
    "quality_failures",
    "scoring_sheet",
    "evaluator_sides",
    "supervision_assign",
    "visit_plan",
    "visit_report",
    "task_assign",
    "task_review",
    "CORRECTABLE",
]

TEXT_LIMITS = {
    "topic": 300,
    "place": 200,
    "online_link": 300,
    "agenda": 5000,
    "guests": 2000,
    "content": 20000,
    "resolution": 20000,
    "minutes": 50000,
    "reason": 300,
    "strengths": 5000,
    "weaknesses": 5000,
    "note": 300,
    "notes": 5000,
    "title": 300,
    "detail": 5000,
    "suited_to": 300,
    "review": 5000,
}
MULTILINE = {
    "agenda",
    "guests",
    "content",
    "resolution",
    "minutes",
    "strengths",
    "weaknesses",
    "notes",
    "detail",
    "review",
}
# What a correction of approved minutes may change (the attendance is corrected as a whole).
CORRECTABLE = ("topic", "guests", "content", "resolution", "minutes", "started_at", "ended_at")


@dataclass(frozen=True)
class RosterEntry:
    """A member of the cell on the meeting's day."""

    member_id: int
    full_name: str
    official: bool
    exempted: bool
    away: bool  # temporarily active in another organisation


def _gate(actor, target) -> None:
    """The system (the demo, the generator) records as told; a person where the gate allows."""
    if actor is None or actor is SYSTEM or allows(actor, "meetings.manage", target):
        return
    raise ValidationError({"organisation": _("You may not manage the meetings of this cell.")})


def _texts(**texts) -> dict[str, str]:
    return clean_texts(texts, limits=TEXT_LIMITS, multiline=MULTILINE)


def _log(actor, action: str, kind: str, row, label: str, before=None, after=None) -> None:
    """The audit record of a write to a meeting, an assignment or a task (`kind`)."""
    audit_record(
        actor=actor,
        entry=AuditEntry(
            action=action,
            object_type=kind,
            object_id=row.pk,
            object_repr=label[:100],
            org_path=row.org_path,
            before=before,
            after=after,
        ),
    )


def _audit(actor, action: str, m: Meeting, before=None, after=None) -> None:
    _log(
        actor,
        action,
        "meeting",
        m,
        f"{m.get_kind_display()} {m.planned_on:%d/%m/%Y}",
        before,
        after,
    )


def _check_cell(organisation: Organisation | None, day: date) -> None:
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the party cell.")})
    if organisation.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError(
            {"organisation": _("Meetings are planned for a party cell, not a committee.")}
        )
    if not organisation.active_on(day):
        raise ValidationError(
            {"planned_on": _("%(org)s did not exist on that day.") % {"org": organisation.name}}
        )


# --- the members of the cell on the day --------------------------------------------------------


def roster(cell: Organisation, day: date) -> list[RosterEntry]:
    """The cell's members on `day` (their in-party periods), each official or probationary,
    exempted or not, and whether they were temporarily active elsewhere (their latest
    temporary transfer or return up to that day), by name."""
    periods = list(
        MemberPeriod.objects.filter(
            organisation=cell, valid_from__lte=day, status__in=sorted(IN_PARTY)
        )
        .exclude(valid_to__lte=day)
        .values_list("member_id", "status", "exempted")
    )
    ids = [p[0] for p in periods]
    away: dict[int, bool] = {}
    for member_id, type_ in (
        MembershipEvent.objects.filter(
            member_id__in=ids,
            type__in=(EventType.TEMPORARY_TRANSFER, EventType.TEMPORARY_RETURN),
            date__lte=day,
            corrected_by__isnull=True,
        )
        .order_by("member_id", "date", "seq")
        .values_list("member_id", "type")
    ):
        away[member_id] = type_ == EventType.TEMPORARY_TRANSFER
    names = dict(Member.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    entries = [
        RosterEntry(
            member_id=pk,
            full_name=names.get(pk, ""),
            official=status == Status.OFFICIAL,
            exempted=exempted,
            away=away.get(pk, False),
        )
        for pk, status, exempted in periods
    ]
    return sorted(entries, key=lambda e: (e.full_name.split()[-1:], e.full_name, e.member_id))


class Turnout(NamedTuple):
    """A meeting's attendance counted, the quorum rule's input: the roster, those temporarily
    elsewhere, the exempted members who did not come; among the others (those expected) the
    absent with and without reason; the official members expected and how many of them were
    absent each way."""

    roster: int
    away: int = 0
    exempt_absent: int = 0
    excused: int = 0
    unexcused: int = 0
    official: int = 0
    official_excused: int = 0
    official_unexcused: int = 0


def turnout(entries: list[RosterEntry], absences: dict[int, str]) -> Turnout:
    """A roster and its absences counted (DOMAIN.md §4.7): those away and exempted members who
    did not come are not expected; the rest are."""
    expected = [e for e in entries if not e.away and not (e.exempted and e.member_id in absences)]
    absent = [absences[e.member_id] for e in expected if e.member_id in absences]
    official_absent = [
        absences[e.member_id] for e in expected if e.official and e.member_id in absences
    ]
    return Turnout(
        roster=len(entries),
        away=sum(e.away for e in entries),
        exempt_absent=sum(e.exempted and e.member_id in absences for e in entries if not e.away),
        excused=absent.count(Absence.EXCUSED),
        unexcused=absent.count(Absence.UNEXCUSED),
        official=sum(e.official for e in expected),
        official_excused=official_absent.count(Absence.EXCUSED),
        official_unexcused=official_absent.count(Absence.UNEXCUSED),
    )


def attendance_figures(t: Turnout, *, on: date) -> dict:
    """What a counted attendance adds up to (DOMAIN.md §4.7): those expected (convened),
    present, absent with and without reason; the quorum's base (official members expected, less
    those absent with an approved reason) and the official members present; valid when these
    are more than the registry's share of the base."""
    convened = t.roster - t.away - t.exempt_absent
    base = t.official - t.official_excused
    official_present = base - t.official_unexcused
    share = rule_value_or_none("meeting_quorum_share", on=on)
    if share is None:  # before the first rule Dangvu records: validity is not judged
        valid = None
    else:
        num, den = share
        valid = base > 0 and official_present * den > base * num
    return {
        "roster": t.roster,
        "away": t.away,
        "convened": convened,
        "present": convened - t.excused - t.unexcused,
        "excused": t.excused,
        "unexcused": t.unexcused,
        "exempt_absent": t.exempt_absent,
        "quorum_base": base,
        "official_present": official_present,
        "valid": valid,
    }


def attendance_counts(entries: list[RosterEntry], absences: dict[int, str], on: date) -> dict:
    """What a roster's attendance adds up to on a day (attendance_figures of its turnout)."""
    return attendance_figures(turnout(entries, absences), on=on)


# --- planning ------------------------------------------------------------------------------------


@transaction.atomic
def meeting_plan(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    planned_on: date,
    starts_at: time | None = None,
    topic: str = "",
    agenda: str = "",
    place: str = "",
    online_link: str = "",
    notify: bool = True,
) -> Meeting:
    """Plan one meeting of a cell: its kind, day, time, topic, agenda and place (or link). The
    cell's members are e-mailed the meeting with a calendar file (meetings.notices) unless
    `notify` is off."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if planned_on is None:
        raise ValidationError({"planned_on": _("Enter the date.")})
    _check_cell(organisation, planned_on)
    _gate(actor, organisation)
    texts = _texts(topic=topic, agenda=agenda, place=place, online_link=online_link)
    if texts["online_link"] and not texts["online_link"].startswith(("https://", "http://")):
        raise ValidationError({"online_link": _("The online link starts with https://.")})
    if kind == Kind.THEMATIC and not texts["topic"]:
        raise ValidationError({"topic": _("A thematic meeting has a topic.")})
    m = Meeting(kind=kind, planned_on=planned_on, starts_at=starts_at, **texts)
    m.place_in(organisation)
    m.recorded_by_id = recorder_id(actor)
    m.save()
    _audit(actor, "meeting.plan", m, after={"kind": kind, "planned_on": planned_on, **texts})
    if notify:
        notify_planned(actor, [m])
    return m


@transaction.atomic
def meetings_plan_year(
    *,
    actor,
    organisation: Organisation,
    year: int,
    day: int,
    starts_at: time | None = None,
    place: str = "",
    thematic_months: tuple[int, ...] = (),
    thematic_topic: str = "",
) -> list[Meeting]:
    """A year's calendar from a rule: a regular meeting on `day` of every month (the month's
    last day when it is shorter), and a thematic one in each of `thematic_months` on the same
    day. Months that already have a meeting of that kind keep it. The members get one e-mail
    with the whole calendar."""
    if not 1 <= (day or 0) <= 31:
        raise ValidationError({"day": _("Enter a day of the month from 1 to 31.")})
    if not 2000 <= (year or 0) <= 2100:
        raise ValidationError({"year": _("Enter the year.")})
    if any(not 1 <= m <= 12 for m in thematic_months):
        raise ValidationError({"thematic_months": _("Months are numbered 1 to 12.")})
    if thematic_months and not clean_text(thematic_topic or "", max_length=300):
        raise ValidationError({"thematic_topic": _("A thematic meeting has a topic.")})
    _gate(actor, organisation)
    taken = set(
        Meeting.objects.filter(organisation=organisation, planned_on__year=year)
        .exclude(state=State.CANCELLED)
        .values_list("kind", "planned_on__month")
    )
    made = []
    for month in range(1, 13):
        on = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        wanted = [(Kind.REGULAR, "")]
        if month in thematic_months:
            wanted.append((Kind.THEMATIC, thematic_topic))
        for kind, topic in wanted:
            if (kind, month) in taken or not organisation.active_on(on):
                continue
            made.append(
                meeting_plan(
                    actor=actor,
                    organisation=organisation,
                    kind=kind,
                    planned_on=on,
                    starts_at=starts_at,
                    place=place,
                    topic=topic,
                    notify=False,
                )
            )
    notify_planned(actor, made)
    return made


# --- recording, approving, correcting --------------------------------------------------------


def _locked(m: Meeting) -> None:
    if m.state == State.APPROVED:
        raise ValidationError(
            {"state": _("The minutes are approved: the meeting is corrected, not edited.")}
        )
    if m.state == State.CANCELLED:
        raise ValidationError({"state": _("The meeting was cancelled.")})


def _record_read(m: Meeting) -> dict:
    chair = m.chair.full_name if m.chair_id else ""
    taker = m.minute_taker.full_name if m.minute_taker_id else ""
    absent = {
        f"{a.member.full_name} ({a.member_id})": [a.kind, a.reason]
        for a in m.absences.select_related("member")
    }
    return {
        "held_on": m.held_on,
        "started_at": m.started_at,
        "ended_at": m.ended_at,
        "chair": chair,
        "minute_taker": taker,
        "absences": absent,
        "guests": m.guests,
        "content": m.content,
        "resolution": m.resolution,
        "minutes": m.minutes,
    }


def _record_shown(name: str, value) -> str:
    if name == "absences":
        return (
            ", ".join(
                f"{who}: {Absence(kind).label}" + (f" — {reason}" if reason else "")
                for who, (kind, reason) in sorted(value.items())
            )
            or "—"
        )
    return shown_value(value)


# A meeting's record as its page (Record) and GET /api/v1/meetings/{id} show it (core.editing).
MEETING_RECORD = editable(
    Editable(
        name="meetings.record",
        labels=lambda: {
            "held_on": _("Held on"),
            "started_at": _("Started at"),
            "ended_at": _("Ended at"),
            "chair": _("Chair"),
            "minute_taker": _("Minute-taker"),
            "absences": _("Absent"),
            "guests": _("Guests and higher-committee attendees"),
            "content": _("Content"),
            "resolution": _("Resolution"),
            "minutes": _("Minutes"),
        },
        read=_record_read,
        audit=lambda m: ("meeting", m.pk),
        show=_record_shown,
        page="meetings:record",
        api="POST /api/v1/meetings/{meeting_id}/attendance",
    )
)


@transaction.atomic
def meeting_record(
    *,
    actor,
    meeting: Meeting,
    held_on: date,
    started_at: time | None = None,
    ended_at: time | None = None,
    chair: Member | None = None,
    minute_taker: Member | None = None,
    absences: dict[int, tuple[str, str]] | None = None,
    guests: str = "",
    content: str = "",
    resolution: str = "",
    minutes: str = "",
    version: str | None = None,
) -> Meeting:
    """Record what happened: the day and times, the chair and the minute-taker (members present),
    every absence ({member id: (excused | unexcused, reason)}, the others present), guests,
    content, resolution and minutes. Recording again replaces the record until the minutes are
    approved; `version` (core.editing): the record as the editor read it; changed since,
    nothing is written."""
    m = Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)
    _gate(actor, m)
    _locked(m)
    MEETING_RECORD.check(m, version)
    today = timezone.localdate()
    errors = {}
    if held_on is None:
        errors["held_on"] = _("Enter the day the meeting was held.")
    elif held_on > today:
        errors["held_on"] = _("The date cannot be in the future.")
    elif not m.organisation.active_on(held_on):
        errors["held_on"] = _("%(org)s did not exist on that day.") % {"org": m.organisation.name}
    if started_at and ended_at and ended_at <= started_at:
        errors["ended_at"] = _("The meeting ends after it starts.")
    if errors:
        raise ValidationError(errors)
    texts = _texts(guests=guests, content=content, resolution=resolution, minutes=minutes)
    entries = roster(m.organisation, held_on)
    by_id = {e.member_id: e for e in entries}
    absences = absences or {}
    cleaned: dict[int, tuple[str, str]] = {}
    for member_id, (kind, reason) in absences.items():
        entry = by_id.get(member_id)
        if entry is None:
            errors["absences"] = _(
                "Member no. %(id)s was not a member of this cell on %(day)s."
            ) % {"id": member_id, "day": held_on.strftime("%d/%m/%Y")}
            break
        if kind not in Absence.values:
            errors["absences"] = _("%(name)s: say whether the absence had a reason.") % {
                "name": entry.full_name
            }
            break
        if entry.away:
            continue  # temporarily elsewhere: not expected here
        cleaned[member_id] = (kind, _texts(reason=reason)["reason"])
    for field, person in (("chair", chair), ("minute_taker", minute_taker)):
        if person is None:
            continue
        if person.pk not in by_id:
            errors[field] = _("%(name)s was not a member of this cell on that day.") % {
                "name": person.full_name
            }
        elif person.pk in cleaned:
            errors[field] = _("%(name)s is recorded as absent.") % {"name": person.full_name}
    if errors:
        raise ValidationError(errors)
    before = {"state": m.state, "held_on": m.held_on, "absent": m.convened - m.present}
    counts = attendance_counts(entries, {k: v[0] for k, v in cleaned.items()}, held_on)
    for name, value in counts.items():
        setattr(m, name, value)
    m.held_on, m.started_at, m.ended_at = held_on, started_at, ended_at
    m.chair, m.minute_taker = chair, minute_taker
    for name, value in texts.items():
        setattr(m, name, value)
    m.state = State.HELD
    with rollup_kept(m.organisation_id, m.org_path, (before["held_on"], held_on)):
        m.save()
        m.absences.all().delete()
        MeetingAbsence.objects.bulk_create(
            MeetingAbsence(meeting=m, member_id=pk, kind=kind, reason=reason)
            for pk, (kind, reason) in sorted(cleaned.items())
        )
    _audit(
        actor,
        "meeting.record",
        m,
        before=before,
        after={"state": m.state, "held_on": held_on, **counts},
    )
    return m


@transaction.atomic
def meeting_approve(*, actor, meeting: Meeting, on: date | None = None) -> Meeting:
    """Approve the minutes: the meeting is locked from then on (corrections only)."""
    m = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _gate(actor, m)
    _locked(m)
    on = on or timezone.localdate()
    errors = {}
    if m.state != State.HELD:
        errors["state"] = _("Record the meeting before approving its minutes.")
    elif not m.minutes:
        errors["minutes"] = _("The minutes are empty.")
    elif on < m.held_on or on > timezone.localdate():
        errors["approved_on"] = _(
            "The minutes are approved on or after the meeting, not later than today."
        )
    if errors:
        raise ValidationError(errors)
    m.state, m.approved_on = State.APPROVED, on
    m.save(update_fields=["state", "approved_on", "updated_at"])
    _audit(actor, "meeting.approve", m, before={"state": State.HELD}, after={"state": m.state})
    return m


@transaction.atomic
def meeting_correct(*, actor, meeting: Meeting, changes: dict, reason: str) -> Meeting:
    """Correct an approved meeting: each changed field is recorded (before, after, reason, who,
    when) and the meeting shows the corrected value."""
    m = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _gate(actor, m)
    if m.state != State.APPROVED:
        raise ValidationError(
            {"state": _("Only a meeting whose minutes are approved is corrected; edit it.")}
        )
    reason = _texts(reason=reason)["reason"]
    if not reason:
        raise ValidationError({"reason": _("Say why the approved minutes are corrected.")})
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ValidationError({unknown[0]: _("This field cannot be corrected.")})
    texts = _texts(**{k: v for k, v in changes.items() if k in TEXT_LIMITS})
    values = {**changes, **texts}
    started = values.get("started_at", m.started_at)
    ended = values.get("ended_at", m.ended_at)
    if started and ended and ended <= started:
        raise ValidationError({"ended_at": _("The meeting ends after it starts.")})
    rows = []
    for field, value in values.items():
        old = getattr(m, field)
        if old == value:
            continue
        rows.append(
            MeetingCorrection(
                meeting=m,
                field=field,
                before="" if old is None else str(old),
                after="" if value is None else str(value),
                reason=reason,
                recorded_by_id=recorder_id(actor),
            )
        )
        setattr(m, field, value)
    if not rows:
        raise ValidationError({"__all__": _("Nothing differs from the approved minutes.")})
    m.save()
    MeetingCorrection.objects.bulk_create(rows)
    _audit(
        actor,
        "meeting.correct",
        m,
        before={r.field: r.before for r in rows},
        after={**{r.field: r.after for r in rows}, "reason": reason},
    )
    return m


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting (a held one is recorded, not cancelled)."""
    m = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _gate(actor, m)
    if m.state != State.PLANNED:
        raise ValidationError({"state": _("Only a planned meeting can be cancelled.")})
    reason = _texts(reason=reason)["reason"]
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    m.state = State.CANCELLED
    m.save(update_fields=["state", "updated_at"])
    _audit(actor, "meeting.cancel", m, before={"state": State.PLANNED}, after={"reason": reason})
    return m


def meeting_attach(
    *, actor, meeting: Meeting, upload, role: str = MeetingFile.Role.RESOLUTION, reason: str = ""
) -> MeetingFile:
    """Attach a file (the resolution, the minutes, another document) to a meeting that is held
    or planned. Its type and size are checked first (core.uploads: PDF, DOCX, JPEG, PNG,
    WebP). A meeting whose minutes are approved takes a file only as a recorded correction,
    with its reason."""
    m = Meeting.objects.get(pk=meeting.pk)
    _gate(actor, m)
    if m.state == State.CANCELLED:
        raise ValidationError({"state": _("The meeting was cancelled.")})
    if role not in MeetingFile.Role.values:
        raise ValidationError({"role": _("Say which document the file is.")})
    reason = _texts(reason=reason)["reason"]
    if m.state == State.APPROVED and not reason:
        raise ValidationError(
            {"reason": _("The minutes are approved: say why a file is added to them.")}
        )
    checked = check_upload(upload)
    path = default_storage.save(stored_name(f"meetings/{m.pk}", checked.kind), upload)
    try:
        with transaction.atomic():
            row = MeetingFile.objects.create(
                meeting=m,
                role=role,
                file=path,
                name=checked.name,
                kind=checked.kind.code,
                size=checked.size,
                uploaded_by_id=recorder_id(actor),
            )
            if m.state == State.APPROVED:
                MeetingCorrection.objects.create(
                    meeting=m,
                    field="files",
                    after=checked.name,
                    reason=reason,
                    recorded_by_id=recorder_id(actor),
                )
            _audit(
                actor,
                "meeting.attach",
                m,
                after={"file": checked.name, "role": role, "size": checked.size, "reason": reason},
            )
    except BaseException:
        default_storage.delete(path)
        raise
    return row


def meeting_detach(*, actor, meeting: Meeting, file_id: int) -> None:
    """Remove a file attached by mistake, while the minutes are not approved (after that the
    file is part of the record)."""
    m = Meeting.objects.get(pk=meeting.pk)
    _gate(actor, m)
    _locked(m)
    row = MeetingFile.objects.filter(meeting=m, pk=file_id).first()
    if row is None:
        raise ValidationError({"file": _("This meeting has no such file.")})
    path = row.file.name
    with transaction.atomic():
        row.delete()
        _audit(actor, "meeting.detach", m, before={"file": row.name, "role": row.role})
        transaction.on_commit(lambda: default_storage.delete(path))


# --- evaluation ----------------------------------------------------------------------------------


def _province_code(m: Meeting) -> str:
    cut = 2 * Organisation.steplen
    return (
        Organisation.objects.filter(path=m.org_path[:cut]).values_list("code", flat=True).first()
        or ""
    )


def scoring_sheet(m: Meeting):
    """The scoring sheet (a rule value) in force for the meeting's province on its day; a
    ValidationError naming the day when none was (before the first one Dangvu records)."""
    day = m.held_on or m.planned_on
    try:
        return rule("meeting_scoring_sheet", on=day, scope=_province_code(m))
    except RuleNotInForce as exc:
        raise ValidationError(
            {
                "held_on": _("No scoring sheet was in force on %(day)s (the first: %(first)s).")
                % {
                    "day": day.strftime("%d/%m/%Y"),
                    "first": exc.first.effective_from.strftime("%d/%m/%Y"),
                }
            }
        ) from None


def quality_test(m: Meeting) -> list[str]:
    """Which conditions of the 2018 quality test (DOMAIN.md §4.5) the recorded meeting fails:
    attendance above the registry's share, no unexcused absence, the minimum length, minutes
    and a resolution. Empty: it passes."""
    return quality_failures(
        on=m.held_on or m.planned_on,
        convened=m.convened,
        present=m.present,
        unexcused=m.unexcused,
        length=m.minutes_long,
        minutes=bool(m.minutes),
        resolution=bool(m.resolution),
    )


def quality_failures(
    *,
    on: date,
    convened: int,
    present: int,
    unexcused: int,
    length: int | None,
    minutes: bool,
    resolution: bool,
) -> list[str]:
    """The 2018 quality test of quality_test on a meeting's figures: the day, those convened,
    present and absent without reason, its length in minutes, whether it has minutes and a
    resolution."""
    share = rule_value_or_none("meeting_quality_attendance_share", on=on)
    if share is None:  # before HD 12-HD/BTCTW (2018): no such test
        return []
    num, den = share
    failed = []
    if not convened or present * den <= convened * num:
        failed.append("attendance")
    if unexcused:
        failed.append("unexcused")
    minimum = rule_value_or_none("meeting_min_minutes", on=on)
    if minimum is not None and (length is None or length < minimum):
        failed.append("duration")
    if not minutes:
        failed.append("minutes")
    if not resolution:
        failed.append("resolution")
    return failed


def evaluator_sides(actor, m: Meeting) -> list[str]:
    """Who the actor may evaluate the meeting as: the cell (who manages its meetings), the
    supervisor (the committee member assigned to the cell on the meeting's day, or the board's
    staff who inspect: `meetings.supervise`)."""
    sides = []
    if allows(actor, "meetings.manage", m):
        sides.append(Evaluator.CELL)
    day = m.held_on or m.planned_on
    assigned = (
        getattr(actor, "pk", None) is not None
        and Supervision.objects.filter(
            organisation_id=m.organisation_id, supervisor_id=actor.pk, valid_from__lte=day
        )
        .exclude(valid_to__lt=day)
        .exists()
    )
    if assigned or allows(actor, "meetings.supervise", m):
        sides.append(Evaluator.SUPERVISOR)
    return sides


def _level(sheet, total: int, *, failed: bool) -> str:
    """The highest level whose threshold the total reaches; never the top one for a meeting
    that fails the 2018 quality test."""
    levels = sheet.value["levels"]
    level = next(code for code, lowest in levels if total >= lowest)
    if level == levels[0][0] and failed:
        level = levels[1][0]
    return level


@transaction.atomic
def meeting_evaluate(
    *,
    actor,
    meeting: Meeting,
    by: str,
    scores: dict[str, int],
    scorer_name: str = "",
    strengths: str = "",
    weaknesses: str = "",
) -> MeetingEvaluation:
    """Score a held meeting on its province's sheet (the cell's own evaluation, or the
    supervising committee member's): each criterion within its points; the level is the
    highest whose threshold the total reaches, except that a meeting failing the 2018 quality
    test (quality_test) is never rated at the top level. Scoring again replaces that side's
    evaluation."""
    m = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if by not in Evaluator.values:
        raise ValidationError({"by": _("Say who evaluates: the cell or the supervisor.")})
    if not (actor is None or actor is SYSTEM or by in evaluator_sides(actor, m)):
        raise ValidationError({"by": _("You may not evaluate this meeting.")})
    if m.state not in (State.HELD, State.APPROVED):
        raise ValidationError({"state": _("A meeting is evaluated once it has been recorded.")})
    sheet = scoring_sheet(m)
    criteria = sheet.value["criteria"]
    errors = {}
    total = 0
    cleaned = {}
    for code, label, points in criteria:
        value = (scores or {}).get(code)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= points:
            errors[f"scores.{code}"] = _("%(criterion)s: from 0 to %(max)d points.") % {
                "criterion": label,
                "max": points,
            }
            continue
        cleaned[code] = value
        total += value
    unknown = sorted(set(scores or {}) - {c for c, _l, _p in criteria})
    if unknown:
        errors[f"scores.{unknown[0]}"] = _("This criterion is not on the scoring sheet.")
    if errors:
        raise ValidationError(errors)
    texts = _texts(strengths=strengths, weaknesses=weaknesses)
    name = clean_text(scorer_name or "", max_length=150)
    level = _level(sheet, total, failed=bool(quality_test(m)))
    with rollup_kept(m.organisation_id, m.org_path, (m.held_on,)):
        evaluation, _created = MeetingEvaluation.objects.update_or_create(
            meeting=m,
            by=by,
            defaults=dict(
                scores=cleaned,
                total=total,
                level=level,
                sheet=sheet.source[:200],
                scorer_name=name,
                strengths=texts["strengths"],
                weaknesses=texts["weaknesses"],
                recorded_by_id=recorder_id(actor),
            ),
        )
    _audit(actor, "meeting.evaluate", m, after={"by": by, "total": total, "level": level})
    return evaluation


# --- many at once (the national generator) ------------------------------------------------------


@dataclass
class HeldMeeting:
    """A meeting already held, for meetings_create_bulk: the cell, its roster that day (the
    caller knows it) or that roster already counted (`turnout`: the national generator counts
    its cells' rosters without listing them), who was absent and how (members not away), and
    the cell's scores on the sheet."""

    cell: Organisation
    kind: str
    day: date
    started_at: time
    ended_at: time
    roster: list[RosterEntry]
    absences: dict[int, str]
    turnout: Turnout | None = None
    topic: str = ""
    resolution: str = ""
    minutes: str = ""
    scores: dict[str, int] | None = None
    approved_on: date | None = None


@dataclass(slots=True)
class WrittenMeeting:
    """A meeting meetings_create_bulk wrote: what the rollup, quality test and the supervision
    bulk read of it (a model instance per row cost the generator more than the database)."""

    pk: int
    organisation_id: int
    org_path: str
    kind: str
    state: str
    planned_on: date
    held_on: date
    started_at: time
    ended_at: time
    minutes: str
    resolution: str
    roster: int
    away: int
    convened: int
    present: int
    excused: int
    unexcused: int
    exempt_absent: int
    quorum_base: int
    official_present: int
    valid: bool | None

    @property
    def minutes_long(self) -> int:
        return (self.ended_at.hour * 60 + self.ended_at.minute) - (
            self.started_at.hour * 60 + self.started_at.minute
        )


def meetings_create_bulk(*, actor, rows: list[HeldMeeting]) -> list[WrittenMeeting]:
    """Write held meetings with their attendance and the cell's evaluation in a few statements
    (the national generator): the same counts, validity and quality rules as meeting_record
    and meeting_evaluate, for a caller that has already checked the cells and rosters (the
    system only). Rows go in as plain tuples (core.db.insert_rows: COPY on PostgreSQL)."""
    if actor is not None and actor is not SYSTEM:
        raise ValidationError({"__all__": _("Only the system writes meetings in bulk.")})
    if not rows:
        return []
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    ids = allocate_ids(Meeting, len(rows))
    written, meeting_rows, absence_rows, evaluation_rows = [], [], [], []
    provinces: dict[str, str] = {}
    sheets: dict[tuple[str, date], object] = {}
    levels: dict[int, str] = {}
    days: dict[date, object] = {}
    clock: dict[time, object] = {}
    if _BULK_COLUMNS != _MEETING_COLUMNS:
        raise RuntimeError(f"meetings_create_bulk writes {_BULK_COLUMNS}, not {_MEETING_COLUMNS}")
    # Most meetings count alike: their figures, quality test and level are looked up.
    figures: dict[tuple[Turnout, date], tuple[dict, tuple]] = {}
    failures: dict[tuple, bool] = {}
    graded: dict[tuple, str] = {}
    for pk, row in zip(ids, rows, strict=True):
        counted = row.turnout or turnout(row.roster, row.absences)
        found = figures.get((counted, row.day))
        if found is None:
            counts = attendance_figures(counted, on=row.day)
            found = figures[counted, row.day] = (counts, tuple(counts[c] for c in _COUNTS))
        counts, count_values = found
        m = WrittenMeeting(
            pk=pk,
            organisation_id=row.cell.pk,
            org_path=row.cell.path,
            kind=row.kind,
            state=State.APPROVED if row.approved_on else State.HELD,
            planned_on=row.day,
            held_on=row.day,
            started_at=row.started_at,
            ended_at=row.ended_at,
            minutes=row.minutes,
            resolution=row.resolution,
            **counts,
        )
        written.append(m)
        for day in (row.day, row.approved_on):
            if day not in days:
                days[day] = ops.adapt_datefield_value(day)
        for moment in (row.started_at, row.ended_at):
            if moment not in clock:
                clock[moment] = ops.adapt_timefield_value(moment)
        day, start = days[row.day], clock[row.started_at]
        # In _BULK_COLUMNS' order.
        meeting_rows.append(
            (
                pk,
                m.organisation_id,
                m.org_path,
                m.kind,
                m.state,
                day,
                start,
                "",
                "",
                row.topic,
                "",
                day,
                start,
                clock[row.ended_at],
                None,
                None,
                "",
                "",
                row.resolution,
                row.minutes,
                *count_values,
                days[row.approved_on],
                None,
                now,
            )
        )
        if row.absences:
            away = {e.member_id for e in row.roster if e.away}
            absence_rows += [
                (pk, member, kind, "")
                for member, kind in sorted(row.absences.items())
                if member not in away
            ]
        if row.scores is not None:
            cut = m.org_path[: 2 * Organisation.steplen]
            if cut not in provinces:
                provinces[cut] = _province_code(m)
            key = (provinces[cut], row.day)
            if key not in sheets:
                sheets[key] = rule("meeting_scoring_sheet", on=row.day, scope=key[0])
            sheet = sheets[key]
            total = sum(row.scores.values())
            test = {
                "on": row.day,
                "convened": m.convened,
                "present": m.present,
                "unexcused": m.unexcused,
                "length": m.minutes_long,
                "minutes": bool(m.minutes),
                "resolution": bool(m.resolution),
            }
            inputs = tuple(test.values())
            if inputs not in failures:
                failures[inputs] = bool(quality_failures(**test))
            grade = (key, total, failures[inputs])
            if grade not in graded:
                graded[grade] = _level(sheet, total, failed=failures[inputs])
            level = levels[pk] = graded[grade]
            evaluation_rows.append(
                (
                    pk,
                    Evaluator.CELL,
                    "",
                    json.dumps(row.scores),
                    total,
                    level,
                    sheet.source[:200],
                    "",
                    "",
                    None,
                    now,
                )
            )
    insert_rows(Meeting, _MEETING_COLUMNS, meeting_rows)
    insert_rows(MeetingAbsence, ("meeting_id", "member_id", "kind", "reason"), absence_rows)
    insert_rows(
        MeetingEvaluation,
        (
            "meeting_id",
            "by",
            "scorer_name",
            "scores",
            "total",
            "level",
            "sheet",
            "strengths",
            "weaknesses",
            "recorded_by_id",
            "recorded_at",
        ),
        evaluation_rows,
    )
    rollup_add(meetings=written, levels=levels)
    return written


_MEETING_COLUMNS = tuple(f.column for f in Meeting._meta.concrete_fields)
_COUNTS = (
    "roster",
    "away",
    "convened",
    "present",
    "excused",
    "unexcused",
    "exempt_absent",
    "quorum_base",
    "official_present",
    "valid",
)
# The order of meetings_create_bulk's tuples (the model's columns, checked at each call).
_BULK_COLUMNS = (
    "id",
    "organisation_id",
    "org_path",
    "kind",
    "state",
    "planned_on",
    "starts_at",
    "place",
    "online_link",
    "topic",
    "agenda",
    "held_on",
    "started_at",
    "ended_at",
    "chair_id",
    "minute_taker_id",
    "guests",
    "content",
    "resolution",
    "minutes",
    *_COUNTS,
    "approved_on",
    "recorded_by_id",
    "updated_at",
)


def supervisions_create_bulk(
    *,
    actor,
    committee: Organisation,
    supervisor,
    valid_from: date,
    cells: list[tuple[Organisation, list[Meeting]]],
) -> list[Supervision]:
    """Assign one person of `committee` to follow each of `cells` from `valid_from`, with the
    meetings of each that they attended (the national generator; the system only)."""
    if actor is not None and actor is not SYSTEM:
        raise ValidationError({"__all__": _("Only the system writes assignments in bulk.")})
    made = []
    for cell, _meetings in cells:
        s = Supervision(
            committee=committee,
            supervisor=supervisor,
            supervisor_name=_user_name(supervisor),
            valid_from=valid_from,
        )
        s.place_in(cell)
        made.append(s)
    Supervision.objects.bulk_create(made, batch_size=2000)
    SupervisionVisit.objects.bulk_create(
        (
            SupervisionVisit(supervision_id=s.pk, meeting_id=m.pk, attended=True)
            for s, (_cell, meetings) in zip(made, cells, strict=True)
            for m in meetings
        ),
        batch_size=5000,
    )
    rollup_add(
        visits=[(cell.pk, m.held_on) for cell, meetings in cells for m in meetings if m.held_on],
        paths={cell.pk: cell.path for cell, _meetings in cells},
    )
    return made


# --- supervision ---------------------------------------------------------------------------------


def _user_name(user) -> str:
    full = " ".join(part for part in (user.last_name, user.first_name) if part).strip()
    return full or user.get_username()


@transaction.atomic
def supervision_assign(
    *,
    actor,
    committee: Organisation,
    cell: Organisation,
    supervisor,
    valid_from: date,
    valid_to: date | None = None,
    note: str = "",
) -> Supervision:
    """A committee assigns one of its people to follow a cell of its subtree for a period."""
    errors = {}
    if cell is None or cell.kind not in MEMBER_HOLDING_KINDS:
        errors["cell"] = _("Choose a party cell.")
    elif committee is None or not cell.path.startswith(committee.path) or cell.pk == committee.pk:
        errors["cell"] = _("The cell is not under this committee.")
    if (
        supervisor is None
        or not supervisor.is_active
        or (committee is not None and not allows(supervisor, "meetings.view", committee))
    ):
        # The same answer for no such person and one who may not supervise the cell.
        errors["supervisor"] = _(
            "Choose a person who may supervise this cell (a committee member or a board's staff)."
        )
    if valid_from is None:
        errors["valid_from"] = _("Enter the date.")
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("The assignment ends after it starts.")
    if errors:
        raise ValidationError(errors)
    if not (actor is None or actor is SYSTEM or allows(actor, "meetings.manage", committee)):
        raise ValidationError(
            {"committee": _("You may not assign supervisors for this committee.")}
        )
    overlapping = Supervision.objects.filter(organisation=cell, supervisor=supervisor).exclude(
        valid_to__lt=valid_from
    )
    if valid_to is not None:
        overlapping = overlapping.exclude(valid_from__gt=valid_to)
    if overlapping.exists():
        raise ValidationError(
            {
                "supervisor": _("%(name)s already supervises this cell in that period.")
                % {"name": _user_name(supervisor)}
            }
        )
    s = Supervision(
        committee=committee,
        supervisor=supervisor,
        supervisor_name=_user_name(supervisor),
        valid_from=valid_from,
        valid_to=valid_to,
        note=_texts(note=note)["note"],
        recorded_by_id=recorder_id(actor),
    )
    s.place_in(cell)
    s.save()
    _log(
        actor,
        "supervision.assign",
        "supervision",
        s,
        f"{s.supervisor_name} → {cell.name}",
        after={"supervisor": s.supervisor_name, "from": valid_from, "until": valid_to},
    )
    return s


def _visit_gate(actor, s: Supervision) -> None:
    if actor is None or actor is SYSTEM:
        return
    if getattr(actor, "pk", None) == s.supervisor_id or allows(actor, "meetings.manage", s):
        return
    raise ValidationError({"supervision": _("This is not your supervision assignment.")})


@transaction.atomic
def visit_plan(*, actor, supervision: Supervision, meeting: Meeting) -> SupervisionVisit:
    """The supervisor plans to attend one of the cell's meetings within the assignment."""
    _visit_gate(actor, supervision)
    meeting = Meeting.objects.get(pk=meeting.pk)
    day = meeting.held_on or meeting.planned_on
    if meeting.organisation_id != supervision.organisation_id:
        raise ValidationError({"meeting": _("This meeting is not the supervised cell's.")})
    if not supervision.covers(day):
        raise ValidationError({"meeting": _("The meeting is outside the assignment's period.")})
    visit, _created = SupervisionVisit.objects.get_or_create(
        supervision=supervision, meeting=meeting
    )
    return visit


@transaction.atomic
def visit_report(
    *, actor, supervision: Supervision, meeting: Meeting, attended: bool, notes: str = ""
) -> SupervisionVisit:
    """Whether the supervisor attended the meeting, with their notes (planned or not)."""
    visit = visit_plan(actor=actor, supervision=supervision, meeting=meeting)
    meeting = visit.meeting
    if meeting.state not in (State.HELD, State.APPROVED):
        raise ValidationError({"meeting": _("The meeting has not been recorded yet.")})
    visit.attended = bool(attended)
    visit.notes = _texts(notes=notes)["notes"]
    with rollup_kept(meeting.organisation_id, meeting.org_path, (meeting.held_on,)):
        visit.save()
    _log(
        actor,
        "supervision.visit",
        "meeting",
        meeting,
        supervision.supervisor_name,
        after={"attended": visit.attended},
    )
    return visit


# --- member tasks --------------------------------------------------------------------------------


@transaction.atomic
def task_assign(
    *,
    actor,
    member: Member,
    title: str,
    suited_to: str,
    assigned_on: date,
    due_on: date,
    detail: str = "",
    meeting: Meeting | None = None,
) -> MemberTask:
    """The cell gives a member a concrete task suited to their ability, conditions and health
    (said with the task), due on a date."""
    texts = _texts(title=title, suited_to=suited_to, detail=detail)
    errors = {}
    if not texts["title"]:
        errors["title"] = _("Say what the task is.")
    if not texts["suited_to"]:
        errors["suited_to"] = _(
            "Say how the task suits the member's ability, conditions and health."
        )
    if assigned_on is None:
        errors["assigned_on"] = _("Enter the date.")
    elif assigned_on > timezone.localdate():
        errors["assigned_on"] = _("The date cannot be in the future.")
    if due_on is None:
        errors["due_on"] = _("Enter the due date.")
    elif assigned_on is not None and due_on < assigned_on:
        errors["due_on"] = _("The task is due on or after the day it is given.")
    if errors:
        raise ValidationError(errors)
    # The cell the member belonged to on the day the task was given.
    cell_id = (
        MemberPeriod.objects.filter(member=member, valid_from__lte=assigned_on)
        .exclude(valid_to__lte=assigned_on)
        .values_list("organisation_id", flat=True)
        .first()
    )
    cell = Organisation.objects.get(pk=cell_id or member.organisation_id)
    _gate(actor, cell)
    entry = next((e for e in roster(cell, assigned_on) if e.member_id == member.pk), None)
    if entry is None:
        raise ValidationError(
            {
                "member": _("%(name)s was not a member of this cell on that day.")
                % {"name": member.full_name}
            }
        )
    if entry.away:
        raise ValidationError(
            {
                "member": _("%(name)s is temporarily active in another organisation.")
                % {"name": member.full_name}
            }
        )
    if meeting is not None and meeting.organisation_id != cell.pk:
        raise ValidationError({"meeting": _("This meeting is not the member's cell's.")})
    task = MemberTask(
        member=member,
        assigned_on=assigned_on,
        due_on=due_on,
        assigned_at=meeting,
        recorded_by_id=recorder_id(actor),
        **texts,
    )
    task.place_in(cell)
    task.save()
    _log(
        actor,
        "task.assign",
        "task",
        task,
        task.title,
        after={"member": member.pk, "due_on": due_on},
    )
    notify_task(actor, task)
    return task


# A task's review as its page (Review a task) and GET /api/v1/tasks show it (core.editing): a
# review can be given again, over the one before.
TASK_REVIEW = editable(
    Editable(
        name="meetings.task_review",
        labels=lambda: {"state": _("Result"), "on": _("Reviewed on"), "review": _("Review")},
        read=lambda t: {"state": t.state, "on": t.reviewed_on, "review": t.review},
        audit=lambda t: ("task", t.pk),
        show=lambda name, value: (
            str(TaskState(value).label) if name == "state" else shown_value(value)
        ),
        page="meetings:task_review",
        api="POST /api/v1/tasks/{task_id}/review",
    )
)


@transaction.atomic
def task_review(
    *,
    actor,
    task: MemberTask,
    state: str,
    on: date,
    review: str = "",
    meeting: Meeting | None = None,
    version: str | None = None,
) -> MemberTask:
    """Review a task (done, not done, cancelled), usually at a meeting of the cell; again, over
    the review before. `version` (core.editing): the review as the editor read it; changed
    since, nothing is written."""
    t = MemberTask.objects.select_for_update().get(pk=task.pk)
    _gate(actor, t)
    TASK_REVIEW.check(t, version)
    errors = {}
    if state not in (TaskState.DONE, TaskState.NOT_DONE, TaskState.CANCELLED):
        errors["state"] = _("Say whether the task was done, not done or cancelled.")
    if on is None:
        errors["reviewed_on"] = _("Enter the date.")
    elif on < t.assigned_on or on > timezone.localdate():
        errors["reviewed_on"] = _("The review is dated between the task's day and today.")
    if meeting is not None and meeting.organisation_id != t.organisation_id:
        errors["meeting"] = _("This meeting is not the member's cell's.")
    if errors:
        raise ValidationError(errors)
    before = {"state": t.state}
    t.state, t.reviewed_on, t.reviewed_at = state, on, meeting
    t.review = _texts(review=review)["review"]
    t.save()
    _log(actor, "task.review", "task", t, t.title, before=before, after={"state": state})
    return t
