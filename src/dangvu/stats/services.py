"""The statistics' writes: the audit record of a report served to a person (a report breaks
members down by ethnicity and religion: DESIGN.md asks for such reads to be logged), and a
report signed to be sent upward, kept as it was."""

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows
from dangvu.audit.services import AuditEntry, audit_record
from dangvu.core.errors import ValidationError
from dangvu.core.text import clean_text
from dangvu.organisations.models import Organisation
from dangvu.stats.models import SignedReport
from dangvu.stats.selectors import (
    canonical_figures,
    membership_figures,
    period_figures,
    year_ago_figures,
)

__all__ = ["report_served", "report_sign"]


def report_served(*, actor, org: Organisation, kind: str, via: str, params: dict) -> None:
    """Record that `actor` was served report `kind` ("membership", "period") of `org`, through
    `via` ("page", "xlsx", "api", "cli"), with its parameters (dates)."""
    action = f"report.{kind}" if via in ("page", "api") else f"report.{kind}.export"
    audit_record(
        actor=actor,
        entry=AuditEntry(
            action, "organisation", org.pk, org.name, org.path, after={**params, "via": via}
        ),
    )


@transaction.atomic
def report_sign(
    *,
    actor,
    org: Organisation,
    kind: str,
    signer: str,
    as_of: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> SignedReport:
    """Keep a report as signed: its figures now, who signed it (`signer`, the name printed
    under the signature) and when. Needs reports.sign over the organisation."""
    if not allows(actor, "reports.view", org):
        raise Http404
    if not allows(actor, "reports.sign", org):
        raise ValidationError({"__all__": _("Your role does not sign reports here.")})
    try:
        signer = clean_text(signer, max_length=150)
    except ValueError as exc:
        raise ValidationError({"signer": str(exc)}) from None
    if not signer:
        raise ValidationError({"signer": _("Enter the name of the person who signs.")})
    if kind == SignedReport.Kind.MEMBERSHIP:
        report = membership_figures(org, as_of)
        # As the form shows it: with the same date a year before.
        report["year_ago"] = year_ago_figures(org, report["as_of"])
        params = {"as_of": report["as_of"]}
    elif kind == SignedReport.Kind.PERIOD:
        if date_from is None or date_to is None:
            raise ValidationError({"date_from": _("Enter the period.")})
        report = period_figures(org, date_from, date_to)
        params = {"date_from": report["from"], "date_to": report["to"]}
    else:
        raise ValidationError({"kind": _("Choose a form.")})
    figures, digest = canonical_figures(report)
    signed = SignedReport(kind=kind, figures=figures, digest=digest, signer=signer, **params)
    signed.place_in(org)
    signed.signed_by = actor if getattr(actor, "pk", None) else None
    signed.save()
    audit_record(
        actor=actor,
        entry=AuditEntry(
            f"report.{kind}.sign",
            "organisation",
            org.pk,
            org.name,
            org.path,
            after={**params, "signed_report": signed.pk, "digest": digest, "signer": signer},
        ),
    )
    return signed
