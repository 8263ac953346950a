"""Statistics pages: membership figures (form 3-BTCTW) and increase/decrease (form 1-BTCTW)
for any visible organisation and any date, with Excel downloads."""

from datetime import date, timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from dangvu.accounts.scoping import allows, holds_anywhere
from dangvu.core.errors import ValidationError
from dangvu.core.forms import ActorForm, DayField, add_service_errors
from dangvu.organisations.forms import OrganisationField
from dangvu.organisations.selectors import org_roots_for
from dangvu.reports.exports import (
    BREAKDOWN_TITLES,
    membership_filename,
    membership_xlsx,
    period_filename,
    period_xlsx,
)
from dangvu.stats.selectors import membership_report, period_report
from dangvu.stats.services import report_served


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


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel download; the file name encoded as RFC 6266 asks (whatever it holds)."""
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


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
            report = membership_report(actor=request.user, org=org, as_of=as_of)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            xlsx = request.GET.get("format") == "xlsx"
            report_served(
                actor=request.user,
                org=org,
                kind="membership",
                via="xlsx" if xlsx else "page",
                params={"as_of": as_of},
            )
            if xlsx:
                return xlsx_response(membership_xlsx(report), membership_filename(report))
    sections = (
        [(BREAKDOWN_TITLES[k], rows) for k, rows in report["breakdowns"].items()] if report else []
    )
    return render(
        request,
        "reports/membership.html",
        {"form": form, "report": report, "roots": roots, "sections": sections},
    )


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
            xlsx = request.GET.get("format") == "xlsx"
            report_served(
                actor=request.user,
                org=org,
                kind="period",
                via="xlsx" if xlsx else "page",
                params={"from": report["from"], "to": report["to"]},
            )
            if xlsx:
                return xlsx_response(period_xlsx(report), period_filename(report))
    return render(request, "reports/period.html", {"form": form, "report": report, "roots": roots})


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
