"""The meeting pages (thin: parse, call a selector or service through the gate, render)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangvu.accounts.scoping import allows, holds_anywhere
from dangvu.core.editing import EditConflict, conflict_shown, versioned
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.core.uploads import FILE_KINDS, download, max_upload_bytes
from dangvu.meetings.choices import State, TaskState
from dangvu.meetings.exports import report_filename, report_xlsx
from dangvu.meetings.forms import (
    CalendarForm,
    EvaluationForm,
    MeetingForm,
    OrgPeriodForm,
    RecordForm,
    ReviewForm,
    TaskForm,
)
from dangvu.meetings.models import MeetingFile, MemberTask
from dangvu.meetings.notices import CALENDAR_TYPE, calendar_file
from dangvu.meetings.selectors import (
    attendance_of,
    cell_members,
    meeting_file,
    meeting_get,
    meeting_list,
    meetings_report,
    own_view,
    task_list,
)
from dangvu.meetings.services import (
    MEETING_RECORD,
    TASK_REVIEW,
    evaluator_sides,
    meeting_approve,
    meeting_attach,
    meeting_detach,
    meeting_evaluate,
    meeting_plan,
    meeting_record,
    meetings_plan_year,
    quality_test,
    roster,
    scoring_sheet,
    task_assign,
    task_review,
)
from dangvu.organisations.forms import org_period
from dangvu.stats.services import report_served

PAGE_SIZE = 200
UPLOAD_SLACK = 64 * 1024  # the form's other fields and the multipart boundaries
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUALITY_LABELS = {
    "attendance": gettext_lazy("attendance not above 85 %"),
    "unexcused": gettext_lazy("an absence without reason"),
    "duration": gettext_lazy("shorter than 90 minutes"),
    "minutes": gettext_lazy("no minutes"),
    "resolution": gettext_lazy("no resolution"),
}


def _say_errors(request, exc: ValidationError) -> None:
    """A service's refusal as messages on the page the user is sent back to."""
    for errors in exc.message_dict.values():
        for error in errors:
            messages.error(request, error)


def _need(request, action: str = "meetings.view") -> None:
    if not holds_anywhere(request.user, action):
        raise Http404


def _period(request):
    return org_period(request, OrgPeriodForm, "meetings.view")


def meeting_list_view(request):
    """The meetings of a subtree over a period (a cell's calendar when the cell is chosen)."""
    _need(request)
    form, org, date_from, date_to = _period(request)
    rows = []
    if org is not None:
        qs = meeting_list(actor=request.user, org=org, date_from=date_from, date_to=date_to)
        rows = list(qs[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "org": org,
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows[:PAGE_SIZE],
        "more": len(rows) > PAGE_SIZE,
        "today": timezone.localdate(),
        "can_plan": holds_anywhere(request.user, "meetings.manage"),
    }
    return render(request, "meetings/list.html", context)


def meeting_new(request):
    _need(request, "meetings.manage")
    initial = {"organisation": request.GET.get("org", ""), "planned_on": timezone.localdate()}
    form = MeetingForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            m = meeting_plan(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting has been planned."))
            return redirect("meetings:detail", meeting_id=m.pk)
    return render(request, "meetings/new.html", {"form": form})


def meeting_calendar(request):
    _need(request, "meetings.manage")
    initial = {"organisation": request.GET.get("org", ""), "year": timezone.localdate().year}
    form = CalendarForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            made = meetings_plan_year(
                actor=request.user,
                organisation=d["organisation"],
                year=d["year"],
                day=d["day"],
                starts_at=d["starts_at"],
                place=d["place"],
                thematic_months=(3, 6, 9, 12) if d["thematic"] else (),
                thematic_topic=d["thematic_topic"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d meetings have been planned.") % {"n": len(made)})
            return redirect(
                f"{reverse('meetings:list')}?org={d['organisation'].code}"
                f"&date_from={d['year']}-01-01&date_to={d['year']}-12-31"
            )
    return render(request, "meetings/calendar.html", {"form": form})


def meeting_detail(request, meeting_id):
    m = meeting_get(actor=request.user, pk=meeting_id)
    manage = allows(request.user, "meetings.manage", m)
    held = m.state in (State.HELD, State.APPROVED)
    context = {
        "m": m,
        "attendance": attendance_of(m) if held else [],
        "attendance_api": f"/api/v1/meetings/{m.pk}/attendance",
        "evaluations": list(m.evaluations.all()) if held else [],
        "corrections": list(m.corrections.all()),
        "failed": [QUALITY_LABELS[f] for f in quality_test(m)] if held else [],
        "can_record": manage and m.state in (State.PLANNED, State.HELD),
        "can_approve": manage and m.state == State.HELD and bool(m.minutes),
        "can_evaluate": held and bool(evaluator_sides(request.user, m)),
        "files": list(m.files.all()),
        "can_attach": manage and m.state != State.CANCELLED,
        "can_detach": manage and m.state in (State.PLANNED, State.HELD),
        "file_roles": MeetingFile.Role.choices,
        "file_limit_mb": max_upload_bytes() // 1048576,
        "file_accept": ",".join(f".{e}" for k in FILE_KINDS.values() for e in k.extensions),
    }
    return render(request, "meetings/detail.html", context)


def meeting_record_view(request, meeting_id):
    """Attendance on a phone: every member present unless tapped otherwise."""
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    if m.state not in (State.PLANNED, State.HELD):
        messages.info(request, _("The minutes are approved: the meeting is corrected, not edited."))
        return redirect("meetings:detail", meeting_id=m.pk)
    day = m.held_on or (m.planned_on if m.planned_on <= timezone.localdate() else None)
    people = roster(m.organisation, day or timezone.localdate())
    initial = {
        "held_on": day or timezone.localdate(),
        "started_at": m.started_at or m.starts_at,
        "ended_at": m.ended_at,
        "chair": m.chair_id,
        "minute_taker": m.minute_taker_id,
        "guests": m.guests,
        "content": m.content,
        "resolution": m.resolution,
        "minutes": m.minutes,
    }
    for a in m.absences.all():
        initial[f"a{a.member_id}"] = a.kind
        initial[f"r{a.member_id}"] = a.reason
    form = RecordForm(request.POST or None, initial=initial, roster=people)
    versioned(form, MEETING_RECORD.version(m))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        by_id = cell_members(m, [d["chair"], d["minute_taker"]])
        try:
            meeting_record(
                actor=request.user,
                meeting=m,
                held_on=d["held_on"],
                started_at=d["started_at"],
                ended_at=d["ended_at"],
                chair=by_id.get(d["chair"]),
                minute_taker=by_id.get(d["minute_taker"]),
                absences=form.absences_chosen(),
                guests=d["guests"],
                content=d["content"],
                resolution=d["resolution"],
                minutes=d["minutes"],
                version=d["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting has been recorded."))
            return redirect("meetings:detail", meeting_id=m.pk)
    return render(request, "meetings/record.html", {"m": m, "form": form})


def meeting_attach_view(request, meeting_id):
    """Attach a file (POST, multipart) and go back to the meeting; errors as messages."""
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    try:
        sent = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        sent = 0
    if request.method == "POST" and sent > max_upload_bytes() + UPLOAD_SLACK:
        # Refused before the body is read (Django would spool it to disk first).
        messages.error(
            request,
            _("The file is larger than %(limit)s MB.")
            % {"limit": f"{max_upload_bytes() / 1048576:g}"},
        )
    elif request.method == "POST":
        try:
            f = meeting_attach(
                actor=request.user,
                meeting=m,
                upload=request.FILES.get("file"),
                role=request.POST.get("role", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(request, _("%(name)s is attached.") % {"name": f.name})
    return redirect(reverse("meetings:detail", args=[m.pk]) + "#files")


def meeting_detach_view(request, meeting_id, file_id):
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    if request.method == "POST":
        try:
            meeting_detach(actor=request.user, meeting=m, file_id=file_id)
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(request, _("The file has been removed."))
    return redirect(reverse("meetings:detail", args=[m.pk]) + "#files")


def meeting_file_view(request, meeting_id, file_id):
    """A meeting's file, to those who may see the meeting, as a download (never rendered
    inline: its name and type are the sender's)."""
    f = meeting_file(actor=request.user, meeting_id=meeting_id, file_id=file_id)
    return download(f)


def meeting_approve_view(request, meeting_id):
    m = meeting_get(actor=request.user, pk=meeting_id, action="meetings.manage")
    if request.method != "POST":
        return redirect("meetings:detail", meeting_id=m.pk)
    try:
        meeting_approve(actor=request.user, meeting=m)
    except ValidationError as exc:
        _say_errors(request, exc)
    else:
        messages.success(request, _("The minutes are approved; the meeting is locked."))
    return redirect("meetings:detail", meeting_id=m.pk)


def meeting_evaluate_view(request, meeting_id):
    m = meeting_get(actor=request.user, pk=meeting_id)
    sides = evaluator_sides(request.user, m)
    if not sides:
        raise Http404
    if m.state not in (State.HELD, State.APPROVED):
        return render(request, "meetings/evaluate.html", {"m": m, "form": None})
    try:
        sheet = scoring_sheet(m)
    except ValidationError as exc:
        _say_errors(request, exc)
        return redirect("meetings:detail", meeting_id=m.pk)
    form = EvaluationForm(request.POST or None, criteria=sheet.value["criteria"], sides=sides)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            e = meeting_evaluate(
                actor=request.user,
                meeting=m,
                by=d["by"],
                scores=form.scores(),
                scorer_name=d["scorer_name"],
                strengths=d["strengths"],
                weaknesses=d["weaknesses"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Evaluated: %(total)d points, %(level)s.")
                % {"total": e.total, "level": e.get_level_display()},
            )
            return redirect("meetings:detail", meeting_id=m.pk)
    return render(request, "meetings/evaluate.html", {"m": m, "form": form, "sheet": sheet})


def report_view(request):
    """The dashboard of a subtree over a period."""
    _need(request)
    form, org, date_from, date_to = _period(request)
    report = None
    if org is not None and date_from <= date_to:
        report = meetings_report(actor=request.user, org=org, date_from=date_from, date_to=date_to)
    return render(request, "meetings/report.html", {"form": form, "org": org, "r": report})


def report_xlsx_view(request):
    """The dashboard as an Excel workbook (the same figures as the page); the export is
    recorded in the audit trail."""
    _need(request)
    form, org, date_from, date_to = _period(request)
    if org is None or date_from > date_to:
        raise Http404
    report = meetings_report(actor=request.user, org=org, date_from=date_from, date_to=date_to)
    report_served(
        actor=request.user,
        org=org,
        kind="meetings",
        via="xlsx",
        params={"from": date_from, "to": date_to},
    )
    response = HttpResponse(report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, report_filename(report))
    return response


def mine_view(request):
    """A member's own page: next meetings, tasks, attendance, resolutions."""
    view = own_view(actor=request.user)
    return render(request, "meetings/mine.html", {"v": view, "today": timezone.localdate()})


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def meeting_ics_view(request, meeting_id):
    """One meeting as a calendar file (for the phone's calendar)."""
    m = meeting_get(actor=request.user, pk=meeting_id)
    return _calendar_response(calendar_file([m]), f"sinh-hoat-{m.pk}.ics")


def mine_ics_view(request):
    """A member's next meetings and open tasks as one calendar file (empty for a user who is
    no member, as their page is)."""
    view = own_view(actor=request.user) or {"upcoming": [], "tasks": []}
    tasks = [t for t in view["tasks"] if t.state == TaskState.OPEN]
    return _calendar_response(calendar_file(view["upcoming"], tasks), "lich-cua-toi.ics")


def task_list_view(request):
    _need(request)
    form, org, _from, _to = _period(request)
    state = request.GET.get("state", TaskState.OPEN)
    rows = list(task_list(actor=request.user, org=org, state=state)[:PAGE_SIZE])
    return render(
        request,
        "meetings/tasks.html",
        {
            "form": form,
            "org": org,
            "rows": rows,
            "state": state,
            # The state the list is filtered by (task_list ignores one that is none).
            "state_shown": state if state in TaskState.values else "",
            "states": TaskState.choices,
            "today": timezone.localdate(),
            "can_add": holds_anywhere(request.user, "meetings.manage"),
        },
    )


def task_new(request):
    _need(request, "meetings.manage")
    today = timezone.localdate()
    form = TaskForm(request.POST or None, initial={"assigned_on": today}, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task_assign(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The task has been given."))
            return redirect("meetings:tasks")
    return render(request, "meetings/task_new.html", {"form": form})


def task_review_view(request, task_id):
    from dangvu.accounts.scoping import get_or_404

    t = get_or_404(request.user, MemberTask, "meetings.manage", pk=task_id)
    # Reviewed already: the form holds that review (giving it again replaces it).
    initial = {"on": t.reviewed_on or timezone.localdate(), "review": t.review}
    if t.state != TaskState.OPEN:
        initial["state"] = t.state
    form = ReviewForm(request.POST or None, initial=initial)
    versioned(form, TASK_REVIEW.version(t))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task_review(
                actor=request.user,
                task=t,
                state=d["state"],
                on=d["on"],
                review=d["review"],
                version=d["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The task has been reviewed."))
            return redirect("meetings:tasks")
    return render(request, "meetings/task_review.html", {"t": t, "form": form})
