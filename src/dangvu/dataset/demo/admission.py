"""The demo's member development (issue 16): Đăk Glei's term target, the cases Đăk Plô's
village cells are cultivating now, and the positions that the early warnings read.

Through the services (admission.services, members.services), actor = the system.
- Đăk Glei district committee, term 2020–2025 (to the district's end on 30/6/2025): 600 new
  members, above all from ethnic minorities. Progress is counted from the admission events the
  member histories already hold (about 630: the district did better than its target, as in
  2015–2020).
- Đăk Plô commune (formed on 1/7/2025 from three of Đăk Glei's communes), term 2025–2030: 80.
- About 30 cases in Đăk Plô's village cells, mostly Xơ Đăng, Giẻ Triêng and Ba Na, waiting at
  every stage of the pipeline, some of them overdue (a decision awaited for over 60 working
  days, a decision without its ceremony, a probation over 12 months without the review), one
  referred upward after three votes, one withdrawn, a certificate about to expire.
- Secretaries and village heads of the village cells, and the heads of the mass organisations,
  some of them not members.

Deterministic for a given run day: dates count back from it, choices come from a Random seeded
with fixed strings.
"""

import random
from datetime import date, timedelta

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.choices import Proposer, Step
from dangvu.admission.services import (
    Introducer,
    StepInput,
    candidate_create,
    candidate_step,
    target_set,
)
from dangvu.core.dates import add_months
from dangvu.dataset.demo.names import full_name
from dangvu.dataset.demo.people import LAST_DAY
from dangvu.members.choices import EventType, Status
from dangvu.members.models import Member, MembershipEvent, Position
from dangvu.members.services import member_event_record, position_assign
from dangvu.organisations.models import Organisation
from dangvu.organisations.services import organisation_create

__all__ = ["record_development_story", "record_development_recent", "DAK_GLEI_TARGET"]

DAK_GLEI = "H610"
DAK_PLO = "X23344"
DAK_GLEI_TARGET = 600
NEW_CELL_DAY = date(2025, 10, 1)

# (the last step reached, how many cases): the pipeline as a commune has it on a given day.
_CASES = [
    (None, 3),
    (Step.CLASS_PASSED, 3),
    (Step.APPLIED, 2),
    ("certificate_expiring", 1),
    (Step.CV_VERIFIED, 2),
    (Step.INTRODUCED, 2),
    ("referred", 1),
    (Step.CELL_RESOLVED, 1),
    ("decision_overdue", 1),
    (Step.COMMITTEE_RESOLVED, 1),
    (Step.ADMITTED, 1),
    ("ceremony_overdue", 1),
    (Step.CEREMONY, 1),
    ("recognition_due", 1),
    ("recognition_overdue", 1),
    (Step.RECOGNISED, 2),
    (Step.WITHDRAWN, 1),
]
_ETHNICITIES = [("16", 0.5), ("29", 0.3), ("12", 0.15), ("01", 0.05)]  # Xơ Đăng, Giẻ Triêng…


def _pick(rng: random.Random, table) -> str:
    return rng.choices([k for k, _w in table], weights=[w for _k, w in table])[0]


def _dak_plo_cells(dak_plo: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            path__startswith=dak_plo.path, kind="cell", valid_to__isnull=True, code__contains="-T"
        )
        .exclude(code=f"{dak_plo.code}-T99")
        .order_by("code")
    )


def record_development_story() -> int:
    """The part of the story up to LAST_DAY: the targets, a new village cell, the positions of
    1/7/2025 and the cases whose admission lies before LAST_DAY (their dates count back from
    it, so the story never depends on the day the demo runs). Returns how many cases."""
    dak_glei = Organisation.objects.filter(code=DAK_GLEI).first()
    dak_plo = Organisation.objects.filter(code=DAK_PLO).first()
    if dak_glei is None or dak_plo is None:
        return 0
    target_set(
        actor=SYSTEM,
        organisation=dak_glei,
        term_start=date(2020, 8, 1),
        term_end=date(2025, 6, 30),
        total=DAK_GLEI_TARGET,
        ethnic_minority=420,
        women=240,
        youth=300,
        by_year={2020: 50, 2021: 130, 2022: 130, 2023: 120, 2024: 120, 2025: 50},
        note="Nghị quyết Đại hội Đảng bộ huyện nhiệm kỳ 2020–2025",
    )
    target_set(
        actor=SYSTEM,
        organisation=dak_plo,
        term_start=date(2025, 7, 1),
        term_end=date(2030, 6, 30),
        total=80,
        ethnic_minority=60,
        women=30,
        youth=40,
        note="Nghị quyết Đại hội Đảng bộ xã nhiệm kỳ 2025–2030",
    )
    cells = _dak_plo_cells(dak_plo)
    _new_village_cell(dak_plo, cells[1])
    _positions(cells)
    return _cases(cells, LAST_DAY, story=True)


def record_development_recent(today: date) -> int:
    """The cases whose admission, if any, falls after LAST_DAY: dated back from `today`, so
    that what is due today is what a commune would have due. Returns how many cases."""
    dak_plo = Organisation.objects.filter(code=DAK_PLO).first()
    if dak_plo is None or today <= LAST_DAY:
        return 0
    return _cases(_dak_plo_cells(dak_plo), today, story=False)


# The cases whose admission lies well before the day they are dated from: part of the story
# (dated from LAST_DAY), so that the figures up to LAST_DAY never depend on the run day.
_STORY_CASES = frozenset({Step.CEREMONY, "recognition_due", "recognition_overdue", Step.RECOGNISED})


def _cases(cells: list[Organisation], anchor: date, *, story: bool) -> int:
    """Write the cases of _CASES that belong to this part, dated back from `anchor`."""
    count = written = 0
    rng = random.Random("dangvu-demo-development")
    for end, n in _CASES:
        for _i in range(n):
            # The secretary's own village first: its cases show on the secretary's home page.
            cell = cells[0] if count % 3 == 0 else cells[rng.randrange(len(cells))]
            count += 1
            if (end in _STORY_CASES) == story:
                _case(random.Random(f"dangvu-demo-case-{count}"), cell, end, anchor, count)
                written += 1
    return written


def _new_village_cell(commune: Organisation, neighbour: Organisation) -> None:
    """A village that had no party cell (a "thôn trắng") gets one: two members of the
    neighbouring village who live there move into it. Fewer than three official members and
    no admission yet: what the early warnings point at."""
    day = NEW_CELL_DAY
    cell = organisation_create(
        actor=SYSTEM,
        code=f"{commune.code}-T99",
        name="Chi bộ thôn Đăk Wất, xã Đăk Plô",
        kind="cell",
        parent=commune,
        valid_from=day,
    )
    moved = 0
    for m in Member.objects.filter(organisation=neighbour, status=Status.OFFICIAL).order_by(
        "-birth_date", "pk"
    ):
        if MembershipEvent.objects.filter(member=m, date__gt=day).exists():
            continue  # a later event of theirs is on the records: not one of the movers
        member_event_record(
            actor=SYSTEM,
            member=m,
            type=EventType.TRANSFERRED,
            date=day,
            organisation=cell,
            note="Chuyển sinh hoạt về chi bộ thôn mới thành lập",
        )
        moved += 1
        if moved == 2:
            break


def _officials(cell: Organisation, on: date) -> list[Member]:
    return list(
        Member.objects.filter(
            organisation=cell, status=Status.OFFICIAL, official_date__lte=on - timedelta(days=400)
        ).order_by("official_date", "pk")[:2]
    )


def _case(rng: random.Random, cell: Organisation, end, today: date, n: int) -> None:
    ethnicity = _pick(rng, _ETHNICITIES)
    gender = "F" if rng.random() < 0.45 else "M"
    age = rng.randint(19, 34)
    birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    hard = ethnicity != "01" and rng.random() < 0.2
    data = {
        "full_name": full_name(rng, ethnicity=ethnicity, gender=gender, birth_year=birth.year),
        "birth_date": birth,
        "gender": gender,
        "ethnicity": ethnicity,
        "religion": "00",
        "education": "primary" if hard else rng.choice(["lower_secondary", "upper_secondary"]),
        "occupation": rng.choice(["farmer", "farmer", "farmer", "enterprise", "village_staff"]),
        "youth_union": "yes" if age <= 30 and rng.random() < 0.5 else "",
    }
    steps = _schedule(end, today)
    c = candidate_create(
        actor=SYSTEM,
        organisation=cell,
        data=data,
        on=steps[0][1],
        proposed_by=rng.choice(
            [Proposer.CELL, Proposer.YOUTH_UNION, Proposer.WOMEN_UNION, Proposer.FARMERS_UNION]
        ),
        hard_area=hard,
    )
    introducers = _officials(cell, dict(steps).get(Step.INTRODUCED, today))
    for step, day in steps[1:]:
        kw: dict = {}
        if step == Step.CLASS_PASSED:
            kw["certificate_number"] = f"{day.year}/CN-{n + 101:04d}"
        elif step == Step.INTRODUCED:
            people = introducers[: 1 if data["youth_union"] == "yes" else 2]
            kw["introducers"] = tuple(Introducer(m, add_months(day, -24)) for m in people)
            kw["youth_union_resolution"] = f"{n + 3}-NQ/ĐTN" if data["youth_union"] == "yes" else ""
        elif step in (Step.CELL_RESOLVED, Step.RECOGNISED):
            kw["votes_for"] = None  # every official member in favour (set below)
            if step == Step.RECOGNISED:
                kw["decision_number"] = f"{n + 40}-QĐ/ĐU"
                kw["decision_on"] = min(today, day + timedelta(days=6))
        elif step == Step.VOTE_FAILED:
            kw["votes_for"] = 0
        elif step == Step.COMMITTEE_RESOLVED:
            kw["document_number"] = f"{n + 10}-NQ/ĐU"
        elif step == Step.ADMITTED:
            kw["decision_number"] = f"{n + 20}-QĐ/ĐU"
            kw["issuer"] = "Ban Thường vụ Đảng ủy xã Đăk Plô"
        elif step == Step.WITHDRAWN:
            kw["note"] = "Chuyển đi làm ăn xa, xin rút khỏi danh sách"
        if kw.get("votes_for", 1) is None or step == Step.VOTE_FAILED:
            total = Member.objects.filter(organisation=cell, status=Status.OFFICIAL).count()
            kw["votes_total"] = total
            if kw.get("votes_for") is None:
                kw["votes_for"] = total
        if step == Step.CELL_RESOLVED and c.referred:
            kw["document_number"] = f"{n + 5}-QĐ/ĐU"
        c = candidate_step(actor=SYSTEM, candidate=c, step=StepInput(step=step, date=day, **kw))


def _schedule(end, today: date) -> list[tuple[str, date]]:
    """The dates of a case's steps up to `end` (a step, or a named situation), counted back
    from today."""

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    full = [
        ("identified", 0),
        (Step.CLASS_PASSED, 90),
        (Step.APPLIED, 150),
        (Step.CV_VERIFIED, 210),
        (Step.INTRODUCED, 240),
        (Step.CELL_RESOLVED, 260),
        (Step.COMMITTEE_RESOLVED, 275),
        (Step.ADMITTED, 300),
        (Step.CEREMONY, 315),
        (Step.RECOGNISED, 0),
    ]
    # (the last step, days from the first step to today)
    plans = {
        None: (None, 20),
        Step.CLASS_PASSED: (Step.CLASS_PASSED, 200),
        Step.APPLIED: (Step.APPLIED, 260),
        Step.CV_VERIFIED: (Step.CV_VERIFIED, 240),
        Step.INTRODUCED: (Step.INTRODUCED, 250),
        Step.CELL_RESOLVED: (Step.CELL_RESOLVED, 270),
        "decision_overdue": (Step.CELL_RESOLVED, 260 + 110),
        Step.COMMITTEE_RESOLVED: (Step.COMMITTEE_RESOLVED, 290),
        Step.ADMITTED: (Step.ADMITTED, 310),
        "ceremony_overdue": (Step.ADMITTED, 300 + 65),
        Step.CEREMONY: (Step.CEREMONY, 315 + 150),
        "recognition_due": (Step.CEREMONY, 315 + 365 + 20),
        "recognition_overdue": (Step.CEREMONY, 315 + 365 + 75),
        Step.RECOGNISED: (Step.RECOGNISED, 315 + 365 + 60),
        Step.WITHDRAWN: (Step.APPLIED, 200),
        "referred": (Step.INTRODUCED, 330),
        "certificate_expiring": (Step.APPLIED, 5 * 365 + 30),
    }
    last, span = plans[end]
    start = ago(span)
    out: list[tuple[str, date]] = []
    for step, offset in full:
        if step == Step.RECOGNISED:
            out.append((step, add_months(out[-1][1], 12) + timedelta(days=9)))
        else:
            out.append((step, start + timedelta(days=offset)))
        if step == last or last is None:
            break
    if end == "certificate_expiring":
        # The class five years ago, less 20 days: the certificate stops counting soon.
        out[1] = (Step.CLASS_PASSED, add_months(today, -60) + timedelta(days=20))
        out[2] = (Step.APPLIED, ago(60))
    if end == "referred":
        out += [
            (Step.VOTE_FAILED, ago(60)),
            (Step.VOTE_FAILED, ago(40)),
            (Step.VOTE_FAILED, ago(20)),
        ]
    if end == Step.WITHDRAWN:
        out.append((Step.WITHDRAWN, ago(30)))
    return out


def _positions(cells: list[Organisation]) -> None:
    """A secretary for every village cell (its longest-serving official member); a village head
    who is the secretary in most villages, another member or someone outside the party in the
    others; the heads of the mass organisations, about half of them members."""
    start = date(2025, 7, 1)
    outsiders = random.Random("dangvu-demo-heads")
    for i, cell in enumerate(cells):
        members = list(
            Member.objects.filter(organisation=cell, status=Status.OFFICIAL).order_by(
                "official_date", "pk"
            )[:4]
        )
        if not members:
            continue
        secretary = members[0]
        position_assign(
            actor=SYSTEM,
            organisation=cell,
            kind=Position.Kind.SECRETARY,
            member=secretary,
            valid_from=start,
            decision_number=f"{i + 1}-QĐ/ĐU",
        )
        if i % 4 == 3:
            head = {
                "person_name": full_name(outsiders, ethnicity="16", gender="M", birth_year=1980)
            }
        elif i % 4 == 2 and len(members) > 1:
            head = {"member": members[1]}
        else:
            head = {"member": secretary}
        position_assign(
            actor=SYSTEM,
            organisation=cell,
            kind=Position.Kind.VILLAGE_HEAD,
            valid_from=start,
            **head,
        )
        for k, kind in enumerate(
            (
                Position.Kind.YOUTH_UNION_HEAD,
                Position.Kind.WOMEN_UNION_HEAD,
                Position.Kind.FARMERS_UNION_HEAD,
            )
        ):
            member = members[-1] if (i + k) % 2 == 0 and len(members) > 2 else None
            gender = "F" if kind == Position.Kind.WOMEN_UNION_HEAD else "M"
            position_assign(
                actor=SYSTEM,
                organisation=cell,
                kind=kind,
                valid_from=start,
                member=member,
                person_name=""
                if member
                else full_name(outsiders, ethnicity="16", gender=gender, birth_year=1990),
            )
