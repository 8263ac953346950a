from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "OrgKind",
    "GrassrootsType",
    "LinkKind",
    "GRASSROOTS_KINDS",
    "MEMBER_HOLDING_KINDS",
    "LEAF_KINDS",
    "ALLOWED_PARENTS",
]


class OrgKind(models.TextChoices):
    CENTRAL = "central", _("Central Committee")
    PROVINCE = "province", _("Province-level party committee")
    DISTRICT = "district", _("District-level party committee (until 2025)")
    COMMUNE = "commune", _("Commune-level party committee")
    DIRECT = "direct", _("Directly-subordinate party committee")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots party committee")
    GRASSROOTS_CELL = "grassroots_cell", _("Grassroots party cell")
    SUB_COMMITTEE = "sub_committee", _("Party sub-committee")
    CELL = "cell", _("Party cell")


class GrassrootsType(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    PARTY_AGENCY = "party_agency", _("Party, Front and mass-organisation agency")
    STATE_AGENCY = "state_agency", _("State agency")
    PUBLIC_SERVICE = "public_service", _("Public service unit")
    NON_PUBLIC_SERVICE = "non_public_service", _("Non-public service unit")
    ARMY = "army", _("Army")
    POLICE = "police", _("Police")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    OTHER_ENTERPRISE = "other_enterprise", _("Other enterprise or cooperative")
    OTHER = "other", _("Other")


class LinkKind(models.TextChoices):
    MERGED_INTO = "merged_into", _("merged into")
    SPLIT_INTO = "split_into", _("split into")
    MOVED = "moved", _("moved")
    RENAMED = "renamed", _("renamed")
    DISSOLVED = "dissolved", _("dissolved")


GRASSROOTS_KINDS = {OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL}
# Members belong to cells: a grassroots cell or a cell under a grassroots committee.
MEMBER_HOLDING_KINDS = {OrgKind.GRASSROOTS_CELL, OrgKind.CELL}
# A cell cannot have child organisations.
LEAF_KINDS = {OrgKind.GRASSROOTS_CELL, OrgKind.CELL}

ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgKind.CENTRAL: {None},
    OrgKind.PROVINCE: {None, OrgKind.CENTRAL},
    OrgKind.DISTRICT: {OrgKind.PROVINCE},
    OrgKind.COMMUNE: {OrgKind.PROVINCE, OrgKind.DISTRICT},
    OrgKind.DIRECT: {OrgKind.PROVINCE, OrgKind.DISTRICT, OrgKind.CENTRAL},
    OrgKind.GRASSROOTS_COMMITTEE: {
        OrgKind.PROVINCE,
        OrgKind.DISTRICT,
        OrgKind.COMMUNE,
        OrgKind.DIRECT,
    },
    OrgKind.GRASSROOTS_CELL: {OrgKind.PROVINCE, OrgKind.DISTRICT, OrgKind.COMMUNE, OrgKind.DIRECT},
    OrgKind.SUB_COMMITTEE: {OrgKind.GRASSROOTS_COMMITTEE},
    # Since 1/7/2025 a commune-level committee is the direct upper level of village cells.
    OrgKind.CELL: {OrgKind.GRASSROOTS_COMMITTEE, OrgKind.SUB_COMMITTEE, OrgKind.COMMUNE},
}
