"""A transfer out of Dangvu (to the army or police party organisations, a central bloc,
abroad, a province not kept in Dangvu) closes the member's record here with the destination
and the letter's number; a transfer back in re-opens it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangvu.members.choices import EventType
from dangvu.members.models import MemberPeriod
from dangvu.members.services import member_event_record
from dangvu.stats.consistency import consistency_check
from dangvu.stats.selectors import membership_figures, period_figures
from dangvu.testing.factories import counters


def test_a_transfer_out_closes_the_record_and_a_transfer_in_reopens_it(tree, make_member):
    today = timezone.localdate()
    member = make_member(tree.cell1, full_name="Lên Đường")
    before = db_day = min(date(today.year, 1, 2), today)
    with pytest.raises(ValidationError) as refused:
        member_event_record(actor=None, member=member, type=EventType.TRANSFERRED_OUT, date=db_day)
    assert set(refused.value.message_dict) == {"other_party", "decision_number"}
    member_event_record(
        actor=None,
        member=member,
        type=EventType.TRANSFERRED_OUT,
        date=db_day,
        other_party="Đảng bộ Quân khu 5",
        decision_number="15-GT/TU",
    )
    member.refresh_from_db()
    assert member.status == "transferred_out"
    assert not MemberPeriod.objects.filter(member=member, valid_to__isnull=True).exists()
    assert counters(tree.province).get(("members", "total"), 0) == 0
    assert membership_figures(tree.cell1)["members"]["total"] == 0
    report = period_figures(tree.province, date(today.year, 1, 1), today)
    out = {r["key"]: r["count"] for r in report["decreases"]}
    assert out["transferred_out"] == 1 and report["transferred_out_other_province"] == 1
    # Nothing else can be recorded for them here, but a transfer back in.
    with pytest.raises(ValidationError):
        member_event_record(actor=None, member=member, type=EventType.DIED, date=today)
    member_event_record(
        actor=None,
        member=member,
        type=EventType.TRANSFERRED_IN,
        date=today,
        organisation=tree.cell2,
        other_party="Đảng bộ Quân khu 5",
        decision_number="3-GT/QK",
    )
    member.refresh_from_db()
    assert (member.status, member.organisation_id) == ("official", tree.cell2.pk)
    assert membership_figures(tree.cell2)["members"]["total"] == 1
    assert before <= today
    assert consistency_check() == []
