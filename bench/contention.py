"""`make contention`: 8 writers recording membership events at once for 60 s, then `dangvu
check`. PostgreSQL only (DATABASE_URL, a generated dataset: see `make bench`).

Each writer owns a disjoint set of cells, so no two writers touch the same member; they all
share the rollup counters of their common ancestors (commune, province, nation), which is
where a deadlock or a lost increment would show. Every event toggles a member's exemption
(exempted / exemption_ended), so the data ends as it began but for the events. Exit status 1
on any deadlock, any other error, or any difference `dangvu check` reports.

    DATABASE_URL=postgres://... .venv/bin/python bench/contention.py [--writers 8] [--seconds 60]
"""

import argparse
import os
import subprocess
import sys
import time
from multiprocessing import get_context
from pathlib import Path

DANGVU = Path(sys.executable).with_name("dangvu")


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings.base")
    import django

    django.setup()


def writer(index: int, writers: int, seconds: float, queue) -> None:
    _setup()
    from django.db import OperationalError, connection
    from django.utils import timezone

    from dangvu.core.errors import ValidationError
    from dangvu.members.models import Member
    from dangvu.members.services import member_event_record

    connection.close()  # a connection of this process, not the parent's
    cells = list(
        Member.objects.filter(status="official")
        .values_list("organisation_id", flat=True)
        .distinct()
        .order_by("organisation_id")[:4000]
    )
    mine = [c for i, c in enumerate(cells) if i % writers == index]
    members = list(Member.objects.filter(organisation_id__in=mine, status="official")[:3000])
    today = timezone.localdate()
    done = errors = deadlocks = 0
    messages = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end and members:
        m = members[i % len(members)]
        i += 1
        kind = "exemption_ended" if m.exempted else "exempted"
        try:
            member_event_record(actor=None, member=m, type=kind, date=today)
            m.exempted = not m.exempted
            done += 1
        except OperationalError as exc:
            text = str(exc)
            deadlocks += "deadlock" in text.lower()
            errors += 1
            messages.append(text[:200])
        except ValidationError as exc:
            errors += 1
            messages.append(str(exc)[:200])
    # Leave everyone as they were.
    for m in members:
        if m.exempted:
            member_event_record(actor=None, member=m, type="exemption_ended", date=today)
    queue.put(
        {
            "writer": index,
            "events": done,
            "errors": errors,
            "deadlocks": deadlocks,
            "messages": messages[:3],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "contention: set DATABASE_URL to a PostgreSQL database holding a generated "
            "dataset (see make bench)",
            file=sys.stderr,
        )
        return 2
    ctx = get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=writer, args=(i, args.writers, args.seconds, queue))
        for i in range(args.writers)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.monotonic() - started
    events = sum(r["events"] for r in results)
    errors = sum(r["errors"] for r in results)
    deadlocks = sum(r["deadlocks"] for r in results)
    print(
        f"{args.writers} writers, {args.seconds:.0f} s: {events:,} events "
        f"({events / args.seconds:,.0f} events/s), {errors} errors, {deadlocks} deadlocks "
        f"(wall {elapsed:.0f} s with the final clean-up)"
    )
    for r in results:
        for message in r["messages"]:
            print(f"  writer {r['writer']}: {message}")
    check = subprocess.run([str(DANGVU), "check"], capture_output=True, text=True)
    print(check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr)
    ok = errors == 0 and deadlocks == 0 and check.returncode == 0
    print("contention check:", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
