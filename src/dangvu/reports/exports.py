"""Excel exports of the statistics (openpyxl)."""

import json
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from dangvu.core.xlsx import workbook_bytes
from dangvu.organisations.choices import GrassrootsType, OrgKind

__all__ = ["BREAKDOWN_TITLES", "membership_xlsx", "period_xlsx", "report_json"]

BREAKDOWN_TITLES = {
    "ethnicity": gettext_lazy("By ethnicity"),
    "religion": gettext_lazy("By religion"),
    "age_band": gettext_lazy("By age"),
    "admission_period": gettext_lazy("By admission period"),
    "education": gettext_lazy("By general education"),
    "professional": gettext_lazy("By professional level"),
    "theory": gettext_lazy("By political theory"),
    "occupation": gettext_lazy("By occupation"),
}


def _default(value):
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=_default)


def _title(ws, text: str, subtitle: str) -> None:
    ws["A1"] = text
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = subtitle
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 12


def membership_xlsx(report: dict) -> bytes:
    """Form 3-BTCTW layout: one sheet, rows with count and percent of all members."""
    wb = Workbook()
    ws = wb.active
    ws.title = "3-BTCTW"
    org = report["organisation"]
    _title(
        ws,
        _("Party membership statistics (form 3-BTCTW)"),
        f"{org['name']} ({org['code']}) — {report['as_of'].strftime('%d/%m/%Y')}",
    )
    bold = Font(bold=True)
    ws.append([])
    ws.append([_("Item"), _("Number"), _("Percent")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    total = report["members"]["total"]
    rows = [
        (_("Total party members"), total, 100.0 if total else 0.0),
        (_("Official members"), report["members"]["official"], None),
        (_("Probationary members"), report["members"]["probationary"], None),
        (_("Women"), report["women"]["count"], report["women"]["percent"]),
        (
            _("Ethnic minority"),
            report["ethnic_minority"]["count"],
            report["ethnic_minority"]["percent"],
        ),
        (_("Religious"), report["religious"]["count"], report["religious"]["percent"]),
        (
            _("Exempted from work and activities"),
            report["exempted"]["count"],
            report["exempted"]["percent"],
        ),
    ]
    for row in rows:
        ws.append(list(row))
    for key, items in report["breakdowns"].items():
        ws.append([])
        ws.append([str(BREAKDOWN_TITLES.get(key, key))])
        ws[ws.max_row][0].font = bold
        for item in items:
            ws.append([item["label"], item["count"], item["percent"]])
    ws.append([])
    ws.append([_("Organisations in the subtree")])
    ws[ws.max_row][0].font = bold
    ws.append([_("Grassroots party organisations"), report["organisations"]["grassroots"], None])
    for kind, n in report["organisations"]["by_kind"].items():
        ws.append([str(OrgKind(kind).label), n, None])
    for gtype, n in report["organisations"]["by_grassroots_type"].items():
        ws.append([f"— {GrassrootsType(gtype).label}", n, None])
    for row in ws.iter_rows(min_row=4, min_col=3, max_col=3):
        for cell in row:
            cell.number_format = "0.00"
            cell.alignment = Alignment(horizontal="right")
    return workbook_bytes(wb)


def period_xlsx(report: dict) -> bytes:
    """Form 1-BTCTW: opening balance, increases, decreases, closing balance."""
    wb = Workbook()
    ws = wb.active
    ws.title = "1-BTCTW"
    org = report["organisation"]
    _title(
        ws,
        _("Increase and decrease of party members (form 1-BTCTW)"),
        f"{org['name']} ({org['code']}) — {report['from'].strftime('%d/%m/%Y')} – "
        f"{report['to'].strftime('%d/%m/%Y')}",
    )
    ws.append([])
    ws.append([_("Opening balance"), report["opening"]])
    ws.append([_("Increases"), report["increase_total"]])
    for row in report["increases"]:
        ws.append([f"— {row['label']}", row["count"]])
    ws.append([_("Decreases"), report["decrease_total"]])
    for row in report["decreases"]:
        ws.append([f"— {row['label']}", row["count"]])
    ws.append([_("of which probationary members struck off"), report["struck_off_probationary"]])
    ws.append([_("Closing balance"), report["closing"]])
    return workbook_bytes(wb)
