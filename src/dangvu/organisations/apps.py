from django.apps import AppConfig


def _moved_by_treebeard(*, old_path: str, new_path: str) -> None:
    """The tree's own rows: treebeard's move has rewritten their paths already."""


class OrganisationsConfig(AppConfig):
    name = "dangvu.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from dangvu.audit.display import FieldDisplay, register_fields, register_refs
        from dangvu.core.registry import OrgBound, register_org_bound
        from dangvu.organisations.choices import GrassrootsType, OrgKind
        from dangvu.organisations.models import Organisation

        register_org_bound(
            OrgBound(
                model=Organisation,
                label="organisations",
                view_action="organisations.view",
                path_field="path",
                org_field="pk",
                move=_moved_by_treebeard,
            )
        )
        register_refs(
            "organisation",
            lambda ids: dict(
                Organisation.objects.filter(pk__in=sorted(ids)).values_list("pk", "name")
            ),
        )
        register_fields(
            "organisation",
            {
                "name": FieldDisplay(_("Name")),
                "code": FieldDisplay(_("Code")),
                "kind": FieldDisplay(_("Kind"), choices=lambda: dict(OrgKind.choices)),
                "grassroots_type": FieldDisplay(
                    _("Grassroots type"), choices=lambda: dict(GrassrootsType.choices)
                ),
                "place_name": FieldDisplay(_("Place")),
                "valid_from": FieldDisplay(_("Founded on"), date=True),
                "valid_to": FieldDisplay(_("No longer active since"), date=True),
            },
        )
