"""`dangvu export members --org CODE --format xlsx|csv [--output FILE] [--columns a,b,…]
[--status active|all|probationary|official] [--reason TEXT] [--as USER]`: an organisation's
member list as a file, written row by row (a province's list in bounded memory). Sensitive
columns need --reason, which the audit log keeps."""

import shutil
import sys

from django.core.management.base import BaseCommand, CommandError

from dangvu.core.errors import ValidationError
from dangvu.interchange.exports import DEFAULT_COLUMNS, MEMBER_COLUMNS, members_export
from dangvu.interchange.management.commands.import_ import actor_from
from dangvu.organisations.selectors import org_get


class Command(BaseCommand):
    help = "Export an organisation's member list as XLSX or CSV."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["members"])
        parser.add_argument("--org", required=True, help="organisation code")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", default="", help="file (default: standard output)")
        parser.add_argument(
            "--columns",
            default=",".join(DEFAULT_COLUMNS),
            help="comma-separated, of: " + ", ".join(MEMBER_COLUMNS),
        )
        parser.add_argument(
            "--status",
            default="active",
            help="active (default: probationary and official), all, or one status",
        )
        parser.add_argument("--reason", default="", help="why (needed for sensitive columns)")
        parser.add_argument("--as", dest="as_user", default="", metavar="USER")

    def handle(self, *args, **options):
        actor = actor_from(options["as_user"])
        org = org_get(actor=actor, code=options["org"], action="members.view")
        if org is None:
            raise CommandError(f"--org: no organisation with code {options['org']}")
        status = "" if options["status"] == "all" else options["status"]
        try:
            out, count, _name = members_export(
                actor=actor,
                org=org,
                fmt=options["format"],
                columns=options["columns"].split(","),
                status=status,
                reason=options["reason"],
                via="cli",
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        with out:
            if options["output"]:
                with open(options["output"], "wb") as fh:
                    shutil.copyfileobj(out, fh)
                self.stderr.write(f"{count} rows written to {options['output']}")
            else:
                shutil.copyfileobj(out, sys.stdout.buffer)
                sys.stdout.buffer.flush()
