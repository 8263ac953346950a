"""The signed-in person's starting point: "what do I do today?" (thin: the apps' selectors
and the due-work registry decide what it shows, through the access gate)."""

from django.shortcuts import render
from django.utils import timezone

from dangvu.accounts.models import RoleGrant
from dangvu.accounts.scoping import allows, holds_anywhere
from dangvu.core.charts import bar_chart
from dangvu.core.registry import due_sources
from dangvu.members.forms import OpenMemberForm
from dangvu.organisations.selectors import org_roots_for
from dangvu.stats.selectors import membership_report, membership_trend
from dangvu.training.choices import State as ClassState
from dangvu.training.selectors import class_list, person_training, trainer_week

ROOT_CARDS = 12
TRAINER_CLASSES = 10


def home(request):
    """Their organisations (active first) with today's key figures where their role shows
    statistics there, the trend of the first one as charts, what is due, and the shortcuts of
    their role. A person without organisations (an editor, a member) sees their own work."""
    user = request.user
    today = timezone.localdate()
    roots = org_roots_for(actor=user)
    report_roots = org_roots_for(actor=user, action="reports.view")
    seen = {o.pk for o in roots}
    orgs = roots + [o for o in report_roots if o.pk not in seen]
    orgs.sort(key=lambda o: not o.is_active)
    cards = []
    for org in orgs[:ROOT_CARDS]:
        report = None
        if org.is_active and allows(user, "reports.view", org):
            report = membership_report(actor=user, org=org)
        cards.append({"org": org, "report": report})
    charts = None
    first = next((c for c in cards if c["report"] is not None), None)
    if first is not None:
        trend = membership_trend(actor=user, org=first["org"])
        report = first["report"]
        charts = {
            "org": first["org"],
            "totals": bar_chart(trend["totals"]),
            "admissions": bar_chart(trend["admissions"]),
            "ages": bar_chart(
                [
                    (row["code"].replace("-", "–"), row["count"])
                    for row in report["breakdowns"]["age_band"]
                ],
                width=360,
            ),
        }
    due = [item for source in due_sources() for item in source.items(user, today)]
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    training = None
    if holds_anywhere(user, "training.manage"):
        # The trainer's own classes (those they are in charge of, still running) and the
        # sessions of the week of every class they run.
        mine = class_list(actor=user).filter(in_charge_id=user.pk)
        mine = mine.exclude(state__in=(ClassState.FINISHED, ClassState.CANCELLED))
        training = {"classes": list(mine[:TRAINER_CLASSES]), "week": trainer_week(actor=user)}
    own_training = person_training(actor=user, member=member) if member is not None else None
    grants = RoleGrant.objects.filter(user=user).select_related("organisation").order_by("role")
    context = {
        "cards": cards,
        "more_orgs": max(len(orgs) - ROOT_CARDS, 0),
        "charts": charts,
        "due": due,
        "today": today,
        "own_member": member,
        "training": training,
        "own_training": own_training,
        "grants": list(grants),
        "shortcuts": _shortcuts(user),
        "open_form": OpenMemberForm(actor=user, auto_id="open_%s")
        if holds_anywhere(user, "members.view")
        else None,
    }
    return render(request, "home/home.html", context)


def _shortcuts(user) -> list[tuple[str, str]]:
    """(url name, label key) of the tasks the person's role does, decided by actions held."""
    out = []
    if holds_anywhere(user, "members.manage"):
        out += [("members:new", "add_member"), ("members:list", "record_event")]
    elif holds_anywhere(user, "members.view"):
        out.append(("members:list", "find_member"))
    if holds_anywhere(user, "reports.view"):
        out += [("reports:membership", "membership"), ("reports:period", "period")]
    if holds_anywhere(user, "organisations.view"):
        out.append(("organisations:tree", "tree"))
    if holds_anywhere(user, "training.manage"):
        out.append(("training:new", "new_class"))
    return out
