"""API v1, statistics: forms 3-BTCTW, 1-BTCTW, 5-BTCTW and 2-BTCTW for any organisation in
scope and any date. Each also downloads as a table (`format`: core.tables), a list of its
figures to work on in a spreadsheet; the official forms, in the layout of the paper form, are
the report pages' Excel and PDF files (reports.exports)."""

from collections.abc import Iterator
from datetime import date, datetime

from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from dangvu.core.apischema import MAX_ID, Day, codes, documented
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.organisations.choices import GrassrootsType, OrgKind
from dangvu.organisations.letterhead import COMMITTEE_KINDS
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

SignedKind = codes(SignedReport.Kind)


class DayFilter(Tabular):
    org: str = Field(..., max_length=40, description="Organisation code")
    as_of: Day | None = Field(None, description="Default: today")


class MembershipFilter(DayFilter):
    compare: bool = Field(
        False, description="Add `year_ago`: the same figures a year before (the form's columns)"
    )


class PeriodFilter(Tabular):
    org: str = Field(..., max_length=40, description="Organisation code")
    date_from: Day = Field(..., alias="from")
    date_to: Day = Field(..., alias="to")


# --- as tables (core.tables) ------------------------------------------------------------------

# The groups of the tables' rows: the reports' breakdowns, as the forms title them.
GROUPS = {
    "ethnicity": "Theo dân tộc",
    "religion": "Theo tôn giáo",
    "age_band": "Theo độ tuổi",
    "admission_period": "Theo thời kỳ kết nạp",
    "education": "Theo trình độ giáo dục phổ thông",
    "professional": "Theo trình độ chuyên môn nghiệp vụ",
    "academic_title": "Theo học hàm",
    "theory": "Theo trình độ lý luận chính trị",
    "occupation": "Theo nghề nghiệp",
}
TOTALS = "Tổng số"
# The shares both forms give (count and percent), as their rows say them.
SHARES = (
    ("women", "Nữ"),
    ("ethnic_minority", "Dân tộc thiểu số"),
    ("religious", "Đảng viên có đạo"),
    ("exempted", "Miễn công tác và sinh hoạt đảng"),
    ("youth_union", "Đoàn viên Đoàn TNCS Hồ Chí Minh"),
    ("enterprise_owner", "Chủ doanh nghiệp tư nhân"),
    ("married_foreigner", "Kết hôn với người nước ngoài"),
    ("retired_exempted", "Nghỉ hưu, thôi việc: miễn công tác và sinh hoạt đảng"),
    ("readmitted", "Kết nạp lại"),
)
FIGURES = (
    Column("Nhóm", key="group", width=34),
    Column("Chỉ tiêu", key="label", width=50),
    Column("Số lượng", "int", 12, key="count"),
    Column("Tỷ lệ (%)", "number", 10, key="percent"),
)


def _shares(report: dict) -> Iterator[dict]:
    for key, label in SHARES:
        if isinstance(report.get(key), dict):
            yield {"group": TOTALS, "label": label, "key": key, **report[key]}


def _breakdowns(report: dict) -> Iterator[dict]:
    for key, rows in report.get("breakdowns", {}).items():
        for row in rows:
            yield {"group": GROUPS.get(key, key), "breakdown": key, **row}


def _membership_rows(report: dict) -> Iterator[dict]:
    """Form 3-BTCTW as one table: the members, the shares, the average age, each breakdown;
    with the count a year before where the report compares (`compare`); then the party
    organisations of the subtree."""
    before = report.get("year_ago") or {}
    members = report["members"]
    rows = [
        {"group": TOTALS, "label": label, "count": members[key], "key": key}
        for key, label in (
            ("total", "Tổng số đảng viên"),
            ("official", "Đảng viên chính thức"),
            ("probationary", "Đảng viên dự bị"),
        )
    ]
    rows += _shares(report)
    if report.get("average_age") is not None:
        rows.append({"group": TOTALS, "label": "Tuổi bình quân", "count": report["average_age"]})
    rows += _breakdowns(report)
    for row in rows:
        yield {**row, "year_ago": _before(before, row)}
    yield from _organisations(report)


def _organisations(report: dict) -> Iterator[dict]:
    """The party organisations of the subtree, counted: the grassroots ones by type (under a
    committee above the grassroots only: a cell's 0 would mean nothing), then by kind."""
    group, orgs = "Tổ chức đảng cấp dưới", report["organisations"]
    if report["organisation"].get("kind") in COMMITTEE_KINDS:
        yield {"group": group, "label": "Tổ chức cơ sở đảng", "count": orgs["grassroots"]}
        for gtype, count in orgs["by_grassroots_type"].items():
            label = f"Tổ chức cơ sở đảng: {GrassrootsType(gtype).label}"
            yield {"group": group, "label": label, "count": count}
    for kind, count in orgs["by_kind"].items():
        yield {"group": group, "label": str(OrgKind(kind).label), "count": count}


def _before(before: dict, row: dict):
    """The row's count a year before (None: the report does not compare, or has no such row)."""
    if not before:
        return None
    if "breakdown" in row:
        return before["breakdowns"].get(row["breakdown"], {}).get(row["code"], 0)
    return before.get(row.get("key", ""))


MEMBERSHIP = TableSpec(
    "membership",
    "Đội ngũ đảng viên (mẫu 3-BTCTW)",
    (*FIGURES, Column("Cùng ngày năm trước", "int", 12, key="year_ago")),
    items=_membership_rows,
)


def _period_rows(report: dict) -> Iterator[dict]:
    """Form 1-BTCTW as one table: the opening balance, each increase and decrease (with the
    transfers from or to another province), the closing balance."""
    yield {"group": TOTALS, "label": "Số đảng viên đầu kỳ", "count": report["opening"]}
    yield {
        "group": "Tăng trong kỳ",
        "label": "Số đảng viên tăng trong kỳ",
        "count": report["increase_total"],
    }
    for row in report["increases"]:
        yield {"group": "Tăng trong kỳ", **row}
        if row["key"] == "transferred_in":
            yield {
                "group": "Tăng trong kỳ",
                "label": "trong đó: từ tỉnh khác hoặc từ ngoài hệ thống",
                "count": report["transferred_in_other_province"],
            }
    yield {
        "group": "Giảm trong kỳ",
        "label": "Số đảng viên giảm trong kỳ",
        "count": report["decrease_total"],
    }
    for row in report["decreases"]:
        yield {"group": "Giảm trong kỳ", **row}
        if row["key"] == "transferred_out":
            yield {
                "group": "Giảm trong kỳ",
                "label": "trong đó: đi tỉnh khác hoặc ra ngoài hệ thống",
                "count": report["transferred_out_other_province"],
            }
        if row["key"] == "struck_off":
            yield {
                "group": "Giảm trong kỳ",
                "label": "trong đó: xóa tên đảng viên dự bị",
                "count": report["struck_off_probationary"],
            }
    yield {"group": TOTALS, "label": "Số đảng viên cuối kỳ", "count": report["closing"]}


PERIOD = TableSpec(
    "period",
    "Tăng, giảm đảng viên (mẫu 1-BTCTW)",
    (
        Column("Nhóm", key="group", width=20),
        Column("Chỉ tiêu", key="label", width=56),
        Column("Số lượng", "int", 12, key="count"),
    ),
    items=_period_rows,
)


def _grassroots_rows(report: dict) -> Iterator[dict]:
    """Form 5-BTCTW as one table: a row per grassroots type, then the total (and the members of
    cells under no grassroots organisation, where there are any)."""
    yield from report["rows"]
    yield {"label": "Tổng cộng", **report["total"]}
    if report.get("members_outside_grassroots"):
        yield {
            "label": "Đảng viên ở chi bộ không thuộc tổ chức cơ sở đảng",
            "members": report["members_outside_grassroots"],
        }


GRASSROOTS = TableSpec(
    "grassroots",
    "Tổ chức cơ sở đảng và đảng viên theo loại hình (mẫu 5-BTCTW)",
    (
        Column("Loại hình tổ chức cơ sở đảng", key="label", width=40),
        Column("Đảng bộ cơ sở", "int", 12, key="committees"),
        Column("Chi bộ cơ sở", "int", 12, key="cells"),
        Column("Tổng số tổ chức cơ sở đảng", "int", 14, key="total"),
        Column("Đảng bộ bộ phận", "int", 12, key="sub_committees"),
        Column("Chi bộ trực thuộc đảng ủy cơ sở", "int", 14, key="attached_cells"),
        Column("Đảng viên", "int", 12, key="members"),
    ),
    items=_grassroots_rows,
)


def _admission_rows(report: dict) -> Iterator[dict]:
    """Form 2-BTCTW as one table: the members admitted, the shares, each breakdown, those
    restored, the grassroots organisations with and without an admission."""
    yield {"group": TOTALS, "label": "Đảng viên được kết nạp", "count": report["admitted"]}
    yield from _shares(report)
    for row in _breakdowns(report):
        if row["breakdown"] == "age_band":
            row = {**row, "group": "Theo độ tuổi khi kết nạp"}
        yield row
    yield {"group": TOTALS, "label": "Phục hồi đảng tịch", "count": report["restored"]}
    grassroots = "Tổ chức cơ sở đảng"
    yield {
        "group": grassroots,
        "label": "Có kết nạp đảng viên trong kỳ",
        "count": report["grassroots_with_admissions"],
    }
    yield {
        "group": grassroots,
        "label": "Không kết nạp được đảng viên trong kỳ",
        "count": report["grassroots_without_admissions"],
    }


ADMISSIONS = TableSpec(
    "admissions", "Kết nạp đảng viên (mẫu 2-BTCTW)", FIGURES, items=_admission_rows
)


def _served(request, org, kind: str, fmt: str, params: dict) -> None:
    """The report served recorded in the audit trail: through the API, or as a file (an
    export)."""
    via = "api" if fmt == "json" else fmt
    report_served(actor=request.user, org=org, kind=kind, via=via, params=params)


@router.get("/reports/membership", response=documented(dict), openapi_extra=tabular(MEMBERSHIP))
def report_membership(request, filters: Query[MembershipFilter]):
    """Form 3-BTCTW: members by status, women, ethnic minority, religion, exemption, the
    breakdowns by ethnicity, religion, age, admission period, education, professional and
    theory level and occupation, and the organisations of the subtree. As a file (`format`):
    the totals and each breakdown, a row each."""
    organisation = org_get_or_404(actor=request.user, code=filters.org, action="reports.view")
    report = membership_report(
        actor=request.user, org=organisation, as_of=filters.as_of, compare=filters.compare
    )
    _served(request, organisation, "membership", filters.format, {"as_of": report["as_of"]})
    if filters.format != "json":
        period = (report["as_of"], report["as_of"])  # titled by its day
        return table_response(MEMBERSHIP, filters.format, report, org=organisation, period=period)
    return report


@router.get("/reports/period", response=documented(dict), openapi_extra=tabular(PERIOD))
def report_period(request, filters: Query[PeriodFilter]):
    """Form 1-BTCTW: opening balance, increases and decreases by kind, closing balance."""
    organisation = org_get_or_404(actor=request.user, code=filters.org, action="reports.view")
    report = period_report(
        actor=request.user, org=organisation, date_from=filters.date_from, date_to=filters.date_to
    )
    period = (report["from"], report["to"])
    _served(request, organisation, "period", filters.format, {"from": period[0], "to": period[1]})
    if filters.format != "json":
        return table_response(PERIOD, filters.format, report, org=organisation, period=period)
    return report


@router.get("/reports/grassroots", response=documented(dict), openapi_extra=tabular(GRASSROOTS))
def report_grassroots(request, filters: Query[DayFilter]):
    """Form 5-BTCTW: for each grassroots type, the grassroots organisations (`committees`:
    đảng bộ cơ sở, `cells`: chi bộ cơ sở, `total`), the units under the committees
    (`sub_committees`, `attached_cells`) and the `members`, in the tree of that date."""
    organisation = org_get_or_404(actor=request.user, code=filters.org, action="reports.view")
    report = grassroots_report(actor=request.user, org=organisation, as_of=filters.as_of)
    _served(request, organisation, "grassroots", filters.format, {"as_of": report["as_of"]})
    if filters.format != "json":
        period = (report["as_of"], report["as_of"])  # titled by its day
        return table_response(GRASSROOTS, filters.format, report, org=organisation, period=period)
    return report


@router.get("/reports/admissions", response=documented(dict), openapi_extra=tabular(ADMISSIONS))
def report_admissions(request, filters: Query[PeriodFilter]):
    """Form 2-BTCTW: the members admitted in the period (women, ethnic minority, religious;
    by age at admission, ethnicity, education, professional and theory level, occupation),
    those restored, and the grassroots organisations with and without an admission."""
    organisation = org_get_or_404(actor=request.user, code=filters.org, action="reports.view")
    report = admissions_report(
        actor=request.user, org=organisation, date_from=filters.date_from, date_to=filters.date_to
    )
    period = (report["from"], report["to"])
    _served(
        request, organisation, "admissions", filters.format, {"from": period[0], "to": period[1]}
    )
    if filters.format != "json":
        return table_response(ADMISSIONS, filters.format, report, org=organisation, period=period)
    return report


class SignIn(Schema):
    org: str = Field(..., max_length=40, description="Organisation code")
    kind: SignedKind = Field(..., description="membership: 3-BTCTW, period: 1-BTCTW")
    as_of: Day | None = Field(None, description="membership: default today")
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")
    signer: str = Field(..., max_length=150, description="The name under the signature")


class SignedOut(Schema):
    id: int
    organisation: str
    kind: SignedKind
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
