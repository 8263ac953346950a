"""`dangvu token create USERNAME`: prints the token alone on the last line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dangvu.accounts.services import token_create


class Command(BaseCommand):
    help = "Create an API bearer token: `token create USERNAME`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user")
        create.add_argument("username")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']}")
        key = token_create(actor=None, user=user)
        self.stdout.write(f"token for {user.username} (send as 'Authorization: Bearer <token>'):")
        self.stdout.write(key)
