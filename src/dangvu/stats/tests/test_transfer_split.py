"""Form 1-BTCTW splits transfers within the province from those from or to another province
(or from outside Dangvu)."""

from datetime import date

from django.utils import timezone

from dangvu.members.choices import EventType
from dangvu.members.services import member_create, member_event_record
from dangvu.stats.selectors import period_figures
from dangvu.testing.factories import member_data


def test_transfers_between_provinces_and_within_one(tree, make_member):
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    within = make_member(tree.cell1, full_name="Trong Tỉnh")
    across = make_member(tree.cell3, full_name="Khác Tỉnh")
    day = min(date(today.year, 1, 2), today)
    member_event_record(
        actor=None, member=within, type=EventType.TRANSFERRED, date=day, organisation=tree.gcell
    )
    member_event_record(
        actor=None, member=across, type=EventType.TRANSFERRED, date=day, organisation=tree.cell2
    )
    member_create(
        actor=None,
        data=member_data(full_name="Ngoài Hệ Thống"),
        organisation=tree.cell2,
        entry=EventType.TRANSFERRED_IN,
        entry_date=day,
    )
    committee = period_figures(tree.committee, start, today)  # cell1 and cell2 are under it
    increases = {r["key"]: r["count"] for r in committee["increases"]}
    decreases = {r["key"]: r["count"] for r in committee["decreases"]}
    assert (increases["transferred_in"], committee["transferred_in_other_province"]) == (2, 2)
    assert (decreases["transferred_out"], committee["transferred_out_other_province"]) == (1, 0)
    province2 = period_figures(tree.province2, start, today)
    out2 = {r["key"]: r["count"] for r in province2["decreases"]}
    assert (out2["transferred_out"], province2["transferred_out_other_province"]) == (1, 1)
    province = period_figures(tree.province, start, today)
    in1 = {r["key"]: r["count"] for r in province["increases"]}
    assert (in1["transferred_in"], province["transferred_in_other_province"]) == (2, 2)
    for report in (committee, province2, province):
        assert report["closing"] == (
            report["opening"] + report["increase_total"] - report["decrease_total"]
        )
