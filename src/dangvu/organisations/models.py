from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from dangvu.organisations.choices import GrassrootsType, LinkKind, OrgKind

__all__ = [
    "Organisation",
    "OrganisationVersion",
    "OrganisationLink",
    "OrgBoundModel",
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


class OrgBoundModel(models.Model):
    """Rows that belong to an organisation: the organisation and its materialised path, kept
    equal to the organisation's own (a subtree filter is then one index range on the path).

    A concrete subclass registers in its app's `AppConfig.ready()`
    (dangvu.core.registry.register_org_bound): the access gate, the role x route matrix and the
    reorganisation services then cover it without further code. Subclasses may redeclare
    either field (a related name, a composite index instead of the path's own)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        abstract = True

    def place_in(self, org: Organisation) -> None:
        """Put the row in `org` (its path follows)."""
        self.organisation = org
        self.org_path = org.path
