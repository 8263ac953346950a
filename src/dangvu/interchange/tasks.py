"""The background work of imports, run by `dangvu worker` (django-tasks' database backend)."""

from django_tasks import task

__all__ = ["run_import"]


@task()
def run_import(job_id: int) -> str:
    """Check (and write, when asked) a stored import; returns its final state."""
    from dangvu.interchange.services import import_run

    return import_run(job_id).state
