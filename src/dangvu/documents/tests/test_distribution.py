"""Documents sent down the tree and reported on: who sees what, who has and has not acted,
what is overdue; every refusal changes nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvu.accounts.roles import Role
from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError
from dangvu.documents.choices import Kind, Status
from dangvu.documents.models import Document, Recipient
from dangvu.documents.selectors import (
    document_list,
    documents_due,
    documents_visible,
    implementation_summary,
    recipient_list,
)
from dangvu.documents.services import (
    document_create,
    document_update,
    implementation_report,
    recipients_send,
)
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_document_is_recorded_with_its_number_in_parts_and_audited(make_document):
    d = make_document(code="số 90 - kh/tu")
    assert (d.code, d.number, d.kind_abbr, d.issuer_abbr, d.year) == (
        "90-KH/TU",
        90,
        "KH",
        "TU",
        2022,
    )
    assert AuditRecord.objects.filter(action="documents.create", object_id=str(d.pk)).exists()


def test_the_same_number_twice_in_a_year_is_refused(make_document):
    make_document()
    with pytest.raises(ValidationError) as exc:
        make_document(title="Another")
    assert "90-KH/TU" in str(exc.value.message_dict["code"])
    assert Document.objects.count() == 1
    make_document(issued_on=date(2023, 1, 5))  # a new year's series
    assert Document.objects.count() == 2


@pytest.mark.parametrize("code", ["90-XX/TU", "90-CT/TU", "90-KH/HU", "abc"])
def test_a_number_that_does_not_fit_is_refused_and_nothing_is_stored(make_document, code):
    with pytest.raises(ValidationError) as exc:
        make_document(code=code)
    assert "code" in exc.value.message_dict
    assert not Document.objects.exists()
    assert not AuditRecord.objects.filter(action="documents.create").exists()


def test_sending_to_every_child_of_a_kind_and_to_chosen_ones(tree, make_document):
    d = make_document()
    due = date(2022, 7, 15)
    n = recipients_send(
        actor=SYSTEM, document=d, children_of_kind="district", under=tree.province, due_on=due
    )
    assert n == 1  # Đắk Glei (Quảng Ngãi's district is under another province)
    assert (
        recipients_send(actor=SYSTEM, document=d, organisations=[tree.committee, tree.gcell]) == 2
    )
    # Sending again adds nobody.
    assert recipients_send(actor=SYSTEM, document=d, organisations=[tree.committee]) == 0
    assert set(d.recipients.values_list("organisation__code", flat=True)) == {
        "KT-DG",
        "KT-DG-DP",
        "KT-DG-THPT",
    }


def test_a_document_is_not_sent_outside_its_issuers_tree(tree, make_document):
    d = make_document()
    with pytest.raises(ValidationError) as exc:
        recipients_send(actor=SYSTEM, document=d, organisations=[tree.district, tree.district2])
    assert "organisations" in exc.value.message_dict
    assert not Recipient.objects.exists()


def test_a_due_date_before_the_document_is_refused(tree, make_document):
    d = make_document()
    with pytest.raises(ValidationError) as exc:
        recipients_send(
            actor=SYSTEM, document=d, organisations=[tree.district], due_on=date(2022, 1, 1)
        )
    assert "due_on" in exc.value.message_dict
    assert not Recipient.objects.exists()


def _sent(tree, make_document, due=None):
    d = make_document()
    recipients_send(
        actor=SYSTEM,
        document=d,
        organisations=[tree.district, tree.committee, tree.gcell],
        due_on=due or TODAY - timedelta(days=3),
    )
    return d


def test_the_summary_says_who_reported_and_who_is_overdue(tree, make_document):
    d = _sent(tree, make_document)
    staff = make_user("btc", role=Role.ORG_STAFF, org=tree.province)
    r = d.recipients.get(organisation=tree.district)
    plan = document_create(
        actor=SYSTEM,
        organisation=tree.district,
        kind=Kind.PLAN,
        code="15-KH/HU",
        issued_on=date(2022, 6, 20),
        title="Kế hoạch thực hiện Kế hoạch 90-KH/TU",
        implements=d,
    )
    implementation_report(
        actor=SYSTEM,
        recipient=r,
        status=Status.IN_PROGRESS,
        notes="Đã triển khai",
        implementing=plan,
    )
    s = implementation_summary(actor=staff, document=d, today=TODAY)
    assert (s.total, s.reported, s.not_reported, s.overdue) == (3, 1, 2, 2)
    assert s.by_status[Status.IN_PROGRESS] == 1
    overdue = recipient_list(actor=staff, document=d, today=TODAY, show="overdue")
    assert {x.organisation.code for x in overdue} == {"KT-DG-DP", "KT-DG-THPT"}
    assert list(document_list(actor=staff, implements=d)) == [plan]


def test_a_recipient_sees_the_document_and_only_its_own_row(tree, make_document):
    d = _sent(tree, make_document)
    secretary = make_user("bt", role=Role.SECRETARY, org=tree.gcell)
    assert list(documents_visible(secretary)) == [d]
    assert implementation_summary(actor=secretary, document=d, today=TODAY) is None
    rows = recipient_list(actor=secretary, document=d, today=TODAY)
    assert [r.organisation.code for r in rows] == ["KT-DG-THPT"]


def test_an_outsider_sees_nothing(tree, make_document):
    _sent(tree, make_document)
    other = make_user("qn", role=Role.ORG_STAFF, org=tree.province2)
    assert not documents_visible(other).exists()
    below = make_user("cell2", role=Role.SECRETARY, org=tree.cell2)
    assert not documents_visible(below).exists()  # not circular: cells below do not see it


def test_a_wide_circular_is_seen_below_its_recipients(tree, make_document):
    d = make_document(circular=True)
    recipients_send(actor=SYSTEM, document=d, organisations=[tree.committee])
    member = make_user("dv", role=Role.MEMBER, org=tree.cell2)
    assert list(documents_visible(member)) == [d]
    other = make_user("qn", role=Role.SECRETARY, org=tree.cell3)
    assert not documents_visible(other).exists()


def test_reporting_for_another_organisation_is_refused(tree, make_document):
    d = _sent(tree, make_document)
    secretary = make_user("bt", role=Role.SECRETARY, org=tree.gcell)
    r = d.recipients.get(organisation=tree.committee)
    with pytest.raises(ValidationError):
        implementation_report(actor=secretary, recipient=r, status=Status.DONE)
    r.refresh_from_db()
    assert r.reported_on is None


def test_the_implementing_document_must_be_the_recipients_own(tree, make_document):
    d = _sent(tree, make_document)
    r = d.recipients.get(organisation=tree.committee)
    with pytest.raises(ValidationError) as exc:
        implementation_report(actor=SYSTEM, recipient=r, status=Status.DONE, implementing=d)
    assert "implementing" in exc.value.message_dict


def test_a_report_dated_in_the_future_or_not_started_without_a_reason_is_refused(
    tree, make_document
):
    d = _sent(tree, make_document)
    r = d.recipients.get(organisation=tree.committee)
    with pytest.raises(ValidationError) as exc:
        implementation_report(
            actor=SYSTEM, recipient=r, status=Status.DONE, on=TODAY + timedelta(days=1)
        )
    assert "on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        implementation_report(actor=SYSTEM, recipient=r, status=Status.NOT_STARTED)
    assert "notes" in exc.value.message_dict
    r.refresh_from_db()
    assert r.reported_on is None


def test_the_home_page_lists_overdue_reports_to_those_who_must_report(tree, make_document):
    _sent(tree, make_document)
    secretary = make_user("bt", role=Role.SECRETARY, org=tree.gcell)
    items = documents_due(secretary, TODAY)
    assert [(i.level, i.count) for i in items] == [("overdue", 1)]
    member = make_user("dv", role=Role.MEMBER, org=tree.gcell)
    assert documents_due(member, TODAY) == []


def test_search_ignores_accents_and_reads_numbers_loosely(tree, make_document):
    d = make_document()
    staff = make_user("btc", role=Role.ORG_STAFF, org=tree.province)
    assert list(document_list(actor=staff, q="tuyen truyen xay dung dang")) == [d]
    assert list(document_list(actor=staff, q="90-kh/tu")) == [d]
    assert not document_list(actor=staff, q="91-KH/TU").exists()


def test_an_update_refreshes_the_search_and_is_audited(tree, make_document):
    d = make_document()
    document_update(actor=SYSTEM, document=d, title="Kế hoạch về thông tin cơ sở")
    staff = make_user("btc", role=Role.ORG_STAFF, org=tree.province)
    assert list(document_list(actor=staff, q="thong tin co so")) == [d]
    assert AuditRecord.objects.filter(action="documents.update").count() == 1


def test_only_the_issuers_managers_record_its_documents(tree, make_document):
    secretary = make_user("bt", role=Role.SECRETARY, org=tree.gcell)
    with pytest.raises(ValidationError):
        make_document(actor=secretary)
    assert not Document.objects.exists()


def test_the_due_work_is_the_reports_of_ones_own_organisations_not_those_below(tree, make_document):
    _sent(tree, make_document)
    province = make_user("tu", role=Role.ORG_STAFF, org=tree.province)
    assert documents_due(province, TODAY) == []
    district = make_user("hu", role=Role.ORG_STAFF, org=tree.district)
    assert [(i.level, i.count) for i in documents_due(district, TODAY)] == [("overdue", 1)]


def test_a_document_dated_outside_its_issuers_life_is_refused(tree, make_document):
    with pytest.raises(ValidationError) as exc:
        make_document(issued_on=date(1950, 1, 1))
    assert "issued_on" in exc.value.message_dict
    assert not Document.objects.exists()
