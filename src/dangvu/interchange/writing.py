"""Writing a list as a file: XLSX (openpyxl's write-only mode, which keeps rows on disk as they
are added) or CSV (UTF-8 with its byte-order mark, which Excel needs to read Vietnamese).

Both are written row by row into a temporary file that spills to disk, so a province's
150,000-member list costs the same memory as a cell's. In the workbook: the organisation and
the date in the title rows, Vietnamese headers in bold, the header row frozen, numbers as
numbers, dates as dates (dd/mm/yyyy), percentages formatted; a text that begins with "=" stays
text (never a formula: core.xlsx)."""

import csv
import io
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = ["Column", "write_table", "FORMATS", "CONTENT_TYPES", "SPOOL_BYTES"]

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
SPOOL_BYTES = 8 * 1024 * 1024  # kept in memory below this size, on disk above


@dataclass(frozen=True)
class Column:
    """A column of a list: its header and the kind of its values ("text", "int", "date",
    "percent": a share 0..1, or "number")."""

    header: str
    kind: str = "text"
    width: int = 18


def _xlsx(out, title: list[str], columns: list[Column], rows: Iterable[list]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="Danh sách")
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    bold = Font(bold=True)
    ws.freeze_panes = f"A{len(title) + 2}"
    for n, line in enumerate(title):
        cell = WriteOnlyCell(ws, value=line)
        cell.font = Font(bold=True, size=13 if n == 0 else 11)
        cell.data_type = "s"
        ws.append([cell])
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.header)
        cell.font = bold
        cell.data_type = "s"
        header.append(cell)
    ws.append(header)
    formats = {"date": "DD/MM/YYYY", "percent": "0.00%", "number": "#,##0.00"}
    styled = [(i, formats[c.kind]) for i, c in enumerate(columns) if c.kind in formats]
    count = 0
    for row in rows:
        values = list(row)
        for i, value in enumerate(values):
            if isinstance(value, str) and value[:1] == "=":
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                values[i] = cell
        for i, number_format in styled:
            value = values[i]
            if value is not None and not isinstance(value, Cell):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = number_format
                values[i] = cell
        ws.append(values)
        count += 1
    wb.save(out)
    return count


def _csv(out, title: list[str], columns: list[Column], rows: Iterable[list]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([c.header for c in columns])
    count = 0
    for row in rows:
        writer.writerow(
            [
                v.strftime("%d/%m/%Y") if isinstance(v, date) else ("" if v is None else v)
                for v in row
            ]
        )
        count += 1
    text.flush()
    text.detach()
    return count


def write_table(
    fmt: str, *, title: list[str], columns: list[Column], rows: Iterable[list]
) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """The list written as `fmt` into a temporary file (at its start) and the number of rows.
    The CSV has no title rows: the first line is the header, as programs that read it expect."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    count = (_xlsx if fmt == "xlsx" else _csv)(out, title, columns, rows)
    out.seek(0)
    return out, count
