"""Kinds of party documents and the abbreviations of their numbers (docs/decisions/0023:
Dangvu's reading of the Party's rules on the format of its documents, unverified)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangvu.organisations.choices import OrgKind


class Kind(models.TextChoices):
    RESOLUTION = "resolution", pgettext_lazy("document kind", "Resolution")
    DIRECTIVE = "directive", pgettext_lazy("document kind", "Directive")
    PLAN = "plan", pgettext_lazy("document kind", "Plan")
    CONCLUSION = "conclusion", pgettext_lazy("document kind", "Conclusion")
    GUIDANCE = "guidance", pgettext_lazy("document kind", "Guidance")
    REGULATION = "regulation", pgettext_lazy("document kind", "Regulation")
    DECISION = "decision", pgettext_lazy("document kind", "Decision")
    REPORT = "report", pgettext_lazy("document kind", "Report")
    LETTER = "letter", pgettext_lazy("document kind", "Official letter")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


# One table: the kind's abbreviation in a number.
KIND_ABBR: dict[str, str] = {
    Kind.RESOLUTION: "NQ",
    Kind.DIRECTIVE: "CT",
    Kind.PLAN: "KH",
    Kind.CONCLUSION: "KL",
    Kind.GUIDANCE: "HD",
    Kind.REGULATION: "QĐi",
    Kind.DECISION: "QĐ",
    Kind.REPORT: "BC",
    Kind.LETTER: "CV",
}

# Other abbreviations a kind is also printed with: the Central Committee's regulations carry
# "QĐ" as often as "QĐi" (Quy định 294-QĐ/TW of 2025).
KIND_ALSO: dict[str, tuple[str, ...]] = {Kind.REGULATION: ("QĐ",)}

# The issuer's abbreviation by the issuing organisation's kind (the first is the usual one).
ISSUER_ABBR: dict[str, tuple[str, ...]] = {
    OrgKind.CENTRAL: ("TW",),
    OrgKind.PROVINCE: ("TU",),
    OrgKind.DISTRICT: ("HU", "QU", "TXU", "TU"),
    OrgKind.COMMUNE: ("ĐU",),
    OrgKind.DIRECT: ("ĐU",),
    OrgKind.GRASSROOTS_COMMITTEE: ("ĐU",),
    OrgKind.SUB_COMMITTEE: ("ĐU",),
    OrgKind.GRASSROOTS_CELL: ("CB",),
    OrgKind.CELL: ("CB",),
}

# Organs of a committee whose abbreviation may precede the committee's (BTGTU).
ORGANS = ("BTG", "BTC", "VP", "UBKT", "BDV")
