"""The signed-in person's starting point (thin: the apps' selectors decide what it shows)."""

from django.shortcuts import render

from dangvu.accounts.scoping import allows
from dangvu.organisations.selectors import org_roots_for
from dangvu.stats.selectors import membership_report


def home(request):
    """Their organisations, with today's key figures where their role shows statistics there
    (the same gate as /reports/membership)."""
    user = request.user
    cards = []
    for org in org_roots_for(actor=user)[:12]:
        report = None
        if org.is_active and allows(user, "reports.view", org):
            report = membership_report(actor=user, org=org)
        cards.append({"org": org, "report": report})
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    return render(request, "home/home.html", {"cards": cards, "own_member": member})
