from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "dangvu.members"
    label = "members"
    verbose_name = "Members"

    def ready(self):
        from dangvu.audit.labels import register_labels
        from dangvu.core.registry import OrgBound, register_org_bound
        from dangvu.members.choices import EventType
        from dangvu.members.models import Member
        from dangvu.members.selectors import member_ids_in_org, members_in_party_under
        from dangvu.members.services import members_reassign
        from dangvu.members.views import org_members_panel
        from dangvu.organisations.panels import Panel, register_panel

        register_org_bound(
            OrgBound(
                model=Member,
                label="members",
                view_action="members.view",
                # DOMAIN.md §2: identity and personal particulars the personal-data law protects.
                sensitive_fields=(
                    "ethnicity",
                    "religion",
                    "identity_number",
                    "birth_date",
                    "phone",
                ),
                sensitive_action="members.view_sensitive",
                self_field="user",
                self_actions=frozenset(
                    {"members.view", "members.view_self", "members.view_sensitive"}
                ),
                reassign=members_reassign,
                live_ids=member_ids_in_org,
                live_message=_("Transfer its members first."),
                live_count=members_in_party_under,
                title=_("party members"),
            )
        )
        register_panel(Panel(name="members", order=60, render=org_members_panel))
        register_labels(
            prefix="member.event.",
            resolve=lambda event: EventType(event).label if event in EventType.values else None,
        )
