from django.apps import AppConfig


class DatasetConfig(AppConfig):
    """The demo data and the national generator: they write through the services of every
    app, and nothing imports them (docs/decisions/0010)."""

    name = "dangvu.dataset"
    label = "dataset"
    verbose_name = "Datasets"

    def ready(self):
        from dangvu.core.registry import register_check
        from dangvu.dataset.national import check_indexes

        register_check("indexes a stopped load left out", check_indexes)
