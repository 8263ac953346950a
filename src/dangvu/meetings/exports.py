"""The meetings dashboard as an Excel workbook: the figures, month by month (with the cells
that did not meet), the organisations directly under it, each cell month by month (for a small
subtree) and the cells no supervisor visited. Numbers as numbers, shares as percentages,
Vietnamese headers, the organisation and the period in each sheet's title, header row frozen."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dangvu.core.xlsx import workbook_bytes

__all__ = ["report_xlsx", "report_filename"]

LEVELS = {"good": "Tốt", "fair": "Khá", "average": "Trung bình", "poor": "Kém"}
SHORT_LEVELS = {"good": "T", "fair": "K", "average": "TB", "poor": "Y"}
BOLD = Font(bold=True)
MISSED = PatternFill("solid", fgColor="FBE9E7")


def _period(r: dict) -> str:
    return f"{r['organisation']['name']} — từ {r['from']:%d/%m/%Y} đến {r['to']:%d/%m/%Y}"


def _sheet(wb: Workbook, title: str, heading: str, r: dict, header: list[str], rows, widths):
    ws = wb.create_sheet(title)
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_period(r)])
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
    return ws


def _percent(ws, columns: list[int]) -> None:
    for row in ws.iter_rows(min_row=5):
        for col in columns:
            cell = row[col - 1]
            if isinstance(cell.value, int | float):
                cell.value = cell.value / 100
                cell.number_format = "0.0%"


def _missing(month: dict) -> str:
    """The cells that did not meet, by name; for a large subtree (names not listed) how many."""
    names = month["missing"]
    if not names and month.get("missing_count"):
        return f"{month['missing_count']} chi bộ (xem theo đơn vị trực thuộc)"
    more = f" (và {len(names) - 500} chi bộ khác)" if len(names) > 500 else ""
    return "; ".join(c["name"] for c in names[:500]) + more


def report_xlsx(r: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    quality = r["quality"]
    summary = [
        ["Số chi bộ", r["cells"]],
        ["Số buổi sinh hoạt đã tổ chức", r["meetings_held"]],
        ["Tỷ lệ chi bộ sinh hoạt định kỳ hằng tháng", r["monthly_share"]],
        ["Tỷ lệ đảng viên dự sinh hoạt", r["attendance_rate"]],
        ["Số buổi không hợp lệ (không đủ số lượng)", r["invalid"]],
        ["Số buổi đã đánh giá chất lượng", r["evaluated"]],
        *[[f"— xếp loại {label}", quality.get(code, 0)] for code, label in LEVELS.items()],
        ["Số chi bộ được phân công giám sát", r["supervision"]["assigned_cells"]],
        ["Số chi bộ được cấp ủy viên dự, giám sát", r["supervision"]["visited_cells"]],
        ["Số đảng viên hoạt động (cuối kỳ)", r["tasks"]["active_members"]],
        ["— trong đó được giao nhiệm vụ", r["tasks"]["with_task"]],
        ["Tỷ lệ đảng viên được giao nhiệm vụ", r["tasks"]["share"]],
    ]
    ws = _sheet(
        wb, "Tổng hợp", "Sinh hoạt chi bộ — tổng hợp", r, ["Chỉ tiêu", "Số liệu"], summary, [52, 16]
    )
    for row in ws.iter_rows(min_row=5):
        if row[0].value and row[0].value.startswith("Tỷ lệ") and row[1].value is not None:
            row[1].value = row[1].value / 100
            row[1].number_format = "0.0%"
        elif isinstance(row[1].value, int):
            row[1].number_format = "#,##0"

    _sheet(
        wb,
        "Theo tháng",
        "Chi bộ sinh hoạt định kỳ theo tháng",
        r,
        ["Tháng", "Số chi bộ", "Đã sinh hoạt", "Tỷ lệ", "Chi bộ chưa sinh hoạt"],
        [
            [
                f"{m['month']:%m/%Y}",
                m["cells"],
                m["held"],
                round(m["held"] / m["cells"] * 100, 2) if m["cells"] else None,
                _missing(m),
            ]
            for m in r["months"]
        ],
        [10, 12, 14, 10, 90],
    )
    _percent(wb["Theo tháng"], [4])

    if r["children"]:
        ws = _sheet(
            wb,
            "Đơn vị trực thuộc",
            "Sinh hoạt chi bộ theo đơn vị trực thuộc",
            r,
            [
                "Mã",
                "Tổ chức đảng",
                "Số chi bộ",
                "Số buổi",
                "Tỷ lệ sinh hoạt hằng tháng",
                "Tỷ lệ dự họp",
                "Không hợp lệ",
                *[f"Xếp loại {label}" for label in LEVELS.values()],
                "Chi bộ được giám sát",
                "Tỷ lệ đảng viên có nhiệm vụ",
            ],
            [
                [
                    c["code"],
                    c["name"],
                    c["cells"],
                    c["meetings_held"],
                    c["monthly_share"],
                    c["attendance_rate"],
                    c["invalid"],
                    *[c["quality"].get(code, 0) for code in LEVELS],
                    c["visited_cells"],
                    c["task_share"],
                ]
                for c in r["children"]
            ],
            [12, 40, 10, 10, 14, 12, 12, 10, 10, 12, 10, 14, 14],
        )
        _percent(ws, [5, 6, 13])

    if r["cell_grid"]:
        ws = _sheet(
            wb,
            "Từng chi bộ",
            "Từng chi bộ theo tháng (✓ đã sinh hoạt, ✗ chưa sinh hoạt; T/K/TB/Y: xếp loại)",
            r,
            [
                "Mã",
                "Chi bộ",
                *[f"{m['month']:%m/%Y}" for m in r["months"]],
                "Tỷ lệ dự họp",
                "Được giám sát",
                "Tỷ lệ đảng viên có nhiệm vụ",
            ],
            [
                [
                    c["code"],
                    c["name"],
                    *[
                        ""
                        if not m["exists"]
                        else ("✓ " + SHORT_LEVELS.get(m["level"], "")).strip()
                        if m["met"]
                        else "✗"
                        for m in c["months"]
                    ],
                    c["attendance_rate"],
                    "có" if c["visited_cells"] else "không",
                    c["task_share"],
                ]
                for c in r["cell_grid"]
            ],
            [12, 40, *[8] * len(r["months"]), 12, 12, 14],
        )
        n = len(r["months"])
        _percent(ws, [3 + n, 5 + n])
        for row in ws.iter_rows(min_row=5, min_col=3, max_col=2 + n):
            for cell in row:
                if cell.value == "✗":
                    cell.fill = MISSED

    _sheet(
        wb,
        "Chưa được giám sát",
        "Chi bộ chưa có cấp ủy viên dự, giám sát trong kỳ",
        r,
        ["Mã", "Chi bộ"],
        [[c["code"], c["name"]] for c in r["supervision"]["not_visited"]],
        [12, 60],
    )
    return workbook_bytes(wb)


def report_filename(r: dict) -> str:
    return f"sinh-hoat-chi-bo-{r['organisation']['code']}-{r['from']:%Y%m%d}-{r['to']:%Y%m%d}.xlsx"
