"""Readable names for audit actions (the stored codes stay stable)."""

from django.utils.translation import gettext_lazy as _

__all__ = ["action_label"]

ACTION_LABELS = {
    "member.create": _("Member added"),
    "member.create_bulk": _("Members added in bulk"),
    "member.update": _("Record changed"),
    "member.view": _("Record viewed"),
    "member.link_user": _("Sign-in linked to the record"),
    "organisation.create": _("Organisation created"),
    "organisation.create_bulk": _("Organisations created in bulk"),
    "organisation.rename": _("Organisation renamed"),
    "organisation.move": _("Organisation moved"),
    "organisation.merge": _("Organisation merged"),
    "organisation.split": _("Organisation split"),
    "organisation.dissolve": _("Organisation dissolved"),
    "report.membership": _("Statistics viewed"),
    "report.membership.export": _("Statistics exported"),
    "report.period.export": _("Increase/decrease form exported"),
    "user.create": _("User created"),
    "grant.create": _("Role granted"),
    "token.create": _("API token created"),
}


def action_label(code: str) -> str:
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    if code.startswith("member.event."):
        from dangvu.members.choices import EventType

        event = code.removeprefix("member.event.")
        if event in EventType.values:
            return str(EventType(event).label)
    return code
