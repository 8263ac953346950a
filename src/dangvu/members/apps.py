from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# DOMAIN.md §2: identity and personal particulars the personal-data law protects.
SENSITIVE_FIELDS = ("ethnicity", "religion", "identity_number", "birth_date", "phone")


class MembersConfig(AppConfig):
    name = "dangvu.members"
    label = "members"
    verbose_name = "Members"

    def ready(self):
        from dangvu.audit.display import register_fields
        from dangvu.audit.labels import register_labels
        from dangvu.core.registry import DueSource, OrgBound, register_due, register_org_bound
        from dangvu.members.choices import EventType
        from dangvu.members.models import Member, Position, Transfer
        from dangvu.members.selectors import (
            member_ids_in_org,
            members_due,
            members_in_party_under,
            transfers_due,
        )
        from dangvu.members.services import members_reassign, positions_move, transfers_move
        from dangvu.members.views import org_members_panel, org_positions_panel
        from dangvu.organisations.panels import Panel, register_panel

        register_org_bound(
            OrgBound(
                model=Member,
                label="members",
                view_action="members.view",
                sensitive_fields=SENSITIVE_FIELDS,
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
        # A transfer belongs to its sending cell; the receiving side finds it by its to_path,
        # which a move of the tree rewrites too.
        register_org_bound(
            OrgBound(
                model=Transfer,
                label="transfers",
                view_action="members.view",
                move=transfers_move,
            )
        )
        # A position belongs to the organisation where it is held; it stays with an ended
        # organisation as its history (a merge or split elects anew).
        register_org_bound(
            OrgBound(
                model=Position,
                label="positions",
                view_action="organisations.view",
                move=positions_move,
            )
        )
        register_panel(Panel(name="members", order=60, render=org_members_panel))
        register_panel(Panel(name="positions", order=55, render=org_positions_panel))
        register_due(DueSource(name="members", order=10, items=members_due))
        register_due(DueSource(name="transfers", order=12, items=transfers_due))
        register_fields("member", _record_display())
        register_labels(
            prefix="member.event.",
            resolve=lambda event: EventType(event).label if event in EventType.values else None,
        )


def _record_display() -> dict:
    """How the fields of a member's record read in its change history (audit.display)."""
    from dangvu.audit.display import FieldDisplay
    from dangvu.members.choices import Status
    from dangvu.members.fields import RECORD

    fields = {
        f.name: FieldDisplay(
            label=f.label,
            choices=(lambda r=f.reflist: dict(r.choices())) if f.reflist is not None else None,
            date=f.kind == "date",
            sensitive=f.name in SENSITIVE_FIELDS,
        )
        for f in RECORD
    }
    fields.update(
        {
            "status": FieldDisplay(_("Status"), choices=lambda: dict(Status.choices)),
            "organisation": FieldDisplay(_("Party cell"), ref="organisation"),
            "exempted": FieldDisplay(_("Exempted from work and activities")),
            "temporary_organisation": FieldDisplay(
                _("Temporarily attached to"), ref="organisation"
            ),
        }
    )
    return fields
