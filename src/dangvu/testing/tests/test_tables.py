"""Every list and report of the API downloads as XLSX and CSV, and each file says what the
JSON says: for every operation that declares a table (core.tables), over the matrix's world,
as the actor who holds every action over side A, the file's rows equal the JSON's rows (at the
table's column keys), its header is the table's, its title names the organisation, and nothing
of side B is in it. Then: every list and report of the API declares a table, or says why not."""

import csv
import io
from datetime import date, datetime

import pytest
from django.db import transaction
from openpyxl import load_workbook

from dangvu.core.tables import SPECS, table_rows
from dangvu.organisations.models import Organisation
from dangvu.testing.matrix import _api, _fill, build_world, discover_routes

pytestmark = pytest.mark.django_db

TITLE_ROWS = 2  # core.tables: the table's title, then the organisation and date (or period)

# GET operations answering a list or a report that have no file, each with the reason.
NOT_TABLES = {
    "/api/v1/me": "the caller's own account",
    "/api/v1/me/views": "one member's own list (who read their particulars), titled by no "
    "organisation: its files are the JSON's rows too, compared in audittrail/tests",
    "/api/v1/tokens": "the caller's own tokens",
    "/api/v1/reference": "the reference lists are the schema's enums, not a report",
    "/api/v1/imports": "the history of files brought in: each file is there to download",
    "/api/v1/articles": "the public portal's articles (its RSS feed is the export)",
    "/api/v1/reports/signed": "signed reports are PDF files already",
    "/api/v1/reports/signed/{report_id}": "the check of one signed report's file",
    "/api/v1/members": "its file is /api/v1/exports/members: chosen columns, and the "
    "sensitive ones with a reason that is logged (interchange.exports)",
}


def _due_case(world) -> None:
    """A case whose awareness certificate has run out (the deadlines' table needs one; the
    matrix's sample case has nothing due)."""
    from dangvu.admission.services import StepInput, candidate_create, candidate_step

    c = candidate_create(
        actor=None,
        organisation=world.sides["a"].rows[Organisation],
        data={
            "full_name": "Y Hạn Chứng Chỉ",
            "birth_date": date(1999, 3, 4),
            "gender": "M",
            "ethnicity": "30",
            "religion": "00",
            "education": "upper_secondary",
            "occupation": "farmer",
        },
        on=date(2019, 1, 2),
    )
    candidate_step(
        actor=None,
        candidate=c,
        step=StepInput("class_passed", date(2019, 3, 1), certificate_number="CN-BANG-1"),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        _due_case(world)
        yield world
        transaction.set_rollback(True)


def _table_routes():
    schema = _api().get_openapi_schema(path_prefix="/api/v1/")
    out = []
    for path, operations in schema["paths"].items():
        op = operations.get("get")
        if op and "x-table" in op:
            out.append((path, op["x-table"]))
    return out


def _query(route, world, org) -> dict:
    query = {"org": org.code}
    for name, required in route.query:
        if name == "org" or not required:
            continue
        value, _row = _fill(route, world, name)
        query[name] = value
    accepted = dict(route.query)
    if "limit" in accepted:
        query["limit"] = "500"
    if "from" in accepted:
        query["from"] = "2000-01-01"
    return {k: v for k, v in query.items() if k in accepted}


def _text(value) -> str:
    """A value as the comparison reads it: numbers as numbers whether the file holds them as
    numbers (XLSX) or as text (CSV), dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):.6g}"
    return str(value)


def _csv_rows(content: bytes) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def _xlsx_rows(content: bytes) -> tuple[list[str], list[str], list[list]]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    width = len(rows[TITLE_ROWS])  # read-only mode leaves out a row's empty cells at its end
    rows = [r + [None] * (width - len(r)) for r in rows]
    title = [r[0] for r in rows[:TITLE_ROWS]]
    return title, rows[TITLE_ROWS], rows[TITLE_ROWS + 1 :]


def _routes():
    by_path = {r.path: r for r in discover_routes() if r.kind == "api"}
    return [pytest.param(by_path[p], SPECS[name], id=p) for p, name in _table_routes()]


@pytest.mark.parametrize(("route", "spec"), _routes())
def test_the_files_of_a_list_say_what_its_json_says(world, route, spec):
    client = world.api["sensitive"]
    url = route.url({n: _fill(route, world, n)[0] for n in route.params})
    # The first of side A's organisations (province, committee, cell) whose table has rows.
    side = world.sides["a"]
    for province in (side.province, side.committee, side.rows[Organisation]):
        query = _query(route, world, province)
        answer = client.get(url, query)
        assert answer.status_code == 200, answer.content[:500]
        expected = [[_text(v) for v in row] for row in table_rows(spec, answer.json())]
        if expected:
            break
    assert expected, f"{route.path}: the world gives this table no row, so it proves nothing"
    if route.params:  # one row's list (an attendance, an enrolment): titled by its organisation
        row = next(r for n in route.params if (r := _fill(route, world, n)[1]) is not None)
        province = row.organisation
    headers = [c.header for c in spec.columns]
    outsider = world.sides["b"].province.code

    response = client.get(url, {**query, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    header, rows = _csv_rows(content)
    assert header == headers
    # A list's file is in the list's order (organisation, then name); its JSON pages by id.
    assert sorted([_text(v) for v in row] for row in rows) == sorted(expected)
    assert outsider not in content.decode("utf-8-sig")

    response = client.get(url, {**query, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'{spec.name}-{province.code}.xlsx"')
    title, header, rows = _xlsx_rows(b"".join(response.streaming_content))
    assert title[0] == spec.title
    assert province.name in title[1]
    assert header == headers
    kinds = [c.kind for c in spec.columns]
    read = [
        [
            _text(v.date() if k == "date" and isinstance(v, datetime) else v)
            for v, k in zip(row, kinds, strict=True)
        ]
        for row in rows
    ]
    assert sorted(read) == sorted(expected)
    for row in rows:
        assert outsider not in " ".join(_text(v) for v in row)


def test_the_table_test_reads_what_the_files_hold():
    """The comparison above fails when a value differs: a row of the JSON with one figure
    changed is not the file's row."""
    spec = next(s for s in SPECS.values() if not s.items)
    row = [_text(v) for v in next(table_rows(spec, [{c.key: 7 for c in spec.columns}]))]
    changed = [_text(v) for v in next(table_rows(spec, [{c.key: 8 for c in spec.columns}]))]
    assert row != changed


def test_every_list_and_report_of_the_api_downloads_as_a_file():
    schema = _api().get_openapi_schema(path_prefix="/api/v1/")
    missing = []
    for path, operations in schema["paths"].items():
        op = operations.get("get")
        if op is None or "x-table" in op or path in NOT_TABLES:
            continue
        ok = op["responses"].get(200) or op["responses"].get("200") or {}
        content = ok.get("content", {}).get("application/json", {})
        is_list = content.get("schema", {}).get("type") == "array"
        if is_list or path.startswith("/api/v1/reports/"):
            missing.append(path)
    assert not missing, (
        "lists and reports without a file (core.tables.tabular), or add the reason to "
        f"NOT_TABLES: {missing}"
    )
    assert set(NOT_TABLES) <= set(schema["paths"]), "a reason for a route that is gone"


def test_a_page_s_file_links_download_with_the_browser_s_session(world):
    """The pages link to the API's files; a signed-in browser may read through the API, never
    change anything there (a POST with the session cookie alone is 401)."""
    import re

    web = world.web["sensitive"]
    page = web.get("/admission/", {"org": world.sides["a"].province.code, "stage": ""})
    links = re.findall(r'href="([^"]+)" download data-format="(\w+)"', page.content.decode())
    assert [fmt for _url, fmt in links] == ["xlsx", "csv"]
    url = links[1][0].replace("&amp;", "&")
    assert url.startswith("/api/v1/candidates?") and "org=MX-A" in url
    response = web.get(url)
    assert response.status_code == 200
    assert "Y Ứng Viên An" in b"".join(response.streaming_content).decode("utf-8-sig")
    assert web.get("/api/v1/me").status_code == 200
    assert (
        web.post("/api/v1/tokens", {"name": "x"}, content_type="application/json").status_code
        == 401
    )
