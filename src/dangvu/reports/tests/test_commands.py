"""Management commands: `report` (JSON and XLSX), `user create`, `token create`."""

import io
import json
import sys
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from openpyxl import load_workbook

from dangvu.accounts.models import ApiToken, RoleGrant
from dangvu.audit.models import AuditRecord
from dangvu.members.services import member_event_record
from dangvu.testing.factories import ApiClient, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(tree, make_member):
    """The committee: two men and a Xơ-đăng woman (probationary); one member who died."""
    people = [
        make_member(tree.cell1),
        make_member(
            tree.cell1,
            gender="F",
            ethnicity="16",
            probationary=True,
            admission_date=date(2025, 1, 10),
        ),
        make_member(tree.cell2),
        make_member(tree.cell2),
    ]
    member_event_record(actor=None, member=people[3], type="died", date=date(2025, 3, 1))
    return people


def _report(capsys, *args) -> dict:
    call_command("report", *args)
    return json.loads(capsys.readouterr().out)


def test_report_membership_json(tree, members, capsys):
    report = _report(capsys, "membership", "--org", "KT-DG-DP", "--format", "json")
    assert report["organisation"]["code"] == "KT-DG-DP"
    assert report["as_of"] == timezone.localdate().isoformat()
    assert report["members"] == {"total": 3, "official": 2, "probationary": 1}
    assert report["women"] == {"count": 1, "percent": 33.33}
    assert report["organisations"]["grassroots"] == 1


@pytest.mark.parametrize("as_of", ["2025-02-01", "01/02/2025"])
def test_report_membership_as_of_a_past_date(tree, members, capsys, as_of):
    report = _report(capsys, "membership", "--org", "KT-DG-DP", "--as-of", as_of)
    assert report["as_of"] == "2025-02-01"
    assert report["members"] == {"total": 4, "official": 3, "probationary": 1}


def test_report_period_json(tree, members, capsys):
    report = _report(
        capsys, "period", "--org", "KT-DG-DP", "--from", "2025-01-01", "--to", "2025-06-30"
    )
    assert (
        report["opening"],
        report["increase_total"],
        report["decrease_total"],
        report["closing"],
    ) == (3, 1, 1, 3)


def test_report_to_a_json_file(tree, members, tmp_path):
    target = tmp_path / "report.json"
    out = StringIO()
    call_command("report", "membership", "--org", "KT-DG-DP", "--output", str(target), stdout=out)
    assert out.getvalue() == f"written {target}\n"
    assert json.loads(target.read_text(encoding="utf-8"))["members"]["total"] == 3


def test_report_membership_xlsx_is_a_workbook_with_the_figures(tree, members, tmp_path):
    target = tmp_path / "3-btctw.xlsx"
    args = ["membership", "--org", "KT-DG-DP", "--format", "xlsx", "--output", str(target)]
    with translation.override("vi"):
        call_command("report", *args, stdout=StringIO())
    ws = load_workbook(target).active
    assert ws.title == "3-BTCTW"
    assert (ws["A2"].value, ws["C1"].value) == ("ĐẢNG ỦY XÃ ĐĂK PÉK", "Biểu số 3-BTCTW")
    assert ws["A6"].value == f"Tính đến ngày {timezone.localdate():%d/%m/%Y}"
    # Rows 11-17: total, official, probationary, women, ethnic minority, religious, exempted.
    figures = [(ws.cell(row, 3).value, ws.cell(row, 4).value) for row in range(11, 18)]
    assert figures == [(3, 100), (2, 66.67), (1, 33.33), (1, 33.33), (1, 33.33), (0, 0), (0, 0)]
    values = [[c.value for c in row][1:4] for row in ws.iter_rows()]
    assert ["Kinh", 2, 66.67] in values
    assert ["Xơ-đăng", 1, 33.33] in values
    # Columns 3 and 4: the same date a year before, and this year in per cent of it.
    assert ws.cell(9, 5).value == "Cùng ngày năm trước"
    year_before = [(ws.cell(row, 5).value, ws.cell(row, 6).value) for row in (11, 12)]
    assert year_before[0][0] is not None and year_before[0][0] >= 0


def test_report_period_xlsx(tree, members, tmp_path):
    target = tmp_path / "1-btctw.xlsx"
    call_command(
        "report",
        "period",
        "--org",
        "KT-DG-DP",
        "--from",
        "2025-01-01",
        "--to",
        "2025-06-30",
        "--format",
        "xlsx",
        "--output",
        str(target),
        stdout=StringIO(),
    )
    ws = load_workbook(target).active
    assert ws.title == "1-BTCTW"
    numbers = [ws.cell(row, 3).value for row in range(10, 27)]
    # opening, increases (+4 rows, and transfers from another province), decreases (+6 rows,
    # transfers to another province and struck-off probationary), closing
    assert numbers == [3, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["membership", "--org", "NOPE"], "--org: no organisation with code NOPE"),
        (["membership", "--org", "KT", "--as-of", "yesterday"], "--as-of: not a date"),
        (["membership", "--org", "KT", "--format", "xlsx"], "--output FILE is needed for xlsx"),
        (["period", "--org", "KT", "--from", "2025-02-01", "--to", "2025-01-01"], "from: "),
    ],
)
def test_report_errors(tree, args, message):
    with pytest.raises(CommandError) as exc:
        call_command("report", *args, stdout=StringIO())
    assert str(exc.value).startswith(message)


def test_report_as_a_user_stays_in_their_scope_and_without_it_is_audited_as_the_system(
    tree, members, capsys
):
    from dangvu.audit.models import AuditRecord

    make_user("sec", role="secretary", org=tree.cell1)
    call_command("report", "membership", "--org", "KT-DG-DP-01", "--as", "sec")
    assert json.loads(capsys.readouterr().out)["organisation"]["code"] == "KT-DG-DP-01"
    with pytest.raises(CommandError, match="--org: no organisation with code KT-DG-DP-02"):
        call_command("report", "membership", "--org", "KT-DG-DP-02", "--as", "sec")
    with pytest.raises(CommandError, match="--as: no active user"):
        call_command("report", "membership", "--org", "KT", "--as", "nobody-here")
    call_command("report", "membership", "--org", "KT-DG-DP-02")
    served = AuditRecord.objects.filter(action__startswith="report.membership").order_by("id")
    assert [(r.actor_name, r.object_repr, r.after["via"]) for r in served] == [
        ("sec", tree.cell1.name, "cli"),
        ("system", tree.cell2.name, "cli"),
    ]


def test_report_as_of_in_the_future_is_an_error_naming_as_of(tree):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    with pytest.raises(CommandError) as exc:
        call_command("report", "membership", "--org", "KT", "--as-of", tomorrow)
    assert str(exc.value).startswith("as_of: ")


# --- users and tokens --------------------------------------------------------------------------


def test_user_create_with_a_password_from_stdin(tree, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Mật-khẩu-2025\n"))
    out = StringIO()
    call_command(
        "user",
        "create",
        "bt_dakung",
        "--role",
        "secretary",
        "--org",
        "KT-DG-DP-01",
        "--name",
        "Y Blông",
        stdout=out,
    )
    user = get_user_model().objects.get(username="bt_dakung")
    assert user.check_password("Mật-khẩu-2025")
    assert user.first_name == "Y Blông"
    assert list(
        RoleGrant.objects.filter(user=user).values_list(
            "role", "organisation_id", "include_descendants"
        )
    ) == [("secretary", tree.cell1.pk, True)]
    assert out.getvalue() == "created bt_dakung (secretary at KT-DG-DP-01 Chi bộ thôn Đăk Ung)\n"
    assert sorted(
        AuditRecord.objects.filter(object_type="user", object_id=str(user.pk)).values_list(
            "action", flat=True
        )
    ) == ["grant.create", "user.create"]


def test_user_create_generates_and_prints_a_password(tree, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    out = StringIO()
    call_command("user", "create", "staff", "--role", "org_staff", "--org", "KT", stdout=out)
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("password: ")
    assert get_user_model().objects.get(username="staff").check_password(last[len("password: ") :])


def test_user_create_refuses_an_existing_name_and_writes_nothing(tree, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    call_command("user", "create", "staff", "--role", "org_staff", "--org", "KT", stdout=StringIO())
    counts = (
        get_user_model().objects.count(),
        RoleGrant.objects.count(),
        AuditRecord.objects.count(),
    )
    with pytest.raises(CommandError) as exc:
        call_command(
            "user",
            "create",
            "staff",
            "--role",
            "secretary",
            "--org",
            "KT-DG-DP-01",
            stdout=StringIO(),
        )
    assert str(exc.value).startswith("username: ")
    with pytest.raises(CommandError) as exc:
        call_command(
            "user", "create", "other", "--role", "secretary", "--org", "NOPE", stdout=StringIO()
        )
    assert str(exc.value) == "--org: no organisation with code NOPE"
    assert (
        get_user_model().objects.count(),
        RoleGrant.objects.count(),
        AuditRecord.objects.count(),
    ) == counts


def test_token_create_prints_the_token_alone_on_the_last_line_and_it_authenticates(users):
    out = StringIO()
    call_command("token", "create", "sec1", stdout=out)
    token = out.getvalue().splitlines()[-1]
    assert token.startswith("dv_") and " " not in token
    stored = ApiToken.objects.get(user=users.sec1)
    assert stored.key_hash == ApiToken.hash_key(token)
    assert stored.prefix == token[:10]
    response = ApiClient(token).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "sec1"


def test_token_create_for_an_unknown_user(db):
    with pytest.raises(CommandError) as exc:
        call_command("token", "create", "ghost", stdout=StringIO())
    assert str(exc.value) == "no user ghost"
    assert ApiToken.objects.count() == 0
