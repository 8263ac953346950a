"""The training pages: the gate (404 outside the scope, also for a viewer on a manager's page),
the roll call with one choice per person, the platform list's preview that writes nothing and
its confirmation, verification, the report's workbook (numbers as numbers, audited)."""

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.models import AuditRecord
from dangvu.testing.factories import make_user
from dangvu.training.choices import Mode, State
from dangvu.training.models import SessionAttendance
from dangvu.training.services import (
    certificates_issue,
    class_complete,
    class_move,
    enrolment_create,
    session_roll_call,
)
from dangvu.training.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def trainer(tree):
    return make_user("t-views", role="trainer", org=tree.district)


def test_pages_of_a_class_outside_the_scope_answer_404_and_a_viewer_cannot_manage(
    tree, make_class, trainer
):
    c = make_class()
    far = _client(make_user("t-far", role="trainer", org=tree.province2))
    s = c.sessions.first()
    for url in (
        f"/training/{c.pk}/",
        f"/training/{c.pk}/enrol/",
        f"/training/{c.pk}/sessions/{s.pk}/roll/",
    ):
        assert far.get(url).status_code == 404, url
    viewer = _client(make_user("cm", role="committee_member", org=tree.district))
    assert viewer.get(f"/training/{c.pk}/").status_code == 200
    assert viewer.get(f"/training/{c.pk}/sessions/{s.pk}/roll/").status_code == 404
    page = _client(trainer).get(f"/training/{c.pk}/")
    assert page.status_code == 200 and c.title in page.content.decode()


def test_the_roll_call_marks_everyone_present_unless_tapped_absent(make_class, people, trainer):
    c = make_class()
    rows = [enrolment_create(actor=SYSTEM, training_class=c, member=m) for m in people[:3]]
    s = c.sessions.first()
    client = _client(trainer)
    page = client.get(f"/training/{c.pk}/sessions/{s.pk}/roll/").content.decode()
    assert page.count('class="roll-row"') == 3
    data = {f"p{e.pk}": "1" for e in rows} | {f"p{rows[1].pk}": "0"}
    r = client.post(f"/training/{c.pk}/sessions/{s.pk}/roll/", data)
    assert r.status_code == 302
    marks = dict(SessionAttendance.objects.filter(session=s).values_list("enrolment_id", "present"))
    assert marks == {rows[0].pk: True, rows[1].pk: False, rows[2].pk: True}
    s.refresh_from_db()
    assert s.attendance_taken


def test_a_participant_list_is_previewed_row_by_row_then_confirmed(make_class, people, trainer):
    c = make_class(mode=Mode.ONLINE, online_link="https://hop.example/a", location="", cluster=[])
    rows = [enrolment_create(actor=SYSTEM, training_class=c, member=m) for m in people]
    s = c.sessions.first()
    csv = (
        "Họ và tên,Thời lượng\n"
        "nguyen thi hang,120\n"  # Nguyễn Thị Hằng, without accents
        "Y Blup,90\n"  # Y Blúp
        "Hồ Văn Đứt,80\n"  # misspelt: Hồ Văn Đức
        "Trần Văn Lạ,60\n"  # unknown
        "Nguyễn Thị Hằng,10\n"  # the same person again
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(trainer)
    url = f"/training/{c.pk}/sessions/{s.pk}/import/"
    r = client.post(url, {"file": SimpleUploadedFile("zoom.csv", csv, "text/csv")})
    page = r.content.decode()
    assert r.status_code == 200
    assert "Có thể viết sai tên" in page and "có phải là Hồ Văn Đức?" in page
    assert "Không có học viên nào tên này" in page and "Trùng với một dòng trước" in page
    assert SessionAttendance.objects.count() == 0  # a preview writes nothing
    content = r.context["content"]
    r = client.post(url, {"confirm": "1", "content": content})
    assert r.status_code == 302
    present = dict(
        SessionAttendance.objects.filter(session=s).values_list("enrolment_id", "minutes")
    )
    assert present == {rows[0].pk: 120, rows[1].pk: 90}


def test_verification_tells_whose_certificate_a_number_is(make_class, people, tree):
    c = make_class()
    e = enrolment_create(actor=SYSTEM, training_class=c, member=people[0])
    class_move(actor=SYSTEM, training_class=c, to=State.CLOSED)
    for s in c.sessions.all():
        session_roll_call(actor=SYSTEM, session=s, present=[e.pk])
    class_complete(actor=SYSTEM, training_class=c, on=TODAY)
    number = certificates_issue(actor=SYSTEM, training_class=c, issued_on=TODAY).certificates[0]
    client = _client(make_user("anyone"))
    page = client.get("/training/verify/", {"number": f"  {number.number.lower()} "})
    text = page.content.decode()
    assert "Hợp lệ" in text and people[0].full_name in text and c.title in text
    text = client.get("/training/verify/", {"number": "999/2020/TTCT-X"}).content.decode()
    assert "Không tìm thấy" in text and people[0].full_name not in text
    # Signed out: the sign-in page, not the facts.
    assert Client().get("/training/verify/", {"number": number.number}).status_code == 302


def test_the_report_workbook_has_numbers_as_numbers_and_is_audited(
    make_class, people, tree, trainer
):
    c = make_class()
    for m in people[:2]:
        enrolment_create(actor=SYSTEM, training_class=c, member=m)
    client = _client(trainer)
    start, end = c.starts_on.replace(month=1, day=1), c.ends_on.replace(month=12, day=31)
    r = client.get(
        "/training/report/xlsx/",
        {"org": tree.district.code, "date_from": start.isoformat(), "date_to": end.isoformat()},
    )
    assert r.status_code == 200
    wb = load_workbook(BytesIO(r.content))
    ws = wb["Tổng hợp"]
    assert tree.district.name in ws["A2"].value and f"{start:%d/%m/%Y}" in ws["A2"].value
    assert ws.freeze_panes == "A5"
    assert [ws["A5"].value, ws["B5"].value, ws["B6"].value] == ["Số lớp", 1, 2]
    assert AuditRecord.objects.filter(action="report.training.export").count() == 1
