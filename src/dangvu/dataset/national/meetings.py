"""The cell meetings of a generated country (issue 17): for every cell, a regular meeting in
each of the twelve months before the current one and a thematic one each quarter, with
attendance (most members present; a few absent with a reason, fewer without), the cell's
evaluation on the scoring sheet, and — in one cell in three — a committee member of the unit
assigned to follow it, who attended one meeting in three.

Rows for meetings.services.meetings_create_bulk; drawn from the unit's own Random, so a resumed
run writes the same meetings. A cell skips a month now and then (about 4 %), as real ones do."""

import math
import random
from bisect import bisect_right
from datetime import date, time, timedelta

from dangvu.meetings.choices import Absence, Kind
from dangvu.meetings.services import HeldMeeting, Turnout

__all__ = ["meeting_rows", "past_months", "SKIP_SHARE", "SUPERVISED_SHARE"]

SKIP_SHARE = 0.04
SUPERVISED_SHARE = 1 / 3
EXCUSED_SHARE = 0.05
UNEXCUSED_SHARE = 0.012
THEMATIC_MONTHS = (3, 6, 9, 12)
CRITERIA = (("attendance", 20), ("preparation", 20), ("conduct", 30), ("principles", 10))
LAST = ("implementation", 20)


def past_months(today: date, n: int = 12) -> list[date]:
    """The first days of the `n` full months before `today`'s month, oldest first."""
    out, month = [], today.replace(day=1)
    for _ in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
        out.append(month)
    return out[::-1]


def _scores(rng: random.Random, attendance_ok: bool) -> dict[str, int]:
    """The cell's scores: one quality per meeting (most fair or good, a few average or poor),
    each criterion within ±10 % of it (the four offsets drawn at once, a byte each)."""
    quality = rng.triangular(0.35, 1.0, 0.85)
    noise = rng.getrandbits(32)
    scores = {}
    for code, points in CRITERIA:
        share = quality + ((noise & 255) - 127.5) / 1275  # -0.1 … +0.1
        noise >>= 8
        scores[code] = max(0, round(points * min(1.0, share)))
    if not attendance_ok:
        scores["attendance"] = min(scores["attendance"], 12)
    scores[LAST[0]] = round(LAST[1] * quality)
    return scores


class _Cell:
    """A cell's members ordered by admission, so that its roster on a day is a prefix of them
    and who was official that day a count: a meeting costs its absentees, not its roster."""

    def __init__(self, people: list):
        self.people = sorted(people, key=lambda p: (p.admission_date or date.min, p.pk))
        self.admitted = [p.admission_date or date.min for p in self.people]
        self.official = sorted(p.official_date for p in self.people if p.official_date)
        self.exempted = [i for i, p in enumerate(self.people) if p.exempted]

    def is_official(self, i: int, day: date) -> bool:
        when = self.people[i].official_date
        return when is not None and when <= day

    def attendance(self, rng: random.Random, day: date) -> tuple[Turnout, dict[int, str]] | None:
        """The turnout and absences of a meeting on `day`: each exempted member stays away
        (excused) more often than not; the others are absent with a reason at EXCUSED_SHARE,
        without one at UNEXCUSED_SHARE (the gaps between absentees drawn, not each member)."""
        size = bisect_right(self.admitted, day)
        if not size:
            return None
        absences: dict[int, str] = {}
        exempt_absent = exempt_absent_official = 0
        for i in self.exempted:
            if i < size and rng.random() < 0.6:
                absences[self.people[i].pk] = Absence.EXCUSED
                exempt_absent += 1
                exempt_absent_official += self.is_official(i, day)
        counts = {Absence.EXCUSED: [0, 0], Absence.UNEXCUSED: [0, 0]}
        i = -1
        while True:
            i += 1 + int(math.log(1.0 - rng.random()) / _LOG_PRESENT)
            if i >= size:
                break
            if self.people[i].exempted:
                continue
            kind = Absence.UNEXCUSED if rng.random() < _UNEXCUSED_OF_ABSENT else Absence.EXCUSED
            absences[self.people[i].pk] = kind
            counts[kind][0] += 1
            counts[kind][1] += self.is_official(i, day)
        officials = bisect_right(self.official, day)
        return (
            Turnout(
                roster=size,
                exempt_absent=exempt_absent,
                excused=counts[Absence.EXCUSED][0],
                unexcused=counts[Absence.UNEXCUSED][0],
                official=officials - exempt_absent_official,
                official_excused=counts[Absence.EXCUSED][1],
                official_unexcused=counts[Absence.UNEXCUSED][1],
            ),
            absences,
        )


_ABSENT_SHARE = EXCUSED_SHARE + UNEXCUSED_SHARE
_LOG_PRESENT = math.log(1.0 - _ABSENT_SHARE)
_UNEXCUSED_OF_ABSENT = UNEXCUSED_SHARE / _ABSENT_SHARE
_STARTS = tuple(time(h, m) for h in (7, 8, 14, 19) for m in (0, 30))
_LENGTHS = (80, 95, 105, 120, 135)
_ENDS = {
    (start, length): time(*divmod(start.hour * 60 + start.minute + length, 60))
    for start in _STARTS
    for length in _LENGTHS
}


def meeting_rows(
    rng: random.Random, *, members: list, cells: list, today: date
) -> tuple[list[HeldMeeting], dict[int, list[int]]]:
    """(meetings, {cell id: indexes of the meetings a supervisor attended}) for `cells`
    [(cell, size)] and the unit's `members` (as members_create_bulk returned them). A cell's
    roster on a day is its members admitted by then; none is away (the generator moves nobody
    temporarily)."""
    by_cell: dict[int, list] = {}
    for m in members:
        by_cell.setdefault(m.organisation_id, []).append(m)
    months = past_months(today)
    rows: list[HeldMeeting] = []
    visited: dict[int, list[int]] = {}
    for cell, _size in cells:
        people = by_cell.get(cell.pk)
        if not people:
            continue
        members_of = _Cell(people)
        day_of_month = rng.choice((5, 10, 15, 20, 25))
        supervised = rng.random() < SUPERVISED_SHARE
        for month in months:
            kinds = [Kind.REGULAR] if rng.random() >= SKIP_SHARE else []
            if month.month in THEMATIC_MONTHS:
                kinds.append(Kind.THEMATIC)
            for kind in kinds:
                day = month.replace(day=day_of_month + (2 if kind == Kind.THEMATIC else 0))
                drawn = members_of.attendance(rng, day)
                if drawn is None:
                    continue
                counted, absences = drawn
                start = rng.choice(_STARTS)
                if supervised and rng.random() < 1 / 3:
                    visited.setdefault(cell.pk, []).append(len(rows))
                rows.append(
                    HeldMeeting(
                        cell=cell,
                        kind=kind,
                        day=day,
                        started_at=start,
                        ended_at=_ENDS[start, rng.choice(_LENGTHS)],
                        roster=[],
                        absences=absences,
                        turnout=counted,
                        topic="Sinh hoạt chuyên đề quý" if kind == Kind.THEMATIC else "",
                        resolution="Nghị quyết tháng",
                        minutes="Biên bản",
                        scores=_scores(rng, not counted.unexcused),
                        approved_on=day + timedelta(days=1),
                    )
                )
        if supervised and cell.pk not in visited:
            visited[cell.pk] = []
    return rows, visited
