from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Statistics in one package: the counted fields and bands, the rollup counters and
    snapshots, the reports as of any date, and `dangvu check` (docs/decisions/0011)."""

    name = "dangvu.stats"
    label = "stats"
    verbose_name = "Statistics"

    def ready(self):
        from dangvu.core.registry import register_tree_observer
        from dangvu.members.projections import register_projection
        from dangvu.stats.counters import MemberCounters, TreeCounters

        register_tree_observer(TreeCounters())
        register_projection(MemberCounters())
