"""The sign-in lockout counts the real client: behind the trusted proxy (DANGVU_BEHIND_PROXY) the
address the proxy saw, each client separately; without it the connection's address, whatever
X-Forwarded-For a client sends. And one address is stopped after 20 failures whatever the user
names (password spraying)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from dangvu.accounts.signin import client_ip
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "x-test-pass-9"  # dangvu.testing.factories.make_user's


def _sign_in(username: str, password: str, forwarded_for: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return Client().post(
        "/accounts/login/", {"username": username, "password": password}, **headers
    )


def _attempts() -> list[tuple[str, str, int]]:
    return sorted(
        AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")
    )


@override_settings(DANGVU_BEHIND_PROXY=True, AXES_FAILURE_LIMIT=3)
def test_behind_the_proxy_each_client_is_counted_separately(tree):
    make_user("canbo", role="org_staff", org=tree.province)
    # The third failure locks the client out…
    codes = [_sign_in("canbo", "sai", "203.0.113.10").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert _attempts() == [("canbo", "203.0.113.10", 3)]
    # …even with the right password…
    locked = _sign_in("canbo", PASSWORD, "203.0.113.10")
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    # …the same person from another client signs in.
    assert _sign_in("canbo", PASSWORD, "203.0.113.20").status_code == 302


@override_settings(DANGVU_BEHIND_PROXY=True, AXES_FAILURE_LIMIT=3)
def test_behind_the_proxy_only_the_address_the_proxy_wrote_counts(tree):
    # A proxy that appends ($proxy_add_x_forwarded_for) keeps what the client sent in front:
    # only the last entry is the proxy's word.
    make_user("canbo", role="org_staff", org=tree.province)
    for spoofed in ("198.51.100.1", "198.51.100.2", "not-an-address"):
        _sign_in("canbo", "sai", f"{spoofed}, 203.0.113.10")
    assert _attempts() == [("canbo", "203.0.113.10", 3)]
    assert _sign_in("canbo", PASSWORD, "198.51.100.9, 203.0.113.10").status_code == 429


@override_settings(DANGVU_BEHIND_PROXY=False, AXES_FAILURE_LIMIT=3)
def test_without_the_proxy_setting_a_forwarded_address_is_not_trusted(tree):
    make_user("canbo", role="org_staff", org=tree.province)
    for i in range(3):
        _sign_in("canbo", "sai", f"203.0.113.{i + 1}")
    # All three came from the connection's address (the test client's 127.0.0.1).
    assert _attempts() == [("canbo", "127.0.0.1", 3)]
    assert _sign_in("canbo", PASSWORD, "203.0.113.99").status_code == 429


def test_client_ip(rf, settings):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    settings.DANGVU_BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.DANGVU_BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.10"
    for forwarded, expected in [
        ("198.51.100.1, 2001:db8::1", "2001:db8::1"),
        ("198.51.100.1,203.0.113.10 ", "203.0.113.10"),
        ("garbage", "127.0.0.1"),
        ("", "127.0.0.1"),
    ]:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
        assert client_ip(request) == expected


def test_one_address_is_stopped_after_20_failures_whatever_the_user_names(tree):
    make_user("canbo", role="org_staff", org=tree.province)
    for i in range(19):
        assert _sign_in(f"thu{i:02}", "dangvu-2026").status_code == 200
    # 19 failures (one per name): the address still signs in, and a success clears only its
    # own user name's failures, not the address's.
    assert _sign_in("canbo", PASSWORD).status_code == 302
    assert _sign_in("thu19", "dangvu-2026").status_code == 429  # the 20th failure locks
    assert sum(n for _u, _ip, n in _attempts()) == 20
    assert _sign_in("canbo", PASSWORD).status_code == 429
    assert _sign_in("thu20", "dangvu-2026").status_code == 429
    with override_settings(DANGVU_BEHIND_PROXY=True):
        # Another client (behind the proxy) is not concerned.
        assert _sign_in("canbo", PASSWORD, "203.0.113.20").status_code == 302


@override_settings(DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_the_per_name_limit_is_5(tree):
    make_user("canbo", role="org_staff", org=tree.province)
    for _ in range(4):
        _sign_in("canbo", "sai")
    assert _sign_in("canbo", PASSWORD).status_code == 302
    for _ in range(5):
        _sign_in("canbo", "sai")
    assert _sign_in("canbo", PASSWORD).status_code == 429
