"""Transfers between committees in two acts: sent by one side, in transit, received (or refused)
by the other, each in its own scope (docs/decisions/0014)."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone

from dangvu.core.errors import ValidationError
from dangvu.members.models import Member, Transfer
from dangvu.members.selectors import transfer_get, transfers_pending
from dangvu.members.services import (
    member_event_record,
    transfer_close,
    transfer_receive,
    transfer_send,
)
from dangvu.stats.consistency import consistency_check
from dangvu.stats.selectors import period_figures
from dangvu.testing.factories import counters, db_snapshot

pytestmark = pytest.mark.django_db

SENT, RECEIVED = date(2026, 3, 2), date(2026, 3, 20)


@pytest.fixture
def lan(tree, make_member):
    return make_member(tree.cell1, admission_date=date(2015, 5, 1))


def _row(report, side: str, key: str) -> int:
    return next(r["count"] for r in report[side] if r["key"] == key)


def _balances(report) -> bool:
    return (
        report["opening"] + report["increase_total"] - report["decrease_total"] == report["closing"]
    )


def test_a_transfer_between_provinces_goes_sent_in_transit_received(tree, users, lan):
    kt, qn = (
        counters(tree.province).get(("members", "total"), 0),
        counters(tree.province2).get(("members", "total"), 0),
    )
    t = transfer_send(
        actor=users.staff_kt, member=lan, to=tree.cell3, on=SENT, decision_number="15-GGT/TU"
    )
    # In transit: still counted where she was; each side sees it in its own list.
    assert counters(tree.province).get(("members", "total"), 0) == kt
    assert counters(tree.province2).get(("members", "total"), 0) == qn
    assert [r["transfer"].pk for r in transfers_pending(users.staff_kt, "out")] == [t.pk]
    assert [r["transfer"].pk for r in transfers_pending(users.staff_qn, "in")] == [t.pk]
    assert transfers_pending(users.staff_kt, "in") == []
    assert transfers_pending(users.staff_qn, "out") == []
    # The sending side cannot receive it; the receiving side cannot withdraw it.
    with pytest.raises(Http404):
        transfer_get(actor=users.staff_kt, pk=t.pk, side="receiving")
    with pytest.raises(Http404):
        transfer_get(actor=users.staff_qn, pk=t.pk, side="sending")
    transfer_receive(
        actor=users.staff_qn,
        transfer=transfer_get(actor=users.staff_qn, pk=t.pk, side="receiving"),
        on=RECEIVED,
    )
    lan.refresh_from_db()
    assert lan.organisation_id == tree.cell3.pk
    assert counters(tree.province).get(("members", "total"), 0) == kt - 1
    assert counters(tree.province2).get(("members", "total"), 0) == qn + 1
    t.refresh_from_db()
    assert (t.state, t.closed_on, t.event.type) == ("received", RECEIVED, "transferred")
    year = (date(2026, 1, 1), timezone.localdate())
    sender, receiver = period_figures(tree.province, *year), period_figures(tree.province2, *year)
    assert _row(sender, "decreases", "transferred_out") == 1
    assert sender["transferred_out_other_province"] == 1
    assert _row(receiver, "increases", "transferred_in") == 1
    assert receiver["transferred_in_other_province"] == 1
    assert _balances(sender) and _balances(receiver)
    # The member moved on the day of receipt, not of sending.
    assert period_figures(tree.province, date(2026, 3, 1), date(2026, 3, 19))["closing"] == kt
    assert consistency_check() == []


def test_while_in_transit_nothing_else_moves_the_member(tree, users, lan):
    transfer_send(actor=users.staff_kt, member=lan, to=tree.cell3, on=SENT)
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        transfer_send(actor=users.staff_kt, member=lan, to=tree.cell2, on=SENT)
    assert "type" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        member_event_record(
            actor=None, member=lan, type="transferred", date=SENT, organisation=tree.cell2
        )
    assert "type" in exc.value.message_dict
    assert db_snapshot() == before
    # A death closes the record: nothing is left to receive.
    member_event_record(actor=None, member=lan, type="died", date=SENT + timedelta(days=3))
    assert Transfer.objects.get().state == "withdrawn"
    assert transfers_pending(users.staff_qn, "in") == []


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(on=date(2099, 1, 1)), "date"),
        (dict(on=date(2010, 1, 1)), "date"),  # before her admission (her last event)
        (dict(to="cell1"), "organisation"),  # her own cell
        (dict(to="committee"), "organisation"),  # not a cell
    ],
)
def test_a_wrong_sending_is_refused_and_changes_nothing(tree, users, lan, kwargs, field):
    kwargs = {"on": SENT, "to": "cell3", **kwargs}
    kwargs["to"] = getattr(tree, kwargs["to"])
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        transfer_send(actor=users.staff_kt, member=lan, **kwargs)
    assert field in exc.value.message_dict
    assert db_snapshot() == before


def test_a_receipt_before_the_sending_and_a_refusal_without_reason_are_refused(tree, users, lan):
    t = transfer_send(actor=users.staff_kt, member=lan, to=tree.cell3, on=SENT)
    with pytest.raises(ValidationError) as exc:
        transfer_receive(actor=users.staff_qn, transfer=t, on=SENT - timedelta(days=1))
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        transfer_close(actor=users.staff_qn, transfer=t, state="refused", reason="  ")
    assert "reason" in exc.value.message_dict
    assert Member.objects.get(pk=lan.pk).organisation_id == tree.cell1.pk
    transfer_close(actor=users.staff_qn, transfer=t, state="refused", reason="Không đúng địa chỉ")
    t.refresh_from_db()
    assert t.state == "refused"
    with pytest.raises(ValidationError):
        transfer_receive(actor=users.staff_qn, transfer=t, on=RECEIVED)
    assert consistency_check() == []


def test_the_two_sides_act_through_the_api(tree, users, lan, api_client):
    kt, qn = api_client(users.staff_kt), api_client(users.staff_qn)
    # Another province's cell cannot be reached by an event: a transfer sends the member there.
    response = kt.post(
        f"/members/{lan.pk}/events",
        {"type": "transferred", "date": "2026-03-02", "organisation": tree.cell3.code},
    )
    assert response.status_code == 422
    response = kt.post(
        "/transfers",
        {"member": lan.pk, "to": tree.cell3.code, "date": "2026-03-02", "decision_number": "1"},
    )
    assert response.status_code == 201, response.content
    transfer = response.json()
    assert transfer["state"] == "sent" and transfer["from_organisation"] == tree.cell1.code
    assert [t["id"] for t in qn.get("/transfers", {"direction": "in"}).json()] == [transfer["id"]]
    assert (
        kt.post(f"/transfers/{transfer['id']}/receive", {"date": "2026-03-20"}).status_code == 404
    )
    response = qn.post(f"/transfers/{transfer['id']}/receive", {"date": "2026-03-20"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "received"
    assert Member.objects.get(pk=lan.pk).organisation_id == tree.cell3.pk


def test_the_pages_send_list_and_receive(tree, users, lan):
    kt, qn = Client(), Client()
    kt.force_login(users.staff_kt)
    qn.force_login(users.staff_qn)
    response = kt.post(
        f"/members/{lan.pk}/events/new/",
        {"type": "transferred", "date": "02/03/2026", "organisation": tree.cell3.code},
    )
    assert response.status_code == 302, response.content.decode()
    t = Transfer.objects.get()
    assert 'id="in-transit"' in kt.get(f"/members/{lan.pk}/").content.decode()
    page = qn.get("/members/transfers/").content.decode()
    assert lan.full_name in page and f"/members/transfers/{t.pk}/receive/" in page
    assert (
        f"/members/transfers/{t.pk}/receive/" not in kt.get("/members/transfers/").content.decode()
    )
    assert qn.post(f"/members/transfers/{t.pk}/receive/", {"date": "20/03/2026"}).status_code == 302
    assert Member.objects.get(pk=lan.pk).organisation_id == tree.cell3.pk
