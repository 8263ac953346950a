from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The statistics pages, their Excel layouts and their API (the figures are stats')."""

    name = "dangvu.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self):
        from dangvu.organisations.panels import Panel, register_panel
        from dangvu.reports.views import org_figures_panel

        register_panel(Panel(name="figures", order=10, render=org_figures_panel, place="summary"))
