"""Measure one Dangvu database against the raw engine and print the results as JSON rows.

The database is the one the environment chooses (DANGVU_DATA_DIR or DATABASE_URL), as for
every `dangvu` command; bench/run.py prepares it and runs this script once per engine. Each
operation is timed warm (warm-up calls first) through the selector or service that the views
call, through HTTP against the real server (`dangvu serve`), and, as its baseline, through the
cheapest raw SQL that produces the same answer with the best index the engine offers for it.
The baseline tells what the engine can do, so a slow row says whether Dangvu or the engine is
to blame. Which target each row is held to is bench/targets.py's to say.

Bench-only objects (covering index, FTS5 / trigram index, scratch table, the `bench` user) are
created once and left in place for later runs; the database size is measured before any of
them is created so that they never count against the size target.
"""

import argparse
import http.client
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as dt_time
from pathlib import Path
from urllib.parse import urlencode

from targets import (
    attendance_record_target,
    attendance_storage_target,
    bulk_enrolment_target,
    certificate_pdf_target,
    database_size_target,
    development_read_target,
    document_search_target,
    event_rate_target,
    event_target,
    export_target,
    implementation_summary_target,
    import_target,
    judge,
    large_export_target,
    list_export_target,
    meetings_dashboard_target,
    member_page_target,
    name_search_target,
    own_view_target,
    portal_load_target,
    portal_weight_target,
    report_as_of_target,
    report_today_target,
    training_report_target,
    transition_target,
)

__all__ = ["main"]

IN_PARTY_SQL = "('official', 'probationary')"
AS_OF_DATES = (date(2024, 12, 31), date(2023, 6, 30))
EVENT_PAIRS = 150  # each member is exempted then returned to activities: 300 events

# The apps above the member registry whose data is reported beside the registry's size.
DATA_APPS = ("admission", "meetings", "training", "documents")
# Member development (issue 16): every target is set for the XIII Congress's term.
TERM = (date(2021, 2, 1), date(2026, 1, 31))
TRANSITIONS = 40
PAGE = 50
PORTAL_ARTICLES = 20
PORTAL_SECONDS = 20.0
NAME_LIMIT = 20

# Admission periods (core.refdata.admission_period) as SQL, so the baseline groups by the same
# figure the report shows.
ADMISSION_PERIOD_SQL = (
    "CASE WHEN {col} < '1945-08-19' THEN 'pre_1945' "
    "WHEN {col} <= '1954-07-20' THEN '1945_1954' "
    "WHEN {col} <= '1975-04-30' THEN '1954_1975' ELSE 'post_1975' END"
)
COVER_COLUMNS = (
    "org_path, status, gender, ethnicity, religion, birth_date, admission_date, education, "
    "professional_level, theory_level, occupation, exempted, academic_title, youth_union, "
    "enterprise_owner, married_foreigner"
)
# Named for its columns: a dataset kept from before the particulars (decision 0017) has the
# eleven-column index under the old name, dropped when this one is made.
COVER_INDEX = "bench_member_cover15"
GROUPED = 15  # the columns of Measure.group_columns


def log(message: str) -> None:
    print(f"[measure] {message}", file=sys.stderr, flush=True)


# --- timing -----------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile: with few samples p95 is the slowest, never an interpolation."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(fn: Callable[[], object], *, repeat: int, warmup: int, budget: float) -> list[float]:
    """Milliseconds per call of `fn`, warm. A call too slow for `repeat` runs within `budget`
    seconds is run fewer times (at least 3), so a slow baseline cannot eat the machine."""
    last = 0.0
    for _ in range(warmup):
        started = time.perf_counter()
        fn()
        last = time.perf_counter() - started
    if last and last * repeat > budget:
        repeat = max(3, int(budget / last))
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


class Bench:
    def __init__(self, args):
        from django.db import connection

        self.args = args
        self.connection = connection
        self.vendor = connection.vendor
        self.rows: list[dict] = []
        self.members = 0
        self.workers = 1

    # --- helpers ------------------------------------------------------------------------------

    def sql(self, query: str, params=()) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(query, list(params))
            return cursor.fetchall() if cursor.description else []

    def run(self, fn, *, slow: bool = False, http: bool = False) -> list[float]:
        """Time `fn` warm. Over HTTP every server worker has its own connection and caches,
        and successive requests may land on any of them: each gets a warm-up call."""
        a = self.args
        warmup = 1 if slow else 3
        if http:
            warmup = max(warmup, 2 * self.workers)
        repeat = a.slow_repeat if slow else a.repeat
        return timed(fn, repeat=repeat, warmup=warmup, budget=a.budget)

    def add(
        self,
        operation: str,
        samples: list[float] | None = None,
        *,
        baseline: list[float] | None = None,
        baseline_desc: str = "",
        checks: list | None = None,
        target: str = "",
        **extra,
    ) -> dict:
        row = {
            "operation": operation,
            "engine": self.vendor,
            "members": self.members,
            "p50_ms": statistics.median(samples) if samples else None,
            "p95_ms": percentile(samples, 95) if samples else None,
            "n": len(samples) if samples else 0,
            "baseline": baseline_desc or None,
            "baseline_p50_ms": statistics.median(baseline) if baseline else None,
            "target": target,
            "checks": checks or [],
            **extra,
        }
        if row["p50_ms"] and row["baseline_p50_ms"]:
            row["ratio"] = row["baseline_p50_ms"] / row["p50_ms"]
        else:
            row.setdefault("ratio", None)
        self.rows.append(judge(row))
        shown = f"p50 {row['p50_ms']:.2f} ms" if row["p50_ms"] is not None else ""
        log(f"{operation}: {shown} {'' if row['ok'] is None else ('ok' if row['ok'] else 'MISS')}")
        return row

    def section(self, name: str, fn, *args) -> None:
        """Run one group of measurements; a failure becomes a missed row, and the others still
        run, since src/ may be half-way through a change."""
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001
            log(f"{name} failed:\n{traceback.format_exc()}")
            self.rows.append(
                {
                    "operation": f"{name}: FAILED",
                    "engine": self.vendor,
                    "members": self.members,
                    "note": f"{type(exc).__name__}: {exc}"[:300],
                    "ok": False,
                    "misses": [f"{type(exc).__name__}: {exc}"[:300]],
                }
            )

    # --- size (before any bench-only object) ---------------------------------------------------

    def database_size(self) -> None:
        from django.conf import settings

        # Dangvu's own tables and indexes, not the bench-only objects a previous run left
        # (covering index, FTS / trigram index, scratch table) nor free pages.
        if self.vendor == "sqlite":
            self.sql("PRAGMA wal_checkpoint(TRUNCATE)")
            name = Path(settings.DATABASES["default"]["NAME"])
            total = self.sql(
                "SELECT SUM(pgsize) FROM dbstat WHERE name NOT LIKE %s AND name NOT LIKE %s",
                ("bench%", "sqlite_autoindex_bench%"),
            )[0][0]
            how = f"pages in use (the file: {name.stat().st_size / 2**20:,.0f} MiB)"
        else:
            total = self.sql(
                "SELECT SUM(CASE WHEN c.relkind = 'r' THEN pg_table_size(c.oid) "
                "ELSE pg_relation_size(c.oid) END) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') "
                "AND c.relname NOT LIKE %s",
                ("bench%",),
            )[0][0]
            how = "tables and indexes"
        total = int(total or 0)  # PostgreSQL sums to numeric
        # The member registry's budget (issue 3) covers the registry; each app above it
        # reports its own data per member beside it (docs/decisions/0018).
        apps = self.app_sizes()
        for app, size in apps.items():
            self.add(
                f"database size, {app} data",
                value=size / max(self.members, 1),
                unit="B/member",
                bytes=size,
                note=f"{size / 2**20:,.1f} MiB of {app}_* tables and indexes",
            )
        total -= sum(apps.values())
        per_member = total / max(self.members, 1)
        self.add(
            "database size",
            value=per_member,
            unit="B/member",
            bytes=total,
            note=f"{total / 2**20:,.1f} MiB ({how}) for {self.members:,} member rows",
            **database_size_target(),
        )

    def app_sizes(self) -> dict[str, int]:
        """Bytes of the tables and indexes of each app above the registry (DATA_APPS)."""
        sizes = {}
        for app in DATA_APPS:
            pattern = f"{app}_%"
            if self.vendor == "sqlite":
                found = self.sql(
                    "SELECT SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name "
                    "WHERE m.tbl_name LIKE %s",
                    (pattern,),
                )[0][0]
            else:
                found = self.sql(
                    "SELECT SUM(CASE WHEN c.relkind = 'r' THEN pg_table_size(c.oid) "
                    "ELSE pg_relation_size(c.oid) END) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "LEFT JOIN pg_index i ON i.indexrelid = c.oid "
                    "LEFT JOIN pg_class t ON t.oid = i.indrelid "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') "
                    "AND COALESCE(t.relname, c.relname) LIKE %s",
                    (pattern,),
                )[0][0]
            sizes[app] = int(found or 0)
        return sizes

    # --- set-up ---------------------------------------------------------------------------------

    def bench_user(self):
        from django.contrib.auth import get_user_model

        from dangvu.accounts.services import token_create, user_create

        user = get_user_model().objects.filter(username="bench").first()
        if user is None:
            user, _password = user_create(actor=None, username="bench", password=None)
        if not user.is_superuser:
            user.is_superuser = True
            user.save()
        return user, token_create(actor=None, user=user)

    def subjects(self) -> dict:
        """The organisations measured: the nation, the largest province (T79), and its largest
        commune and cell (by today's counters)."""
        from dangvu.core.db import prefix_q
        from dangvu.organisations.models import Organisation
        from dangvu.stats.models import SubtreeCounter

        nation = Organisation.objects.get(code="TW")
        province = Organisation.objects.get(code="T79")

        def largest(kinds) -> Organisation:
            code = (
                SubtreeCounter.objects.filter(
                    prefix_q("organisation__path", province.path),
                    dim="members",
                    value="total",
                    organisation__kind__in=kinds,
                    organisation__valid_to__isnull=True,
                )
                .order_by("-count", "organisation__code")
                .values_list("organisation__code", flat=True)
                .first()
            )
            return Organisation.objects.get(code=code)

        def largest_cell() -> Organisation:
            # Cells keep no counter rows (docs/decisions/0003): count the province's members.
            from django.db.models import Count

            from dangvu.members.models import Member

            cell_id = (
                Member.objects.filter(
                    prefix_q("org_path", province.path), status__in=("official", "probationary")
                )
                .values("organisation_id")
                .annotate(n=Count("*"))
                .order_by("-n", "organisation_id")
                .values_list("organisation_id", flat=True)
                .first()
            )
            return Organisation.objects.get(pk=cell_id)

        def around_threshold(below: bool) -> Organisation | None:
            # The subtrees whose as-of report is counted from the periods (just below the
            # snapshot threshold: the most members that way) and the smallest with snapshots.
            from dangvu.stats.build import SNAPSHOT_MIN_MEMBERS

            rows = SubtreeCounter.objects.filter(
                dim="members",
                value="total",
                organisation__valid_to__isnull=True,
                **(
                    {"count__lt": SNAPSHOT_MIN_MEMBERS}
                    if below
                    else {"count__gte": SNAPSHOT_MIN_MEMBERS}
                ),
            ).order_by(("-count" if below else "count"), "organisation__code")
            code = rows.values_list("organisation__code", flat=True).first()
            return Organisation.objects.get(code=code) if code else None

        subjects = {
            "cell": largest_cell(),
            "commune": largest(["commune"]),
            "below threshold": around_threshold(below=True),
            "above threshold": around_threshold(below=False),
            "province": province,
            "nation": nation,
        }
        return {k: v for k, v in subjects.items() if v is not None}

    def ensure_cover_index(self) -> None:
        exists = self.index_exists(COVER_INDEX)
        if exists:
            return
        self.sql("DROP INDEX IF EXISTS bench_member_cover")
        log(f"creating {COVER_INDEX} (once)")
        self.sql(f"CREATE INDEX IF NOT EXISTS {COVER_INDEX} ON members_member ({COVER_COLUMNS})")
        if self.vendor == "postgresql":
            # An index-only scan needs the visibility map; ANALYZE for the planner.
            self.sql("VACUUM ANALYZE members_member")

    def index_exists(self, name: str) -> bool:
        if self.vendor == "sqlite":
            return bool(self.sql("SELECT 1 FROM sqlite_master WHERE name = %s", [name]))
        return bool(self.sql("SELECT 1 FROM pg_class WHERE relname = %s", [name]))

    # --- membership report today -----------------------------------------------------------

    def group_columns(self, table: str, period_table: str | None = None) -> str:
        p = period_table or table
        birth = (
            f"substr({table}.birth_date, 1, 7)"
            if self.vendor == "sqlite"
            else f"to_char({table}.birth_date, 'YYYY-MM')"
        )
        return ", ".join(
            [
                f"{p}.status",
                f"{table}.gender",
                f"{table}.ethnicity",
                f"{table}.religion",
                birth,
                ADMISSION_PERIOD_SQL.format(col=f"{table}.admission_date"),
                # The dated attributes: on the period row for a past date (members.dated).
                f"{p}.education",
                f"{p}.professional_level",
                f"{p}.theory_level",
                f"{p}.occupation",
                f"{p}.exempted",
                f"{p}.academic_title",
                f"{p}.youth_union",
                f"{p}.enterprise_owner",
                f"{p}.married_foreigner",
            ]
        )

    def group_by(self) -> str:
        """GROUP BY every column of group_columns."""
        return "GROUP BY " + ", ".join(str(i) for i in range(1, GROUPED + 1))

    def raw_today(self, path: str) -> int:
        hint = f" INDEXED BY {COVER_INDEX}" if self.vendor == "sqlite" else ""
        cols = self.group_columns("m")
        rows = self.sql(
            f"SELECT {cols}, COUNT(*) FROM members_member m{hint} "
            f"WHERE m.org_path >= %s AND m.org_path < %s AND m.status IN {IN_PARTY_SQL} "
            + self.group_by(),
            [path, path + "~"],
        )
        return sum(r[-1] for r in rows)

    def reports_today(self, subjects: dict, client) -> None:
        from dangvu.stats.selectors import membership_figures

        for level, org in subjects.items():
            if level not in ("cell", "commune", "province", "nation"):
                continue  # the threshold's subtrees matter for past dates only
            label = f"report today, {level} {org.code}"
            slow = level in ("province", "nation")
            total = membership_figures(org)["members"]["total"]
            raw_total = self.raw_today(org.path)
            baseline = self.run(lambda path=org.path: self.raw_today(path), slow=slow)
            desc = f"raw GROUP BY ({GROUPED} dims) on covering index {COVER_INDEX}"
            note = f"{total:,} members"
            if raw_total != total:
                note += f"; MISMATCH: counters say {total:,}, the member table {raw_total:,}"
                log(f"{label}: {note}")
            self.add(
                f"{label} (selector)",
                self.run(lambda org=org: membership_figures(org)),
                baseline=baseline,
                baseline_desc=desc,
                **report_today_target(level, "selector"),
                note=note,
            )
            path = "/api/v1/reports/membership?" + urlencode({"org": org.code})
            client.check_total(path, total)
            self.add(
                f"{label} (HTTP)",
                self.run(lambda path=path: client.get(path), http=True),
                baseline=baseline,
                baseline_desc=desc,
                **report_today_target(level, "HTTP"),
                note=note,
            )

    # --- membership report as of a past date -----------------------------------------------

    def raw_as_of(self, org_id: int, day: date) -> int:
        d = day.isoformat()
        version = self.sql(
            "SELECT path FROM organisations_organisationversion WHERE organisation_id = %s "
            "AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s) "
            "ORDER BY valid_from DESC LIMIT 1",
            [org_id, d, d],
        )
        if not version:
            return 0
        path = version[0][0]
        cols = self.group_columns("m", "p")
        rows = self.sql(
            f"SELECT {cols}, COUNT(*) FROM members_memberperiod p "
            "JOIN members_member m ON m.id = p.member_id "
            "WHERE p.organisation_id IN (SELECT v.organisation_id "
            "FROM organisations_organisationversion v WHERE v.path >= %s AND v.path < %s "
            "AND v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)) "
            "AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s) " + self.group_by(),
            [path, path + "~", d, d, d, d],
        )
        return sum(r[-1] for r in rows)

    def reports_as_of(self, subjects: dict, client) -> None:
        from dangvu.stats.selectors import membership_figures

        desc = "raw GROUP BY over periods ⨝ members ⨝ versions on the date"
        levels = ("cell", "commune", "below threshold", "above threshold", "province", "nation")
        for level in levels:
            org = subjects.get(level)
            if org is None:
                continue
            for day in AS_OF_DATES:
                if org.valid_from > day:
                    continue  # formed later (the 2025 communes): no past to report
                label = f"report as of {day}, {level} {org.code}"
                total = membership_figures(org, day)["members"]["total"]
                raw_total = self.raw_as_of(org.id, day)
                baseline = self.run(lambda o=org.id, d=day: self.raw_as_of(o, d), slow=True)
                note = f"{total:,} members"
                if raw_total != total:
                    note += f"; MISMATCH: report {total:,}, raw periods {raw_total:,}"
                    log(f"{label}: {note}")
                self.add(
                    f"{label} (selector)",
                    self.run(lambda o=org, d=day: membership_figures(o, d), slow=True),
                    baseline=baseline,
                    baseline_desc=desc,
                    **report_as_of_target("selector"),
                    note=note,
                )
                if level == "province":
                    path = "/api/v1/reports/membership?" + urlencode(
                        {"org": org.code, "as_of": day.isoformat()}
                    )
                    client.check_total(path, total)
                    self.add(
                        f"{label} (HTTP)",
                        self.run(lambda path=path: client.get(path), slow=True, http=True),
                        baseline=baseline,
                        baseline_desc=desc,
                        **report_as_of_target("HTTP"),
                        note=note,
                    )

    # --- official forms as files ------------------------------------------------------------

    def exports(self, subjects: dict) -> None:
        """Each official form of the largest province as Excel and as PDF: counted and
        rendered, as the page's download does."""
        from django.utils import translation

        from dangvu.reports.exports import (
            admissions_form,
            grassroots_form,
            membership_form,
            period_form,
        )
        from dangvu.reports.official import form_xlsx
        from dangvu.reports.pdf import form_pdf
        from dangvu.stats.selectors import (
            admissions_figures,
            grassroots_figures,
            membership_figures,
            period_figures,
            year_ago_figures,
        )

        org = subjects["province"]
        day, start = AS_OF_DATES[0], AS_OF_DATES[0].replace(month=1, day=1)

        def membership():
            report = membership_figures(org, day)
            report["year_ago"] = year_ago_figures(org, day)
            return membership_form(report)

        forms = {
            "3-BTCTW": membership,
            "1-BTCTW": lambda: period_form(period_figures(org, start, day)),
            "2-BTCTW": lambda: admissions_form(admissions_figures(org, start, day)),
            "5-BTCTW": lambda: grassroots_form(grassroots_figures(org, day)),
        }
        with translation.override("vi"):
            for number, build in forms.items():
                for kind, render in (("xlsx", form_xlsx), ("pdf", form_pdf)):
                    self.add(
                        f"form {number} as {kind}, province {org.code}",
                        self.run(lambda b=build, r=render: r(b()), slow=True),
                        **export_target(),
                    )

    # --- name search ----------------------------------------------------------------------------

    def name_queries(self) -> list[tuple[str, str]]:
        from dangvu.members.models import Member

        top = Member.objects.order_by("-id").values_list("id", flat=True).first() or 0
        full = (
            Member.objects.filter(id__gte=top // 2)
            .order_by("id")
            .values_list("name_folded", flat=True)
            .first()
        )
        three = next(
            (
                n
                for n in Member.objects.filter(id__gte=top // 3)
                .order_by("id")
                .values_list("name_folded", flat=True)[:200]
                if len(n.split()) == 3
            ),
            full,
        )
        words = three.split()
        return [
            ("3-letter prefix", "ngu"),
            ("5-letter prefix", "hoang"),
            ("full name", full),
            ("common family name", "nguyen"),
            ("words rotated", " ".join(words[1:] + words[:1])),
        ]

    def ensure_name_index(self) -> str:
        if self.vendor == "sqlite":
            if not self.index_exists("bench_name_fts"):
                log("creating bench_name_fts (once)")
                self.sql(
                    "CREATE VIRTUAL TABLE bench_name_fts USING fts5(name_folded, "
                    "content='members_member', content_rowid='id')"
                )
                self.sql("INSERT INTO bench_name_fts(bench_name_fts) VALUES ('rebuild')")
            return "fts5"
        if self.index_exists("bench_name_trgm"):
            return "trgm"
        if self.index_exists("bench_name_tsv"):
            return "tsv"
        try:
            self.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            log("creating bench_name_trgm (once)")
            self.sql(
                "CREATE INDEX bench_name_trgm ON members_member "
                "USING gin (name_folded gin_trgm_ops)"
            )
            self.sql("ANALYZE members_member")
            return "trgm"
        except Exception as exc:  # noqa: BLE001 - no pg_trgm: the text-search index will do
            log(f"pg_trgm unavailable ({exc}); using a tsvector index")
            self.sql(
                "CREATE INDEX bench_name_tsv ON members_member "
                "USING gin (to_tsvector('simple', name_folded))"
            )
            self.sql("ANALYZE members_member")
            return "tsv"

    def raw_search(self, kind: str, words: list[str]) -> int:
        if kind == "fts5":
            match = " AND ".join(f'"{w}"*' for w in words)
            rows = self.sql(
                "SELECT m.id, m.full_name FROM bench_name_fts f "
                "JOIN members_member m ON m.id = f.rowid "
                f"WHERE bench_name_fts MATCH %s LIMIT {NAME_LIMIT}",
                [match],
            )
        elif kind == "trgm":
            likes = " AND ".join("name_folded LIKE %s" for _w in words)
            rows = self.sql(
                f"SELECT id, full_name FROM members_member WHERE {likes} LIMIT {NAME_LIMIT}",
                [f"%{w}%" for w in words],
            )
        else:
            rows = self.sql(
                "SELECT id, full_name FROM members_member "
                "WHERE to_tsvector('simple', name_folded) @@ to_tsquery('simple', %s) "
                f"LIMIT {NAME_LIMIT}",
                [" & ".join(f"{w}:*" for w in words)],
            )
        return len(rows)

    def name_search(self, user, client) -> None:
        from dangvu.members.selectors import member_list

        kind = self.ensure_name_index()
        desc = {
            "fts5": "FTS5 on name_folded, 'w1* AND w2*', first 20 (rowid order)",
            "trgm": "pg_trgm GIN on name_folded, LIKE '%w%' per word, first 20 unordered",
            "tsv": "tsvector('simple') GIN, prefix tsquery per word, first 20 unordered",
        }[kind]
        for what, query in self.name_queries():
            words = query.split()
            baseline = self.run(lambda w=words: self.raw_search(kind, w))
            label = f"name search top 20, {what} {query!r}"
            found = len(list(member_list(actor=user, q=query)[:NAME_LIMIT]))
            self.add(
                f"{label} (selector)",
                self.run(lambda q=query: list(member_list(actor=user, q=q)[:NAME_LIMIT])),
                baseline=baseline,
                baseline_desc=desc,
                **name_search_target("selector"),
                note=f"{found} found",
            )
            path = "/api/v1/members?" + urlencode({"q": query, "limit": NAME_LIMIT})
            self.add(
                f"{label} (HTTP)",
                self.run(lambda path=path: client.get(path), http=True),
                baseline=baseline,
                baseline_desc=desc,
                **name_search_target("HTTP"),
            )

    # --- member list pages ----------------------------------------------------------------------

    def page_starts(self, path: str) -> list[int | None]:
        """None (the first page) and the last ids of previous pages spread over the list."""
        ids = [
            r[0]
            for r in self.sql(
                "SELECT id FROM members_member WHERE org_path >= %s AND org_path < %s "
                "ORDER BY org_path, name_folded, id",
                [path, path + "~"],
            )
        ]
        pages = min(10, math.ceil(len(ids) / PAGE))
        return [None] + [ids[k * len(ids) // pages - 1] for k in range(1, pages)]

    def raw_page(self, path: str, after: int | None) -> int:
        keyset, params = "", [path, path + "~"]
        if after is not None:
            org_path, name = self.sql(
                "SELECT org_path, name_folded FROM members_member WHERE id = %s", [after]
            )[0]
            keyset = " AND (m.org_path, m.name_folded, m.id) > (%s, %s, %s)"
            params += [org_path, name, after]
        rows = self.sql(
            "SELECT m.*, o.code, o.name FROM members_member m "
            "JOIN organisations_organisation o ON o.id = m.organisation_id "
            f"WHERE m.org_path >= %s AND m.org_path < %s{keyset} "
            f"ORDER BY m.org_path, m.name_folded, m.id LIMIT {PAGE}",
            params,
        )
        return len(rows)

    def member_pages(self, subjects: dict, client) -> None:
        for level in ("cell", "province"):
            org = subjects[level]
            starts = self.page_starts(org.path)
            passes = max(1, math.ceil(self.args.repeat / len(starts)))
            paths = [
                "/api/v1/members?"
                + urlencode({"org": org.code, "limit": PAGE, **({"after": a} if a else {})})
                for a in starts
            ]
            for _ in range(math.ceil(2 * self.workers / len(paths))):
                for p in paths:
                    client.get(p)
            samples, first, baseline = [], [], []
            for _ in range(passes):
                for i, (p, after) in enumerate(zip(paths, starts, strict=True)):
                    started = time.perf_counter()
                    client.get(p)
                    samples.append((time.perf_counter() - started) * 1000)
                    if i == 0:
                        first.append(samples[-1])
                    started = time.perf_counter()
                    self.raw_page(org.path, after)
                    baseline.append((time.perf_counter() - started) * 1000)
            self.add(
                f"member list page of {PAGE}, {level} {org.code} (HTTP)",
                samples,
                baseline=baseline,
                baseline_desc="raw keyset SELECT ⨝ organisation, ORDER BY (org_path, name, id)",
                **member_page_target(),
                note=f"{len(starts)} pages spread over the list; first page p50 "
                f"{statistics.median(first):.2f} ms",
            )

    # --- recording events -------------------------------------------------------------------

    def events(self, user) -> None:
        """Exempt members then return them to activities, so the dataset ends as it began
        (apart from the events themselves, which are append-only)."""
        from django.db import transaction
        from django.utils import timezone

        from dangvu.core.errors import ValidationError
        from dangvu.members.models import Member
        from dangvu.members.services import member_event_record

        today = timezone.localdate()
        rng = random.Random(self.args.seed)
        low, high = self.sql("SELECT MIN(id), MAX(id) FROM members_member")[0]
        chosen: dict[int, Member] = {}
        for _ in range(EVENT_PAIRS * 20):
            if len(chosen) >= EVENT_PAIRS:
                break
            m = (
                Member.objects.filter(
                    status="official", exempted=False, id__gte=rng.randint(low, high)
                )
                .order_by("id")
                .first()
            )
            if m is not None:
                chosen[m.pk] = m
        samples, refused = [], 0
        for kind in ("exempted", "exemption_ended"):
            for m in chosen.values():
                started = time.perf_counter()
                try:
                    member_event_record(actor=user, member=m, type=kind, date=today)
                except ValidationError:
                    refused += 1
                    continue
                samples.append((time.perf_counter() - started) * 1000)

        if self.vendor == "sqlite":
            self.sql(
                "CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, "
                "member_id INTEGER, type TEXT, date TEXT, note TEXT)"
            )
        else:
            self.sql(
                "CREATE TABLE IF NOT EXISTS bench_scratch (id bigserial PRIMARY KEY, "
                "member_id bigint, type varchar(30), date date, note text)"
            )
        baseline = []
        for i, pk in enumerate(list(chosen) * 2):
            started = time.perf_counter()
            with transaction.atomic():
                self.sql(
                    "INSERT INTO bench_scratch (member_id, type, date, note) "
                    "VALUES (%s, %s, %s, %s)",
                    [pk, "exempted" if i % 2 else "exemption_ended", today.isoformat(), ""],
                )
            baseline.append((time.perf_counter() - started) * 1000)
        self.sql("DELETE FROM bench_scratch")
        desc = "raw 1-row INSERT into a scratch table, one transaction per row"
        note = f"{len(samples)} events (exempted, then exemption_ended), sequential"
        if refused:
            note += f"; {refused} refused by the rules"
        self.add(
            "record one membership event (service: rules, rollups, audit)",
            samples,
            baseline=baseline,
            baseline_desc=desc,
            **event_target(),
            note=note,
        )
        per_second = len(samples) / (sum(samples) / 1000) if samples else None
        self.add(
            "record membership events, one process",
            value=per_second,
            unit="events/s",
            baseline_desc=desc,
            baseline_value=len(baseline) / (sum(baseline) / 1000),
            **event_rate_target(self.vendor),
        )

    # --- member development (issue 16) ----------------------------------------------------

    def development(self, subjects: dict, user) -> None:
        """The deadlines dashboard and target progress of the province and the nation (their
        targets set for the term first), the development report of the province over the term,
        and one step recorded on open cases (identified → awareness class passed)."""
        from django.utils import timezone

        from dangvu.admission.models import Candidate
        from dangvu.admission.selectors import (
            deadlines,
            development_report,
            targets_for,
            targets_progress,
        )
        from dangvu.admission.services import StepInput, candidate_step, target_set
        from dangvu.core.db import prefix_q

        today = timezone.localdate()
        for level in ("province", "nation"):
            org = subjects[level]
            open_cases = Candidate.objects.filter(prefix_q("org_path", org.path)).count()
            target_set(
                actor=user,
                organisation=org,
                term_start=TERM[0],
                term_end=TERM[1],
                total=max(1, self.members // (40 if level == "nation" else 200)),
            )
            board = deadlines(actor=user, org=org)
            note = (
                f"{open_cases:,} cases; {board['overdue_total']:,} overdue, "
                f"{board['soon_total']:,} due within 30 days"
            )
            self.add(
                f"admission deadlines, {level} {org.code} (selector)",
                self.run(lambda org=org: deadlines(actor=user, org=org), slow=level == "nation"),
                **development_read_target(),
                note=note,
            )
            found = targets_for(actor=user, org=org)
            progress = targets_progress(found)[0]
            self.add(
                f"target progress, {level} {org.code} (selector)",
                self.run(
                    lambda org=org: targets_progress(targets_for(actor=user, org=org)), slow=True
                ),
                **development_read_target(),
                note=f"{progress['admitted']:,} admitted in {TERM[0]:%Y}-{TERM[1]:%Y}",
            )
        province = subjects["province"]
        report = development_report(actor=user, org=province, date_from=TERM[0], date_to=TERM[1])
        self.add(
            f"development report, province {province.code}, {TERM[0]:%Y}-{TERM[1]:%Y} (selector)",
            self.run(
                lambda: development_report(
                    actor=user, org=province, date_from=TERM[0], date_to=TERM[1]
                ),
                slow=True,
            ),
            note=f"{report['admitted']:,} admitted",
        )
        chosen = list(
            Candidate.objects.filter(stage="identified", stage_on__lte=today).order_by("pk")[
                :TRANSITIONS
            ]
        )
        samples = []
        for c in chosen:
            started = time.perf_counter()
            candidate_step(
                actor=user,
                candidate=c,
                step=StepInput(step="class_passed", date=today, certificate_number="CN-BENCH"),
            )
            samples.append((time.perf_counter() - started) * 1000)
        self.add(
            "record one admission step (service: rules, case, step, audit)",
            samples,
            **transition_target(),
            note=f"{len(samples)} cases identified → awareness class passed, sequential",
        )

    def attendance_storage(self) -> None:
        """Bytes of attendance per member-meeting: the absences (what differs from present)
        and the meetings' count columns' share are the attendance; reported with the whole of
        the meetings data beside it."""
        from django.db.models import Sum

        from dangvu.meetings.models import Meeting

        member_meetings = (
            Meeting.objects.filter(state__in=("held", "approved")).aggregate(n=Sum("roster"))["n"]
            or 0
        )
        if not member_meetings:
            return
        if self.vendor == "sqlite":
            absences = self.sql(
                "SELECT SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name "
                "WHERE m.tbl_name = 'meetings_meetingabsence'"
            )[0][0]
        else:
            absences = self.sql("SELECT pg_total_relation_size('meetings_meetingabsence')")[0][0]
        # The ten small counts a meeting row keeps (2 bytes each on PostgreSQL, 1-2 on SQLite).
        counts = Meeting.objects.filter(state__in=("held", "approved")).count() * 10 * 2
        total = int(absences or 0) + counts
        self.add(
            "attendance storage (absences + the meetings' counts)",
            value=total / member_meetings,
            unit="B/member-meeting",
            bytes=total,
            note=f"{member_meetings:,} member-meetings; {int(absences or 0) / 2**20:,.1f} MiB "
            "of absences",
            **attendance_storage_target(),
        )

    def meetings(self, subjects: dict, user) -> None:
        """The meetings dashboard of the province and the nation over this calendar year (the
        generated meetings fill the twelve months before this one), one meeting's attendance
        recorded for a cell of about forty members, and that cell's member's own view."""
        from django.db.models import Count
        from django.utils import timezone

        from dangvu.core.db import prefix_q
        from dangvu.meetings.choices import Absence, Kind
        from dangvu.meetings.selectors import meetings_report, own_view
        from dangvu.meetings.services import meeting_plan, meeting_record, roster
        from dangvu.members.models import Member
        from dangvu.members.services import member_link_user
        from dangvu.organisations.models import Organisation

        self.attendance_storage()
        today = timezone.localdate()
        year = (date(today.year, 1, 1), date(today.year, 12, 31))
        for level in ("province", "nation"):
            org = subjects[level]
            r = meetings_report(actor=user, org=org, date_from=year[0], date_to=year[1])
            self.add(
                f"meetings dashboard, {level} {org.code}, {year[0]:%Y} (selector)",
                self.run(
                    lambda org=org: meetings_report(
                        actor=user, org=org, date_from=year[0], date_to=year[1]
                    )
                ),
                **meetings_dashboard_target(),
                note=f"{r['meetings_held']:,} meetings of {r['cells']:,} cells; "
                f"monthly {r['monthly_share']} %, attendance {r['attendance_rate']} % "
                f"({r.get('source', 'meetings')})",
            )
        # A cell of about forty members of the province (the closest to forty).
        province = subjects["province"]
        sizes = (
            Member.objects.filter(
                prefix_q("org_path", province.path), status__in=("official", "probationary")
            )
            .values("organisation_id")
            .annotate(n=Count("*"))
            .values_list("organisation_id", "n")
        )
        cell_id, size = min(sizes, key=lambda pair: (abs(pair[1] - 40), pair[0]))
        cell = Organisation.objects.get(pk=cell_id)
        people = roster(cell, today)
        days = [today - timedelta(days=i) for i in range(1, 31)]
        planned = [
            meeting_plan(
                actor=user, organisation=cell, kind=Kind.EXTRAORDINARY, planned_on=d, notify=False
            )
            for d in days
        ]
        samples = []
        for i, m in enumerate(planned):
            absent = {
                people[(i + k) % len(people)].member_id: (Absence.EXCUSED, "Ốm") for k in (0, 1)
            }
            started = time.perf_counter()
            meeting_record(
                actor=user,
                meeting=m,
                held_on=m.planned_on,
                started_at=dt_time(19, 0),
                ended_at=dt_time(20, 45),
                absences=absent,
                content="Nội dung",
                resolution="Nghị quyết",
                minutes="Biên bản",
            )
            samples.append((time.perf_counter() - started) * 1000)
        self.add(
            "record one meeting's attendance, 40-member cell (service: roster, counts, rollup, "
            "audit)",
            samples,
            **attendance_record_target(),
            note=f"cell {cell.code} with {size} members, {len(samples)} meetings, 2 absent each",
        )
        member = Member.objects.filter(organisation=cell, status="official").order_by("pk").first()
        from django.contrib.auth import get_user_model

        reader = get_user_model().objects.filter(username="bench-member").first()
        if reader is None:
            from dangvu.accounts.services import user_create

            reader, _password = user_create(actor=None, username="bench-member", sign_in=False)
        if member.user_id != reader.pk:
            Member.objects.filter(user=reader).update(user=None)
            member_link_user(actor=None, member=member, user=reader)
        view = own_view(actor=reader)
        self.add(
            "a member's own view: next meetings, tasks, attendance, resolutions (selector)",
            self.run(lambda: own_view(actor=reader)),
            **own_view_target(),
            note=f"{len(view['attendance'])} meetings in twelve months",
        )

    def training(self, subjects: dict, user) -> None:
        """The training report of the province over the twelve months before this one (the
        generated classes of the year), every cell secretary of the province enrolled in a new
        online class at once (in a transaction rolled back, so each run starts alike), and a
        certificate's PDF."""
        from django.db import transaction
        from django.utils import timezone

        from dangvu.dataset.national.meetings import past_months
        from dangvu.members.models import Position
        from dangvu.training.models import Certificate
        from dangvu.training.pdf import certificate_pdf
        from dangvu.training.selectors import training_report
        from dangvu.training.services import SessionInput, class_create, enrol_by_position

        today = timezone.localdate()
        start, end = past_months(today)[0], today.replace(day=1) - timedelta(days=1)
        province = subjects["province"]
        r = training_report(actor=user, organisation=province, start=start, end=end)
        self.add(
            f"training report, province {province.code}, twelve months (selector)",
            self.run(
                lambda: training_report(actor=user, organisation=province, start=start, end=end)
            ),
            **training_report_target(),
            note=f"{r.classes:,} classes, {r.participants:,} people, {r.passed:,} completed, "
            f"{r.travelling:,} travelling",
        )
        samples, enrolled = [], 0
        for _ in range(self.args.slow_repeat):
            with transaction.atomic():
                c = class_create(
                    actor=user,
                    organisation=province,
                    kind="cell_skills",
                    mode="online",
                    title="Bench: every cell secretary of the province",
                    capacity=1_000_000,
                    online_link="https://hop.example.vn/bench",
                    sessions=[SessionInput(today, dt_time(7, 30), dt_time(11, 0), "Bench")],
                )
                started = time.perf_counter()
                done = enrol_by_position(
                    actor=user,
                    training_class=c,
                    under=province,
                    positions=[Position.Kind.SECRETARY],
                )
                samples.append((time.perf_counter() - started) * 1000)
                enrolled = done.enrolled
                transaction.set_rollback(True)
        self.add(
            f"enrol every cell secretary of province {province.code} in one class (service: "
            "positions, scope, roll, audit)",
            samples,
            **bulk_enrolment_target(),
            note=f"{enrolled:,} secretaries enrolled, {len(samples)} runs rolled back",
        )
        cert = Certificate.objects.order_by("pk").first()
        if cert is None:
            raise RuntimeError("no certificate: generate the dataset with its classes")
        self.add(
            "a certificate as PDF (WeasyPrint, Vietnamese font)",
            self.run(lambda: certificate_pdf(cert), slow=True),
            **certificate_pdf_target(),
            note=f"certificate {cert.number}, {len(certificate_pdf(cert)):,} bytes",
        )

    def documents(self, subjects: dict, user) -> None:
        """Document search by words and by number among every document the reader sees, and
        the implementation summary of the Central Committee's guidance sent to every commune
        of the country with the first page of its overdue recipients."""
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from dangvu.accounts.services import grant_create, user_create
        from dangvu.dataset.national.documents import NATIONAL_GUIDANCE
        from dangvu.documents.models import Document, Recipient
        from dangvu.documents.selectors import (
            document_list,
            implementation_summary,
            recipient_list,
        )

        today = timezone.localdate()
        total = Document.objects.count()
        province = subjects["province"]
        # A reader of one province: what it issued, what was sent to it and below it, and the
        # circulars sent above it (three subqueries the whole tree's reader does not need).
        reader = get_user_model().objects.filter(username="bench-documents").first()
        if reader is None:
            reader, _password = user_create(actor=None, username="bench-documents", sign_in=False)
            grant_create(actor=None, user=reader, organisation=province, role="org_staff")
        for who, actor in (("the whole tree", user), (f"province {province.code}", reader)):
            for what, q in (("words", "sinh hoat chi bo"), ("a number", NATIONAL_GUIDANCE)):
                found = document_list(actor=actor, q=q)
                self.add(
                    f"document search by {what}, reader of {who}, first page (selector)",
                    self.run(lambda q=q, a=actor: list(document_list(actor=a, q=q)[:PAGE])),
                    **document_search_target(),
                    note=f"{found.count():,} of {total:,} documents match {q!r}",
                )
        guidance = Document.objects.filter(code=NATIONAL_GUIDANCE, organisation__depth=1).first()
        if guidance is None:
            raise RuntimeError("no national guidance: generate the dataset with its documents")

        def summary():
            s = implementation_summary(actor=user, document=guidance, today=today)
            rows = list(
                recipient_list(actor=user, document=guidance, today=today, show="overdue")[:PAGE]
            )
            return s, rows

        s, _rows = summary()
        self.add(
            "implementation summary of a document sent to every commune, with the first page "
            "of the overdue (selector)",
            self.run(summary),
            **implementation_summary_target(),
            note=f"{s.total:,} recipients, {s.reported:,} reported, {s.overdue:,} overdue; "
            f"{Recipient.objects.count():,} recipient rows in all",
        )

    def interchange(self, subjects: dict) -> None:
        """A province's member list exported as XLSX by `dangvu export` in a process of its own
        (its time and peak memory); then a file of IMPORT_ROWS new members of the province's
        largest commune imported through the worker (`dangvu worker --batch`), its progress
        followed as the page follows it, its rows per second and peak memory."""
        import tempfile
        import time as clock

        from dangvu.accounts.scoping import SYSTEM
        from dangvu.interchange.models import ImportState, MemberImport
        from dangvu.interchange.services import import_create, import_enqueue, progress_read
        from dangvu.members.models import Member
        from dangvu.organisations.models import Organisation

        province = subjects["province"]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "list.xlsx"
            started = clock.perf_counter()
            rss = _child_rss(
                [
                    "export",
                    "members",
                    "--org",
                    province.code,
                    "--format",
                    "xlsx",
                    "--output",
                    str(out),
                ]
            )
            seconds = clock.perf_counter() - started
            n = Member.objects.filter(
                org_path__startswith=province.path, status__in=("official", "probationary")
            ).count()
            self.add(
                f"member list of province {province.code} as XLSX (dangvu export)",
                [seconds * 1000],
                seconds=round(seconds, 1),
                peak_rss_mib=round(rss, 1),
                **list_export_target(),
                note=f"{n:,} members, {out.stat().st_size / 1e6:.1f} MB file, "
                f"{seconds:.1f} s, peak RSS {rss:.0f} MiB",
            )

            commune = subjects["commune"]
            cells = list(
                Organisation.objects.filter(
                    path__startswith=commune.path,
                    kind__in=("cell", "grassroots_cell"),
                    valid_to__isnull=True,
                ).values_list("code", flat=True)
            )
            run = MemberImport.objects.count() % 900 + 100  # new people at every run
            path = Path(tmp) / "members.csv"
            _import_file(path, IMPORT_ROWS, cells, run)
            job = import_create(
                actor=SYSTEM,
                organisation=commune,
                data=path.read_bytes(),
                file_name=path.name,
                write=True,
            )
            import_enqueue(job)
            started = clock.perf_counter()
            worker = _child_rss(["worker", "--batch"], follow=lambda: _progress(job, progress_read))
            seconds = clock.perf_counter() - started
            job.refresh_from_db()
            self.add(
                f"import of a {IMPORT_ROWS:,}-row file of new members through the worker",
                [seconds * 1000],
                rows_per_s=round(IMPORT_ROWS / seconds),
                peak_rss_mib=round(worker, 1),
                errors=0 if job.state == ImportState.DONE else 1,
                **import_target(),
                note=f"{job.get_state_display()}: {job.written_count:,} written, "
                f"{job.rejected_count:,} rejected, into {len(cells)} cells of {commune.code}; "
                f"{seconds:.1f} s (check and write), peak RSS {worker:.0f} MiB",
            )

            # The largest list the dataset holds (after the import): its whole tree up to
            # LARGE_EXPORT members, else its largest province.
            total = Member.objects.filter(status__in=("official", "probationary")).count()
            if total <= LARGE_EXPORT:
                subject = Organisation.objects.filter(depth=1).order_by("path").first()
            else:
                subject = province
            n = Member.objects.filter(
                org_path__startswith=subject.path, status__in=("official", "probationary")
            ).count()
            out = Path(tmp) / "large.xlsx"
            started = clock.perf_counter()
            args = ["export", "members", "--org", subject.code, "--format", "xlsx"]
            rss = _child_rss([*args, "--output", str(out)])
            seconds = clock.perf_counter() - started
            self.add(
                f"member list of {subject.code} ({n:,} members) as XLSX (dangvu export)",
                [seconds * 1000],
                seconds=round(seconds, 1),
                seconds_per_150k=round(seconds * 150_000 / max(n, 1), 1),
                peak_rss_mib=round(rss, 1),
                **large_export_target(),
                note=f"{n:,} members, {out.stat().st_size / 1e6:.1f} MB file, "
                f"{seconds:.1f} s ({seconds * 150_000 / max(n, 1):.1f} s per 150,000), "
                f"peak RSS {rss:.0f} MiB",
            )

    def portal(self, subjects: dict, port: int) -> None:
        """The public portal under load: 50 readers on loopback asking its home, category and
        article pages (anonymous, as the public reads them) for PORTAL_SECONDS; and the
        heaviest page's compressed weight. Articles are written once through the services when
        the dataset has none."""
        import gzip

        from load import run_load

        from dangvu.news.models import Category
        from dangvu.news.selectors import published
        from dangvu.news.services import article_create, article_publish, categories_ensure

        if published().count() < PORTAL_ARTICLES:
            province = subjects["province"]
            categories_ensure()
            categories = list(Category.objects.all())
            for i in range(PORTAL_ARTICLES):
                a = article_create(
                    actor=None,
                    organisation=province,
                    data={
                        "title": f"Bài đo tải số {i + 1}: sinh hoạt chi bộ ở cơ sở",
                        "lead": "Bài viết sinh ra cho phép đo tải của cổng thông tin.",
                        "body": "<p>Đoạn văn của bài đo tải.</p>" * 12
                        + f"<p>Đảng bộ có [[so-lieu:members:{province.code}]].</p>",
                        "category": categories[i % len(categories)],
                        "tags": "đo tải, sinh hoạt chi bộ",
                    },
                )
                article_publish(actor=None, article=a)
        paths = ["/tin-tuc/"] + [f"/tin-tuc/muc/{c.slug}/" for c in Category.objects.all()]
        paths += [f"/tin-tuc/bai/{a.pk}/{a.slug}/" for a in published()[:PORTAL_ARTICLES]]
        weights = []
        for path in paths:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = connection.getresponse()
            body = response.read()
            if response.getheader("Content-Encoding") != "gzip":
                body = gzip.compress(body)
            weights.append((len(body) / 1024, path))
            connection.close()
        kb, heaviest = max(weights)
        self.add(
            "portal page weight, compressed, before images (heaviest page)",
            kb=kb,
            **portal_weight_target(),
            note=f"{heaviest}: {kb:.1f} KB gzip",
        )
        r = run_load(
            f"http://127.0.0.1:{port}", paths, concurrency=50, duration=PORTAL_SECONDS, warmup=3
        )
        self.add(
            f"portal: 50 concurrent readers, home, categories and {len(paths) - 4} articles "
            "(loopback, HTTP)",
            p50_ms=r["p50_ms"],
            p95_ms=r["p95_ms"],
            p99_ms=r["p99_ms"],
            pages_per_s=r["rps"],
            errors=r["errors"],
            n=r["requests"],
            **portal_load_target(),
            note=f"{r['requests']:,} pages in {PORTAL_SECONDS:.0f} s, {r['rps']:.0f}/s, "
            f"p95 {r['p95_ms']:.1f} ms, {r['errors']} errors {r['error_examples']}; "
            f"{self.workers} server workers, the client on the same two cores",
        )


# --- processes of their own ----------------------------------------------------------------------

IMPORT_ROWS = 100_000
LARGE_EXPORT = 200_000  # members: the whole tree's list up to this size, else a province's

_RSS_CHILD = """
import resource, sys
from dangvu.cli import main
sys.argv = ["dangvu", *sys.argv[1:]]
try:
    main()
finally:
    print("peak-rss-kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _child_rss(args: list[str], follow=None) -> float:
    """Run `dangvu ARGS` in a process of its own; its peak resident memory in MiB. `follow()`
    is called every second while it runs."""
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-c", _RSS_CHILD, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    while True:
        try:
            _out, err = proc.communicate(timeout=1)
            break
        except subprocess.TimeoutExpired:
            if follow is not None:
                follow()
    if proc.returncode != 0:
        raise RuntimeError(f"dangvu {' '.join(args)} failed: {err[-2000:]}")
    kib = [line for line in err.splitlines() if line.startswith("peak-rss-kib")]
    return int(kib[-1].split()[1]) / 1024


def _progress(job, progress_read) -> None:
    job.refresh_from_db()
    p = progress_read(job)
    log(f"import {job.pk}: {job.get_state_display()} {p['phase']} {p['done']:,}/{p['total']:,}")


def _import_file(path: Path, rows: int, cells: list[str], run: int) -> None:
    """A CSV of new members: names, dates and identity numbers of this run only."""
    import csv
    import random

    rng = random.Random(run)
    family = ("Nguyễn", "Trần", "Lê", "Phạm", "Y", "A", "Đinh", "Hồ")
    given = ("An", "Bình", "Hiền", "Kriêng", "Dũng", "Hoa", "Lan", "Nam", "Thái", "Xuân")
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Dân tộc",
                "Tôn giáo",
                "Quê quán",
                "Số CCCD",
                "Trình độ GDPT",
                "Chuyên môn",
                "Lý luận chính trị",
                "Nghề nghiệp",
                "Ngày vào Đảng",
                "Ngày chính thức",
                "Chi bộ",
            ]
        )
        for i in range(rows):
            y = rng.randint(1950, 1998)
            w.writerow(
                [
                    f"{rng.choice(family)} Nhập {run} {rng.choice(given)} {i}",
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{y}",
                    rng.choice(("Nam", "Nữ")),
                    rng.choice(("Kinh", "Xơ Đăng", "Ba Na", "Tày")),
                    "Không",
                    "Xã Đăk Pék",
                    f"099{run:03d}{i:06d}",
                    "12/12",
                    "Đại học",
                    "Sơ cấp",
                    "Nông dân",
                    f"15/06/{y + 25}",
                    f"15/06/{y + 26}",
                    cells[i % len(cells)],
                ]
            )


# --- HTTP -------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection (http.client reconnects by itself when the server closes)."""

    def __init__(self, port: int, key: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.headers = {"Authorization": f"Bearer {key}", "Connection": "keep-alive"}

    def get(self, path: str) -> bytes:
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:300]!r}")
        return body

    def check_total(self, path: str, total: int) -> None:
        got = json.loads(self.get(path))["members"]["total"]
        if got != total:
            raise RuntimeError(f"GET {path}: {got} members, the selector says {total}")

    def close(self) -> None:
        self.connection.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`dangvu serve` (gunicorn, as in production) in its own process group."""

    def __init__(self, log_path: Path, workers: int | None):
        self.port = free_port()
        command = [
            str(Path(sys.executable).with_name("dangvu")),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-worker",  # the import is measured with a worker of its own
        ]
        if workers:
            command += ["--workers", str(workers)]
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, key: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"dangvu serve exited ({self.process.returncode}); see {self.log.name}"
                )
            try:
                Client(self.port, key).get("/api/v1/me")
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.3)
        raise RuntimeError(f"dangvu serve did not answer within {timeout} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed runs of a fast operation")
    parser.add_argument("--slow-repeat", type=int, default=5, help="timed runs of a slow one")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per operation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers", type=int, default=None, help="server workers (serve's default)"
    )
    parser.add_argument(
        "--log",
        type=Path,
        default=Path(__file__).parent / "out" / "serve.log",
        help="the server's output (default bench/out/serve.log, untracked)",
    )
    parser.add_argument(
        "--only",
        default="",
        help='these sections only, by name, comma-separated ("data in and out"): to measure '
        "one change without the rest",
    )
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings")
    import django

    django.setup()
    from django.conf import settings

    from dangvu.members.models import Member

    bench = Bench(args)
    bench.workers = args.workers or settings.DANGVU_SERVE_WORKERS
    bench.members = Member.objects.count()
    log(f"{bench.vendor}, {bench.members:,} members")
    bench.database_size()
    user, key = bench.bench_user()
    subjects = bench.subjects()
    bench.ensure_cover_index()

    served = (
        ("report today", bench.reports_today, True),
        ("report as of", bench.reports_as_of, True),
        ("official forms as files", bench.exports, False),
        ("name search", bench.name_search, "user"),
        ("member list page", bench.member_pages, True),
        ("portal", bench.portal, "port"),
    )
    if any(wanted(name) for name, _f, _a in served):
        server = Server(args.log, args.workers)
        try:
            server.wait_ready(key)
            client = Client(server.port, key)
            for name, section, takes in served:
                if not wanted(name):
                    continue
                if takes is True:
                    bench.section(name, section, subjects, client)
                elif takes == "user":
                    bench.section(name, section, user, client)
                elif takes == "port":
                    bench.section(name, section, subjects, server.port)
                else:
                    bench.section(name, section, subjects)
            client.close()
        finally:
            server.stop()
    for name, section, arguments in (
        ("record event", bench.events, (user,)),
        ("member development", bench.development, (subjects, user)),
        ("cell meetings", bench.meetings, (subjects, user)),
        ("training", bench.training, (subjects, user)),
        ("documents", bench.documents, (subjects, user)),
        # Last: the import adds its members to the dataset (new ones at every run).
        ("data in and out", bench.interchange, (subjects,)),
    ):
        if wanted(name):
            bench.section(name, section, *arguments)
    json.dump(bench.rows, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
