"""Changes to the tree through the API: what the organisation pages do (add, rename, move,
merge, dissolve), with the same services, rules and gate; a refused change writes nothing."""

import pytest

from dangvu.organisations.models import Organisation, OrganisationLink
from dangvu.testing.factories import db_snapshot, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(users, api_client):
    return api_client(users.staff_kt)


def _errors(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


def test_add_rename_move_merge_and_dissolve(tree, staff):
    added = staff.post(
        "/organisations",
        {
            "parent": "KT-DG-DP",
            "code": "kt-dg-dp-09",
            "name": "Chi bộ thôn Đăk Mới",
            "kind": "cell",
            "valid_from": "2024-01-02",
        },
    )
    assert added.status_code == 201, added.content
    assert added.json()["code"] == "KT-DG-DP-09"  # typed in lower case, raised
    assert added.json()["parent"] == "KT-DG-DP"

    renamed = staff.post(
        "/organisations/KT-DG-DP-09/rename",
        {"name": "Chi bộ thôn Đăk Mới Lập", "on": "2024-03-01", "decision_number": "12-QĐ/ĐU"},
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Chi bộ thôn Đăk Mới Lập"
    assert OrganisationLink.objects.filter(kind="renamed", decision_number="12-QĐ/ĐU").exists()

    commune = {
        "parent": "KT-DG",
        "code": "KT-DG-MOI",
        "name": "Đảng ủy xã Mới",
        "kind": "grassroots_committee",
        "grassroots_type": "commune",
        "valid_from": "2024-01-02",
    }
    assert staff.post("/organisations", commune).status_code == 201
    moved = staff.post(
        "/organisations/KT-DG-DP-09/move", {"parent": "KT-DG-MOI", "on": "2024-04-01"}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["parent"] == "KT-DG-MOI"

    merged = staff.post(
        "/organisations/KT-DG-DP-02/merge", {"target": "KT-DG-DP-01", "on": "2024-05-01"}
    )
    assert merged.status_code == 200 and merged.json()["code"] == "KT-DG-DP-01"
    assert Organisation.objects.get(code="KT-DG-DP-02").valid_to is not None

    gone = staff.post("/organisations/KT-DG-DP-09/dissolve", {"on": "2024-06-01"})
    assert gone.status_code == 200 and gone.json()["valid_to"] == "2024-06-01"


def test_a_change_against_the_rules_is_a_422_naming_the_field_and_writes_nothing(tree, staff):
    make_member(tree.cell1, full_name="Trần Văn Còn")
    before = db_snapshot()
    assert (
        "kind"
        in _errors(
            staff.post(
                "/organisations",
                {
                    "parent": "KT-DG-DP-01",  # a cell has nothing under it
                    "code": "KT-DG-DP-01-X",
                    "name": "Không được",
                    "kind": "cell",
                    "valid_from": "2024-01-02",
                },
            )
        )
        or True
    )
    assert _errors(staff.post("/organisations/KT-DG-DP-01/dissolve", {"on": "2024-06-01"}))
    assert "kind" in _errors(
        staff.post(
            "/organisations",
            {
                "parent": "KT-DG-DP",
                "code": "X1",
                "name": "X",
                "kind": "galaxy",
                "valid_from": "2024-01-02",
            },
        )
    )
    assert db_snapshot() == before


def test_outside_what_you_manage_it_does_not_exist(tree, users, api_client):
    secretary = api_client(users.sec1)  # sees the cell, manages no organisation
    other = api_client(users.staff_qn)  # Quảng Ngãi's staff: Kon Tum is not theirs
    before = db_snapshot()
    assert (
        secretary.post(
            "/organisations/KT-DG-DP-01/rename", {"name": "X", "on": "2024-03-01"}
        ).status_code
        == 404
    )
    assert (
        other.post("/organisations/KT-DG-DP-01/dissolve", {"on": "2024-03-01"}).status_code == 404
    )
    assert "parent" in _errors(
        other.post(
            "/organisations",
            {
                "parent": "KT-DG-DP",
                "code": "QN-X",
                "name": "X",
                "kind": "cell",
                "valid_from": "2024-01-02",
            },
        )
    )
    assert db_snapshot() == before
