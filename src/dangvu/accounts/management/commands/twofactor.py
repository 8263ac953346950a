"""The second factor from the command line (an administrator's tool, audited as "system"):

- `dangvu twofactor USERNAME`: what the user has (authenticator app, backup codes left);
- `dangvu twofactor USERNAME --backup-codes N`: N new backup codes, one per line (the earlier
  ones stop working): how a person who lost their phone signs in again, or a script does;
- `dangvu twofactor USERNAME --reset`: remove the user's second factor (they set it up again
  at their next sign-in);
- `dangvu twofactor USERNAME --code`: the code the user's authenticator app shows now (for the
  demo and for support; whoever runs commands on the server holds the keys anyway).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from dangvu.accounts.scoping import SYSTEM
from dangvu.accounts.twofactor import (
    backup_codes_issue,
    backup_codes_left,
    needs_second_factor,
    second_factor_reset,
    totp_device,
)


class Command(BaseCommand):
    help = (
        "A user's second factor: `twofactor USERNAME` (status), `--backup-codes N` (new "
        "one-time codes, one per line), `--reset` (remove it: set up again at the next "
        "sign-in), `--code` (the authenticator's code now)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--backup-codes", type=int, metavar="N", help="issue N new codes")
        action.add_argument("--reset", action="store_true", help="remove the second factor")
        action.add_argument("--code", action="store_true", help="print the current code")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"username: no user {options['username']}")
        if options["backup_codes"] is not None:
            count = options["backup_codes"]
            if not 1 <= count <= 100:
                raise CommandError("--backup-codes: between 1 and 100")
            for code in backup_codes_issue(actor=SYSTEM, user=user, count=count):
                self.stdout.write(code)
        elif options["reset"]:
            removed = second_factor_reset(actor=SYSTEM, user=user)
            self.stdout.write(f"{user.username}: {removed} device(s) removed")
        elif options["code"]:
            device = totp_device(user)
            if device is None:
                raise CommandError(f"{user.username} has no authenticator app set up")
            code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
            self.stdout.write(f"{code:0{device.digits}d}")
        else:
            device = totp_device(user)
            self.stdout.write(
                f"{user.username}: second factor "
                f"{'required' if needs_second_factor(user) else 'not required (member)'}; "
                f"authenticator app: {'yes' if device else 'no'}; "
                f"backup codes left: {backup_codes_left(user)}"
            )
