"""What the signed-in person may do, for menus (the views still check every object)."""

from dangvu.accounts.scoping import holds_anywhere
from dangvu.accounts.twofactor import session_verified

__all__ = ["abilities"]


def abilities(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not session_verified(request):
        return {"owes_second_factor": True}  # no menu before the second step
    return {
        "can_see_orgs": holds_anywhere(user, "organisations.view"),
        "can_see_reports": holds_anywhere(user, "reports.view"),
        "can_see_members": holds_anywhere(user, "members.view"),
        "can_see_admission": holds_anywhere(user, "admission.view"),
        "can_see_meetings": holds_anywhere(user, "meetings.view"),
        "can_see_training": holds_anywhere(user, "training.view"),
        "can_see_documents": holds_anywhere(user, "documents.view"),
        "can_edit_news": holds_anywhere(user, "news.edit"),
        "can_moderate": holds_anywhere(user, "news.moderate"),
        "can_see_audit": holds_anywhere(user, "audit.view"),
    }
