from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Statistics in one package: the counted fields and bands, the rollup counters and
    snapshots, the reports as of any date, and `dangvu check` (docs/decisions/0011)."""

    name = "dangvu.stats"
    label = "stats"
    verbose_name = "Statistics"

    def ready(self):
        from dangvu.core.registry import OrgBound, register_org_bound, register_tree_observer
        from dangvu.members.projections import register_projection
        from dangvu.stats.counters import MemberCounters, TreeCounters
        from dangvu.stats.models import SignedReport

        register_tree_observer(TreeCounters())
        register_projection(MemberCounters())
        # A signed report stays with its organisation through a reorganisation (no reassign):
        # it is what that organisation sent.
        register_org_bound(
            OrgBound(model=SignedReport, label="signed_reports", view_action="reports.view")
        )
