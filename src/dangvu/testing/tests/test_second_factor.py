"""No page and no API operation answers a session that gave the password but not the second
factor: every route of the URL conf and of the API schema (dangvu.testing.matrix's discovery,
so a new app is covered without being named), GET and POST, asked by a province's staff who
holds every action there and stopped after the password."""

import pytest
from django.db import transaction
from django.test import Client

from dangvu.accounts.twofactor import OPEN_PATHS
from dangvu.testing.matrix import PUBLIC_API, _calls, build_world, discover_routes
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        staff = make_user("half-signed", role="org_staff", org=world.sides["a"].province)
        client = Client(raise_request_exception=False)
        client.force_login_password_only(staff)
        world.web["half"] = client
        yield world
        transaction.set_rollback(True)


def _routes():
    out = []
    for route in discover_routes():
        if route.open or route.problem or route.kind == "document":
            continue
        if route.kind == "html" and route.path.startswith(OPEN_PATHS):
            continue
        if route.kind == "api" and route.path in PUBLIC_API:
            continue
        # The API's writes never take a session (SessionRead): its reads are what a session
        # that owes the factor could try.
        methods = ("GET",) if route.kind == "html" or "GET" in route.methods else ()
        if route.kind == "html":
            methods = ("GET", "POST")
        out += [pytest.param(route, m, id=f"{m} {route.path}") for m in methods]
    return out


@pytest.mark.parametrize(("route", "method"), _routes())
def test_nothing_answers_before_the_second_factor(world, route, method):
    client = world.web["half"]
    call = _calls(route, method, world)[0]
    with transaction.atomic():
        if method == "GET":
            response = client.get(call.url, call.query)
        else:
            response = client.post(call.url, {})
        transaction.set_rollback(True)
    if route.kind == "api":
        assert response.status_code == 401, (call.url, response.status_code)
    else:
        assert response.status_code == 302, (call.url, response.status_code)
        assert response["Location"].startswith("/accounts/two-factor/"), response["Location"]


def test_the_pages_a_half_signed_in_person_may_reach_are_those_of_the_second_step(world):
    client = world.web["half"]
    assert client.get("/accounts/two-factor/").status_code == 302  # no factor yet: set up
    assert client.get("/accounts/two-factor/set-up/").status_code == 200
