"""The documents API: the plan found by its number, who has reported and who is overdue; a
number that does not fit refused with a clear error and nothing stored; the gate's 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangvu.accounts.roles import Role
from dangvu.documents.models import Document, Recipient
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _plan(client, tree, **kw):
    body = {
        "org": tree.province.code,
        "kind": "plan",
        "number": "90-KH/TU",
        "issued_on": "2022-05-30",
        "title": "Kế hoạch tuyên truyền về công tác xây dựng Đảng",
        "signer": "Phó Bí thư Thường trực",
    }
    body.update(kw)
    return client.post("/documents", body)


def test_a_plan_sent_down_is_found_by_number_with_who_reported_and_who_is_overdue(tree, api_client):
    staff = api_client(make_user("btc", role=Role.ORG_STAFF, org=tree.province))
    r = _plan(staff, tree)
    assert r.status_code == 201, r.content
    plan = r.json()
    assert (plan["number"], plan["serial"], plan["kind_abbr"], plan["issuer_abbr"]) == (
        "90-KH/TU",
        90,
        "KH",
        "TU",
    )
    due = (TODAY - timedelta(days=5)).isoformat()
    r = staff.post(
        f"/documents/{plan['id']}/recipients",
        {"children_of_kind": "district", "under": tree.province.code, "due_on": due},
    )
    assert r.json() == {"added": 1}
    r = staff.post(
        f"/documents/{plan['id']}/recipients",
        {"organisations": [tree.committee.code, tree.gcell.code], "due_on": due},
    )
    assert r.json() == {"added": 2}

    district = api_client(make_user("hu", role=Role.ORG_STAFF, org=tree.district))
    own = district.post(
        "/documents",
        {
            "org": tree.district.code,
            "kind": "plan",
            "number": "15-KH/HU",
            "issued_on": "2022-06-20",
            "title": "Kế hoạch thực hiện Kế hoạch 90-KH/TU",
            "implements": plan["id"],
        },
    )
    assert own.status_code == 201, own.content
    r = district.post(
        f"/documents/{plan['id']}/implementation",
        {
            "org": tree.district.code,
            "status": "in_progress",
            "notes": "Đã ban hành kế hoạch",
            "implementing": own.json()["id"],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["implementing"] == "15-KH/HU"

    found = staff.get("/documents", {"q": "90-kh/tu"}).json()
    assert [d["number"] for d in found] == ["90-KH/TU"]
    impl = staff.get(f"/documents/{plan['id']}/implementation").json()
    assert impl["summary"] | {"by_status": None} == {
        "total": 3,
        "reported": 1,
        "not_reported": 2,
        "overdue": 2,
        "by_status": None,
        "as_of": TODAY.isoformat(),
    }
    overdue = staff.get(f"/documents/{plan['id']}/implementation", {"show": "overdue"}).json()
    assert {x["organisation"] for x in overdue["recipients"]} == {"KT-DG-DP", "KT-DG-THPT"}
    assert all(x["overdue"] for x in overdue["recipients"])

    # A recipient sees the plan sent to it and the rows of the distribution in its own
    # subtree, not the province's summary.
    mine = district.get(f"/documents/{plan['id']}/implementation").json()
    assert mine["summary"] is None
    assert {x["organisation"] for x in mine["recipients"]} == {"KT-DG", "KT-DG-DP", "KT-DG-THPT"}
    school = api_client(make_user("bt", role=Role.SECRETARY, org=tree.gcell))
    mine = school.get(f"/documents/{plan['id']}/implementation").json()
    assert [x["organisation"] for x in mine["recipients"]] == ["KT-DG-THPT"]


@pytest.mark.parametrize(
    "number, kind, says",
    [
        ("90-XX/TU", "plan", "XX"),
        ("90-CT/TU", "plan", "KH"),
        ("90-KH/TW", "plan", "TU"),
        ("90/KH-TU", "plan", "90-KH/TU"),
    ],
)
def test_a_number_that_does_not_fit_is_refused_with_a_clear_error(
    tree, api_client, number, kind, says
):
    staff = api_client(make_user("btc", role=Role.ORG_STAFF, org=tree.province))
    r = _plan(staff, tree, number=number, kind=kind)
    assert r.status_code == 422
    assert says in str(r.json())
    assert not Document.objects.exists()


def test_outside_the_scope_a_document_does_not_exist(tree, api_client):
    staff = api_client(make_user("btc", role=Role.ORG_STAFF, org=tree.province))
    plan = _plan(staff, tree).json()
    other = api_client(make_user("qn", role=Role.ORG_STAFF, org=tree.province2))
    assert other.get(f"/documents/{plan['id']}").status_code == 404
    assert other.get(f"/documents/{plan['id']}/implementation").status_code == 404
    assert other.get("/documents", {"q": "90-KH/TU"}).json() == []
    r = other.post(f"/documents/{plan['id']}/recipients", {"organisations": ["QN-SH"]})
    assert r.status_code == 404
    assert not Recipient.objects.exists()


def test_reporting_for_an_organisation_the_document_was_not_sent_to_is_refused(tree, api_client):
    staff = api_client(make_user("btc", role=Role.ORG_STAFF, org=tree.province))
    plan = _plan(staff, tree).json()
    staff.post(f"/documents/{plan['id']}/recipients", {"organisations": [tree.district.code]})
    r = staff.post(
        f"/documents/{plan['id']}/implementation",
        {"org": tree.gcell.code, "status": "done"},
    )
    assert r.status_code == 422
    assert "org" in r.json()["detail"][0]["loc"] or "org" in str(r.json())
    assert not Recipient.objects.filter(reported_on__isnull=False).exists()
