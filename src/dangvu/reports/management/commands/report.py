"""`dangvu report membership --org CODE [--as-of DATE] [--format json|xlsx] [--output FILE]`
and `dangvu report period --org CODE --from DATE --to DATE [--format json|xlsx]`.

`--as USER` runs the report as that user, through the access gate (an organisation outside
their scope is not found). Without it the command is an administrator's tool: it runs as the
system, and the audit log records it so ("system", via "cli")."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from dangvu.accounts.scoping import SYSTEM
from dangvu.core.dates import parse_date
from dangvu.core.errors import ValidationError, field_errors
from dangvu.organisations.selectors import org_get
from dangvu.reports.exports import membership_xlsx, period_xlsx, report_json
from dangvu.stats.selectors import membership_report, period_report
from dangvu.stats.services import report_served


def _date(value: str, name: str):
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CommandError(f"{name}: not a date: {value} (use YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Statistics reports: `report membership` (form 3-BTCTW), `report period` (form 1-BTCTW)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        membership = sub.add_parser("membership", help="membership figures on a date")
        membership.add_argument("--as-of", default="", help="YYYY-MM-DD (default today)")
        period = sub.add_parser("period", help="increase and decrease over a period")
        period.add_argument("--from", dest="date_from", required=True)
        period.add_argument("--to", dest="date_to", required=True)
        for p in (membership, period):
            p.add_argument("--org", required=True, help="organisation code")
            p.add_argument("--format", choices=["json", "xlsx"], default="json")
            p.add_argument("--output", default="", help="file (default: standard output)")
            p.add_argument(
                "--as",
                dest="as_user",
                default="",
                metavar="USER",
                help="run as this user, within their scope (default: the system, audited)",
            )

    def handle(self, *args, **options):
        actor = SYSTEM
        if options["as_user"]:
            actor = get_user_model().objects.filter(username=options["as_user"]).first()
            if actor is None or not actor.is_active:
                raise CommandError(f"--as: no active user {options['as_user']}")
        org = org_get(actor=actor, code=options["org"], action="reports.view")
        if org is None:
            raise CommandError(f"--org: no organisation with code {options['org']}")
        try:
            if options["kind"] == "membership":
                as_of = _date(options["as_of"], "--as-of")
                report = membership_report(actor=actor, org=org, as_of=as_of)
                params, xlsx = {"as_of": report["as_of"]}, membership_xlsx
            else:
                report = period_report(
                    actor=actor,
                    org=org,
                    date_from=_date(options["date_from"], "--from"),
                    date_to=_date(options["date_to"], "--to"),
                )
                params, xlsx = {"from": report["from"], "to": report["to"]}, period_xlsx
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors(exc).items())
            ) from exc
        except Http404 as exc:  # pragma: no cover - org_get already asked the same gate
            raise CommandError(f"--org: no organisation with code {options['org']}") from exc
        report_served(actor=actor, org=org, kind=options["kind"], via="cli", params=params)
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError("--output FILE is needed for xlsx")
            with open(options["output"], "wb") as fh:
                fh.write(xlsx(report))
            self.stdout.write(f"written {options['output']}")
            return
        text = report_json(report)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(f"written {options['output']}")
        else:
            sys.stdout.write(text + "\n")
