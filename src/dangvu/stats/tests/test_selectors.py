"""Membership statistics (form 3-BTCTW) from counters and from events, as of any date, and the
increase/decrease report (form 1-BTCTW) over a period."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from dangvu.core.errors import ValidationError
from dangvu.members.services import member_create, member_event_record
from dangvu.organisations.services import (
    organisation_dissolve,
    organisation_merge,
    organisation_move,
)
from dangvu.stats.selectors import membership_figures, percent, period_figures
from dangvu.testing.factories import make_org, member_data

pytestmark = pytest.mark.django_db


def _fields(exc) -> set[str]:
    return set(exc.value.message_dict)


def _record(member, type, day, **kwargs):
    return member_event_record(actor=None, member=member, type=type, date=day, **kwargs)


@pytest.fixture
def varied(tree, make_member):
    """Members of every kind, with history, spread over the tree.

    cell1: a (Kinh man, 2016), b (Xơ-đăng Catholic woman, 2020), c (Giẻ-Triêng woman,
           probationary since 1/2/2026)
    cell2: d (admitted 1972, exempted since 2023), e (Kinh Buddhist woman, died 1/2/2025)
    cell3 (dissolved 1/3/2025 under the committee): none
    gcell: f (master's degree), g (transferred to cell3 on 1/6/2024)
    cell3: h (Ba-na woman), i (struck off 1/5/2025)
    """
    extra = make_org(
        code="KT-DG-DP-03", name="Chi bộ thôn Đăk Ga", kind="cell", parent=tree.committee
    )
    people = {
        "a": make_member(tree.cell1),
        "b": make_member(
            tree.cell1,
            gender="F",
            ethnicity="16",
            religion="02",
            birth_date=date(1995, 8, 20),
            education="lower_secondary",
            admission_date=date(2020, 6, 1),
        ),
        "c": make_member(
            tree.cell1,
            gender="F",
            ethnicity="29",
            birth_date=date(2001, 11, 2),
            occupation="student",
            theory_level="none",
            probationary=True,
            admission_date=date(2026, 2, 1),
        ),
        "d": make_member(
            tree.cell2,
            birth_date=date(1950, 1, 15),
            admission_date=date(1972, 1, 10),
            occupation="retired",
            theory_level="advanced",
        ),
        "e": make_member(tree.cell2, gender="F", religion="01"),
        "f": make_member(tree.gcell, professional_level="master", occupation="public_employee"),
        "g": make_member(tree.gcell),
        "h": make_member(tree.cell3, gender="F", ethnicity="12"),
        "i": make_member(tree.cell3),
    }
    _record(people["d"], "exempted", date(2023, 1, 1))
    _record(people["g"], "transferred", date(2024, 6, 1), organisation=tree.cell3)
    _record(people["e"], "died", date(2025, 2, 1))
    _record(people["i"], "struck_off", date(2025, 5, 1))
    organisation_dissolve(actor=None, org=extra, on=date(2025, 3, 1))
    tree.refresh()
    return people


def _without_source(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "source"}


def test_todays_report_from_counters_equals_the_report_from_events(tree, varied):
    for name in tree.__dataclass_fields__:
        org = getattr(tree, name)
        from_counters = membership_figures(org)
        from_events = membership_figures(org, source="events")
        assert (from_counters["source"], from_events["source"]) == ("counters", "events")
        assert _without_source(from_counters) == _without_source(from_events), name


def test_figures_of_a_committee_today(tree, varied):
    with translation.override("vi"):
        report = membership_figures(tree.committee)
    assert report["organisation"] == {
        "code": "KT-DG-DP",
        "name": "Đảng ủy xã Đăk Pék",
        "kind": "grassroots_committee",
        "path": tree.committee.path,
    }
    assert report["as_of"] == timezone.localdate()
    assert report["members"] == {"total": 4, "official": 3, "probationary": 1}
    assert report["women"] == {"count": 2, "percent": 50.0}
    assert report["ethnic_minority"] == {"count": 2, "percent": 50.0}
    assert report["religious"] == {"count": 1, "percent": 25.0}
    assert report["exempted"] == {"count": 1, "percent": 25.0}
    assert report["breakdowns"]["ethnicity"] == [
        {"code": "01", "label": "Kinh", "count": 2, "percent": 50.0},
        {"code": "16", "label": "Xơ-đăng", "count": 1, "percent": 25.0},
        {"code": "29", "label": "Giẻ-Triêng", "count": 1, "percent": 25.0},
    ]
    assert report["breakdowns"]["religion"] == [
        {"code": "00", "label": "Không", "count": 3, "percent": 75.0},
        {"code": "02", "label": "Công giáo", "count": 1, "percent": 25.0},
    ]
    assert {r["code"]: r["count"] for r in report["breakdowns"]["admission_period"]} == {
        "pre_1945": 0,
        "1945_1954": 0,
        "1954_1975": 1,
        "post_1975": 3,
    }
    assert {r["code"]: r["count"] for r in report["breakdowns"]["occupation"] if r["count"]} == {
        "farmer": 2,
        "student": 1,
        "retired": 1,
    }
    assert {r["code"]: r["count"] for r in report["breakdowns"]["education"]} == {
        "literate": 0,
        "primary": 0,
        "lower_secondary": 1,
        "upper_secondary": 3,
    }
    assert {r["code"]: r["count"] for r in report["breakdowns"]["theory"] if r["count"]} == {
        "intermediate": 2,
        "none": 1,
        "advanced": 1,
    }
    assert sum(r["count"] for r in report["breakdowns"]["age_band"]) == 4
    assert report["organisations"] == {
        "grassroots": 1,
        "by_kind": {"grassroots_committee": 1, "cell": 2},
        "by_grassroots_type": {"commune": 1},
    }


def test_percentages_have_two_decimals(tree, varied):
    report = membership_figures(tree.cell1)
    assert report["members"] == {"total": 3, "official": 2, "probationary": 1}
    assert report["women"] == {"count": 2, "percent": 66.67}
    assert report["ethnic_minority"] == {"count": 2, "percent": 66.67}
    assert report["religious"] == {"count": 1, "percent": 33.33}
    assert report["exempted"] == {"count": 0, "percent": 0.0}


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        (2, 3, 66.67),
        (1, 3, 33.33),
        (1, 6, 16.67),
        (1, 8, 12.5),
        (1, 800, 0.13),
        (5, 5, 100.0),
        (0, 7, 0.0),
        (0, 0, 0.0),
        (3, 0, 0.0),
    ],
)
def test_percent_rounds_half_up_to_two_decimals(count, total, expected):
    assert percent(count, total) == expected


def test_a_report_as_of_a_past_date_gives_the_figures_of_that_date(tree, varied):
    day = date(2024, 12, 31)
    report = membership_figures(tree.committee, day)
    assert (report["as_of"], report["source"]) == (day, "events")
    # c not admitted yet, e still alive, the third cell not dissolved yet.
    assert report["members"] == {"total": 4, "official": 4, "probationary": 0}
    assert report["women"] == {"count": 2, "percent": 50.0}
    assert report["ethnic_minority"] == {"count": 1, "percent": 25.0}
    assert report["religious"] == {"count": 2, "percent": 50.0}
    assert report["exempted"] == {"count": 1, "percent": 25.0}
    assert {r["code"]: (r["count"], r["percent"]) for r in report["breakdowns"]["age_band"]} == {
        "18-30": (1, 25.0),
        "31-35": (0, 0.0),
        "36-40": (0, 0.0),
        "41-45": (2, 50.0),
        "46-50": (0, 0.0),
        "51-55": (0, 0.0),
        "56-60": (0, 0.0),
        "61+": (1, 25.0),
    }
    assert report["organisations"]["by_kind"] == {"grassroots_committee": 1, "cell": 3}
    # g was in the grassroots cell until 1/6/2024, then in cell3 of the other province.
    assert membership_figures(tree.gcell, date(2024, 5, 31))["members"]["total"] == 2
    assert membership_figures(tree.gcell, date(2024, 6, 1))["members"]["total"] == 1
    assert membership_figures(tree.cell3, date(2024, 6, 1))["members"]["total"] == 3
    assert membership_figures(tree.root, date(2016, 3, 14))["members"]["total"] == 1  # only d
    assert membership_figures(tree.root, date(2016, 3, 15))["members"]["total"] == 7


def test_a_past_report_for_today_equals_the_counters(tree, varied):
    today = timezone.localdate()
    assert _without_source(membership_figures(tree.root, today, source="events")) == (
        _without_source(membership_figures(tree.root, today))
    )


def test_as_of_in_the_future_or_before_the_organisation_existed_is_refused(tree, varied):
    with pytest.raises(ValidationError) as exc:
        membership_figures(tree.committee, timezone.localdate() + timedelta(days=1))
    assert _fields(exc) == {"as_of"}
    with pytest.raises(ValidationError) as exc:
        membership_figures(tree.committee, date(2014, 12, 31))
    assert _fields(exc) == {"as_of"}
    with pytest.raises(ValidationError) as exc:
        membership_figures(tree.committee, date(2024, 1, 1), source="counters")
    assert _fields(exc) == {"as_of"}


@pytest.mark.parametrize(
    ("name", "grassroots"),
    [
        ("root", 3),
        ("province", 2),
        ("district", 2),
        ("committee", 1),
        ("cell1", 0),
        ("gcell", 1),
        ("province2", 1),
        ("district2", 1),
        ("committee2", 1),
        ("cell3", 0),
    ],
)
def test_grassroots_organisations_of_the_subtree(tree, name, grassroots):
    org = getattr(tree, name)
    assert membership_figures(org)["organisations"]["grassroots"] == grassroots
    assert membership_figures(org, source="events")["organisations"]["grassroots"] == grassroots


def test_organisation_kinds_of_the_whole_tree(tree):
    assert membership_figures(tree.root)["organisations"] == {
        "grassroots": 3,
        "by_kind": {
            "central": 1,
            "province": 2,
            "district": 2,
            "grassroots_committee": 2,
            "grassroots_cell": 1,
            "cell": 3,
        },
        "by_grassroots_type": {"commune": 2, "public_service": 1},
    }


# --- form 1-BTCTW ------------------------------------------------------------------------------

Y_FROM, Y_TO = date(2024, 1, 1), date(2024, 12, 31)


@pytest.fixture
def year(tree, make_member):
    """Members in place on 1/1/2024 and what happened to them during 2024."""
    p1, p2, p3 = (make_member(tree.cell1) for _ in range(3))
    p4, p5 = make_member(tree.cell2), make_member(tree.cell2)
    q1 = make_member(tree.cell3)
    g = make_member(tree.gcell)
    gone = make_member(tree.cell1)
    _record(gone, "left", date(2023, 6, 1))
    _record(p4, "exempted", date(2024, 2, 1))
    n1 = make_member(tree.cell1, probationary=True, admission_date=date(2024, 3, 1))
    n2 = make_member(tree.cell2, probationary=True, admission_date=date(2024, 4, 1))
    _record(p1, "died", date(2024, 5, 1))
    _record(p2, "transferred", date(2024, 6, 1), organisation=tree.cell2)
    _record(p3, "transferred", date(2024, 7, 1), organisation=tree.cell3)
    _record(q1, "transferred", date(2024, 8, 1), organisation=tree.cell2)
    _record(n2, "struck_off", date(2024, 9, 1))  # a probationary member
    _record(p5, "struck_off", date(2024, 9, 15))  # an official member
    member_create(
        actor=None,
        data=member_data(),
        organisation=tree.cell2,
        entry="transferred_in",
        entry_date=date(2024, 10, 1),
    )
    _record(g, "died", date(2024, 11, 1))
    _record(n1, "exempted", date(2024, 12, 1))
    return locals()


def _rows(report) -> tuple[dict, dict]:
    return (
        {r["key"]: r["count"] for r in report["increases"]},
        {r["key"]: r["count"] for r in report["decreases"]},
    )


def _balanced(report) -> bool:
    return report["closing"] == (
        report["opening"] + report["increase_total"] - report["decrease_total"]
    )


@pytest.mark.parametrize(
    ("name", "opening", "increases", "decreases", "struck_off_probationary", "closing"),
    [
        # The transfer cell1 -> cell2 stays inside the committee: neither increase nor decrease.
        (
            "committee",
            5,
            {"admitted": 2, "transferred_in": 2},
            {"died": 1, "struck_off": 2, "transferred_out": 1},
            1,
            5,
        ),
        ("cell1", 3, {"admitted": 1}, {"died": 1, "transferred_out": 2}, 0, 1),
        ("cell2", 2, {"admitted": 1, "transferred_in": 3}, {"struck_off": 2}, 1, 4),
        (
            "district",
            6,
            {"admitted": 2, "transferred_in": 2},
            {"died": 2, "struck_off": 2, "transferred_out": 1},
            1,
            5,
        ),
        ("cell3", 1, {"transferred_in": 1}, {"transferred_out": 1}, 0, 1),
        ("root", 7, {"admitted": 2, "transferred_in": 1}, {"died": 2, "struck_off": 2}, 1, 6),
    ],
)
def test_period_report_rows(
    tree, year, name, opening, increases, decreases, struck_off_probationary, closing
):
    report = period_figures(getattr(tree, name), Y_FROM, Y_TO)
    inc, dec = _rows(report)
    assert inc == {
        "admitted": 0,
        "transferred_in": 0,
        "restored": 0,
        "reorganised_in": 0,
        **increases,
    }
    assert dec == {
        "died": 0,
        "expelled": 0,
        "struck_off": 0,
        "left": 0,
        "transferred_out": 0,
        "reorganised_out": 0,
        **decreases,
    }
    assert (report["opening"], report["closing"], report["struck_off_probationary"]) == (
        opening,
        closing,
        struck_off_probationary,
    )
    assert report["increase_total"] == sum(increases.values())
    assert report["decrease_total"] == sum(decreases.values())
    assert _balanced(report)
    assert (report["from"], report["to"]) == (Y_FROM, Y_TO)


def test_period_report_of_part_of_the_year(tree, year):
    first_half = period_figures(tree.committee, Y_FROM, date(2024, 6, 30))
    assert (first_half["opening"], first_half["closing"]) == (5, 6)
    assert _rows(first_half)[0]["admitted"] == 2
    assert _rows(first_half)[1]["died"] == 1
    assert _balanced(first_half)
    one_day = period_figures(tree.cell1, date(2024, 6, 1), date(2024, 6, 1))
    assert (one_day["opening"], one_day["closing"], _rows(one_day)[1]["transferred_out"]) == (
        3,
        2,
        1,
    )


def test_period_report_counts_reorganisations(tree, year):
    organisation_merge(actor=None, sources=[tree.cell2], target=tree.cell1, on=date(2025, 1, 10))
    tree.refresh()
    report = period_figures(tree.cell1, date(2025, 1, 1), date(2025, 1, 31))
    # The cell continues the one merged into it (decision 0015): it opens with both, and the
    # members handed over are no increase.
    assert _rows(report)[0]["reorganised_in"] == 0
    assert (report["opening"], report["closing"]) == (5, 5)
    assert [c["code"] for c in report["continues"]] == [tree.cell2.code]
    source = period_figures(tree.cell2, date(2025, 1, 1), date(2025, 1, 31))
    assert _rows(source)[1]["reorganised_out"] == 4
    assert (source["opening"], source["closing"]) == (4, 0)
    committee = period_figures(tree.committee, date(2025, 1, 1), date(2025, 1, 31))
    assert (committee["increase_total"], committee["decrease_total"]) == (0, 0)
    assert (committee["opening"], committee["closing"]) == (5, 5)


def test_period_report_refuses_a_reversed_or_future_period(tree):
    with pytest.raises(ValidationError) as exc:
        period_figures(tree.committee, Y_TO, Y_FROM)
    assert _fields(exc) == {"from"}
    with pytest.raises(ValidationError) as exc:
        period_figures(tree.committee, Y_FROM, timezone.localdate() + timedelta(days=1))
    assert _fields(exc) == {"to"}


def test_period_report_balances_across_an_organisation_move(tree, make_member):
    for _ in range(3):
        make_member(tree.cell1)
    organisation_move(
        actor=None, org=tree.committee, new_parent=tree.district2, on=date(2024, 6, 1)
    )
    old_parent = period_figures(tree.district, Y_FROM, Y_TO)
    new_parent = period_figures(tree.district2, Y_FROM, Y_TO)
    assert (old_parent["opening"], old_parent["closing"]) == (3, 0)
    assert (new_parent["opening"], new_parent["closing"]) == (0, 3)
    assert _balanced(old_parent)
    assert _balanced(new_parent)
