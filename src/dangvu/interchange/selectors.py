"""Reading imports, through the access gate."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import get_or_404, restrict
from dangvu.core.registry import DueItem
from dangvu.interchange.models import ImportState, MemberImport

__all__ = ["import_list", "import_get", "imports_due", "PENDING_DAYS"]

PENDING_DAYS = 30  # a checked file not written after this long is no longer work that is due


def import_list(*, actor) -> QuerySet[MemberImport]:
    """The imports into organisations where the actor may add members, the latest first."""
    return restrict(
        MemberImport.objects.select_related("organisation", "created_by"), actor
    ).order_by("-created_at", "-id")


def import_get(*, actor, pk: int) -> MemberImport:
    return get_or_404(actor, MemberImport, pk=pk)


def imports_due(actor, today: date) -> list[DueItem]:
    """The actor's own files checked and waiting for their decision to write."""
    if not getattr(actor, "pk", None):
        return []
    since = today - timedelta(days=PENDING_DAYS)
    n = (
        import_list(actor=actor)
        .filter(created_by_id=actor.pk, state=ImportState.CHECKED, created_at__date__gte=since)
        .count()
    )
    if not n:
        return []
    return [
        DueItem(
            _("Imported files checked, waiting to be written"), n, reverse("interchange:imports")
        )
    ]
