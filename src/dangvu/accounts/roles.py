"""Roles are sets of actions; views check actions, never role names (STYLE.md rule 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Role", "ROLE_ACTIONS", "ALL_ACTIONS"]


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ORG_STAFF = "org_staff", _("Organisation-board staff")
    COMMITTEE_MEMBER = "committee_member", _("Standing-committee member")
    SECRETARY = "secretary", _("Cell secretary")
    MEMBER = "member", _("Party member")
    TRAINER = "trainer", _("Political-centre staff")
    EDITOR = "editor", _("Editor")
    MODERATOR = "moderator", _("Moderator")


ALL_ACTIONS = frozenset(
    {
        "organisations.view",
        "organisations.manage",
        "members.view",
        "members.view_sensitive",
        "members.manage",
        "members.view_self",
        "admission.view",
        "admission.manage",
        "admission.decide",
        "meetings.view",
        "meetings.manage",
        "meetings.supervise",
        "training.view",
        "training.manage",
        "documents.view",
        "documents.manage",
        "documents.report",
        "news.edit",
        "news.publish",
        "news.moderate",
        "reports.view",
        "reports.sign",
        "audit.view",
        "accounts.manage",
    }
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: ALL_ACTIONS,
    Role.ORG_STAFF: frozenset(
        {
            "organisations.view",
            "organisations.manage",
            "members.view",
            "members.view_sensitive",
            "members.manage",
            "admission.view",
            "admission.manage",
            # The competent committee's decisions are prepared and recorded by its board.
            "admission.decide",
            "meetings.view",
            "meetings.manage",
            "meetings.supervise",
            # The board sends candidates to the awareness class and follows its results.
            "training.view",
            "training.manage",
            # The board records the committee's documents, sends them down and reports on
            # those it received.
            "documents.view",
            "documents.manage",
            "documents.report",
            "reports.view",
            # The organisation board prepares the forms and keeps them as signed.
            "reports.sign",
            "audit.view",
        }
    ),
    Role.COMMITTEE_MEMBER: frozenset(
        {
            "organisations.view",
            "members.view",
            "admission.view",
            "meetings.view",
            "training.view",
            "documents.view",
            "reports.view",
        }
    ),
    # A secretary proposes candidates and records the cell's steps; the decisions are not theirs.
    Role.SECRETARY: frozenset(
        {
            "organisations.view",
            "members.view",
            "members.view_sensitive",
            "admission.view",
            "admission.manage",
            "meetings.view",
            "meetings.manage",
            # Sees the classes its members and candidates attend (it proposes who goes).
            "training.view",
            # Reads what was sent to the cell and reports how the cell carries it out.
            "documents.view",
            "documents.report",
            "reports.view",
        }
    ),
    # A member reads the documents sent to the cell (DESIGN.md: "sees … documents").
    Role.MEMBER: frozenset({"members.view_self", "documents.view"}),
    # The political centre runs the classes of its committee (DESIGN.md: classes, enrolment,
    # attendance, certificates); it enrols the members and candidates under that committee
    # through the same action (training.services), without seeing their records.
    Role.TRAINER: frozenset({"organisations.view", "training.view", "training.manage"}),
    # Propaganda staff draft the committee's plans on information and propaganda (Cà Mau's
    # 90-KH/TU) and report on those they receive.
    # They also write, review and publish the committee's news (DESIGN.md: "publishes news").
    Role.EDITOR: frozenset(
        {
            "organisations.view",
            "documents.view",
            "documents.manage",
            "documents.report",
            "news.edit",
            "news.publish",
        }
    ),
    # Judges readers' comments on the committee's articles.
    Role.MODERATOR: frozenset({"organisations.view", "news.moderate"}),
}
