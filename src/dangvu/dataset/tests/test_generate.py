"""`dangvu generate`: the real 2025 map, members through the bulk services (events, periods,
counters, audit all consistent), deterministic, and resumable without duplicates."""

import random
from datetime import date, timedelta
from itertools import accumulate

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from dangvu.audit.models import AuditRecord
from dangvu.core.db import fetch, secondary_indexes
from dangvu.core.text import rotations
from dangvu.dataset import national
from dangvu.dataset.demo.names import draw
from dangvu.dataset.national import GenerateConflict, generate, indexes_pending
from dangvu.dataset.national.people import member_rows
from dangvu.dataset.national.plan import country_plan, rng_for, unit_branch
from dangvu.documents.models import Document
from dangvu.members.models import Member, MembershipEvent, NameKey
from dangvu.organisations.models import Organisation
from dangvu.stats.consistency import consistency_check
from dangvu.stats.models import SubtreeCounter

pytestmark = pytest.mark.django_db

N = 1500


def test_the_plan_is_the_real_map_and_adds_up():
    plan = country_plan(56_000, seed=3)
    assert len(plan) == 34
    communes = [u for p in plan for u in p.units if u.kind == "commune"]
    assert len(communes) == 3321
    assert sum(u.members for p in plan for u in p.units) == 56_000
    hcmc = next(p for p in plan if p.code == "79")
    assert hcmc.members == max(p.members for p in plan)
    assert country_plan(56_000, seed=3)[5].units[7] == plan[5].units[7]  # deterministic
    unit = max(communes, key=lambda u: u.members)
    specs, cells, kinds = unit_branch(unit, seed=3)
    assert sum(n for _c, n in cells) == unit.members
    assert all(1 <= n <= 150 for _c, n in cells)
    assert set(kinds) == {c for c, _n in cells}


def test_a_draw_is_the_draw_random_choices_makes():
    # Generated people must stay the same for a seed: `draw` replaces choices() in the load.
    population, weights = ["a", "b", "c", "d"], [45, 35, 15, 5]
    cum = list(accumulate(weights))
    ours, theirs = random.Random(7), random.Random(7)
    for _ in range(2000):
        assert draw(ours, population, cum) == theirs.choices(population, weights)[0]
    assert ours.random() == theirs.random()


def test_generate_a_small_country_then_resume_without_duplicates():
    result = generate(members=N, seed=7)
    assert (result.members, result.skipped_units) == (N, 0)
    assert Member.objects.count() == N
    assert Organisation.objects.filter(kind="province").count() == 34
    assert Organisation.objects.filter(kind="commune").count() == 3321
    in_party = Member.objects.filter(status__in=["official", "probationary"]).count()
    root = Organisation.objects.get(code="TW")
    assert SubtreeCounter.objects.get(organisation=root, dim="members", value="total").count == (
        in_party
    )
    assert 0.75 * N < in_party < N
    assert MembershipEvent.objects.count() > 1.5 * N
    names = set(Member.objects.values_list("name_folded", flat=True))
    keys = set(NameKey.objects.values_list("key", "name"))
    assert keys == {(k, n) for n in names for k in rotations(n)}
    assert AuditRecord.objects.filter(action="member.create_bulk").exists()
    kinh = Member.objects.filter(ethnicity="01").count() / N
    assert 0.7 < kinh < 0.95
    assert consistency_check() == []  # foreign key constraints included (PostgreSQL)
    # A year of evaluated cell meetings, attendance as the absences, supervision (issue 17).
    from django.db.models import Sum

    from dangvu.meetings.models import (
        Meeting,
        MeetingAbsence,
        MeetingEvaluation,
        MeetingMonth,
        SupervisionVisit,
    )
    from dangvu.meetings.services import quality_test

    meetings = Meeting.objects.filter(state="approved")
    assert meetings.count() > 10 * Organisation.objects.filter(kind="cell").count()
    assert MeetingEvaluation.objects.count() == meetings.count()
    sums = meetings.aggregate(c=Sum("convened"), p=Sum("present"), x=Sum("exempt_absent"))
    assert sums["c"] - sums["p"] + sums["x"] == MeetingAbsence.objects.count()
    assert 0.9 < sums["p"] / sums["c"] < 0.97
    assert SupervisionVisit.objects.filter(attended=True).exists()
    assert MeetingMonth.objects.filter(organisation=root).exists()
    sample = meetings.order_by("pk").first()
    level = MeetingEvaluation.objects.get(meeting=sample).level
    assert not (level == "good" and quality_test(sample))  # the 2018 test caps the level
    # The generator counts rosters without listing them: the counts are what the service's
    # rule makes of each meeting's roster (its cell's members admitted by then) and absences.
    from dangvu.meetings.services import RosterEntry, attendance_counts

    people: dict[int, list] = {}
    for row in Member.objects.values_list(
        "organisation_id", "pk", "admission_date", "official_date", "exempted"
    ):
        people.setdefault(row[0], []).append(row[1:])
    absent: dict[int, dict] = {}
    for meeting_id, member_id, kind in MeetingAbsence.objects.values_list(
        "meeting_id", "member_id", "kind"
    ):
        absent.setdefault(meeting_id, {})[member_id] = kind
    for m in meetings:
        roster = [
            RosterEntry(
                member_id=pk,
                full_name="",
                official=official is not None and official <= m.held_on,
                exempted=exempted,
                away=False,
            )
            for pk, admitted, official, exempted in people[m.organisation_id]
            if admitted is None or admitted <= m.held_on
        ]
        absences = absent.get(m.pk, {})
        assert set(absences) <= {e.member_id for e in roster}
        expected = attendance_counts(roster, absences, m.held_on)
        assert {k: getattr(m, k) for k in expected} == expected, m.pk

    _check_the_committees_and_classes(root)
    _check_the_documents(root)

    counts = (Member.objects.count(), MembershipEvent.objects.count(), Document.objects.count())
    again = generate(members=N, seed=7)
    assert again.skipped_units == again.units
    assert (
        Member.objects.count(),
        MembershipEvent.objects.count(),
        Document.objects.count(),
    ) == counts
    with pytest.raises(GenerateConflict):
        generate(members=N, seed=8)


def _check_the_committees_and_classes(root):
    """Issue 18: every cell's committee from its senior official members, and the year's
    classes of the provinces' political centres, as the training services record them."""
    from dangvu.accounts.scoping import SYSTEM
    from dangvu.admission.models import Candidate
    from dangvu.dataset.national.meetings import past_months
    from dangvu.dataset.national.training import SEAT_AGE, TERM_START
    from dangvu.members.models import Position
    from dangvu.training.models import Certificate, Enrolment, TrainingClass
    from dangvu.training.selectors import training_report

    seats = list(Position.objects.values_list("organisation_id", "kind", "member_id"))
    assert seats and all(kind != "standing_committee" for _o, kind, _m in seats)
    holders = Member.objects.in_bulk([m for _o, _k, m in seats])
    for org, _kind, member in seats:
        m = holders[member]
        assert (m.organisation_id, m.status, m.exempted) == (org, "official", False)
        assert m.official_date <= TERM_START
    secretaries = {(o, k) for o, k, _m in seats if k == "secretary"}
    assert len(secretaries) == len({o for o, _k, _m in seats})  # one each, where any seat
    eligible = set(
        Member.objects.filter(
            status="official",
            exempted=False,
            official_date__lte=TERM_START,
            birth_date__gt=TERM_START.replace(year=TERM_START.year - SEAT_AGE),
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    assert {o for o, _k in secretaries} == eligible  # every cell with someone to elect

    skills = TrainingClass.objects.filter(kind="cell_skills")
    assert skills.exists() and set(skills.values_list("state", "mode")) == {("finished", "online")}
    assert set(skills.values_list("organisation__kind", flat=True)) == {"province"}
    enrolled = set(
        Enrolment.objects.filter(training_class__kind="cell_skills").values_list(
            "member_id", flat=True
        )
    )
    assert enrolled == {m for _o, k, m in seats if k in ("secretary", "deputy_secretary")}
    assert not Enrolment.objects.exclude(status="enrolled").exists()  # nobody left waiting
    passed = Enrolment.objects.filter(result="passed")
    assert 0 < passed.count() < Enrolment.objects.filter(result__in=["passed", "failed"]).count()
    assert Certificate.objects.count() == passed.count()
    numbered: dict[tuple, list[int]] = {}
    for organiser, year, seq in Certificate.objects.values_list("organiser_id", "year", "seq"):
        numbered.setdefault((organiser, year), []).append(seq)
    for seqs in numbered.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))  # no gap in an organiser's year
    for c in TrainingClass.objects.filter(kind="awareness"):
        people = set(c.enrolments.values_list("candidate_id", flat=True))
        assert c.state == "open" and None not in people
        assert set(Candidate.objects.filter(pk__in=people).values_list("stage", flat=True)) == {
            "identified"
        }
    today = timezone.localdate()
    report = training_report(
        actor=SYSTEM, organisation=root, start=past_months(today)[0], end=today
    )
    assert (
        report.classes
        == TrainingClass.objects.filter(kind="cell_skills").count()
        + TrainingClass.objects.filter(kind="awareness", starts_on__lte=today).count()
    )
    assert report.passed == passed.count()


def _check_the_documents(root):
    """The Central Committee's guidance reaches every commune-level committee of the country,
    about six in ten reported; each province sent its first three documents to its communes,
    and each commune carries out the first by a plan of its own (issue 19)."""
    from dangvu.dataset.national.documents import NATIONAL_GUIDANCE, SENT_DOWN
    from dangvu.documents.models import Recipient
    from dangvu.documents.selectors import implementation_summary

    guidance = Document.objects.get(organisation=root, code=NATIONAL_GUIDANCE)
    communes = Organisation.objects.filter(kind="commune").count()
    s = implementation_summary(actor=_admin(), document=guidance, today=timezone.localdate())
    assert s.total == communes
    assert 0.5 * communes < s.reported < 0.7 * communes
    assert s.overdue == s.not_reported
    province_rows = Recipient.objects.exclude(document=guidance).count()
    assert province_rows == SENT_DOWN * communes
    plans = Document.objects.filter(organisation__kind="commune", kind="plan")
    assert plans.count() == communes
    assert not plans.filter(implements__isnull=True).exists()


def _admin():
    from dangvu.testing.factories import make_user

    return make_user("documents-admin", superuser=True)


def test_generate_refuses_a_database_with_other_data(tree):
    with pytest.raises(CommandError, match="empty database"):
        call_command("generate", members=N, quiet=True)


def test_workers_must_be_at_least_one(db):
    with pytest.raises(CommandError, match="--workers: at least 1"):
        call_command("generate", members=N, quiet=True, workers=0)


def test_workers_need_postgresql(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite refuses parallel loads")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("generate", members=N, quiet=True, workers=2)


def member_rows_of_first_unit(seed: int) -> list[dict]:
    """What generate writes for the plan's first unit, computed without a database."""
    p = country_plan(N, seed)[0]
    unit = p.units[0]
    _specs, cells, kinds = unit_branch(unit, seed)
    return member_rows(
        rng_for(seed, "people", unit.code),
        region=unit.region,
        province_code=unit.province_code,
        place=unit.place_name or p.full_name,
        cells=[(code, kinds[code], size) for code, size in cells],
        offset=unit.offset,
        today=timezone.localdate(),
    )


@pytest.fixture
def pooled():
    """Connections from a pool, as in production (settings.base): the workers must not
    inherit its sockets. A connection is closed under the setting it was opened with."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel loads are for PostgreSQL")
    options = connection.settings_dict["OPTIONS"]
    before = options.get("pool")
    connection.close()
    options["pool"] = {"min_size": 1}
    try:
        yield
    finally:
        connection.close()
        connection.close_pool()
        options["pool"] = before


@pytest.mark.django_db(transaction=True)
def test_two_workers_load_the_same_country_as_one(pooled):
    result = generate(members=N, seed=7, workers=2)
    assert (result.members, result.skipped_units) == (N, 0)
    assert Member.objects.count() == N
    assert Organisation.objects.filter(kind="commune").count() == 3321
    # Deterministic per unit, whichever process loaded it: the same people as seed 7 gives.
    rows = member_rows_of_first_unit(seed=7)
    stored = set(
        Member.objects.filter(
            party_card_number__in=[r["party_card_number"] for r in rows]
        ).values_list("party_card_number", "full_name")
    )
    assert stored == {(r["party_card_number"], r["full_name"]) for r in rows}
    assert consistency_check() == []
    again = generate(members=N, seed=7, workers=2)
    assert again.skipped_units == again.units
    assert Member.objects.count() == N


def test_a_load_builds_its_indexes_after_the_rows_even_when_stopped_half_way():
    before = secondary_indexes(*national._INDEXED_AFTER)
    assert {"member_name_folded", "members_mem_valid_f_f96564_idx"} <= {n for n, _d in before}
    # Never an index that keeps a rule: unique numbers stay checked while loading.
    assert not any("UNIQUE" in definition.upper() for _n, definition in before)
    generate(members=N, seed=7)
    assert secondary_indexes(*national._INDEXED_AFTER) == before
    assert indexes_pending() == []
    # A run killed during its load: the indexes are out, the audit log says which.
    national._indexes_out()
    assert secondary_indexes(*national._INDEXED_AFTER) == []
    assert indexes_pending() == before
    assert any("member_name_folded" in p for p in consistency_check())
    generate(members=N, seed=7)  # the same command again: nothing to load, indexes back
    assert secondary_indexes(*national._INDEXED_AFTER) == before
    assert consistency_check() == []


@pytest.mark.django_db(transaction=True)
def test_a_load_outside_a_transaction_leaves_the_connection_as_it_found_it():
    def pragmas():
        return fetch("PRAGMA foreign_keys")[0][0], fetch("PRAGMA cache_size")[0][0]

    before = pragmas() if connection.vendor == "sqlite" else None
    generate(members=N, seed=5)
    if connection.vendor == "sqlite":  # checks off and a large cache during the load only
        assert pragmas() == before == (1, before[1])
    assert consistency_check() == []
    assert indexes_pending() == []


def test_an_index_definition_is_placed_on_its_own_table_only():
    on_events = [
        "CREATE INDEX i ON public.members_membershipevent USING btree (date, type)",
        'CREATE INDEX "i" ON "members_membershipevent" ("date", "type")',
    ]
    on_members = "CREATE INDEX i ON public.members_member USING btree (name_folded)"
    assert all(national._on(d, MembershipEvent) for d in on_events)
    assert not any(national._on(d, Member) for d in on_events)  # a prefix of the events' table
    assert national._on(on_members, Member) and not national._on(on_members, MembershipEvent)


def test_work_beside_runs_with_the_block_and_its_error_is_raised_after():
    done = []

    def work():
        done.append("beside")
        raise ValueError("a row refers to nothing")

    with pytest.raises(ValueError, match="refers to nothing"), national._meanwhile(work):
        done.append("block")
    assert sorted(done) == ["beside", "block"]


def test_a_load_that_fails_gives_its_indexes_back(monkeypatch):
    before = secondary_indexes(*national._INDEXED_AFTER)

    def broken(*args, **kwargs):
        raise RuntimeError("the unit could not be written")

    monkeypatch.setattr(national, "_load_unit", broken)
    with pytest.raises(RuntimeError, match="could not be written"):
        generate(members=N, seed=7)
    assert secondary_indexes(*national._INDEXED_AFTER) == before
    assert indexes_pending() == []


def test_a_cells_drawn_attendance_counts_as_its_roster_would():
    # The generator draws absentees and counts without listing the roster: the counts must be
    # what the service's rule makes of the roster, exempted members included (the national
    # people have none yet).
    from types import SimpleNamespace

    from dangvu.dataset.national.meetings import _Cell
    from dangvu.meetings.services import RosterEntry, attendance_counts, attendance_figures

    rng = random.Random(5)
    start = date(2000, 1, 1)
    people = [
        SimpleNamespace(
            pk=i,
            admission_date=None if i % 17 == 0 else start + timedelta(days=rng.randrange(9000)),
            official_date=None,
            exempted=i % 5 == 0,
        )
        for i in range(1, 120)
    ]
    for p in people:
        if rng.random() < 0.8:
            p.official_date = (p.admission_date or start) + timedelta(days=365)
    cell = _Cell(people)
    exempt_absent = 0
    for n in range(300):
        day = start + timedelta(days=40 * n)
        drawn = cell.attendance(rng, day)
        roster = [
            RosterEntry(
                member_id=p.pk,
                full_name="",
                official=p.official_date is not None and p.official_date <= day,
                exempted=p.exempted,
                away=False,
            )
            for p in people
            if p.admission_date is None or p.admission_date <= day
        ]
        counted, absences = drawn
        assert set(absences) <= {e.member_id for e in roster}
        assert attendance_figures(counted, on=day) == attendance_counts(roster, absences, day)
        exempt_absent += counted.exempt_absent
    assert exempt_absent
