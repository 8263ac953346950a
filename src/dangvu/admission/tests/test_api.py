"""The admission pipeline through the API: a case from identified to recognised official, the
refusals as 422 naming the reason, scope, targets and the development report."""

from datetime import date

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.services import Introducer, target_set
from dangvu.members.choices import Status
from dangvu.members.models import Member
from dangvu.stats.consistency import consistency_check
from dangvu.testing.factories import stored_rows, stored_rows_diff

PERSON = {
    "full_name": "Y Mai",
    "birth_date": "1999-04-02",
    "gender": "F",
    "ethnicity": "16",
    "education": "lower_secondary",
    "occupation": "farmer",
}


@pytest.fixture
def cell(tree, make_member):
    for _i in range(3):
        make_member(tree.cell1)
    return tree.cell1


def _officials(cell):
    return list(
        Member.objects.filter(organisation=cell, status=Status.OFFICIAL)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _post(client, cid, body, status=201):
    r = client.post(f"/candidates/{cid}/transitions", body)
    assert r.status_code == status, r.json()
    return r.json()


def test_candidate_goes_from_identified_to_official_through_the_api(cell, users, api_client, tree):
    staff = api_client(users.staff_kt)
    r = staff.post(
        "/candidates",
        PERSON | {"organisation": cell.code, "date": "2024-01-10", "proposed_by": "youth_union"},
    )
    assert r.status_code == 201, r.json()
    cid = r.json()["id"]
    assert r.json()["stage"] == "identified"
    a, b, _c = _officials(cell)
    _post(staff, cid, {"step": "class_passed", "date": "2024-03-01", "certificate_number": "1"})
    _post(staff, cid, {"step": "applied", "date": "2024-04-01"})
    _post(staff, cid, {"step": "cv_verified", "date": "2024-05-02"})
    intro = [{"member": a, "since": "2022-01-01"}, {"member": b, "since": "2022-01-01"}]
    _post(staff, cid, {"step": "introduced", "date": "2024-06-03", "introducers": intro})
    _post(staff, cid, {"step": "cell_resolved", "date": "2024-06-20", "votes_for": 3})
    _post(
        staff,
        cid,
        {"step": "committee_resolved", "date": "2024-07-01", "document_number": "15-NQ/ĐU"},
    )
    out = _post(
        staff, cid, {"step": "admitted", "date": "2024-08-01", "decision_number": "123-QĐ/HU"}
    )
    member_id = out["member"]
    m = staff.get(f"/members/{member_id}").json()
    assert m["status"] == "probationary" and [e["type"] for e in m["events"]] == ["admitted"]
    report = staff.get(f"/reports/membership?org={cell.code}").json()
    assert report["members"]["probationary"] == 1
    _post(staff, cid, {"step": "ceremony", "date": "2024-08-20"})
    out = _post(
        staff,
        cid,
        {
            "step": "recognised",
            "date": "2025-08-21",
            "votes_for": 3,
            "votes_total": 3,
            "decision_number": "301-QĐ/HU",
        },
    )
    assert out["stage"] == "recognised" and len(out["steps"]) == 10
    m = staff.get(f"/members/{member_id}").json()
    assert m["status"] == "official" and m["official_date"] == "2025-08-20"
    assert [e["type"] for e in m["events"]] == ["admitted", "recognised"]
    report = staff.get(f"/reports/membership?org={cell.code}").json()
    assert (report["members"]["probationary"], report["members"]["official"]) == (0, 4)
    assert consistency_check() == []


@pytest.mark.parametrize(
    "setup, body, field",
    [
        # Wrong order: the awareness class comes first.
        ([], {"step": "applied", "date": "2024-04-01"}, "step"),
        # One introducer only.
        (
            ["class_passed", "applied", "cv_verified"],
            {"step": "introduced", "date": "2024-06-03", "introducers": "ONE"},
            "introducers",
        ),
        # Vote below two thirds.
        (
            ["class_passed", "applied", "cv_verified", "introduced"],
            {"step": "cell_resolved", "date": "2024-06-20", "votes_for": 1, "votes_total": 3},
            "votes_for",
        ),
        # Recognition before 12 months of probation.
        (
            [
                "class_passed",
                "applied",
                "cv_verified",
                "introduced",
                "cell_resolved",
                "committee",
                "admitted",
                "ceremony",
            ],
            {"step": "recognised", "date": "2025-08-01", "votes_for": 3, "decision_number": "9"},
            "date",
        ),
        # A ceremony past its limit (30 working days after receiving the decision).
        (
            [
                "class_passed",
                "applied",
                "cv_verified",
                "introduced",
                "cell_resolved",
                "committee",
                "admitted",
            ],
            {"step": "ceremony", "date": "2024-10-01"},
            "date",
        ),
    ],
)
def test_refused_transitions_answer_422_naming_the_reason(
    cell, users, api_client, setup, body, field
):
    staff = api_client(users.staff_kt)
    cid = staff.post(
        "/candidates", PERSON | {"organisation": cell.code, "date": "2024-01-10"}
    ).json()["id"]
    a, b, _c = _officials(cell)
    steps = {
        "class_passed": {"step": "class_passed", "date": "2024-03-01", "certificate_number": "1"},
        "applied": {"step": "applied", "date": "2024-04-01"},
        "cv_verified": {"step": "cv_verified", "date": "2024-05-02"},
        "introduced": {
            "step": "introduced",
            "date": "2024-06-03",
            "introducers": [
                {"member": a, "since": "2022-01-01"},
                {"member": b, "since": "2022-01-01"},
            ],
        },
        "cell_resolved": {"step": "cell_resolved", "date": "2024-06-20", "votes_for": 3},
        "committee": {"step": "committee_resolved", "date": "2024-07-01", "document_number": "1"},
        "admitted": {"step": "admitted", "date": "2024-08-01", "decision_number": "2"},
        "ceremony": {"step": "ceremony", "date": "2024-08-20"},
    }
    for name in setup:
        _post(staff, cid, steps[name])
    if body.get("introducers") == "ONE":
        body = body | {"introducers": [{"member": a, "since": "2022-01-01"}]}
    before = stored_rows()
    errors = _post(staff, cid, body, status=422)["errors"]
    assert field in errors and errors[field][0]
    assert stored_rows_diff(before, stored_rows()) == []


def test_certificate_expired_answers_422(cell, users, api_client):
    staff = api_client(users.staff_kt)
    cid = staff.post(
        "/candidates", PERSON | {"organisation": cell.code, "date": "2018-01-10"}
    ).json()["id"]
    a, b, _c = _officials(cell)
    _post(staff, cid, {"step": "class_passed", "date": "2018-03-01", "certificate_number": "7"})
    _post(staff, cid, {"step": "applied", "date": "2024-04-01"})
    _post(staff, cid, {"step": "cv_verified", "date": "2024-05-02"})
    intro = [{"member": a, "since": "2022-01-01"}, {"member": b, "since": "2022-01-01"}]
    _post(staff, cid, {"step": "introduced", "date": "2024-06-03", "introducers": intro})
    errors = _post(
        staff, cid, {"step": "cell_resolved", "date": "2024-06-20", "votes_for": 3}, status=422
    )["errors"]
    assert "01/03/2023" in errors["certificate"][0]


def test_a_secretary_records_the_cells_steps_but_not_the_decision(cell, users, api_client):
    sec = api_client(users.sec1)
    cid = sec.post(
        "/candidates", PERSON | {"organisation": cell.code, "date": "2024-01-10"}
    ).json()["id"]
    _post(sec, cid, {"step": "class_passed", "date": "2024-03-01", "certificate_number": "1"})
    # Another cell's secretary does not see the case at all.
    other = api_client(users.sec2)
    assert other.get(f"/candidates/{cid}").status_code == 404
    assert (
        other.post(
            f"/candidates/{cid}/transitions", {"step": "applied", "date": "2024-04-01"}
        ).status_code
        == 404
    )
    assert api_client(users.staff_qn).get(f"/candidates/{cid}").status_code == 404
    listed = sec.get("/candidates").json()
    assert [c["id"] for c in listed] == [cid]
    # The decision is the competent committee's, recorded by its board: refused to the cell.
    from dangvu.admission.models import Candidate
    from dangvu.admission.services import StepInput, candidate_step

    a, b, _c = _officials(cell)
    case = Candidate.objects.get(pk=cid)
    for step, day, kw in (
        ("applied", date(2024, 4, 1), {}),
        ("cv_verified", date(2024, 5, 2), {}),
        (
            "introduced",
            date(2024, 6, 3),
            {
                "introducers": tuple(
                    Introducer(Member.objects.get(pk=pk), date(2022, 1, 1)) for pk in (a, b)
                )
            },
        ),
        ("cell_resolved", date(2024, 6, 20), {"votes_for": 3, "votes_total": 3}),
        ("committee_resolved", date(2024, 7, 1), {"document_number": "15-NQ/ĐU"}),
    ):
        case = candidate_step(
            actor=users.sec1, candidate=case, step=StepInput(step=step, date=day, **kw)
        )
    before = stored_rows()
    errors = _post(
        sec, cid, {"step": "admitted", "date": "2024-08-01", "decision_number": "1"}, status=422
    )["errors"]
    assert "step" in errors and stored_rows_diff(before, stored_rows()) == []
    _post(
        api_client(users.staff_kt),
        cid,
        {"step": "admitted", "date": "2024-08-01", "decision_number": "1"},
    )


def test_targets_count_admissions_from_events(tree, cell, users, api_client, make_member):
    target_set(
        actor=SYSTEM,
        organisation=tree.district,
        term_start=date(2020, 8, 1),
        term_end=date(2025, 7, 31),
        total=10,
        ethnic_minority=6,
        by_year={2021: 2},
    )
    make_member(
        tree.cell1, admission_date=date(2021, 3, 1), ethnicity="16", birth_date=date(1998, 1, 1)
    )
    make_member(tree.cell2, admission_date=date(2022, 3, 1), ethnicity="01")
    make_member(tree.gcell, admission_date=date(2019, 3, 1))  # before the term
    r = api_client(users.staff_kt).get(f"/targets?org={tree.district.code}")
    assert r.status_code == 200, r.json()
    (t,) = r.json()
    assert (t["target"], t["admitted"], t["percent"]) == (10, 2, 20.0)
    assert t["ethnic_minority"] == {"admitted": 1, "target": 6, "percent": 16.67}
    assert t["youth"]["admitted"] == 1
    assert {y["year"]: y["admitted"] for y in t["years"]}[2021] == 1
    assert t["forecast"] == 2 and t["term_elapsed_percent"] == 100.0
    children = {c["code"]: c["admitted"] for c in t["children"]}
    assert children[tree.committee.code] == 2 and children[tree.gcell.code] == 0
    assert api_client(users.staff_qn).get(f"/targets?org={tree.district.code}").status_code == 404


def test_development_report_counts_admissions(tree, cell, users, api_client, make_member):
    make_member(tree.cell1, admission_date=date(2023, 3, 1), ethnicity="16", gender="F")
    r = api_client(users.staff_kt).get(
        f"/reports/development?org={tree.district.code}&from=2023-01-01&to=2023-12-31"
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["admitted"] == 1 and body["women"]["count"] == 1
    assert {p["stage"] for p in body["pipeline"]} >= {"identified", "probation"}


def test_a_case_is_corrected_through_the_api_as_on_its_page(cell, users, api_client):
    """Only the fields given change; a bad value or an unknown field is a 422 naming it and
    writes nothing; after the decision the particulars are the member's; another province's
    staff do not see the case."""
    from dangvu.testing.factories import db_snapshot

    staff = api_client(users.staff_kt)
    cid = staff.post("/candidates", PERSON | {"organisation": cell.code, "date": "2024-01-10"})
    cid = cid.json()["id"]
    r = staff.post(f"/candidates/{cid}/record", {"hometown": "Xã Đăk Pék", "note": "Đã xác minh"})
    assert r.status_code == 200, r.json()
    assert (r.json()["hometown"], r.json()["note"], r.json()["full_name"]) == (
        "Xã Đăk Pék",
        "Đã xác minh",
        "Y Mai",
    )
    other = api_client(users.staff_qn)
    before = db_snapshot()
    for body, field in (
        ({"birth_date": "2090-01-01"}, "birth_date"),
        ({"ethnicity": "Sao Hỏa"}, "ethnicity"),
        ({"stage": "admitted"}, "stage"),  # steps are recorded, not edited
    ):
        r = staff.post(f"/candidates/{cid}/record", body)
        assert r.status_code == 422 and field in str(r.json()["errors"]), r.json()
    assert other.post(f"/candidates/{cid}/record", {"note": "x"}).status_code == 404
    assert db_snapshot() == before
