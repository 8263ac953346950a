from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "dangvu.interchange"
    label = "interchange"
    verbose_name = "Data in and out"

    def ready(self):
        from dangvu.core.registry import DueSource, OrgBound, register_due, register_org_bound
        from dangvu.interchange.models import MemberImport
        from dangvu.interchange.selectors import imports_due

        # An import stays with the organisation it was made into, as its history (no
        # reassign after a merge or split); a move rewrites its path. Only those who may add
        # members there see it: its problems quote the file's rows.
        register_org_bound(
            OrgBound(model=MemberImport, label="member imports", view_action="members.manage")
        )
        register_due(DueSource(name="imports", order=15, items=imports_due))
