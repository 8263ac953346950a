from django.shortcuts import render

from dangvu.organisations.selectors import org_roots_for
from dangvu.reports.selectors import membership_report


def home(request):
    """The signed-in person's starting point: their organisations with today's key figures."""
    roots = org_roots_for(actor=request.user)[:12]
    cards = []
    for org in roots:
        report = membership_report(org) if org.is_active else None
        cards.append({"org": org, "report": report})
    member = getattr(request.user, "member", None) if hasattr(request.user, "member") else None
    return render(request, "core/home.html", {"cards": cards, "own_member": member})
