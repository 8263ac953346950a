"""A file of member records brought in: checked, previewed, then written (or refused), by the
web page, the API or `dangvu import members`, in the background for a large file
(docs/decisions/0025)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import person_ref
from dangvu.organisations.models import OrgBoundModel

__all__ = ["ImportState", "MemberImport"]


class ImportState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, nothing written")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Written")
    REFUSED = "refused", _("Refused, nothing written")
    FAILED = "failed", _("Failed, nothing written")


class MemberImport(OrgBoundModel):
    """One file imported into an organisation (the cell, or the committee whose cells the
    file's rows name). Organisation-bound: registered in InterchangeConfig.ready()."""

    file_name = models.CharField(_("file"), max_length=255)
    stored = models.CharField(max_length=255, editable=False)
    kind = models.CharField(max_length=10, editable=False)
    # write: after the check, write the new rows (a preview stops at "checked");
    # partial: write the valid rows even when some are rejected.
    write = models.BooleanField(default=False)
    partial = models.BooleanField(_("write the valid rows only"), default=False)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.WAITING
    )
    total = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    written_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    ignored = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    rejected_file = models.CharField(max_length=255, blank=True, editable=False)
    created_by = person_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.state in (
            ImportState.CHECKED,
            ImportState.DONE,
            ImportState.REFUSED,
            ImportState.FAILED,
        )
