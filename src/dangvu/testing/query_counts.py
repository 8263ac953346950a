"""Pinned query counts for list pages and list endpoints (STYLE.md rule 12), in the style of
NetBox's utilities/testing/query_counts.py and its per-app query_counts.json.

Each list is asked with a small and a larger dataset (SIZES: the listed cell's members, the
listed committee's cells, the listed member's events, the caller's tokens and grants): the two
counts must be equal (no query per row) and equal to the count pinned in the app's baseline,
src/dangvu/<app>/tests/query_counts.json. The lists come from the URL conf and the API schema
(every GET route without a path parameter, dangvu.testing.matrix.discover_routes) and from
EXTRA (lists behind a parameter or a query); NOT_LISTS names the parameterless routes that are
no list. A list missing from its baseline fails.

Refresh: DANGVU_UPDATE_QUERY_COUNTS=1 writes the measured counts (and drops entries no longer
measured); review the diff, as a count that grew is a regression unless the change says why.
A count holds on every engine unless its entry gives one per engine ({"sqlite": 9,
"postgresql": 11}), which an update on an engine that counts differently writes.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import dangvu

__all__ = [
    "SIZES",
    "UPDATE_ENV",
    "Pinned",
    "EXTRA",
    "NOT_LISTS",
    "Dataset",
    "build_dataset",
    "pinned",
    "measure",
    "baseline_path",
    "check_counts",
    "stale_entries",
]

SIZES = (3, 12)
UPDATE_ENV = "DANGVU_UPDATE_QUERY_COUNTS"
SEARCH_WORDS = "Đinh Thị Mẫu"  # the first words of every sample member's name

# Routes without a path parameter that list nothing: {URL name: why}.
NOT_LISTS: dict[str, str] = {
    "set_language": "a redirect that sets the language",
    "login": "the sign-in form (a signed-in person is redirected)",
    "logout": "POST only",
    "two_factor": "the sign-in's second step (a session that passed it is sent on)",
    "backup_codes_new": "POST only (issues new backup codes)",
    "lockouts": "an administrator's page over the whole tree (the dataset's user is a "
    "province's staff); accounts/tests/test_twofactor.py asks it",
    "reports:sign": "POST only (keeps a report as signed)",
}


@dataclass
class Dataset:
    """A province, a grassroots committee with `n` cells; in the first cell `n` rows of every
    other registered model (their samples); the first member with `n` events besides its entry;
    an org_staff over the province holding `n` more grants and `n` more tokens."""

    n: int
    province: Any
    committee: Any
    cells: list
    rows: dict[type, list]
    member: Any
    user: Any
    web: Client
    api: Client


def build_dataset(n: int) -> Dataset:
    from dangvu.accounts.services import grant_create
    from dangvu.members.models import Member
    from dangvu.members.services import member_event_record
    from dangvu.organisations.models import Organisation
    from dangvu.testing.factories import make_org, make_token, make_user
    from dangvu.testing.samples import make_home, samples

    root = make_org(code=f"QC{n}", name=f"Trung ương Đếm {n}", kind="central")
    province = make_org(code=f"QC{n}-P", name=f"Tỉnh Đếm {n}", kind="province", parent=root)
    committee = make_org(
        code=f"QC{n}-P-XA",
        name=f"Đảng ủy xã Đếm {n}",
        kind="grassroots_committee",
        grassroots_type="commune",
        parent=province,
    )
    cells = [make_home(committee, "Đếm") for _ in range(n)]
    rows: dict[type, list] = {Organisation: cells}
    for sample in samples():
        if sample.model is not Organisation:
            rows[sample.model] = [sample.make(cells[0], "Đếm") for _ in range(n)]
    member = rows[Member][0]
    day = date(2020, 1, 6)
    for i in range(n):
        member_event_record(
            actor=None,
            member=member,
            type="exempted" if i % 2 == 0 else "exemption_ended",
            date=day + timedelta(days=10 * i),
        )
    user = make_user(f"counter{n}", role="org_staff", org=province)
    # The portal's pages are its editors' and moderators' (news.views).
    for role in ("editor", "moderator"):
        grant_create(actor=None, user=user, organisation=province, role=role)
    for cell in cells:
        grant_create(actor=None, user=user, organisation=cell, role="committee_member")
    token = None
    for _ in range(n + 1):
        token = make_token(user)
    web, api = Client(), Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    web.force_login(user)
    return Dataset(n, province, committee, cells, rows, member, user, web, api)


@dataclass(frozen=True)
class Pinned:
    """One list to pin: `route` as discover_routes() names its path, filled for a dataset."""

    key: str  # its name in the baseline
    app: str  # whose baseline
    route: str
    kind: str  # "html" or "api"
    path: Callable[[Dataset], dict] = field(default=lambda ds: {})
    query: Callable[[Dataset], dict] = field(default=lambda ds: {})


def _member(ds: Dataset) -> dict:
    return {"pk": ds.member.pk, "member_id": ds.member.pk}


# Lists behind a path parameter or a query (the routes without either are found by pinned()).
EXTRA: tuple[Pinned, ...] = (
    Pinned("members:list?q", "members", "/members/", "html", query=lambda ds: {"q": SEARCH_WORDS}),
    Pinned(
        "members:list?org",
        "members",
        "/members/",
        "html",
        query=lambda ds: {"org": ds.cells[0].code},
    ),
    Pinned("members:detail", "members", "/members/<int:pk>/", "html", path=_member),
    Pinned(
        "organisations:detail of a cell",
        "organisations",
        "/organisations/<str:code>/",
        "html",
        path=lambda ds: {"code": ds.cells[0].code},
    ),
    Pinned(
        "organisations:detail of a committee",
        "organisations",
        "/organisations/<str:code>/",
        "html",
        path=lambda ds: {"code": ds.committee.code},
    ),
    Pinned(
        "organisations:children",
        "organisations",
        "/organisations/<str:code>/children/",
        "html",
        path=lambda ds: {"code": ds.committee.code},
    ),
    Pinned(
        "organisations:pick?q",
        "organisations",
        "/organisations/pick/",
        "html",
        query=lambda ds: {"field": "org", "org_q": "đếm"},  # every organisation's name
    ),
    Pinned(
        "members:pick?q",
        "members",
        "/members/pick/",
        "html",
        query=lambda ds: {"field": "member", "member_q": SEARCH_WORDS},
    ),
    Pinned(
        "reports:membership?org",
        "reports",
        "/reports/membership/",
        "html",
        query=lambda ds: {"org": ds.committee.code},
    ),
    Pinned(
        "GET /api/v1/members?q",
        "members",
        "/api/v1/members",
        "api",
        query=lambda ds: {"q": SEARCH_WORDS},
    ),
    Pinned(
        "GET /api/v1/members?org",
        "members",
        "/api/v1/members",
        "api",
        query=lambda ds: {"org": ds.cells[0].code},
    ),
    Pinned(
        "GET /api/v1/members/{member_id}",
        "members",
        "/api/v1/members/{member_id}",
        "api",
        path=_member,
    ),
    Pinned(
        "GET /api/v1/organisations?parent",
        "organisations",
        "/api/v1/organisations",
        "api",
        query=lambda ds: {"parent": ds.committee.code},
    ),
)


def _fill_required(name: str) -> Callable[[Dataset], str] | None:
    from dangvu.testing.matrix import QUERY_VALUES

    if name in ("org", "parent"):
        return lambda ds: ds.committee.code
    if name in QUERY_VALUES:
        return lambda ds: QUERY_VALUES[name](None)
    return None


def pinned(routes=None) -> tuple[list[Pinned], list[str]]:
    """(the lists to pin, what keeps a route from being pinned): every GET route without a path
    parameter (its required query filled), then EXTRA."""
    from dangvu.testing.matrix import discover_routes

    routes = discover_routes() if routes is None else routes
    out, problems = [], []
    for route in routes:
        if route.kind not in ("html", "api") or route.params or route.key in NOT_LISTS:
            continue
        if route.methods is not None and "GET" not in route.methods:
            continue
        fillers = {}
        for name, required in route.query:
            if required:
                filler = _fill_required(name)
                if filler is None:
                    problems.append(
                        f"{route.path}: cannot fill the required query parameter {name!r} to "
                        "pin its query count (dangvu.testing.query_counts._fill_required)"
                    )
                fillers[name] = filler
        key = route.key if route.kind == "html" else f"GET {route.path}"
        out.append(
            Pinned(
                key,
                route.app,
                route.path,
                route.kind,
                query=lambda ds, f=fillers: {k: fill(ds) for k, fill in f.items() if fill},
            )
        )
    known = {r.path for r in routes}
    for extra in EXTRA:
        if extra.route not in known:
            problems.append(f"{extra.key}: no route {extra.route} in the URL conf or the schema")
    return out + list(EXTRA), problems


def measure(ds: Dataset, case: Pinned, routes_by_path: dict) -> tuple[int, int]:
    """(queries, status) of the case's GET, asked twice and counted the second time (the first
    warms what a running site has warm: a token's last use, caches)."""
    route = routes_by_path[case.route]
    client = ds.web if case.kind == "html" else ds.api
    url, query = route.url(case.path(ds)), case.query(ds)
    client.get(url, query)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    return len(queries.captured_queries), response.status_code


# --- baselines ----------------------------------------------------------------------------------


def baseline_path(app: str) -> Path:
    return Path(dangvu.__file__).parent / app / "tests" / "query_counts.json"


def _load(app: str) -> dict:
    path = baseline_path(app)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _save(app: str, data: dict) -> None:
    path = baseline_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")


def _updating() -> bool:
    return os.environ.get(UPDATE_ENV, "") not in ("", "0")


def check_counts(case: Pinned, counts: list[int], statuses: list[int]) -> list[str]:
    """What is wrong with the counts measured for `case` with each of SIZES (empty: nothing);
    with DANGVU_UPDATE_QUERY_COUNTS=1, records an equal count instead of comparing it."""
    where = f"{case.key} ({baseline_path(case.app)})"
    problems = []
    if any(s != 200 for s in statuses):
        problems.append(f"{where}: answered {statuses} with {list(SIZES)} rows, not 200")
    if len(set(counts)) != 1:
        problems.append(
            f"{where}: {counts} queries with {list(SIZES)} rows: a query per row (prefetch or "
            "join what each row shows)"
        )
        return problems
    count, engine = counts[0], connection.vendor
    data = _load(case.app)
    pinned_count = data.get(case.key)
    if isinstance(pinned_count, dict):
        pinned_count = pinned_count.get(engine)
    if _updating():
        if pinned_count != count:
            entry = data.get(case.key)
            if isinstance(entry, dict) or (isinstance(entry, int) and engine != "sqlite"):
                entry = entry if isinstance(entry, dict) else {"sqlite": entry}
                data[case.key] = {**entry, engine: count}
            else:
                data[case.key] = count
            _save(case.app, data)
        return problems
    if pinned_count is None:
        problems.append(
            f"{where}: no pinned count ({count} queries measured): run the test with "
            f"{UPDATE_ENV}=1 to pin it"
        )
    elif pinned_count != count:
        problems.append(
            f"{where}: {count} queries, {pinned_count} pinned: fix the regression, or run the "
            f"test with {UPDATE_ENV}=1 and say in the change why the count moved"
        )
    return problems


def stale_entries(cases: list[Pinned]) -> list[str]:
    """Baseline entries that no list measures any more (dropped with DANGVU_UPDATE_QUERY_COUNTS=1)."""
    wanted: dict[str, set[str]] = {}
    for case in cases:
        wanted.setdefault(case.app, set()).add(case.key)
    stale = []
    for path in sorted(Path(dangvu.__file__).parent.glob("*/tests/query_counts.json")):
        app = path.parent.parent.name
        data = _load(app)
        extra = sorted(set(data) - wanted.get(app, set()))
        if extra and _updating():
            _save(app, {k: v for k, v in data.items() if k not in extra})
        elif extra:
            stale += [
                f"{app}/tests/query_counts.json: {key!r} is no longer measured" for key in extra
            ]
    return stale
