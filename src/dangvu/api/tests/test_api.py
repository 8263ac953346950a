"""API v1 with bearer tokens: every endpoint anonymous, with a grant, and with a grant on another
subtree (outside the scope an object does not exist: 404); refused writes write nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvu.accounts.models import ApiToken
from dangvu.audit.models import AuditRecord
from dangvu.members.models import Member
from dangvu.members.services import member_event_record
from dangvu.stats.models import SignedReport
from dangvu.testing.factories import db_snapshot, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    """cell1: Ánh (woman), Bình, Hạnh (probationary, admitted 100 days ago); cell2: Cường;
    cell3 (Quảng Ngãi): Đinh Thị Hoa (Ba-na)."""
    return {
        "anh": make_member(
            tree.cell1, full_name="Nguyễn Thị Ánh", gender="F", identity_number="062180000123"
        ),
        "binh": make_member(tree.cell1, full_name="Trần Văn Bình"),
        "hanh": make_member(
            tree.cell1,
            full_name="Y Hạnh",
            gender="F",
            ethnicity="16",
            probationary=True,
            admission_date=timezone.localdate() - timedelta(days=100),
        ),
        "cuong": make_member(tree.cell2, full_name="Lê Văn Cường"),
        "hoa": make_member(tree.cell3, full_name="Đinh Thị Hoa", gender="F", ethnicity="12"),
    }


@pytest.fixture
def as_user(users, api_client):
    """as_user("staff_kt") -> an ApiClient with a fresh token of that user."""
    return lambda name: api_client(getattr(users, name))


def _errors(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


# --- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/organisations",
        "/organisations/KT",
        "/members",
        "/members/1",
        "/reports/membership?org=KT",
    ],
)
def test_no_token_or_a_wrong_token_is_401(users, api_client, path):
    assert api_client(None).get(path).status_code == 401
    assert api_client(token="dv_not-a-real-token").get(path).status_code == 401


def test_a_revoked_token_or_an_inactive_user_is_401(users, api_client):
    client = api_client(users.staff_kt)
    assert client.get("/me").status_code == 200
    ApiToken.objects.filter(user=users.staff_kt).update(revoked=True)
    assert client.get("/me").status_code == 401
    other = api_client(users.sec1)
    users.sec1.is_active = False
    users.sec1.save()
    assert other.get("/me").status_code == 401


def test_writes_without_a_token_are_401_and_write_nothing(tree, people, api_client):
    before = db_snapshot()
    client = api_client(None)
    assert client.post("/members", {"full_name": "X"}).status_code == 401
    assert (
        client.post(
            f"/members/{people['anh'].pk}/events", {"type": "died", "date": "2025-01-01"}
        ).status_code
        == 401
    )
    assert db_snapshot() == before


# --- /me ---------------------------------------------------------------------------------------


def test_me(users, as_user):
    assert as_user("staff_kt").get("/me").json() == {
        "username": "staff_kt",
        "full_name": "",
        "member_id": None,
        "grants": [
            {
                "role": "org_staff",
                "organisation": "KT",
                "organisation_name": "Tỉnh ủy Kon Tum",
                "include_descendants": True,
            }
        ],
    }


def test_me_of_a_member(tree, people, api_client):
    user = make_user("anh", role="member", org=tree.cell1)
    Member.objects.filter(pk=people["anh"].pk).update(user=user)
    assert api_client(user).get("/me").json()["member_id"] == people["anh"].pk


# --- organisations -----------------------------------------------------------------------------


def test_organisation_search_ignores_accents_and_case(users, as_user):
    admin = as_user("admin")
    found = admin.get("/organisations", {"q": "dak glei"}).json()
    assert [o["code"] for o in found] == ["KT-DG", "KT-DG-THPT"]
    assert found[0]["name"] == "Huyện ủy Đắk Glei"
    assert [o["code"] for o in admin.get("/organisations", {"q": "ĐĂK ung"}).json()] == [
        "KT-DG-DP-01"
    ]
    assert [o["code"] for o in admin.get("/organisations", {"q": "KT"}).json()] == ["KT"]
    assert admin.get("/organisations", {"q": "hà nội"}).json() == []


def test_organisation_list_is_limited_to_the_scope(users, as_user):
    assert [o["code"] for o in as_user("sec1").get("/organisations").json()] == ["KT-DG-DP-01"]
    assert [o["code"] for o in as_user("sec1").get("/organisations", {"q": "dak"}).json()] == [
        "KT-DG-DP-01"
    ]
    assert [o["code"] for o in as_user("staff_qn").get("/organisations").json()] == [
        "QN",
        "QN-SH",
        "QN-SH-SK",
        "QN-SH-SK-01",
    ]
    assert as_user("nobody").get("/organisations").json() == []
    children = as_user("staff_kt").get("/organisations", {"parent": "KT-DG-DP"}).json()
    assert [o["code"] for o in children] == ["KT-DG-DP-02", "KT-DG-DP-01"]  # by folded name


def test_organisation_search_by_a_code_with_punctuation(users, as_user):
    found = as_user("admin").get("/organisations", {"q": "KT-DG-DP-01"}).json()
    assert [o["code"] for o in found] == ["KT-DG-DP-01"]


def test_organisation_detail_names_the_parent_only_within_the_scope(tree, users, as_user):
    assert as_user("staff_kt").get("/organisations/KT-DG-DP-01").json()["parent"] == "KT-DG-DP"
    response = as_user("sec1").get("/organisations/KT-DG-DP-01")
    assert response.status_code == 200
    assert response.json() == {
        "code": "KT-DG-DP-01",
        "name": "Chi bộ thôn Đăk Ung",
        "kind": "cell",
        "kind_label": "Chi bộ",
        "grassroots_type": "",
        "grassroots_type_label": "",
        "parent": None,  # the commune committee is outside a cell secretary's scope
        "depth": 5,
        "place_name": "",
        "place_code": "",
        "valid_from": "2015-01-01",
        "valid_to": None,
    }


def test_membership_report_of_a_dissolved_cell_needs_a_past_date(tree, users, as_user):
    from dangvu.organisations.services import organisation_dissolve

    organisation_dissolve(actor=None, org=tree.cell2, on=date(2025, 1, 1))
    staff = as_user("staff_kt")
    assert set(_errors(staff.get("/reports/membership", {"org": "KT-DG-DP-02"}))) == {"as_of"}
    old = staff.get("/reports/membership", {"org": "KT-DG-DP-02", "as_of": "2024-12-31"})
    assert (old.status_code, old.json()["organisation"]["code"]) == (200, "KT-DG-DP-02")


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("sec1", "KT-DG-DP-02"),
        ("sec1", "KT-DG-DP"),
        ("sec1", "QN"),
        ("staff_qn", "KT-DG-DP-01"),
        ("nobody", "KT"),
        ("admin", "NOPE"),
    ],
)
def test_an_organisation_outside_the_scope_is_404(users, as_user, user, code):
    response = as_user(user).get(f"/organisations/{code}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


# --- members -----------------------------------------------------------------------------------


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [m["full_name"] for m in response.json()]


@pytest.mark.parametrize("small_scope", [10_000, 0], ids=["scope-scan", "name-keys"])
def test_member_list_filters(tree, people, users, as_user, small_scope, monkeypatch):
    # Both search plans (read a small scope's names; name keys for a large one) find the same.
    monkeypatch.setattr("dangvu.members.selectors.SMALL_SCOPE", small_scope)
    staff = as_user("staff_kt")
    # Without a query: by cell (tree order), then by name.
    assert _names(staff.get("/members")) == [
        "Nguyễn Thị Ánh",
        "Trần Văn Bình",
        "Y Hạnh",
        "Lê Văn Cường",
    ]
    assert _names(staff.get("/members", {"q": "anh nguyen"})) == ["Nguyễn Thị Ánh"]
    assert _names(staff.get("/members", {"q": "thi anh"})) == ["Nguyễn Thị Ánh"]
    assert _names(staff.get("/members", {"q": "ng an"})) == ["Nguyễn Thị Ánh"]
    assert _names(staff.get("/members", {"q": "binh tran van"})) == ["Trần Văn Bình"]
    assert _names(staff.get("/members", {"org": "KT-DG-DP-01"})) == [
        "Nguyễn Thị Ánh",
        "Trần Văn Bình",
        "Y Hạnh",
    ]
    assert _names(staff.get("/members", {"q": "nguyen thi anh"})) == ["Nguyễn Thị Ánh"]
    assert _names(staff.get("/members", {"q": "ANH"})) == ["Nguyễn Thị Ánh"]
    assert _names(staff.get("/members", {"q": "an"})) == ["Nguyễn Thị Ánh"]  # a word's start
    assert _names(staff.get("/members", {"q": "inh"})) == []  # not the inside of "Bình"
    assert _names(staff.get("/members", {"q": "062180000123"})) == ["Nguyễn Thị Ánh"]
    assert _names(staff.get("/members", {"status": "probationary"})) == ["Y Hạnh"]
    assert _names(staff.get("/members", {"org": "KT-DG-DP", "status": "official", "q": "van"})) == [
        "Lê Văn Cường",
        "Trần Văn Bình",
    ]
    assert _names(staff.get("/members", {"q": "hoa"})) == []  # another province


def test_member_list_keyset_pagination(tree, people, users, as_user):
    staff = as_user("staff_kt")
    first = staff.get("/members", {"limit": 2}).json()
    second = staff.get("/members", {"limit": 2, "after": first[-1]["id"]}).json()
    assert [m["full_name"] for m in first + second] == [
        "Nguyễn Thị Ánh",
        "Trần Văn Bình",
        "Y Hạnh",
        "Lê Văn Cường",
    ]


def test_member_list_is_limited_to_the_scope(tree, people, users, as_user):
    assert _names(as_user("sec1").get("/members")) == ["Nguyễn Thị Ánh", "Trần Văn Bình", "Y Hạnh"]
    assert _names(as_user("staff_qn").get("/members")) == ["Đinh Thị Hoa"]
    assert _names(as_user("nobody").get("/members")) == []
    assert as_user("sec1").get("/members", {"org": "KT-DG-DP-02"}).status_code == 404


def test_member_detail_with_events_is_audited(tree, people, users, as_user):
    anh = people["anh"]
    response = as_user("sec1").get(f"/members/{anh.pk}")
    assert response.status_code == 200
    body = response.json()
    assert {
        k: body[k]
        for k in (
            "id",
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "organisation",
            "organisation_name",
            "status",
            "official_date",
            "identity_number",
            "exempted",
            "temporary_organisation",
        )
    } == {
        "id": anh.pk,
        "full_name": "Nguyễn Thị Ánh",
        "birth_date": "1980-05-10",
        "gender": "F",
        "ethnicity": "01",
        "organisation": "KT-DG-DP-01",
        "organisation_name": "Chi bộ thôn Đăk Ung",
        "status": "official",
        "official_date": "2017-03-15",
        "identity_number": "062180000123",
        "exempted": False,
        "temporary_organisation": None,
    }
    assert [(e["seq"], e["type"], e["date"], e["organisation"]) for e in body["events"]] == [
        (1, "admitted", "2016-03-15", "KT-DG-DP-01"),
        (2, "recognised", "2017-03-15", "KT-DG-DP-01"),
    ]
    audit = AuditRecord.objects.get(action="member.sensitive_view")
    assert (audit.actor_id, audit.object_id, audit.after) == (
        users.sec1.pk,
        str(anh.pk),
        {
            "via": "api",
            "fields": ["ethnicity", "religion", "identity_number", "birth_date", "phone"],
            "ids": [anh.pk],
        },
    )


@pytest.mark.parametrize(
    ("user", "member"),
    [("sec1", "cuong"), ("sec1", "hoa"), ("sec2", "anh"), ("staff_qn", "anh"), ("nobody", "anh")],
)
def test_a_member_outside_the_scope_is_404_and_nothing_is_logged(
    people, users, as_user, user, member
):
    client = as_user(user)
    before = db_snapshot()
    response = client.get(f"/members/{people[member].pk}")
    assert response.status_code == 404
    assert db_snapshot() == before


def test_an_unknown_member_is_404(users, as_user):
    assert as_user("admin").get("/members/999999").status_code == 404


# --- POST /members -----------------------------------------------------------------------------


def _new_member(**overrides) -> dict:
    payload = {
        "full_name": "Hồ Văn Mới",
        "birth_date": "1990-02-03",
        "gender": "M",
        "ethnicity": "Xê Đăng",
        "education": "upper_secondary",
        "occupation": "farmer",
        "admission_date": "2020-05-19",
        "official_date": "2021-05-19",
        "organisation": "KT-DG-DP-02",
    }
    payload.update(overrides)
    return payload


def test_post_member_creates_it(tree, users, as_user):
    response = as_user("staff_kt").post("/members", _new_member())
    assert response.status_code == 201, response.content
    body = response.json()
    member = Member.objects.get(pk=body["id"])
    assert (member.full_name, member.ethnicity, member.status, member.organisation_id) == (
        "Hồ Văn Mới",
        "16",
        "official",
        tree.cell2.pk,
    )
    assert (body["ethnicity"], body["status"], body["organisation"]) == (
        "16",
        "official",
        "KT-DG-DP-02",
    )
    assert [e["type"] for e in body["events"]] == ["admitted", "recognised"]
    assert AuditRecord.objects.get(action="member.create").actor_id == users.staff_kt.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": (date.today() + timedelta(days=30)).isoformat()}, "birth_date"),
        ({"ethnicity": "99"}, "ethnicity"),
        ({"official_date": "2021-05-18"}, "official_date"),
        ({"identity_number": "123"}, "identity_number"),
        ({"birth_date": "not a date"}, "birth_date"),
        ({"organisation": "QN-SH-SK-01"}, "organisation"),  # outside the scope
        ({"organisation": "NOPE"}, "organisation"),
        ({"organisation": "KT-DG-DP"}, "organisation"),  # not a cell
    ],
)
def test_post_member_422_names_the_field_and_writes_nothing(tree, users, as_user, overrides, field):
    client = as_user("staff_kt")
    before = db_snapshot()
    response = client.post("/members", _new_member(**overrides))
    assert set(_errors(response)) == {field}
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert db_snapshot() == before


def test_post_member_with_a_missing_field_is_422(tree, users, as_user):
    client = as_user("staff_kt")
    before = db_snapshot()
    payload = _new_member()
    del payload["gender"]
    assert set(_errors(client.post("/members", payload))) == {"gender"}
    assert db_snapshot() == before


@pytest.mark.parametrize("user", ["sec1", "nobody", "staff_qn"])
def test_post_member_into_a_cell_one_does_not_manage_is_422_naming_it(tree, users, as_user, user):
    """The cell is input: one that the caller does not manage is not found among theirs,
    whether they can see it (sec1), nothing (nobody) or another province (staff_qn)."""
    client = as_user(user)
    before = db_snapshot()
    response = client.post("/members", _new_member(organisation="KT-DG-DP-01"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "organisation"]
    assert db_snapshot() == before


# --- POST /members/{id}/events -----------------------------------------------------------------


def test_post_event(tree, people, users, as_user):
    binh = people["binh"]
    response = as_user("staff_kt").post(
        f"/members/{binh.pk}/events",
        {"type": "exempted", "date": "2025-01-02", "decision_number": "01-QĐ/ĐU"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {
        k: body[k]
        for k in (
            "seq",
            "type",
            "date",
            "organisation",
            "from_organisation",
            "status_before",
            "status_after",
            "decision_number",
        )
    } == {
        "seq": 3,
        "type": "exempted",
        "date": "2025-01-02",
        "organisation": "KT-DG-DP-01",
        "from_organisation": "KT-DG-DP-01",
        "status_before": "official",
        "status_after": "official",
        "decision_number": "01-QĐ/ĐU",
    }
    binh.refresh_from_db()
    assert binh.exempted is True


def test_a_transfer_names_a_cell_within_the_scope_and_outside_it_nothing_is_told(
    tree, people, users, as_user
):
    """A receiving cell outside the sender's scope is not found, exactly as a code that does
    not exist (no oracle; the two-sided transfer between committees is the statistics issue's:
    decision 0009)."""
    client = as_user("staff_kt")
    before = db_snapshot()
    answers = [
        client.post(
            f"/members/{people['binh'].pk}/events",
            {"type": "transferred", "date": "2025-01-02", "organisation": code},
        )
        for code in ("QN-SH-SK-01", "XX-NOWHERE")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert db_snapshot() == before
    response = client.post(
        f"/members/{people['binh'].pk}/events",
        {"type": "transferred", "date": "2025-01-02", "organisation": "KT-DG-DP-02"},
    )
    assert response.status_code == 201
    assert (response.json()["from_organisation"], response.json()["organisation"]) == (
        "KT-DG-DP-01",
        "KT-DG-DP-02",
    )


def test_post_event_422_names_the_field_and_writes_nothing(tree, people, users, as_user):
    client = as_user("staff_kt")
    anh, hanh = people["anh"], people["hanh"]
    member_event_record(actor=None, member=people["cuong"], type="died", date=date(2025, 1, 1))
    cases = [
        (hanh, {"type": "recognised", "date": timezone.localdate().isoformat()}, "date"),
        (people["cuong"], {"type": "exempted", "date": "2025-02-01"}, "type"),
        (
            anh,
            {"type": "transferred", "date": "2025-02-01", "organisation": "NOPE"},
            "organisation",
        ),
        (
            anh,
            {"type": "transferred", "date": "2025-02-01", "organisation": "KT-DG-DP"},
            "organisation",
        ),
        (
            anh,
            {"type": "exempted", "date": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "date",
        ),
        (anh, {"type": "exempted", "date": "2017-01-01"}, "date"),
        (anh, {"type": "admitted", "date": "2025-02-01"}, "type"),
        (
            anh,
            {
                "type": "correction",
                "date": "2025-02-01",
                "corrects": people["binh"].events.last().pk,
            },
            "corrects",
        ),
        (anh, {"type": "exempted"}, "date"),
    ]
    for member, payload, field in cases:
        before = db_snapshot()
        response = client.post(f"/members/{member.pk}/events", payload)
        assert set(_errors(response)) == {field}, payload
        assert db_snapshot() == before


@pytest.mark.parametrize(
    ("user", "member", "status"),
    [
        ("sec1", "cuong", 404),  # another cell
        ("sec1", "hoa", 404),  # another province
        ("staff_qn", "anh", 404),
        ("nobody", "anh", 404),
        ("sec1", "anh", 404),  # visible, but a secretary does not record events
    ],
)
def test_post_event_outside_the_scope_is_refused_and_writes_nothing(
    people, users, as_user, user, member, status
):
    client = as_user(user)
    before = db_snapshot()
    response = client.post(
        f"/members/{people[member].pk}/events", {"type": "died", "date": "2025-01-01"}
    )
    assert response.status_code == status
    assert db_snapshot() == before


# --- reports -----------------------------------------------------------------------------------


def test_membership_report(tree, people, users, as_user):
    response = as_user("sec1").get("/reports/membership", {"org": "KT-DG-DP-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"]["code"] == "KT-DG-DP-01"
    assert body["as_of"] == timezone.localdate().isoformat()
    assert body["members"] == {"total": 3, "official": 2, "probationary": 1}
    assert body["women"] == {"count": 2, "percent": 66.67}
    assert body["ethnic_minority"] == {"count": 1, "percent": 33.33}
    assert body["religious"] == {"count": 0, "percent": 0.0}
    assert body["exempted"] == {"count": 0, "percent": 0.0}
    assert set(body["breakdowns"]) == {
        "ethnicity",
        "religion",
        "age_band",
        "admission_period",
        "education",
        "professional",
        "academic_title",
        "theory",
        "occupation",
    }
    assert body["youth_union"] == {"count": 0, "percent": 0.0}
    assert [(r["code"], r["count"], r["percent"]) for r in body["breakdowns"]["ethnicity"]] == [
        ("01", 2, 66.67),
        ("16", 1, 33.33),
    ]
    assert body["organisations"] == {
        "grassroots": 0,
        "by_kind": {"cell": 1},
        "by_grassroots_type": {},
    }
    assert AuditRecord.objects.filter(action="report.membership", actor=users.sec1).count() == 1


def test_membership_report_as_of_a_past_date(tree, people, users, as_user):
    staff = as_user("staff_kt")
    before_hanh = (timezone.localdate() - timedelta(days=101)).isoformat()
    body = staff.get("/reports/membership", {"org": "KT", "as_of": before_hanh}).json()
    assert body["members"] == {"total": 3, "official": 3, "probationary": 0}
    assert body["organisations"]["grassroots"] == 2
    response = staff.get(
        "/reports/membership",
        {"org": "KT", "as_of": (timezone.localdate() + timedelta(days=1)).isoformat()},
    )
    assert set(_errors(response)) == {"as_of"}


@pytest.mark.parametrize(
    ("user", "code"),
    [("sec1", "KT-DG-DP-02"), ("sec1", "KT-DG-DP"), ("staff_qn", "KT"), ("nobody", "KT-DG-DP-01")],
)
def test_membership_report_outside_the_scope_is_404_and_nothing_is_logged(
    people, users, as_user, user, code
):
    client = as_user(user)
    before = db_snapshot()
    assert client.get("/reports/membership", {"org": code}).status_code == 404
    assert db_snapshot() == before


def test_period_report(tree, people, users, as_user):
    make_member(tree.cell2, probationary=True, admission_date=date(2026, 2, 1))
    member_event_record(actor=None, member=people["cuong"], type="died", date=date(2026, 3, 1))
    query = {"org": "KT-DG-DP", "from": "2026-01-01", "to": "2026-06-30"}
    body = as_user("staff_kt").get("/reports/period", query).json()
    figures = (body["opening"], body["increase_total"], body["decrease_total"], body["closing"])
    assert figures == (3, 1, 1, 3)
    assert as_user("sec1").get("/reports/period", query).status_code == 404


# --- /members/{id}/attributes ------------------------------------------------------------------


def test_a_dated_attribute_changes_through_the_api_and_keeps_past_reports(
    tree, people, users, as_user
):
    binh = people["binh"]
    client = as_user("staff_kt")
    past = client.get("/reports/membership", {"org": "KT-DG", "as_of": "2024-06-30"}).json()
    response = client.post(
        f"/members/{binh.pk}/attributes",
        {
            "field": "theory_level",
            "value": "Cao cấp",  # by name, as a person types it
            "kind": "change",
            "valid_from": "2025-01-02",
            "source": "Bằng số 12/2025",
        },
    )
    assert response.status_code == 201, response.content
    assert {k: response.json()[k] for k in ("field", "value", "kind", "valid_from")} == {
        "field": "theory_level",
        "value": "advanced",
        "kind": "change",
        "valid_from": "2025-01-02",
    }
    again = client.get("/reports/membership", {"org": "KT-DG", "as_of": "2024-06-30"}).json()
    assert again["breakdowns"] == past["breakdowns"]
    history = client.get(f"/members/{binh.pk}/attributes").json()
    assert [(h["kind"], h["valid_from"]) for h in history] == [
        ("initial", None),
        ("change", "2025-01-02"),
    ]


@pytest.mark.parametrize("user", ["sec1", "staff_qn", "nobody"])
def test_a_dated_attribute_is_changed_only_by_who_manages_the_member(
    tree, people, users, as_user, user
):
    before = db_snapshot()
    response = as_user(user).post(
        f"/members/{people['binh'].pk}/attributes",
        {"field": "theory_level", "value": "advanced", "kind": "correction", "from_start": True},
    )
    assert response.status_code in (403, 404)
    # Nothing changes but the audit of the refusal.
    after = db_snapshot()
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }


# --- /reports/signed ---------------------------------------------------------------------------


def test_a_signed_report_is_kept_and_counted_again(tree, people, users, as_user):
    client = as_user("staff_kt")
    response = client.post(
        "/reports/signed",
        {"org": "KT-DG", "kind": "membership", "as_of": "2024-06-30", "signer": "Y Blong"},
    )
    assert response.status_code == 201, response.content
    signed = response.json()
    assert signed["as_of"] == "2024-06-30" and len(signed["digest"]) == 64
    again = client.get(f"/reports/signed/{signed['id']}").json()
    assert again["unchanged"] and again["differences"] == [] and again["recorded_since"] == []
    # An event recorded late, dated before the report's date, shows in the re-run.
    client.post(f"/members/{people['binh'].pk}/events", {"type": "died", "date": "2024-05-02"})
    again = client.get(f"/reports/signed/{signed['id']}").json()
    assert not again["unchanged"]
    total = next(d for d in again["differences"] if d["figure"] == "members.total")
    assert total["now"] == total["signed"] - 1
    assert [r["what"] for r in again["recorded_since"]] == ["event died"]
    listed = client.get("/reports/signed", {"org": "KT-DG"}).json()
    assert [s["id"] for s in listed] == [signed["id"]]


def test_a_secretary_cannot_sign_and_nothing_is_kept(tree, users, as_user):
    response = as_user("sec1").post(
        "/reports/signed", {"org": "KT-DG-DP-01", "kind": "membership", "signer": "A"}
    )
    assert response.status_code == 422
    assert not SignedReport.objects.exists()
