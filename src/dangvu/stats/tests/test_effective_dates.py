"""Acts the rules date otherwise than their decision (DOMAIN.md §3): recognition takes effect on
the day the probation ends, even when the cell decides it later, in the member's periods and so
in every report as of a date and in `dangvu check`."""

from datetime import timedelta

from django.utils import timezone

from dangvu.core.dates import add_months
from dangvu.members.choices import EventType
from dangvu.members.models import MemberPeriod
from dangvu.members.services import member_event_record
from dangvu.stats.consistency import consistency_check
from dangvu.stats.selectors import membership_figures, period_figures


def test_a_late_recognition_counts_from_the_end_of_the_probation(tree, make_member):
    today = timezone.localdate()
    ceremony = add_months(today, -13)
    end = add_months(ceremony, 12)  # a month ago: the cell decides only today
    member = make_member(
        tree.cell1,
        probationary=True,
        admission_date=ceremony - timedelta(days=5),
        ceremony_date=ceremony,
    )
    between = end + timedelta(days=15)
    assert membership_figures(tree.cell1, between)["members"]["probationary"] == 1
    member_event_record(actor=None, member=member, type=EventType.RECOGNISED, date=today)
    # Official from the 12-month date: in the report of a day between it and the decision...
    figures = membership_figures(tree.cell1, between)
    assert figures["members"]["official"] == 1 and figures["members"]["probationary"] == 0
    # ... in the district's too (counters and periods agree), not before the 12-month date...
    assert membership_figures(tree.district, between)["members"]["official"] >= 1
    before = membership_figures(tree.cell1, end - timedelta(days=1))["members"]
    assert before["probationary"] == 1 and before["official"] == 0
    # ... in the member's periods, and in the recomputation `dangvu check` makes.
    official = MemberPeriod.objects.get(member=member, status="official")
    assert official.valid_from == end
    assert consistency_check() == []
    # 1-BTCTW is about members entering and leaving: the count balances across the window.
    period = period_figures(tree.cell1, end - timedelta(days=10), today)
    assert period["opening"] == period["closing"] == 1


def test_a_transfer_during_the_probation_keeps_its_date_before_a_late_recognition(
    tree, make_member
):
    today = timezone.localdate()
    ceremony = add_months(today, -14)
    end = add_months(ceremony, 12)
    member = make_member(
        tree.cell1,
        probationary=True,
        admission_date=ceremony - timedelta(days=5),
        ceremony_date=ceremony,
    )
    moved = end + timedelta(days=20)
    member_event_record(
        actor=None, member=member, type=EventType.TRANSFERRED, date=moved, organisation=tree.cell2
    )
    member_event_record(actor=None, member=member, type=EventType.RECOGNISED, date=today)
    spans = list(
        MemberPeriod.objects.filter(member=member)
        .order_by("valid_from", "id")
        .values_list("organisation_id", "status", "valid_from", "valid_to")
    )
    assert spans == [
        (tree.cell1.pk, "probationary", ceremony - timedelta(days=5), moved),
        (tree.cell2.pk, "probationary", moved, moved),
        (tree.cell2.pk, "official", moved, None),
    ] or spans == [
        (tree.cell1.pk, "probationary", ceremony - timedelta(days=5), moved),
        (tree.cell2.pk, "official", moved, None),
    ]
    assert consistency_check() == []


def test_1_btctw_balances_when_a_recognition_takes_effect_on_the_day_its_cell_moves(
    tree, make_member
):
    from dangvu.organisations.services import organisation_move

    today = timezone.localdate()
    moved = today - timedelta(days=10)
    ceremony = add_months(moved, -12)  # the probation ends on the day the cell moves
    member = make_member(
        tree.cell1,
        probationary=True,
        admission_date=ceremony - timedelta(days=3),
        ceremony_date=ceremony,
    )
    make_member(tree.cell1)
    organisation_move(actor=None, org=tree.cell1, new_parent=tree.committee2, on=moved)
    member_event_record(actor=None, member=member, type=EventType.RECOGNISED, date=today)
    for org in (tree.province, tree.province2):
        report = period_figures(org, moved - timedelta(days=30), today)
        assert report["closing"] == (
            report["opening"] + report["increase_total"] - report["decrease_total"]
        ), org.code
    leaving = period_figures(tree.province, moved - timedelta(days=30), today)
    assert {r["key"]: r["count"] for r in leaving["decreases"]}["reorganised_out"] == 2
    assert consistency_check() == []
