"""The deadlines dashboard, the home page's due work, targets, positions and the early warnings."""

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from dangvu.accounts.scoping import SYSTEM
from dangvu.admission.choices import Step
from dangvu.admission.selectors import admission_due, deadlines, development_warnings
from dangvu.admission.services import (
    Introducer,
    StepInput,
    candidate_create,
    candidate_step,
    target_set,
)
from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError, field_errors
from dangvu.members.choices import Status
from dangvu.members.models import Member, Position
from dangvu.members.services import (
    PositionInput,
    position_assign,
    position_end,
    positions_create_bulk,
)
from dangvu.testing.factories import make_user

PERSON = {
    "full_name": "A Thái",
    "birth_date": date(1999, 4, 2),
    "gender": "M",
    "ethnicity": "29",
    "education": "upper_secondary",
    "occupation": "farmer",
}


def _step(c, step, day, **kw):
    return candidate_step(actor=SYSTEM, candidate=c, step=StepInput(step=step, date=day, **kw))


def _resolved(cell, day: date, name="A Thái"):
    """A case whose cell resolution is dated `day`."""
    officials = list(Member.objects.filter(organisation=cell, status=Status.OFFICIAL)[:2])
    start = day - timedelta(days=200)
    c = candidate_create(
        actor=SYSTEM, organisation=cell, data=PERSON | {"full_name": name}, on=start
    )
    c = _step(c, Step.CLASS_PASSED, start + timedelta(days=10), certificate_number="1")
    c = _step(c, Step.APPLIED, start + timedelta(days=20))
    c = _step(c, Step.CV_VERIFIED, start + timedelta(days=30))
    c = _step(
        c,
        Step.INTRODUCED,
        start + timedelta(days=40),
        introducers=tuple(Introducer(m, date(2020, 1, 1)) for m in officials),
    )
    return _step(c, Step.CELL_RESOLVED, day, votes_for=3, votes_total=3)


@pytest.fixture
def cell(tree, make_member):
    for _i in range(3):
        make_member(tree.cell1)
    return tree.cell1


def test_deadlines_list_overdue_and_soon_cases(tree, cell, users):
    today = timezone.localdate()
    late = _resolved(cell, today - timedelta(days=120), "Y Trễ")
    soon = _resolved(cell, today - timedelta(days=70), "Y Sắp")
    _resolved(cell, today - timedelta(days=5), "Y Mới")
    assert late.due_on < today <= soon.due_on <= today + timedelta(days=30)
    board = deadlines(actor=users.staff_kt, org=tree.committee)
    assert board["overdue_total"] == 1 and board["soon_total"] == 1
    assert [r["candidate"].full_name for r in board["cases"]] == ["Y Trễ", "Y Sắp"]
    assert [r["overdue"] for r in board["cases"]] == [True, False]
    # The home page of the cell's secretary shows both; another cell's secretary neither.
    items = admission_due(users.sec1, today)
    assert [(i.level, i.count) for i in items] == [("overdue", 1), ("soon", 1)]
    assert admission_due(users.sec2, today) == []


def test_deadlines_are_behind_the_gate(tree, cell, users):
    from django.http import Http404

    with pytest.raises(Http404):
        deadlines(actor=users.staff_qn, org=tree.committee)


def test_a_target_refuses_parts_beyond_the_whole(tree):
    with pytest.raises(ValidationError) as exc:
        target_set(
            actor=SYSTEM,
            organisation=tree.district,
            term_start=date(2020, 8, 1),
            term_end=date(2025, 7, 31),
            total=10,
            women=11,
            by_year={2019: 2},
        )
    assert "women" in field_errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        target_set(
            actor=SYSTEM,
            organisation=tree.cell1,
            term_start=date(2020, 8, 1),
            term_end=date(2025, 7, 31),
            total=10,
        )
    assert "organisation" in field_errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        target_set(
            actor=SYSTEM,
            organisation=tree.district,
            term_start=date(2020, 8, 1),
            term_end=date(2025, 7, 31),
            total=10,
            by_organisation={tree.cell1: 3},
        )
    assert "by_organisation" in field_errors(exc.value)


def test_positions_pass_from_holder_to_holder(tree, cell):
    a, b, _c = Member.objects.filter(organisation=cell).order_by("pk")
    first = position_assign(
        actor=SYSTEM,
        organisation=cell,
        kind=Position.Kind.SECRETARY,
        member=a,
        valid_from=date(2020, 7, 1),
    )
    second = position_assign(
        actor=SYSTEM,
        organisation=cell,
        kind=Position.Kind.SECRETARY,
        member=b,
        valid_from=date(2025, 7, 1),
    )
    first.refresh_from_db()
    assert first.valid_to == date(2025, 7, 1) and second.valid_to is None
    with pytest.raises(ValidationError) as exc:
        position_assign(
            actor=SYSTEM,
            organisation=cell,
            kind=Position.Kind.SECRETARY,
            member=a,
            valid_from=date(2024, 1, 1),
        )
    assert "valid_from" in field_errors(exc.value)
    # Committee members: several at once, never the same person twice.
    position_assign(
        actor=SYSTEM,
        organisation=tree.committee,
        kind=Position.Kind.COMMITTEE_MEMBER,
        member=a,
        valid_from=date(2025, 7, 1),
    )
    with pytest.raises(ValidationError):
        position_assign(
            actor=SYSTEM,
            organisation=tree.committee,
            kind=Position.Kind.COMMITTEE_MEMBER,
            member=a,
            valid_from=date(2025, 8, 1),
        )
    position_end(actor=SYSTEM, position=second, on=date(2026, 1, 1))
    second.refresh_from_db()
    assert second.valid_to == date(2026, 1, 1)


def test_position_rules(tree, cell, make_member):
    other = make_member(tree.cell3)
    cases = [
        # A party position needs a member of the organisation.
        (dict(organisation=cell, kind="secretary", person_name="Y Ngoài"), "member"),
        (dict(organisation=cell, kind="secretary", member=other), "member"),
        # A cell has no standing committee; a village's head sits on a cell.
        (
            dict(
                organisation=cell,
                kind="standing_committee",
                member=Member.objects.filter(organisation=cell).first(),
            ),
            "kind",
        ),
        (dict(organisation=tree.committee, kind="village_head", person_name="A"), "organisation"),
        (dict(organisation=cell, kind="village_head"), "person_name"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            position_assign(actor=SYSTEM, valid_from=date(2025, 7, 1), **kwargs)
        assert field in field_errors(exc.value), kwargs


def test_positions_in_bulk_follow_the_same_rules_all_or_nothing(tree, cell, make_member):
    a, b, c = Member.objects.filter(organisation=cell).order_by("pk")
    other = make_member(tree.cell3)
    on = date(2025, 5, 15)

    def row(kind, member=None, org=cell, **kw):
        return PositionInput(organisation=org, kind=kind, valid_from=on, member=member, **kw)

    refused = [
        ([row("secretary", other)], "row 1: member"),  # not a member of the cell
        ([row("secretary", a), row("standing_committee", b)], "row 2: kind"),
        ([row("village_head", org=tree.committee, person_name="A")], "row 1: organisation"),
        ([row("secretary", a), row("secretary", b)], "row 2: kind"),  # one seat, named twice
        ([row("committee_member", c), row("committee_member", c)], "row 2: member"),
        ([row("secretary", a), row("deputy_secretary")], "row 2: member"),  # a party seat
        ([PositionInput(cell, "secretary", timezone.localdate() + timedelta(days=1), a)], None),
    ]
    for rows, field in refused:
        with pytest.raises(ValidationError) as exc:
            positions_create_bulk(actor=SYSTEM, rows=rows)
        assert field is None or field in field_errors(exc.value), (rows, field_errors(exc.value))
    assert not Position.objects.exists()  # nothing half-written
    with pytest.raises(ValidationError):
        positions_create_bulk(actor=make_user("officer"), rows=[row("secretary", a)])

    made = positions_create_bulk(
        actor=SYSTEM,
        rows=[row("secretary", a), row("deputy_secretary", b), row("committee_member", c)],
    )
    assert [(p.kind, p.member_id, p.org_path) for p in made] == [
        ("secretary", a.pk, cell.path),
        ("deputy_secretary", b.pk, cell.path),
        ("committee_member", c.pk, cell.path),
    ]
    assert AuditRecord.objects.filter(action="position.assign").count() == 3
    # A seat already held is not taken by a bulk row (position_assign ends a term; this does not).
    with pytest.raises(ValidationError) as exc:
        positions_create_bulk(actor=SYSTEM, rows=[row("secretary", c)])
    assert "row 1: kind" in field_errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        positions_create_bulk(actor=SYSTEM, rows=[row("committee_member", c)])
    assert "row 1: member" in field_errors(exc.value)


def _kinds(report, code):
    return {w["kind"] for w in report["warnings"] if w["code"] == code}


@override_settings(DANGVU_WARN_AVERAGE_AGE=55, DANGVU_WARN_NO_ADMISSION_YEARS=3)
def test_each_early_warning_names_the_cell_and_why(tree, make_member):
    today = timezone.localdate()
    # cell1: two official members, both old, admitted long ago: few, old, no admission.
    for _i in range(2):
        make_member(tree.cell1, birth_date=date(1950, 1, 1), admission_date=date(1990, 1, 1))
    # cell2: four young members, one admitted last year: no warning of those kinds.
    for i in range(4):
        make_member(
            tree.cell2,
            birth_date=date(1995, 1, 1),
            admission_date=date(today.year - 1, 1, 1) if i == 0 else date(2016, 1, 1),
            official_date=None if i == 0 else date(2017, 1, 1),
        )
    admin = make_user("warn-admin", superuser=True)
    report = development_warnings(actor=admin, org=tree.committee)
    assert _kinds(report, tree.cell1.code) == {"few_members", "old_members", "no_admission"}
    assert _kinds(report, tree.cell2.code) == set()
    why = {w["kind"]: w["why"] for w in report["warnings"] if w["code"] == tree.cell1.code}
    assert "2" in why["few_members"] and "1990" in why["no_admission"]
    # Villages: the secretary is not the village head; a head outside the party.
    secretary = Member.objects.filter(organisation=tree.cell2).order_by("pk")[1]
    other = Member.objects.filter(organisation=tree.cell2).order_by("pk")[2]
    for kind, kw in (
        ("secretary", {"member": secretary}),
        ("village_head", {"member": other}),
        ("women_union_head", {"person_name": "Y Phụ Nữ"}),
        ("youth_union_head", {"member": other}),
    ):
        position_assign(
            actor=SYSTEM, organisation=tree.cell2, kind=kind, valid_from=date(2025, 7, 1), **kw
        )
    report = development_warnings(actor=admin, org=tree.committee)
    assert _kinds(report, tree.cell2.code) == {"secretary_not_head"}
    shares = {s["kind"]: (s["holders"], s["members"]) for s in report["shares"]}
    assert shares == {
        "village_head": (1, 1),
        "women_union_head": (1, 0),
        "youth_union_head": (1, 1),
    }
    # The village head becomes the secretary: the warning goes.
    position_assign(
        actor=SYSTEM,
        organisation=tree.cell2,
        kind="secretary",
        member=other,
        valid_from=date(2025, 9, 1),
    )
    report = development_warnings(actor=admin, org=tree.committee)
    assert _kinds(report, tree.cell2.code) == set()


def test_a_merge_carries_the_open_cases_to_the_continuing_cell(tree, cell):
    from dangvu.admission.models import Candidate
    from dangvu.organisations.services import organisation_merge

    open_case = candidate_create(
        actor=SYSTEM, organisation=tree.cell2, data=PERSON, on=date(2024, 1, 10)
    )
    closed = candidate_create(
        actor=SYSTEM,
        organisation=tree.cell2,
        data=PERSON | {"full_name": "Y Rút"},
        on=date(2024, 1, 10),
    )
    _step(closed, Step.WITHDRAWN, date(2024, 2, 1), note="Chuyển đi")
    organisation_merge(actor=SYSTEM, sources=[tree.cell2], target=tree.cell1, on=date(2025, 7, 1))
    open_case = Candidate.objects.get(pk=open_case.pk)
    assert (open_case.organisation_id, open_case.org_path) == (tree.cell1.pk, tree.cell1.path)
    assert Candidate.objects.get(pk=closed.pk).organisation_id == tree.cell2.pk


def test_a_bulk_load_is_checked_row_by_row_and_audited(tree, cell):
    from dangvu.admission.models import Candidate
    from dangvu.admission.services import candidates_create_bulk
    from dangvu.audit.models import AuditRecord

    rows = [
        PERSON | {"organisation": cell, "steps": [(Step.IDENTIFIED, date(2024, 1, 2))]},
        PERSON
        | {
            "organisation": tree.cell2,
            "full_name": "Y Hai",
            "steps": [(Step.IDENTIFIED, date(2024, 1, 2)), (Step.CLASS_PASSED, date(2024, 3, 1))],
        },
    ]
    bad = [PERSON | {"organisation": cell, "ethnicity": "99", "steps": rows[0]["steps"]}]
    with pytest.raises(ValidationError) as exc:
        candidates_create_bulk(actor=SYSTEM, rows=rows + bad)
    assert "row 3: ethnicity" in field_errors(exc.value)
    assert not Candidate.objects.exists()
    assert candidates_create_bulk(actor=SYSTEM, rows=rows) == 2
    second = Candidate.objects.get(full_name="Y Hai")
    assert (second.stage, second.certificate_on) == ("class_passed", date(2024, 3, 1))
    assert second.due_on == date(2029, 3, 1) and second.steps.count() == 2
    (record,) = AuditRecord.objects.filter(action="candidate.create_bulk")
    assert record.org_path == tree.committee.path and record.after["count"] == 2
