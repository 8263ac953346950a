"""The audit trail for staff: a change shows with its before and after on the page and in the
API; only the records of one's subtrees, whatever the filter asks; each filter narrows; the
file holds the JSON's rows; the page's queries do not grow with its records."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangvu.accounts.scoping import release_sensitive
from dangvu.audit.models import AuditRecord
from dangvu.members.services import member_update
from dangvu.testing.factories import db_snapshot

pytestmark = pytest.mark.django_db


def _page(client, **query):
    response = client.get("/audit/", query)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _ids(api, **query) -> list[int]:
    response = api.get("/audit", {"limit": 500, **query})
    assert response.status_code == 200, response.content[:300]
    return [r["id"] for r in response.json()]


@pytest.fixture
def changed(tree, users, make_member):
    """A member of cell 1 whose hometown staff_kt changed."""
    m = make_member(tree.cell1, actor=users.staff_kt, hometown="Xã Cũ Trước")
    member_update(actor=users.staff_kt, member=m, data={"hometown": "Xã Mới Sau"})
    return m


def test_a_change_to_a_member_shows_on_the_page_and_in_the_api_with_before_and_after(
    client, users, changed, api_client
):
    client.force_login(users.staff_kt)
    html = _page(client)
    assert "Xã Cũ Trước" in html and "Xã Mới Sau" in html
    assert changed.full_name in html and f'href="/members/{changed.pk}/"' in html

    answer = api_client(users.staff_kt).get(
        "/audit", {"object_type": "member", "object_id": str(changed.pk), "kind": "changes"}
    )
    assert answer.status_code == 200
    [update, create] = answer.json()
    assert update["action"] == "member.update"
    assert update["actor_id"] == users.staff_kt.pk
    assert update["object"] == changed.full_name
    assert {"before": "Xã Cũ Trước", "after": "Xã Mới Sau"}.items() <= update["changes"][0].items()
    assert "Xã Cũ Trước → Xã Mới Sau" in update["summary"]
    assert create["action"] == "member.create"


def test_the_member_page_links_to_its_whole_history(client, users, changed):
    client.force_login(users.staff_kt)
    page = client.get(f"/members/{changed.pk}/").content.decode()
    assert f"/audit/?object_type=member&amp;object_id={changed.pk}&amp;kind=" in page
    html = _page(client, object_type="member", object_id=str(changed.pk), kind="")
    assert "Xã Mới Sau" in html


def test_particulars_changed_show_on_the_page_to_who_may_see_them_recorded_never_in_the_api(
    client, users, tree, make_member, api_client
):
    m = make_member(tree.cell1, actor=users.staff_kt, ethnicity="01")
    member_update(actor=users.staff_kt, member=m, data={"ethnicity": "16"})  # Kinh -> Xơ-đăng
    client.force_login(users.staff_kt)
    before = AuditRecord.objects.filter(action="member.sensitive_view").count()
    html = _page(client, object_type="member", object_id=str(m.pk))
    assert "Xơ-đăng" in html
    released = AuditRecord.objects.filter(action="member.sensitive_view").order_by("-id")
    assert released.count() == before + 1
    assert released[0].after["via"] == "audit" and released[0].object_id == str(m.pk)

    answer = api_client(users.staff_kt).get(
        "/audit", {"object_type": "member", "object_id": str(m.pk), "action": "member.update"}
    )
    [update] = answer.json()
    assert "Xơ-đăng" not in answer.content.decode()
    assert update["changes"][0]["after"] == update["changes"][0]["before"] != "Xơ-đăng"


def test_staff_of_another_province_see_nothing_of_it_even_by_its_ids(
    client, users, changed, tree, api_client
):
    client.force_login(users.staff_qn)
    for query in ({}, {"object_type": "member", "object_id": str(changed.pk), "kind": ""}):
        html = _page(client, **query)
        assert changed.full_name not in html and "Xã Mới Sau" not in html
    api = api_client(users.staff_qn)
    assert _ids(api, object_type="member", object_id=str(changed.pk)) == []
    assert api.get("/audit", {"org": tree.province.code}).status_code == 404
    assert api.get("/audit", {"org": tree.cell1.code}).status_code == 404
    mine = AuditRecord.objects.filter(org_path__startswith=tree.province2.path)
    assert set(_ids(api)) == set(mine.values_list("pk", flat=True))


@pytest.mark.parametrize("who", ["sec1", "nobody"])
def test_without_audit_view_there_is_no_audit_trail(client, users, changed, api_client, who):
    user = getattr(users, who)
    client.force_login(user)
    api = api_client(user)
    snapshot = db_snapshot()
    assert client.get("/audit/").status_code == 404
    assert api.get("/audit").status_code == 404
    assert db_snapshot() == snapshot


def test_the_navigation_offers_the_log_to_who_holds_audit_view_only(client, users):
    client.force_login(users.staff_kt)
    assert 'href="/audit/"' in client.get("/members/").content.decode()
    client.force_login(users.sec1)
    assert 'href="/audit/"' not in client.get("/members/").content.decode()


def test_an_administrator_reads_everything_records_about_no_organisation_included(
    users, changed, api_client
):
    api = api_client(users.admin)
    ids = set(_ids(api))
    assert ids == set(AuditRecord.objects.values_list("pk", flat=True))
    assert AuditRecord.objects.filter(pk__in=ids, org_path="").exists()  # user.create…


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def story(tree, users, make_member):
    """Members of cell 1 and cell 2, made by staff_kt and by the administrator; one viewed."""
    users.staff_kt.first_name = "Trần Thị Lan"
    users.staff_kt.save()
    a = make_member(tree.cell1, actor=users.staff_kt)
    b = make_member(tree.cell2, actor=users.admin)
    release_sensitive(users.staff_kt, [a], via="page")
    return a, b


def _records(**lookup) -> set[int]:
    return set(AuditRecord.objects.filter(**lookup).values_list("pk", flat=True))


def test_each_filter_narrows_to_its_records(users, tree, story, api_client):
    a, b = story
    api = api_client(users.staff_kt)
    kt = _records(org_path__startswith=tree.province.path)
    assert set(_ids(api)) == kt
    assert set(_ids(api, org=tree.cell2.code)) == _records(org_path__startswith=tree.cell2.path)
    assert set(_ids(api, actor=users.admin.pk)) == kt & _records(actor=users.admin)
    for who in ("staff_kt", "Lan", "trần thị lan"):
        assert set(_ids(api, who=who)) == kt & _records(actor=users.staff_kt), who
    assert _ids(api, who="Không Có Ai") == []
    assert set(_ids(api, object_type="member")) == kt & _records(object_type="member")
    assert set(_ids(api, object_type="member", object_id=str(b.pk))) == _records(
        object_type="member", object_id=str(b.pk)
    )
    assert set(_ids(api, action="member.create")) == kt & _records(action="member.create")
    assert set(_ids(api, action="member.event.")) == kt & _records(
        action__startswith="member.event."
    )
    assert set(_ids(api, kind="reads")) == {
        r.pk for r in AuditRecord.objects.filter(action="member.sensitive_view", object_id=a.pk)
    }
    assert set(_ids(api, kind="changes")) == kt - set(_ids(api, kind="reads"))
    today = timezone.localdate()
    assert set(_ids(api, date_from=today, date_to=today)) == kt
    assert _ids(api, date_to=today - timedelta(days=1)) == []
    assert _ids(api, date_from=today + timedelta(days=1)) == []


def test_the_page_filters_as_the_api_and_says_what_is_wrong(client, users, tree, story):
    a, b = story
    client.force_login(users.staff_kt)
    html = _page(client, org=tree.cell2.code, kind="")
    assert b.full_name in html and a.full_name not in html
    html = _page(client, who="Lan", kind="")
    assert a.full_name in html and b.full_name not in html
    html = _page(client, actor=users.admin.pk, kind="")
    assert b.full_name in html and a.full_name not in html
    html = _page(client, date_from="2024-06-02", date_to="2024-06-01")
    assert a.full_name not in html and 'id="audit-records"' not in html
    assert "date_to" in html  # the field with the error is shown again


def test_pages_go_back_in_time_by_keyset(client, users, tree, make_member, api_client):
    for _ in range(4):
        make_member(tree.cell1, actor=users.staff_kt)
    api = api_client(users.staff_kt)
    every = _ids(api, kind="changes")
    first = _ids(api, kind="changes", limit=3)
    second = _ids(api, kind="changes", limit=3, before=first[-1])
    assert first + second == every[:6]
    client.force_login(users.staff_kt)
    html = client.get("/audit/", {"kind": "changes"}).content.decode()
    assert 'id="older"' not in html  # fewer than 50


def test_the_file_holds_the_rows_of_the_json(users, tree, story, api_client):
    api = api_client(users.staff_kt)
    items = api.get("/audit", {"org": tree.province.code, "limit": 500}).json()
    response = api.get("/audit", {"org": tree.province.code, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Thời gian", "Người thực hiện"]
    assert sorted((r[3], r[5], r[6]) for r in rows[1:]) == sorted(
        (i["action_label"], i["object"], i["object_id"]) for i in items
    )


def test_the_page_s_queries_do_not_grow_with_its_records(client, users, tree, make_member):
    client.force_login(users.staff_kt)
    counts = []
    for n in (2, 10):
        while AuditRecord.objects.filter(action="member.update").count() < n:
            m = make_member(tree.cell1, actor=users.staff_kt)
            member_update(actor=users.staff_kt, member=m, data={"hometown": f"Xã {m.pk}"})
        client.get("/audit/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == 9, counts
