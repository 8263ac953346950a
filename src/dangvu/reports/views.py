"""Statistics pages: membership figures (form 3-BTCTW) and increase/decrease (form 1-BTCTW)
for any visible organisation and any date, with Excel downloads."""

from datetime import date

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.organisations.selectors import org_get, org_roots_for
from dangvu.reports.exports import BREAKDOWN_TITLES, membership_xlsx, period_xlsx
from dangvu.reports.selectors import membership_report, period_report


class MembershipForm(forms.Form):
    org = forms.CharField(
        label=_("Organisation code"), widget=forms.TextInput(attrs={"list": "org-codes"})
    )
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PeriodForm(forms.Form):
    org = forms.CharField(
        label=_("Organisation code"), widget=forms.TextInput(attrs={"list": "org-codes"})
    )
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))


def _org_or_404(request, code):
    org = org_get(actor=request.user, code=code, action="reports.view")
    if org is None:
        raise Http404
    return org


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _audit(request, org, action, after):
    audit_record(
        actor=request.user,
        entry=AuditEntry(action, "organisation", org.pk, org.name, org.path, after=after),
    )


def membership(request):
    roots = org_roots_for(actor=request.user)
    data = request.GET.copy()
    if "org" not in data and roots:
        data["org"] = roots[0].code
    form = MembershipForm(data)
    report = None
    if form.is_valid():
        org = _org_or_404(request, form.cleaned_data["org"])
        as_of = form.cleaned_data["as_of"] or timezone.localdate()
        try:
            report = membership_report(org, as_of)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.GET.get("format") == "xlsx":
                _audit(request, org, "report.membership.export", {"as_of": as_of})
                return _xlsx_response(membership_xlsx(report), f"3-BTCTW_{org.code}_{as_of}.xlsx")
    sections = (
        [(BREAKDOWN_TITLES[k], rows) for k, rows in report["breakdowns"].items()] if report else []
    )
    return render(
        request,
        "reports/membership.html",
        {"form": form, "report": report, "roots": roots, "sections": sections},
    )


def period(request):
    roots = org_roots_for(actor=request.user)
    data = request.GET.copy()
    today = timezone.localdate()
    if "org" not in data and roots:
        data["org"] = roots[0].code
    data.setdefault("date_from", date(today.year, 1, 1).isoformat())
    data.setdefault("date_to", today.isoformat())
    form = PeriodForm(data)
    report = None
    if form.is_valid():
        org = _org_or_404(request, form.cleaned_data["org"])
        try:
            report = period_report(
                org, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"from": "date_from", "to": "date_to"})
        else:
            if request.GET.get("format") == "xlsx":
                _audit(
                    request,
                    org,
                    "report.period.export",
                    {"from": report["from"], "to": report["to"]},
                )
                return _xlsx_response(period_xlsx(report), f"1-BTCTW_{org.code}.xlsx")
    return render(request, "reports/period.html", {"form": form, "report": report, "roots": roots})
