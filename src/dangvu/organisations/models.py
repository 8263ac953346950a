from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from dangvu.organisations.choices import GrassrootsType, LinkKind, OrgKind

__all__ = [
    "Organisation",
    "OrganisationVersion",
    "OrganisationLink",
    "SubtreeCounter",
    "SnapshotMark",
    "SubtreeSnapshot",
]

STEPLEN = 4


class Organisation(MP_Node):
    """A party organisation: a node of the materialised-path tree.

    `valid_to` is the first day it no longer exists (dissolved, merged or split); the node stays
    in the tree at its last position so that its history keeps its meaning. What the tree
    looked like on any date is in OrganisationVersion.
    """

    steplen = STEPLEN

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(_("folded name"), max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=OrgKind.choices)
    grassroots_type = models.CharField(
        _("grassroots type"), max_length=30, choices=GrassrootsType.choices, blank=True
    )
    place_name = models.CharField(
        _("place"),
        max_length=255,
        blank=True,
        help_text=_("Commune, village or agency the organisation covers"),
    )
    place_code = models.CharField(_("administrative unit code"), max_length=10, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.valid_to is None

    def active_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class OrganisationVersion(models.Model):
    """The organisation as it was during [valid_from, valid_to): its place in the tree and name.

    A report "as of" a date joins these rows, so a report before a move or a merge shows the
    tree of that date.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="versions"
    )
    path = models.CharField(max_length=255)
    parent = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=30, choices=OrgKind.choices)
    grassroots_type = models.CharField(max_length=30, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["path", "valid_from"]),
            models.Index(fields=["organisation", "valid_from"]),
            models.Index(fields=["valid_from"]),
            models.Index(fields=["valid_to"]),
        ]
        ordering = ["organisation_id", "valid_from"]

    def __str__(self):
        return f"{self.name} {self.valid_from}–{self.valid_to or ''}"


class OrganisationLink(models.Model):
    """Lineage: what an organisation became (merged into, split into, moved, renamed)."""

    source = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="links_out")
    target = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="links_in"
    )
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    date = models.DateField()
    decision_number = models.CharField(max_length=60, blank=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.source_id} {self.kind} {self.target_id} {self.date}"


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

    def __str__(self):
        return f"{self.organisation_id} {self.dim}={self.value}: {self.count}"


class SnapshotMark(models.Model):
    """The subtree of `organisation` has a complete SubtreeSnapshot for `day` (a month start)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
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
    from before adding the few changes since (reports.selectors). Kept right by
    members.snapshots when a change reaches back before `day`; dropped from the date of any
    change to the tree (organisations.rollups.snapshots_invalidate) and rebuilt by
    `dangvu snapshots`. Keyed by (organisation, day, dim, value) itself, as SubtreeCounter."""

    pk = models.CompositePrimaryKey("organisation", "day", "dim", "value")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    dim = models.CharField(max_length=20)
    value = models.CharField(max_length=30)
    count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.organisation_id} {self.day} {self.dim}={self.value}: {self.count}"
