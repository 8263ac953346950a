"""API tokens: created with a name and an expiry, listed, revoked (services, selectors, the
`dangvu token` command); an expired or revoked token authenticates nobody; last_used is written
at most once a minute."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from dangvu.accounts.models import ApiToken
from dangvu.accounts.selectors import token_get, token_list
from dangvu.accounts.services import (
    token_authenticate,
    token_create,
    token_expiry,
    token_revoke,
)
from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError, field_errors

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội


def _state() -> tuple:
    return (
        list(ApiToken.objects.order_by("pk").values_list("prefix", "revoked", "revoked_at")),
        AuditRecord.objects.count(),
    )


@pytest.fixture
def at(monkeypatch):
    """at(moment): timezone.now() is `moment` from here on (the services read it there)."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


# --- services ---------------------------------------------------------------------------------


def test_a_token_is_created_with_a_name_and_an_expiry_and_audited(users):
    expires = timezone.now() + timedelta(days=30)
    key = token_create(actor=users.admin, user=users.sec1, name="  báo cáo  ", expires=expires)
    token = ApiToken.objects.get()
    assert (token.user, token.prefix, token.name, token.expires, token.revoked) == (
        users.sec1,
        key[:10],
        "báo cáo",
        expires,
        False,
    )
    assert token.key_hash == ApiToken.hash_key(key) and key not in str(vars(token))
    record = AuditRecord.objects.get(action="token.create")
    assert (record.actor, record.object_id, record.after) == (
        users.admin,
        str(users.sec1.pk),
        {"prefix": key[:10], "name": "báo cáo", "expires": expires.isoformat()},
    )
    assert token_authenticate(key) == users.sec1


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"expires": NOON}, {"expires": ["The expiry is in the past."]}),
        ({"name": "x" * 101}, {"name": ["At most 100 characters (this has 101)."]}),
        ({"name": "ci\x00nightly"}, {"name": ["Remove the control characters from this text."]}),
    ],
)
def test_a_token_with_a_past_expiry_or_a_long_name_is_refused_and_nothing_written(
    users, kwargs, errors
):
    before = _state()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        token_create(actor=None, user=users.sec1, **kwargs)
    assert field_errors(exc.value) == errors
    assert _state() == before


def test_a_user_creates_and_revokes_only_their_own_tokens(users):
    key = token_create(actor=users.sec1, user=users.sec1)
    token = ApiToken.objects.get()
    before = _state()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        token_create(actor=users.sec2, user=users.sec1)
    assert field_errors(exc.value) == {"user": ["You can manage only your own API tokens."]}
    with pytest.raises(ValidationError):
        token_revoke(actor=users.sec2, token=token)
    assert _state() == before
    assert token_authenticate(key) == users.sec1


def test_revoking_stops_the_token_keeps_the_row_and_is_audited_once(users, at):
    key = token_create(actor=None, user=users.sec1)
    token = ApiToken.objects.get()
    at(NOON)
    revoked = token_revoke(actor=users.sec1, token=token)
    assert (revoked.revoked, revoked.revoked_at) == (True, NOON)
    token.refresh_from_db()
    assert (token.revoked, token.revoked_at) == (True, NOON)
    assert token_authenticate(key) is None
    record = AuditRecord.objects.get(action="token.revoke")
    assert (record.actor, record.object_id, record.before, record.after) == (
        users.sec1,
        str(users.sec1.pk),
        {"prefix": token.prefix, "revoked": False},
        {"prefix": token.prefix, "revoked": True, "revoked_at": NOON.isoformat()},
    )
    # Again: nothing changes, nothing is recorded.
    token_revoke(actor=users.sec1, token=token)
    assert AuditRecord.objects.filter(action="token.revoke").count() == 1


def test_an_expired_token_authenticates_nobody(users, at):
    at(NOON)
    key = token_create(actor=None, user=users.sec1, expires=NOON + timedelta(hours=1))
    at(NOON + timedelta(minutes=59, seconds=59))
    assert token_authenticate(key) == users.sec1
    at(NOON + timedelta(hours=1))
    assert token_authenticate(key) is None
    assert ApiToken.objects.get().is_usable() is False


def test_an_unknown_key_or_an_inactive_user_authenticates_nobody(users):
    key = token_create(actor=None, user=users.sec1)
    assert token_authenticate("") is None
    assert token_authenticate(key + "x") is None
    users.sec1.is_active = False
    users.sec1.save()
    assert token_authenticate(key) is None


def test_last_used_is_written_at_most_once_a_minute(users, at, django_assert_num_queries):
    key = token_create(actor=None, user=users.sec1)
    assert ApiToken.objects.get().last_used is None
    at(NOON)
    with django_assert_num_queries(2):  # the token with its user; last_used
        assert token_authenticate(key) == users.sec1
    assert ApiToken.objects.get().last_used == NOON
    at(NOON + timedelta(seconds=59))
    with django_assert_num_queries(1):  # no write within the minute
        assert token_authenticate(key) == users.sec1
    assert ApiToken.objects.get().last_used == NOON
    at(NOON + timedelta(minutes=1))
    assert token_authenticate(key) == users.sec1
    assert ApiToken.objects.get().last_used == NOON + timedelta(minutes=1)


def test_token_expiry_from_a_date_or_a_number_of_days(at):
    at(NOON)
    # Through 2 March (Hà Nội): until midnight at its end, 17:00 UTC.
    assert token_expiry(through=date(2026, 3, 2)) == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert token_expiry(days=30) == NOON + timedelta(days=30)
    assert token_expiry() is None
    with translation.override("en"):
        for kwargs, errors in [
            ({"through": date(2026, 3, 1)}, {"expires": ["The expiry date is in the past."]}),
            (
                {"through": date(2036, 3, 1)},
                {"expires": ["The expiry date is more than 3650 days away."]},
            ),
            (
                {"through": date(2026, 4, 1), "days": 3},
                {"expires": ["Give an expiry date or a number of days, not both."]},
            ),
            ({"days": 0}, {"days": ["Give a number of days from 1 to 3650."]}),
            ({"days": 3651}, {"days": ["Give a number of days from 1 to 3650."]}),
        ]:
            with pytest.raises(ValidationError) as exc:
                token_expiry(**kwargs)
            assert field_errors(exc.value) == errors


# --- selectors --------------------------------------------------------------------------------


def test_tokens_are_listed_newest_first_and_only_ones_own(users):
    first = token_create(actor=None, user=users.sec1, name="một")
    second = token_create(actor=None, user=users.sec1, name="hai")
    other = token_create(actor=None, user=users.sec2, name="khác")

    def prefixes(qs):
        return [t.prefix for t in qs]

    assert prefixes(token_list(actor=users.sec1, user=users.sec1)) == [second[:10], first[:10]]
    assert prefixes(token_list(actor=users.sec1)) == [second[:10], first[:10]]
    assert prefixes(token_list(actor=users.sec1, user=users.sec2)) == []
    assert prefixes(token_list(actor=users.admin, user=users.sec2)) == [other[:10]]
    assert prefixes(token_list(actor=None)) == [other[:10], second[:10], first[:10]]
    assert token_get(actor=users.sec1, prefix=other[:10]) is None
    assert token_get(actor=users.sec2, prefix=other[:10]).name == "khác"
    assert token_get(actor=users.admin, prefix=other[:10], user=users.sec1) is None


# --- the command ------------------------------------------------------------------------------


def test_token_create_with_days_and_name_keeps_the_token_alone_on_the_last_line(users, at):
    at(NOON)
    out = StringIO()
    call_command("token", "create", "sec1", "--days", "30", "--name", "báo cáo", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "token for sec1, valid until 2026-04-01 12:00 (send as 'Authorization: Bearer <token>'):"
    )
    key = lines[-1]
    token = ApiToken.objects.get()
    assert (token.prefix, token.name, token.expires) == (
        key[:10],
        "báo cáo",
        NOON + timedelta(days=30),
    )
    assert token.key_hash == ApiToken.hash_key(key)


def test_token_create_through_a_date(users, at):
    at(NOON)
    out = StringIO()
    call_command("token", "create", "sec1", "--expires", "2026-12-31", stdout=out)
    assert ApiToken.objects.get().expires == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert out.getvalue().splitlines()[0].startswith("token for sec1, valid until 2027-01-01 00:00")


def test_token_create_refusals_write_nothing(users, at):
    at(NOON)
    before = _state()
    for args, message in [
        (["--expires", "2026-03-01"], "--expires: The expiry date is in the past."),
        (["--expires", "31/12/2026"], "--expires: not a date: 31/12/2026 (use YYYY-MM-DD)"),
        (["--days", "0"], "--days: Give a number of days from 1 to 3650."),
        (
            ["--days", "3", "--expires", "2026-12-31"],
            "Error: argument --expires: not allowed with argument --days",
        ),
    ]:
        with translation.override("en"), pytest.raises(CommandError) as exc:
            call_command("token", "create", "sec1", *args, stdout=StringIO())
        assert str(exc.value) == message
    assert _state() == before


def test_token_list_shows_everything_but_the_key(users, at):
    at(NOON)
    one = token_create(actor=None, user=users.sec1, name="báo cáo")
    at(NOON + timedelta(hours=1))
    two = token_create(actor=None, user=users.sec2, expires=NOON + timedelta(days=30))
    ApiToken.objects.filter(prefix=one[:10]).update(last_used=NOON + timedelta(minutes=5))
    token_revoke(actor=None, token=ApiToken.objects.get(prefix=two[:10]))
    out = StringIO()
    call_command("token", "list", stdout=out)
    assert out.getvalue().splitlines() == [
        "user  prefix      name     created           last used         expires           revoked",
        f"sec2  {two[:10]}  -        2026-03-02 13:00  -                 2026-04-01 12:00  "
        "2026-03-02 13:00",
        f"sec1  {one[:10]}  báo cáo  2026-03-02 12:00  2026-03-02 12:05  -                 -",
    ]
    assert one not in out.getvalue() and two not in out.getvalue()
    out = StringIO()
    call_command("token", "list", "sec1", stdout=out)
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["prefix", one[:10]]
    out = StringIO()
    call_command("token", "list", "staff_kt", stdout=out)
    assert out.getvalue() == "no tokens\n"
    with pytest.raises(CommandError) as exc:
        call_command("token", "list", "ghost", stdout=StringIO())
    assert str(exc.value) == "no user ghost"


def test_token_revoke_by_prefix(users):
    key = token_create(actor=None, user=users.sec1)
    out = StringIO()
    call_command("token", "revoke", key[:10], stdout=out)
    assert out.getvalue() == f"token {key[:10]} of sec1 revoked\n"
    assert token_authenticate(key) is None
    out = StringIO()
    call_command("token", "revoke", key[:10], stdout=out)
    assert out.getvalue() == f"token {key[:10]} of sec1 was already revoked\n"
    assert AuditRecord.objects.filter(action="token.revoke").count() == 1
    with pytest.raises(CommandError) as exc:
        call_command("token", "revoke", "dv_nothing", stdout=StringIO())
    assert str(exc.value) == "no token dv_nothing"
