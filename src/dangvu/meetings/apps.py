from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangvu.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from dangvu.core.registry import (
            DueSource,
            OrgBound,
            register_check,
            register_due,
            register_org_bound,
            register_tree_observer,
        )
        from dangvu.meetings.models import Meeting, MemberTask, Supervision
        from dangvu.meetings.rollup import MeetingRollupTree, rollup_check
        from dangvu.meetings.selectors import meetings_due

        # A meeting is its cell's record: after a merge or split it stays with the cell that
        # held it, as that cell's history (no reassign).
        register_org_bound(OrgBound(model=Meeting, label="meetings", view_action="meetings.view"))
        # An assignment follows its cell through a move; a member's task stays with the cell
        # that gave it.
        # The supervisor sees their own assignments, the member their own tasks, wherever.
        register_org_bound(
            OrgBound(
                model=Supervision,
                label="supervision",
                view_action="meetings.view",
                self_field="supervisor",
                self_actions=frozenset({"meetings.view"}),
            )
        )
        register_org_bound(
            OrgBound(
                model=MemberTask,
                label="tasks",
                view_action="meetings.view",
                self_field="member__user",
                self_actions=frozenset({"meetings.view"}),
            )
        )
        register_due(DueSource(name="meetings", order=30, items=meetings_due))
        # The meetings of each month under the top three levels (meetings.rollup).
        register_tree_observer(MeetingRollupTree())
        register_check("meetings by month", rollup_check)
