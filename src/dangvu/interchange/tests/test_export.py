"""Member lists leaving as files: the XLSX and CSV hold what the API's JSON lists; sensitive
columns only with the right and a reason, which the log keeps."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError
from dangvu.interchange.exports import members_export
from dangvu.testing.factories import make_member, make_user

pytestmark = pytest.mark.django_db

COLUMNS = ["ordinal", "full_name", "party_card_number", "admission_date", "status", "organisation"]


@pytest.fixture
def members(tree):
    made = [make_member(tree.cell1, full_name=f"Đảng Viên {i}") for i in range(3)]
    made.append(make_member(tree.cell2, full_name="Y Hiền", probationary=True))
    return made


def _api_names(api_client, user, org) -> list[tuple[str, str]]:
    r = api_client(user).get("/members", {"org": org.code, "limit": 500})
    assert r.status_code == 200
    return sorted((m["full_name"], m["party_card_number"] or "") for m in r.json())


def _xlsx_rows(out) -> list[list]:
    ws = load_workbook(out).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0].startswith("Danh sách đảng viên") and rows[1][0].startswith("Tính đến")
    assert ws.freeze_panes == "A4"
    return rows[2:]


def test_xlsx_and_csv_hold_the_members_the_api_lists(tree, users, members, api_client):
    expected = _api_names(api_client, users.staff_kt, tree.committee)
    out, count, name = members_export(
        actor=users.staff_kt, org=tree.committee, fmt="xlsx", columns=COLUMNS
    )
    header, *rows = _xlsx_rows(out)
    assert header == [
        "STT",
        "Họ và tên",
        "Số thẻ đảng viên",
        "Ngày kết nạp",
        "Trạng thái",
        "Chi bộ",
    ]
    assert count == len(rows) == len(expected)
    assert sorted((r[1], r[2] or "") for r in rows) == expected
    assert [r[0] for r in rows] == list(range(1, count + 1))  # numbers as numbers
    assert all(r[3] is not None and hasattr(r[3], "year") for r in rows)  # dates as dates
    assert name.endswith(".xlsx") and tree.committee.code.lower() in name

    out, count, _name = members_export(
        actor=users.staff_kt, org=tree.committee, fmt="csv", columns=COLUMNS
    )
    text = out.read().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[1] == "Họ và tên"
    assert sorted((r[1], r[2]) for r in rows) == expected
    assert {r[4] for r in rows} == {"Chính thức", "Dự bị"}


def test_sensitive_columns_need_the_right_and_a_reason_which_is_logged(tree, users, members):
    with pytest.raises(ValidationError, match="lý do"):
        members_export(
            actor=users.staff_kt, org=tree.cell1, fmt="csv", columns=["full_name", "ethnicity"]
        )
    committee_member = make_user("uv", role="committee_member", org=tree.committee)
    with pytest.raises(ValidationError, match="không được xuất"):
        members_export(
            actor=committee_member,
            org=tree.cell1,
            fmt="csv",
            columns=["full_name", "ethnicity"],
            reason="Thống kê dân tộc cho báo cáo quý",
        )
    before = AuditRecord.objects.filter(action="member.sensitive_export").count()
    out, count, _ = members_export(
        actor=users.staff_kt,
        org=tree.cell1,
        fmt="csv",
        columns=["full_name", "ethnicity"],
        reason="Thống kê dân tộc cho báo cáo quý",
    )
    record = AuditRecord.objects.filter(action="member.sensitive_export").latest("pk")
    assert AuditRecord.objects.filter(action="member.sensitive_export").count() == before + 1
    assert record.after["reason"] == "Thống kê dân tộc cho báo cáo quý"
    assert record.after["fields"] == ["ethnicity"] and record.after["rows"] == count == 3


def test_a_formula_in_a_name_stays_text(tree, users):
    make_member(tree.cell1, full_name='=HYPERLINK("http://x")')
    out, _count, _ = members_export(
        actor=users.staff_kt, org=tree.cell1, fmt="xlsx", columns=["full_name"]
    )
    ws = load_workbook(out).worksheets[0]
    cell = ws.cell(row=4, column=1)
    assert cell.data_type == "s"


def test_the_cli_exports_and_refuses_an_unknown_column(tree, members, tmp_path):
    path = tmp_path / "ds.xlsx"
    call_command("export", "members", "--org", tree.cell1.code, "--output", str(path))
    assert len(_xlsx_rows(path)) == 1 + 3
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="tuoi"):
        call_command(
            "export",
            "members",
            "--org",
            tree.cell1.code,
            "--columns",
            "full_name,tuoi",
            "--output",
            str(path),
        )


def test_an_export_round_trips_through_the_import_unchanged(tree, users, members, tmp_path):
    """Every record column exported, then imported back: every row is already on the records."""
    from dangvu.interchange.exports import MEMBER_COLUMNS
    from dangvu.interchange.services import import_create, import_run

    columns = [c for c in MEMBER_COLUMNS if c not in ("ordinal", "status", "organisation")]
    out, count, _ = members_export(
        actor=users.staff_kt,
        org=tree.committee,
        fmt="xlsx",
        columns=columns,
        reason="Chuyển dữ liệu sang phần mềm mới",
    )
    job = import_create(
        actor=users.staff_kt, organisation=tree.committee, data=out.read(), file_name="ds.xlsx"
    )
    job = import_run(job.pk)
    assert (job.unchanged_count, job.new_count, job.rejected_count) == (count, 0, 0), job.problems
