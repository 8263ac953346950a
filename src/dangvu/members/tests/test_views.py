"""The member pages: search, record, add, edit and record an event, as a person would."""

from datetime import date

import pytest
from django.test import Client

from dangvu.members.models import Member
from dangvu.testing.factories import counters, db_snapshot

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _new_member_form(tree, **overrides) -> dict:
    """What a person types into the add-member form for a new member of cell1."""
    return {
        "full_name": "Y Hoa",
        "birth_date": "1990-02-03",
        "gender": "F",
        "ethnicity": "16",
        "religion": "00",
        "education": "upper_secondary",
        "professional_level": "none",
        "theory_level": "none",
        "occupation": "farmer",
        "organisation": tree.cell1.code,
        "entry": "admitted",
        "admission_date": "2020-05-01",
        **overrides,
    }


def test_search_ignores_accents_and_case_and_stays_in_scope(tree, users, make_member):
    make_member(tree.cell1, full_name="Nguyễn Văn Bình")
    make_member(tree.cell3, full_name="Nguyễn Văn Bính")  # Quảng Ngãi: outside Kon Tum
    page = _client(users.staff_kt).get("/members/", {"q": "NGUYEN van binh", "status": "active"})
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="member-link"') == 1
    assert "Nguyễn Văn Bình" in body and "Nguyễn Văn Bính" not in body


def test_the_page_speaks_vietnamese_whatever_the_browser_asks(users):
    page = _client(users.staff_kt).get("/members/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in page.content.decode()
    assert "Đảng viên" in page.content.decode()


def test_english_when_chosen(users):
    client = _client(users.staff_kt)
    client.post("/i18n/setlang/", {"language": "en", "next": "/members/"})
    assert '<html lang="en">' in client.get("/members/").content.decode()


def test_add_member_form_creates_the_member_with_its_events(tree, users):
    response = _client(users.staff_kt).post(
        "/members/new/",
        _new_member_form(tree, official_date="2021-05-01"),
    )
    member = Member.objects.get(full_name="Y Hoa")
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/"
    assert [e.type for e in member.events.order_by("seq")] == ["admitted", "recognised"]
    assert member.status == "official"


def test_add_member_form_names_the_wrong_field_and_writes_nothing(tree, users):
    before = db_snapshot()
    response = _client(users.staff_kt).post(
        "/members/new/",
        _new_member_form(tree, birth_date="2090-02-03"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ngày không được sau ngày hôm nay." in body
    assert db_snapshot() == before


def test_edit_changes_the_record_and_moves_the_counters(tree, users, make_member):
    member = make_member(tree.cell1, ethnicity="01")
    client = _client(users.staff_kt)
    form = client.get(f"/members/{member.pk}/edit/")
    assert form.status_code == 200
    data = {
        "full_name": member.full_name,
        "birth_date": member.birth_date.isoformat(),
        "gender": member.gender,
        "ethnicity": "16",
        "religion": member.religion,
        "education": member.education,
        "professional_level": member.professional_level,
        "theory_level": member.theory_level,
        "occupation": member.occupation,
    }
    response = client.post(f"/members/{member.pk}/edit/", data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ethnicity == "16"
    assert counters(tree.province)[("ethnicity", "16")] == 1
    assert counters(tree.province).get(("ethnicity", "01"), 0) == 0


def test_edit_refuses_a_future_birth_date_and_writes_nothing(tree, users, make_member):
    member = make_member(tree.cell1)
    before = db_snapshot()
    response = _client(users.staff_kt).post(
        f"/members/{member.pk}/edit/",
        {
            "full_name": member.full_name,
            "birth_date": "2099-01-01",
            "gender": member.gender,
            "ethnicity": member.ethnicity,
            "religion": member.religion,
            "education": member.education,
            "professional_level": member.professional_level,
            "theory_level": member.theory_level,
            "occupation": member.occupation,
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert db_snapshot() == before


def test_a_secretary_reads_but_does_not_edit_or_record(tree, users, make_member):
    member = make_member(tree.cell1)
    client = _client(users.sec1)
    assert client.get(f"/members/{member.pk}/").status_code == 200
    assert 'id="record-event"' not in client.get(f"/members/{member.pk}/").content.decode()
    before = db_snapshot()
    assert client.get(f"/members/{member.pk}/edit/").status_code == 404
    assert (
        client.post(
            f"/members/{member.pk}/events/new/", {"type": "died", "date": "2024-01-01"}
        ).status_code
        == 404
    )
    assert db_snapshot() == before


def test_record_an_event_then_correct_it(tree, users, make_member):
    member = make_member(tree.cell1)
    client = _client(users.staff_kt)
    response = client.post(
        f"/members/{member.pk}/events/new/",
        {"type": "died", "date": "2024-03-01", "decision_number": "15-QĐ/ĐU"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "died"
    died = member.events.get(type="died")
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "Từ trần" in page and "15-QĐ/ĐU" in page
    client.post(f"/members/{member.pk}/events/correct/", {"corrects": died.pk, "note": "nhầm"})
    member.refresh_from_db()
    assert member.status == "official"
    assert counters(tree.province)[("members", "total")] == 1


def test_statistics_page_and_excel(tree, users, make_member):
    make_member(tree.cell1, gender="F")
    make_member(tree.cell2, gender="M")
    client = _client(users.staff_kt)
    page = client.get("/reports/membership/", {"org": tree.district.code})
    assert page.status_code == 200
    assert "50,00 %" in page.content.decode()
    xlsx = client.get("/reports/membership/", {"org": tree.district.code, "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    past = client.get(
        "/reports/membership/", {"org": tree.district.code, "as_of": date(2014, 1, 1).isoformat()}
    )
    assert past.status_code == 200 and "errorlist" in past.content.decode()


def test_a_member_sees_their_own_record_and_no_organisation_menus(tree, make_member):
    from django.contrib.auth import get_user_model

    from dangvu.accounts.services import grant_create
    from dangvu.members.services import member_link_user

    me = make_member(tree.cell1, full_name="Đinh Thị Mai")
    make_member(tree.cell1, full_name="Người Cùng Chi Bộ")
    user = get_user_model().objects.create_user("mai")
    grant_create(actor=None, user=user, organisation=tree.cell1, role="member")
    member_link_user(actor=None, member=me, user=user)
    client = _client(user)
    home = client.get("/").content.decode()
    assert f"/members/{me.pk}/" in home
    assert "/reports/membership/" not in home and "/organisations/" not in home
    # No member list for a member: their menu leads to their own record.
    assert client.get("/members/", {"status": ""}).status_code == 404
    assert client.get(f"/members/{me.pk}/").status_code == 200


def test_the_list_pages_by_name_without_losing_or_repeating_anyone(tree, users, make_member):
    for n in range(30):
        make_member(tree.cell1, full_name=f"Nguyễn Văn {chr(65 + n % 26)}{n:02d}")
    client = _client(users.staff_kt)
    first = client.get("/members/", {"status": "active"})
    names = first.content.decode().count('class="member-link"')
    after = first.context["next_after"]
    second = client.get("/members/", {"status": "active", "after": after})
    assert names == 25
    assert second.content.decode().count('class="member-link"') == 5
    assert second.context["next_after"] is None
    seen = [m.pk for m in first.context["members"]] + [m.pk for m in second.context["members"]]
    assert sorted(seen) == sorted(Member.objects.values_list("pk", flat=True))


def test_staff_see_the_change_history_on_member_and_organisation_pages(tree, users, make_member):
    member = make_member(tree.cell1)
    staff = _client(users.staff_kt)
    staff.post(f"/members/{member.pk}/events/new/", {"type": "exempted", "date": "2024-03-01"})
    member_page = staff.get(f"/members/{member.pk}/").content.decode()
    assert "Lịch sử thay đổi" in member_page
    assert "Miễn công tác và sinh hoạt đảng" in member_page.split("Lịch sử thay đổi")[1]
    assert "staff_kt" in member_page.split("Lịch sử thay đổi")[1]
    org_page = staff.get(f"/organisations/{tree.cell1.code}/").content.decode()
    assert "Lịch sử thay đổi" in org_page and "Thành lập tổ chức đảng" in org_page
    # A secretary reads the record but not who changed what.
    assert (
        "Lịch sử thay đổi" not in _client(users.sec1).get(f"/members/{member.pk}/").content.decode()
    )


def test_a_dated_attribute_is_changed_on_its_own_page_not_in_the_edit(tree, users, make_member):
    member = make_member(tree.cell1, theory_level="none")
    client = _client(users.staff_kt)
    edit = client.get(f"/members/{member.pk}/edit/").content.decode()
    assert 'name="theory_level"' not in edit
    page = client.get(f"/members/{member.pk}/attributes/?field=theory_level")
    assert page.status_code == 200
    response = client.post(
        f"/members/{member.pk}/attributes/?field=theory_level",
        {"value": "advanced", "kind": "change", "valid_from": "01/09/2025", "source": "Bằng 7"},
    )
    assert response.status_code == 302, response.content.decode()
    member.refresh_from_db()
    assert member.theory_level == "advanced"
    detail = client.get(f"/members/{member.pk}/").content.decode()
    assert "01/09/2025" in detail
    # A change without its date is refused on the page, naming the field; nothing written.
    before = db_snapshot()
    response = client.post(
        f"/members/{member.pk}/attributes/?field=education",
        {"value": "primary", "kind": "change", "valid_from": ""},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert db_snapshot() == before
    assert client.get(f"/members/{member.pk}/attributes/?field=gender").status_code == 404


def test_leaving_the_youth_union_is_a_change_to_no_on_the_attribute_page(tree, users, make_member):
    member = make_member(tree.cell1, youth_union="yes")
    client = _client(users.staff_kt)
    page = client.get(f"/members/{member.pk}/attributes/?field=youth_union").content.decode()
    assert '<option value="" selected>Không</option>' in page
    assert '<option value="yes">Có</option>' in page
    response = client.post(
        f"/members/{member.pk}/attributes/?field=youth_union",
        {"value": "", "kind": "change", "valid_from": "02/04/2025", "source": "QĐ 15"},
    )
    assert response.status_code == 302, response.content.decode()
    member.refresh_from_db()
    assert member.youth_union == ""
    detail = client.get(f"/members/{member.pk}/").content.decode()
    assert "Đoàn viên" in detail and "02/04/2025" in detail
