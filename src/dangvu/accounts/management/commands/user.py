"""`dangvu user create USERNAME --role ROLE --org CODE` and `dangvu user set-password USERNAME`
(the password from standard input, or generated and printed). A password the validators
refuse (too short, too common, all digits, too close to the user's name) is refused with the
reason: `password: …`."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangvu.accounts.models import RoleGrant
from dangvu.accounts.roles import Role
from dangvu.accounts.services import grant_create, user_create, user_set_password
from dangvu.core.errors import ValidationError, field_errors


def _refusal(exc: ValidationError) -> CommandError:
    return CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors(exc).items()))


class Command(BaseCommand):
    help = (
        "Manage users: `user create USERNAME --role ROLE --org CODE`, `user set-password USERNAME`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a user with a role at an organisation")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--org", required=True, help="organisation code")
        create.add_argument("--name", default="", help="full name")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (also when stdin is piped)",
        )
        set_password = sub.add_parser(
            "set-password",
            help="set a user's password (from standard input, or generated and printed)",
        )
        set_password.add_argument("username")
        set_password.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (also when stdin is piped)",
        )

    def handle(self, *args, **options):
        if options["action"] == "set-password":
            self._set_password(options)
        else:
            self._create(options)

    def _password(self, options) -> str | None:
        if options["password_stdin"] or not sys.stdin.isatty():
            return sys.stdin.readline().strip() or None
        return None

    def _create(self, options) -> None:
        # The organisation model through the grant's own key: accounts sits below organisations
        # (dangvu.layers) and names it only there.
        organisations = RoleGrant._meta.get_field("organisation").related_model.objects
        org = organisations.filter(code=(options["org"] or "").strip().upper()).first()
        if org is None:
            raise CommandError(f"--org: no organisation with code {options['org']}")
        password = self._password(options)
        try:
            with transaction.atomic():
                user, password_used = user_create(
                    actor=None,
                    username=options["username"],
                    password=password,
                    full_name=options["name"],
                )
                grant_create(actor=None, user=user, organisation=org, role=options["role"])
        except ValidationError as exc:
            raise _refusal(exc) from exc
        self.stdout.write(f"created {user.username} ({options['role']} at {org.code} {org.name})")
        if password is None:
            self.stdout.write(f"password: {password_used}")

    def _set_password(self, options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']}")
        password = self._password(options)
        try:
            password_used = user_set_password(actor=None, user=user, password=password)
        except ValidationError as exc:
            raise _refusal(exc) from exc
        self.stdout.write(f"password of {user.username} changed")
        if password is None:
            self.stdout.write(f"password: {password_used}")
