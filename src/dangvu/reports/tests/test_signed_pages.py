"""Keeping a report as signed from its page, and the signed report's page."""

from datetime import date

import pytest
from django.test import Client

from dangvu.members.services import member_attribute_change
from dangvu.stats.models import SignedReport

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_keep_a_report_as_signed_and_see_a_later_correction(tree, users, make_member):
    lan = make_member(tree.cell1, theory_level="none", admission_date=date(2018, 3, 1))
    client = _client(users.staff_kt)
    page = client.get("/reports/membership/", {"org": "KT-DG", "as_of": "2024-06-30"})
    assert 'action="/reports/sign/"' in page.content.decode()
    response = client.post(
        "/reports/sign/",
        {"org": "KT-DG", "kind": "membership", "as_of": "2024-06-30", "signer": "Y Blong"},
    )
    signed = SignedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/signed/{signed.pk}/"
    assert 'id="recheck"' in client.get(response["Location"]).content.decode()
    member_attribute_change(
        actor=users.staff_kt,
        member=lan,
        field="theory_level",
        value="advanced",
        kind="correction",
        from_start=True,
        note="gõ nhầm",
    )
    page = client.get(f"/reports/signed/{signed.pk}/").content.decode()
    assert "gõ nhầm" in page and lan.full_name in page


def test_a_secretary_sees_no_sign_form_and_cannot_post_one(tree, users):
    client = _client(users.sec1)
    page = client.get("/reports/membership/", {"org": "KT-DG-DP-01"}).content.decode()
    assert 'action="/reports/sign/"' not in page
    client.post("/reports/sign/", {"org": "KT-DG-DP-01", "kind": "membership", "signer": "A"})
    assert not SignedReport.objects.exists()
