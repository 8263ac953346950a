"""Selector timings on a large dataset, without the engine baselines of bench/run.py.

At national size (5.6M) the raw baselines take minutes each and the bench-only indexes
gigabytes; this measures Dangvu's own reads (today's and past reports, name search, a
province's list pages; the raw baseline only beside the past reports of small subtrees) and
the database size, in a minute or two, and prints a markdown table:

    DANGVU_DATA_DIR=bench/data/sqlite-5600000 .venv/bin/python bench/quick.py
"""

import argparse
import os
import time

from measure import AS_OF_DATES, Bench


def timed(fn, n: int = 20, warm: int = 3) -> tuple[float, float]:
    for _ in range(warm):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return round(times[len(times) // 2], 2), round(times[min(n - 1, int(n * 0.95))], 2)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings.base")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from dangvu.accounts.services import user_create
    from dangvu.core.db import prefix_q
    from dangvu.members.models import Member
    from dangvu.members.selectors import member_list, members_after
    from dangvu.organisations.models import Organisation
    from dangvu.stats.selectors import membership_figures

    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user, _password = user_create(actor=None, username="quick", password="quick-pass-1234")
        user.is_superuser = True
        user.save()
    nation = Organisation.objects.get(code="TW")
    province = Organisation.objects.get(code="T79")
    cell = Organisation.objects.filter(prefix_q("path", province.path), kind="cell").first()
    rows = []
    for label, org in (("nation", nation), ("province T79", province), ("cell", cell)):
        rows.append((f"report today, {label}", *timed(lambda org=org: membership_figures(org))))
    # Past dates for the subtrees `make bench` measures; the raw GROUP BY beside those that
    # take milliseconds (the province's and the nation's take minutes at this size).
    bench = Bench(argparse.Namespace())
    for level, org in bench.subjects().items():
        for day in AS_OF_DATES:
            if org.valid_from > day:
                continue
            p50, p95 = timed(lambda org=org, day=day: membership_figures(org, day), n=15)
            raw = ""
            if level not in ("province", "nation"):
                raw_p50, _p95 = timed(lambda org=org, day=day: bench.raw_as_of(org.id, day), n=15)
                raw = f"{raw_p50} (ratio {raw_p50 / p50:.2f})"
            rows.append((f"report as of {day}, {level} {org.code}", p50, p95, raw))
    for q in ("ngu", "hoang", "nguyen", "le thi ngoc", "thi anh tran"):
        rows.append(
            (
                f"name search '{q}', top 20",
                *timed(lambda q=q: list(member_list(actor=user, q=q)[:20])),
            )
        )
    ids = list(
        Member.objects.filter(prefix_q("org_path", province.path))
        .order_by("org_path", "name_folded", "id")
        .values_list("id", flat=True)[::20000]
    )
    pages = iter(ids * 10)
    rows.append(
        (
            "member list page of 50, province T79 (pages spread over the list)",
            *timed(
                lambda: list(
                    members_after(member_list(actor=user, org=province), next(pages))[:50]
                ),
                n=len(ids),
            ),
        )
    )
    members = Member.objects.count()
    print(
        f"| operation ({connection.vendor}, {members:,} members) | p50 ms | p95 ms "
        "| raw GROUP BY p50 ms |"
    )
    print("|---|---|---|---|")
    for label, p50, p95, *raw in rows:
        print(f"| {label} | {p50} | {p95} | {''.join(raw)} |")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name NOT LIKE %s AND name NOT LIKE %s",
                ["bench%", "sqlite_autoindex_bench%"],
            )
            size = cursor.fetchone()[0]
        print(f"\ndatabase size in use: {size / 2**20:,.0f} MiB = {size / members:,.0f} B/member")


if __name__ == "__main__":
    main()
