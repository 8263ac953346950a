"""Readable names for audit actions (the stored codes stay stable)."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

__all__ = ["action_label", "register_labels"]

ACTION_LABELS = {
    "member.create": _("Member added"),
    "member.create_bulk": _("Members added in bulk"),
    "member.update": _("Record changed"),
    "member.view": _("Record viewed"),
    "member.sensitive_view": _("Personal particulars viewed"),
    "member.sensitive_export": _("Member list exported with personal particulars"),
    "member.import": _("Members imported from a file"),
    "member.number_refused": _("Refused: identity or card number already on the records"),
    "member.link_user": _("Sign-in linked to the record"),
    "member.attribute.change": _("Qualification or occupation changed"),
    "member.attribute.correction": _("Qualification or occupation corrected"),
    "member.transfer.sent": _("Transfer sent to another committee"),
    "member.transfer.received": _("Transfer received"),
    "member.transfer.refused": _("Transfer refused"),
    "member.transfer.withdrawn": _("Transfer withdrawn"),
    "organisation.create": _("Organisation created"),
    "organisation.create_bulk": _("Organisations created in bulk"),
    "organisation.rename": _("Organisation renamed"),
    "organisation.move": _("Organisation moved"),
    "organisation.merge": _("Organisation merged"),
    "organisation.split": _("Organisation split"),
    "organisation.dissolve": _("Organisation dissolved"),
    "report.membership": _("Statistics viewed"),
    "report.membership.export": _("Statistics exported"),
    "report.period": _("Increase/decrease form viewed"),
    "report.period.export": _("Increase/decrease form exported"),
    "report.membership.sign": _("Statistics kept as signed"),
    "report.grassroots": _("Grassroots organisations form viewed"),
    "report.grassroots.export": _("Grassroots organisations form exported"),
    "report.admissions": _("Admissions form viewed"),
    "report.admissions.export": _("Admissions form exported"),
    "report.period.sign": _("Increase/decrease form kept as signed"),
    "user.create": _("User created"),
    "user.set_password": _("Password changed"),
    "grant.create": _("Role granted"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
}

# prefix -> a function giving the label of the rest of the code (or None), registered by the
# app that writes those codes (members: "member.event." + an event type).
_BY_PREFIX: dict[str, Callable[[str], str | None]] = {}


def register_labels(labels: dict | None = None, *, prefix: str = "", resolve=None) -> None:
    """An app's own action labels, or a resolver for the codes under `prefix`."""
    ACTION_LABELS.update(labels or {})
    if prefix and resolve is not None:
        _BY_PREFIX[prefix] = resolve


def action_label(code: str) -> str:
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    for prefix, resolve in _BY_PREFIX.items():
        if code.startswith(prefix):
            label = resolve(code.removeprefix(prefix))
            if label:
                return str(label)
    return code
