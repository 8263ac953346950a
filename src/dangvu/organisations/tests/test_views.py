"""The organisation pages: the tree, an organisation's page, and the forms with which
organisation-board staff keep the tree (add, rename, move, merge, dissolve)."""

import pytest
from django.test import Client

from dangvu.organisations.models import Organisation, OrganisationLink
from dangvu.stats.selectors import membership_figures
from dangvu.testing.factories import counters, db_snapshot

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_tree_and_a_page_show_children_members_and_figures(tree, users, make_member):
    make_member(tree.cell1, full_name="Y Blưm")
    client = _client(users.staff_kt)
    assert tree.province.name in client.get("/organisations/").content.decode()
    children = client.get(f"/organisations/{tree.district.code}/children/").content.decode()
    assert tree.committee.name in children
    page = client.get(f"/organisations/{tree.committee.code}/").content.decode()
    assert tree.cell1.name in page and "Y Blưm" in page
    assert "Số liệu chính" in page


def test_staff_add_an_organisation_under_another(tree, users):
    response = _client(users.staff_kt).post(
        f"/organisations/{tree.committee.code}/new-child/",
        {"code": "KT-NEW", "name": "Chi bộ thôn Mới", "kind": "cell", "valid_from": "2024-01-01"},
    )
    new = Organisation.objects.get(code="KT-NEW")
    assert response.status_code == 302 and response["Location"] == "/organisations/KT-NEW/"
    assert new.path.startswith(tree.committee.path)
    assert counters(tree.province)[("org_kind", "cell")] == 3


def test_a_cell_cannot_receive_an_organisation_and_nothing_is_written(tree, users):
    before = db_snapshot()
    page = _client(users.staff_kt).post(
        f"/organisations/{tree.cell1.code}/new-child/",
        {"code": "KT-BAD", "name": "Tổ đảng", "kind": "cell", "valid_from": "2024-01-01"},
    )
    assert page.status_code == 200
    assert "Chi bộ không thể có tổ chức đảng trực thuộc." in page.content.decode()
    assert db_snapshot() == before
    assert not Organisation.objects.filter(code="KT-BAD").exists()


def test_rename_keeps_the_old_name_for_earlier_dates(tree, users, make_member):
    make_member(tree.cell1)
    old_name = tree.committee.name
    _client(users.staff_kt).post(
        f"/organisations/{tree.committee.code}/rename/",
        {"name": "Đảng ủy xã Đăk Pék (mới)", "on": "2025-07-01", "decision_number": "01-QĐ"},
    )
    tree.committee.refresh_from_db()
    assert tree.committee.name == "Đảng ủy xã Đăk Pék (mới)"
    from datetime import date

    assert membership_figures(tree.committee, date(2025, 6, 30))["organisation"]["name"] == old_name


def test_move_and_merge_only_into_organisations_one_manages(tree, users, make_member):
    make_member(tree.cell1)
    client = _client(users.staff_kt)
    before = db_snapshot()
    # Quảng Ngãi is outside Kon Tum staff's scope: the form says so and nothing moves.
    page = client.post(
        f"/organisations/{tree.cell1.code}/move/",
        {"parent": tree.committee2.code, "on": "2025-07-01"},
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert db_snapshot() == before
    # Merging cell1 into cell2 inside the scope: first the consequences, nothing written...
    data = {"target": tree.cell2.code, "on": "2025-07-01", "decision_number": "02-QĐ"}
    page = client.post(f"/organisations/{tree.cell1.code}/merge/", data)
    text = page.content.decode()
    assert page.status_code == 200 and 'name="confirmed"' in text
    assert "01/07/2025" in text and tree.cell2.name in text
    assert any("1 " in line for line in page.context["consequences"])  # its one member
    assert db_snapshot() == before
    # ... "Change the details" goes back to the form with the values, still nothing written...
    page = client.post(f"/organisations/{tree.cell1.code}/merge/", {**data, "edit": "1"})
    assert 'name="confirmed"' not in page.content.decode() and db_snapshot() == before
    # ... then the merge, once confirmed, keeps the lineage.
    response = client.post(f"/organisations/{tree.cell1.code}/merge/", {**data, "confirmed": "1"})
    assert response.status_code == 302
    assert OrganisationLink.objects.filter(
        source=tree.cell1, target=tree.cell2, kind="merged_into"
    ).exists()
    assert counters(tree.cell2)[("members", "total")] == 1


def test_dissolve_is_refused_while_members_remain(tree, users, make_member):
    make_member(tree.cell1)
    before = db_snapshot()
    client = _client(users.staff_kt)
    url = f"/organisations/{tree.cell1.code}/dissolve/"
    # The confirmation warns that members remain; confirming anyway is refused.
    page = client.post(url, {"on": "2025-07-01"})
    assert len(page.context["consequences"]) == 3  # the third: members remain
    page = client.post(url, {"on": "2025-07-01", "confirmed": "1"})
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert db_snapshot() == before


def test_secretaries_and_committee_members_cannot_change_the_tree(tree, users):
    client = _client(users.sec1)
    before = db_snapshot()
    for action in ("new-child", "rename", "move", "merge", "dissolve"):
        assert client.get(f"/organisations/{tree.cell1.code}/{action}/").status_code == 404
        assert (
            client.post(
                f"/organisations/{tree.cell1.code}/{action}/", {"on": "2025-07-01", "name": "x"}
            ).status_code
            == 404
        )
    assert db_snapshot() == before
