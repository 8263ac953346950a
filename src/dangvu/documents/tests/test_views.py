"""The document pages: record a document with its number and the plan it carries out chosen by
number, send it down by kind, report as a recipient with the overdue mark gone, 404 outside."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dangvu.accounts.roles import Role
from dangvu.accounts.scoping import SYSTEM
from dangvu.documents.models import Document, Recipient
from dangvu.documents.services import recipients_send
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_record_send_and_report_through_the_pages(tree, make_document):
    plan = make_document()
    staff = _client(make_user("hu", role=Role.ORG_STAFF, org=tree.district))
    # The province sends its plan to every district (the district then sees it).
    recipients_send(
        actor=SYSTEM,
        document=plan,
        children_of_kind="district",
        under=tree.province,
        due_on=TODAY - timedelta(days=1),
    )
    r = staff.post(
        "/documents/new/",
        {
            "organisation": tree.district.code,
            "kind": "plan",
            "code": "15-kh/hu",
            "issued_on": "20/06/2022",
            "title": "Kế hoạch thực hiện Kế hoạch 90-KH/TU",
            "implements_q": "90-KH/TU",
        },
    )
    assert r.status_code == 302, r.content.decode().split("document-form")[-1][:3000]
    own = Document.objects.get(code="15-KH/HU")
    assert own.implements == plan

    page = staff.get("/documents/?awaiting=1").content.decode()
    assert "90-KH/TU" in page
    row = Recipient.objects.get(document=plan, organisation=tree.district)
    r = staff.post(
        f"/documents/reports/{row.pk}/",
        {
            f"r{row.pk}-status": "done",
            f"r{row.pk}-notes": "Đã quán triệt đến các chi bộ",
            f"r{row.pk}-implementing": str(own.pk),
        },
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.implementing, row.reported_on) == ("done", own, TODAY)
    page = staff.get(f"/documents/{plan.pk}/").content.decode()
    assert "15-KH/HU" in page and "Đã quán triệt" in page


def test_a_number_that_does_not_fit_is_shown_next_to_the_field(tree):
    staff = _client(make_user("tu", role=Role.ORG_STAFF, org=tree.province))
    r = staff.post(
        "/documents/new/",
        {
            "organisation": tree.province.code,
            "kind": "directive",
            "code": "12-KH/TU",
            "issued_on": "13/09/2021",
            "title": "Chỉ thị về nâng cao chất lượng sinh hoạt chi bộ",
        },
    )
    assert r.status_code == 200
    assert "CT" in r.content.decode()
    assert not Document.objects.exists()


def test_the_send_form_sends_to_every_commune_level_organisation_of_a_kind(tree, make_document):
    plan = make_document()
    staff = _client(make_user("tu", role=Role.ORG_STAFF, org=tree.province))
    r = staff.post(
        f"/documents/{plan.pk}/send/",
        {"children_of_kind": "grassroots_committee", "under": tree.province.code},
    )
    assert r.status_code == 302
    assert list(plan.recipients.values_list("organisation__code", flat=True)) == ["KT-DG-DP"]


def test_pages_outside_the_scope_answer_404(tree, make_document):
    plan = make_document()
    recipients_send(actor=SYSTEM, document=plan, organisations=[tree.committee])
    other = _client(make_user("qn", role=Role.ORG_STAFF, org=tree.province2))
    assert other.get(f"/documents/{plan.pk}/").status_code == 404
    row = plan.recipients.get()
    assert other.post(f"/documents/reports/{row.pk}/", {}).status_code == 404
    assert other.post(f"/documents/{plan.pk}/send/", {}).status_code == 404
    # A reader of the committee cannot send the province's plan on.
    reader = _client(make_user("bt", role=Role.SECRETARY, org=tree.committee))
    assert reader.get(f"/documents/{plan.pk}/").status_code == 200
    assert reader.post(f"/documents/{plan.pk}/send/", {}).status_code == 404
