"""The admission pipeline's rules (DOMAIN.md §3): every transition, every refusal, and the
member record, its events and the statistics agreeing at each step."""

from datetime import date

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.choices import Stage, Step
from dangvu.admission.models import Candidate, CandidateStep
from dangvu.admission.services import (
    Introducer,
    StepInput,
    candidate_create,
    candidate_step,
    due_of,
)
from dangvu.core.errors import ValidationError, field_errors
from dangvu.core.workdays import add_working_days
from dangvu.members.choices import EventType, Status
from dangvu.members.models import MembershipEvent
from dangvu.stats.consistency import consistency_check
from dangvu.stats.selectors import membership_figures
from dangvu.testing.factories import stored_rows, stored_rows_diff

PERSON = {
    "full_name": "Y Hoa",
    "birth_date": date(2000, 1, 15),
    "gender": "F",
    "ethnicity": "16",
    "education": "lower_secondary",
    "occupation": "farmer",
}


@pytest.fixture
def cell(tree, make_member):
    """cell1 with three official members (two of them the introducers)."""
    for _i in range(3):
        make_member(tree.cell1)
    return tree.cell1


def officials(cell):
    from dangvu.members.models import Member

    return list(Member.objects.filter(organisation=cell, status=Status.OFFICIAL).order_by("pk"))


def open_case(cell, **person) -> Candidate:
    return candidate_create(
        actor=SYSTEM, organisation=cell, data=PERSON | person, on=date(2024, 1, 10)
    )


def step(c, name, day, **kw) -> Candidate:
    return candidate_step(actor=SYSTEM, candidate=c, step=StepInput(step=name, date=day, **kw))


def to_introduced(cell, c, *, cert_day=date(2024, 3, 1)) -> Candidate:
    c = step(c, Step.CLASS_PASSED, cert_day, certificate_number="CN-001")
    c = step(c, Step.APPLIED, date(2024, 4, 1))
    c = step(c, Step.CV_VERIFIED, date(2024, 5, 2))
    a, b, _c = officials(cell)
    return step(
        c,
        Step.INTRODUCED,
        date(2024, 6, 3),
        introducers=(Introducer(a, date(2023, 1, 1)), Introducer(b, date(2022, 6, 1))),
    )


def to_admitted(cell, c) -> Candidate:
    c = to_introduced(cell, c)
    c = step(c, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    c = step(c, Step.COMMITTEE_RESOLVED, date(2024, 7, 1), document_number="15-NQ/ĐU")
    return step(c, Step.ADMITTED, date(2024, 8, 1), decision_number="123-QĐ/ĐU")


def refused(c, name, day, **kw) -> dict:
    before = stored_rows()
    with pytest.raises(ValidationError) as exc:
        step(c, name, day, **kw)
    assert stored_rows_diff(before, stored_rows()) == []
    return field_errors(exc.value)


def test_identified_to_recognised_member_events_and_figures_agree(cell):
    c = open_case(cell)
    assert c.stage == Stage.IDENTIFIED and c.due_on is None
    before = membership_figures(cell)["members"]["total"]
    c = to_introduced(cell, c)
    assert c.stage == Stage.INTRODUCED
    assert c.due_kind == "certificate" and c.due_on == date(2029, 3, 1)
    c = step(c, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    assert (c.due_on, c.due_kind) == (add_working_days(date(2024, 6, 20), 60), "decision")
    c = step(c, Step.COMMITTEE_RESOLVED, date(2024, 7, 1), document_number="15-NQ/ĐU")
    assert c.member is None and membership_figures(cell)["members"]["total"] == before
    c = step(c, Step.ADMITTED, date(2024, 8, 1), decision_number="123-QĐ/ĐU", issuer="Đảng ủy")
    m = c.member
    assert (m.status, m.admission_date, m.full_name, m.ethnicity) == (
        Status.PROBATIONARY,
        date(2024, 8, 1),
        "Y Hoa",
        "16",
    )
    events = list(MembershipEvent.objects.filter(member=m).values_list("type", "decision_number"))
    assert events == [(EventType.ADMITTED, "123-QĐ/ĐU")]
    assert membership_figures(cell)["members"]["total"] == before + 1
    assert (c.due_on, c.due_kind) == (add_working_days(date(2024, 8, 1), 30), "ceremony")
    c = step(c, Step.CEREMONY, date(2024, 8, 20))
    m.refresh_from_db()
    assert m.ceremony_date == date(2024, 8, 20) and c.stage == Stage.PROBATION
    assert (c.due_on, c.due_kind) == (add_working_days(date(2025, 8, 20), 30), "recognition")
    c = step(
        c,
        Step.RECOGNISED,
        date(2025, 8, 25),
        votes_for=3,
        votes_total=3,
        decision_number="200-QĐ/ĐU",
        decision_on=date(2025, 9, 3),
    )
    m.refresh_from_db()
    # Recognition takes effect on the 12-month date even though decided later.
    assert (m.status, m.official_date) == (Status.OFFICIAL, date(2025, 8, 20))
    assert c.stage == Stage.RECOGNISED and c.due_on is None
    types = list(MembershipEvent.objects.filter(member=m).order_by("seq").values_list("type"))
    assert types == [(EventType.ADMITTED,), (EventType.RECOGNISED,)]
    assert membership_figures(cell)["members"]["total"] == before + 1
    assert [s.step for s in CandidateStep.objects.filter(candidate=c)] == [
        Step.IDENTIFIED,
        Step.CLASS_PASSED,
        Step.APPLIED,
        Step.CV_VERIFIED,
        Step.INTRODUCED,
        Step.CELL_RESOLVED,
        Step.COMMITTEE_RESOLVED,
        Step.ADMITTED,
        Step.CEREMONY,
        Step.RECOGNISED,
    ]
    assert consistency_check() == []


def test_steps_in_order_only(cell):
    c = open_case(cell)
    errors = refused(c, Step.APPLIED, date(2024, 2, 1))
    assert "next step" in errors["step"][0] or "bước tiếp theo" in errors["step"][0]
    c = step(c, Step.CLASS_PASSED, date(2024, 3, 1), certificate_number="CN-9")
    assert "step" in refused(c, Step.CLASS_PASSED, date(2024, 3, 2), certificate_number="CN-9")
    assert "date" in refused(c, Step.APPLIED, date(2024, 2, 1))  # before the last step
    assert "date" in refused(c, Step.APPLIED, date(2099, 1, 1))  # in the future


def test_certificate_expired_at_the_cells_resolution(cell):
    c = candidate_create(actor=SYSTEM, organisation=cell, data=PERSON, on=date(2019, 1, 2))
    c = to_introduced(cell, c, cert_day=date(2019, 3, 1))
    errors = refused(c, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    assert "01/03/2024" in errors["certificate"][0]


def test_one_introducer_only_is_refused_unless_youth_union(cell):
    c = open_case(cell)
    c = step(c, Step.CLASS_PASSED, date(2024, 3, 1), certificate_number="CN-1")
    c = step(c, Step.APPLIED, date(2024, 4, 1))
    c = step(c, Step.CV_VERIFIED, date(2024, 5, 2))
    a, b, _c = officials(cell)
    one = (Introducer(a, date(2023, 1, 1)),)
    assert "introducers" in refused(c, Step.INTRODUCED, date(2024, 6, 3), introducers=one)
    twice = (Introducer(a, date(2023, 1, 1)), Introducer(a, date(2023, 1, 1)))
    assert "introducers" in refused(c, Step.INTRODUCED, date(2024, 6, 3), introducers=twice)
    recent = (Introducer(a, date(2023, 1, 1)), Introducer(b, date(2023, 9, 1)))
    errors = refused(c, Step.INTRODUCED, date(2024, 6, 3), introducers=recent)
    assert "12" in errors["introducers"][0]
    # A Youth Union member: one introducer and the Youth Union's resolution.
    y = open_case(cell, full_name="A Đoàn", youth_union="yes")
    y = step(y, Step.CLASS_PASSED, date(2024, 3, 1), certificate_number="CN-2")
    y = step(y, Step.APPLIED, date(2024, 4, 1))
    y = step(y, Step.CV_VERIFIED, date(2024, 5, 2))
    assert "youth_union_resolution" in refused(
        y, Step.INTRODUCED, date(2024, 6, 3), introducers=one
    )
    y = step(
        y, Step.INTRODUCED, date(2024, 6, 3), introducers=one, youth_union_resolution="5-NQ/ĐTN"
    )
    assert y.stage == Stage.INTRODUCED


def test_introducer_must_be_official(cell, make_member):
    p = make_member(cell, probationary=True, admission_date=date(2024, 1, 5))
    c = open_case(cell)
    c = step(c, Step.CLASS_PASSED, date(2024, 3, 1), certificate_number="CN-1")
    c = step(c, Step.APPLIED, date(2024, 4, 1))
    c = step(c, Step.CV_VERIFIED, date(2024, 5, 2))
    a = officials(cell)[0]
    pair = (Introducer(a, date(2023, 1, 1)), Introducer(p, date(2023, 1, 1)))
    errors = refused(c, Step.INTRODUCED, date(2024, 6, 3), introducers=pair)
    assert p.full_name in errors["introducers"][0]


def test_vote_below_two_thirds_is_refused_and_three_failed_votes_refer_upward(cell):
    c = to_introduced(cell, open_case(cell))
    errors = refused(c, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=1, votes_total=3)
    assert "2/3" in errors["votes_for"][0]
    # 2 of 3 is exactly two thirds: adopted (checked on a fresh case below).
    assert "votes_for" in refused(
        c, Step.VOTE_FAILED, date(2024, 6, 20), votes_for=2, votes_total=3
    )
    for day in (date(2024, 6, 20), date(2024, 7, 20), date(2024, 8, 20)):
        c = step(c, Step.VOTE_FAILED, day, votes_for=1, votes_total=3)
    assert c.failed_votes == 3 and c.referred and c.stage == Stage.INTRODUCED
    # Each act is dated on or after the last, a vote without the majority included.
    assert "date" in refused(c, Step.CELL_RESOLVED, date(2024, 8, 1), votes_for=3, votes_total=3)
    assert "document_number" in refused(
        c, Step.CELL_RESOLVED, date(2024, 9, 3), votes_for=1, votes_total=3
    )
    c = step(
        c, Step.CELL_RESOLVED, date(2024, 9, 3), votes_for=1, votes_total=3, document_number="7-QĐ"
    )
    assert c.stage == Stage.CELL_RESOLVED
    d = to_introduced(cell, open_case(cell, full_name="Y Đủ"))
    d = step(d, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=2, votes_total=3)
    assert d.stage == Stage.CELL_RESOLVED


def test_age_counted_in_months_on_the_cells_resolution(cell):
    # 18 years old on 15/07/2024: the resolution of 20/06/2024 is a month too early.
    young = to_introduced(cell, open_case(cell, birth_date=date(2006, 7, 15)))
    errors = refused(young, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    assert "17" in errors["date"][0]
    # Over 60 needs the provincial committee's decision, recorded with the step.
    old = to_introduced(cell, open_case(cell, full_name="Y Già", birth_date=date(1963, 1, 1)))
    errors = refused(old, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    assert "over_age_decision" in errors
    old = step(
        old,
        Step.CELL_RESOLVED,
        date(2024, 6, 20),
        votes_for=3,
        votes_total=3,
        over_age_decision="88-QĐ/TU",
    )
    old = step(old, Step.COMMITTEE_RESOLVED, date(2024, 7, 1), document_number="15-NQ/ĐU")
    old = step(old, Step.ADMITTED, date(2024, 8, 1), decision_number="124-QĐ/ĐU")
    assert old.member.status == Status.PROBATIONARY


def test_age_is_judged_on_the_resolution_not_the_decision(cell):
    # 59 years and 11 months on the cell's resolution, over 60 on the decision: admitted.
    c = to_introduced(cell, open_case(cell, birth_date=date(1964, 7, 1)))
    c = step(c, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    c = step(c, Step.COMMITTEE_RESOLVED, date(2024, 7, 1), document_number="15-NQ/ĐU")
    c = step(c, Step.ADMITTED, date(2024, 8, 1), decision_number="125-QĐ/ĐU")
    assert c.member.admission_date == date(2024, 8, 1)


def test_education_minimum_and_the_hard_area_exception(cell):
    c = to_introduced(cell, open_case(cell, education="primary"))
    errors = refused(c, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    assert "education" in errors
    # An ethnic-minority person in a hard area: primary education suffices.
    hard = candidate_create(
        actor=SYSTEM,
        organisation=cell,
        data=PERSON | {"full_name": "A Vùng Khó", "education": "primary"},
        on=date(2024, 1, 10),
        hard_area=True,
    )
    hard = to_introduced(cell, hard)
    hard = step(hard, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    assert hard.stage == Stage.CELL_RESOLVED
    # A Kinh person in the same area is held to the general minimum.
    kinh = candidate_create(
        actor=SYSTEM,
        organisation=cell,
        data=PERSON | {"full_name": "Lê Kinh", "education": "primary", "ethnicity": "01"},
        on=date(2024, 1, 10),
        hard_area=True,
    )
    kinh = to_introduced(cell, kinh)
    assert "education" in refused(
        kinh, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3
    )


def test_ceremony_within_thirty_working_days_of_receiving_the_decision(cell):
    c = to_admitted(cell, open_case(cell))
    limit = add_working_days(date(2024, 8, 1), 30)
    late = date(2024, 9, 20)
    assert late > limit
    errors = refused(c, Step.CEREMONY, late)
    assert limit.strftime("%d/%m/%Y") in errors["date"][0]
    c = step(c, Step.CEREMONY, late, consent_number="9-CV/HU")
    assert c.stage == Stage.PROBATION


def test_recognition_not_before_twelve_months_of_probation(cell):
    c = step(to_admitted(cell, open_case(cell)), Step.CEREMONY, date(2024, 8, 20))
    errors = refused(
        c, Step.RECOGNISED, date(2025, 8, 19), votes_for=3, votes_total=3, decision_number="1"
    )
    assert "20/08/2025" in errors["date"][0]
    assert "votes_for" in refused(
        c, Step.RECOGNISED, date(2025, 8, 25), votes_for=1, votes_total=3, decision_number="1"
    )


def test_not_recognised_strikes_off_the_probationary_list(cell):
    c = step(to_admitted(cell, open_case(cell)), Step.CEREMONY, date(2024, 8, 20))
    assert "note" in refused(c, Step.NOT_RECOGNISED, date(2025, 8, 25))
    c = step(c, Step.NOT_RECOGNISED, date(2025, 8, 25), note="Không đủ tư cách")
    c.member.refresh_from_db()
    assert c.member.status == Status.STRUCK_OFF and c.stage == Stage.NOT_RECOGNISED
    assert "step" in refused(c, Step.RECOGNISED, date(2025, 9, 1), votes_for=3, votes_total=3)
    assert consistency_check() == []


def test_withdrawal_before_the_decision_only_with_a_reason(cell):
    c = open_case(cell)
    assert "note" in refused(c, Step.WITHDRAWN, date(2024, 2, 1))
    c = step(c, Step.WITHDRAWN, date(2024, 2, 1), note="Chuyển đi nơi khác")
    assert c.stage == Stage.WITHDRAWN and not c.is_open
    d = to_admitted(cell, open_case(cell, full_name="Y Sau"))
    assert "step" in refused(d, Step.WITHDRAWN, date(2024, 8, 5), note="x")


def test_late_decision_is_recorded_as_late(cell):
    c = to_introduced(cell, open_case(cell))
    c = step(c, Step.CELL_RESOLVED, date(2024, 6, 20), votes_for=3, votes_total=3)
    c = step(c, Step.COMMITTEE_RESOLVED, date(2024, 7, 1), document_number="15-NQ/ĐU")
    c = step(c, Step.ADMITTED, date(2024, 11, 1), decision_number="126-QĐ/ĐU")
    last = c.steps.order_by("-seq").first()
    assert last.details["late_since"] == add_working_days(date(2024, 6, 20), 60).isoformat()
    assert due_of(c)[1] == "ceremony"


def test_candidate_particulars_follow_the_member_record_rules(tree, cell, make_member):
    before = stored_rows()
    with pytest.raises(ValidationError) as exc:
        candidate_create(
            actor=SYSTEM,
            organisation=cell,
            data=PERSON | {"ethnicity": "99", "birth_date": None},
            on=date(2024, 1, 10),
        )
    assert {"ethnicity", "birth_date"} <= set(field_errors(exc.value))
    m = make_member(cell, identity_number="079123456789")
    with pytest.raises(ValidationError) as exc:
        candidate_create(
            actor=SYSTEM,
            organisation=cell,
            data=PERSON | {"identity_number": m.identity_number},
        )
    assert "identity_number" in field_errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        candidate_create(actor=SYSTEM, organisation=tree.committee, data=PERSON)
    assert "organisation" in field_errors(exc.value)
    assert [d for d in stored_rows_diff(before, stored_rows()) if "Candidate" in d] == []


def test_particulars_are_corrected_before_the_decision_only(cell, users):
    from django.test import Client

    from dangvu.admission.services import candidate_update

    c = open_case(cell)
    client = Client()
    client.force_login(users.staff_kt)
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in PERSON.items()}
    r = client.post(
        f"/admission/{c.pk}/edit/",
        data
        | {
            "full_name": "Y Hoa Sửa",
            "religion": "00",
            "professional_level": "none",
            "theory_level": "none",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    c.refresh_from_db()
    assert (c.full_name, c.name_folded) == ("Y Hoa Sửa", "y hoa sua")
    c = to_admitted(cell, c)
    with pytest.raises(ValidationError):
        candidate_update(actor=SYSTEM, candidate=c, data={"full_name": "Khác"})
    assert client.get(f"/admission/{c.pk}/edit/").status_code == 404
    assert c.member.full_name == "Y Hoa Sửa"
