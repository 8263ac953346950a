"""The training report as rows (for the page and the API) and as an Excel workbook: classes by
kind and mode, participants, completion, participants by gender and ethnicity, the travel
burden. Numbers as numbers, shares as percentages, Vietnamese headers, the organisation and the
period in each sheet's title, header row frozen (as meetings.exports)."""

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dangvu.core.refdata import ETHNICITIES, GENDERS
from dangvu.core.xlsx import workbook_bytes
from dangvu.training.choices import Kind, Mode
from dangvu.training.selectors import TrainingReport

__all__ = ["report_rows", "report_dict", "report_xlsx", "report_filename"]

BOLD = Font(bold=True)


def report_rows(r: TrainingReport) -> dict:
    """The report's tables with their labels (in the current language): by kind (one count per
    mode and the total), by gender and by ethnicity (largest first)."""
    kinds = []
    for kind in Kind:
        counts = [r.by_kind_mode.get((kind.value, mode.value), 0) for mode in Mode]
        if any(counts):
            kinds.append(
                {"code": kind.value, "label": kind.label, "modes": counts, "total": sum(counts)}
            )
    genders = [
        {"code": code, "label": GENDERS.label(code) or code or "—", "count": n}
        for code, n in sorted(r.by_gender.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    ]
    ethnicities = [
        {"code": code, "label": ETHNICITIES.label(code) or code or "—", "count": n}
        for code, n in sorted(r.by_ethnicity.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    ]
    return {
        "kinds": kinds,
        "modes": [m.label for m in Mode],
        "mode_totals": [sum(r.by_kind_mode.get((k.value, m.value), 0) for k in Kind) for m in Mode],
        "genders": genders,
        "ethnicities": ethnicities,
        "completion_percent": None if r.completion_rate is None else r.completion_rate * 100,
        "travel_percent": None if r.travel_share is None else r.travel_share * 100,
    }


def report_dict(r: TrainingReport, org, start: date, end: date) -> dict:
    """The report as JSON-ready data (the API's answer)."""
    return {
        "organisation": {"code": org.code, "name": org.name},
        "from": start,
        "to": end,
        "classes": r.classes,
        "by_kind_mode": [
            {
                "kind": k,
                "kind_label": _label(Kind, k),
                "mode": m,
                "mode_label": _label(Mode, m),
                "classes": n,
            }
            for (k, m), n in sorted(r.by_kind_mode.items())
        ],
        "participants": r.participants,
        "passed": r.passed,
        "failed": r.failed,
        "completion_rate": r.completion_rate,
        "by_gender": dict(sorted(r.by_gender.items())),
        "by_ethnicity": dict(sorted(r.by_ethnicity.items())),
        "travelling": r.travelling,
        "in_cluster_classes_people": r.in_cluster_classes_people,
        "travel_share": r.travel_share,
    }


def _label(choices, code: str) -> str:
    """A kind's or mode's label in the current language (the code itself for one no longer
    among the choices)."""
    return str(choices(code).label) if code in choices.values else code


def _title(org, start: date, end: date) -> str:
    return f"{org.name} — từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"


def _sheet(wb, title, heading, subtitle, header, rows, widths):
    ws = wb.create_sheet(title)
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([subtitle])
    ws.append([])
    ws.append(header)
    for cell in ws[4]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A5"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            if isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.number_format = "#,##0"
    return ws


def report_xlsx(r: TrainingReport, org, start: date, end: date) -> bytes:
    """The workbook: a summary, the classes by kind and mode, the participants by gender and
    by ethnicity. Labels in Vietnamese (the official forms' language)."""
    wb = Workbook()
    wb.remove(wb.active)
    subtitle = _title(org, start, end)
    kinds_vi = {
        Kind.AWARENESS: "Bồi dưỡng nhận thức về Đảng",
        Kind.NEW_MEMBER: "Lý luận chính trị cho đảng viên mới",
        Kind.CELL_SKILLS: "Nghiệp vụ công tác đảng cho cấp ủy chi bộ",
        Kind.THEORY: "Lớp lý luận chính trị",
        Kind.THEMATIC: "Lớp chuyên đề",
    }
    modes_vi = {Mode.IN_PERSON: "Trực tiếp", Mode.ONLINE: "Trực tuyến", Mode.HYBRID: "Kết hợp"}
    summary = [
        ["Số lớp", r.classes],
        ["Số người học (không trùng)", r.participants],
        ["Số người hoàn thành", r.passed],
        ["Số người không hoàn thành", r.failed],
        ["Tỷ lệ hoàn thành", r.completion_rate],
        ["Số người học lớp trực tiếp có cụm xã", r.in_cluster_classes_people],
        ["— trong đó ở ngoài cụm (phải đi xa)", r.travelling],
        ["Tỷ lệ phải đi xa", r.travel_share],
    ]
    ws = _sheet(
        wb,
        "Tổng hợp",
        "Bồi dưỡng chính trị — tổng hợp",
        subtitle,
        ["Chỉ tiêu", "Số liệu"],
        summary,
        [46, 16],
    )
    for row in ws.iter_rows(min_row=5):
        if row[0].value.startswith("Tỷ lệ") and row[1].value is not None:
            row[1].number_format = "0.0%"
    _sheet(
        wb,
        "Theo loại lớp",
        "Số lớp theo loại và hình thức",
        subtitle,
        ["Loại lớp", *[modes_vi[m] for m in Mode], "Tổng"],
        [
            [
                kinds_vi[k],
                *[r.by_kind_mode.get((k.value, m.value), 0) for m in Mode],
                sum(r.by_kind_mode.get((k.value, m.value), 0) for m in Mode),
            ]
            for k in Kind
        ],
        [44, 12, 12, 12, 10],
    )
    total = sum(r.by_gender.values()) or None
    _sheet(
        wb,
        "Giới tính",
        "Người học theo giới tính",
        subtitle,
        ["Giới tính", "Số người", "Tỷ lệ"],
        [
            [GENDERS.get(code).vi if GENDERS.get(code) else (code or "—"), n, n / total]
            for code, n in sorted(r.by_gender.items(), key=lambda kv: (-kv[1], kv[0] or ""))
        ],
        [20, 12, 10],
    )
    _percent(wb["Giới tính"], 3)
    total = sum(r.by_ethnicity.values()) or None
    _sheet(
        wb,
        "Dân tộc",
        "Người học theo dân tộc",
        subtitle,
        ["Dân tộc", "Số người", "Tỷ lệ"],
        [
            [ETHNICITIES.get(code).vi if ETHNICITIES.get(code) else (code or "—"), n, n / total]
            for code, n in sorted(r.by_ethnicity.items(), key=lambda kv: (-kv[1], kv[0] or ""))
        ],
        [24, 12, 10],
    )
    _percent(wb["Dân tộc"], 3)
    return workbook_bytes(wb)


def _percent(ws, column: int) -> None:
    for row in ws.iter_rows(min_row=5):
        cell = row[column - 1]
        if isinstance(cell.value, float):
            cell.number_format = "0.0%"


def report_filename(org, start: date, end: date) -> str:
    return f"boi-duong-chinh-tri-{org.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
