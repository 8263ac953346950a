"""Statistics pages: membership figures (form 3-BTCTW) and increase/decrease (form 1-BTCTW)
for any visible organisation and any date, with Excel downloads."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangvu.accounts.scoping import allows, holds_anywhere
from dangvu.core.errors import ValidationError, field_errors
from dangvu.core.forms import ActorForm, DayField, add_service_errors
from dangvu.organisations.forms import OrganisationField
from dangvu.organisations.selectors import org_roots_for
from dangvu.reports.exports import (
    BREAKDOWN_TITLES,
    admissions_form,
    form_filename,
    grassroots_form,
    membership_filename,
    membership_pdf,
    membership_xlsx,
    period_filename,
    period_pdf,
    period_xlsx,
)
from dangvu.reports.official import form_xlsx
from dangvu.reports.pdf import form_pdf, table_rows
from dangvu.stats.models import SignedReport
from dangvu.stats.selectors import (
    admissions_report,
    grassroots_report,
    membership_report,
    period_report,
    signed_report_get,
    signed_report_recheck,
    signed_reports,
)
from dangvu.stats.services import report_served, report_sign


def _report_org():
    # Dissolved organisations too: their figures as of a date when they existed.
    return OrganisationField(label=_("Organisation"), action="reports.view", include_dissolved=True)


class MembershipForm(ActorForm):
    org = _report_org()
    as_of = DayField(label=_("As of"), required=False)


class PeriodForm(ActorForm):
    org = _report_org()
    date_from = DayField(label=_("From"))
    date_to = DayField(label=_("To"))


FILES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def file_response(content: bytes, filename: str, kind: str) -> HttpResponse:
    """A download (Excel or PDF); the file name encoded as RFC 6266 asks (whatever it holds)."""
    response = HttpResponse(content, content_type=FILES[kind])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _file_kind(request) -> str | None:
    kind = request.GET.get("format")
    return kind if kind in FILES else None


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, filename, "xlsx")


def _reports_page(request):
    """The statistics pages exist for those who hold reports.view somewhere."""
    if not holds_anywhere(request.user, "reports.view"):
        raise Http404


def membership(request):
    _reports_page(request)
    roots = org_roots_for(actor=request.user, action="reports.view")
    data = request.GET.copy()
    if "org" not in data and roots:
        data["org"] = roots[0].code
    form = MembershipForm(data, actor=request.user)
    report = None
    if form.is_valid():
        org = form.cleaned_data["org"]
        # A dissolved organisation's figures default to its last day.
        as_of = form.cleaned_data["as_of"] or (
            timezone.localdate() if org.is_active else org.valid_to - timedelta(days=1)
        )
        try:
            report = membership_report(actor=request.user, org=org, as_of=as_of, compare=True)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            kind = _file_kind(request)
            report_served(
                actor=request.user,
                org=org,
                kind="membership",
                via=kind or "page",
                params={"as_of": as_of},
            )
            if kind:
                render_file = membership_pdf if kind == "pdf" else membership_xlsx
                return file_response(render_file(report), membership_filename(report, kind), kind)
    sections = (
        [(BREAKDOWN_TITLES[k], rows) for k, rows in report["breakdowns"].items()] if report else []
    )
    context = {"form": form, "report": report, "roots": roots, "sections": sections}
    if report:
        context.update(_signing(request, form.cleaned_data["org"]))
    return render(request, "reports/membership.html", context)


def period(request):
    _reports_page(request)
    roots = org_roots_for(actor=request.user, action="reports.view")
    data = request.GET.copy()
    today = timezone.localdate()
    if "org" not in data and roots:
        data["org"] = roots[0].code
    data.setdefault("date_from", date(today.year, 1, 1).isoformat())
    data.setdefault("date_to", today.isoformat())
    form = PeriodForm(data, actor=request.user)
    report = None
    if form.is_valid():
        org = form.cleaned_data["org"]
        try:
            report = period_report(
                actor=request.user,
                org=org,
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"from": "date_from", "to": "date_to"})
        else:
            kind = _file_kind(request)
            report_served(
                actor=request.user,
                org=org,
                kind="period",
                via=kind or "page",
                params={"from": report["from"], "to": report["to"]},
            )
            if kind:
                render_file = period_pdf if kind == "pdf" else period_xlsx
                return file_response(render_file(report), period_filename(report, kind), kind)
    context = {"form": form, "report": report, "roots": roots}
    if report:
        context.update(_signing(request, form.cleaned_data["org"]))
    return render(request, "reports/period.html", context)


def _signing(request, org) -> dict:
    """The reports signed for the organisation, and whether the person may sign this one."""
    return {
        "can_sign": allows(request.user, "reports.sign", org),
        "signed": signed_reports(actor=request.user, org=org)[:10],
    }


class SignForm(ActorForm):
    org = _report_org()
    kind = forms.ChoiceField(choices=SignedReport.Kind.choices)
    as_of = DayField(required=False)
    date_from = DayField(required=False)
    date_to = DayField(required=False)
    signer = forms.CharField(label=_("Signed by (name under the signature)"), max_length=150)


@require_POST
def sign(request):
    """Keep the report on the page as signed, then show it."""
    _reports_page(request)
    form = SignForm(request.POST, actor=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(request.META.get("HTTP_REFERER") or "reports:membership")
    data = form.cleaned_data
    try:
        signed = report_sign(
            actor=request.user,
            org=data["org"],
            kind=data["kind"],
            signer=data["signer"],
            as_of=data["as_of"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    except ValidationError as exc:
        for errors in field_errors(exc).values():
            for error in errors:
                messages.error(request, error)
        return redirect(request.META.get("HTTP_REFERER") or "reports:membership")
    messages.success(request, _("The report has been kept as signed."))
    return redirect("reports:signed", report_id=signed.pk)


def signed(request, report_id):
    """A signed report as it was signed, and counted again now."""
    report = signed_report_get(actor=request.user, pk=report_id)
    recheck = signed_report_recheck(report)
    return render(request, "reports/signed.html", {"signed": report, "recheck": recheck})


def org_figures_panel(request, org, on=None) -> str | None:
    """The organisation page's key figures (organisations.panels), where the person's role
    shows statistics there: as of `on`, or today; a dissolved organisation's as of its last
    day."""
    if not allows(request.user, "reports.view", org):
        return None
    as_of = on or (None if org.is_active else org.valid_to - timedelta(days=1))
    try:
        report = membership_report(actor=request.user, org=org, as_of=as_of)
    except ValidationError:
        return None  # the organisation did not exist on that date: the page says so
    return render_to_string(
        "reports/_org_figures.html", {"org": org, "report": report, "on": as_of}, request=request
    )


# --- forms 5-BTCTW and 2-BTCTW: one page each, the table the files carry --------------------------


def _official_page(request, *, number, title, form_class, compute, build, kind, dated):
    """A form's page: the organisation and date (or period) chosen by name, the form's table as
    the files carry it, and its Excel and PDF downloads."""
    _reports_page(request)
    roots = org_roots_for(actor=request.user, action="reports.view")
    data = request.GET.copy()
    today = timezone.localdate()
    if "org" not in data and roots:
        data["org"] = roots[0].code
    if not dated:
        data.setdefault("date_from", date(today.year, 1, 1).isoformat())
        data.setdefault("date_to", today.isoformat())
    form = form_class(data, actor=request.user)
    report = official = None
    if form.is_valid():
        org = form.cleaned_data["org"]
        try:
            if dated:
                as_of = form.cleaned_data["as_of"] or (
                    today if org.is_active else org.valid_to - timedelta(days=1)
                )
                report = compute(actor=request.user, org=org, as_of=as_of)
                params = {"as_of": report["as_of"]}
            else:
                report = compute(
                    actor=request.user,
                    org=org,
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                )
                params = {"from": report["from"], "to": report["to"]}
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"from": "date_from", "to": "date_to"})
        else:
            file_kind = _file_kind(request)
            report_served(
                actor=request.user, org=org, kind=kind, via=file_kind or "page", params=params
            )
            official = build(report)
            if file_kind:
                render_file = form_pdf if file_kind == "pdf" else form_xlsx
                return file_response(
                    render_file(official), form_filename(number, report, file_kind), file_kind
                )
    context = {
        "form": form,
        "report": report,
        "official": official,
        "rows": table_rows(official) if official else [],
        "roots": roots,
        "number": number,
        "title": title,
        # The same figures as a table (core.tables), from the API.
        "api_path": f"/api/v1/reports/{kind}",
    }
    return render(request, "reports/official.html", context)


def grassroots(request):
    return _official_page(
        request,
        number="5-BTCTW",
        title=_("Grassroots organisations by type"),
        form_class=MembershipForm,
        compute=grassroots_report,
        build=grassroots_form,
        kind="grassroots",
        dated=True,
    )


def admissions(request):
    return _official_page(
        request,
        number="2-BTCTW",
        title=_("Members admitted"),
        form_class=PeriodForm,
        compute=admissions_report,
        build=admissions_form,
        kind="admissions",
        dated=False,
    )
