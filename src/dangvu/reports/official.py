"""The layout of the official statistical forms (x-BTCTW) in Excel, shared by every form.

A form's sheet is, top to bottom: the letterhead (superior organisation and the reporting
organisation on the left, "Biểu số …" and "ĐẢNG CỘNG SẢN VIỆT NAM" on the right), a centred
bold title with its date or period line, a bordered table whose header cells are merged where a
heading covers several columns (with the column-number row the paper forms carry), the date
line "…, ngày dd tháng mm năm yyyy" on the right and the signature blocks ("NGƯỜI LẬP BIỂU" on
the left, the organisation's head on the right). `OfficialSheet` writes those parts in order;
the print setup (A4 portrait, fit to width, repeated header rows, margins) is applied at the end.

A form is described once (`OfficialForm`: number, letterhead, columns, title, rows, date line)
by reports.exports and rendered by `form_xlsx` here or `reports.pdf.form_pdf` (the same parts,
on an A4 page): the two files carry the same figures by construction.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from dangvu.core.xlsx import workbook_bytes
from dangvu.organisations.letterhead import Letterhead

__all__ = [
    "Column",
    "TableRow",
    "OfficialForm",
    "OfficialSheet",
    "form_xlsx",
    "roman",
    "PERCENT_FORMAT",
    "COUNT_FORMAT",
]

FONT_NAME = "Times New Roman"  # the typeface of party papers
PERCENT_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV", 12 -> "XII" (section numbers of the forms)."""
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += letters
            n -= value
    return out


def _font(*, bold=False, italic=False, size=12, underline=None) -> Font:
    return Font(name=FONT_NAME, bold=bold, italic=italic, size=size, underline=underline)


@dataclass(frozen=True)
class Column:
    """A table column: its heading, width (characters), the number format of its figures, and
    `group`, a heading shared with the next columns of the same group (merged above them)."""

    title: str
    width: float
    number_format: str | None = None
    group: str | None = None
    code: str = ""  # the column-number row: "A", "B", "1", "2"…


@dataclass(frozen=True)
class TableRow:
    """A row of the table: its number ("I", "1", ""), label, figures, and whether it opens a
    section (bold) or sits under a row (indented)."""

    number: str
    label: str
    values: tuple = ()
    section: bool = False
    indent: int = 0


@dataclass(frozen=True)
class OfficialForm:
    """One official form, whatever the file: its number ("3-BTCTW"), the reporting
    organisation's letterhead, the table's columns and rows, the title and its date or period
    line, and the day of the date line above the signatures (today when None)."""

    number: str
    letterhead: Letterhead
    columns: list[Column]
    title: str
    subtitle: str
    rows: list[TableRow]
    day: date | None = None


def form_xlsx(form: OfficialForm) -> bytes:
    """The form as an Excel workbook in the layout of the paper form."""
    wb = Workbook()
    sheet = OfficialSheet(wb.active, form.letterhead, form.number, form.columns)
    sheet.letterhead_block()
    sheet.title(form.title, form.subtitle)
    sheet.table(form.rows)
    sheet.signatures(form.day)
    sheet.print_setup()
    return workbook_bytes(wb)


@dataclass
class OfficialSheet:
    ws: Worksheet
    letterhead: Letterhead
    form_number: str  # "3-BTCTW"
    columns: list[Column]
    row: int = 1
    header_rows: tuple[int, int] = field(default=(0, 0))

    def __post_init__(self):
        self.ws.title = self.form_number
        self.ws.sheet_view.showGridLines = False
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width

    # --- geometry: the number and label columns on the left, the figures on the right --------

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def left(self) -> tuple[int, int]:
        return 1, min(2, self.width - 1)

    @property
    def right(self) -> tuple[int, int]:
        return self.left[1] + 1, self.width

    def _put(self, row, span, value, font, alignment=CENTRE):
        first, last = span
        cell = self.ws.cell(row, first, value)
        cell.font = font
        cell.alignment = alignment
        if last > first:
            self.ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        return cell

    # --- the parts, top to bottom ---------------------------------------------------------------

    def letterhead_block(self) -> None:
        """Superior and organisation (left); form number and the Party's name (right)."""
        r = self.row
        head = self.letterhead
        self._put(r, self.left, head.superior, _font())
        self._put(
            r,
            self.right,
            _("Form %(number)s") % {"number": self.form_number},
            _font(bold=True, italic=True),
            Alignment(horizontal="right", vertical="center"),
        )
        self._put(r + 1, self.left, head.organisation, _font(bold=True))
        self._put(
            r + 1, self.right, _("COMMUNIST PARTY OF VIETNAM"), _font(bold=True, underline="single")
        )
        self._put(r + 2, self.left, "*", _font(bold=True))
        self.ws.row_dimensions[r + 1].height = 32
        self.row = r + 4

    def title(self, text: str, subtitle: str) -> None:
        whole = (1, self.width)
        self._put(self.row, whole, text, _font(bold=True, size=14))
        self._put(self.row + 1, whole, subtitle, _font(italic=True))
        self.row += 3

    def table(self, rows: list[TableRow]) -> None:
        """The header (two rows where a group heading covers several columns), the
        column-number row, then the rows, every cell bordered."""
        ws = self.ws
        top = self.row
        grouped = any(c.group for c in self.columns)
        last_header = top + (1 if grouped else 0)
        index = 0
        while index < self.width:
            column = self.columns[index]
            col = index + 1
            if column.group:
                end = index
                while end + 1 < self.width and self.columns[end + 1].group == column.group:
                    end += 1
                self._put(top, (col, end + 1), column.group, _font(bold=True))
                for sub in range(index, end + 1):
                    self._put(
                        last_header, (sub + 1, sub + 1), self.columns[sub].title, _font(bold=True)
                    )
                index = end + 1
                continue
            ws.cell(top, col, column.title)
            ws.cell(top, col).font = _font(bold=True)
            ws.cell(top, col).alignment = CENTRE
            if last_header > top:
                ws.merge_cells(start_row=top, start_column=col, end_row=last_header, end_column=col)
            index += 1
        codes = last_header + 1
        for col, column in enumerate(self.columns, start=1):
            cell = ws.cell(codes, col, column.code)
            cell.font = _font(italic=True, size=10)
            cell.alignment = CENTRE
        self.header_rows = (top, codes)
        r = codes + 1
        for item in rows:
            cells = [item.number, item.label, *item.values]
            for col, value in enumerate(cells, start=1):
                cell = ws.cell(r, col, value)
                cell.font = _font(bold=item.section)
                if col == 1:
                    cell.alignment = Alignment(horizontal="center", vertical="center")
                elif col == 2:
                    cell.alignment = Alignment(
                        vertical="center", wrap_text=True, indent=item.indent
                    )
                else:
                    cell.alignment = Alignment(horizontal="right", vertical="center")
                    number_format = self.columns[col - 1].number_format
                    if number_format == COUNT_FORMAT and isinstance(value, float):
                        number_format = "#,##0.0"  # an average (the average age) in a count column
                    if number_format and isinstance(value, int | float):
                        cell.number_format = number_format
            r += 1
        for row in ws.iter_rows(min_row=top, max_row=r - 1, max_col=self.width):
            for cell in row:
                cell.border = BORDER
        self.row = r + 1

    def signatures(self, day: date | None = None) -> None:
        """The date line (right), then "NGƯỜI LẬP BIỂU" (left) and the head (right), each with
        its "(Ký, ghi rõ họ tên)" line and room to sign."""
        r = self.row
        head = self.letterhead
        self._put(
            r,
            (2, self.width),
            head.date_line(day),
            _font(italic=True),
            Alignment(horizontal="right", vertical="center"),
        )
        self._put(r + 1, self.left, _("PREPARED BY"), _font(bold=True))
        self._put(r + 1, self.right, head.signer, _font(bold=True))
        note = _("(Signature and full name)")
        self._put(r + 2, self.left, note, _font(italic=True))
        self._put(r + 2, self.right, note, _font(italic=True))
        self.row = r + 8  # five blank rows to sign in

    def print_setup(self) -> None:
        """A4 portrait, one page wide, the table's header repeated on every page."""
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.7, right=0.5, top=0.6, bottom=0.6, header=0.3)
        top, bottom = self.header_rows
        if top:
            ws.print_title_rows = f"{top}:{bottom}"
        ws.print_area = f"A1:{get_column_letter(self.width)}{self.row - 1}"
