"""The training pages (thin: parse, call a selector or service through the gate, render)."""

import base64
import binascii
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, holds_anywhere
from dangvu.core.editing import EditConflict, conflict_shown, versioned
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.core.uploads import FILE_KINDS, download, max_upload_bytes
from dangvu.organisations.forms import org_period
from dangvu.stats.services import report_served
from dangvu.training.choices import Kind, Match, Mode, State, Status
from dangvu.training.exports import report_filename, report_rows, report_xlsx
from dangvu.training.forms import (
    ClassEditForm,
    ClassForm,
    CompleteForm,
    EnrolForm,
    ImportForm,
    ListForm,
    PositionEnrolForm,
    ReportForm,
    RollCallForm,
    ScoresForm,
    SessionForm,
    VerifyForm,
)
from dangvu.training.importers import LIST_LIMIT
from dangvu.training.models import ClassSession
from dangvu.training.pdf import certificate_pdf
from dangvu.training.selectors import (
    attended_counts,
    certificate_get,
    certificate_verify,
    class_certificates,
    class_get,
    class_list,
    class_roll,
    material_get,
    person_pick,
    session_marks,
    training_report,
)
from dangvu.training.services import (
    SCORE_SHEET,
    TRAINING_CLASS,
    attendance_import_confirm,
    attendance_import_preview,
    certificates_issue,
    class_complete,
    class_create,
    class_move,
    class_update,
    enrol_by_position,
    enrolment_create,
    enrolment_withdraw,
    material_attach,
    scores_record,
    session_add,
    session_remove,
    session_roll_call,
)
from dangvu.training.state import can_move, may_enrol

PAGE_SIZE = 200
UPLOAD_SLACK = 64 * 1024  # the form's other fields and the multipart boundaries
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MOVES = (State.OPEN, State.CLOSED, State.CANCELLED)


def _say_errors(request, exc: ValidationError) -> None:
    """A service's refusal as messages on the page the user is sent back to."""
    for errors in exc.message_dict.values():
        for error in errors:
            messages.error(request, error)


def _need(request, action: str = "training.view") -> None:
    if not holds_anywhere(request.user, action):
        raise Http404


def _too_large(request, limit: int) -> bool:
    """Whether the body announced is beyond `limit` (refused before it is read: Django would
    spool it to disk first)."""
    try:
        sent = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        sent = 0
    return request.method == "POST" and sent > limit + UPLOAD_SLACK


def _detail(c, anchor: str = ""):
    return redirect(reverse("training:detail", args=[c.pk]) + anchor)


# --- classes -----------------------------------------------------------------------------------


def class_list_view(request):
    """The classes in the actor's scope (under an organisation), by kind, state and year."""
    _need(request)
    form = ListForm(request.GET or None, actor=request.user)
    d = form.cleaned_data if form.is_valid() else {}
    qs = class_list(actor=request.user, organisation=d.get("org"), state=d.get("state") or None)
    if d.get("kind"):
        qs = qs.filter(kind=d["kind"])
    if d.get("year"):
        start, end = date(d["year"], 1, 1), date(d["year"], 12, 31)
        qs = qs.filter(starts_on__lte=end, ends_on__gte=start)
    rows = list(qs[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "org": d.get("org"),
        # The filters as the API's file of the list takes them (training.api: format=xlsx|csv).
        "filters": {"kind": d.get("kind", ""), "state": d.get("state", ""), "year": d.get("year")},
        "rows": rows[:PAGE_SIZE],
        "more": len(rows) > PAGE_SIZE,
        "can_create": holds_anywhere(request.user, "training.manage"),
    }
    return render(request, "training/list.html", context)


def class_new(request):
    _need(request, "training.manage")
    initial = {"organisation": request.GET.get("org", ""), "capacity": 40}
    form = ClassForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            c = class_create(actor=request.user, in_charge=request.user, **form.data_for_service())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The class has been planned."))
            return _detail(c)
    return render(request, "training/edit.html", {"form": form, "c": None})


def class_detail(request, class_id):
    c = class_get(actor=request.user, pk=class_id)
    manage = allows(request.user, "training.manage", c)
    roll = class_roll(c)
    attended = attended_counts(c)
    sessions = list(c.sessions.all())
    today = timezone.localdate()
    live = c.state not in (State.FINISHED, State.CANCELLED)
    for e in roll[Status.ENROLLED]:
        e.attended = attended.get(e.pk, 0)
    context = {
        "c": c,
        "manage": manage,
        "enrolled": roll[Status.ENROLLED],
        "waiting": roll[Status.WAITING],
        "withdrawn": roll[Status.WITHDRAWN],
        "enrolments_api": f"/api/v1/classes/{c.pk}/enrolments",
        "sessions": sessions,
        "today": today,
        "live": live,
        "can_enrol": manage and may_enrol(c.state),
        "moves": [(s, State(s).label) for s in MOVES if manage and can_move(c.state, s)],
        "can_score": manage and live and c.pass_mark is not None,
        "can_complete": manage and c.state in (State.CLOSED, State.FINISHED),
        "materials": list(c.materials.all()),
        "certificates": class_certificates(c),
        "file_limit_mb": max_upload_bytes() // 1048576,
        "file_accept": ",".join(f".{e}" for k in FILE_KINDS.values() for e in k.extensions),
    }
    return render(request, "training/detail.html", context)


def class_edit(request, class_id):
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    if c.state in (State.FINISHED, State.CANCELLED):
        messages.info(
            request,
            _("The class is %(state)s: it no longer changes.") % {"state": c.get_state_display()},
        )
        return _detail(c)
    initial = {
        name: getattr(c, name)
        for name in (
            "title",
            "mode",
            "capacity",
            "location",
            "online_link",
            "audience",
            "lecturers",
            "min_attendance_percent",
            "pass_mark",
        )
    }
    for i, org in enumerate(c.cluster.all()[:4], start=1):
        initial[f"cluster{i}"] = org
    form = ClassEditForm(request.POST or None, initial=initial, actor=request.user)
    versioned(form, TRAINING_CLASS.version(c))
    if request.method == "POST" and form.is_valid():
        try:
            class_update(
                actor=request.user,
                training_class=c,
                data=form.data_for_service(),
                version=form.cleaned_data["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The class has been saved."))
            return _detail(c)
    context = {"form": form, "c": c, "session_form": SessionForm(), "sessions": c.sessions.all()}
    return render(request, "training/edit.html", context)


def session_add_view(request, class_id):
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    form = SessionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                session_add(actor=request.user, training_class=c, session=form.session())
            except ValidationError as exc:
                _say_errors(request, exc)
            else:
                messages.success(request, _("The session has been added."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return _detail(c, "#sessions")


def session_remove_view(request, class_id, session_id):
    c, s = _session(request, class_id, session_id)
    if request.method == "POST":
        try:
            session_remove(actor=request.user, session=s)
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(request, _("The session has been removed."))
    return redirect("training:edit", c.pk)


def class_state_view(request, class_id):
    """Open the class for enrolment, close it, reopen it or cancel it (POST `to`)."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    if request.method == "POST":
        try:
            class_move(actor=request.user, training_class=c, to=request.POST.get("to", ""))
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(
                request,
                _("The class is now: %(state)s.") % {"state": State(request.POST["to"]).label},
            )
    return _detail(c)


# --- materials ---------------------------------------------------------------------------------


def material_attach_view(request, class_id):
    """Attach a document (POST, multipart) and go back to the class; errors as messages."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    if _too_large(request, max_upload_bytes()):
        messages.error(
            request,
            _("The file is larger than %(limit)s MB.")
            % {"limit": f"{max_upload_bytes() / 1048576:g}"},
        )
    elif request.method == "POST":
        try:
            m = material_attach(
                actor=request.user,
                training_class=c,
                upload=request.FILES.get("file"),
                title=request.POST.get("title", ""),
            )
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(request, _("%(name)s is attached.") % {"name": m.name})
    return _detail(c, "#materials")


def material_file_view(request, class_id, material_id):
    """A class's document, to those who may see the class, as a download."""
    m = material_get(actor=request.user, class_id=class_id, material_id=material_id)
    return download(m)


# --- enrolment ---------------------------------------------------------------------------------


def enrol_view(request, class_id):
    """Enrol one person chosen by name (a member or an admission candidate)."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    form = EnrolForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        kw = {"candidate": person.obj} if person.is_candidate else {"member": person.obj}
        try:
            e = enrolment_create(actor=request.user, training_class=c, **kw)
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"person": "person", "state": None})
        else:
            if e.status == Status.WAITING:
                messages.warning(
                    request,
                    _("The class is full: %(name)s is number %(n)d on the waiting list.")
                    % {"name": e.full_name, "n": e.position},
                )
            else:
                messages.success(request, _("%(name)s is enrolled.") % {"name": e.full_name})
            return redirect("training:enrol", class_id=c.pk)
    return render(request, "training/enrol.html", {"c": c, "form": form})


def enrol_position_view(request, class_id):
    """Enrol everyone holding some positions under an organisation ("all cell secretaries of
    the district")."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    form = PositionEnrolForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            done = enrol_by_position(
                actor=request.user, training_class=c, under=d["under"], positions=d["positions"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(e)d enrolled, %(w)d on the waiting list, %(a)d already in the class.")
                % {"e": done.enrolled, "w": done.waiting, "a": done.already},
            )
            return _detail(c, "#people")
    return render(request, "training/enrol_position.html", {"c": c, "form": form})


def withdraw_view(request, class_id):
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    if request.method == "POST":
        e = c.enrolments.filter(pk=_int(request.POST.get("enrolment"))).first()
        if e is None:
            messages.error(request, _("Choose a person of this class."))
        else:
            try:
                done = enrolment_withdraw(actor=request.user, enrolment=e)
            except ValidationError as exc:
                _say_errors(request, exc)
            else:
                messages.success(request, _("%(name)s has withdrawn.") % {"name": e.full_name})
                if done.promoted is not None:
                    messages.info(
                        request,
                        _("%(name)s takes the place from the waiting list.")
                        % {"name": done.promoted.full_name},
                    )
    return _detail(c, "#people")


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def person_pick_view(request):
    """htmx fragment: the people a person picker offers for the typed text (`<field>_q`)."""
    _need(request, "training.manage")
    field = request.GET.get("field", "")[:60]
    query = request.GET.get(f"{field}_q", request.GET.get("q", ""))[:200]
    items = [
        {
            "key": p.key,
            "label": p.label,
            "title": p.full_name,
            "sub": p.org_name,
            "note": _("candidate") if p.is_candidate else "",
        }
        for p in person_pick(actor=request.user, q=query)
    ]
    return render(
        request,
        "core/_pick.html",
        {
            "items": items,
            "query": query.strip(),
            "list_label": _("Matching people"),
            "none_text": _("Nobody you may enrol matches."),
        },
    )


# --- attendance --------------------------------------------------------------------------------


def _session(request, class_id, session_id):
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    s = ClassSession.objects.filter(training_class=c, pk=session_id).first()
    if s is None:
        raise Http404
    return c, s


def roll_call_view(request, class_id, session_id):
    """The roll of a session on a phone: everyone present unless tapped absent."""
    c, s = _session(request, class_id, session_id)
    people = class_roll(c)[Status.ENROLLED]
    form = RollCallForm(request.POST or None, people=people, marks=session_marks(s))
    if request.method == "POST" and form.is_valid():
        present, absent = form.marks()
        try:
            done = session_roll_call(actor=request.user, session=s, present=present, absent=absent)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Roll call saved: %(p)d present, %(a)d absent.")
                % {"p": done["present"], "a": done["absent"]},
            )
            return _detail(c, "#sessions")
    return render(request, "training/roll.html", {"c": c, "s": s, "form": form})


PROBLEMS = {
    Match.UNKNOWN: "unknown",
    Match.AMBIGUOUS: "ambiguous",
    Match.DUPLICATE: "duplicate",
    Match.MISSPELT: "misspelt",
}


def import_view(request, class_id, session_id):
    """An online platform's participant list for a session: upload → preview (each row's
    problem) → confirm (the matched rows are recorded present)."""
    c, s = _session(request, class_id, session_id)
    form = ImportForm()
    preview, content_b64 = None, ""
    if _too_large(request, LIST_LIMIT):
        messages.error(
            request, _("The file is larger than %(limit)s MB.") % {"limit": LIST_LIMIT // 1048576}
        )
    elif request.method == "POST":
        confirm = request.POST.get("confirm") == "1"
        content = None
        if confirm:
            try:
                content = base64.b64decode(request.POST.get("content", ""), validate=True)
            except (binascii.Error, ValueError):
                content = None
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read(LIST_LIMIT + 1) if upload.size <= LIST_LIMIT else None
                if content is None:
                    form.add_error("file", _("The file is larger than 1 MB."))
        if content:
            try:
                if confirm:
                    done = attendance_import_confirm(actor=request.user, session=s, content=content)
                    messages.success(
                        request,
                        _("%(n)d people recorded present from the list.") % {"n": done.written},
                    )
                    return _detail(c, "#sessions")
                preview = attendance_import_preview(actor=request.user, session=s, content=content)
                content_b64 = base64.b64encode(content).decode("ascii")
            except ValidationError as exc:
                add_service_errors(form, exc)
        elif confirm:
            messages.error(request, _("Send the list again."))
    rows = []
    if preview is not None:
        names = {e.pk: e.full_name for e in class_roll(c)[Status.ENROLLED]}
        for r in preview.rows:
            rows.append(
                {
                    "line": r.row.line,
                    "name": r.row.name,
                    "minutes": r.row.minutes,
                    "status": r.status,
                    "problem": PROBLEMS.get(r.status, ""),
                    "label": Match(r.status).label,
                    "matched": names.get(r.enrolment_id, ""),
                    "suggestion": r.suggestion.full_name if r.suggestion else "",
                    "candidates": [names.get(i, "") for i in r.candidates],
                    "first_line": r.first_line,
                }
            )
    context = {
        "c": c,
        "s": s,
        "form": form,
        "preview": preview,
        "rows": rows,
        "matched": sum(1 for r in rows if r["status"] == Match.MATCHED),
        "content": content_b64,
    }
    return render(request, "training/import.html", context)


# --- results -----------------------------------------------------------------------------------


def scores_view(request, class_id):
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    people = class_roll(c)[Status.ENROLLED]
    form = ScoresForm(request.POST or None, people=people)
    versioned(form, SCORE_SHEET.version(c))
    if request.method == "POST" and form.is_valid():
        try:
            n = scores_record(
                actor=request.user,
                training_class=c,
                scores=form.scores(),
                version=form.cleaned_data["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d scores recorded.") % {"n": n})
            return _detail(c, "#people")
    return render(request, "training/scores.html", {"c": c, "form": form})


def complete_view(request, class_id):
    """Record the results of a closed class (who completed it) and issue the certificates of
    those who did; for a finished class, issue those still missing."""
    c = class_get(actor=request.user, pk=class_id, action="training.manage")
    form = CompleteForm(request.POST or None, initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        issued_on = form.cleaned_data["issued_on"]
        try:
            if c.state == State.CLOSED:
                done = class_complete(actor=request.user, training_class=c, on=issued_on)
                messages.success(
                    request,
                    _("Results recorded: %(p)d completed, %(f)d did not.")
                    % {"p": done.passed, "f": done.failed},
                )
            issue = certificates_issue(actor=request.user, training_class=c, issued_on=issued_on)
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"on": "issued_on"})
        else:
            messages.success(
                request,
                _("%(n)d certificates issued.") % {"n": len(issue.certificates)},
            )
            if issue.not_handed_off:
                messages.warning(
                    request,
                    _("%(n)d admission cases were not moved on: record the step on them.")
                    % {"n": len(issue.not_handed_off)},
                )
            return _detail(c, "#people")
    return render(request, "training/complete.html", {"c": c, "form": form})


def certificate_pdf_view(request, certificate_id):
    """A certificate as PDF: to those who may see its class, and to its holder."""
    cert = certificate_get(actor=request.user, pk=certificate_id)
    response = HttpResponse(certificate_pdf(cert), content_type="application/pdf")
    name = f"chung-chi-{cert.number.replace('/', '-')}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def verify_view(request):
    """A certificate number typed by a signed-in user: genuine (whose, which class, when) or
    not."""
    form = VerifyForm(request.GET or None)
    facts, asked = None, False
    if form.is_valid():
        asked = True
        facts = certificate_verify(form.cleaned_data["number"])
    return render(request, "training/verify.html", {"form": form, "facts": facts, "asked": asked})


# --- the report --------------------------------------------------------------------------------


def _period(request):
    return org_period(request, ReportForm, "training.view")


def report_view(request):
    _need(request)
    form, org, date_from, date_to = _period(request)
    report, rows = None, None
    if org is not None and date_from <= date_to:
        report = training_report(actor=request.user, organisation=org, start=date_from, end=date_to)
        rows = report_rows(report)
    context = {
        "form": form,
        "org": org,
        "r": report,
        "rows": rows,
        "date_from": date_from,
        "date_to": date_to,
        "kinds": Kind,
        "modes": Mode,
    }
    return render(request, "training/report.html", context)


def report_xlsx_view(request):
    """The report as an Excel workbook (the same figures as the page); the export is recorded
    in the audit trail."""
    _need(request)
    form, org, date_from, date_to = _period(request)
    if org is None or date_from > date_to:
        raise Http404
    report = training_report(actor=request.user, organisation=org, start=date_from, end=date_to)
    report_served(
        actor=request.user,
        org=org,
        kind="training",
        via="xlsx",
        params={"from": date_from, "to": date_to},
    )
    response = HttpResponse(report_xlsx(report, org, date_from, date_to), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, report_filename(org, date_from, date_to)
    )
    return response
