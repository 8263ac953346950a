"""Members chosen by name: the member picker and "open a record" on the home page."""

from django.test import Client

from dangvu.members.forms import OpenMemberForm
from dangvu.testing.factories import make_user


def test_open_a_record_by_name_within_the_scope(tree, make_member):
    binh = make_member(tree.cell1, full_name="Nguyễn Văn Bình")
    make_member(tree.cell2, full_name="Nguyễn Văn Bình An")
    far = make_member(tree.cell3, full_name="Trần Văn Xa")
    staff = make_user("pick_member_staff", role="org_staff", org=tree.province)
    client = Client()
    client.force_login(staff)
    # One match: straight to the record.
    response = client.get("/members/open/", {"member_q": "binh an"})
    assert response.status_code == 302
    # Several: the choice, each with its cell.
    page = client.get("/members/open/", {"member_q": "nguyen van binh"}).content.decode()
    assert 'type="radio"' in page and "Chi bộ thôn Đăk Ung" in page
    response = client.get("/members/open/", {"member": binh.pk, "member_q": "nguyen van binh"})
    assert response.url == f"/members/{binh.pk}/"
    # Outside the scope: nobody, by name or by id.
    assert "errorlist" in client.get("/members/open/", {"member_q": "tran van xa"}).content.decode()
    form = OpenMemberForm({"member": str(far.pk), "member_q": ""}, actor=staff)
    assert not form.is_valid()
    choices = client.get("/members/pick/", {"field": "member", "member_q": "van"}).content.decode()
    assert "Nguyễn Văn Bình" in choices and "Trần Văn Xa" not in choices
