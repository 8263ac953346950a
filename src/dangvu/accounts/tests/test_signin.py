"""Signing in: the Vietnamese form, the redirect to where one was going, and the lockout after
repeated failures (django-axes)."""

import pytest
from django.test import Client, override_settings

from dangvu.accounts.twofactor import backup_codes_issue
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_sign_in_and_come_back_to_the_page_asked_for(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    (code,) = backup_codes_issue(actor=None, user=user, count=1)
    client = Client()
    assert client.get("/members/")["Location"] == "/accounts/login/?next=/members/"
    response = client.post(
        "/accounts/login/", {"username": "canbo", "password": "x-test-pass-9", "next": "/members/"}
    )
    assert response["Location"] == "/accounts/two-factor/?next=%2Fmembers%2F"
    response = client.post("/accounts/two-factor/", {"token": code, "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert client.get("/members/").status_code == 200


def test_a_wrong_password_is_refused_in_vietnamese(tree):
    make_user("canbo", role="org_staff", org=tree.province)
    page = Client().post("/accounts/login/", {"username": "canbo", "password": "sai"})
    assert page.status_code == 200
    assert '<html lang="vi">' in page.content.decode()
    assert "errorlist" in page.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_user_name_even_with_the_right_password(tree):
    make_user("canbo", role="org_staff", org=tree.province)
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "canbo", "password": "sai"})
    locked = client.post("/accounts/login/", {"username": "canbo", "password": "x-test-pass-9"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert Client().get("/members/").status_code == 302  # nobody got in
