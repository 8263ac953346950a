"""The role × route matrix (dangvu.testing.matrix): every route of the URL conf and every
operation of the API schema, GET and POST, as each actor, over one world built once for the
module (each call runs in a savepoint rolled back after it); then the matrix's own tests: it
covers what it says, and it catches a view that skips the gate."""

import re

import pytest
from django.db import transaction
from django.test import override_settings

from dangvu.accounts.roles import ROLE_ACTIONS
from dangvu.core import registry
from dangvu.core.registry import OrgBound, org_bound
from dangvu.members.models import Member
from dangvu.organisations.models import Organisation, OrganisationLink
from dangvu.testing.matrix import (
    ACTOR,
    Route,
    build_world,
    case_id,
    cases,
    check_case,
    discover_routes,
    release_problems,
    route_problems,
)
from dangvu.testing.samples import missing_samples

pytestmark = pytest.mark.django_db

# Cases that break a promise today, each with what is wrong: strict, so that the fix flips them.
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _params():
    out = []
    for route, method, actor in cases():
        cid = case_id(route, method, actor)
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[cid])] if cid in KNOWN else []
        out.append(pytest.param(route, method, actor, id=cid, marks=marks))
    return out


@pytest.mark.parametrize(("route", "method", "actor"), _params())
def test_route_keeps_the_gate_s_promises(world, route, method, actor):
    problems = check_case(world, route, method, actor)
    assert not problems, "\n".join(problems)


def test_the_actor_who_may_see_sensitive_fields_sees_them(world):
    assert release_problems(world) == []


# --- what the matrix covers ---------------------------------------------------------------------


def test_every_registered_model_has_a_sample():
    assert missing_samples() == []


def test_the_matrix_can_fill_every_route():
    assert [p for route in discover_routes() for p in route_problems(route)] == []


def test_the_matrix_asks_every_operation_of_the_api():
    """The schema's paths, checked against the routers the NinjaAPI mounts."""
    from dangvu.api.api import api

    # A path converter ("{path:number}": a certificate number has slashes) is left out of the
    # schema's path, as ninja writes it.
    mounted = {
        (method, "/api/v1" + re.sub(r"\{\w+:(\w+)\}", r"{\1}", path))
        for _prefix, router in api._routers
        for path, view in router.path_operations.items()
        for op in view.operations
        for method in op.methods
    }
    asked = {
        (method, route.path)
        for route in discover_routes()
        if route.kind == "api"
        for method in route.methods
    }
    assert asked == mounted
    assert {r.path for r in discover_routes() if r.kind == "document"} == {
        "/api/v1/",
        "/api/v1/docs",
        "/api/v1/openapi.json",
    }


def test_the_actors_hold_what_the_matrix_says():
    entry = org_bound(Member)
    sensitive, plain, outsider = ACTOR["sensitive"], ACTOR["plain"], ACTOR["outsider"]
    assert entry.sensitive_action in ROLE_ACTIONS[sensitive.role]
    assert entry.view_action in ROLE_ACTIONS[plain.role]
    assert entry.sensitive_action not in ROLE_ACTIONS[plain.role]
    assert (sensitive.grant_on, plain.grant_on, outsider.grant_on) == ("a", "a", "b")
    assert (sensitive.may_write(), plain.may_write()) == (True, False)


# --- the matrix catches what it is for -----------------------------------------------------------


def test_the_matrix_catches_a_view_that_skips_the_gate(world):
    """A page serving Member.objects.get(pk=pk): the member of A is shown to the actor with a
    grant on B, and the identity number to the actor without view_sensitive."""
    member = world.sides["a"].rows[Member]
    with override_settings(ROOT_URLCONF="dangvu.testing.tests.leaky_urls"):
        routes = {route.path: route for route in discover_routes()}
        leaky = routes["/leaky/<int:pk>/"]
        outsider = check_case(world, leaky, "GET", ACTOR["outsider"])
        no_grant = check_case(world, leaky, "GET", ACTOR["no_grant"])
        plain = check_case(world, leaky, "GET", ACTOR["plain"])
    where = f"GET /leaky/{member.pk}/ as"
    assert outsider == [
        f"{where} outsider: status 200 for an object outside the caller's scope (404 or 405)",
        f"{where} outsider: shows {member.full_name!r}, of a member outside the scope",
        f"{where} outsider: shows identity_number {member.identity_number!r} of a member whose "
        "sensitive fields the caller may not see",
    ]
    assert no_grant[0] == (
        f"{where} no_grant: status 200 for an object outside the caller's scope (404 or 405)"
    )
    assert plain == [
        f"{where} plain: shows identity_number {member.identity_number!r} of a member whose "
        "sensitive fields the caller may not see",
    ]


def test_the_matrix_catches_sensitive_fields_released_to_a_role_without_them(world, monkeypatch):
    def release_all(actor, objs, *, via, fields=None):
        return {o.pk for o in objs}

    monkeypatch.setattr("dangvu.members.api.release_sensitive", release_all)
    member = world.sides["a"].rows[Member]
    route = {r.path: r for r in discover_routes()}["/api/v1/members/{member_id}"]
    where = f"GET /api/v1/members/{member.pk} as plain"
    hidden = "of a member whose sensitive fields the caller may not see"
    assert check_case(world, route, "GET", ACTOR["plain"]) == [
        f"{where}: shows identity_number {member.identity_number!r} {hidden}",
        f"{where}: shows phone {member.phone!r} {hidden}",
        f"{where}: shows birth_date {member.birth_date.isoformat()!r} {hidden}",
        f"{where}: carries the sensitive keys ['birth_date', 'ethnicity', 'identity_number', "
        f"'phone', 'religion'] of member {member.pk}, which the caller may not see",
    ]


def test_the_matrix_catches_a_search_by_a_sensitive_value(world, monkeypatch):
    """A search by identity number allowed to an actor who may not see identity numbers tells
    the number of whoever it finds."""
    monkeypatch.setattr("dangvu.members.selectors.covers_all", lambda *args, **kwargs: True)
    member = world.sides["a"].rows[Member]
    route = {r.path: r for r in discover_routes()}["/api/v1/members"]
    problems = check_case(world, route, "GET", ACTOR["plain"])
    assert problems == [
        f"GET /api/v1/members?q={member.identity_number} as plain: a query by a sensitive value "
        f"finds {member.full_name!r} (and not with another value), for a caller who may not see "
        "that value",
        f"GET /api/v1/members?q={member.identity_number} as plain: a query by a sensitive value "
        f"finds {member.party_card_number!r} (and not with another value), for a caller who may "
        "not see that value",
    ]


def test_a_registered_model_without_a_sample_fails_the_matrix(world, monkeypatch):
    monkeypatch.setitem(
        registry._org_bound,
        OrganisationLink,
        OrgBound(model=OrganisationLink, label="links", view_action="organisations.view"),
    )
    route = {r.path: r for r in discover_routes()}["/members/"]
    assert check_case(world, route, "GET", ACTOR["plain"]) == [
        "organisations.OrganisationLink is registered as organisation-bound but has no sample: "
        "add one in dangvu/testing/samples.py (register_sample) so that the role × route matrix "
        "and the query-count checks cover it"
    ]


def test_a_route_the_matrix_cannot_fill_fails_it(world):
    widget = Route("html", "/widgets/<int:widget_id>/", "members", "members:widget", ("widget_id",))
    upload = Route(
        "api", "/api/v1/uploads", "members", methods=frozenset({"POST"}), bodies=frozenset({"POST"})
    )
    assert check_case(world, widget, "GET", ACTOR["plain"]) == [
        "/widgets/<int:widget_id>/: the matrix cannot fill the parameter 'widget_id': name it in "
        "the `params` of the sample of the model it addresses (dangvu.testing.samples), or in "
        "dangvu.testing.matrix.OTHER_PARAMS"
    ]
    assert check_case(world, upload, "POST", ACTOR["plain"]) == [
        "POST /api/v1/uploads needs a request body: declare a valid one in "
        "dangvu.testing.matrix.API_BODIES"
    ]


def test_the_organisation_sample_is_the_cell_of_each_side(world):
    """The samples of other models are made in the organisation's sample row."""
    for side in world.sides.values():
        assert side.rows[Organisation].kind == "cell"
        assert side.rows[Member].organisation_id == side.rows[Organisation].pk


def test_random_tokens_are_not_read_as_a_row_s_values():
    """A CSRF token or a captcha token that happens to hold "Brau" shows nothing of a row."""
    from django.http import HttpResponse

    from dangvu.testing.matrix import _text

    page = (
        '<input type="hidden" name="csrfmiddlewaretoken" value="x1Brau9">'
        '<input type="hidden" name="token" value="eyBrau:1">'
        "<p>Brau</p>"
    )
    text, _data = _text(HttpResponse(page, content_type="text/html; charset=utf-8"))
    assert text.count("Brau") == 1
