"""Every official form as Excel and as PDF: both files carry the JSON report's figures (the PDF
read back with pypdf, the workbook with openpyxl), the PDF on A4 with its Vietnamese letters."""

import io
import re
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from dangvu.members.services import member_event_record
from dangvu.reports.exports import admissions_form, grassroots_form, membership_form, period_form
from dangvu.reports.pdf import figure_text
from dangvu.stats.selectors import (
    admissions_figures,
    grassroots_figures,
    membership_figures,
    period_figures,
    year_ago_figures,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(tree, make_member):
    people = [make_member(tree.cell1) for _ in range(3)]
    people.append(
        make_member(tree.cell2, gender="F", ethnicity="16", admission_date=date(2025, 1, 10))
    )
    member_event_record(actor=None, member=people[0], type="died", date=date(2025, 3, 1))
    return people


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _figures(form) -> list[str]:
    """Every figure of the form as the PDF prints it."""
    return [
        figure_text(v, c.number_format)
        for row in form.rows
        for v, c in zip(row.values, form.columns[2:], strict=False)
    ]


HALF = (date(2025, 1, 1), date(2025, 6, 30))


def _with_year_ago(org) -> dict:
    report = membership_figures(org, HALF[1])
    report["year_ago"] = year_ago_figures(org, HALF[1])
    return report


PERIOD = {"org": "KT-DG", "date_from": "2025-01-01", "date_to": "2025-06-30"}
AS_OF = {"org": "KT-DG", "as_of": "2025-06-30"}
FORMS = {
    "membership": (lambda o: membership_form(_with_year_ago(o)), "members.total"),
    "period": (lambda o: period_form(period_figures(o, *HALF)), "opening"),
    "admissions": (lambda o: admissions_form(admissions_figures(o, *HALF)), "admitted"),
    "grassroots": (lambda o: grassroots_form(grassroots_figures(o, HALF[1])), "total.committees"),
}


@pytest.mark.parametrize(
    "path, query, build",
    [
        ("/reports/membership/", AS_OF, "membership"),
        ("/reports/period/", PERIOD, "period"),
        ("/reports/admissions/", PERIOD, "admissions"),
        ("/reports/grassroots/", AS_OF, "grassroots"),
    ],
)
def test_each_form_downloads_as_pdf_and_excel_with_the_reports_figures(
    tree, users, members, path, query, build, api_client
):
    client = _client(users.staff_kt)
    make, first = FORMS[build]
    form = make(tree.district)
    page = client.get(path, query)
    assert page.status_code == 200 and 'id="download-pdf"' in page.content.decode()
    response = client.get(path, {**query, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    reader, text = _pdf_text(response.content)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    flat = re.sub(r"\s+", " ", text)
    assert form.title in flat
    assert form.letterhead.organisation in flat  # its Vietnamese letters intact
    for label in (row.label for row in form.rows):
        assert re.sub(r"\s+", " ", label) in flat, label
    # Every figure, in the order of the rows: the PDF carries the JSON report's figures.
    numbers = re.findall(r"(?<![\d/.,])\d[\d.]*(?:,\d+)?(?![\d/])", flat)
    expected = [f for f in _figures(form) if f]
    it = iter(numbers)
    assert all(any(n == f for n in it) for f in expected), (expected, numbers)
    # The workbook carries the same figures.
    xlsx = client.get(path, {**query, "format": "xlsx"})
    cells = [
        c.value
        for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()
        for c in row
        if isinstance(c.value, int | float)
    ]
    values = [v for row in form.rows for v in row.values if isinstance(v, int | float)]
    assert cells == values
    # ... which are the JSON report's (the API's answer).
    api = {
        "membership": (
            "/reports/membership",
            {"org": "KT-DG", "as_of": "2025-06-30", "compare": "true"},
        ),
        "period": ("/reports/period", {"org": "KT-DG", "from": "2025-01-01", "to": "2025-06-30"}),
        "admissions": (
            "/reports/admissions",
            {"org": "KT-DG", "from": "2025-01-01", "to": "2025-06-30"},
        ),
        "grassroots": ("/reports/grassroots", {"org": "KT-DG", "as_of": "2025-06-30"}),
    }[build]
    answer = api_client(users.staff_kt).get(*api).json()
    for key in first.split("."):
        answer = answer[key]
    assert values[0] == answer


def test_a_long_form_repeats_its_header_on_every_page(tree, users, members):
    response = _client(users.staff_kt).get(
        "/reports/membership/", {"org": "KT", "as_of": "2025-06-30", "format": "pdf"}
    )
    reader, _text = _pdf_text(response.content)
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "Chỉ tiêu" in page.extract_text()
    assert "Trang 2/" in reader.pages[1].extract_text()


def test_a_pdf_outside_the_scope_is_not_found(tree, users, members):
    response = _client(users.staff_qn).get(
        "/reports/membership/", {"org": "KT-DG", "format": "pdf"}
    )
    assert response.status_code in (200, 404)
    assert response["Content-Type"] != "application/pdf"


def test_figures_read_as_the_form_prints_them():
    assert figure_text(2914, "#,##0") == "2.914"
    assert figure_text(1234567, "#,##0") == "1.234.567"
    assert figure_text(12.5, "0.00") == "12,50"
    assert figure_text(1234.5, "0.00") == "1.234,50"
    assert figure_text(45.3, "#,##0") == "45,3"
    assert figure_text(None, "#,##0") == ""


def test_a_pdf_draws_every_vietnamese_letter_in_one_typeface(tree, users, members):
    # With a serif that lacks ơ, ư or the letters with two marks, pango draws those letters in
    # another font: "Đảng" in two typefaces. The form names a serif that has them all.
    response = _client(users.staff_kt).get(
        "/reports/membership/", {"org": "KT-DG", "as_of": "2025-06-30", "format": "pdf"}
    )
    reader, _text = _pdf_text(response.content)
    families = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            name = str(font.get_object()["/BaseFont"]).split("+")[-1]
            families.add(name.split("-")[0])
    assert len(families) == 1, families


def test_the_api_adds_the_year_before_only_when_asked(tree, users, members, api_client):
    api = api_client(users.staff_kt)
    plain = api.get("/reports/membership", {"org": "KT-DG", "as_of": "2025-06-30"}).json()
    assert "year_ago" not in plain
    compared = api.get(
        "/reports/membership", {"org": "KT-DG", "as_of": "2025-06-30", "compare": "true"}
    ).json()
    assert compared["year_ago"]["as_of"] == "2024-06-30"
