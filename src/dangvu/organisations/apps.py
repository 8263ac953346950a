from django.apps import AppConfig


def _moved_by_treebeard(*, old_path: str, new_path: str) -> None:
    """The tree's own rows: treebeard's move has rewritten their paths already."""


class OrganisationsConfig(AppConfig):
    name = "dangvu.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self):
        from dangvu.core.registry import OrgBound, register_org_bound
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
