from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "dangvu.training"
    label = "training"
    verbose_name = "Training"

    def ready(self):
        from dangvu.core.registry import DueSource, OrgBound, register_due, register_org_bound
        from dangvu.training.models import TrainingClass
        from dangvu.training.selectors import training_due
        from dangvu.training.services import classes_move

        # A class is its organiser's record: after a merge or split it stays with the
        # organisation that held it, as that organisation's history (no reassign); a move
        # rewrites its path with the organiser's, and the paths of the people
        # its enrolments name (training.services.classes_move). Its sessions, enrolments, attendance and
        # certificates are read through it.
        register_org_bound(
            OrgBound(
                model=TrainingClass,
                label="training classes",
                view_action="training.view",
                move=classes_move,
            )
        )
        register_due(DueSource(name="training", order=40, items=training_due))
