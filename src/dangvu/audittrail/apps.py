from django.apps import AppConfig


class AuditTrailConfig(AppConfig):
    """The audit trail's pages and API: the `audit` app's records browsed through the access
    gate (docs/decisions/0028). `audit` sits below `accounts` (every service writes to it), so
    what needs the gate, the organisation picker and the members' history lives here, above
    them."""

    name = "dangvu.audittrail"
    label = "audittrail"
    verbose_name = "Audit trail"
