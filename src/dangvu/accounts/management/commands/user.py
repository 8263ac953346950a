"""`dangvu user create USERNAME --role ROLE --org CODE` (password from stdin or generated)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangvu.accounts.roles import Role
from dangvu.accounts.services import grant_create, user_create
from dangvu.core.errors import ValidationError, field_errors
from dangvu.organisations.models import Organisation


class Command(BaseCommand):
    help = "Manage users: `user create USERNAME --role ROLE --org CODE`."

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

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"--org: no organisation with code {options['org']}")
        password = None
        if options["password_stdin"] or not sys.stdin.isatty():
            password = sys.stdin.readline().strip() or None
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
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors(exc).items())
            ) from exc
        self.stdout.write(f"created {user.username} ({options['role']} at {org.code} {org.name})")
        if password is None:
            self.stdout.write(f"password: {password_used}")
