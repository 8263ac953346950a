"""Walk every URL pattern and API route as a cell secretary and prove that nothing of another
cell leaks: objects outside the scope are 404, lists and reports never show them, and no write
reaches them."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dangvu.accounts.services import grant_create, token_create
from dangvu.audit.models import AuditRecord
from dangvu.members.models import Member, MembershipEvent
from dangvu.members.services import member_create
from dangvu.organisations.services import organisation_create

pytestmark = pytest.mark.django_db


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _fill(route: str, values: dict) -> str | None:
    """Turn a route ("members/<int:pk>/", "api/v1/members/{member_id}"…) into a URL."""
    url = route.lstrip("^").rstrip("$")
    for name, value in values.items():
        for form in (
            f"<int:{name}>",
            f"<str:{name}>",
            f"<{name}>",
            f"{{{name}}}",
            f"<path:{name}>",
        ):
            url = url.replace(form, str(value))
    if "<" in url or "{" in url or "(?P" in url:
        return None
    return "/" + url


MEMBER = dict(
    birth_date=date(1985, 1, 1),
    gender="M",
    ethnicity="01",
    education="upper_secondary",
    occupation="farmer",
    admission_date=date(2015, 3, 1),
    official_date=date(2016, 3, 1),
)


@pytest.fixture
def world():
    root = organisation_create(
        actor=None,
        code="ROOT",
        name="Trung ương",
        kind="central",
        parent=None,
        valid_from=date(1930, 2, 3),
    )
    province = organisation_create(
        actor=None,
        code="P",
        name="Tỉnh Thử",
        kind="province",
        parent=root,
        valid_from=date(1990, 1, 1),
    )
    cell_a = organisation_create(
        actor=None,
        code="CELLA",
        name="Chi bộ Alpha",
        kind="grassroots_cell",
        grassroots_type="commune",
        parent=province,
        valid_from=date(1990, 1, 1),
    )
    cell_b = organisation_create(
        actor=None,
        code="CELLB",
        name="Chi bộ Bêta Bí Mật",
        kind="grassroots_cell",
        grassroots_type="commune",
        parent=province,
        valid_from=date(1990, 1, 1),
    )
    mine = member_create(
        actor=None, data=dict(MEMBER, full_name="Người Trong Phạm Vi"), organisation=cell_a
    )
    other = member_create(
        actor=None,
        data=dict(MEMBER, full_name="Người Ngoài Bí Mật", party_card_number="87654321"),
        organisation=cell_b,
    )
    user = get_user_model().objects.create_user("secretary-a", password="pw-12345678")
    grant_create(actor=None, user=user, organisation=cell_a, role="secretary")
    return {
        "root": root,
        "province": province,
        "a": cell_a,
        "b": cell_b,
        "mine": mine,
        "other": other,
        "user": user,
        "token": token_create(actor=None, user=user),
    }


SECRETS = ("Người Ngoài Bí Mật", "Chi bộ Bêta Bí Mật", "87654321", "Tỉnh Thử")


def _writes():
    return (
        Member.objects.count(),
        MembershipEvent.objects.count(),
        # Records of reads (sensitive fields shown, reports served) are not writes.
        AuditRecord.objects.exclude(action__endswith=".sensitive_view")
        .exclude(action__startswith="report.")
        .count(),
    )


def test_every_route_hides_what_is_outside_the_scope(world):
    web = Client()
    web.force_login(world["user"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    outside = {
        "code": "CELLB",
        "pk": world["other"].pk,
        "member_id": world["other"].pk,
        "id": world["other"].pk,
    }
    query = {
        "org": "CELLB",
        "parent": "CELLB",
        "as_of": "2020-01-01",
        "from": "2020-01-01",
        "to": "2021-01-01",
        "date_from": "2020-01-01",
        "date_to": "2021-01-01",
    }
    checked = 0
    before = _writes()
    for route, _pattern in _patterns():
        if route.startswith(("static", "i18n", "api/v1/docs", "api/v1/openapi", "accounts/logout")):
            continue
        url = _fill(route, outside)
        if url is None:
            continue
        client = api if url.startswith("/api/") else web
        payload = {**query, "type": "died", "date": "2024-01-01", "corrects": 1}
        for method in ("get", "post"):
            if method == "get":
                response = client.get(url, query)
            elif client is api:
                response = client.post(url, payload, content_type="application/json")
            else:
                response = client.post(url, payload)
            body = response.content.decode("utf-8", "replace")
            assert response.status_code in (200, 302, 400, 401, 403, 404, 405, 422), (
                method,
                url,
                response.status_code,
            )
            for secret in SECRETS:
                assert secret not in body, f"{method.upper()} {url} shows {secret!r}"
            if "{" in route or "<" in route:
                # An object addressed directly outside the scope does not exist.
                assert response.status_code in (404, 405), (method, url, response.status_code)
            checked += 1
    assert _writes() == before, "a request outside the scope wrote something"
    assert checked >= 20


def test_the_same_routes_work_inside_the_scope(world):
    """The walk above would pass on a site that 404s everything: check the secretary does see
    their own cell and member."""
    web = Client()
    web.force_login(world["user"])
    assert web.get(f"/members/{world['mine'].pk}/").status_code == 200
    assert web.get("/organisations/CELLA/").status_code == 200
    assert "Người Trong Phạm Vi" in web.get("/members/?q=nguoi trong").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    assert api.get(f"/api/v1/members/{world['mine'].pk}").status_code == 200
    assert api.get("/api/v1/reports/membership?org=CELLA").json()["members"]["total"] == 1
    assert api.get("/api/v1/reports/membership?org=CELLB").status_code == 404
    assert api.get(f"/api/v1/members/{world['other'].pk}").status_code == 404
    assert web.get("/reports/membership/?org=CELLB").status_code == 404
