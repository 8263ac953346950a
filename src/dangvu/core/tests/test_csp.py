"""The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY) through
core.middleware.ContentSecurityPolicyMiddleware: strict on every page, the inline stylesheet
admitted by its hash only, the API docs page alone allowed its inline bootstrap."""

import pytest
from django.test import Client

from dangvu.core.stylesheet import stylesheet_hash

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def test_a_page_may_run_only_dangvu_s_own_scripts_and_its_one_stylesheet(users):
    client = Client()
    client.force_login(users.staff_kt)
    policy = _directives(client.get("/members/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", stylesheet_hash()]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in " ".join(sum(policy.values(), []))


def test_the_sign_in_page_has_the_same_policy():
    policy = _directives(Client().get("/accounts/login/"))
    assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


def test_only_the_api_docs_allow_an_inline_script():
    policy = _directives(Client().get("/api/v1/docs"))
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]
