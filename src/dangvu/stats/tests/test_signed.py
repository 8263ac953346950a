"""Signed reports: kept as they were signed; re-running one says whether anything recorded since
changes it, which figures and why."""

from datetime import date

import pytest

from dangvu.core.errors import ValidationError
from dangvu.members.services import member_attribute_change, member_event_record
from dangvu.stats.models import SignedReport
from dangvu.stats.selectors import signed_report_recheck
from dangvu.stats.services import report_sign
from dangvu.testing.factories import db_snapshot

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 30)


@pytest.fixture
def lan(tree, make_member):
    return make_member(tree.cell1, theory_level="none", admission_date=date(2018, 3, 1))


def _sign(users, tree, **kwargs):
    kwargs.setdefault("kind", "membership")
    if kwargs["kind"] == "membership":
        kwargs.setdefault("as_of", AS_OF)
    return report_sign(actor=users.staff_kt, org=tree.committee, signer="Y Blong", **kwargs)


def test_a_change_after_the_date_leaves_the_signed_report_standing(tree, users, lan):
    signed = _sign(users, tree)
    member_attribute_change(
        actor=None,
        member=lan,
        field="theory_level",
        value="advanced",
        kind="change",
        valid_from=date(2025, 1, 1),
    )
    recheck = signed_report_recheck(signed)
    assert recheck["unchanged"] and recheck["differences"] == []
    assert recheck["attributes"] == []  # it holds after the report's date


def test_a_correction_from_the_start_is_listed_with_the_figures_it_moves(tree, users, lan):
    signed = _sign(users, tree)
    member_attribute_change(
        actor=users.staff_kt,
        member=lan,
        field="theory_level",
        value="advanced",
        kind="correction",
        from_start=True,
        note="typing error",
    )
    recheck = signed_report_recheck(signed)
    assert not recheck["unchanged"]
    moved = {path: (was, now) for path, was, now in recheck["differences"]}
    assert (
        moved["breakdowns.theory.advanced.count"][1]
        == moved["breakdowns.theory.advanced.count"][0] + 1
    )
    assert [(c.member_id, c.kind, c.value) for c in recheck["attributes"]] == [
        (lan.pk, "correction", "advanced")
    ]
    # The signed figures themselves never change.
    assert SignedReport.objects.get(pk=signed.pk).figures == signed.figures


def test_a_late_event_dated_in_the_period_is_listed(tree, users, lan):
    signed = _sign(users, tree, kind="period", date_from=date(2024, 1, 1), date_to=AS_OF)
    member_event_record(actor=None, member=lan, type="died", date=date(2024, 5, 2))
    recheck = signed_report_recheck(signed)
    assert not recheck["unchanged"]
    assert [e.type for e in recheck["events"]] == ["died"]
    assert ("closing", signed.figures["closing"], signed.figures["closing"] - 1) in recheck[
        "differences"
    ]


def test_only_a_role_that_signs_may_sign(tree, users):
    before = db_snapshot()
    with pytest.raises(ValidationError):
        report_sign(actor=users.sec1, org=tree.cell1, kind="membership", signer="A", as_of=AS_OF)
    with pytest.raises(ValidationError) as exc:
        report_sign(actor=users.staff_kt, org=tree.committee, kind="membership", signer=" ")
    assert "signer" in exc.value.message_dict
    assert db_snapshot() == before
