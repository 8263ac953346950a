"""The average age of 3-BTCTW ("tuổi bình quân"): the same from the counters (today) as from
the periods (any date), in years with one decimal."""

from datetime import date

from django.utils import timezone

from dangvu.stats.selectors import membership_figures


def test_average_age_from_counters_and_from_periods_agree(tree, make_member):
    today = timezone.localdate()
    make_member(tree.cell1, birth_date=date(today.year - 30, today.month, 1))
    make_member(tree.cell2, birth_date=date(today.year - 50, today.month, 1))
    for org in (tree.cell1, tree.committee, tree.province):
        counters = membership_figures(org, today, source="counters")["average_age"]
        periods = membership_figures(org, today, source="events")["average_age"]
        assert counters == periods, org.code
    assert membership_figures(tree.committee, today, source="counters")["average_age"] == 40.0
    assert membership_figures(tree.cell1)["average_age"] == 30.0
    assert membership_figures(tree.province2)["average_age"] is None  # nobody
