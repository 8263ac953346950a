"""The demo's recent months: from the end of its fixed story (LAST_DAY, 30/6/2026) to the day
`dangvu demo` runs, so that what is due today is what a committee would have due.

Through the services, in date order, actor = the system. Deterministic for a given run day
(random.Random seeded with that day): most probationers whose 12 months ended since are
recognised 3–40 days after (a few are left, due or overdue, for the home page to show); some
members complete a political-theory course (a dated change with its certificate); a few of the
oldest die; two members are sent to another commune and wait there to be received.
"""

import random
from datetime import date, timedelta

from dangvu.dataset.demo.people import LAST_DAY
from dangvu.members.choices import EventType, Status
from dangvu.members.models import Member
from dangvu.members.services import (
    member_attribute_change,
    member_event_record,
    transfer_send,
)
from dangvu.members.state import MemberState, probation_end
from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
from dangvu.organisations.models import Organisation

__all__ = ["record_recent_months"]


def _day(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def record_recent_months(today: date) -> int:
    """Record what happened from LAST_DAY to `today`; returns how many acts."""
    if today <= LAST_DAY + timedelta(days=1):
        return 0
    rng = random.Random(f"dangvu-demo-recent-{today.isoformat()}")
    start = LAST_DAY + timedelta(days=1)
    acts: list[tuple[date, int, str, dict]] = []

    # Probationers admitted through the pipeline are recognised through it (dataset.demo.
    # admission), not here.
    for m in Member.objects.filter(status=Status.PROBATIONARY, candidacy__isnull=True).order_by(
        "pk"
    ):
        end = probation_end(
            MemberState(admission_date=m.admission_date, ceremony_date=m.ceremony_date)
        )
        if end is None or end > today - timedelta(days=3):
            continue
        if rng.random() < 0.15:
            continue  # left for the cell to consider: due, or overdue, today
        day = max(start, min(today, end + timedelta(days=rng.randint(3, 40))))
        acts.append((day, m.pk, "recognised", {}))

    official = list(
        Member.objects.filter(status=Status.OFFICIAL, theory_level="none", exempted=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in rng.sample(official, min(12, len(official))):
        acts.append((_day(rng, start, today), pk, "theory", {}))

    oldest = list(
        Member.objects.filter(status=Status.OFFICIAL, birth_date__lt=date(1940, 1, 1))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in rng.sample(oldest, min(3, len(oldest))):
        acts.append((_day(rng, start, today), pk, "died", {}))

    cells = list(
        Organisation.objects.filter(kind__in=sorted(MEMBER_HOLDING_KINDS), valid_to__isnull=True)
        .order_by("code")
        .values_list("pk", "path")
    )
    movers = [pk for pk in official if pk not in {a[1] for a in acts}]
    for pk in rng.sample(movers, min(2, len(movers))):
        acts.append((max(start, today - timedelta(days=rng.randint(5, 45))), pk, "sent", {}))

    acts.sort(key=lambda a: (a[0], a[1], a[2]))
    for day, pk, what, _extra in acts:
        m = Member.objects.get(pk=pk)
        if m.status not in (Status.OFFICIAL, Status.PROBATIONARY):
            continue
        if what == "recognised":
            member_event_record(
                actor=None,
                member=m,
                type=EventType.RECOGNISED,
                date=day,
                decision_number=f"{rng.randint(100, 999)}-QĐ/ĐU",
                decision_date=day,
            )
        elif what == "theory":
            member_attribute_change(
                actor=None,
                member=m,
                field="theory_level",
                value="elementary",
                kind="change",
                valid_from=day,
                source=f"Giấy chứng nhận sơ cấp lý luận chính trị số {rng.randint(10, 999)}",
            )
        elif what == "died":
            member_event_record(actor=None, member=m, type=EventType.DIED, date=day)
        else:
            # To a cell of another commune (centre, province, commune: the first three levels).
            elsewhere = [c for c, path in cells if path[:12] != m.org_path[:12]]
            if elsewhere:
                transfer_send(
                    actor=None,
                    member=m,
                    to=Organisation.objects.get(pk=rng.choice(elsewhere)),
                    on=day,
                    decision_number=f"{rng.randint(10, 99)}-GGT/ĐU",
                )
    return len(acts)
