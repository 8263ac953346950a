from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dangvu.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from dangvu.audit.selectors import latest_change
        from dangvu.core.editing import register_change_finder

        # Who changed a record an editor was about to overwrite, and when (core.editing).
        register_change_finder(latest_change)
