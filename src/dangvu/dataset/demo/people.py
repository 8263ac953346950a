"""Generated party members and their histories (pure Python, no database).

Every cell has a planned number of members in the party on the reference day, 20/6/2022 (its
`size`). Around them the generator adds the people who make the history:

- category "A": in the party on 20/6/2022 in that cell. Admitted over the decades (or, when
  admitted before the district existed, transferred in on its founding day), recognised 12
  months after the ceremony, sometimes transferred between cells before that day; afterwards
  some are exempted (the elderly), transferred, die, are struck off or leave.
- "pre": admitted long ago and gone before 20/6/2022 (died, struck off, expelled, left).
- "after": admitted between 21/6/2022 and 30/6/2025 (the 2020-2025 term's recruitment drive).
- "new": admitted after the reorganisation (1/7/2025 - 30/6/2026) into a cell that still exists.

For a district with exact targets (Đắk Glei: DOMAIN.md §0) the attributes of the "A" people are
engineered, not left to luck: exactly `minority` of them are given a non-Kinh ethnicity,
`women` are women and `religious` have a religion, each drawn by weighted sampling without
replacement (weights = how likely that attribute is in the person's cell), so the totals are
exact and the distribution over cells stays plausible.

All randomness comes from `random.Random` seeded by the district code: the same data every run.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from dangvu.core.dates import add_months
from dangvu.dataset.demo.names import full_name
from dangvu.dataset.demo.places import Places
from dangvu.dataset.demo.structure import KINH, District, Unit
from dangvu.dataset.particulars import particulars
from dangvu.members.choices import EventType, Status

__all__ = [
    "REFERENCE_DAY",
    "REORGANISATION_DAY",
    "LAST_DAY",
    "Event",
    "Person",
    "generate_people",
]

REFERENCE_DAY = date(2022, 6, 20)
REORGANISATION_DAY = date(2025, 7, 1)
LAST_DAY = date(2026, 6, 30)
# The age the oldest living members reach (a few dozen nationally are in their late nineties):
# the demo's people die in the year they reach it at the latest.
OLDEST = 97

_DECISION_EVENTS = {
    EventType.ADMITTED,
    EventType.RECOGNISED,
    EventType.STRUCK_OFF,
    EventType.EXPELLED,
}
_EXITS = {EventType.DIED, EventType.STRUCK_OFF, EventType.EXPELLED, EventType.LEFT}
_NOTES = {
    EventType.DIED: "Từ trần",
    EventType.LEFT: "Xin ra khỏi Đảng",
    EventType.EXEMPTED: "Miễn công tác và sinh hoạt đảng (tuổi cao, sức khỏe yếu)",
    EventType.EXEMPTION_ENDED: "Trở lại sinh hoạt đảng",
    EventType.TRANSFERRED: "Chuyển sinh hoạt đảng chính thức",
    EventType.STRUCK_OFF: "Xóa tên trong danh sách đảng viên",
    EventType.EXPELLED: "Khai trừ ra khỏi Đảng",
}

# Women's share by kind of cell (before the district factor).
_WOMEN = {
    "village": 0.30,
    "town": 0.40,
    "commune_office": 0.35,
    "commune_military": 0.04,
    "commune_police": 0.10,
    "commune_school": 0.62,
    "party_agency": 0.45,
    "state_agency": 0.40,
    "public_service": 0.45,
    "school": 0.62,
    "health": 0.58,
    "army": 0.04,
    "police": 0.12,
    "enterprise": 0.25,
    "bank": 0.50,
}
_OCCUPATION = {
    "commune_office": "commune_official",
    "commune_military": "commune_official",
    "commune_police": "armed_forces",
    "commune_school": "public_employee",
    "party_agency": "party_official",
    "state_agency": "state_official",
    "public_service": "public_employee",
    "school": "public_employee",
    "health": "public_employee",
    "army": "armed_forces",
    "police": "armed_forces",
    "enterprise": "enterprise",
    "bank": "enterprise",
}
_RESIDENT_OCCUPATION = {
    "village": [
        ("farmer", 62),
        ("village_staff", 18),
        ("other", 10),
        ("enterprise", 4),
        ("public_employee", 6),
    ],
    "town": [
        ("other", 25),
        ("enterprise", 20),
        ("farmer", 15),
        ("village_staff", 15),
        ("public_employee", 12),
        ("state_official", 5),
        ("non_public_employee", 8),
    ],
}
_PROFESSIONAL = {
    "village": [
        ("none", 65),
        ("elementary", 20),
        ("intermediate", 10),
        ("college", 3),
        ("university", 2),
    ],
    "town": [
        ("none", 35),
        ("elementary", 20),
        ("intermediate", 20),
        ("college", 10),
        ("university", 15),
    ],
    "commune_office": [
        ("elementary", 5),
        ("intermediate", 35),
        ("college", 10),
        ("university", 50),
    ],
    "commune_military": [("elementary", 30), ("intermediate", 50), ("university", 20)],
    "commune_police": [("intermediate", 50), ("university", 50)],
    "commune_school": [("college", 25), ("university", 72), ("master", 3)],
    "party_agency": [("intermediate", 8), ("college", 5), ("university", 75), ("master", 12)],
    "state_agency": [("intermediate", 8), ("college", 5), ("university", 75), ("master", 12)],
    "public_service": [("intermediate", 20), ("college", 15), ("university", 60), ("master", 5)],
    "school": [("college", 20), ("university", 75), ("master", 5)],
    "health": [("intermediate", 35), ("college", 15), ("university", 44), ("master", 6)],
    "army": [("intermediate", 40), ("college", 10), ("university", 50)],
    "police": [("intermediate", 40), ("college", 10), ("university", 50)],
    "enterprise": [("elementary", 25), ("intermediate", 30), ("college", 15), ("university", 30)],
    "bank": [("college", 10), ("university", 80), ("master", 10)],
}
_THEORY = {
    "village": [("none", 25), ("elementary", 70), ("intermediate", 5)],
    "town": [("none", 20), ("elementary", 70), ("intermediate", 10)],
    "commune_office": [("elementary", 35), ("intermediate", 60), ("advanced", 5)],
    "army": [("elementary", 30), ("intermediate", 60), ("advanced", 10)],
    "police": [("elementary", 30), ("intermediate", 60), ("advanced", 10)],
    "enterprise": [("elementary", 80), ("intermediate", 20)],
    "bank": [("elementary", 70), ("intermediate", 30)],
    "*": [("elementary", 45), ("intermediate", 45), ("advanced", 10)],
}
# Leaving before 20/6/2022: (how, weight) for residential and working cells.
_PRE_EXITS = {
    False: [
        (EventType.DIED, 82),
        (EventType.STRUCK_OFF, 12),
        (EventType.EXPELLED, 3),
        (EventType.LEFT, 3),
    ],
    True: [
        (EventType.DIED, 35),
        (EventType.STRUCK_OFF, 40),
        (EventType.EXPELLED, 10),
        (EventType.LEFT, 15),
    ],
}
# Extra people per member on 20/6/2022: gone before, admitted 2022-2025, admitted since 2025.
_RATES = {
    "village": (0.14, 0.14, 0.03),
    "town": (0.12, 0.10, 0.02),
    "commune_office": (0.04, 0.10, 0.0),
    "commune_military": (0.04, 0.10, 0.0),
    "commune_police": (0.04, 0.10, 0.0),
    "*": (0.03, 0.07, 0.015),
}


@dataclass
class Event:
    type: str
    date: date
    unit: Unit | None = None  # the receiving cell (admitted, transferred_in, transferred)
    other_party: str = ""
    initial_status: str | None = None
    decision_number: str = ""
    issuer: str = ""
    note: str = ""
    cell: Unit | None = None  # the member's cell after the event (decision issuer)


@dataclass(eq=False)
class Person:
    category: str  # A / pre / after / new
    unit: Unit  # the cell on the reference day (A), or of entry
    entry: Unit
    birth_date: date
    admission_date: date
    ceremony_date: date
    official_date: date | None  # the end of probation, when recognised (or brought in)
    events: list[Event] = field(default_factory=list)
    gender: str = "M"
    ethnicity: str = KINH
    religion: str = "00"
    full_name: str = ""
    hometown: str = ""
    education: str = "upper_secondary"
    professional_level: str = "none"
    theory_level: str = "none"
    occupation: str = "other"
    party_card_number: str | None = None
    member: object = None  # the Member, once created

    def events_before(self, day: date) -> list[Event]:
        return [e for e in self.events if e.date < day]

    def events_from(self, day: date) -> list[Event]:
        return [e for e in self.events if e.date >= day]

    @property
    def loaded_events(self) -> list[Event]:
        """The events written with the member by members_create_bulk (the rest are recorded one
        by one after the reorganisation)."""
        return self.events if self.category == "new" else self.events_before(REORGANISATION_DAY)

    @property
    def later_events(self) -> list[Event]:
        return [] if self.category == "new" else self.events_from(REORGANISATION_DAY)

    def record(self) -> dict:
        """The record fields of members_create_bulk (dates as the events leave them)."""
        official = None
        if any(
            e.type in (EventType.RECOGNISED, EventType.TRANSFERRED_IN) for e in self.loaded_events
        ):
            official = self.official_date
        return {
            "full_name": self.full_name,
            "birth_date": self.birth_date,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "religion": self.religion,
            "hometown": self.hometown,
            "education": self.education,
            "professional_level": self.professional_level,
            "theory_level": self.theory_level,
            "occupation": self.occupation,
            **particulars(
                f"{self.full_name}|{self.birth_date}|{self.hometown}",
                self.birth_date,
                self.occupation,
                self.professional_level,
                timezone.localdate(),
            ),
            "party_card_number": self.party_card_number,
            "admission_date": self.admission_date,
            "ceremony_date": self.ceremony_date,
            "official_date": official,
        }


# --- small helpers -----------------------------------------------------------------------------


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _years(day: date, years: float) -> date:
    return add_months(day, round(years * 12))


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _pick(rng: random.Random, table) -> str:
    names, weights = zip(*(table.items() if isinstance(table, dict) else table), strict=True)
    return rng.choices(names, weights=weights)[0]


def _weighted_sample(rng: random.Random, weights: list[float], k: int) -> set[int]:
    """Exactly k indices, drawn without replacement with probability growing with the weight
    (Efraimidis & Spirakis: key = u^(1/w), keep the k largest keys)."""
    keys = []
    for i, w in enumerate(weights):
        u = rng.random()
        keys.append((u ** (1.0 / w) if w > 0 else 0.0, i))
    keys.sort(reverse=True)
    return {i for _key, i in keys[:k]}


def _admission_age(rng: random.Random, working: bool) -> float:
    bands = (
        [(18.3, 22, 8), (22, 30, 60), (30, 40, 27), (40, 50, 5)]
        if working
        else [(18.3, 22, 15), (22, 30, 45), (30, 40, 28), (40, 55, 12)]
    )
    lo, hi, _w = rng.choices(bands, weights=[b[2] for b in bands])[0]
    return rng.uniform(lo, hi)


def _birth_for(rng: random.Random, admitted: date, age: float) -> date:
    birth = admitted - timedelta(days=round(age * 365.25))
    # Never closer than 18 years and a month to the admission (the rule counts months).
    return min(birth, add_months(admitted, -217))


def _death_day(rng: random.Random, birth: date, start: date, end: date) -> date | None:
    """A death day in [start, end] drawn year by year from an age-dependent hazard, or None."""
    day = start
    while day <= end:
        age = _age(birth, day)
        hazard = (
            0.001
            if age < 40
            else 0.002
            if age < 50
            else 0.005
            if age < 60
            else 0.012
            if age < 70
            else 0.035
            if age < 80
            else 0.09
            if age < 90
            else 0.2
        )
        if age >= OLDEST:
            # Nobody lives in the party past the oldest living members' age.
            return _day(rng, day, min(end, day + timedelta(days=364)))
        window_end = min(end, day + timedelta(days=364))
        fraction = ((window_end - day).days + 1) / 365
        if rng.random() < hazard * fraction:
            return _day(rng, day, window_end)
        day = window_end + timedelta(days=1)
    return None


def _region(province_code: str) -> str:
    """North up to Quảng Bình (official codes 01-44), Centre and Highlands to Lâm Đồng (45-68),
    South beyond: decides Hoàng/Huỳnh and Vũ/Võ in Kinh names."""
    code = int(province_code)
    return "north" if code <= 44 else "central" if code <= 68 else "south"


def _clear_of_reorganisation(day: date) -> date:
    """The reorganisation day belongs to the reorganisation: a personal event moves a day on."""
    return day + timedelta(days=1) if day == REORGANISATION_DAY else day


# --- per-district generation -------------------------------------------------------------------


class _Generator:
    def __init__(self, *, district: District, places: Places):
        self.d = district
        self.places = places
        self.rng = random.Random(f"dangvu-demo-people-{district.code}")
        self.units = district.units
        self.founded = district.valid_from
        self.residential = [u for u in self.units if not u.working]
        self.working = [u for u in self.units if u.working]
        after: list[Unit] = []
        for u in self.units:
            if u.current not in after:
                after.append(u.current)
        self.after_reorganisation = after

    # timelines

    def _person(self, category: str, unit: Unit, admitted: date, birth: date) -> Person:
        ceremony = admitted + timedelta(days=self.rng.randint(3, 25))
        return Person(
            category=category,
            unit=unit,
            entry=unit,
            birth_date=birth,
            admission_date=admitted,
            ceremony_date=ceremony,
            official_date=add_months(ceremony, 12),
        )

    def _admit(self, p: Person, unit: Unit) -> date:
        """Append the entry events into `unit`; returns the date of the last one.

        Admitted before the district existed: brought in, already official, on its founding day.
        Otherwise admitted, then recognised a few weeks after the 12 months of probation.
        """
        if p.admission_date < self.founded:
            p.events.append(
                Event(
                    EventType.TRANSFERRED_IN,
                    self.founded,
                    unit=unit,
                    initial_status=Status.OFFICIAL,
                    other_party=self.d.founding_from,
                    note=self.d.founding_note,
                )
            )
            return self.founded
        p.events.append(Event(EventType.ADMITTED, p.admission_date, unit=unit))
        recognition = _clear_of_reorganisation(
            p.official_date + timedelta(days=self.rng.randint(3, 40))
        )
        p.events.append(Event(EventType.RECOGNISED, recognition))
        return recognition

    def _eras(self, working: bool) -> list[tuple[date, date, float]]:
        """Admission periods of the members of 20/6/2022, with their weights."""
        eras = (
            [
                (date(1975, 1, 1), 0.04),
                (self.founded, 0.10),
                (date(2001, 1, 1), 0.24),
                (date(2010, 7, 1), 0.22),
                (date(2015, 7, 1), 0.27),
                (date(2020, 7, 1), 0.13),
            ]
            if working
            else [
                (date(1950, 1, 1), 0.15),
                (self.founded, 0.12),
                (date(2001, 1, 1), 0.17),
                (date(2010, 7, 1), 0.21),
                (date(2015, 7, 1), 0.24),
                (date(2020, 7, 1), 0.11),
            ]
        )
        result = []
        for i, (start, weight) in enumerate(eras):
            if i == 0:
                end = add_months(self.founded, -14)
            elif i + 1 < len(eras):
                end = eras[i + 1][0] - timedelta(days=1)
            else:
                end = REFERENCE_DAY
            if start < end:
                result.append((start, end, weight))
        return result

    def sample_a(self, unit: Unit) -> Person:
        rng = self.rng
        eras = self._eras(unit.working)
        while True:
            start, end, _w = rng.choices(eras, weights=[e[2] for e in eras])[0]
            admitted = _day(rng, start, end)
            birth = _birth_for(rng, admitted, _admission_age(rng, unit.working))
            age = _age(birth, REFERENCE_DAY)
            if birth.year < 1922 or (unit.working and not 21 <= age <= 58):
                continue
            break
        p = self._person("A", unit, admitted, birth)
        # Some came from another cell of the district before the reference day.
        pool = [u for u in (self.working if unit.working else self.residential) if u is not unit]
        moved = False
        if (
            admitted < _years(REFERENCE_DAY, -3)
            and pool
            and rng.random() < (0.22 if unit.working else 0.03)
        ):
            source = rng.choices(pool, weights=[u.size for u in pool])[0]
            last = self._admit(p, source)
            lo, hi = last + timedelta(days=90), REFERENCE_DAY - timedelta(days=30)
            if lo <= hi:
                p.entry = source
                p.events.append(Event(EventType.TRANSFERRED, _day(rng, lo, hi), unit=unit))
                moved = True
            else:
                p.events = []
        if not moved:
            self._admit(p, unit)
        self._later_life(p, exits_from=REFERENCE_DAY + timedelta(days=1))
        return p

    def sample_pre(self, unit: Unit) -> Person:
        rng = self.rng
        working = unit.working
        how = _pick(rng, _PRE_EXITS[working])
        last_day = REFERENCE_DAY - timedelta(days=1)
        while True:
            if how == EventType.DIED:
                birth = (
                    _day(rng, date(1950, 1, 1), date(1985, 12, 31))
                    if working
                    else _day(rng, date(1920, 1, 1), date(1955, 12, 31))
                )
                admitted = max(_years(birth, _admission_age(rng, working)), add_months(birth, 217))
            else:
                admitted = _day(rng, max(self.founded, date(1995, 1, 1)), _years(REFERENCE_DAY, -2))
                birth = _birth_for(rng, admitted, _admission_age(rng, working))
            if not date(1945, 9, 2) <= admitted <= _years(REFERENCE_DAY, -2):
                continue
            if add_months(self.founded, -14) < admitted < self.founded:
                continue
            entered = max(admitted, self.founded)
            earliest = entered + timedelta(days=60 if how == EventType.DIED else 240)
            if how == EventType.DIED and not working:
                earliest = max(earliest, _years(birth, 55))
            if earliest <= last_day:
                break
        p = self._person("pre", unit, admitted, birth)
        if how == EventType.STRUCK_OFF and admitted >= self.founded and rng.random() < 0.35:
            # Not recognised at the end of probation: struck off the probationary list.
            p.events.append(Event(EventType.ADMITTED, admitted, unit=unit))
            exit_day = min(admitted + timedelta(days=rng.randint(240, 330)), last_day)
        else:
            self._admit(p, unit)
            exit_day = _day(rng, earliest, last_day)
            p.events = [e for e in p.events if e.date < exit_day]
            seventy = _years(birth, 70)
            if not working and seventy < exit_day - timedelta(days=60) and rng.random() < 0.5:
                lo = max(seventy, p.events[-1].date + timedelta(days=1))
                if lo < exit_day - timedelta(days=30):
                    p.events.append(
                        Event(EventType.EXEMPTED, _day(rng, lo, exit_day - timedelta(days=30)))
                    )
        p.events.append(Event(how, exit_day))
        self._settle_official(p)
        return p

    def sample_after(self, unit: Unit, category: str) -> Person:
        rng = self.rng
        if category == "after":
            lo, hi = REFERENCE_DAY + timedelta(days=1), REORGANISATION_DAY - timedelta(days=1)
        else:
            lo, hi = REORGANISATION_DAY + timedelta(days=14), LAST_DAY - timedelta(days=30)
        admitted = _day(rng, lo, hi)
        ages = [(18.3, 22, 30), (22, 30, 50), (30, 40, 17), (40, 45, 3)]
        band = rng.choices(ages, weights=[a[2] for a in ages])[0]
        birth = _birth_for(rng, admitted, rng.uniform(band[0], band[1]))
        p = self._person(category, unit, admitted, birth)
        p.events.append(Event(EventType.ADMITTED, admitted, unit=unit))
        if category == "new":
            p.official_date = None
            return p
        if rng.random() < 0.02:
            # Not recognised: struck off the probationary list.
            p.events.append(
                Event(
                    EventType.STRUCK_OFF,
                    _clear_of_reorganisation(admitted + timedelta(days=rng.randint(240, 330))),
                )
            )
            p.official_date = None
            return p
        recognition = _clear_of_reorganisation(p.official_date + timedelta(days=rng.randint(3, 40)))
        if recognition <= LAST_DAY:
            p.events.append(Event(EventType.RECOGNISED, recognition))
        self._later_life(p, exits_from=admitted + timedelta(days=30))
        return p

    def _later_life(self, p: Person, *, exits_from: date) -> None:
        """Add exemption, transfers and an exit to the entry events, keeping the history valid:
        dates strictly increasing, nothing after an exit (a recognition still pending when a
        member dies simply never happens), nothing on the reorganisation day itself."""
        rng = self.rng
        unit = p.unit
        extra: list[Event] = []
        if not unit.working:
            seventy = _years(p.birth_date, 70)
            if seventy <= LAST_DAY and rng.random() < 0.5:
                exempt = max(
                    seventy + timedelta(days=rng.randint(0, 3 * 365)),
                    self.founded + timedelta(days=30),
                )
                extra.append(Event(EventType.EXEMPTED, exempt))
                if rng.random() < 0.04:
                    extra.append(
                        Event(
                            EventType.EXEMPTION_ENDED,
                            exempt + timedelta(days=rng.randint(365, 1000)),
                        )
                    )
        if rng.random() < (0.05 if unit.working else 0.01):
            extra.append(
                Event(
                    EventType.TRANSFERRED,
                    _day(
                        rng,
                        max(exits_from, REFERENCE_DAY + timedelta(days=1)),
                        REORGANISATION_DAY - timedelta(days=1),
                    ),
                )
            )
        if rng.random() < 0.012:
            extra.append(
                Event(
                    EventType.TRANSFERRED,
                    _day(rng, REORGANISATION_DAY + timedelta(days=1), LAST_DAY),
                )
            )
        exits = []
        death = _death_day(rng, p.birth_date, exits_from, LAST_DAY)
        if death:
            exits.append(Event(EventType.DIED, death))
        if rng.random() < 0.006:
            exits.append(Event(EventType.STRUCK_OFF, _day(rng, exits_from, LAST_DAY)))
        if rng.random() < 0.002:
            exits.append(Event(EventType.LEFT, _day(rng, exits_from, LAST_DAY)))
        if exits:
            extra.append(min(exits, key=lambda e: e.date))

        base = {id(e) for e in p.events}
        first = p.events[0].date
        kept: list[Event] = []
        exempted = False
        for e in sorted(p.events + extra, key=lambda e: (e.date, id(e) not in base)):
            if kept and kept[-1].type in _EXITS:
                break
            if id(e) not in base:
                if e.date <= first or e.date == REORGANISATION_DAY or e.date > LAST_DAY:
                    continue
                if kept and e.date <= kept[-1].date:
                    continue
                if e.type == EventType.EXEMPTED and exempted:
                    continue
                if e.type == EventType.EXEMPTION_ENDED and not exempted:
                    continue
            elif kept and e.date <= kept[-1].date:
                # An entry event collides with an extra one kept just before: drop that one.
                dropped = kept.pop()
                if dropped.type == EventType.EXEMPTED:
                    exempted = False
            if e.type == EventType.EXEMPTED:
                exempted = True
            elif e.type == EventType.EXEMPTION_ENDED:
                exempted = False
            kept.append(e)
        p.events = kept
        self._settle_official(p)

    @staticmethod
    def _settle_official(p: Person) -> None:
        if p.events[0].type == EventType.ADMITTED and not any(
            e.type == EventType.RECOGNISED for e in p.events
        ):
            p.official_date = None

    def resolve_transfers(self, p: Person) -> None:
        """Give each transfer a receiving cell (another cell of the same kind that exists on
        that day) and note on every event the member's cell after it."""
        rng = self.rng
        current = p.entry
        kept = []
        for e in p.events:
            if e.date >= REORGANISATION_DAY:
                current = current.current
            if e.type in (EventType.ADMITTED, EventType.TRANSFERRED_IN):
                current = e.unit
            elif e.type == EventType.TRANSFERRED:
                if e.unit is None:
                    pool = self.after_reorganisation if e.date >= REORGANISATION_DAY else self.units
                    pool = [u for u in pool if u is not current and u.working == current.working]
                    if not pool:
                        continue
                    e.unit = rng.choices(pool, weights=[max(u.size, 5) for u in pool])[0]
                current = e.unit
            e.cell = current
            kept.append(e)
        p.events = kept

    # attributes

    def assign(self, people: list[Person]) -> None:
        """Gender, ethnicity, religion (exactly the district's targets among the "A" people when
        it has some), then name, hometown, occupation, education and training levels."""
        rng = self.rng
        d = self.d
        targets = d.targets
        a_people = [p for p in people if p.category == "A"]
        others = [p for p in people if p.category != "A"]

        def women_p(p: Person) -> float:
            return min(0.95, _WOMEN[p.unit.profile] * d.women_factor)

        if targets:
            chosen = _weighted_sample(rng, [women_p(p) for p in a_people], targets["women"])
            for i, p in enumerate(a_people):
                p.gender = "F" if i in chosen else "M"
            minority = _weighted_sample(
                rng, [1 - p.unit.mix.get(KINH, 0) for p in a_people], targets["minority"]
            )
            for i, p in enumerate(a_people):
                if i in minority:
                    p.ethnicity = _pick(rng, {k: v for k, v in p.unit.mix.items() if k != KINH})
                else:
                    p.ethnicity = KINH
            religious = _weighted_sample(
                rng, [self._religious_rate(p) for p in a_people], targets["religious"]
            )
            for i, p in enumerate(a_people):
                p.religion = self._religion(p) if i in religious else "00"
        else:
            others = people
        for p in others:
            p.gender = "F" if rng.random() < women_p(p) else "M"
            p.ethnicity = _pick(rng, p.unit.mix)
            p.religion = self._religion(p) if rng.random() < self._religious_rate(p) else "00"
        for p in people:
            self._describe(p)

    def _religious_rate(self, p: Person) -> float:
        rates = self.d.religious_rates
        rate = rates.get(p.ethnicity, rates.get("*", 0.0))
        return rate * (0.5 if p.unit.working else 1.0)

    def _religion(self, p: Person) -> str:
        mixes = self.d.religion_mix
        return _pick(self.rng, mixes.get(p.ethnicity) or mixes["*"])

    def _describe(self, p: Person) -> None:
        rng = self.rng
        profile = p.unit.profile
        p.hometown, province = self._hometown(p)
        p.full_name = full_name(
            rng,
            ethnicity=p.ethnicity,
            gender=p.gender,
            birth_year=p.birth_date.year,
            region=_region(province),
        )
        age = _age(p.birth_date, REFERENCE_DAY)
        if profile in _OCCUPATION:
            p.occupation = _OCCUPATION[profile]
        elif age >= 60 or (p.category == "pre" and _age(p.birth_date, p.events[-1].date) >= 60):
            p.occupation = "retired" if rng.random() < 0.9 else "farmer"
        else:
            p.occupation = _pick(rng, _RESIDENT_OCCUPATION[profile])
        minority = p.ethnicity != KINH
        year = p.birth_date.year
        if p.unit.working:
            p.education = (
                "upper_secondary" if year >= 1965 or rng.random() < 0.7 else "lower_secondary"
            )
        elif year < 1960:
            p.education = _pick(
                rng,
                [
                    ("literate", 20 if minority else 5),
                    ("primary", 45),
                    ("lower_secondary", 30),
                    ("upper_secondary", 5 if minority else 20),
                ],
            )
        elif year < 1980:
            p.education = _pick(
                rng,
                [
                    ("primary", 25 if minority else 10),
                    ("lower_secondary", 45),
                    ("upper_secondary", 30 if minority else 45),
                ],
            )
        else:
            p.education = _pick(
                rng,
                [
                    ("primary", 5 if minority else 0),
                    ("lower_secondary", 30),
                    ("upper_secondary", 65 if minority else 85),
                ],
            )
        p.professional_level = _pick(rng, _PROFESSIONAL[profile])
        if p.admission_date >= date(2024, 1, 1):
            p.theory_level = _pick(rng, [("none", 60), ("elementary", 40)])
        else:
            p.theory_level = _pick(rng, _THEORY.get(profile) or _THEORY["*"])

    def _hometown(self, p: Person) -> tuple[str, str]:
        """(address with the names of the time, province code): the cell's commune, another
        commune of the district, or — for many Kinh — a commune of the provinces they came from."""
        rng = self.rng
        d = self.d
        if p.ethnicity == KINH and rng.random() < d.kinh_from_elsewhere:
            unit = rng.choice(self.places.province_units(_pick(rng, d.hometown_provinces)))
        elif not p.unit.working or p.unit.profile.startswith("commune"):
            unit = p.unit.place or rng.choice(d.communes)
        else:
            unit = rng.choice(d.communes)
        return unit.address, unit.province_code

    # decisions

    def decisions(self, people: list[Person]) -> None:
        """Number the decisions of each issuer and year in date order."""
        rng = self.rng
        pending = sorted(
            (
                (e.date, i, j)
                for i, p in enumerate(people)
                for j, e in enumerate(p.events)
                if e.type in _DECISION_EVENTS
            ),
        )
        counters: dict[tuple[str, int], int] = {}
        for day, i, j in pending:
            e = people[i].events[j]
            if day < REORGANISATION_DAY:
                issuer, suffix = self.d.issuer, "QĐ/HU"
            else:
                issuer, suffix = e.cell.post_issuer, "QĐ/ĐU"
            key = (issuer, day.year)
            counters[key] = counters.get(key, rng.randint(2, 30)) + rng.randint(1, 3)
            e.decision_number = f"{counters[key]}-{suffix}"
            e.issuer = issuer
        for p in people:
            for e in p.events:
                e.note = e.note or _NOTES.get(e.type, "")


def generate_people(*, district: District, places: Places, cards: set[str]) -> list[Person]:
    """Everyone who was ever a member in `district`'s cells, with attributes and histories.

    `cards` collects the party card numbers already given (unique across the demo).
    """
    gen = _Generator(district=district, places=places)
    rng = gen.rng
    people: list[Person] = []
    # Fractions carried from cell to cell, so that small cells get their share too.
    carry = [0.0, 0.0, 0.0]

    def count(index: int, expected: float) -> int:
        carry[index] += expected
        n = int(carry[index])
        carry[index] -= n
        return n

    for unit in district.units:
        pre, after, new = _RATES.get(unit.profile, _RATES["*"])
        for _ in range(unit.size):
            people.append(gen.sample_a(unit))
        for _ in range(count(0, unit.size * pre)):
            people.append(gen.sample_pre(unit))
        for _ in range(count(1, unit.size * after)):
            people.append(gen.sample_after(unit, "after"))
        for _ in range(count(2, unit.size * new) if unit.survives else 0):
            people.append(gen.sample_after(unit, "new"))
    for p in people:
        gen.resolve_transfers(p)
    gen.assign(people)
    gen.decisions(people)
    for p in people:
        if p.record()["official_date"] is not None:
            while True:
                number = f"{rng.randint(10_000_000, 99_999_999)}"
                if number not in cards:
                    cards.add(number)
                    p.party_card_number = number
                    break
    return people
