"""The statistics' own tables: rollup counters per subtree and month-start snapshots.

They kept their tables (organisations_*) when they moved here from `organisations`
(migration stats 0001): a move of code, not of data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import person_ref
from dangvu.organisations.models import Organisation, OrgBoundModel

__all__ = ["SubtreeCounter", "SnapshotMark", "SubtreeSnapshot", "SignedReport"]


class SubtreeCounter(models.Model):
    """Rollup counter: how many members (or organisations) of the subtree rooted at `organisation`
    have `value` in dimension `dim`. Kept in the same transaction as the change that moves it;
    `dangvu check` recomputes all of them. Keyed by (organisation, dim, value) itself: a
    surrogate id would add a column and a second index to every row (migration 0007)."""

    pk = models.CompositePrimaryKey("organisation", "dim", "value")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dim = models.CharField(max_length=20)
    value = models.CharField(max_length=30)
    count = models.BigIntegerField(default=0)

    class Meta:
        db_table = "organisations_subtreecounter"

    def __str__(self):
        return f"{self.organisation_id} {self.dim}={self.value}: {self.count}"


class SnapshotMark(models.Model):
    """The subtree of `organisation` has a complete SubtreeSnapshot for `day` (a month start)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        db_table = "organisations_snapshotmark"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="uniq_snapshot_mark")
        ]
        # Every change that reaches back asks which marks lie on or after its date.
        indexes = [models.Index(fields=["day"], name="snapshot_mark_day")]

    def __str__(self):
        return f"{self.organisation_id} {self.day}"


class SubtreeSnapshot(models.Model):
    """The rollup counters of a large subtree as they stood on a month start (the tree and the
    periods of that day, members' current attributes): what a report as of a past date starts
    from before adding the few changes since (stats.selectors). Kept right by
    stats.snapshots when a change reaches back before `day`; dropped from the date of any
    change to the tree (stats.counters.snapshots_invalidate) and rebuilt by
    `dangvu snapshots`. Keyed by (organisation, day, dim, value) itself, as SubtreeCounter."""

    pk = models.CompositePrimaryKey("organisation", "day", "dim", "value")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    dim = models.CharField(max_length=20)
    value = models.CharField(max_length=30)
    count = models.BigIntegerField(default=0)

    class Meta:
        db_table = "organisations_subtreesnapshot"

    def __str__(self):
        return f"{self.organisation_id} {self.day} {self.dim}={self.value}: {self.count}"


class SignedReport(OrgBoundModel):
    """A report as it was signed and sent upward: the organisation, the date or period, the
    figures exactly as they were (canonical JSON and its SHA-256), who signed and when. Never
    changed (no service writes it twice); re-running it (stats.selectors.signed_report_recheck)
    shows whether anything recorded since changes it, and what. Stays with its organisation
    through a reorganisation, as the organisation's history."""

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", _("Party membership (3-BTCTW)")
        PERIOD = "period", _("Increase and decrease (1-BTCTW)")

    kind = models.CharField(_("form"), max_length=20, choices=Kind.choices)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    figures = models.JSONField()
    digest = models.CharField(max_length=64)
    signer = models.CharField(_("signed by"), max_length=150)
    signed_by = person_ref()
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.organisation_id} {self.as_of or self.date_to}"
