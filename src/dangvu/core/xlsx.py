"""Writing Excel files (openpyxl) safely: every cell that holds text is written as text.

openpyxl stores a string beginning with "=" as a formula, so an organisation or a person
named "=HYPERLINK(...)" would become a live formula in the committee's spreadsheet (CSV/formula
injection). Every export saves through `workbook_bytes`."""

import io

from openpyxl import Workbook

__all__ = ["workbook_bytes"]


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file, every text cell typed as text (never a formula)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type != "s":
                    cell.data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
