"""The class page's actions through the API (issue "every action of the UI is possible through
/api/v1/"): change a class, open or cancel it, add and remove sessions, attach a material, enrol
by position, withdraw, record scores, import a participant list. Each once done and its effect
checked; each refused once (a 422 naming the field, nothing written); and another province's
staff get 404 for every one of them."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangvu.accounts.scoping import SYSTEM
from dangvu.members.models import Position
from dangvu.members.services import position_assign
from dangvu.testing.factories import db_snapshot
from dangvu.training.choices import Mode, State, Status
from dangvu.training.models import (
    ClassMaterial,
    ClassSession,
    Enrolment,
    SessionAttendance,
    TrainingClass,
)
from dangvu.training.services import SessionInput, enrolment_create, session_roll_call
from dangvu.training.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
CSV = (
    "Họ và tên,Thời lượng\n"
    "nguyen thi hang,120\n"  # Nguyễn Thị Hằng, without accents
    "Trần Văn Lạ,60\n"  # nobody of that name
).encode()


def _snapshot() -> dict:
    """db_snapshot and everything of the training tables an action here could change."""
    return {
        **db_snapshot(),
        "classes": sorted(
            TrainingClass.objects.values_list(
                "pk", "title", "state", "capacity", "mode", "starts_on", "ends_on", "updated_at"
            )
        ),
        "cluster": sorted(TrainingClass.cluster.through.objects.values_list("pk", flat=True)),
        "sessions": sorted(
            ClassSession.objects.values_list("pk", "day", "starts_at", "attendance_taken")
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list("pk", "status", "position", "score", "result")
        ),
        "materials": sorted(ClassMaterial.objects.values_list("pk", "name")),
        "attendance": sorted(
            SessionAttendance.objects.values_list("session_id", "enrolment_id", "present")
        ),
    }


def _multipart(api, path: str, data: dict):
    return api.client.post(api.prefix + path, data, **api._headers())


def _refused(r, field: str) -> None:
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"], r.json()


@pytest.fixture
def staff(users, api_client):
    return api_client(users.staff_kt)


def test_a_class_is_changed_as_its_edit_page_changes_it(tree, staff, make_class):
    c = make_class()
    r = staff.post(
        f"/classes/{c.pk}",
        {
            "title": "Lớp nhận thức về Đảng, khóa 2",
            "capacity": 35,
            "min_attendance_percent": 90,
            "cluster": [tree.committee.code],
        },
    )
    assert r.status_code == 200, r.content
    assert (r.json()["title"], r.json()["capacity"], r.json()["cluster"]) == (
        "Lớp nhận thức về Đảng, khóa 2",
        35,
        [tree.committee.code],
    )
    c.refresh_from_db()
    assert (c.title, c.capacity, c.min_attendance_percent, c.location) == (
        "Lớp nhận thức về Đảng, khóa 2",
        35,
        90,
        "Hội trường xã Đăk Pék",  # not sent: as it was
    )
    # Null clears a field that may be empty: the rule in force again.
    r = staff.post(f"/classes/{c.pk}", {"min_attendance_percent": None})
    assert r.status_code == 200 and r.json()["min_attendance_percent"] is None


def test_a_refused_change_names_the_field_and_writes_nothing(tree, staff, make_class):
    c = make_class()
    before = _snapshot()
    # A commune the caller may not use (another province's).
    _refused(staff.post(f"/classes/{c.pk}", {"cluster": [tree.committee2.code]}), "cluster")
    # The service's rule: an online class needs its link.
    _refused(staff.post(f"/classes/{c.pk}", {"mode": "online"}), "online_link")
    # An unknown field is refused, not ignored.
    _refused(staff.post(f"/classes/{c.pk}", {"kind": "awareness"}), "kind")
    assert _snapshot() == before


def test_a_class_is_opened_and_a_wrong_move_refused(staff, make_class):
    c = make_class()
    r = staff.post(f"/classes/{c.pk}/state", {"state": "open"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "open"
    assert TrainingClass.objects.get(pk=c.pk).state == State.OPEN
    before = _snapshot()
    # Finishing is the completion's: refused here.
    _refused(staff.post(f"/classes/{c.pk}/state", {"state": "finished"}), "state")
    assert _snapshot() == before


def test_a_session_is_added_and_an_overlapping_one_refused(staff, make_class):
    c = make_class()
    day = TODAY + timedelta(days=30)
    r = staff.post(
        f"/classes/{c.pk}/sessions",
        {"day": day, "starts_at": "13:30", "ends_at": "16:30", "topic": "Bài 6"},
    )
    assert r.status_code == 201, r.content
    assert (r.json()["topic"], r.json()["starts_at"]) == ("Bài 6", "13:30")
    c.refresh_from_db()
    assert (c.sessions.count(), c.ends_on) == (6, day)
    before = _snapshot()
    r = staff.post(
        f"/classes/{c.pk}/sessions",
        {"day": day, "starts_at": "14:00", "ends_at": "15:00", "topic": "Bài 7"},
    )
    _refused(r, "starts_at")
    assert _snapshot() == before


def test_a_session_is_removed_but_not_one_that_took_place(staff, make_class, people):
    c = make_class()
    first, last = c.sessions.first(), c.sessions.last()
    r = staff.post(f"/classes/{c.pk}/sessions/{last.pk}/remove", {})
    assert r.status_code == 200, r.content
    assert len(r.json()["sessions"]) == 4
    assert not ClassSession.objects.filter(pk=last.pk).exists()
    e = enrolment_create(actor=SYSTEM, training_class=c, member=people[0])
    session_roll_call(actor=SYSTEM, session=first, present=[e.pk])
    s = make_class(title="Lớp khác").sessions.first()
    before = _snapshot()
    _refused(staff.post(f"/classes/{c.pk}/sessions/{first.pk}/remove", {}), "session")
    # Another class's session is not one of this class.
    assert staff.post(f"/classes/{c.pk}/sessions/{s.pk}/remove", {}).status_code == 404
    assert _snapshot() == before


def test_a_withdrawal_gives_the_place_to_the_first_who_waits(staff, make_class, people):
    c = make_class(capacity=1)
    going = enrolment_create(actor=SYSTEM, training_class=c, member=people[0])
    waiting = enrolment_create(actor=SYSTEM, training_class=c, member=people[1])
    assert waiting.status == Status.WAITING
    r = staff.post(f"/classes/{c.pk}/withdrawals", {"enrolment": going.pk})
    assert r.status_code == 201, r.content
    assert (r.json()["withdrawn"]["status"], r.json()["promoted"]["enrolment"]) == (
        "withdrawn",
        waiting.pk,
    )
    assert Enrolment.objects.get(pk=waiting.pk).status == Status.ENROLLED
    # Someone of another class; someone already withdrawn.
    other = enrolment_create(
        actor=SYSTEM, training_class=make_class(title="Lớp khác"), member=people[2]
    )
    before = _snapshot()
    _refused(staff.post(f"/classes/{c.pk}/withdrawals", {"enrolment": other.pk}), "enrolment")
    _refused(staff.post(f"/classes/{c.pk}/withdrawals", {"enrolment": going.pk}), "person")
    assert _snapshot() == before


def test_the_holders_of_a_position_are_enrolled_at_once(tree, staff, make_class, people):
    c = make_class()
    position_assign(
        actor=SYSTEM,
        organisation=tree.cell1,
        kind=Position.Kind.SECRETARY,
        valid_from=TODAY - timedelta(days=100),
        member=people[0],
    )
    r = staff.post(
        f"/classes/{c.pk}/enrolments", {"under": tree.district.code, "positions": ["secretary"]}
    )
    assert r.status_code == 201, r.content
    assert r.json() == {"enrolled": 1, "waiting": 0, "already": 0}
    assert list(c.enrolments.values_list("member_id", flat=True)) == [people[0].pk]
    before = _snapshot()
    r = staff.post(
        f"/classes/{c.pk}/enrolments", {"under": tree.district2.code, "positions": ["secretary"]}
    )
    _refused(r, "under")
    _refused(staff.post(f"/classes/{c.pk}/enrolments", {"under": tree.district.code}), "positions")
    assert _snapshot() == before


def test_scores_are_recorded_for_enrolled_people_only(staff, make_class, people):
    c = make_class(pass_mark=Decimal("5"))
    e = enrolment_create(actor=SYSTEM, training_class=c, member=people[0])
    r = staff.post(f"/classes/{c.pk}/scores", {"scores": [{"enrolment": e.pk, "score": 7.25}]})
    assert r.status_code == 201, r.content
    assert r.json() == {"recorded": 1}
    assert Enrolment.objects.get(pk=e.pk).score == Decimal("7.25")
    other = enrolment_create(
        actor=SYSTEM, training_class=make_class(title="Lớp khác"), member=people[1]
    )
    before = _snapshot()
    r = staff.post(
        f"/classes/{c.pk}/scores",
        {"scores": [{"enrolment": e.pk, "score": 9}, {"enrolment": other.pk, "score": 8}]},
    )
    _refused(r, "scores")
    # At most two decimals (the service's rule).
    r = staff.post(f"/classes/{c.pk}/scores", {"scores": [{"enrolment": e.pk, "score": 7.125}]})
    _refused(r, "scores")
    assert _snapshot() == before


def test_a_material_is_attached_and_a_file_of_another_type_refused(staff, make_class):
    c = make_class()
    r = _multipart(
        staff,
        f"/classes/{c.pk}/materials",
        {"title": "Chương trình lớp", "file": SimpleUploadedFile("chuong-trinh.pdf", PDF)},
    )
    assert r.status_code == 201, r.content
    assert (r.json()["title"], r.json()["name"], r.json()["kind"]) == (
        "Chương trình lớp",
        "chuong-trinh.pdf",
        "pdf",
    )
    m = ClassMaterial.objects.get(pk=r.json()["id"])
    assert (m.training_class_id, m.size) == (c.pk, len(PDF))
    before = _snapshot()
    r = _multipart(
        staff,
        f"/classes/{c.pk}/materials",
        {"file": SimpleUploadedFile("virus.pdf", b"MZ not a pdf at all")},
    )
    _refused(r, "file")
    assert _snapshot() == before


def test_a_participant_list_is_previewed_then_confirmed(staff, make_class, people):
    c = make_class(mode=Mode.ONLINE, online_link="https://hop.example/a", location="", cluster=[])
    rows = [enrolment_create(actor=SYSTEM, training_class=c, member=m) for m in people]
    s = c.sessions.first()
    url = f"/classes/{c.pk}/sessions/{s.pk}/participants"
    r = _multipart(staff, url, {"file": SimpleUploadedFile("zoom.csv", CSV)})
    assert r.status_code == 201, r.content
    found = r.json()
    assert [(x["line"], x["status"], x["enrolment"]) for x in found["rows"]] == [
        (2, "matched", rows[0].pk),
        (3, "unknown", None),
    ]
    assert (found["counts"], found["written"]) == ({"matched": 1, "unknown": 1}, 0)
    assert SessionAttendance.objects.count() == 0  # a preview writes nothing
    r = _multipart(staff, url, {"confirm": "true", "file": SimpleUploadedFile("zoom.csv", CSV)})
    assert r.status_code == 201, r.content
    assert r.json()["written"] == 1
    present = dict(
        SessionAttendance.objects.filter(session=s).values_list("enrolment_id", "minutes")
    )
    assert present == {rows[0].pk: 120}
    before = _snapshot()
    # No name column; then a file larger than the page takes.
    r = _multipart(
        staff,
        url,
        {"confirm": "true", "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")},
    )
    _refused(r, "file")
    big = b"Name\n" + b"A Thai\n" * 200_000
    r = _multipart(staff, url, {"confirm": "true", "file": SimpleUploadedFile("big.csv", big)})
    _refused(r, "file")
    assert _snapshot() == before


def test_another_provinces_staff_find_none_of_it(users, api_client, make_class, people):
    c = make_class(pass_mark=Decimal("5"))
    e = enrolment_create(actor=SYSTEM, training_class=c, member=people[0])
    s = c.sessions.first()
    far = api_client(users.staff_qn)
    before = _snapshot()
    answers = [
        far.post(f"/classes/{c.pk}", {"title": "Lớp khác"}),
        far.post(f"/classes/{c.pk}/state", {"state": "cancelled"}),
        far.post(
            f"/classes/{c.pk}/sessions",
            {
                "day": TODAY + timedelta(days=40),
                "starts_at": "07:30",
                "ends_at": "09:00",
                "topic": "Bài ngoài",
            },
        ),
        far.post(f"/classes/{c.pk}/sessions/{s.pk}/remove", {}),
        far.post(f"/classes/{c.pk}/withdrawals", {"enrolment": e.pk}),
        far.post(f"/classes/{c.pk}/scores", {"scores": [{"enrolment": e.pk, "score": 8}]}),
        far.post(f"/classes/{c.pk}/enrolments", {"under": "QN", "positions": ["secretary"]}),
        _multipart(
            far,
            f"/classes/{c.pk}/materials",
            {"file": SimpleUploadedFile("a.pdf", PDF)},
        ),
        _multipart(
            far,
            f"/classes/{c.pk}/sessions/{s.pk}/participants",
            {"confirm": "true", "file": SimpleUploadedFile("zoom.csv", CSV)},
        ),
    ]
    assert [r.status_code for r in answers] == [404] * len(answers)
    assert _snapshot() == before


def test_a_session_added_keeps_the_class_span(staff, make_class):
    """The class's first and last days follow its sessions (the service keeps them)."""
    c = make_class(sessions=[SessionInput(TODAY, time(7, 30), time(9, 0), "Bài 1")])
    earlier = TODAY - timedelta(days=3)
    r = staff.post(
        f"/classes/{c.pk}/sessions",
        {"day": earlier, "starts_at": "07:30", "ends_at": "09:00", "topic": "Bài 0"},
    )
    assert r.status_code == 201, r.content
    c.refresh_from_db()
    assert (c.starts_on, c.ends_on) == (earlier, TODAY)
