"""The statistics' own tables: rollup counters per subtree and snapshots of large subtrees.

They kept their tables (organisations_*) when they moved here from `organisations`
(migration stats 0001): a move of code, not of data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvu.core.models import person_ref
from dangvu.organisations.models import Organisation, OrgBoundModel

__all__ = ["SubtreeCounter", "SubtreeSnapshot", "SignedReport"]


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


class SubtreeSnapshot(models.Model):
    """The figures of a large subtree as they stood on a snapshot day (the tree and the periods
    of that day): what a report as of a past date starts from before adding the few changes
    since (stats.selectors). One row per subtree and day, the figures packed
    (stats.snapshots.pack: about 60 (dimension, value) counts in a few hundred bytes): a
    snapshot is read whole and written whole, and one row each instead of one per count made
    snapshots of the mid-size subtrees affordable (docs/decisions/0016). Kept right by
    stats.snapshots when a change reaches back before `day`; dropped from the date of any
    change to the tree (stats.counters.snapshots_invalidate) and rebuilt by
    `dangvu snapshots`. A row exists only complete."""

    pk = models.CompositePrimaryKey("organisation", "day")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    figures = models.BinaryField()

    class Meta:
        # Every change that reaches back asks which snapshots lie on or after its date.
        indexes = [models.Index(fields=["day"], name="subtree_snapshot_day")]

    def __str__(self):
        return f"{self.organisation_id} {self.day}"


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
