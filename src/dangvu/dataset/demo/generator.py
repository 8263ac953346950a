"""`demo_load()`: build the whole demo in one transaction, through the services only.

Order of work (every write goes through a service, actor = the system):

1. the tree before 2025 (organisation_create);
2. per district, every member with their history up to 30/6/2025 in one members_create_bulk
   call (events, in-party periods, rollup counters and audit written in bulk);
3. the reorganisation of 1/7/2025 (organisation_create / merge / move / rename / dissolve);
4. the members admitted since (members_create_bulk, one call per district) and every later
   event one by one in date order (member_event_record);
5. the recent months, from 30/6/2026 to the day the demo is loaded (dataset.demo.recent):
   recognitions, courses completed, deaths, transfers in transit — what is due today;
6. the demo users (user_create, grant_create);
7. Quang Bình's cell committees and online classes of 2021–2022 (written before step 3, while
   its district committee organises them) and Đắk Glei's awareness classes of the recent
   weeks (dataset.demo.training);
8. Hà Giang's directive and Cà Mau's plan with their implementation (written before step 3) and
   Quảng Ngãi's recent plan to its communes (dataset.demo.documents);
9. the portal's articles about the three localities and readers' comments (dataset.demo.news);
10. a cell's member spreadsheet, checked and waiting to be written (dataset.demo.interchange);
11. who has read the demo member's particulars: views and an export with a reason
    (dataset.demo.reads).

Idempotent: when the Đắk Glei district committee already exists, nothing is written.
Deterministic: every random choice comes from random.Random seeded with fixed strings; the story
up to 30/6/2026 never depends on the day it runs, the recent months only on that day.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dangvu.core.db import refresh_planner_statistics
from dangvu.dataset.demo.admission import record_development_recent, record_development_story
from dangvu.dataset.demo.documents import record_document_history, record_recent_documents
from dangvu.dataset.demo.interchange import record_member_file
from dangvu.dataset.demo.meetings import record_meetings
from dangvu.dataset.demo.news import record_news
from dangvu.dataset.demo.people import Event, Person, generate_people
from dangvu.dataset.demo.places import Places
from dangvu.dataset.demo.reads import record_reads
from dangvu.dataset.demo.recent import record_recent_months
from dangvu.dataset.demo.reorganisation import plan_reorganisation, reorganise
from dangvu.dataset.demo.structure import ROOT, District, build_districts
from dangvu.dataset.demo.training import record_dak_glei_training, record_quang_binh_training
from dangvu.dataset.demo.tree import create_tree
from dangvu.dataset.demo.users import DEMO_USERS, create_users
from dangvu.members.models import Member, MemberPeriod, MembershipEvent
from dangvu.members.services import member_event_record, members_create_bulk
from dangvu.organisations.models import Organisation, OrganisationVersion

__all__ = ["DemoConflict", "DemoResult", "demo_load", "demo_loaded", "MARKER_CODE"]

# The demo is loaded when this organisation exists (Đắk Glei district committee).
MARKER_CODE = "H610"


class DemoConflict(Exception):
    """The database holds part of what the demo would create, but not the demo itself."""


@dataclass(frozen=True)
class DemoResult:
    created: bool
    seconds: float
    organisations: int
    members: int
    events: int


def demo_loaded() -> bool:
    return Organisation.objects.filter(code=MARKER_CODE).exists()


def _check_free() -> None:
    usernames = [u[0] for u in DEMO_USERS]
    taken = list(
        get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    if Organisation.objects.filter(code=ROOT["code"]).exists() or taken:
        what = f"users {', '.join(sorted(taken))}" if taken else f"organisation {ROOT['code']}"
        raise DemoConflict(
            f"The database already holds {what} but not the demo data; load the demo into an "
            f"empty database (dangvu migrate on a new DANGVU_DATA_DIR or DATABASE_URL)."
        )


def _history(events: list[Event]) -> list[dict]:
    return [
        {
            "type": e.type,
            "date": e.date,
            "organisation": e.unit.org if e.unit is not None else None,
            "initial_status": e.initial_status,
            "other_party": e.other_party,
            "decision_number": e.decision_number,
            "decision_date": e.date if e.decision_number else None,
            "issuer": e.issuer,
            "note": e.note,
        }
        for e in events
    ]


def _create_members(people: list[Person]) -> None:
    rows = []
    for p in people:
        row = p.record()
        row["organisation"] = p.entry.org
        row["history"] = _history(p.loaded_events)
        rows.append(row)
    if rows:
        for p, member in zip(people, members_create_bulk(actor=None, rows=rows), strict=True):
            p.member = member


def _record_later_events(people_by_district: list[list[Person]]) -> int:
    pending = [
        (e.date, d, i, e)
        for d, people in enumerate(people_by_district)
        for i, p in enumerate(people)
        for e in p.later_events
    ]
    pending.sort(key=lambda item: item[:3])
    for _day, d, i, e in pending:
        member_event_record(
            actor=None,
            member=people_by_district[d][i].member,
            type=e.type,
            date=e.date,
            organisation=e.unit.org if e.unit is not None else None,
            decision_number=e.decision_number,
            decision_date=e.date if e.decision_number else None,
            issuer=e.issuer,
            note=e.note,
        )
    return len(pending)


def demo_load(*, log: Callable[[str], None] | None = None) -> DemoResult:
    """Load the demo data unless it is already there. Raises DemoConflict on a database that
    holds part of it."""
    say = log or (lambda _message: None)
    started = time.monotonic()
    with transaction.atomic():
        if not demo_loaded():
            _check_free()
            _build(say)
            refresh_planner_statistics(
                Organisation, OrganisationVersion, Member, MembershipEvent, MemberPeriod
            )
            created = True
        else:
            created = False
    return DemoResult(
        created=created,
        seconds=time.monotonic() - started,
        organisations=Organisation.objects.count(),
        members=Member.objects.count(),
        events=MembershipEvent.objects.count(),
    )


def _build(say: Callable[[str], None]) -> None:
    places = Places()
    districts: list[District] = build_districts(places=places)
    plan = plan_reorganisation(places=places, districts=districts)
    cards: set[str] = set()
    people_by_district = [
        generate_people(district=d, places=places, cards=cards) for d in districts
    ]
    say("Organisation tree before 2025 …")
    orgs = create_tree(places=places, districts=districts)
    for district, people in zip(districts, people_by_district, strict=True):
        say(f"{district.name}: {len(people)} members with their histories …")
        _create_members([p for p in people if p.category != "new"])
    say("Quang Bình's cell committees and their online classes of 2021–2022 …")
    record_quang_binh_training()
    say("Hà Giang's Directive 12-CT/TU and Cà Mau's Plan 90-KH/TU with their implementation …")
    record_document_history()
    say("Reorganisation of 1/7/2025 …")
    reorganise(plan=plan, districts=districts, orgs=orgs)
    say("Admissions and events since the reorganisation …")
    for people in people_by_district:
        _create_members([p for p in people if p.category == "new"])
    _record_later_events(people_by_district)
    say("Member development: targets, positions, the cases up to 30/6/2026 …")
    record_development_story()
    say("The months since 30/6/2026 …")
    record_recent_months(timezone.localdate())
    say("Member development since: the cases of the recent months …")
    record_development_recent(timezone.localdate())
    say("Demo users …")
    create_users()
    say("Cell meetings of Quang Bình under Directive 12-CT/TU …")
    record_meetings(timezone.localdate())
    say("Awareness classes of the former Đắk Glei district …")
    record_dak_glei_training(timezone.localdate())
    say("Quảng Ngãi's plan to its communes, and the reports due …")
    record_recent_documents(timezone.localdate())
    say("The portal's articles and readers' comments …")
    record_news()
    say("A cell's member spreadsheet, checked and waiting to be written …")
    record_member_file()
    say("Who has read the demo member's particulars …")
    record_reads()
