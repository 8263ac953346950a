"""The admission pipeline of a generated country (issue 16): in every cell, the people it is
cultivating, spread over the stages before the decision, and for every probationary member the
case that admitted them, on probation. About 2–3 % of members a year are admitted (DOMAIN.md
§3.4), and a case takes a year or two from identification to the decision: about 2.5 % of a
cell's size is open before the decision at any time.

Rows for admission.services.candidates_create_bulk; drawn from the unit's own Random, so a
resumed run writes the same cases."""

import random
from datetime import date, timedelta

from dangvu.admission.choices import Step
from dangvu.dataset.demo.names import full_name
from dangvu.dataset.national.people import NAME_REGION
from dangvu.members.choices import Status

__all__ = ["candidate_rows", "OPEN_SHARE"]

OPEN_SHARE = 0.025
_BEFORE_DECISION = [
    Step.IDENTIFIED,
    Step.CLASS_PASSED,
    Step.APPLIED,
    Step.CV_VERIFIED,
    Step.INTRODUCED,
    Step.CELL_RESOLVED,
    Step.COMMITTEE_RESOLVED,
]
# Days from one step to the next, typically.
_GAPS = {
    Step.CLASS_PASSED: 60,
    Step.APPLIED: 90,
    Step.CV_VERIFIED: 60,
    Step.INTRODUCED: 30,
    Step.CELL_RESOLVED: 20,
    Step.COMMITTEE_RESOLVED: 15,
    Step.ADMITTED: 25,
    Step.CEREMONY: 14,
}


def candidate_rows(
    rng: random.Random, *, members: list, cells: list[tuple[object, int]], region: str, today: date
) -> list[dict]:
    """Cases for the cells [(cell, size)] and the unit's `members` (those on probation)."""
    rows = []
    by_cell: dict[int, list] = {}
    for m in members:
        by_cell.setdefault(m.organisation_id, []).append(m)
    for cell, size in cells:
        people = by_cell.get(cell.pk, [])
        count = int(size * OPEN_SHARE + rng.random())
        for _ in range(count):
            model = people[rng.randrange(len(people))] if people else None
            reached = rng.randrange(len(_BEFORE_DECISION))
            steps = _steps(rng, _BEFORE_DECISION[: reached + 1], today)
            gender = "F" if rng.random() < 0.45 else "M"
            ethnicity = model.ethnicity if model is not None else "01"
            birth = today - timedelta(days=int(365.25 * rng.uniform(19, 40)))
            rows.append(
                {
                    "organisation": cell,
                    "full_name": full_name(
                        rng,
                        ethnicity=ethnicity,
                        gender=gender,
                        birth_year=birth.year,
                        region=NAME_REGION.get(region, "central"),
                    ),
                    "birth_date": birth,
                    "gender": gender,
                    "ethnicity": ethnicity,
                    "religion": "00",
                    "education": rng.choice(("lower_secondary", "upper_secondary")),
                    "occupation": model.occupation if model is not None else "farmer",
                    "steps": steps,
                    "certificate_number": f"CN-{rng.randrange(10**6):06d}",
                }
            )
        for m in people:
            if m.status != Status.PROBATIONARY:
                continue
            # Kept as a case carried over from paper records: the dates that count from here
            # on (identified, the decision, the ceremony), not every step before.
            decided = m.admission_date
            steps = [
                (Step.IDENTIFIED, decided - timedelta(days=400)),
                (Step.ADMITTED, decided),
                (Step.CEREMONY, m.ceremony_date or decided),
            ]
            rows.append(
                {
                    "organisation": cell,
                    "member": m,
                    **{f: getattr(m, f) for f in _PERSON},
                    "steps": steps,
                    "certificate_number": f"CN-{m.pk:08d}",
                }
            )
    return rows


_PERSON = (
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "religion",
    "education",
    "occupation",
)


def _steps(rng: random.Random, steps: list[str], today: date) -> list[tuple[str, date]]:
    """Dates for `steps`, the last of them within the last months."""
    gaps = [int(_GAPS.get(s, 0) * rng.uniform(0.5, 1.6)) for s in steps[1:]]
    day = today - timedelta(days=sum(gaps) + rng.randrange(1, 180))
    out = [(steps[0], day)]
    for step, gap in zip(steps[1:], gaps, strict=True):
        day += timedelta(days=gap)
        out.append((step, day))
    return out
