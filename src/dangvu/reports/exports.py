"""The official forms of the statistics (3-BTCTW, 1-BTCTW…), each described once as an
OfficialForm from its JSON report and rendered as Excel (reports.official.form_xlsx) or PDF
(reports.pdf.form_pdf)."""

import json
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangvu.organisations.choices import GrassrootsType, OrgKind
from dangvu.organisations.letterhead import COMMITTEE_KINDS, Letterhead, letterhead_for
from dangvu.reports.official import (
    COUNT_FORMAT,
    PERCENT_FORMAT,
    Column,
    OfficialForm,
    TableRow,
    form_xlsx,
    roman,
)
from dangvu.reports.pdf import form_pdf
from dangvu.stats.selectors import percent

__all__ = [
    "BREAKDOWN_TITLES",
    "membership_form",
    "membership_xlsx",
    "membership_pdf",
    "membership_filename",
    "period_form",
    "period_xlsx",
    "period_pdf",
    "period_filename",
    "report_json",
    "grassroots_form",
    "admissions_form",
    "form_filename",
    "ADMISSION_TITLES",
]

BREAKDOWN_TITLES = {
    "ethnicity": gettext_lazy("By ethnicity"),
    "religion": gettext_lazy("By religion"),
    "age_band": gettext_lazy("By age"),
    "admission_period": gettext_lazy("By admission period"),
    "education": gettext_lazy("By general education"),
    "professional": gettext_lazy("By professional level"),
    "academic_title": gettext_lazy("By academic title"),
    "theory": gettext_lazy("By political theory"),
    "occupation": gettext_lazy("By occupation"),
}
# The particulars both forms count, as their rows say them.
PARTICULAR_ROWS = (
    (gettext_lazy("Youth Union members"), "youth_union"),
    (gettext_lazy("Private-enterprise owners"), "enterprise_owner"),
    (gettext_lazy("Married to a foreigner"), "married_foreigner"),
)


def _default(value):
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=_default)


def _compared(count, total, previous) -> tuple:
    """A row's figures: the count and its share, then, when the year-ago figures are known,
    the count a year before and this year's as a percentage of it."""
    values = (count, percent(count, total))
    if previous is None:
        return values
    return (*values, previous, round(100.0 * count / previous, 2) if previous else None)


def _membership_rows(report: dict) -> list[TableRow]:
    """Section I: the totals and their shares; then one section per breakdown; last, the
    party organisations of the subtree (counts only). With the same figures a year before
    where the report has them (`year_ago`)."""
    total = report["members"]["total"]
    before = report.get("year_ago")

    def prev(key=None, breakdown=None, code=None):
        if before is None:
            return None
        if breakdown is not None:
            return before["breakdowns"].get(breakdown, {}).get(code, 0)
        return before[key]

    rows = [
        TableRow(
            "I", _("Total party members"), _compared(total, total, prev("total")), section=True
        ),
    ]
    firsts = [
        (_("Official members"), report["members"]["official"], "official"),
        (_("Probationary members"), report["members"]["probationary"], "probationary"),
        (_("Women"), report["women"]["count"], "women"),
        (_("Ethnic minority"), report["ethnic_minority"]["count"], "ethnic_minority"),
        (_("Religious"), report["religious"]["count"], "religious"),
        (_("Exempted from work and activities"), report["exempted"]["count"], "exempted"),
        *((str(label), report[key]["count"], key) for label, key in PARTICULAR_ROWS),
    ]
    for n, (label, count, key) in enumerate(firsts, start=1):
        rows.append(TableRow(str(n), label, _compared(count, total, prev(key)), indent=1))
    if report.get("average_age") is not None:
        rows.append(
            TableRow(str(len(firsts) + 1), _("Average age"), (report["average_age"],), indent=1)
        )
    section = 1
    for key, items in report["breakdowns"].items():
        section += 1
        rows.append(TableRow(roman(section), str(BREAKDOWN_TITLES.get(key, key)), section=True))
        for n, item in enumerate(items, start=1):
            rows.append(
                TableRow(
                    str(n),
                    item["label"],
                    _compared(item["count"], total, prev(breakdown=key, code=item["code"])),
                    indent=1,
                )
            )
            if (key, item["code"]) == ("occupation", "retired") and "retired_exempted" in report:
                count = report["retired_exempted"]["count"]
                rows.append(
                    TableRow(
                        "",
                        _("of which: exempted from work and activities"),
                        _compared(count, total, prev("retired_exempted")),
                        indent=2,
                    )
                )
    section += 1
    orgs = report["organisations"]
    rows.append(TableRow(roman(section), _("Organisations in the subtree"), section=True))
    n = 0
    if report["organisation"].get("kind") in COMMITTEE_KINDS:
        # Only a committee above the grassroots has grassroots organisations under it; a
        # cell's "0" (or a grassroots unit's "1", itself) would mean nothing.
        n += 1
        rows.append(TableRow(str(n), _("Grassroots party organisations"), (orgs["grassroots"],)))
        for gtype, count in orgs["by_grassroots_type"].items():
            rows.append(TableRow("", f"- {GrassrootsType(gtype).label}", (count,), indent=2))
    for kind, count in orgs["by_kind"].items():
        n += 1
        rows.append(TableRow(str(n), str(OrgKind(kind).label), (count,), indent=1))
    return rows


def membership_form(
    report: dict, *, letterhead: Letterhead | None = None, today: date | None = None
) -> OfficialForm:
    """Form 3-BTCTW ("Đội ngũ đảng viên") in the layout of the paper form: the organisation's
    letterhead, the title and as-of date, the numbered table (STT / Chỉ tiêu / Số lượng /
    Tỷ lệ %), the date line and the signature blocks. `letterhead` defaults to the reporting
    organisation's as of the report's date; `today` (the date line) to today."""
    letterhead = letterhead or letterhead_for(report["organisation"]["code"], report["as_of"])
    members = _("Party members")
    last = _("Compared with a year before")
    return OfficialForm(
        "3-BTCTW",
        letterhead,
        [
            Column(_("No."), 6, code="A"),
            Column(_("Item"), 52, code="B"),
            Column(_("Number"), 13, COUNT_FORMAT, group=members, code="1"),
            Column(_("Percent"), 13, PERCENT_FORMAT, group=members, code="2"),
            *(
                [
                    Column(_("Same date last year"), 13, COUNT_FORMAT, group=last, code="3"),
                    Column(_("This year in % of it"), 13, PERCENT_FORMAT, group=last, code="4"),
                ]
                if report.get("year_ago")
                else []
            ),
        ],
        _("PARTY MEMBERSHIP"),
        _("As of %(date)s") % {"date": report["as_of"].strftime("%d/%m/%Y")},
        _membership_rows(report),
        today,
    )


def membership_xlsx(report: dict, **kwargs) -> bytes:
    return form_xlsx(membership_form(report, **kwargs))


def membership_pdf(report: dict, **kwargs) -> bytes:
    return form_pdf(membership_form(report, **kwargs))


def _period_rows(report: dict) -> list[TableRow]:
    rows = [TableRow("I", _("Members at the start of the period"), (report["opening"],), True)]
    rows.append(TableRow("II", _("Increase in the period"), (report["increase_total"],), True))
    for n, row in enumerate(report["increases"], start=1):
        rows.append(TableRow(str(n), row["label"], (row["count"],), indent=1))
        if row["key"] == "transferred_in":
            rows.append(
                TableRow(
                    "",
                    _("of which from another province or from outside Dangvu"),
                    (report["transferred_in_other_province"],),
                    indent=2,
                )
            )
    rows.append(TableRow("III", _("Decrease in the period"), (report["decrease_total"],), True))
    for n, row in enumerate(report["decreases"], start=1):
        rows.append(TableRow(str(n), row["label"], (row["count"],), indent=1))
        if row["key"] == "transferred_out":
            rows.append(
                TableRow(
                    "",
                    _("of which to another province or out of Dangvu"),
                    (report["transferred_out_other_province"],),
                    indent=2,
                )
            )
        if row["key"] == "struck_off":
            rows.append(
                TableRow(
                    "",
                    _("of which probationary members struck off"),
                    (report["struck_off_probationary"],),
                    indent=2,
                )
            )
    rows.append(TableRow("IV", _("Members at the end of the period"), (report["closing"],), True))
    return rows


def period_form(
    report: dict, *, letterhead: Letterhead | None = None, today: date | None = None
) -> OfficialForm:
    """Form 1-BTCTW ("Tăng, giảm đảng viên"): opening balance, increases and decreases by kind,
    closing balance, in the layout of the paper form (see membership_form)."""
    letterhead = letterhead or letterhead_for(report["organisation"]["code"], report["to"])
    return OfficialForm(
        "1-BTCTW",
        letterhead,
        [
            Column(_("No."), 6, code="A"),
            Column(_("Item"), 48, code="B"),
            Column(_("Number"), 32, COUNT_FORMAT, code="1"),
        ],
        _("INCREASE AND DECREASE OF PARTY MEMBERS"),
        _("From %(start)s to %(end)s")
        % {
            "start": report["from"].strftime("%d/%m/%Y"),
            "end": report["to"].strftime("%d/%m/%Y"),
        },
        _period_rows(report),
        today,
    )


def period_xlsx(report: dict, **kwargs) -> bytes:
    return form_xlsx(period_form(report, **kwargs))


def period_pdf(report: dict, **kwargs) -> bytes:
    return form_pdf(period_form(report, **kwargs))


def membership_filename(report: dict, ext: str = "xlsx") -> str:
    """3-BTCTW_<organisation code>_<dd-mm-yyyy>.<ext>"""
    return f"3-BTCTW_{report['organisation']['code']}_{report['as_of']:%d-%m-%Y}.{ext}"


def period_filename(report: dict, ext: str = "xlsx") -> str:
    """1-BTCTW_<organisation code>_<from dd-mm-yyyy>_<to dd-mm-yyyy>.<ext>"""
    code = report["organisation"]["code"]
    return f"1-BTCTW_{code}_{report['from']:%d-%m-%Y}_{report['to']:%d-%m-%Y}.{ext}"


# --- form 5-BTCTW ------------------------------------------------------------------------------


def grassroots_form(
    report: dict, *, letterhead: Letterhead | None = None, today: date | None = None
) -> OfficialForm:
    """Form 5-BTCTW ("Tổ chức cơ sở đảng và đảng viên theo loại hình"): for each grassroots
    type, the grassroots organisations (đảng bộ cơ sở, chi bộ cơ sở, total), the units under
    the grassroots committees (đảng bộ bộ phận, chi bộ trực thuộc) and the members."""
    letterhead = letterhead or letterhead_for(report["organisation"]["code"], report["as_of"])
    grassroots, inside = _("Grassroots party organisations"), _("Under grassroots committees")
    keys = ("committees", "cells", "total", "sub_committees", "attached_cells", "members")
    total = report["total"]
    rows = [TableRow("", _("Total"), tuple(total[k] for k in keys), section=True)]
    rows += [
        TableRow(str(n), row["label"], tuple(row[k] for k in keys), indent=1)
        for n, row in enumerate(report["rows"], start=1)
    ]
    return OfficialForm(
        "5-BTCTW",
        letterhead,
        [
            Column(_("No."), 5, code="A"),
            Column(_("Type of grassroots organisation"), 34, code="B"),
            Column(_("Grassroots committees"), 11, COUNT_FORMAT, group=grassroots, code="1"),
            Column(_("Grassroots cells"), 11, COUNT_FORMAT, group=grassroots, code="2"),
            Column(_("Total"), 10, COUNT_FORMAT, group=grassroots, code="3"),
            Column(_("Party sub-committees"), 11, COUNT_FORMAT, group=inside, code="4"),
            Column(_("Attached cells"), 11, COUNT_FORMAT, group=inside, code="5"),
            Column(_("Party members"), 11, COUNT_FORMAT, code="6"),
        ],
        _("GRASSROOTS PARTY ORGANISATIONS AND MEMBERS BY TYPE"),
        _("As of %(date)s") % {"date": report["as_of"].strftime("%d/%m/%Y")},
        rows,
        today,
    )


# --- form 2-BTCTW ------------------------------------------------------------------------------

ADMISSION_TITLES = {
    "age_band": gettext_lazy("By age at admission"),
    "ethnicity": gettext_lazy("By ethnicity"),
    "education": gettext_lazy("By general education"),
    "professional": gettext_lazy("By professional level"),
    "academic_title": gettext_lazy("By academic title"),
    "theory": gettext_lazy("By political theory"),
    "occupation": gettext_lazy("By occupation"),
}


def _admission_rows(report: dict) -> list[TableRow]:
    total = report["admitted"]
    rows = [
        TableRow("I", _("Members admitted"), (total, 100.0 if total else 0.0), section=True),
    ]
    for n, (label, key) in enumerate(
        (
            (_("Women"), "women"),
            (_("Ethnic minority"), "ethnic_minority"),
            (_("Religious"), "religious"),
            *((str(label), key) for label, key in PARTICULAR_ROWS),
            (_("Admitted again"), "readmitted"),
        ),
        start=1,
    ):
        rows.append(
            TableRow(str(n), label, (report[key]["count"], report[key]["percent"]), indent=1)
        )
    section = 1
    for key, items in report["breakdowns"].items():
        section += 1
        rows.append(TableRow(roman(section), str(ADMISSION_TITLES[key]), section=True))
        for n, item in enumerate(items, start=1):
            rows.append(TableRow(str(n), item["label"], (item["count"], item["percent"]), indent=1))
    section += 1
    rows.append(
        TableRow(roman(section), _("Membership restored"), (report["restored"],), section=True)
    )
    section += 1
    rows.append(TableRow(roman(section), _("Grassroots party organisations"), section=True))
    rows.append(
        TableRow("1", _("with an admission in the period"), (report["grassroots_with_admissions"],))
    )
    rows.append(
        TableRow(
            "2", _("without an admission in the period"), (report["grassroots_without_admissions"],)
        )
    )
    return rows


def admissions_form(
    report: dict, *, letterhead: Letterhead | None = None, today: date | None = None
) -> OfficialForm:
    """Form 2-BTCTW ("Kết nạp đảng viên"): the members admitted in the period and who they
    are, those restored, and the grassroots organisations with and without an admission."""
    letterhead = letterhead or letterhead_for(report["organisation"]["code"], report["to"])
    admitted = _("Members admitted")
    return OfficialForm(
        "2-BTCTW",
        letterhead,
        [
            Column(_("No."), 6, code="A"),
            Column(_("Item"), 52, code="B"),
            Column(_("Number"), 13, COUNT_FORMAT, group=admitted, code="1"),
            Column(_("Percent"), 13, PERCENT_FORMAT, group=admitted, code="2"),
        ],
        _("ADMISSION OF PARTY MEMBERS"),
        _("From %(start)s to %(end)s")
        % {
            "start": report["from"].strftime("%d/%m/%Y"),
            "end": report["to"].strftime("%d/%m/%Y"),
        },
        _admission_rows(report),
        today,
    )


def form_filename(number: str, report: dict, ext: str) -> str:
    """<form>_<organisation code>_<date, or from_to>.<ext>"""
    code = report["organisation"]["code"]
    if "as_of" in report:
        return f"{number}_{code}_{report['as_of']:%d-%m-%Y}.{ext}"
    return f"{number}_{code}_{report['from']:%d-%m-%Y}_{report['to']:%d-%m-%Y}.{ext}"
