"""Telling members of a planned meeting and of a new task: an e-mail through Django's mail
settings (the console in development, SMTP when DANGVU_EMAIL_HOST is set) with an iCalendar
file (RFC 5545) their phone's calendar takes in one tap.

Only a person's write notifies: the demo and the national generator (actor None or SYSTEM)
record as told and send nothing. A notice goes after the write commits (a refused write tells
nobody) and a mail server that fails does not undo the write: it is logged."""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM
from dangvu.meetings.models import Meeting, MemberTask
from dangvu.members.models import Member

__all__ = ["calendar_file", "notify_planned", "notify_task", "CALENDAR_TYPE"]

log = logging.getLogger(__name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
DEFAULT_LENGTH = timedelta(minutes=120)


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a leading space (RFC 5545 §3.1), never
    cutting a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += b
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(day: date, at) -> str:
    local = datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return local.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def _event(uid: str, summary: str, day: date, at=None, location="", description="", url=""):
    stamp = timezone.now().astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}"]
    if at is None:
        lines += [
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        ]
    else:
        end = datetime.combine(day, at) + DEFAULT_LENGTH
        lines += [f"DTSTART:{_utc(day, at)}", f"DTEND:{_utc(end.date(), end.time())}"]
    lines.append(f"SUMMARY:{_escape(summary)}")
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def _meeting_event(m: Meeting) -> list[str]:
    summary = _("Party cell meeting: %(cell)s") % {"cell": m.organisation.name}
    if m.topic:
        summary += f" — {m.topic}"
    description = "\n".join(x for x in (m.get_kind_display(), m.agenda, m.online_link) if x)
    return _event(
        f"meeting-{m.pk}@dangvu",
        summary,
        m.planned_on,
        m.starts_at,
        location=m.place or m.online_link,
        description=description,
        url=m.online_link,
    )


def _task_event(t: MemberTask) -> list[str]:
    return _event(
        f"task-{t.pk}@dangvu",
        _("Task due: %(title)s") % {"title": t.title},
        t.due_on,
        description=t.detail,
    )


def calendar_file(meetings: Iterable[Meeting] = (), tasks: Iterable[MemberTask] = ()) -> bytes:
    """An iCalendar file with one event per meeting (two hours from its start, or the whole
    day when no time is planned) and one whole-day event per task's due date."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Dangvu//Sinh hoat chi bo//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for m in meetings:
        lines += _meeting_event(m)
    for t in tasks:
        lines += _task_event(t)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def _person(actor) -> bool:
    return actor is not None and actor is not SYSTEM and getattr(actor, "pk", None) is not None


def _send(messages: list[EmailMessage]) -> None:
    if not messages:
        return
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception:  # the write stands; the failure is for the operator
        log.exception("meeting notices not sent (%d messages)", len(messages))


def _message(to: str, subject: str, body: str, ics: bytes, filename: str) -> EmailMessage:
    message = EmailMessage(subject=subject, body=body, to=[to])
    message.attach(filename, ics, "text/calendar")
    return message


def notify_planned(actor, meetings: list[Meeting]) -> None:
    """After commit, e-mail each member of the cell who has an e-mail address the meetings
    planned (one message with one calendar file, however many meetings)."""
    if not _person(actor) or not meetings:
        return
    cell = meetings[0].organisation
    ids = [m.pk for m in meetings]

    def send():
        from dangvu.meetings.services import roster

        rows = list(Meeting.objects.filter(pk__in=ids).select_related("organisation"))
        people = {e.member_id for e in roster(cell, rows[0].planned_on) if not e.away}
        addresses = sorted(
            set(
                Member.objects.filter(pk__in=people, user__isnull=False)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        ics = calendar_file(rows)
        when = ", ".join(
            f"{m.planned_on:%d/%m/%Y}" + (f" {m.starts_at:%H:%M}" if m.starts_at else "")
            for m in rows
        )
        subject = _("Cell meeting planned: %(cell)s, %(when)s") % {
            "cell": cell.name,
            "when": when if len(rows) == 1 else _("%(n)d meetings") % {"n": len(rows)},
        }
        body = "\n".join(
            [
                _("%(cell)s has planned its meetings:") % {"cell": cell.name},
                "",
                *(
                    f"- {m.planned_on:%d/%m/%Y}"
                    + (f" {m.starts_at:%H:%M}" if m.starts_at else "")
                    + f" — {m.get_kind_display()}"
                    + (f": {m.topic}" if m.topic else "")
                    + (f" ({m.place or m.online_link})" if m.place or m.online_link else "")
                    for m in rows
                ),
                "",
                _("The attached calendar file adds them to your phone's calendar."),
            ]
        )
        _send([_message(a, subject, body, ics, "sinh-hoat-chi-bo.ics") for a in addresses])

    transaction.on_commit(send)


def notify_task(actor, task: MemberTask) -> None:
    """After commit, e-mail the member their new task with its due date as a calendar file."""
    if not _person(actor):
        return
    pk = task.pk

    def send():
        t = MemberTask.objects.select_related("member__user").get(pk=pk)
        user = t.member.user
        if user is None or not user.email:
            return
        subject = _("New task: %(title)s (due %(due)s)") % {
            "title": t.title,
            "due": f"{t.due_on:%d/%m/%Y}",
        }
        body = "\n".join(
            x
            for x in (
                _("Your cell has given you a task:"),
                "",
                t.title,
                t.detail,
                _("Suited to: %(text)s") % {"text": t.suited_to},
                _("Due on %(day)s.") % {"day": f"{t.due_on:%d/%m/%Y}"},
            )
            if x is not None
        )
        _send([_message(user.email, subject, body, calendar_file(tasks=[t]), "nhiem-vu.ics")])

    transaction.on_commit(send)
