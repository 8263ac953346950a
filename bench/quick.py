"""Selector timings on a large dataset, without the engine baselines of bench/run.py.

At national size (5.6M) the raw baselines take minutes each and the bench-only indexes
gigabytes; this measures Dangvu's own reads only (today's and past reports, name search, a
province's list pages) and the database size, in a minute or two, and prints a markdown table:

    DANGVU_DATA_DIR=bench/data/sqlite-5600000 .venv/bin/python bench/quick.py
"""

import os
import time
from datetime import date


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
    for day in (date(2024, 12, 31), date(2023, 6, 30)):
        for label, org in (("province T79", province), ("nation", nation)):
            rows.append(
                (
                    f"report as of {day}, {label}",
                    *timed(lambda org=org, day=day: membership_figures(org, day), n=10),
                )
            )
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
    print(f"| operation ({connection.vendor}, {members:,} members) | p50 ms | p95 ms |")
    print("|---|---|---|")
    for label, p50, p95 in rows:
        print(f"| {label} | {p50} | {p95} |")
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
