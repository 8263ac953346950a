"""Lists and reports leaving Dangvu as files: XLSX (openpyxl's write-only mode, which keeps rows
on disk as they are added) or CSV (UTF-8 with its byte-order mark, which Excel needs to read
Vietnamese).

Every list and report of the API (that is not an official form) takes `format=json|xlsx|csv`
(`Tabular`). Its file is a projection of the JSON the same call answers: a `TableSpec` names
the columns by their key in each JSON item ("organisation.name"), so the file cannot say
something the API does not (docs/decisions/0026). The pages link to these files.

Both are written row by row into a temporary file that spills to disk, so a province's
150,000-member list costs the same memory as a cell's. In the workbook: the organisation and
the date in the title rows, Vietnamese headers in bold, the header row frozen, numbers as
numbers, dates as dates (dd/mm/yyyy), percentages formatted; a text that begins with "=" stays
text (never a formula: core.xlsx)."""

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from django.http import FileResponse
from django.utils import timezone
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

__all__ = [
    "Column",
    "TableSpec",
    "Tabular",
    "TableFormat",
    "SPECS",
    "write_table",
    "table_rows",
    "table_response",
    "tabular",
    "FORMATS",
    "CONTENT_TYPES",
    "SPOOL_BYTES",
]

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
SPOOL_BYTES = 8 * 1024 * 1024
CELL_MAX = 32_767  # characters Excel holds in a cell: a longer text is cut, marked with "…"  # kept in memory below this size, on disk above


@dataclass(frozen=True)
class Column:
    """A column of a list: its header and the kind of its values ("text", "int", "date",
    "percent": a share 0..1, or "number")."""

    header: str
    kind: str = "text"
    width: int = 18
    key: str = ""  # where the value is in each JSON item: "count", "organisation.name"


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
    formats = {
        "date": "DD/MM/YYYY",
        "datetime": "DD/MM/YYYY HH:MM",
        "percent": "0.00%",
        "number": "#,##0.00",
    }
    styled = [(i, formats[c.kind]) for i, c in enumerate(columns) if c.kind in formats]
    count = 0
    for row in rows:
        values = list(row)
        for i, value in enumerate(values):
            if isinstance(value, str) and len(value) > CELL_MAX:
                value = values[i] = value[: CELL_MAX - 1] + "…"  # Excel's limit per cell
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
                v.strftime("%d/%m/%Y %H:%M")
                if isinstance(v, datetime)
                else v.strftime("%d/%m/%Y")
                if isinstance(v, date)
                else ("" if v is None else v)
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


# --- lists and reports of the API as files -----------------------------------------------------

TableFormat = Literal["json", "xlsx", "csv"]


class Tabular(Schema):
    """The `format` of a list or report: JSON (one page), or the whole list as a file."""

    format: TableFormat = Field(
        "json",
        description="json (the default; lists in keyset pages), or xlsx / csv: the whole list "
        "(every page) as a file whose columns are fields of the JSON",
    )


@dataclass(frozen=True)
class TableSpec:
    """A list or report as a table: `items` is where its rows are in the JSON ("" when the
    answer is the list itself; "children" for a report's rows; or a function of the report's
    JSON giving its rows, for a report whose figures are in several lists), each column names
    its key in a row."""

    name: str  # the file's name: "<name>-<organisation>.xlsx"
    title: str
    columns: tuple[Column, ...]
    items: str | Callable[[dict], Iterable[dict]] = ""

    def __post_init__(self):
        if self.name in SPECS:  # two lists would download under one file name
            raise ValueError(f"a table named {self.name!r} is declared twice")
        SPECS[self.name] = self


SPECS: dict[str, TableSpec] = {}


def _get(item: Any, key: str) -> Any:
    value = item
    for part in key.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def _cell(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return "; ".join(str(v.get("name", v) if isinstance(v, dict) else v) for v in value)
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if kind == "datetime" and isinstance(value, str):
        moment = datetime.fromisoformat(value)  # Excel has no time zones: Vietnam's time
        return timezone.localtime(moment).replace(tzinfo=None) if moment.tzinfo else moment
    if isinstance(value, bool):
        return "có" if value else "không"
    return value


def table_rows(spec: TableSpec, data: Any) -> Iterable[list]:
    """The rows of the table: each JSON item's values at the columns' keys."""
    if callable(spec.items):
        items = spec.items(data)
    else:
        items = _get(data, spec.items) if spec.items else data
    for item in items or ():
        yield [_cell(_get(item, c.key), c.kind) for c in spec.columns]


def _json(schema, items: Iterable) -> Iterable[dict]:
    """Each item as the API's JSON has it (dates as ISO text, enums as codes)."""
    for item in items:
        if schema is not None:
            item = schema.model_validate(item, from_attributes=True)
        yield item.model_dump(mode="json") if hasattr(item, "model_dump") else item


def table_response(
    spec: TableSpec, fmt: str, data: Any, *, schema=None, org=None, period=None
) -> FileResponse:
    """The list or report as a file to download. `data` is what the JSON answer holds (a
    report's dict, or the items of a list: any iterable, read once); `schema` the item's
    response schema (a report's, if it has one), so that each row is exactly the JSON's;
    `org` and `period` (two dates) go into the title and the file's name."""
    if spec.items:  # a report: bounded in size, read as its JSON
        if schema is not None:
            data = schema.model_validate(data, from_attributes=True).model_dump(mode="json")
        rows = table_rows(spec, json.loads(json.dumps(data, cls=NinjaJSONEncoder)))
    else:
        rows = table_rows(spec, _json(schema, data))
    if period and period[0] == period[1]:
        when = f"Ngày {period[0]:%d/%m/%Y}"
    elif period:
        when = f"Từ {period[0]:%d/%m/%Y} đến {period[1]:%d/%m/%Y}"
    else:
        when = f"Ngày {timezone.localdate():%d/%m/%Y}"
    title = [spec.title, f"{org.name} ({org.code}) — {when}" if org else when]
    out, _count = write_table(fmt, title=title, columns=list(spec.columns), rows=rows)
    name = "-".join([spec.name, *([org.code] if org else [])])
    return FileResponse(
        out, as_attachment=True, filename=f"{name}.{fmt}", content_type=CONTENT_TYPES[fmt]
    )


def tabular(spec: TableSpec) -> dict:
    """The `openapi_extra` of an operation that answers `format=xlsx|csv` with a file."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "x-table": spec.name,
        "responses": {
            200: {
                "content": {
                    CONTENT_TYPES["xlsx"]: binary,
                    CONTENT_TYPES["csv"].split(";")[0]: binary,
                }
            }
        },
    }
