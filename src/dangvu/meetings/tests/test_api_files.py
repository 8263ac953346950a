"""A meeting's files through the API (meetings.api): attached, listed with the meeting,
downloaded and removed through the same services and gate as the meeting's page; a refused
file or removal is a 422 naming the field and changes nothing; outside the caller's scope the
meeting and its files do not exist."""

from datetime import date, time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.models import AuditRecord
from dangvu.meetings.choices import Kind
from dangvu.meetings.models import MeetingCorrection, MeetingFile
from dangvu.meetings.services import meeting_approve, meeting_attach, meeting_plan, meeting_record
from dangvu.testing.factories import db_snapshot, make_member, make_user, stored_rows

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture
def meeting(tree):
    return meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2024, 3, 5)
    )


def _attach(client, meeting_id, **data):
    return client.client.post(f"/api/v1/meetings/{meeting_id}/files", data, **client._headers())


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _unchanged():
    return db_snapshot(), stored_rows(), _stored_files()


def _actions(meeting) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="meeting", object_id=meeting.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_the_secretary_attaches_lists_downloads_and_removes_a_file(users, api_client, meeting):
    sec = api_client(users.sec1)
    r = _attach(sec, meeting.pk, role="resolution", file=SimpleUploadedFile("Nghị quyết.pdf", PDF))
    assert r.status_code == 201, r.content
    f = r.json()
    assert (f["role"], f["role_label"], f["name"], f["kind"], f["size"]) == (
        "resolution",
        "Nghị quyết",
        "Nghị quyết.pdf",
        "pdf",
        len(PDF),
    )
    row = MeetingFile.objects.get(meeting=meeting)
    assert f["id"] == row.pk and f["url"] == f"/api/v1/meetings/{meeting.pk}/files/{row.pk}"
    assert "meeting.attach" in _actions(meeting)

    # The meeting's answer lists it (id, name, size, when).
    files = sec.get(f"/meetings/{meeting.pk}").json()["files"]
    assert [(x["id"], x["name"], x["size"]) for x in files] == [
        (row.pk, "Nghị quyết.pdf", len(PDF))
    ]
    assert files[0]["uploaded_at"].startswith(str(row.uploaded_at.date()))

    # Downloaded as on the page: an attachment under its name, its type read from its bytes.
    d = sec.get(f"/meetings/{meeting.pk}/files/{row.pk}")
    assert d.status_code == 200
    assert b"".join(d.streaming_content) == PDF
    assert d["Content-Type"] == "application/pdf"
    assert d["Content-Disposition"].startswith("attachment")
    assert d["X-Content-Type-Options"] == "nosniff"

    r = sec.post(f"/meetings/{meeting.pk}/files/{row.pk}/remove", {})
    assert r.status_code == 200, r.content
    assert r.json()["id"] == meeting.pk and r.json()["files"] == []
    assert not MeetingFile.objects.exists()
    assert _actions(meeting)[-1] == "meeting.detach"


def test_a_member_of_the_cell_downloads_but_does_not_attach(tree, api_client, meeting):
    f = meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile("nq.pdf", PDF))
    user = make_user("dangvien", role="member", org=tree.cell1)
    own = make_member(tree.cell1, full_name="Hồ Thị C")
    own.user = user
    own.save(update_fields=["user"])
    client = api_client(user)
    assert client.get(f"/meetings/{meeting.pk}/files/{f.pk}").status_code == 200
    before = _unchanged()
    assert _attach(client, meeting.pk, file=SimpleUploadedFile("x.pdf", PDF)).status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/files/{f.pk}/remove", {}).status_code == 404
    assert _unchanged() == before


def test_a_file_that_is_not_accepted_is_422_naming_the_file_and_nothing_is_stored(
    users, api_client, meeting
):
    sec = api_client(users.sec1)
    before = _unchanged()
    r = _attach(sec, meeting.pk, role="minutes", file=SimpleUploadedFile("bb.pdf", b"MZ\x90\x00"))
    assert r.status_code == 422, r.content
    assert list(r.json()["errors"]) == ["file"]
    assert "không phải tệp được nhận" in r.json()["errors"]["file"][0]
    missing = _attach(sec, meeting.pk, role="minutes")
    assert missing.status_code == 422 and list(missing.json()["errors"]) == ["file"]
    wrong_role = _attach(sec, meeting.pk, role="photo", file=SimpleUploadedFile("a.pdf", PDF))
    assert wrong_role.status_code == 422 and list(wrong_role.json()["errors"]) == ["role"]
    assert _unchanged() == before


def test_approved_minutes_take_a_file_only_with_a_reason_and_keep_their_files(
    tree, users, api_client, meeting
):
    chair = make_member(tree.cell1, full_name="Hồ Văn B")
    meeting_record(
        actor=SYSTEM,
        meeting=meeting,
        held_on=date(2024, 3, 5),
        started_at=time(19, 0),
        ended_at=time(20, 45),
        chair=chair,
        minutes="Biên bản",
    )
    early = meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile("a.pdf", PDF))
    meeting_approve(actor=SYSTEM, meeting=meeting, on=date(2024, 3, 6))
    sec = api_client(users.sec1)
    before = _unchanged()
    r = _attach(sec, meeting.pk, file=SimpleUploadedFile("b.pdf", PDF))
    assert r.status_code == 422 and list(r.json()["errors"]) == ["reason"]
    r = sec.post(f"/meetings/{meeting.pk}/files/{early.pk}/remove", {})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["state"]
    assert _unchanged() == before

    r = _attach(sec, meeting.pk, file=SimpleUploadedFile("b.pdf", PDF), reason="Bản có chữ ký")
    assert r.status_code == 201, r.content
    correction = MeetingCorrection.objects.get(meeting=meeting)
    assert (correction.field, correction.after, correction.reason) == (
        "files",
        "b.pdf",
        "Bản có chữ ký",
    )
    names = [x["name"] for x in sec.get(f"/meetings/{meeting.pk}").json()["files"]]
    assert names == ["a.pdf", "b.pdf"]


def test_removing_a_file_of_another_meeting_is_422_naming_the_file(
    tree, users, api_client, meeting
):
    other = meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2024, 4, 5)
    )
    theirs = meeting_attach(actor=SYSTEM, meeting=other, upload=SimpleUploadedFile("a.pdf", PDF))
    sec = api_client(users.sec1)
    before = _unchanged()
    r = sec.post(f"/meetings/{meeting.pk}/files/{theirs.pk}/remove", {})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["file"]
    # Downloaded through its own meeting only.
    assert sec.get(f"/meetings/{meeting.pk}/files/{theirs.pk}").status_code == 404
    assert _unchanged() == before


@pytest.mark.parametrize("who", ["staff_qn", "sec2", "nobody"])
def test_outside_the_scope_the_meeting_and_its_files_do_not_exist(users, api_client, meeting, who):
    f = meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile("nq.pdf", PDF))
    client = api_client(getattr(users, who))
    before = _unchanged()
    assert client.get(f"/meetings/{meeting.pk}").status_code == 404
    assert client.get(f"/meetings/{meeting.pk}/files/{f.pk}").status_code == 404
    r = _attach(client, meeting.pk, role="minutes", file=SimpleUploadedFile("x.pdf", PDF))
    assert r.status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/files/{f.pk}/remove", {}).status_code == 404
    assert _unchanged() == before
    # The province's staff see it.
    staff = api_client(users.staff_kt)
    assert staff.get(f"/meetings/{meeting.pk}/files/{f.pk}").status_code == 200
