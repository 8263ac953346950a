"""Member statuses and membership event codes. Codes are stable: never rename or reuse one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Status",
    "EventType",
    "IN_PARTY",
    "TERMINAL",
    "ENTRY_EVENTS",
    "EVENTS_WITH_ORG",
    "USER_EVENTS",
]


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary")
    OFFICIAL = "official", _("Official")
    DIED = "died", _("Died")
    STRUCK_OFF = "struck_off", _("Struck off")
    EXPELLED = "expelled", _("Expelled")
    LEFT = "left", _("Left the party")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out of Dangvu")


IN_PARTY = frozenset({Status.PROBATIONARY, Status.OFFICIAL})
TERMINAL = frozenset(
    {Status.DIED, Status.STRUCK_OFF, Status.EXPELLED, Status.LEFT, Status.TRANSFERRED_OUT}
)


class EventType(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    TRANSFERRED_IN = "transferred_in", _("Transferred in from outside")
    RESTORED = "restored", _("Membership restored")
    RECOGNISED = "recognised", _("Recognised as official member")
    TRANSFERRED = "transferred", _("Transferred (official)")
    TEMPORARY_TRANSFER = "temporary_transfer", _("Transferred temporarily")
    TEMPORARY_RETURN = "temporary_return", _("Returned from temporary transfer")
    EXEMPTED = "exempted", _("Exempted from work and activities")
    EXEMPTION_ENDED = "exemption_ended", _("Returned to activities")
    DIED = "died", _("Died")
    STRUCK_OFF = "struck_off", _("Struck off")
    EXPELLED = "expelled", _("Expelled")
    LEFT = "left", _("Left the party")
    REORGANISED = "reorganised", _("Moved with the organisation (reorganisation)")
    TRANSFERRED_OUT = (
        "transferred_out",
        _("Transferred out of Dangvu (army, police, central bloc, abroad, another province)"),
    )
    CORRECTION = "correction", _("Correction")


ENTRY_EVENTS = frozenset({EventType.ADMITTED, EventType.TRANSFERRED_IN})
# Events that name an organisation (the receiving one).
EVENTS_WITH_ORG = frozenset(
    {
        EventType.ADMITTED,
        EventType.TRANSFERRED_IN,
        EventType.RESTORED,
        EventType.TRANSFERRED,
        EventType.TEMPORARY_TRANSFER,
        EventType.REORGANISED,
    }
)
# What a person can record through the event form and the API.
USER_EVENTS = [
    EventType.RECOGNISED,
    EventType.TRANSFERRED,
    EventType.TEMPORARY_TRANSFER,
    EventType.TEMPORARY_RETURN,
    EventType.EXEMPTED,
    EventType.EXEMPTION_ENDED,
    EventType.DIED,
    EventType.STRUCK_OFF,
    EventType.EXPELLED,
    EventType.LEFT,
    EventType.TRANSFERRED_OUT,
    EventType.TRANSFERRED_IN,  # back after a transfer out of Dangvu
    EventType.RESTORED,
    EventType.ADMITTED,  # again, after leaving (members.state.READMITTABLE)
    EventType.CORRECTION,
]
