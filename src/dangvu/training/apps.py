from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "dangvu.training"
    label = "training"
    verbose_name = "Training"

    def ready(self):
        from dangvu.core.registry import OrgBound, register_org_bound
        from dangvu.training.models import TrainingClass

        # A class is its organiser's record: after a merge or split it stays with the
        # organisation that held it, as that organisation's history (no reassign); a move
        # rewrites its path with the organiser's. Its sessions, enrolments, attendance and
        # certificates are read through it.
        register_org_bound(
            OrgBound(model=TrainingClass, label="training classes", view_action="training.view")
        )
