"""`dangvu report membership|grassroots --org CODE [--as-of DATE] [--format json|xlsx|pdf]
[--output FILE]` and `dangvu report period|admissions --org CODE --from DATE --to DATE
[--format json|xlsx|pdf]`: forms 3-, 5-, 1- and 2-BTCTW.

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
from dangvu.reports.exports import (
    admissions_form,
    grassroots_form,
    membership_form,
    period_form,
    report_json,
)
from dangvu.reports.official import form_xlsx
from dangvu.reports.pdf import form_pdf
from dangvu.stats.selectors import (
    admissions_report,
    grassroots_report,
    membership_report,
    period_report,
)
from dangvu.stats.services import report_served

# kind -> (the report through the gate, its official form, dated (True) or over a period)
FORMS = {
    "membership": (membership_report, membership_form, True),
    "grassroots": (grassroots_report, grassroots_form, True),
    "period": (period_report, period_form, False),
    "admissions": (admissions_report, admissions_form, False),
}


def _date(value: str, name: str):
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CommandError(f"{name}: not a date: {value} (use YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = (
        "Statistics reports: `report membership` (form 3-BTCTW), `report period` (1-BTCTW), "
        "`report admissions` (2-BTCTW), `report grassroots` (5-BTCTW)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        helps = {
            "membership": "membership figures on a date (3-BTCTW)",
            "grassroots": "grassroots organisations and members by type on a date (5-BTCTW)",
            "period": "increase and decrease over a period (1-BTCTW)",
            "admissions": "members admitted over a period (2-BTCTW)",
        }
        for kind, (_report, _form, dated) in FORMS.items():
            p = sub.add_parser(kind, help=helps[kind])
            if dated:
                p.add_argument("--as-of", default="", help="YYYY-MM-DD (default today)")
            else:
                p.add_argument("--from", dest="date_from", required=True)
                p.add_argument("--to", dest="date_to", required=True)
            p.add_argument("--org", required=True, help="organisation code")
            p.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
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
        compute, official, dated = FORMS[options["kind"]]
        try:
            if dated:
                as_of = _date(options["as_of"], "--as-of")
                extra = {"compare": True} if options["kind"] == "membership" else {}
                report = compute(actor=actor, org=org, as_of=as_of, **extra)
                params = {"as_of": report["as_of"]}
            else:
                report = compute(
                    actor=actor,
                    org=org,
                    date_from=_date(options["date_from"], "--from"),
                    date_to=_date(options["date_to"], "--to"),
                )
                params = {"from": report["from"], "to": report["to"]}
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors(exc).items())
            ) from exc
        except Http404 as exc:  # pragma: no cover - org_get already asked the same gate
            raise CommandError(f"--org: no organisation with code {options['org']}") from exc
        report_served(actor=actor, org=org, kind=options["kind"], via="cli", params=params)
        if options["format"] in ("xlsx", "pdf"):
            if not options["output"]:
                raise CommandError(f"--output FILE is needed for {options['format']}")
            render = form_pdf if options["format"] == "pdf" else form_xlsx
            with open(options["output"], "wb") as fh:
                fh.write(render(official(report)))
            self.stdout.write(f"written {options['output']}")
            return
        text = report_json(report)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(f"written {options['output']}")
        else:
            sys.stdout.write(text + "\n")
