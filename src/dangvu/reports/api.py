"""API v1, statistics: forms 3-BTCTW and 1-BTCTW for any organisation in scope and any date."""

from datetime import date, datetime

from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from dangvu.core.apischema import MAX_ID, Day, documented
from dangvu.organisations.selectors import org_get_or_404
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

__all__ = ["router"]

router = Router(tags=["reports"])


@router.get("/reports/membership", response=documented(dict))
def report_membership(
    request,
    org: str = Query(..., max_length=40, description="Organisation code"),
    as_of: Day | None = Query(None, description="Default: today"),
    compare: bool = Query(
        False, description="Add `year_ago`: the same figures a year before (the form's columns)"
    ),
):
    """Form 3-BTCTW: members by status, women, ethnic minority, religion, exemption, the
    breakdowns by ethnicity, religion, age, admission period, education, professional and
    theory level and occupation, and the organisations of the subtree."""
    organisation = org_get_or_404(actor=request.user, code=org, action="reports.view")
    report = membership_report(actor=request.user, org=organisation, as_of=as_of, compare=compare)
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


@router.get("/reports/grassroots", response=documented(dict))
def report_grassroots(
    request,
    org: str = Query(..., max_length=40, description="Organisation code"),
    as_of: Day | None = Query(None, description="Default: today"),
):
    """Form 5-BTCTW: for each grassroots type, the grassroots organisations (`committees`:
    đảng bộ cơ sở, `cells`: chi bộ cơ sở, `total`), the units under the committees
    (`sub_committees`, `attached_cells`) and the `members`, in the tree of that date."""
    organisation = org_get_or_404(actor=request.user, code=org, action="reports.view")
    report = grassroots_report(actor=request.user, org=organisation, as_of=as_of)
    report_served(
        actor=request.user,
        org=organisation,
        kind="grassroots",
        via="api",
        params={"as_of": report["as_of"]},
    )
    return report


@router.get("/reports/admissions", response=documented(dict))
def report_admissions(
    request,
    org: str = Query(..., max_length=40, description="Organisation code"),
    date_from: Day = Query(..., alias="from"),
    date_to: Day = Query(..., alias="to"),
):
    """Form 2-BTCTW: the members admitted in the period (women, ethnic minority, religious;
    by age at admission, ethnicity, education, professional and theory level, occupation),
    those restored, and the grassroots organisations with and without an admission."""
    organisation = org_get_or_404(actor=request.user, code=org, action="reports.view")
    report = admissions_report(
        actor=request.user, org=organisation, date_from=date_from, date_to=date_to
    )
    report_served(
        actor=request.user,
        org=organisation,
        kind="admissions",
        via="api",
        params={"from": report["from"], "to": report["to"]},
    )
    return report


class SignIn(Schema):
    org: str = Field(..., max_length=40, description="Organisation code")
    kind: str = Field(..., max_length=20, description="membership (3-BTCTW) | period (1-BTCTW)")
    as_of: Day | None = Field(None, description="membership: default today")
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")
    signer: str = Field(..., max_length=150, description="The name under the signature")


class SignedOut(Schema):
    id: int
    organisation: str
    kind: str
    as_of: date | None
    date_from: date | None = Field(None, serialization_alias="from")
    date_to: date | None = Field(None, serialization_alias="to")
    signer: str
    signed_at: datetime
    digest: str = Field(description="SHA-256 of the figures' canonical JSON")
    figures: dict


class Difference(Schema):
    figure: str
    signed: object = None
    now: object = None


class RecordedSince(Schema):
    member: int
    what: str
    date: date | None
    recorded_at: datetime


class RecheckOut(SignedOut):
    unchanged: bool
    differences: list[Difference]
    recorded_since: list[RecordedSince]


def _signed_out(s: SignedReport) -> dict:
    return {
        "id": s.pk,
        "organisation": s.organisation.code,
        "kind": s.kind,
        "as_of": s.as_of,
        "date_from": s.date_from,
        "date_to": s.date_to,
        "signer": s.signer,
        "signed_at": s.signed_at,
        "digest": s.digest,
        "figures": s.figures,
    }


@router.post("/reports/signed", response=documented(SignedOut, 201), by_alias=True)
def report_sign_add(request, payload: SignIn):
    """Keep a form as signed (3-BTCTW as of a date, or 1-BTCTW over a period): its figures now,
    the signer's name, when. Your role must sign reports over the organisation."""
    organisation = org_get_or_404(actor=request.user, code=payload.org, action="reports.view")
    signed = report_sign(
        actor=request.user,
        org=organisation,
        kind=payload.kind,
        signer=payload.signer,
        as_of=payload.as_of,
        date_from=payload.date_from,
        date_to=payload.date_to,
    )
    return Status(201, _signed_out(signed))


@router.get("/reports/signed", response=documented(list[SignedOut]), by_alias=True)
def report_signed_list(
    request, org: str = Query(..., max_length=40, description="Organisation code")
):
    """The reports signed for an organisation, newest first."""
    organisation = org_get_or_404(actor=request.user, code=org, action="reports.view")
    return [_signed_out(s) for s in signed_reports(actor=request.user, org=organisation)]


@router.get("/reports/signed/{report_id}", response=documented(RecheckOut), by_alias=True)
def report_signed(request, report_id: int = Path(..., ge=1, le=MAX_ID)):
    """A signed report as it was signed, counted again now: `unchanged` when every figure still
    holds; otherwise the figures that differ and what was recorded since the signature that
    reaches back into its date or period (late events, corrections, dated attributes)."""
    signed = signed_report_get(actor=request.user, pk=report_id)
    recheck = signed_report_recheck(signed)
    since = [
        {
            "member": e.member_id,
            "what": f"event {e.type}" + (f" (corrects {e.corrects_id})" if e.corrects_id else ""),
            "date": e.date,
            "recorded_at": e.recorded_at,
        }
        for e in recheck["events"]
    ] + [
        {
            "member": c.member_id,
            "what": f"{c.kind} {c.field} = {c.value}",
            "date": c.valid_from,
            "recorded_at": c.recorded_at,
        }
        for c in recheck["attributes"]
    ]
    return {
        **_signed_out(signed),
        "unchanged": recheck["unchanged"],
        "differences": [
            {"figure": f, "signed": was, "now": now} for f, was, now in recheck["differences"]
        ],
        "recorded_since": sorted(since, key=lambda r: r["recorded_at"]),
    }
