"""Importing member records: the file of ten rows with three bad ones, all or nothing, the
valid rows only, idempotent re-import; encodings, Excel files, header names; the API."""

import csv
import io
import unicodedata
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from dangvu.accounts.scoping import SYSTEM
from dangvu.core.errors import ValidationError
from dangvu.interchange.models import ImportState, MemberImport
from dangvu.interchange.reading import detect_encoding, read_table
from dangvu.interchange.services import import_create, import_run
from dangvu.members.models import Member, MembershipEvent
from dangvu.testing.factories import counters, db_snapshot

pytestmark = pytest.mark.django_db

HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Tôn giáo",
    "Quê quán",
    "Số thẻ đảng",
    "Trình độ GDPT",
    "Nghề nghiệp",
    "Ngày vào Đảng",
    "Ngày chính thức",
]


def ten_rows() -> list[list[str]]:
    """Ten members of a cell; row 4 (file line) born in the future, row 6 of an unknown ethnic
    group, row 9 with the card number of row 3."""
    rows = [
        [
            f"Nguyễn Văn {chr(65 + i)}",
            f"0{1 + i % 9}/03/198{i % 9}",
            "Nam",
            "Xơ Đăng" if i % 2 else "Kinh",
            "Không",
            "Xã Đăk Pék",
            f"{20000000 + i}",
            "12/12",
            "Nông, lâm, ngư nghiệp",
            "01/06/2020",
            "01/06/2021",
        ]
        for i in range(10)
    ]
    rows[2][1] = "01/01/2090"
    rows[4][3] = "Sao Hỏa"
    rows[7][6] = rows[1][6]
    return rows


TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: letters with a circumflex, breve or horn precomposed,
    the tone mark after them as a combining character."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def as_csv(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    if encoding == "cp1258":
        return to_1258(out.getvalue())
    return out.getvalue().encode(encoding)


def test_ten_rows_three_bad_dry_run_refused_partial_then_idempotent(tree, tmp_path, capsys):
    path = tmp_path / "chi-bo.csv"
    path.write_bytes(as_csv(ten_rows()))
    before = db_snapshot()

    with pytest.raises(CommandError, match="3"):
        call_command("import", "members", str(path), "--org", tree.cell1.code, "--dry-run")
    out = capsys.readouterr().out
    # Exactly the three bad rows, by their line in the file, with the reason.
    assert "Dòng 4, cột Ngày sinh (01/01/2090): Ngày không được sau ngày hôm nay." in out
    assert "Dòng 6, cột Dân tộc (Sao Hỏa)" in out
    assert "Dòng 9, cột Số thẻ đảng (20000001)" in out and "dòng 3" in out
    assert sorted(
        int(line.split(",")[0].split()[1]) for line in out.splitlines() if line.startswith("Dòng ")
    ) == [4, 6, 9]
    assert db_snapshot()["members"] == before["members"]

    with pytest.raises(CommandError, match="chưa ghi gì"):
        call_command("import", "members", str(path), "--org", tree.cell1.code)
    assert db_snapshot()["members"] == before["members"]
    assert db_snapshot()["events"] == before["events"]

    rejected = tmp_path / "loi.csv"
    call_command(
        "import",
        "members",
        str(path),
        "--org",
        tree.cell1.code,
        "--partial",
        "--rejected",
        str(rejected),
    )
    assert (
        Member.objects.filter(organisation=tree.cell1, full_name__startswith="Nguyễn Văn").count()
        == 7
    )
    lines = list(csv.reader(io.StringIO(rejected.read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in lines[1:]] == ["4", "6", "9"]
    assert lines[0][1:12] == HEADER  # the file's own columns, ready to correct and import
    # Admission and official dates became events: admitted then recognised.
    m = Member.objects.get(party_card_number="20000000")
    assert list(
        MembershipEvent.objects.filter(member=m).order_by("seq").values_list("type", flat=True)
    ) == ["admitted", "recognised"]
    call_command("check")

    after = db_snapshot()
    figures = counters(tree.cell1)
    call_command("import", "members", str(path), "--org", tree.cell1.code, "--partial")
    again = db_snapshot()
    assert again["members"] == after["members"] and again["events"] == after["events"]
    assert again["periods"] == after["periods"]
    assert counters(tree.cell1) == figures
    assert MemberImport.objects.order_by("-pk").first().unchanged_count == 7


def test_a_refused_import_and_a_failed_write_leave_everything_as_it_was(tree):
    data = as_csv(ten_rows())
    before = db_snapshot()
    job = import_create(
        actor=SYSTEM, organisation=tree.cell1, data=data, file_name="a.csv", write=True
    )
    job = import_run(job.pk)
    assert job.state == ImportState.REFUSED and job.rejected_count == 3
    after = db_snapshot()
    assert after["members"] == before["members"] and after["events"] == before["events"]
    assert after["periods"] == before["periods"]


def test_excel_file_with_excel_dates_numbers_and_a_title_row(tree):
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ"])
    ws.append(
        [
            "STT",
            "HO VA TEN",
            "ngay_sinh",
            "Gioi tinh",
            "DAN TOC",
            "Số CCCD",
            "Trình độ văn hóa",
            "Nghề nghiệp",
            "Ngày kết nạp",
            "Chi bộ",
        ]
    )
    ws.append(
        [
            1,
            "Y Hiền",
            datetime(1995, 4, 12),
            "Nữ",
            "Xơ Đăng",
            62095001234,
            "12/12",
            "Nông, lâm, ngư nghiệp",
            datetime(2023, 5, 19),
            tree.cell2.name,
        ]
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    job = import_create(
        actor=SYSTEM,
        organisation=tree.committee,
        data=buffer.getvalue(),
        file_name="ds.xlsx",
        write=True,
    )
    job = import_run(job.pk)
    assert job.state == ImportState.DONE, job.problems
    m = Member.objects.get(full_name="Y Hiền")
    # Excel dropped the identity number's leading zero; the import gives it back.
    assert m.identity_number == "062095001234"
    assert m.birth_date == date(1995, 4, 12) and m.organisation == tree.cell2
    assert job.ignored == ["STT"]


def test_a_windows_1258_file_is_read_as_vietnamese(tree):
    text = "Xã Đăk Pék, Nguyễn Thị Hồng"
    assert detect_encoding(to_1258(text)) == "cp1258"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding("Café, naïve".encode("cp1252")) == "cp1252"
    table = read_table(as_csv(ten_rows()[:1], encoding="cp1258"), "a.csv")
    assert table.headers[0] == "Họ và tên"
    assert next(table.rows)[1][0] == "Nguyễn Văn A"


def test_a_file_without_a_required_column_is_refused_naming_it(tree):
    data = as_csv([r[:1] + r[2:] for r in ten_rows()], header=HEADER[:1] + HEADER[2:])
    job = import_run(
        import_create(actor=SYSTEM, organisation=tree.cell1, data=data, file_name="a.csv").pk
    )
    assert job.state == ImportState.REFUSED
    assert "Ngày sinh" in job.message


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "trống"),
        (b"%PDF-1.4 ...", "a.pdf", "XLSX"),
        (b"PK\x03\x04not a zip", "a.xlsx", "Excel"),
    ],
)
def test_files_that_are_not_tables_are_refused(tree, data, name, message):
    with pytest.raises(ValidationError, match=message):
        import_create(actor=SYSTEM, organisation=tree.cell1, data=data, file_name=name)
    assert not MemberImport.objects.exists()


def test_staff_import_only_into_their_own_province(tree, users):
    with pytest.raises(ValidationError):
        import_create(
            actor=users.staff_qn,
            organisation=tree.cell2,
            data=as_csv(ten_rows()),
            file_name="a.csv",
        )
    job = import_create(
        actor=users.staff_kt, organisation=tree.cell1, data=as_csv(ten_rows()), file_name="a.csv"
    )
    assert import_run(job.pk).state == ImportState.CHECKED


def test_a_duplicate_of_a_member_in_another_cell_is_named_only_to_who_may_see_it(tree, users):
    rows = ten_rows()[:2]
    call_import = import_create(
        actor=SYSTEM, organisation=tree.cell3, data=as_csv(rows[:1]), file_name="a.csv", write=True
    )
    assert import_run(call_import.pk).state == ImportState.DONE
    rows[0][0] = "Trần Văn Khác"  # another person with the same card number
    job = import_run(
        import_create(
            actor=users.staff_kt, organisation=tree.cell1, data=as_csv(rows), file_name="b.csv"
        ).pk
    )
    [problem] = job.problems
    assert problem["line"] == 2 and "đảng viên khác" in problem["message"]
    assert "ngoài phạm vi" in problem["message"] and "Nguyễn Văn A" not in problem["message"]


def test_the_api_previews_then_writes(tree, users, api_client):
    client = api_client(users.staff_kt)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.client.post(
        "/api/v1/imports",
        {"org": tree.cell1.code, "file": SimpleUploadedFile("a.csv", as_csv(ten_rows()))},
        **client._headers(),
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "checked" and body["rejected"] == 3 and body["new"] == 7
    assert [p["line"] for p in body["problems"]] == [4, 6, 9]
    r = client.post(f"/imports/{body['id']}/write", {"partial": True})
    assert r.status_code == 200 and r.json()["written"] == 7
    r = client.get(f"/imports/{body['id']}/rejected")
    assert r.status_code == 200
    assert b"Sao H" in b"".join(r.streaming_content)


def test_the_template_has_drop_down_lists(tree, users):
    from dangvu.interchange.exports import import_template

    wb = load_workbook(io.BytesIO(import_template(org=tree.committee)))
    ws = wb.worksheets[0]
    assert ws.cell(1, 1).value == "Họ và tên *"
    assert len(ws.data_validations.dataValidation) >= 8
    assert [c.value for c in wb["Chi bộ"]["A"]][1:] == [tree.cell1.code, tree.cell2.code]


def test_a_line_csv_cannot_read_refuses_the_file_naming_it(tree):
    """A field longer than the csv module reads (131,072 characters) is a refused file, not a
    server error."""
    data = as_csv(ten_rows()[:2]) + b'"' + b"x" * 200_000 + b'",1\n'
    job = import_run(
        import_create(actor=SYSTEM, organisation=tree.cell1, data=data, file_name="a.csv").pk
    )
    assert job.state == ImportState.REFUSED and "CSV" in job.message
