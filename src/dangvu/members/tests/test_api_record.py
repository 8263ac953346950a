"""Correcting a member's record through the API, as the member page's "Edit" does: only the
fields given change; dated attributes and event dates are not edited here (a 422 naming the
field, nothing written); outside the caller's management the member does not exist."""

import pytest

from dangvu.audit.models import AuditRecord
from dangvu.testing.factories import db_snapshot, make_member

pytestmark = pytest.mark.django_db


def test_a_correction_changes_the_fields_given_and_is_audited(tree, users, api_client):
    m = make_member(tree.cell1, full_name="Nguyễn Văn Sửa", hometown="Xã Cũ")
    staff = api_client(users.staff_kt)
    answer = staff.post(
        f"/members/{m.pk}/record", {"hometown": "Xã Đăk Pék", "phone": "0905123456"}
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["hometown"], body["phone"], body["full_name"]) == (
        "Xã Đăk Pék",
        "0905123456",
        "Nguyễn Văn Sửa",
    )
    m.refresh_from_db()
    assert m.hometown == "Xã Đăk Pék"
    assert AuditRecord.objects.filter(action="member.update").exists()


def test_what_the_record_form_refuses_the_api_refuses(tree, users, api_client):
    m = make_member(tree.cell1, full_name="Trần Văn Giữ")
    staff = api_client(users.staff_kt)
    before = db_snapshot()
    for body, field in (
        ({"education": "upper_secondary"}, "education"),  # a dated attribute: /attributes
        ({"admission_date": "2020-01-01"}, "admission_date"),  # set by the events
        ({"birth_date": "2090-01-01"}, "birth_date"),
        ({"ethnicity": "Sao Hỏa"}, "ethnicity"),
    ):
        answer = staff.post(f"/members/{m.pk}/record", body)
        assert answer.status_code == 422, (body, answer.content)
        assert field in str(answer.json()["errors"]), answer.json()
    assert db_snapshot() == before


def test_outside_what_you_manage_the_member_does_not_exist(tree, users, api_client):
    m = make_member(tree.cell1, full_name="Lê Văn Ngoài")
    other = api_client(users.staff_qn)
    secretary_elsewhere = api_client(users.sec2)
    before = db_snapshot()
    assert other.post(f"/members/{m.pk}/record", {"hometown": "X"}).status_code == 404
    assert secretary_elsewhere.post(f"/members/{m.pk}/record", {"hometown": "X"}).status_code == 404
    assert db_snapshot() == before
