"""The cell meetings of a generated country (issue 17): for every cell, a regular meeting in
each of the twelve months before the current one and a thematic one each quarter, with
attendance (most members present; a few absent with a reason, fewer without), the cell's
evaluation on the scoring sheet, and — in one cell in three — a committee member of the unit
assigned to follow it, who attended one meeting in three.

Rows for meetings.services.meetings_create_bulk; drawn from the unit's own Random, so a resumed
run writes the same meetings. A cell skips a month now and then (about 4 %), as real ones do."""

import random
from datetime import date, time, timedelta

from dangvu.meetings.choices import Absence, Kind
from dangvu.meetings.services import HeldMeeting, RosterEntry

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
    quality = rng.betavariate(6, 2)  # most meetings fair or good, a few average or poor
    scores = {
        code: round(points * min(1.0, quality + rng.uniform(-0.1, 0.1)))
        for code, points in CRITERIA
    }
    if not attendance_ok:
        scores["attendance"] = min(scores["attendance"], 12)
    scores[LAST[0]] = round(LAST[1] * quality)
    return {k: max(0, v) for k, v in scores.items()}


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
        people = by_cell.get(cell.pk, [])
        if not people:
            continue
        day_of_month = rng.choice((5, 10, 15, 20, 25))
        supervised = rng.random() < SUPERVISED_SHARE
        for month in months:
            kinds = [Kind.REGULAR] if rng.random() >= SKIP_SHARE else []
            if month.month in THEMATIC_MONTHS:
                kinds.append(Kind.THEMATIC)
            for kind in kinds:
                day = month.replace(day=day_of_month + (2 if kind == Kind.THEMATIC else 0))
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
                if not roster:
                    continue
                absences = {}
                for e in roster:
                    x = rng.random()
                    if e.exempted and x < 0.6:
                        absences[e.member_id] = Absence.EXCUSED
                    elif x < UNEXCUSED_SHARE:
                        absences[e.member_id] = Absence.UNEXCUSED
                    elif x < UNEXCUSED_SHARE + EXCUSED_SHARE:
                        absences[e.member_id] = Absence.EXCUSED
                start = time(rng.choice((7, 8, 14, 19)), rng.choice((0, 30)))
                length = rng.choice((80, 95, 105, 120, 135))
                end_minutes = start.hour * 60 + start.minute + length
                attendance_ok = not any(a == Absence.UNEXCUSED for a in absences.values())
                if supervised and rng.random() < 1 / 3:
                    visited.setdefault(cell.pk, []).append(len(rows))
                rows.append(
                    HeldMeeting(
                        cell=cell,
                        kind=kind,
                        day=day,
                        started_at=start,
                        ended_at=time(end_minutes // 60, end_minutes % 60),
                        roster=roster,
                        absences=absences,
                        topic="Sinh hoạt chuyên đề quý" if kind == Kind.THEMATIC else "",
                        resolution="Nghị quyết tháng",
                        minutes="Biên bản",
                        scores=_scores(rng, attendance_ok),
                        approved_on=day + timedelta(days=1),
                    )
                )
        if supervised and cell.pk not in visited:
            visited[cell.pk] = []
    return rows, visited
