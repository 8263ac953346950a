"""API v1, statistics: forms 3-BTCTW and 1-BTCTW for any organisation in scope and any date."""

from ninja import Query, Router

from dangvu.core.apischema import Day, documented
from dangvu.organisations.selectors import org_get_or_404
from dangvu.stats.selectors import membership_report, period_report
from dangvu.stats.services import report_served

__all__ = ["router"]

router = Router(tags=["reports"])


@router.get("/reports/membership", response=documented(dict))
def report_membership(
    request,
    org: str = Query(..., max_length=40, description="Organisation code"),
    as_of: Day | None = Query(None, description="Default: today"),
):
    """Form 3-BTCTW: members by status, women, ethnic minority, religion, exemption, the
    breakdowns by ethnicity, religion, age, admission period, education, professional and
    theory level and occupation, and the organisations of the subtree."""
    organisation = org_get_or_404(actor=request.user, code=org, action="reports.view")
    report = membership_report(actor=request.user, org=organisation, as_of=as_of)
    report_served(
        actor=request.user,
        org=organisation,
        kind="membership",
        via="api",
        params={"as_of": report["as_of"]},
    )
    return report


@router.get("/reports/period", response=documented(dict))
def report_period(
    request,
    org: str = Query(..., max_length=40, description="Organisation code"),
    date_from: Day = Query(..., alias="from"),
    date_to: Day = Query(..., alias="to"),
):
    """Form 1-BTCTW: opening balance, increases and decreases by kind, closing balance."""
    organisation = org_get_or_404(actor=request.user, code=org, action="reports.view")
    report = period_report(
        actor=request.user, org=organisation, date_from=date_from, date_to=date_to
    )
    report_served(
        actor=request.user,
        org=organisation,
        kind="period",
        via="api",
        params={"from": report["from"], "to": report["to"]},
    )
    return report
