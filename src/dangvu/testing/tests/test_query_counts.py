"""Pinned query counts (dangvu.testing.query_counts): every list page and list endpoint, with a
small and a larger dataset, asks as many queries as its app's baseline pins; then the checker's
own tests."""

import json

import pytest
from django.db import connection, transaction

from dangvu.members.models import Member
from dangvu.testing import query_counts
from dangvu.testing.matrix import discover_routes
from dangvu.testing.query_counts import (
    SIZES,
    UPDATE_ENV,
    Pinned,
    build_dataset,
    check_counts,
    measure,
    pinned,
    stale_entries,
)

pytestmark = pytest.mark.django_db

CASES, PROBLEMS = pinned()

# Lists that ask a query per row today, pinned at the count they will have once fixed: strict,
# so that the fix flips them. {(app, key): what is wrong}.
# (app, route) -> why it is known to break its pin (an xfail(strict=True) until fixed).
KNOWN: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """{(app, key): ([queries per size], [status per size])}, each dataset in a savepoint rolled
    back after it."""
    routes = {r.path: r for r in discover_routes()}
    out = {(case.app, case.key): ([], []) for case in CASES}
    with django_db_blocker.unblock():
        for n in SIZES:
            with transaction.atomic():
                ds = build_dataset(n)
                for case in CASES:
                    count, status = measure(ds, case, routes)
                    out[case.app, case.key][0].append(count)
                    out[case.app, case.key][1].append(status)
                transaction.set_rollback(True)
    return out


def _params():
    return [
        pytest.param(
            case,
            id=f"{case.app}: {case.key}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[case.app, case.key])]
            if (case.app, case.key) in KNOWN
            else [],
        )
        for case in CASES
    ]


@pytest.mark.parametrize("case", _params())
def test_the_list_asks_its_pinned_count_whatever_its_length(measured, case):
    problems = check_counts(case, *measured[case.app, case.key])
    assert not problems, "\n".join(problems)


def test_every_list_route_can_be_pinned():
    assert PROBLEMS == []


def test_each_list_is_pinned_once():
    keys = [(c.app, c.key) for c in CASES]
    assert len(keys) == len(set(keys))


def test_the_baselines_name_only_measured_lists():
    assert stale_entries(CASES) == []


def test_the_lists_of_the_issue_are_pinned():
    assert {
        ("members", "members:list"),
        ("members", "members:list?q"),
        ("organisations", "organisations:tree"),
        ("organisations", "organisations:detail of a cell"),
        ("organisations", "organisations:children"),
        ("reports", "reports:membership"),
        ("reports", "reports:period"),
        ("members", "GET /api/v1/members"),
        ("organisations", "GET /api/v1/organisations"),
        ("accounts", "GET /api/v1/tokens"),
        ("members", "GET /api/v1/members/{member_id}"),
    } <= {(c.app, c.key) for c in CASES}


# --- the checker ----------------------------------------------------------------------------------

CASE = Pinned("members:list", "members", "/members/", "html")


@pytest.fixture
def baseline(tmp_path, monkeypatch):
    """A baseline file of its own for CASE's app."""
    path = tmp_path / "members" / "tests" / "query_counts.json"
    monkeypatch.setattr(query_counts, "baseline_path", lambda app: path)
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    return path


def test_the_checker_names_a_query_per_row(baseline):
    assert check_counts(CASE, [7, 16], [200, 200]) == [
        f"members:list ({baseline}): [7, 16] queries with [3, 12] rows: a query per row "
        "(prefetch or join what each row shows)"
    ]


def test_the_checker_fails_a_list_missing_from_the_baseline_and_a_moved_count(baseline):
    assert check_counts(CASE, [7, 7], [200, 200]) == [
        f"members:list ({baseline}): no pinned count (7 queries measured): run the test with "
        "DANGVU_UPDATE_QUERY_COUNTS=1 to pin it"
    ]
    baseline.parent.mkdir(parents=True)
    baseline.write_text(json.dumps({"members:list": 6}))
    assert check_counts(CASE, [7, 7], [200, 200]) == [
        f"members:list ({baseline}): 7 queries, 6 pinned: fix the regression, or run the test "
        "with DANGVU_UPDATE_QUERY_COUNTS=1 and say in the change why the count moved"
    ]
    this, other = (
        ("sqlite", "postgresql") if connection.vendor == "sqlite" else ("postgresql", "sqlite")
    )
    baseline.write_text(json.dumps({"members:list": {this: 7, other: 9}}))
    assert check_counts(CASE, [7, 7], [200, 200]) == []
    baseline.write_text(json.dumps({"members:list": {this: 9, other: 7}}))
    assert check_counts(CASE, [7, 7], [200, 200]) != []


def test_the_checker_records_counts_when_asked(baseline, monkeypatch):
    monkeypatch.setenv(UPDATE_ENV, "1")
    assert check_counts(CASE, [7, 7], [200, 200]) == []
    assert json.loads(baseline.read_text()) == {"members:list": 7}


def test_the_measure_sees_a_query_per_row(monkeypatch):
    """The members list without its join to the cell: one more query per member shown."""
    from dangvu.members import views

    real = views.member_list
    monkeypatch.setattr(views, "member_list", lambda **kw: real(**kw).select_related(None))
    routes = {r.path: r for r in discover_routes()}
    counts = []
    for n in (2, 4):
        with transaction.atomic():
            ds = build_dataset(n)
            assert Member.objects.filter(organisation=ds.cells[0]).count() == n
            counts.append(measure(ds, CASE, routes)[0])
            transaction.set_rollback(True)
    assert counts[1] - counts[0] == 2
