"""Trust in a real browser: an organisation-board officer sets up her authenticator app by the
QR code's key at her first sign-in, keeps her backup codes, and signs in again with the app's
next code; the password alone reaches nothing; she signs her other browsers out."""

import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from dangvu.accounts.twofactor import totp_device
from dangvu.e2e.conftest import PASSWORD
from dangvu.e2e.test_browser import assert_no_horizontal_scroll, assert_vietnamese, press


def _code_for(secret_text: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for the key typed from the page."""
    from base64 import b32decode

    key = b32decode(secret_text.replace(" ", ""))
    return f"{totp(key, t0=-30 * steps_ahead):06d}"


def _password(page, base_url: str, viewport: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    assert_vietnamese(page)
    page.fill("input[name='username']", "canbo.tochuc")
    page.fill("input[name='password']", PASSWORD)
    press(page, viewport, page.locator("main form button[type='submit']").first)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.e2e
def test_sign_in_with_two_factors(page, viewport, live_server, members, staff_user, screenshot):
    base = live_server.url
    _password(page, base, viewport)
    # First sign-in: no factor yet, so the set-up page with the QR code and the key as text.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/"))
    expect(page.locator("img.qr")).to_be_visible()
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 100
    assert_no_horizontal_scroll(page, "two-factor set-up")
    secret = page.locator("#otp-secret").inner_text()
    # Until the code is given, nothing else opens.
    page.goto(f"{base}/members/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    page.goto(f"{base}/accounts/two-factor/set-up/")
    assert page.locator("#otp-secret").inner_text() == secret  # the same key after a reload
    page.fill("input[name='token']", _code_for(secret))
    press(page, viewport, page.locator("main form button[type='submit']").first)
    codes = page.locator("#backup-codes li")
    expect(codes).to_have_count(10)
    screenshot("backup-codes")
    press(page, viewport, page.locator("main a.button"))
    page.goto(f"{base}/members/")
    expect(page.locator("h1")).to_be_visible()
    assert "/accounts/" not in page.url

    # Sign out, then in again: password, then the app's next code.
    page.goto(f"{base}/accounts/security/")
    press(page, viewport, page.locator("button[value='all']"))
    expect(page).to_have_url(re.compile(r"/accounts/signed-out/"))
    _password(page, base, viewport)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?"))
    assert totp_device(staff_user) is not None
    page.fill("input[name='token']", _code_for(secret, steps_ahead=1))
    press(page, viewport, page.locator("main form button[type='submit']").first)
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
    page.goto(f"{base}/accounts/security/")
    expect(page.locator("main")).to_contain_text("trình duyệt này")
    assert_no_horizontal_scroll(page, "sign-in and security")
    assert not page.js_errors, page.js_errors
    screenshot("security")


@pytest.mark.e2e
def test_a_member_sees_who_viewed_their_particulars(
    page, viewport, live_server, members, staff_user, screenshot
):
    """The officer opens Bình's record (his particulars shown to her); Bình, a party member
    signed in with his password alone, finds her name on "who has viewed" from his record."""
    from dangvu.accounts.services import user_create
    from dangvu.e2e.test_browser import sign_in
    from dangvu.members.services import member_link_user

    binh = members["binh"]
    user, _pw = user_create(actor=None, username="binh", password=PASSWORD)
    member_link_user(actor=None, member=binh, user=user)
    base = live_server.url
    sign_in(page, base, viewport)
    page.goto(f"{base}/members/{binh.pk}/")
    expect(page.locator("h1")).to_contain_text("Nguyễn Văn Bình")
    page.context.clear_cookies()

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name='username']", "binh")
    page.fill("input[name='password']", PASSWORD)
    press(page, viewport, page.locator("main form button[type='submit']").first)
    page.wait_for_url(lambda url: "/accounts/" not in url)  # no second step for a member
    page.goto(f"{base}/members/{binh.pk}/")
    press(page, viewport, page.locator("#viewed-me"))
    expect(page.locator("main")).to_contain_text("Lê Thị Tổ Chức")
    assert_no_horizontal_scroll(page, "who viewed my particulars")
    screenshot("viewed-me")
