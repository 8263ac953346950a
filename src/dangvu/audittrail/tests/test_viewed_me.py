"""A member signed in sees who viewed or exported their personal particulars: each view of their
record by someone else, each list that showed them, each export with particulars of an
organisation holding them; never their own reads, never another member's."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvu.accounts.scoping import release_sensitive
from dangvu.interchange.exports import members_export
from dangvu.members.services import member_link_user
from dangvu.testing.factories import db_snapshot, make_user

pytestmark = pytest.mark.django_db

REASON = "Rà soát đảng viên người dân tộc thiểu số"


@pytest.fixture
def me(tree, users, make_member):
    """A member of cell 1 with a sign-in of their own (role `member`), and staff_kt named."""
    users.staff_kt.first_name = "Trần Thị Lan"
    users.staff_kt.save()
    m = make_member(tree.cell1, actor=users.staff_kt)
    user = make_user("dangvien-thu", role="member", org=tree.cell1, include_descendants=False)
    member_link_user(actor=users.staff_kt, member=m, user=user)
    m.refresh_from_db()
    return m, user


def _export(actor, org, columns=("full_name", "ethnicity")):
    out, _count, _name = members_export(
        actor=actor, org=org, fmt="csv", columns=list(columns), reason=REASON
    )
    out.close()


def test_a_member_sees_views_and_exports_of_their_particulars_by_others(
    client, users, tree, me, make_member, api_client
):
    m, user = me
    make_member(tree.cell1, actor=users.staff_kt)  # the list shows two members
    client.force_login(users.staff_kt)
    assert client.get(f"/members/{m.pk}/").status_code == 200  # their page: one view
    assert client.get("/members/", {"org": tree.cell1.code}).status_code == 200  # a list
    _export(users.staff_kt, tree.committee)  # a list holding them, with ethnicity

    api = api_client(user)
    answer = api.get("/me/views")
    assert answer.status_code == 200
    views = answer.json()
    assert [(v["kind"], v["via"]) for v in views] == [
        ("export", "web"),
        ("view", "list"),
        ("view", "page"),
    ]
    export = views[0]
    assert export["viewer"] == "Trần Thị Lan" and "staff_kt" not in answer.content.decode()
    assert export["viewer_role"].endswith("Tỉnh ủy Kon Tum")
    assert export["organisation"] == tree.committee.name
    assert export["reason"] == REASON
    assert export["rows"] == 2
    assert len(export["fields"]) == 1  # ethnicity, by its label

    client.force_login(user)
    html = client.get("/audit/me/").content.decode()
    assert REASON in html and "Trần Thị Lan" in html and tree.committee.name in html
    assert html.count('<li><div class="history-head">') == 3


def test_their_own_views_and_lists_without_them_are_not_theirs(
    client, users, tree, me, make_member, api_client
):
    m, user = me
    other = make_member(tree.cell2, actor=users.staff_kt)
    client.force_login(user)
    assert client.get(f"/members/{m.pk}/").status_code == 200  # their own view
    release_sensitive(users.staff_kt, [other], via="page")  # someone else's page
    _export(users.staff_kt, tree.cell2)  # a list without them
    _export(users.staff_kt, tree.cell1, columns=("full_name", "gender"))  # no particulars
    assert api_client(user).get("/me/views").json() == []


def test_a_member_never_sees_another_member_s_views(client, users, tree, me, make_member):
    m, user = me
    other = make_member(tree.cell1, actor=users.staff_kt)
    other_user = make_user("dangvien-khac", role="member", org=tree.cell1)
    member_link_user(actor=users.staff_kt, member=other, user=other_user)
    release_sensitive(users.staff_kt, [m], via="page")
    client.force_login(other_user)
    html = client.get("/audit/me/").content.decode()
    assert 'id="views-of-me"' not in html
    client.force_login(user)
    assert 'id="views-of-me"' in client.get("/audit/me/").content.decode()


def test_the_member_page_links_to_it_for_its_own_member_only(client, users, me):
    m, user = me
    client.force_login(user)
    assert 'href="/audit/me/"' in client.get(f"/members/{m.pk}/").content.decode()
    client.force_login(users.staff_kt)
    assert 'href="/audit/me/"' not in client.get(f"/members/{m.pk}/").content.decode()


def test_a_sign_in_without_a_record_has_no_list_and_reads_writes_nothing(client, users, api_client):
    api = api_client(users.staff_kt)
    client.force_login(users.staff_kt)
    snapshot = db_snapshot()
    assert api.get("/me/views").json() == []
    html = client.get("/audit/me/").content.decode()
    assert 'id="views-of-me"' not in html
    assert db_snapshot() == snapshot


def test_the_file_holds_the_rows_of_the_json(users, tree, me, api_client):
    m, user = me
    release_sensitive(users.staff_kt, [m], via="api")
    _export(users.staff_kt, tree.province)
    api = api_client(user)
    items = api.get("/me/views").json()
    response = api.get("/me/views", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + len(items) == 3
    assert [(r[1], r[6], r[8]) for r in rows[1:]] == [
        (i["viewer"], i["organisation"], i["reason"]) for i in items
    ]


def test_the_page_s_queries_do_not_grow_with_the_views(client, users, tree, me):
    m, user = me
    client.force_login(user)
    counts = []
    for n in (2, 8):
        for _ in range(n):
            release_sensitive(users.staff_kt, [m], via="page")
            _export(users.staff_kt, tree.cell1)
        client.get("/audit/me/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/me/").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == 12, counts


def test_the_export_page_asks_a_reason_for_ethnicity_and_the_member_then_sees_it(
    client, users, tree, me, api_client
):
    m, user = me
    client.force_login(users.staff_kt)
    form = {
        "org": tree.cell1.code,
        "status": "active",
        "columns": ["full_name", "ethnicity"],
        "format": "csv",
    }
    snapshot = db_snapshot()
    refused = client.post("/interchange/export/", {**form, "reason": "vì"})
    assert refused.status_code == 200 and 'id="export-form"' in refused.content.decode()
    assert "reason" in refused.context["form"].errors
    assert db_snapshot() == snapshot
    assert api_client(user).get("/me/views").json() == []

    served = client.post("/interchange/export/", {**form, "reason": REASON})
    assert served.status_code == 200 and served["Content-Type"].startswith("text/csv")
    [export] = api_client(user).get("/me/views").json()
    assert (export["kind"], export["reason"], export["organisation"]) == (
        "export",
        REASON,
        tree.cell1.name,
    )
