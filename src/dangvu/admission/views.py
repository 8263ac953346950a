"""The admission pages (thin: parse, call a selector or service through the gate, render)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import allows, holds_anywhere, release_sensitive
from dangvu.admission.choices import BEFORE_ADMISSION, ORDER, Stage, Step
from dangvu.admission.forms import (
    STEP_FIELDS,
    CandidateEditForm,
    CandidateFilterForm,
    CandidateForm,
    OrgChoiceForm,
    StepForm,
    TargetForm,
)
from dangvu.admission.selectors import (
    candidate_get,
    candidate_list,
    deadlines,
    development_warnings,
    org_row,
    stage_counts,
    targets_for,
    targets_progress,
)
from dangvu.admission.services import (
    CANDIDATE_CASE,
    DECIDING_STEPS,
    Introducer,
    StepInput,
    candidate_create,
    candidate_step,
    candidate_update,
    certificate_valid_until,
    target_set,
)
from dangvu.core.charts import bar_chart
from dangvu.core.editing import EditConflict, conflict_shown, versioned
from dangvu.core.errors import ValidationError
from dangvu.core.forms import add_service_errors
from dangvu.members.services import PERSON_FIELDS
from dangvu.organisations.selectors import org_roots_for

PAGE_SIZE = 100
# The step form's introducer fields, passed to the service as Introducers.
STEP_EXTRA = ("introducer1", "since1", "introducer2", "since2")


def _need(request, action: str = "admission.view") -> None:
    if not holds_anywhere(request.user, action):
        raise Http404


def _org_choice(request) -> tuple[OrgChoiceForm, object | None]:
    """The organisation chosen (`?org=`), or the first of the person's own, shown as chosen."""
    form = OrgChoiceForm(request.GET or None, actor=request.user)
    org = form.cleaned_data.get("org") if form.is_valid() else None
    if org is None and not form.errors:
        roots = org_roots_for(actor=request.user, action="admission.view")
        org = roots[0] if roots else None
        if org is not None:
            form = OrgChoiceForm(initial={"org": org}, actor=request.user)
    return form, org


def candidate_list_view(request):
    """The cases the person may see, filtered by organisation, name, stage and what is due."""
    _need(request)
    form = CandidateFilterForm(request.GET or {"stage": "open"}, actor=request.user)
    form.is_valid()
    data = form.cleaned_data
    org = data.get("org")
    stage = data.get("stage", "open") if request.GET else "open"
    qs = candidate_list(
        actor=request.user, org=org, q=data.get("q", ""), stage=stage, due=data.get("due", "")
    )
    rows = list(qs[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "org": org,
        "rows": rows[:PAGE_SIZE],
        "more": len(rows) > PAGE_SIZE,
        "today": timezone.localdate(),
        "can_add": holds_anywhere(request.user, "admission.manage"),
        "filters": {"q": data.get("q", ""), "stage": stage, "due": data.get("due", "")},
    }
    if org is not None:
        context["stages"] = stage_counts(actor=request.user, org=org)
    return render(request, "admission/list.html", context)


def candidate_new(request):
    _need(request, "admission.manage")
    initial = {
        "organisation": request.GET.get("org", ""),
        "date": timezone.localdate(),
        "religion": "00",
        "professional_level": "none",
        "theory_level": "none",
    }
    form = CandidateForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            c = candidate_create(
                actor=request.user,
                organisation=data["organisation"],
                data={name: data.get(name) for name in PERSON_FIELDS},
                on=data["date"],
                proposed_by=data["proposed_by"],
                helper=data["helper"],
                hard_area=data["hard_area"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The case has been opened."))
            return redirect("admission:detail", candidate_id=c.pk)
    return render(request, "admission/new.html", {"form": form})


def candidate_edit(request, candidate_id):
    """Correct a case's particulars (before the decision: after it they are the member's)."""
    c = candidate_get(actor=request.user, pk=candidate_id, action="admission.manage")
    if c.stage not in BEFORE_ADMISSION:
        raise Http404
    initial = {name: getattr(c, name) for name in PERSON_FIELDS}
    initial.update(helper=c.helper, hard_area=c.hard_area, note=c.note)
    form = CandidateEditForm(request.POST or None, initial=initial, actor=request.user)
    versioned(form, CANDIDATE_CASE.version(c))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            candidate_update(
                actor=request.user,
                candidate=c,
                data={name: d.get(name) for name in PERSON_FIELDS},
                helper=d["helper"],
                hard_area=d["hard_area"],
                note=d["note"],
                version=d["version"],
            )
        except EditConflict as exc:
            conflict_shown(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The case has been saved."))
            return redirect("admission:detail", candidate_id=c.pk)
    return render(request, "admission/edit.html", {"c": c, "form": form})


def _next_steps(c, user) -> list[tuple[str, str]]:
    """(step, label) the person may record next on the case."""
    if not c.is_open:
        return []
    steps = [step for step, before, _after in ORDER if before == c.stage]
    if c.stage in (Stage.INTRODUCED, Stage.PROBATION):
        steps.append(Step.VOTE_FAILED)
    if c.stage in BEFORE_ADMISSION:
        steps.append(Step.WITHDRAWN)
    return [
        (s, str(Step(s).label))
        for s in steps
        if allows(user, "admission.decide" if s in DECIDING_STEPS else "admission.manage", c)
    ]


def candidate_detail(request, candidate_id):
    c = candidate_get(actor=request.user, pk=candidate_id)
    c.sensitive_shown = c.pk in release_sensitive(request.user, [c], via="page")
    steps = list(c.steps.order_by("seq"))
    context = {
        "c": c,
        "steps": steps,
        "next_steps": _next_steps(c, request.user),
        "can_edit": c.stage in BEFORE_ADMISSION and allows(request.user, "admission.manage", c),
        "certificate_until": certificate_valid_until(c),
        "today": timezone.localdate(),
        "stages": [
            (s, s.label, s == c.stage)
            for s in Stage
            if s not in (Stage.WITHDRAWN, Stage.NOT_RECOGNISED)
        ],
    }
    return render(request, "admission/detail.html", context)


def candidate_step_view(request, candidate_id):
    """The form of one step (`?step=`; without it, the case's next step) of a case."""
    step = request.GET.get("step", "")
    if step and step not in STEP_FIELDS:
        raise Http404
    if not step:
        c = candidate_get(actor=request.user, pk=candidate_id, action="admission.manage")
        offered = _next_steps(c, request.user)
        if not offered:
            raise Http404
        step = offered[0][0]
    action = "admission.decide" if step in DECIDING_STEPS else "admission.manage"
    c = candidate_get(actor=request.user, pk=candidate_id, action=action)
    form = StepForm(
        request.POST or None,
        initial={"date": timezone.localdate()},
        actor=request.user,
        step=step,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        introducers = tuple(
            Introducer(d[m], d[s])
            for m, s in (("introducer1", "since1"), ("introducer2", "since2"))
            if d.get(m) is not None
        )
        fields = {k: v for k, v in d.items() if k not in STEP_EXTRA and v not in (None, "")}
        try:
            candidate_step(
                actor=request.user,
                candidate=c,
                step=StepInput(step=step, introducers=introducers, **fields),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"introducers": "introducer1"})
        else:
            messages.success(request, _("Recorded: %(step)s.") % {"step": Step(step).label})
            return redirect("admission:detail", candidate_id=c.pk)
    context = {"c": c, "form": form, "step": step, "step_label": Step(step).label}
    return render(request, "admission/step.html", context)


def deadlines_view(request):
    _need(request)
    form, org = _org_choice(request)
    board = deadlines(actor=request.user, org=org) if org is not None else None
    return render(request, "admission/deadlines.html", {"form": form, "org": org, "board": board})


def targets_view(request):
    _need(request)
    form, org = _org_choice(request)
    items = []
    if org is not None:
        found = targets_for(actor=request.user, org=org)
        for t, p in zip(found, targets_progress(found), strict=True):
            items.append(
                {
                    "target": t,
                    "p": p,
                    "chart": bar_chart([(str(y["year"]), y["admitted"]) for y in p["years"]]),
                }
            )
    can_set = org is not None and allows(request.user, "admission.manage", org_row(org))
    return render(
        request,
        "admission/targets.html",
        {"form": form, "org": org, "items": items, "can_set": can_set},
    )


def target_new(request):
    _need(request, "admission.manage")
    form = TargetForm(
        request.POST or None,
        initial={"organisation": request.GET.get("org", "")},
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            target_set(
                actor=request.user,
                organisation=d["organisation"],
                term_start=d["term_start"],
                term_end=d["term_end"],
                total=d["total"],
                ethnic_minority=d["ethnic_minority"] or 0,
                women=d["women"] or 0,
                youth=d["youth"] or 0,
                by_year=d["by_year"],
                note=d["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The target has been set."))
            return redirect(f"{reverse('admission:targets')}?org={d['organisation'].code}")
    return render(request, "admission/target_new.html", {"form": form})


def warnings_view(request):
    _need(request)
    form, org = _org_choice(request)
    report = development_warnings(actor=request.user, org=org) if org is not None else None
    return render(request, "admission/warnings.html", {"form": form, "org": org, "report": report})
