"""The statistics' one write: the audit record of a report served to a person (a report
breaks members down by ethnicity and religion: DESIGN.md asks for such reads to be logged)."""

from dangvu.audit.services import AuditEntry, audit_record
from dangvu.organisations.models import Organisation

__all__ = ["report_served"]


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
