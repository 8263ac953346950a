"""The kinds, modes and states of a training class and of an enrolment (DOMAIN.md §3.3 step 2,
"Features" 6). Codes are stable: never rename or reuse one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Kind", "Mode", "State", "Status", "Result", "Match"]


class Kind(models.TextChoices):
    # Lớp bồi dưỡng nhận thức về Đảng: its certificate (CN-NTVĐ) is a step of admission.
    AWARENESS = "awareness", _("Awareness of the Party")
    # Lớp bồi dưỡng lý luận chính trị cho đảng viên mới.
    NEW_MEMBER = "new_member", _("Political theory for new members")
    # Nghiệp vụ công tác đảng: secretaries, deputies, cell-committee members.
    CELL_SKILLS = "cell_skills", _("Skills for cell committees")
    THEORY = "theory", _("Political theory course")
    THEMATIC = "thematic", _("Thematic class")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


class State(models.TextChoices):
    """Where a class stands (training.state says which move follows which)."""

    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for enrolment")
    CLOSED = "closed", _("Enrolment closed, under way")
    FINISHED = "finished", _("Finished, results recorded")
    CANCELLED = "cancelled", _("Cancelled")


class Status(models.TextChoices):
    """An enrolment's place: in the class, on its waiting list, or out of it."""

    ENROLLED = "enrolled", _("Enrolled")
    WAITING = "waiting", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Result(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Completed")
    FAILED = "failed", _("Not completed")


class Match(models.TextChoices):
    """What a row of an online platform's participant list turned out to be."""

    MATCHED = "matched", _("Matched")
    UNKNOWN = "unknown", _("No enrolled person of this name")
    AMBIGUOUS = "ambiguous", _("Several enrolled people have this name")
    DUPLICATE = "duplicate", _("Same person as an earlier row")
    MISSPELT = "misspelt", _("Probably a misspelling")
