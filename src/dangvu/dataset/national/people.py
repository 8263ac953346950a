"""Generated members of one unit, with their membership histories — no real people.

Ages, admission and recognition dates are drawn so that they satisfy the rules the services
check (admitted between 18 and 60, recognised when the 12-month probation ends); a share of the
members moved between cells of the unit, and some have died or left. Ethnicity follows the
region (about 85 % Kinh nationally), names the ethnic group's naming pattern.
"""

import random
from datetime import date, timedelta
from itertools import accumulate

from dangvu.dataset.demo.names import draw, full_name
from dangvu.dataset.particulars import particulars

__all__ = ["member_rows"]

# Ethnic mixes by region (2008 codes and weights, Kinh "01" included).
_MIX = {
    "north_highland": [
        ("01", 45),
        ("02", 18),
        ("03", 10),
        ("07", 9),
        ("08", 8),
        ("09", 7),
        ("04", 3),
    ],
    "north": [("01", 95), ("04", 3), ("02", 1), ("09", 1)],
    "central": [("01", 90), ("04", 4), ("03", 4), ("16", 1), ("12", 1)],
    "central_highland": [
        ("01", 70),
        ("12", 8),
        ("16", 8),
        ("29", 4),
        ("02", 4),
        ("07", 3),
        ("08", 3),
    ],
    "south": [("01", 94), ("06", 3), ("05", 3)],
    "mekong_khmer": [("01", 80), ("05", 17), ("06", 3)],
}
NAME_REGION = {
    "north_highland": "north",
    "north": "north",
    "central": "central",
    "central_highland": "central",
    "south": "south",
    "mekong_khmer": "south",
}
# Occupation, education, professional level by the kind of cell.
_WORK = {
    "village": (["farmer", "retired", "other", "enterprise"], [45, 35, 15, 5]),
    "police": (["armed_forces"], [1]),
    "army": (["armed_forces"], [1]),
    "public_service": (["public_employee"], [1]),
    "party_agency": (["state_official"], [1]),
    "state_agency": (["state_official", "public_employee"], [7, 3]),
    "state_enterprise": (["enterprise"], [1]),
    "other_enterprise": (["enterprise", "farmer"], [8, 2]),
}
_WOMEN = {
    "village": 0.33,
    "police": 0.12,
    "army": 0.06,
    "public_service": 0.62,
    "party_agency": 0.45,
    "state_agency": 0.42,
    "state_enterprise": 0.30,
    "other_enterprise": 0.35,
}
_PROF = (
    ["none", "intermediate", "college", "university", "master", "doctor"],
    {True: [2, 10, 12, 60, 14, 2], False: [55, 20, 8, 15, 2, 0]},
)
_THEORY = (
    ["none", "elementary", "intermediate", "advanced"],
    {True: [20, 40, 32, 8], False: [60, 35, 5, 0]},
)
# Cumulative weights: choices() would sum them on every draw (the same draws either way).
_PROF_CUM = {k: list(accumulate(v)) for k, v in _PROF[1].items()}
_THEORY_CUM = {k: list(accumulate(v)) for k, v in _THEORY[1].items()}
_RELIGIOUS = {"01": 0.02, "05": 0.45, "06": 0.2, "12": 0.12, "16": 0.1, "29": 0.1, "08": 0.05}
_FAITH = {
    "01": ["01", "02"],
    "05": ["01"],
    "06": ["01"],
    "12": ["02", "03"],
    "16": ["02", "03"],
    "29": ["03"],
    "08": ["03"],
}

_DAY = timedelta(days=1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return date(year, month, day)


def member_rows(
    rng: random.Random,
    *,
    region: str,
    province_code: str,
    place: str,
    cells: list[tuple[object, str, int]],
    offset: int,
    today: date,
) -> list[dict]:
    """Rows for members_create_bulk: for every (cell, cell kind, size) that many members whose
    history ends in that cell. `offset` numbers them in the whole country (card numbers)."""
    mix_codes, mix_weights = zip(*_MIX.get(region, _MIX["central"]), strict=True)
    mix_weights = list(accumulate(mix_weights))
    name_region = NAME_REGION.get(region, "central")
    others = [c for c, _k, _n in cells] or [None]
    rows = []
    index = offset
    horizon = today.toordinal()
    for cell, kind, size in cells:
        village = kind == "village"
        occupations, occ_weights = _WORK.get(kind, _WORK["village"])
        occ_weights = list(accumulate(occ_weights))
        women = _WOMEN.get(kind, 0.36)
        for _ in range(size):
            index += 1
            gender = "F" if rng.random() < women else "M"
            ethnicity = draw(rng, mix_codes, mix_weights)
            # Admission age 18-45 (mostly mid-20s); years since admission: villages keep
            # their veterans, agencies their working-age members.
            age_in = min(45.0, 18.2 + rng.expovariate(1 / 7.0))
            years_in = rng.uniform(0.05, 55.0 if village else 38.0 - max(0.0, age_in - 22.0))
            years_in = max(0.05, years_in)
            admitted = date.fromordinal(horizon - int(years_in * 365.25))
            birth = date.fromordinal(admitted.toordinal() - int(age_in * 365.25) - 10)
            birth = birth.replace(day=min(birth.day, 28))
            official = _add_months(admitted, 12)
            recognised = official <= today
            occupation = draw(rng, occupations, occ_weights)
            if village and today.year - birth.year >= 62:
                occupation = "retired"
            skilled = not village
            prof = draw(rng, _PROF[0], _PROF_CUM[skilled])
            education = "upper_secondary" if skilled or rng.random() < 0.6 else "lower_secondary"
            theory = draw(rng, _THEORY[0], _THEORY_CUM[skilled])
            religion = "00"
            if rng.random() < _RELIGIOUS.get(ethnicity, 0.01):
                religion = rng.choice(_FAITH.get(ethnicity, ["01"]))
            name = full_name(
                rng,
                ethnicity=ethnicity,
                gender=gender,
                birth_year=birth.year,
                region=name_region,
            )
            start = cell
            moved = recognised and len(others) > 1 and rng.random() < 0.12
            if moved:
                start = rng.choice(others)
                if start is cell:
                    moved = False
            history = [{"type": "admitted", "date": admitted, "organisation": start}]
            if recognised:
                history.append({"type": "recognised", "date": official})
            if moved:
                day = date.fromordinal(rng.randint(official.toordinal(), horizon))
                history.append({"type": "transferred", "date": day, "organisation": cell})
            last = history[-1]["date"]
            # About 6 % of the records are of former members: died (older ones) or left.
            roll = rng.random()
            if roll < 0.06 and last < today:
                end = date.fromordinal(rng.randint(last.toordinal() + 1, horizon))
                old = today.year - birth.year > 65
                history.append({"type": "died" if old or roll < 0.04 else "left", "date": end})
            rows.append(
                {
                    "full_name": name,
                    "birth_date": birth,
                    "gender": gender,
                    "ethnicity": ethnicity,
                    "religion": religion,
                    "hometown": place,
                    "identity_number": f"{int(province_code):03d}"
                    f"{(0 if birth.year < 2000 else 2) + (gender == 'F'):d}"
                    f"{birth.year % 100:02d}{index % 1_000_000:06d}",
                    "education": education,
                    "professional_level": prof,
                    "theory_level": theory,
                    "occupation": occupation,
                    **particulars(f"{index}", birth, occupation, prof, today),
                    "party_card_number": f"{index:08d}",
                    "admission_date": admitted,
                    "ceremony_date": admitted,
                    "official_date": official if recognised else None,
                    "organisation": cell,
                    "history": history,
                }
            )
    return rows
