"""A member is told of a planned meeting and of a new task by e-mail with a calendar file; the
demo and the generator (no person acting) tell nobody; a refused write tells nobody."""

from datetime import date, time

import pytest
from django.core import mail

from dangvu.accounts.scoping import SYSTEM
from dangvu.core.errors import ValidationError
from dangvu.meetings.choices import Kind
from dangvu.meetings.notices import calendar_file
from dangvu.meetings.services import meeting_plan, meetings_plan_year, task_assign
from dangvu.testing.factories import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    """Two members of cell1 with accounts and addresses, one without an account."""
    out = []
    for n, name in enumerate(("Hồ Văn A", "Y Thị B")):
        user = make_user(f"dv{n}", role="member", org=tree.cell1)
        user.email = f"dv{n}@example.vn"
        user.save(update_fields=["email"])
        member = make_member(tree.cell1, full_name=name)
        member.user = user
        member.save(update_fields=["user"])
        out.append(member)
    make_member(tree.cell1, full_name="Hồ Văn C")
    return out


def _unfold(ics: str) -> str:
    return ics.replace("\r\n ", "")


def _text(content) -> str:
    """An attachment's text (Django decodes text/* attachments)."""
    return content.decode() if isinstance(content, bytes) else content


def test_a_planned_meeting_reaches_every_member_with_an_address_with_its_calendar_file(
    tree, users, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        m = meeting_plan(
            actor=users.sec1,
            organisation=tree.cell1,
            kind=Kind.THEMATIC,
            planned_on=date(2030, 5, 5),
            starts_at=time(19, 30),
            topic="Học tập chuyên đề; bảo vệ rừng, phòng cháy",
            place="Nhà văn hóa thôn Đăk Ang",
        )
    assert sorted(a for msg in mail.outbox for a in msg.to) == ["dv0@example.vn", "dv1@example.vn"]
    message = mail.outbox[0]
    assert tree.cell1.name in message.subject and "05/05/2030 19:30" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"
    ics = _unfold(_text(content))
    assert f"UID:meeting-{m.pk}@dangvu" in ics
    assert "DTSTART:20300505T123000Z" in ics  # 19:30 in Hà Nội is 12:30 UTC
    assert "Học tập chuyên đề\\; bảo vệ rừng\\, phòng cháy" in ics
    assert all(len(line.encode()) <= 75 for line in _text(content).split("\r\n"))


def test_a_years_calendar_is_one_message_per_member_and_the_system_sends_nothing(
    tree, users, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = meetings_plan_year(actor=users.sec1, organisation=tree.cell1, year=2030, day=5)
    assert len(made) == 12 and len(mail.outbox) == 2
    ics = _text(mail.outbox[0].attachments[0][1])
    assert ics.count("BEGIN:VEVENT") == 12
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meetings_plan_year(actor=SYSTEM, organisation=tree.cell2, year=2030, day=5)
        meeting_plan(
            actor=None, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2031, 1, 5)
        )
    assert mail.outbox == []


def test_a_task_reaches_its_member_and_a_refused_one_reaches_nobody(
    tree, users, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task_assign(
            actor=users.sec1,
            member=people[1],
            title="Vận động 5 hộ trồng rừng",
            suited_to="Sức khỏe tốt, ở gần thôn",
            assigned_on=date(2024, 3, 1),
            due_on=date(2024, 6, 30),
        )
    assert [m.to for m in mail.outbox] == [["dv1@example.vn"]]
    assert "30/06/2024" in mail.outbox[0].subject
    assert "DTSTART;VALUE=DATE:20240630" in _text(mail.outbox[0].attachments[0][1])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        task_assign(
            actor=users.sec1,
            member=people[0],
            title="",
            suited_to="x",
            assigned_on=date(2024, 3, 1),
            due_on=date(2024, 6, 30),
        )
    assert mail.outbox == []


def test_a_calendar_file_is_served_for_a_meeting_and_for_a_members_own_view(
    tree, users, client, people
):
    m = meeting_plan(
        actor=SYSTEM, organisation=tree.cell1, kind=Kind.REGULAR, planned_on=date(2099, 1, 5)
    )
    client.force_login(people[0].user)
    r = client.get(f"/meetings/{m.pk}/calendar.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    assert b"DTSTART;VALUE=DATE:20990105" in r.content
    r = client.get("/meetings/mine/calendar.ics")
    assert r.status_code == 200 and f"meeting-{m.pk}@dangvu".encode() in r.content
    client.force_login(users.sec2)
    assert client.get(f"/meetings/{m.pk}/calendar.ics").status_code == 404


def test_calendar_lines_are_folded_without_cutting_a_character():
    from dangvu.meetings.notices import _fold

    line = "SUMMARY:" + "Nghị quyết về phát triển đảng viên ở vùng đồng bào dân tộc thiểu số " * 3
    folded = _fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert calendar_file().startswith(b"BEGIN:VCALENDAR\r\n")
