"""Writes of the admission pipeline: a case opened, each step recorded by its own rule, targets.

Every number comes from the rules registry (core.rules) in force on the date of the act it
checks; deadlines count working days (core.workdays). A refused step raises ValidationError
naming the field and changes nothing. Admission puts the person on the records through
members.services (the `admitted` event); recognition and its refusal are membership events
too (`recognised`, `struck_off`): there is no second path to a member's status.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import SYSTEM, allows
from dangvu.admission.choices import BEFORE_ADMISSION, OPEN, ORDER, Proposer, Stage, Step
from dangvu.admission.models import Candidate, CandidateStep, Target, TargetPart
from dangvu.audit.services import AuditEntry, audit_bulk, audit_record
from dangvu.core.dates import add_months
from dangvu.core.editing import Editable, editable, shown_value
from dangvu.core.errors import ValidationError, field_errors
from dangvu.core.refdata import EDUCATION_LEVELS, KINH
from dangvu.core.rules import rule_value_or_none
from dangvu.core.text import clean_text, fold
from dangvu.core.workdays import add_working_days
from dangvu.members.apps import SENSITIVE_FIELDS
from dangvu.members.choices import EventType, Status
from dangvu.members.fields import record_field
from dangvu.members.models import Member
from dangvu.members.services import (
    PERSON_FIELDS,
    clean_person,
    id_runs,
    member_ceremony_record,
    member_create,
    member_event_record,
    recorder_id,
)
from dangvu.members.state import MemberState, probation_end
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation

__all__ = [
    "CANDIDATE_CASE",
    "StepInput",
    "Introducer",
    "candidate_create",
    "candidate_update",
    "candidate_step",
    "candidates_create_bulk",
    "candidates_reassign",
    "due_of",
    "target_set",
    "certificate_valid_until",
    "DECIDING_STEPS",
]

# Steps the competent committee takes: the admission decision and recognition.
DECIDING_STEPS = frozenset({Step.ADMITTED, Step.RECOGNISED, Step.NOT_RECOGNISED})
_NEXT = {before: step for step, before, _after in ORDER}
_LEADS_TO = {step: after for step, _before, after in ORDER}
_EDUCATION_RANK = {item.code: i for i, item in enumerate(EDUCATION_LEVELS)}


@dataclass(frozen=True)
class Introducer:
    """An official member who introduces the person, and since when they have worked, studied
    or lived alongside them."""

    member: Member
    since: date


@dataclass(frozen=True)
class StepInput:
    """What a step records. Which fields a step needs is said by the step's rule."""

    step: str
    date: date | None
    document_number: str = ""
    issuer: str = ""
    note: str = ""
    certificate_number: str = ""
    introducers: tuple[Introducer, ...] = ()
    youth_union_resolution: str = ""
    votes_for: int | None = None
    votes_total: int | None = None
    over_age_decision: str = ""
    received_on: date | None = None
    consent_number: str = ""
    decision_number: str = ""
    decision_on: date | None = None


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _audit(action: str, c: Candidate, before=None, after=None) -> AuditEntry:
    return AuditEntry(
        action=action,
        object_type="candidate",
        object_id=c.pk,
        object_repr=c.full_name,
        org_path=c.org_path,
        before=before,
        after=after,
    )


def _check_cell(org: Organisation | None) -> None:
    if org is None:
        raise ValidationError({"organisation": _("Choose the party cell.")})
    if org.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError({"organisation": _("A candidate is cultivated by a party cell.")})
    if not org.is_active:
        raise ValidationError({"organisation": _("This party cell no longer exists.")})


def _check_helper(helper: Member | None, org: Organisation) -> None:
    if helper is not None and helper.status != Status.OFFICIAL:
        raise ValidationError(
            {"helper": _("The member assigned to help must be an official member.")}
        )


def _texts(**texts) -> dict[str, str]:
    limits = {"note": 2000, "issuer": 255}
    cleaned, errors = {}, {}
    for name, value in texts.items():
        try:
            cleaned[name] = clean_text(
                value or "", max_length=limits.get(name, 60), multiline=name == "note"
            )
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _stored(cleaned: dict) -> dict:
    """The cleaned particulars as the candidate's columns hold them (no empty identity number
    as NULL: a candidate's is not unique)."""
    return {k: ("" if v is None and k == "identity_number" else v) for k, v in cleaned.items()}


@transaction.atomic
def candidate_create(
    *,
    actor,
    organisation: Organisation,
    data: dict,
    on: date | None = None,
    proposed_by: str = Proposer.CELL,
    helper: Member | None = None,
    hard_area: bool = False,
    note: str = "",
) -> Candidate:
    """Open a case: a person the cell identified on `on` (today when not given) as an
    outstanding non-member. Their particulars are checked by the member record's own rules."""
    today = timezone.localdate()
    on = on or today
    errors = {}
    if on > today:
        errors["date"] = _("The date cannot be in the future.")
    if proposed_by not in Proposer.values:
        errors["proposed_by"] = _("Unknown proposer: %(p)s.") % {"p": proposed_by}
    if errors:
        raise ValidationError(errors)
    _check_cell(organisation)
    cleaned = clean_person(data, today=today)
    _check_helper(helper, organisation)
    note = _texts(note=note)["note"]
    c = Candidate(
        **_stored(cleaned),
        name_folded=fold(cleaned["full_name"]),
        proposed_by=proposed_by,
        helper=helper,
        hard_area=bool(hard_area),
        note=note,
        stage=Stage.IDENTIFIED,
        stage_on=on,
    )
    c.place_in(organisation)
    c.save()
    CandidateStep.objects.create(
        candidate=c,
        seq=1,
        step=Step.IDENTIFIED,
        date=on,
        note=note,
        details={"proposed_by": proposed_by, "helper": helper.pk if helper else None},
        recorded_by_id=recorder_id(actor),
    )
    audit_record(actor=actor, entry=_audit("candidate.create", c, after={"stage": c.stage}))
    return c


def _case_shown(name: str, value) -> str:
    if name in PERSON_FIELDS and isinstance(value, str) and record_field(name).kind == "code":
        return record_field(name).label_of(value) or "—"
    return shown_value(value)


# A case as its edit page and GET /api/v1/candidates/{id} show it (core.editing).
CANDIDATE_CASE = editable(
    Editable(
        name="admission.case",
        labels=lambda: {
            **{name: record_field(name).label for name in PERSON_FIELDS},
            "helper": _("Party member assigned to help"),
            "hard_area": _("Lives in a mountain, border, island or especially disadvantaged area"),
            "note": _("Note"),
        },
        read=lambda c: {
            **{name: getattr(c, name) for name in PERSON_FIELDS},
            "helper": c.helper,
            "hard_area": c.hard_area,
            "note": c.note,
        },
        audit=lambda c: ("candidate", c.pk),
        secret=frozenset(SENSITIVE_FIELDS),
        show=_case_shown,
        page="admission:edit",
        api="POST /api/v1/candidates/{candidate_id}/record",
    )
)


@transaction.atomic
def candidate_update(
    *,
    actor,
    candidate: Candidate,
    data: dict,
    helper: Member | None = None,
    hard_area: bool | None = None,
    note: str | None = None,
    version: str | None = None,
) -> Candidate:
    """Correct a case's particulars, helper or note: before the decision only (after it the
    particulars are the member's record, corrected there). `version` (core.editing): the case
    as the editor read it; changed since, nothing is written (EditConflict)."""
    c = Candidate.objects.select_for_update().get(pk=candidate.pk)
    CANDIDATE_CASE.check(c, version)
    if c.stage not in BEFORE_ADMISSION:
        raise ValidationError(
            {"__all__": _("The person is on the party's records: correct the member's record.")}
        )
    merged = {name: getattr(c, name) for name in PERSON_FIELDS} | data
    cleaned = clean_person(merged)
    _check_helper(helper, c.organisation)
    before = {name: getattr(c, name) for name in cleaned}
    for name, value in _stored(cleaned).items():
        setattr(c, name, value)
    c.name_folded = fold(c.full_name)
    c.helper = helper
    if hard_area is not None:
        c.hard_area = bool(hard_area)
    if note is not None:
        c.note = _texts(note=note)["note"]
    c.save()
    changed = {k: v for k, v in before.items() if getattr(c, k) != v}
    audit_record(
        actor=actor,
        entry=_audit("candidate.update", c, changed, {k: getattr(c, k) for k in changed}),
    )
    return c


# --- the steps ------------------------------------------------------------------------------


def certificate_valid_until(c: Candidate) -> date | None:
    """The last day the awareness-class certificate counts (by the rule in force on its date)."""
    if c.certificate_on is None:
        return None
    years = rule_value_or_none("awareness_certificate_valid_years", on=c.certificate_on)
    return add_months(c.certificate_on, 12 * years) if years else None


def _share(key: str, day: date) -> tuple[int, int]:
    return rule_value_or_none(key, on=day) or (2, 3)


def _votes(c: Candidate, s: StepInput, key: str) -> tuple[int, int, bool]:
    """(in favour, official members, whether the share is reached); the official members are
    counted in the cell when not given."""
    errors = {}
    if s.votes_for is None:
        errors["votes_for"] = _("Enter the number of official members in favour.")
    total = s.votes_total
    if total is None:
        total = Member.objects.filter(org_path=c.org_path, status=Status.OFFICIAL).count()
    if total <= 0:
        errors["votes_total"] = _("Enter the number of official members of the cell.")
    if errors:
        raise ValidationError(errors)
    if s.votes_for < 0 or s.votes_for > total:
        raise ValidationError(
            {
                "votes_for": _(
                    "Votes in favour must be between 0 and %(n)d (the official members)."
                )
                % {"n": total}
            }
        )
    num, den = _share(key, s.date)
    return s.votes_for, total, s.votes_for * den >= num * total


def _vote_refused(key: str, day: date, votes_for: int, total: int) -> ValidationError:
    num, den = _share(key, day)
    needed = -(-num * total // den)
    return ValidationError(
        {
            "votes_for": _(
                "Not adopted: %(for)d of %(total)d official members in favour; at least "
                "%(num)d/%(den)d (%(needed)d) are needed. Record it as a vote without the "
                "majority."
            )
            % {"for": votes_for, "total": total, "num": num, "den": den, "needed": needed}
        }
    )


def _age_months(birth: date, day: date) -> int:
    months = (day.year - birth.year) * 12 + day.month - birth.month
    return months - (day.day < birth.day)


def _check_conditions(c: Candidate, s: StepInput) -> dict:
    """The conditions the cell checks when it considers the person (its resolution): age in
    months, education, the certificate still valid. Returns what the step records."""
    day, errors, details = s.date, {}, {}
    lo = rule_value_or_none("admission_min_age", on=day)
    hi = rule_value_or_none("admission_max_age", on=day)
    age = _age_months(c.birth_date, day)
    # The same window as a member's record (members.services.clean_record): from the day the
    # person turns `lo` to the day they turn `hi`.
    if lo is not None and day < add_months(c.birth_date, 12 * lo):
        errors["date"] = _(
            "%(name)s is %(y)d years %(m)d months old on %(d)s: the cell considers a person "
            "from %(n)d years of age."
        ) % {"name": c.full_name, "y": age // 12, "m": age % 12, "d": _fmt(day), "n": lo}
    elif hi is not None and day > add_months(c.birth_date, 12 * hi):
        if not s.over_age_decision:
            errors["over_age_decision"] = _(
                "%(name)s is over %(n)d on %(d)s: only the provincial committee may allow it, "
                "in the cases the guidance lists; enter its decision."
            ) % {"name": c.full_name, "n": hi, "d": _fmt(day)}
        else:
            details["over_age_decision"] = s.over_age_decision
    minimum = rule_value_or_none(
        "admission_min_education_hard_area"
        if c.hard_area and c.ethnicity != KINH
        else "admission_min_education",
        on=day,
    )
    if minimum and _EDUCATION_RANK.get(c.education, -1) < _EDUCATION_RANK[minimum]:
        errors["education"] = _(
            "%(name)s's education (%(has)s) is below the minimum (%(min)s)."
        ) % {
            "name": c.full_name,
            "has": EDUCATION_LEVELS.label(c.education),
            "min": EDUCATION_LEVELS.label(minimum),
        }
    until = certificate_valid_until(c)
    if until is not None and day > until:
        errors["certificate"] = _(
            "The awareness-class certificate %(no)s expired on %(d)s: the person attends the "
            "class again."
        ) % {"no": c.certificate_number, "d": _fmt(until)}
    if errors:
        raise ValidationError(errors)
    return details


def _check_introducers(c: Candidate, s: StepInput) -> dict:
    youth = c.youth_union == "yes"
    key = "introducers_required_youth_union" if youth else "introducers_required"
    needed = rule_value_or_none(key, on=s.date) or (1 if youth else 2)
    months = rule_value_or_none("introducer_months_together", on=s.date) or 12
    errors = {}
    people = list(s.introducers)
    ids = [i.member.pk for i in people]
    if len(set(ids)) != len(ids):
        errors["introducers"] = _("The same member cannot introduce the person twice.")
    elif len(people) < needed:
        if youth:
            errors["introducers"] = _(
                "A Youth Union member is introduced by the Youth Union's resolution and "
                "%(n)d official member."
            ) % {"n": needed}
        else:
            errors["introducers"] = _(
                "%(n)d official members must introduce the person; %(k)d given."
            ) % {"n": needed, "k": len(people)}
    if youth and not s.youth_union_resolution:
        errors["youth_union_resolution"] = _("Enter the number of the Youth Union's resolution.")
    for i in people:
        m = i.member
        official = m.status == Status.OFFICIAL and m.official_date and m.official_date <= s.date
        if not official:
            errors["introducers"] = _("%(name)s is not an official member on %(d)s.") % {
                "name": m.full_name,
                "d": _fmt(s.date),
            }
            break
        if i.since is None or add_months(i.since, months) > s.date:
            errors["introducers"] = _(
                "%(name)s must have worked, studied or lived with the person for at least "
                "%(n)d months on %(d)s."
            ) % {"name": m.full_name, "n": months, "d": _fmt(s.date)}
            break
    if errors:
        raise ValidationError(errors)
    return {
        "introducers": [
            {"member": i.member.pk, "name": i.member.full_name, "since": i.since.isoformat()}
            for i in people
        ],
        "youth_union_resolution": s.youth_union_resolution,
    }


def due_of(c: Candidate) -> tuple[date | None, str]:
    """The next date something is due on a case, and what: the admission decision (60
    working days from the cell's resolution), the ceremony (30 working days from receiving the
    decision), the review of the probation (30 working days after its 12 months), or, before
    the cell's resolution, the day the awareness certificate stops counting."""
    if c.stage in (Stage.CELL_RESOLVED, Stage.COMMITTEE_RESOLVED) and c.cell_resolution_on:
        n = rule_value_or_none("admission_decision_working_days", on=c.cell_resolution_on) or 60
        return add_working_days(c.cell_resolution_on, n), "decision"
    if c.stage == Stage.ADMITTED:
        start = c.received_on or c.decision_on
        n = rule_value_or_none("admission_ceremony_working_days", on=start) or 30
        return add_working_days(start, n), "ceremony"
    if c.stage == Stage.PROBATION and c.ceremony_on:
        end = probation_end(MemberState(admission_date=c.decision_on, ceremony_date=c.ceremony_on))
        n = rule_value_or_none("recognition_review_working_days", on=end) or 30
        return add_working_days(end, n), "recognition"
    if c.stage in (Stage.CLASS_PASSED, Stage.APPLIED, Stage.CV_VERIFIED, Stage.INTRODUCED):
        return certificate_valid_until(c), "certificate"
    return None, ""


def _check_order(c: Candidate, s: StepInput) -> None:
    if not c.is_open:
        raise ValidationError(
            {"step": _("This case is closed (%(stage)s).") % {"stage": c.get_stage_display()}}
        )
    if s.step == Step.WITHDRAWN:
        if c.stage not in BEFORE_ADMISSION:
            raise ValidationError(
                {
                    "step": _(
                        "After the admission decision the person is a member: their probation "
                        "ends in recognition or not."
                    )
                }
            )
        return
    if s.step == Step.VOTE_FAILED:
        if c.stage not in (Stage.INTRODUCED, Stage.PROBATION):
            raise ValidationError(
                {"step": _("A vote is held once the person is introduced, or after probation.")}
            )
        return
    allowed = {step for step, before, _after in ORDER if before == c.stage}
    if s.step not in allowed:
        nxt = ", ".join(str(Step(x).label) for x in sorted(allowed)) or "—"
        raise ValidationError(
            {
                "step": _("The case is at “%(stage)s”: the next step is “%(next)s”.")
                % {"stage": c.get_stage_display(), "next": nxt}
            }
        )


@transaction.atomic
def candidate_step(*, actor, candidate: Candidate, step: StepInput) -> Candidate:
    """Record one step on a case, by its rule (DOMAIN.md §3.3):

    - in order, one stage after the other, each dated on or after the last, none in the
      future; withdrawal (with its reason) at any stage before the decision;
    - the awareness class: the certificate's number (its validity: the rules registry);
    - introducers: official members (official on that day) who have been with the person for
      `introducer_months_together`; two, or one and the Youth Union's resolution for a Youth
      Union member; never the same member twice;
    - the cell's resolution: the age window in months on that day (over the limit only with
      the provincial committee's decision), the education minimum (lower for ethnic-minority
      people in hard areas), the certificate still valid, at least two thirds of the official
      members in favour — or, after `votes_before_referral` votes without it, the upper
      committee's decision;
    - the admission decision (the committee's number): the person becomes a probationary
      member (`admitted` event, decision date); a decision after its time limit is recorded
      as late;
    - the ceremony: within the working days allowed from receiving the decision, or with the
      upper committee's consent; the probation counts from it;
    - recognition: the cell's resolution not before the probation's 12 months end, the share
      of votes, the committee's decision (the `recognised` event, which takes effect on the
      12-month date); or not recognised (struck off the probationary list, with the reason).
    """
    # The system (the demo, the generator: no person) records as it is told; a person only
    # where the gate allows this step.
    actor_allowed = (
        actor is None
        or actor is SYSTEM
        or allows(
            actor,
            "admission.decide" if step.step in DECIDING_STEPS else "admission.manage",
            candidate,
        )
    )
    if not actor_allowed:
        raise ValidationError({"step": _("You may not record this step on this case.")})
    c = (
        # Locks the case only (PostgreSQL refuses to lock the nullable side of the member's
        # outer join).
        Candidate.objects.select_for_update(of=("self",))
        .select_related("organisation", "member")
        .get(pk=candidate.pk)
    )
    s = step
    if s.step not in Step.values or s.step == Step.IDENTIFIED:
        raise ValidationError({"step": _("Unknown step: %(s)s.") % {"s": s.step}})
    if s.date is None:
        raise ValidationError({"date": _("Enter the date.")})
    today = timezone.localdate()
    if s.date > today:
        raise ValidationError({"date": _("The date cannot be in the future.")})
    _check_order(c, s)
    # The last step's date (a vote without the majority leaves the stage and its date as
    # they were).
    last_day = c.steps.order_by("-seq").values_list("date", flat=True).first() or c.stage_on
    if s.date < last_day:
        raise ValidationError(
            {
                "date": _("The date cannot be before the case's last step (%(d)s).")
                % {"d": _fmt(last_day)}
            }
        )
    texts = _texts(
        document_number=s.document_number,
        issuer=s.issuer,
        note=s.note,
        certificate_number=s.certificate_number,
        youth_union_resolution=s.youth_union_resolution,
        over_age_decision=s.over_age_decision,
        consent_number=s.consent_number,
        decision_number=s.decision_number,
    )
    s = StepInput(**{**s.__dict__, **texts})
    details: dict = {}
    votes: tuple[int | None, int | None] = (None, None)
    before = {"stage": c.stage}
    new_stage = _LEADS_TO.get(s.step, c.stage)

    if s.step == Step.WITHDRAWN:
        if not s.note:
            raise ValidationError({"note": _("Say why the case is withdrawn or rejected.")})
        new_stage = Stage.WITHDRAWN
    elif s.step == Step.CLASS_PASSED:
        if not s.certificate_number:
            raise ValidationError(
                {"certificate_number": _("Enter the number of the awareness-class certificate.")}
            )
        # Its validity is judged when the cell considers the person (_check_conditions).
        c.certificate_number, c.certificate_on = s.certificate_number, s.date
        details["certificate_number"] = s.certificate_number
    elif s.step == Step.INTRODUCED:
        details = _check_introducers(c, s)
    elif s.step == Step.CELL_RESOLVED:
        details = _check_conditions(c, s)
        votes_for, total, reached = _votes(c, s, "admission_vote_share")
        if not reached:
            if not c.referred:
                raise _vote_refused("admission_vote_share", s.date, votes_for, total)
            if not s.document_number:
                raise ValidationError(
                    {
                        "document_number": _(
                            "After %(n)d votes without the majority the upper committee "
                            "decides: enter its decision."
                        )
                        % {"n": c.failed_votes}
                    }
                )
        votes = (votes_for, total)
        c.cell_resolution_on = s.date
    elif s.step == Step.VOTE_FAILED:
        key = "recognition_vote_share" if c.stage == Stage.PROBATION else "admission_vote_share"
        votes_for, total, reached = _votes(c, s, key)
        if reached:
            raise ValidationError(
                {"votes_for": _("This vote reached the required share: record the resolution.")}
            )
        votes = (votes_for, total)
        c.failed_votes += 1
        limit = rule_value_or_none("votes_before_referral", on=s.date) or 3
        if c.failed_votes >= limit:
            c.referred = True
            details["referred"] = True
    elif s.step == Step.COMMITTEE_RESOLVED:
        if not s.document_number:
            raise ValidationError(
                {"document_number": _("Enter the number of the committee's resolution.")}
            )
    elif s.step == Step.ADMITTED:
        details = _admit(actor, c, s)
    elif s.step == Step.CEREMONY:
        details = _ceremony(actor, c, s)
    elif s.step == Step.RECOGNISED:
        details, votes = _recognise(actor, c, s)
        c.referred, c.failed_votes = False, 0
    elif s.step == Step.NOT_RECOGNISED:
        if not s.note:
            raise ValidationError({"note": _("Say why the probationer is not recognised.")})
        member_event_record(
            actor=actor,
            member=c.member,
            type=EventType.STRUCK_OFF,
            date=s.date,
            decision_number=s.decision_number or s.document_number,
            issuer=s.issuer,
            note=s.note,
        )

    seq = (c.steps.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    CandidateStep.objects.create(
        candidate=c,
        seq=seq,
        step=s.step,
        date=s.date,
        document_number=s.document_number or s.decision_number,
        issuer=s.issuer,
        votes_for=votes[0],
        votes_total=votes[1],
        details=details,
        note=s.note,
        recorded_by_id=recorder_id(actor),
    )
    if s.step != Step.VOTE_FAILED:
        c.stage, c.stage_on = new_stage, s.date
    c.due_on, c.due_kind = due_of(c)
    c.save()
    audit_record(
        actor=actor,
        entry=_audit(f"candidate.{s.step}", c, before, {"stage": c.stage, "date": s.date}),
    )
    return c


def _admit(actor, c: Candidate, s: StepInput) -> dict:
    number = s.decision_number or s.document_number
    if not number:
        raise ValidationError({"decision_number": _("Enter the number of the admission decision.")})
    received = s.received_on or s.date
    if received < s.date:
        raise ValidationError(
            {"received_on": _("The cell cannot receive the decision before it was made.")}
        )
    details: dict = {"received_on": received.isoformat()}
    n = rule_value_or_none("admission_decision_working_days", on=c.cell_resolution_on) or 60
    limit = add_working_days(c.cell_resolution_on, n)
    if s.date > limit:
        details["late_since"] = limit.isoformat()
    over_age = bool(
        c.steps.filter(step=Step.CELL_RESOLVED, details__has_key="over_age_decision").exists()
    )
    data = {name: getattr(c, name) for name in PERSON_FIELDS}
    data.update(admission_date=s.date, ceremony_date=None, official_date=None)
    member = member_create(
        actor=actor,
        data=data,
        organisation=c.organisation,
        decision_number=number,
        decision_date=s.date,
        issuer=s.issuer,
        age_on=c.cell_resolution_on,
        over_age=over_age,
    )
    c.member = member
    c.decision_number, c.decision_on, c.received_on = number, s.date, received
    return details


def _ceremony(actor, c: Candidate, s: StepInput) -> dict:
    start = c.received_on or c.decision_on
    n = rule_value_or_none("admission_ceremony_working_days", on=start) or 30
    limit = add_working_days(start, n)
    details: dict = {}
    if s.date > limit:
        if not s.consent_number:
            raise ValidationError(
                {
                    "date": _(
                        "The ceremony is held within %(n)d working days of receiving the "
                        "decision (by %(d)s); later only with the upper committee's consent: "
                        "enter its document."
                    )
                    % {"n": n, "d": _fmt(limit)}
                }
            )
        details["consent_number"] = s.consent_number
    member_ceremony_record(actor=actor, member=c.member, on=s.date)
    c.ceremony_on = s.date
    return details


def _recognise(actor, c: Candidate, s: StepInput) -> tuple[dict, tuple]:
    member = Member.objects.get(pk=c.member_id)
    end = probation_end(
        MemberState(admission_date=member.admission_date, ceremony_date=member.ceremony_date)
    )
    if end is not None and s.date < end:
        raise ValidationError(
            {
                "date": _(
                    "The probation's 12 months end on %(d)s: the cell considers recognition "
                    "from then on."
                )
                % {"d": _fmt(end)}
            }
        )
    votes_for, total, reached = _votes(c, s, "recognition_vote_share")
    if not reached and not c.referred:
        raise _vote_refused("recognition_vote_share", s.date, votes_for, total)
    number = s.decision_number or s.document_number
    if not number:
        raise ValidationError(
            {"decision_number": _("Enter the number of the committee's recognition decision.")}
        )
    decided = s.decision_on or s.date
    if decided < s.date:
        raise ValidationError(
            {"decision_on": _("The committee decides after the cell's resolution.")}
        )
    if decided > timezone.localdate():
        raise ValidationError({"decision_on": _("The date cannot be in the future.")})
    details: dict = {
        "decision_on": decided.isoformat(),
        "effective": end.isoformat() if end else None,
    }
    n = rule_value_or_none("recognition_review_working_days", on=end or s.date) or 30
    if end is not None and s.date > add_working_days(end, n):
        details["review_late"] = True
    member_event_record(
        actor=actor,
        member=member,
        type=EventType.RECOGNISED,
        date=decided,
        decision_number=number,
        decision_date=decided,
        issuer=s.issuer,
    )
    return details, (votes_for, total)


# --- many cases at once (a national dataset, an import) -------------------------------------


@transaction.atomic
def candidates_create_bulk(*, actor, rows: list[dict]) -> int:
    """Put many cases on record as they stand, with their steps, in one transaction (all or
    nothing): each row holds the person's particulars (checked by the member record's rules),
    "organisation" (a party cell), "steps" [(step, date), ...] in order from `identified`,
    and, from the decision on, "member" (the member record the decision made). The stage and
    its dates follow from the steps; the next due date is computed (due_of). Errors name the
    row: {"row 3: field": …}. For data whose acts were checked where they were recorded."""
    today = timezone.localdate()
    made, steps_of, errors = [], [], {}
    for i, row in enumerate(rows, start=1):
        try:
            _check_cell(row.get("organisation"))
            cleaned = _stored(clean_person(row, today=today))
            steps = list(row.get("steps") or [])
            if not steps or steps[0][0] != Step.IDENTIFIED:
                raise ValidationError({"steps": _("A case starts with its identification.")})
            days = [d for _s, d in steps]
            if days != sorted(days) or days[-1] > today:
                raise ValidationError({"steps": _("The steps' dates are in order, none ahead.")})
        except ValidationError as exc:
            for field, msgs in field_errors(exc).items():
                errors[f"row {i}: {field}"] = msgs
            continue
        c = Candidate(**cleaned, name_folded=fold(cleaned["full_name"]), stage=Stage.IDENTIFIED)
        c.place_in(row["organisation"])
        c.proposed_by = row.get("proposed_by", Proposer.CELL)
        c.member = row.get("member")
        for step, day in steps:
            c.stage = _LEADS_TO.get(step, c.stage)
            c.stage_on = day
            if step == Step.CLASS_PASSED:
                c.certificate_on, c.certificate_number = day, row.get("certificate_number", "")
            elif step == Step.CELL_RESOLVED:
                c.cell_resolution_on = day
            elif step == Step.ADMITTED:
                c.decision_on = c.received_on = day
                c.decision_number = row.get("decision_number", "")
            elif step == Step.CEREMONY:
                c.ceremony_on = day
        c.due_on, c.due_kind = due_of(c)
        made.append(c)
        steps_of.append(steps)
    if errors:
        raise ValidationError(errors)
    Candidate.objects.bulk_create(made, batch_size=2000)
    recorder = recorder_id(actor)
    CandidateStep.objects.bulk_create(
        [
            CandidateStep(candidate=c, seq=n, step=step, date=day, recorded_by_id=recorder)
            for c, steps in zip(made, steps_of, strict=True)
            for n, (step, day) in enumerate(steps, start=1)
        ],
        batch_size=5000,
    )
    # Audited per organisation above the cells (a commune: the cases of a load come in
    # consecutive ids), as runs of ids: a row per case, or per cell — most cells have one case —
    # cost a national database 14 bytes a member.
    by_parent: dict[str, list[Candidate]] = {}
    for c in made:
        by_parent.setdefault(c.org_path[: -Organisation.steplen], []).append(c)
    parents = dict(Organisation.objects.filter(path__in=list(by_parent)).values_list("path", "pk"))
    audit_bulk(
        actor=actor,
        entries=[
            AuditEntry(
                action="candidate.create_bulk",
                object_type="organisation",
                object_id=parents.get(path),
                object_repr=str(len(cases)),
                org_path=path,
                after={"count": len(cases), "candidates": id_runs(c.pk for c in cases)},
            )
            for path, cases in by_parent.items()
        ],
    )
    return len(made)


# --- reorganisation -----------------------------------------------------------------------


def candidates_reassign(
    *,
    actor,
    source: Organisation,
    target: Organisation,
    on: date,
    ids: list[int] | None = None,
    decision_number: str = "",
) -> int:
    """A merge or split carries the open cases of a cell (those `ids`, or all) to the cell
    that continues it (core.registry.OrgBound.reassign); closed cases stay with the ended cell
    as its history. Returns how many moved."""
    if target.kind not in MEMBER_HOLDING_KINDS:
        return 0
    qs = Candidate.objects.filter(organisation=source, stage__in=OPEN)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    moved = list(qs.values_list("pk", flat=True))
    if moved:
        qs.update(organisation=target, org_path=target.path)
        audit_record(
            actor=actor,
            entry=AuditEntry(
                action="candidate.reassign",
                object_type="organisation",
                object_id=target.pk,
                object_repr=target.name,
                org_path=target.path,
                before={"organisation": source.pk},
                after={"candidates": id_runs(moved), "on": on, "decision": decision_number},
            ),
        )
    return len(moved)


# --- targets --------------------------------------------------------------------------------


@transaction.atomic
def target_set(
    *,
    actor,
    organisation: Organisation,
    term_start: date,
    term_end: date,
    total: int,
    ethnic_minority: int = 0,
    women: int = 0,
    youth: int = 0,
    by_year: dict[int, int] | None = None,
    by_organisation: dict[Organisation, int] | None = None,
    note: str = "",
) -> Target:
    """Set (or replace) a committee's target of new members for a term, with its sub-targets
    and its split by year or by child organisation. The parts never exceed the whole."""
    errors = {}
    if organisation.kind in MEMBER_HOLDING_KINDS:
        errors["organisation"] = _("A target is set by a committee, not a cell.")
    if term_start is None or term_end is None or term_end <= term_start:
        errors["term_end"] = _("The term ends after it starts.")
    if total is None or total <= 0:
        errors["total"] = _("The target is a number of new members above zero.")
    for name, value in (("ethnic_minority", ethnic_minority), ("women", women), ("youth", youth)):
        if value is None or value < 0:
            errors[name] = _("Enter zero or a positive number.")
        elif total and value > total:
            errors[name] = _("A sub-target cannot exceed the target (%(n)d).") % {"n": total}
    by_year = by_year or {}
    by_organisation = by_organisation or {}
    if by_year and not errors:
        outside = [y for y in by_year if not term_start.year <= y <= term_end.year]
        if outside:
            errors["by_year"] = _("Year %(y)d is outside the term.") % {"y": outside[0]}
        elif sum(by_year.values()) > total:
            errors["by_year"] = _("The years add up to more than the target.")
    if by_organisation and not errors:
        for child in by_organisation:
            parent = Organisation.objects.get_parent(child)
            if parent is None or parent.pk != organisation.pk:
                errors["by_organisation"] = _("%(org)s is not directly under %(parent)s.") % {
                    "org": child.name,
                    "parent": organisation.name,
                }
                break
        else:
            if sum(by_organisation.values()) > total:
                errors["by_organisation"] = _(
                    "The organisations' shares add up to more than the target."
                )
    if errors:
        raise ValidationError(errors)
    note = _texts(issuer=note)["issuer"]
    target, created = Target.objects.select_for_update().get_or_create(
        organisation=organisation,
        term_start=term_start,
        defaults=dict(term_end=term_end, total=total, org_path=organisation.path),
    )
    before = None if created else {"total": target.total, "term_end": target.term_end}
    target.term_end, target.total = term_end, total
    target.ethnic_minority, target.women, target.youth, target.note = (
        ethnic_minority,
        women,
        youth,
        note,
    )
    target.recorded_by_id = recorder_id(actor)
    target.save()
    target.parts.all().delete()
    TargetPart.objects.bulk_create(
        [TargetPart(target=target, year=y, count=n) for y, n in sorted(by_year.items())]
        + [TargetPart(target=target, organisation=o, count=n) for o, n in by_organisation.items()]
    )
    audit_record(
        actor=actor,
        entry=AuditEntry(
            action="target.set",
            object_type="target",
            object_id=target.pk,
            object_repr=f"{organisation.name} {term_start.year}–{term_end.year}",
            org_path=organisation.path,
            before=before,
            after={"total": total, "term_end": term_end},
        ),
    )
    return target
