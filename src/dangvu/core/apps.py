from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangvu.core"
    label = "core"
    verbose_name = "Dangvu core"

    def ready(self):
        from dangvu.core import lookups  # noqa: F401 - registers `__one_of`
