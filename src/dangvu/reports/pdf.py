"""An official form (reports.official.OfficialForm) as a PDF on A4 paper, with WeasyPrint.

The page carries the same parts as the Excel sheet, in the same order: the letterhead, the title
and its date or period line, the table (its header repeated on every page, no row split across
two), the date line and the signature blocks (kept together), and "Trang 1/2" at the foot.
The typeface is Times-like (Liberation Serif), as party papers are, or DejaVu Serif: the first
of them that fontconfig lists with every Vietnamese letter (`font_family`). Debian 12's
fonts-liberation (1.07) has no ơ, ư nor any letter with two marks: with it first, "Đảng" would
mix two typefaces. `make install` brings fonts-liberation2, which has them all.
"""

import functools
import subprocess

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from dangvu.reports.official import COUNT_FORMAT, PERCENT_FORMAT, OfficialForm

__all__ = ["form_pdf", "figure_text", "table_rows", "font_family"]

SERIFS = ("Liberation Serif", "DejaVu Serif")


@functools.cache
def font_family() -> str:
    """The forms' CSS font-family: the serifs that fontconfig lists with every Vietnamese
    letter (`fc-list :lang=vi`) first, then the others, then `serif`. Asked once a process."""
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=vi", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    covering = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    ordered = sorted(SERIFS, key=lambda family: family not in covering)
    return ", ".join(f'"{family}"' for family in ordered) + ", serif"


def figure_text(value, number_format: str | None) -> str:
    """A figure as the form prints it: 2.914 (thousands with "."), 12,50 (percent, two
    decimals with ","), 45,3 (an average in a count column)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if number_format == PERCENT_FORMAT:
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if isinstance(value, float) and (number_format != COUNT_FORMAT or not value.is_integer()):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def _header(form: OfficialForm) -> tuple[list[dict], list[str]]:
    """The table's header as rows of cells: the first row (a group heading spans its columns;
    a column without a group spans both rows), the second (the grouped columns' own titles)."""
    first, second = [], []
    grouped = any(c.group for c in form.columns)
    i = 0
    while i < len(form.columns):
        column = form.columns[i]
        if column.group:
            j = i
            while j + 1 < len(form.columns) and form.columns[j + 1].group == column.group:
                j += 1
            first.append({"title": column.group, "colspan": j - i + 1, "rowspan": 1})
            second += [c.title for c in form.columns[i : j + 1]]
            i = j + 1
            continue
        first.append({"title": column.title, "colspan": 1, "rowspan": 2 if grouped else 1})
        i += 1
    return first, second


def table_rows(form: OfficialForm) -> list[dict]:
    """The form's rows with their figures as printed (the PDF's and the page's table)."""
    return [
        {
            "number": row.number,
            "label": row.label,
            "values": [
                figure_text(v, c.number_format)
                for v, c in zip(row.values, form.columns[2:], strict=False)
            ]
            + [""] * (len(form.columns) - 2 - len(row.values)),
            "section": row.section,
            "indent": row.indent,
        }
        for row in form.rows
    ]


def form_pdf(form: OfficialForm) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, a second on first use

    first, second = _header(form)
    total = sum(c.width for c in form.columns)
    rows = table_rows(form)
    html = render_to_string(
        "reports/official_form.html",
        {
            "form": form,
            "header": first,
            "subheader": second,
            # As text: the template would write a decimal comma in Vietnamese.
            "widths": [f"{100 * c.width / total:.1f}" for c in form.columns],
            "codes": [c.code for c in form.columns],
            "rows": rows,
            "date_line": form.letterhead.date_line(form.day),
            "page_label": _("Page"),
            "font_family": font_family(),
        },
    )
    return HTML(string=html).write_pdf()
