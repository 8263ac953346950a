"""The training API: a class from planning to certificates through the endpoints, the gate's 404
outside the scope, verification for signed-in callers only, the report."""

from datetime import timedelta

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.members.models import Position
from dangvu.members.services import position_assign
from dangvu.testing.factories import make_user
from dangvu.training.models import Enrolment, TrainingClass
from dangvu.training.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def _body(tree, **kw):
    day = TODAY - timedelta(days=10)
    body = {
        "org": tree.district.code,
        "kind": "cell_skills",
        "mode": "online",
        "title": "Nghiệp vụ bí thư chi bộ trực tuyến",
        "capacity": 2,
        "online_link": "https://hop.example/nghiep-vu",
        "sessions": [
            {"day": day, "starts_at": "07:30", "ends_at": "11:00", "topic": "Bài 1"},
            {
                "day": day + timedelta(days=1),
                "starts_at": "07:30",
                "ends_at": "11:00",
                "topic": "Bài 2",
            },
        ],
    }
    body.update(kw)
    return body


def test_a_class_goes_from_planning_to_certificates_through_the_api(tree, people, api_client):
    trainer = make_user("t-api", role="trainer", org=tree.district)
    api = api_client(trainer)
    r = api.post("/classes", _body(tree))
    assert r.status_code == 201, r.content
    c = r.json()
    assert (c["state"], c["capacity"], len(c["sessions"])) == ("planned", 2, 2)
    # One by name (member), then the cell's secretaries by position: the third person waits.
    r = api.post(f"/classes/{c['id']}/enrolments", {"member": people[0].pk})
    assert r.status_code == 201, r.content
    assert (r.json()["status"], r.json()["full_name"]) == ("enrolled", people[0].full_name)
    for m in people[1:3]:
        position_assign(
            actor=SYSTEM,
            organisation=tree.cell1,
            kind=Position.Kind.SECRETARY if m is people[1] else Position.Kind.DEPUTY_SECRETARY,
            valid_from=TODAY - timedelta(days=100),
            member=m,
        )
    r = api.post(
        f"/classes/{c['id']}/enrolments",
        {"under": tree.district.code, "positions": ["secretary", "deputy_secretary"]},
    )
    assert r.status_code == 201, r.content
    assert r.json() == {"enrolled": 1, "waiting": 1, "already": 0}
    roll = api.get(f"/classes/{c['id']}/enrolments").json()
    assert [(e["status"], e["position"]) for e in roll] == [
        ("enrolled", None),
        ("enrolled", None),
        ("waiting", 1),
    ]
    enrolled = [e["enrolment"] for e in roll if e["status"] == "enrolled"]
    # The first attends both sessions, the second only one of two (below 80 %).
    s1, s2 = (s["id"] for s in c["sessions"])
    r = api.post(f"/classes/{c['id']}/attendance", {"session": s1, "present": enrolled})
    assert r.status_code == 201 and r.json() == {"present": 2, "absent": 0}
    r = api.post(
        f"/classes/{c['id']}/attendance",
        {"session": s2, "present": enrolled[:1], "absent": enrolled[1:]},
    )
    assert r.json() == {"present": 1, "absent": 1}
    r = api.post(f"/classes/{c['id']}/completion", {"issued_on": TODAY})
    assert r.status_code == 201, r.content
    done = r.json()
    number = f"1/{TODAY.year}/TTCT-{tree.district.code}"
    assert (done["passed"], done["failed"], done["certificates"]) == (1, 1, [number])
    assert TrainingClass.objects.get(pk=c["id"]).state == "finished"
    # Verified by any signed-in caller (number with its slashes in the path); not anonymously.
    r = api_client(make_user("someone")).get(f"/certificates/{number}")
    assert r.status_code == 200, r.content
    first = Enrolment.objects.get(pk=enrolled[0])
    assert (r.json()["full_name"], r.json()["class_title"]) == (
        first.full_name,
        "Nghiệp vụ bí thư chi bộ trực tuyến",
    )
    assert api_client(None).get(f"/certificates/{number}").status_code == 401
    assert api_client(make_user("x")).get("/certificates/2/1999/TTCT-X").status_code == 404


def test_a_refused_completion_writes_nothing_and_names_the_session_in_vietnamese(
    tree, people, api_client
):
    trainer = make_user("t-api2", role="trainer", org=tree.district)
    api = api_client(trainer)
    c = api.post("/classes", _body(tree)).json()
    api.post(f"/classes/{c['id']}/enrolments", {"member": people[0].pk})
    r = api.post(f"/classes/{c['id']}/completion", {})
    assert r.status_code == 422
    assert "chưa được điểm danh" in r.json()["errors"]["sessions"][0]
    # The class was not left closed: all or nothing.
    assert TrainingClass.objects.get(pk=c["id"]).state == "planned"


def test_outside_the_scope_a_class_does_not_exist(tree, people, api_client, make_class):
    c = make_class()
    far = api_client(make_user("t-far", role="trainer", org=tree.province2))
    assert far.get(f"/classes/{c.pk}").status_code == 404
    assert far.post(f"/classes/{c.pk}/enrolments", {"member": people[0].pk}).status_code == 404
    assert far.get("/classes").json() == []
    near = api_client(make_user("t-near", role="trainer", org=tree.district))
    assert [x["id"] for x in near.get("/classes").json()] == [c.pk]
    # A viewer may read, not enrol: the manage gate answers 404 too.
    viewer = api_client(make_user("cm", role="committee_member", org=tree.district))
    assert viewer.get(f"/classes/{c.pk}").status_code == 200
    assert viewer.post(f"/classes/{c.pk}/enrolments", {"member": people[0].pk}).status_code == 404
    assert Enrolment.objects.count() == 0


def test_the_report_endpoint_counts_the_subtrees_classes(tree, people, api_client, make_class):
    from dangvu.training.services import enrolment_create

    c = make_class()
    enrolment_create(actor=SYSTEM, training_class=c, member=people[0])
    api = api_client(make_user("t-rep", role="trainer", org=tree.district))
    r = api.get(
        "/reports/training",
        {"org": tree.district.code, "from": TODAY - timedelta(days=60), "to": TODAY},
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["classes"], data["participants"]) == (1, 1)
    assert data["by_kind_mode"] == [
        {
            "kind": "awareness",
            "kind_label": "Bồi dưỡng nhận thức về Đảng",
            "mode": "in_person",
            "mode_label": "Trực tiếp",
            "classes": 1,
        }
    ]
