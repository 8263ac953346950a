"""The kinds and states of a cell meeting and how an absence is recorded (DOMAIN.md §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Kind", "State", "Absence", "Level", "Evaluator", "TaskState"]


class Kind(models.TextChoices):
    REGULAR = "regular", _("Regular (monthly)")
    THEMATIC = "thematic", _("Thematic")
    EXTRAORDINARY = "extraordinary", _("Extraordinary")


class State(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held, minutes being finished")
    APPROVED = "approved", _("Minutes approved (locked)")
    CANCELLED = "cancelled", _("Cancelled")


class Absence(models.TextChoices):
    # Present is the default and is not stored (most members attend).
    EXCUSED = "excused", _("Absent with an approved reason")
    UNEXCUSED = "unexcused", _("Absent without reason")


class Level(models.TextChoices):
    """The quality of a meeting (DOMAIN.md §4.5: Tốt / Khá / Trung bình / Kém)."""

    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")


class Evaluator(models.TextChoices):
    CELL = "cell", _("The cell itself")
    SUPERVISOR = "supervisor", _("The supervising committee member")


class TaskState(models.TextChoices):
    OPEN = "open", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")
    CANCELLED = "cancelled", _("Cancelled")
