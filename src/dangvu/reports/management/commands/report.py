"""`dangvu report membership --org CODE [--as-of DATE] [--format json|xlsx] [--output FILE]`
and `dangvu report period --org CODE --from DATE --to DATE [--format json|xlsx]`."""

import sys

from django.core.management.base import BaseCommand, CommandError

from dangvu.core.dates import parse_date
from dangvu.core.errors import ValidationError, field_errors
from dangvu.organisations.models import Organisation
from dangvu.reports.exports import membership_xlsx, period_xlsx, report_json
from dangvu.reports.selectors import membership_report, period_report


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

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"--org: no organisation with code {options['org']}")
        try:
            if options["kind"] == "membership":
                report = membership_report(org, _date(options["as_of"], "--as-of"))
                xlsx = membership_xlsx
            else:
                report = period_report(
                    org, _date(options["date_from"], "--from"), _date(options["date_to"], "--to")
                )
                xlsx = period_xlsx
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors(exc).items())
            ) from exc
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
