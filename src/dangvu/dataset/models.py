"""The state of dataset loads, in a table of their own (not the audit log: a load's
progress is the loader's business, not a record of who changed what)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["DatasetJob"]


class DatasetJob(models.Model):
    """One kind of load into this database (`dangvu generate`): the parameters it was started
    with (a second run must match them to resume) and the secondary indexes it took out and
    has not built again (a run stopped in between: `dangvu check` names them, the next run
    builds them)."""

    kind = models.CharField(_("kind"), max_length=20, unique=True)
    params = models.JSONField(_("parameters"), default=dict)
    indexes_out = models.JSONField(_("indexes taken out"), default=list)
    started = models.DateTimeField(_("started"), auto_now_add=True)

    class Meta:
        verbose_name = _("dataset job")

    def __str__(self):
        return f"{self.kind} {self.params}"
