"""The coded values of the audit trail's filters."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ObjectType", "Kind"]


class ObjectType(models.TextChoices):
    """What an audit record is about (AuditRecord.object_type, as the services write it)."""

    MEMBER = "member", _("Party member")
    ORGANISATION = "organisation", _("Organisation")
    CANDIDATE = "candidate", _("Candidate for admission")
    POSITION = "position", _("Position")
    TARGET = "target", _("Admission target")
    MEETING = "meeting", _("Cell meeting")
    SUPERVISION = "supervision", _("Supervision assignment")
    TASK = "task", _("Member's task")
    TRAINING_CLASS = "training_class", _("Training class")
    DOCUMENT = "document", _("Party document")
    DOCUMENT_RECIPIENT = "document_recipient", _("Document sent to an organisation")
    ARTICLE = "article", _("News article")
    COMMENT = "comment", _("Reader's comment")
    USER = "user", _("User account")


class Kind(models.TextChoices):
    CHANGES = "changes", _("Changes")
    READS = "reads", _("Views and exports")
