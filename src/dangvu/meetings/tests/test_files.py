"""A meeting's files (the resolution, the minutes, a photo of the signed page): type read from
the bytes, size checked, stored under a generated name, served only to those who may see the
meeting; after the minutes are approved a file is added only with a recorded reason."""

import io
import zipfile
from datetime import date, time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from dangvu.accounts.scoping import SYSTEM
from dangvu.core.errors import ValidationError
from dangvu.meetings.choices import Kind
from dangvu.meetings.models import MeetingCorrection, MeetingFile
from dangvu.meetings.services import (
    meeting_approve,
    meeting_attach,
    meeting_detach,
    meeting_plan,
    meeting_record,
)
from dangvu.testing.factories import make_member, make_user, stored_rows, stored_rows_diff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx(with_document: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            z.writestr("word/document.xml", "<w:document/>")
        else:
            z.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.fixture
def meeting(tree):
    make_member(tree.cell1, full_name="Hồ Văn A")
    return meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2024, 3, 5)
    )


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("Nghị quyết tháng 3.pdf", PDF, "pdf"),
        ("bien-ban.docx", _docx(), "docx"),
        ("anh-bien-ban.PNG", PNG, "png"),
        ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        ("anh.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8, "webp"),
    ],
)
def test_accepted_files_are_stored_under_a_generated_name(meeting, name, data, kind):
    f = meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile(name, data))
    assert (f.name, f.kind, f.size) == (name, kind, len(data))
    assert f.file.name.startswith(f"meetings/{meeting.pk}/") and name not in f.file.name
    assert f.file.read() == data


@pytest.mark.parametrize(
    "name,data,says",
    [
        ("nghi-quyet.pdf", b"MZ\x90\x00 this is a program", "không phải tệp được nhận"),
        ("nghi-quyet.pdf", b"<html><script>alert(1)</script>", "không phải tệp được nhận"),
        ("bang-tinh.docx", _docx(with_document=False), "không phải tệp được nhận"),
        ("hong.docx", b"PK\x03\x04 not really a zip", "không phải tệp được nhận"),
        ("nghi-quyet.docx", PDF, ".pdf"),
        ("nghi-quyet", PDF, ".pdf"),
        ("rong.pdf", b"", "trống"),
    ],
)
def test_a_wrong_type_is_refused_with_a_clear_message_and_nothing_is_stored(
    meeting, name, data, says
):
    before, files = stored_rows(), _stored_files()
    with pytest.raises(ValidationError) as exc:
        meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile(name, data))
    assert says in str(exc.value.message_dict["file"])
    assert stored_rows_diff(before, stored_rows()) == []
    assert _stored_files() == files


def test_a_file_over_the_limit_is_refused_naming_both_sizes(meeting, settings):
    settings.DANGVU_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("to.pdf", PDF + b"0" * (1024 * 1024 + 200_000))
    with pytest.raises(ValidationError) as exc:
        meeting_attach(actor=SYSTEM, meeting=meeting, upload=big)
    message = exc.value.message_dict["file"][0]
    assert "1,2 MB" in message and "1 MB" in message
    assert not MeetingFile.objects.exists()


def test_approved_minutes_take_a_file_only_with_a_recorded_reason_and_keep_it(meeting):
    member = meeting.organisation and make_member(meeting.organisation, full_name="Hồ Văn B")
    meeting_record(
        actor=SYSTEM,
        meeting=meeting,
        held_on=date(2024, 3, 5),
        started_at=time(19, 0),
        ended_at=time(20, 45),
        chair=member,
        minutes="Biên bản",
    )
    early = meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile("a.pdf", PDF))
    meeting_approve(actor=SYSTEM, meeting=meeting, on=date(2024, 3, 6))
    with pytest.raises(ValidationError) as exc:
        meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile("b.pdf", PDF))
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        meeting_detach(actor=SYSTEM, meeting=meeting, file_id=early.pk)
    meeting_attach(
        actor=SYSTEM,
        meeting=meeting,
        upload=SimpleUploadedFile("b.pdf", PDF),
        reason="Bổ sung bản có chữ ký",
    )
    correction = MeetingCorrection.objects.get(meeting=meeting)
    assert (correction.field, correction.after, correction.reason) == (
        "files",
        "b.pdf",
        "Bổ sung bản có chữ ký",
    )
    assert meeting.files.count() == 2


def test_a_file_removed_before_approval_leaves_no_row_and_no_file(
    meeting, django_capture_on_commit_callbacks
):
    f = meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile("a.pdf", PDF))
    path = f.file.name
    with django_capture_on_commit_callbacks(execute=True):
        meeting_detach(actor=SYSTEM, meeting=meeting, file_id=f.pk)
    assert not MeetingFile.objects.exists() and path not in _stored_files()


def test_only_those_who_may_see_the_meeting_download_its_files(tree, users, client, meeting):
    f = meeting_attach(actor=SYSTEM, meeting=meeting, upload=SimpleUploadedFile("nq.pdf", PDF))
    url = f"/meetings/{meeting.pk}/files/{f.pk}/"
    member_user = make_user("dangvien", role="member", org=tree.cell1)
    own = make_member(tree.cell1, full_name="Hồ Thị C")
    own.user = member_user
    own.save(update_fields=["user"])
    for user, status in (
        (users.sec1, 200),
        (users.staff_kt, 200),
        (member_user, 200),
        (users.sec2, 404),
        (users.staff_qn, 404),
        (users.nobody, 404),
    ):
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == status, user.username
        if status == 200:
            assert b"".join(r.streaming_content) == PDF
            assert r["Content-Type"] == "application/pdf"
            assert r["Content-Disposition"].startswith("attachment")
            assert r["X-Content-Type-Options"] == "nosniff"


def test_the_secretary_attaches_on_the_meeting_page_and_a_bad_file_is_explained(
    users, client, meeting
):
    client.force_login(users.sec1)
    url = f"/meetings/{meeting.pk}/files/"
    r = client.post(
        url,
        {"role": "resolution", "file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")},
        follow=True,
    )
    assert "không phải tệp được nhận" in r.content.decode()
    assert not MeetingFile.objects.exists()
    r = client.post(
        url, {"role": "resolution", "file": SimpleUploadedFile("nq.pdf", PDF)}, follow=True
    )
    page = r.content.decode()
    assert "nq.pdf" in page and "Nghị quyết" in page
    assert MeetingFile.objects.get().role == "resolution"
    client.force_login(users.sec2)
    assert client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(users, client, meeting, settings):
    settings.DANGVU_UPLOAD_MAX_BYTES = 1024
    client.force_login(users.sec1)
    r = client.post(
        f"/meetings/{meeting.pk}/files/",
        {"role": "resolution", "file": SimpleUploadedFile("to.pdf", PDF + b"0" * 200_000)},
        follow=True,
    )
    assert "lớn hơn" in r.content.decode()
    assert not MeetingFile.objects.exists()
