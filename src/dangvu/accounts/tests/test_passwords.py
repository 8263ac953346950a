"""Passwords: the validators (settings.AUTH_PASSWORD_VALIDATORS) run on every path that sets
one — user_create, user_set_password and the `dangvu user` command through them — and a
refused password writes nothing."""

import io
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from dangvu.accounts import passwords
from dangvu.accounts.models import RoleGrant
from dangvu.accounts.services import user_create, user_set_password
from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError, field_errors
from dangvu.dataset.demo.users import DEMO_PASSWORD, DEMO_USERS
from dangvu.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _counts():
    return (
        get_user_model().objects.count(),
        RoleGrant.objects.count(),
        AuditRecord.objects.count(),
    )


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("ngan-9", ["This password is too short: it must have at least 10 characters."]),
        ("password123", ["This password is too common."]),
        ("2026052019", ["This password is entirely numeric."]),
        (
            "12345678",
            [
                "This password is too short: it must have at least 10 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ],
        ),
        ("hoangvanthu", ["The password is too similar to the username."]),
    ],
)
def test_user_create_refuses_a_weak_password_with_the_reasons_and_writes_nothing(
    db, password, messages
):
    before = _counts()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        user_create(actor=None, username="hoangvanthu", password=password)
    assert field_errors(exc.value) == {"password": messages}
    assert _counts() == before


def test_the_reasons_are_in_vietnamese_the_ui_language(db):
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        user_create(actor=None, username="canbo", password="ngan-9")
    assert field_errors(exc.value) == {"password": ["Mật khẩu quá ngắn: cần ít nhất 10 ký tự."]}


def test_the_full_name_counts_too(db):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        user_create(
            actor=None, username="canbo", password="ylanhmlo2026", full_name="Y Lanh Mlô 2026"
        )
    assert field_errors(exc.value) == {
        "password": ["The password is too similar to the first name."]
    }


def test_a_good_password_is_taken(db):
    user, password = user_create(actor=None, username="canbo", password="Ngày-mới-2026")
    assert password == "Ngày-mới-2026"
    assert user.check_password("Ngày-mới-2026")


def test_a_generated_password_passes_the_validators_itself(db, monkeypatch):
    # The first candidate is all digits (possible, if rare, for a random string): refused.
    candidates = iter(["3141592653589793", "kW3v-Zq8_xT1pLmN"])
    monkeypatch.setattr(passwords.secrets, "token_urlsafe", lambda n: next(candidates))
    user, password = user_create(actor=None, username="canbo")
    assert password == "kW3v-Zq8_xT1pLmN"
    assert user.check_password(password)
    validate_password(password, user)


def test_the_demo_password_passes_for_every_demo_user():
    # README documents it; the demo loader creates its users through user_create.
    for username, _role, _codes, full_name in DEMO_USERS:
        validate_password(
            DEMO_PASSWORD, get_user_model()(username=username, first_name=full_name or "")
        )


def test_user_set_password_checks_the_validators_and_records_the_change(db):
    user = make_user("canbo")
    before = _counts()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        user_set_password(actor=None, user=user, password="1234567890")
    assert field_errors(exc.value) == {
        "password": ["This password is too common.", "This password is entirely numeric."]
    }
    user.refresh_from_db()
    assert user.check_password("x-test-pass-9")
    assert _counts() == before

    assert user_set_password(actor=None, user=user, password="Mùa-lúa-chín-2026") == (
        "Mùa-lúa-chín-2026"
    )
    user.refresh_from_db()
    assert user.check_password("Mùa-lúa-chín-2026")
    record = AuditRecord.objects.latest("pk")
    assert (record.action, record.object_id, record.before, record.after) == (
        "user.set_password",
        str(user.pk),
        None,
        None,
    )


def test_user_set_password_generates_one_when_none_is_given(db):
    user = make_user("canbo")
    password = user_set_password(actor=None, user=user)
    user.refresh_from_db()
    assert len(password) == 16 and user.check_password(password)


# --- the command ------------------------------------------------------------------------------


def test_user_create_command_refuses_a_weak_password_naming_it(tree, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("12345678\n"))
    before = _counts()
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command(
            "user", "create", "canbo", "--role", "org_staff", "--org", "KT", stdout=StringIO()
        )
    assert str(exc.value) == (
        "password: This password is too short: it must have at least 10 characters. "
        "This password is too common. This password is entirely numeric."
    )
    assert _counts() == before


def test_user_create_command_takes_a_good_password_from_stdin(tree, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Ngày-mới-2026\n"))
    out = StringIO()
    call_command("user", "create", "canbo", "--role", "org_staff", "--org", "KT", stdout=out)
    assert out.getvalue() == "created canbo (org_staff at KT Tỉnh ủy Kon Tum)\n"
    assert get_user_model().objects.get(username="canbo").check_password("Ngày-mới-2026")


def test_user_set_password_command(db, monkeypatch):
    user = make_user("nguyenvana")
    monkeypatch.setattr(sys, "stdin", io.StringIO("nguyenvana1\n"))
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("user", "set-password", "nguyenvana", stdout=StringIO())
    assert str(exc.value) == "password: The password is too similar to the username."
    user.refresh_from_db()
    assert user.check_password("x-test-pass-9")

    monkeypatch.setattr(sys, "stdin", io.StringIO("Mùa-lúa-chín-2026\n"))
    out = StringIO()
    call_command("user", "set-password", "nguyenvana", stdout=out)
    assert out.getvalue() == "password of nguyenvana changed\n"
    user.refresh_from_db()
    assert user.check_password("Mùa-lúa-chín-2026")

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    out = StringIO()
    call_command("user", "set-password", "nguyenvana", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "password of nguyenvana changed" and lines[1].startswith("password: ")
    user.refresh_from_db()
    assert user.check_password(lines[1].removeprefix("password: "))

    with pytest.raises(CommandError) as exc:
        call_command("user", "set-password", "ghost", stdout=StringIO())
    assert str(exc.value) == "no user ghost"


def test_a_new_password_signs_the_user_out_of_their_browser_sessions(tree):
    from django.test import Client

    user = make_user("canbo", role="org_staff", org=tree.province)
    client = Client()
    client.force_login(user)
    assert client.get("/members/").status_code == 200
    user_set_password(actor=None, user=user, password="Mùa-lúa-chín-2026")
    assert client.get("/members/")["Location"] == "/accounts/login/?next=/members/"
