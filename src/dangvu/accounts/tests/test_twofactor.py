"""The second factor (django-otp): required for every role but `member`, enrolled by QR code,
backup codes that work once, throttled codes; idle sessions; signing out everywhere; an
administrator's lockout list."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangvu.accounts.sessions import SEEN_KEY
from dangvu.accounts.twofactor import backup_codes_issue, totp_device
from dangvu.audit.models import AuditRecord
from dangvu.testing.factories import make_member, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "x-test-pass-9"


def _password(client: Client, username: str, next_url: str = "/members/"):
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": next_url}
    )


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if steps_ahead:
        code = totp(
            device.bin_key,
            device.step,
            device.t0 - steps_ahead * device.step,
            device.digits,
            device.drift,
        )
    return f"{code:06d}"


def _enrol(client: Client, user) -> list[str]:
    if "_auth_user_id" not in client.session:
        client.force_login_password_only(user)
    client.get("/accounts/two-factor/set-up/")
    device = totp_device(user, confirmed=False)
    page = client.post("/accounts/two-factor/set-up/", {"token": _code(device)}, follow=True)
    assert page.status_code == 200, page.content.decode()[:500]
    return page.context["codes"]


def test_staff_enrol_an_authenticator_by_qr_code_and_get_backup_codes(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    client = Client()
    response = _password(client, "canbo")
    assert response["Location"] == "/accounts/two-factor/?next=%2Fmembers%2F"
    # No factor yet: the second step sends them to set one up.
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/two-factor/set-up/?next=%2Fmembers%2F"
    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page
    device = totp_device(user, confirmed=False)
    assert device is not None and client.get("/members/").status_code == 302
    # A wrong code: refused, nothing confirmed, still no access.
    wrong = client.post("/accounts/two-factor/set-up/", {"token": "000000"})
    assert "errorlist" in wrong.content.decode()
    assert totp_device(user) is None and client.get("/members/").status_code == 302
    # Reloading the page keeps the same key (the code scanned stays the one that counts).
    client.get("/accounts/two-factor/set-up/")
    assert totp_device(user, confirmed=False).pk == device.pk
    device.refresh_from_db()
    response = client.post(
        "/accounts/two-factor/set-up/", {"token": _code(device), "next": "/members/"}
    )
    assert response["Location"] == "/accounts/security/backup-codes/"
    page = client.get(response["Location"])
    codes = page.context["codes"]
    assert page.context["next"] == "/members/" and all(c in page.content.decode() for c in codes)
    # Shown once: a reload shows them no more.
    assert client.get("/accounts/security/backup-codes/")["Location"] == "/accounts/security/"
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/members/").status_code == 200
    assert AuditRecord.objects.filter(action="user.second_factor_enrol", object_id=user.pk)


def test_sign_in_with_the_app_s_code_and_a_code_is_not_taken_twice(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    _enrol(Client(), user)
    device = totp_device(user)
    first = Client()
    _password(first, "canbo")
    code = _code(device, steps_ahead=1)  # the next step's code: this step's went to enrolment
    response = first.post("/accounts/two-factor/", {"token": code, "next": "/members/"})
    assert response["Location"] == "/members/"
    assert first.get("/members/").status_code == 200
    # The same code again, from another browser with the password: refused.
    second = Client()
    _password(second, "canbo")
    again = second.post("/accounts/two-factor/", {"token": code})
    assert again.status_code == 200 and "errorlist" in again.content.decode()
    assert second.get("/members/").status_code == 302


def test_a_backup_code_works_once(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    code, other = backup_codes_issue(actor=None, user=user, count=2)
    client = Client()
    _password(client, "canbo")
    assert client.post("/accounts/two-factor/", {"token": code.upper()}).status_code == 302
    assert client.get("/members/").status_code == 200
    again = Client()
    _password(again, "canbo")
    refused = again.post("/accounts/two-factor/", {"token": code})
    assert "errorlist" in refused.content.decode()
    assert again.get("/members/").status_code == 302
    # The codes are counted on the security page; a new set replaces the old one.
    assert "1" in client.get("/accounts/security/").content.decode()
    client.post("/accounts/security/backup-codes/")
    third = Client()
    _password(third, "canbo")
    assert "errorlist" in third.post("/accounts/two-factor/", {"token": other}).content.decode()


def test_the_password_alone_never_replaces_a_factor(tree):
    """Someone who has the password but not the phone cannot set up a new authenticator nor
    draw new backup codes."""
    user = make_user("canbo", role="org_staff", org=tree.province)
    _enrol(Client(), user)
    thief = Client()
    _password(thief, "canbo")
    assert thief.get("/accounts/two-factor/set-up/")["Location"].startswith(
        "/accounts/two-factor/?"
    )
    response = thief.post("/accounts/two-factor/set-up/", {"token": "123456"})
    assert response.status_code == 302 and TOTPDevice.objects.filter(user=user).count() == 1
    response = thief.post("/accounts/security/backup-codes/")
    assert response["Location"].startswith("/accounts/two-factor/")
    assert thief.get("/api/v1/me").status_code == 401


def test_wrong_codes_are_throttled(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    _enrol(Client(), user)
    client = Client()
    _password(client, "canbo")
    for _ in range(3):
        client.post("/accounts/two-factor/", {"token": "999999"})
    page = client.post(
        "/accounts/two-factor/", {"token": _code(totp_device(user), steps_ahead=1)}
    ).content.decode()
    assert "errorlist" in page and client.get("/members/").status_code == 302


def test_a_member_signs_in_with_the_password_alone(tree):
    member = make_member(tree.cell1)
    from dangvu.accounts.services import grant_create, user_create

    user, _pw = user_create(actor=None, username="dangvien1", password=PASSWORD)
    member.user = user
    member.save(update_fields=["user"])
    grant_create(actor=None, user=user, organisation=tree.cell1, role="member")
    client = Client()
    response = _password(client, "dangvien1", f"/members/{member.pk}/")
    assert response["Location"] == f"/members/{member.pk}/"
    assert client.get(f"/members/{member.pk}/").status_code == 200


def test_the_api_refuses_a_session_that_owes_the_second_factor(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    client = Client()
    client.force_login_password_only(user)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/members/")["Location"] == "/accounts/two-factor/?next=%2Fmembers%2F"
    verified = Client()
    verified.force_login(user)
    assert verified.get("/api/v1/me").status_code == 200


def test_next_never_leads_off_the_site(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    (code,) = backup_codes_issue(actor=None, user=user, count=1)
    client = Client()
    _password(client, "canbo")
    response = client.post(
        "/accounts/two-factor/", {"token": code, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@override_settings(DANGVU_SESSION_IDLE_MINUTES=30)
def test_an_idle_session_ends_and_the_sign_in_page_says_why(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    client = Client()
    client.force_login(user)
    assert client.get("/members/").status_code == 200
    session = client.session
    session[SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/members/")
    assert response["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"]).content.decode()
    assert "30" in page and 'role="status"' in page


def test_sign_out_of_the_other_browsers_and_everywhere(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    code_a, code_b = backup_codes_issue(actor=None, user=user, count=2)
    office, phone = Client(), Client()
    for client, code in ((office, code_a), (phone, code_b)):
        _password(client, "canbo")
        client.post("/accounts/two-factor/", {"token": code})
        assert client.get("/members/").status_code == 200
    page = office.get("/accounts/security/")
    assert len(page.context["sessions"]) == 2
    office.post("/accounts/security/", {"end": "others"})
    assert phone.get("/members/").status_code == 302
    assert office.get("/members/").status_code == 200
    office.post("/accounts/security/", {"end": "all"})
    assert office.get("/members/").status_code == 302
    assert AuditRecord.objects.filter(action="user.sessions_end", object_id=user.pk).count() == 2


@override_settings(AXES_FAILURE_LIMIT=3)
def test_an_administrator_lifts_a_lockout(tree):
    make_user("canbo", role="org_staff", org=tree.province)
    admin = make_user("quantri", superuser=True)
    for _ in range(3):
        Client().post("/accounts/login/", {"username": "canbo", "password": "sai"})
    assert _password(Client(), "canbo").status_code == 429
    staff = Client()
    staff.force_login(make_user("khac", role="org_staff", org=tree.province))
    assert staff.get("/accounts/lockouts/").status_code == 404
    client = Client()
    client.force_login(admin)
    page = client.get("/accounts/lockouts/")
    (lockout,) = page.context["attempts"]
    assert lockout["username"] == "canbo"
    client.post("/accounts/lockouts/", {"attempt": lockout["key"]})
    assert client.get("/accounts/lockouts/").context["attempts"] == []
    assert _password(Client(), "canbo").status_code == 302
    assert AuditRecord.objects.filter(action="user.lockout_lift", actor=admin).exists()


def test_the_command_line_issues_codes_resets_and_tells_the_code(tree):
    user = make_user("canbo", role="org_staff", org=tree.province)
    out = StringIO()
    call_command("twofactor", "canbo", "--backup-codes", "3", stdout=out)
    codes = out.getvalue().split()
    assert len(codes) == 3
    client = Client()
    _password(client, "canbo")
    assert client.post("/accounts/two-factor/", {"token": codes[0]}).status_code == 302
    _enrol(client, user)
    out = StringIO()
    call_command("twofactor", "canbo", "--code", stdout=out)
    assert out.getvalue().strip() == _code(totp_device(user))
    call_command("twofactor", "canbo", "--reset", stdout=StringIO())
    assert totp_device(user) is None
