"""API bearer tokens:

- `dangvu token create USERNAME [--expires YYYY-MM-DD | --days N] [--name NAME]`: prints the
  token alone on the last line (scripts take it with `tail -n 1`);
- `dangvu token list [USERNAME]`: prefix, name, created, last used, expiry, revocation (never the
  key: only its hash is stored);
- `dangvu token revoke PREFIX`.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangvu.accounts.selectors import token_get, token_list
from dangvu.accounts.services import token_create, token_expiry, token_revoke
from dangvu.core.errors import ValidationError, field_errors


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--expires: not a date: {value} (use YYYY-MM-DD)") from exc


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def _refusal(exc: ValidationError) -> CommandError:
    return CommandError("; ".join(f"--{k}: {' '.join(v)}" for k, v in field_errors(exc).items()))


class Command(BaseCommand):
    help = (
        "API bearer tokens: `token create USERNAME [--expires YYYY-MM-DD | --days N] "
        "[--name NAME]`, `token list [USERNAME]`, `token revoke PREFIX`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        lifetime = create.add_mutually_exclusive_group()
        lifetime.add_argument(
            "--expires", metavar="YYYY-MM-DD", help="valid through this day (local time)"
        )
        lifetime.add_argument("--days", type=int, help="valid for N days from now")
        listing = sub.add_parser("list", help="list the tokens (of one user)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token, named by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        getattr(self, "_" + options["action"])(options)

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        return user

    def _create(self, options) -> None:
        user = self._user(options["username"])
        through = _date(options["expires"]) if options["expires"] else None
        try:
            expires = token_expiry(through=through, days=options["days"])
            key = token_create(actor=None, user=user, name=options["name"], expires=expires)
        except ValidationError as exc:
            raise _refusal(exc) from exc
        until = f", valid until {_when(expires)}" if expires else ""
        self.stdout.write(
            f"token for {user.username}{until} (send as 'Authorization: Bearer <token>'):"
        )
        self.stdout.write(key)

    def _list(self, options) -> None:
        user = self._user(options["username"]) if options["username"] else None
        rows = [("user", "prefix", "name", "created", "last used", "expires", "revoked")]
        for t in token_list(actor=None, user=user):
            revoked = _when(t.revoked_at) if t.revoked_at else ("yes" if t.revoked else "-")
            rows.append(
                (
                    t.user.username,
                    t.prefix,
                    t.name or "-",
                    _when(t.created),
                    _when(t.last_used),
                    _when(t.expires),
                    revoked,
                )
            )
        if len(rows) == 1:
            self.stdout.write("no tokens")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )

    def _revoke(self, options) -> None:
        token = token_get(actor=None, prefix=options["prefix"])
        if token is None:
            raise CommandError(f"no token {options['prefix']}")
        was_revoked = token.revoked
        token = token_revoke(actor=None, token=token)
        state = "was already revoked" if was_revoked else "revoked"
        self.stdout.write(f"token {token.prefix} of {token.user.username} {state}")
