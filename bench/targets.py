"""The bench's targets: which check applies to which operation, engine and size, and how a row
is judged against them.

Plain functions, with no database and no Django, so that bench/tests can hold every rule to
its word; bench/measure.py and bench/run.py take their checks from here and nowhere else. A
rule is {"checks": [[metric, "<=" or ">=", limit], ...], "target": the same in words, for the
table}; a row carries its rule's two keys next to what was measured, and `judge` sets its
"ok" and "misses". The limits are issue 3's, as docs/decisions/0008 reads them.

No rule depends on the size: each limit is per call, per member or per second, so 1M members
and the national 5.6M are held to the same figures.
"""

import math

__all__ = [
    "EVENT_RATE",
    "GENERATE_RATE",
    "GENERATE_RSS_MIB",
    "NATION_RATIO",
    "SIZE_PER_MEMBER",
    "database_size_target",
    "development_read_target",
    "transition_target",
    "meetings_dashboard_target",
    "attendance_record_target",
    "own_view_target",
    "training_report_target",
    "bulk_enrolment_target",
    "certificate_pdf_target",
    "attendance_storage_target",
    "ATTENDANCE_BYTES",
    "event_rate_target",
    "event_target",
    "generate_target",
    "judge",
    "member_page_target",
    "missed",
    "name_search_target",
    "report_as_of_target",
    "report_today_target",
    "export_target",
]

# ≤ 15 minutes per 5.6M members, whatever the size: on PostgreSQL, the production engine
# (docs/decisions/0008); SQLite's rate is reported, not checked.
GENERATE_RATE = 5_600_000 / (15 * 60)
GENERATE_RATE_ENGINES = ("postgresql",)
GENERATE_RSS_MIB = 1024
SIZE_PER_MEMBER = 1536  # bytes: 1.5 KiB, on both engines
NATION_RATIO = 500  # the raw GROUP BY's p50 over the selector's, for the nation today
# ≥ 200 events/s "from one process on SQLite" (issue 3, quoted in docs/decisions/0008).
EVENT_RATE = 200
EVENT_RATE_ENGINES = ("sqlite",)
VIAS = ("selector", "HTTP")


def rule(checks: list, target: str) -> dict:
    return {"checks": checks, "target": target}


def _via(via: str) -> str:
    if via not in VIAS:
        raise ValueError(f"via: {via!r} is neither of {VIAS}")
    return via


# --- generating the dataset ------------------------------------------------------------------


def generate_target(engine: str) -> dict:
    """Generation's rate, ≥ 5.6M members per 15 minutes, is checked on PostgreSQL only: the
    issue names no engine, and a national registry runs on PostgreSQL (docs/decisions/0008).
    SQLite's rate is still shown in the row, just not judged. Peak RSS ≤ 1 GiB is checked on
    every engine. The rate is rounded up to whole members/s (6,223), the strict side of 15
    minutes."""
    rss = ["peak_rss_mib", "<=", GENERATE_RSS_MIB]
    if engine in GENERATE_RATE_ENGINES:
        rate = math.ceil(GENERATE_RATE)
        return rule(
            [["value", ">=", rate], rss],
            f"≥ {rate:,} members/s (15 min per 5.6M); peak RSS ≤ 1 GiB",
        )
    return rule([rss], "peak RSS ≤ 1 GiB (the rate target is PostgreSQL's: docs/decisions/0008)")


def database_size_target() -> dict:
    """≤ 1.5 KiB per member row on both engines, counting Dangvu's own tables and indexes
    (bench/measure.py leaves the bench-only objects out)."""
    return rule([["value", "<=", SIZE_PER_MEMBER]], f"≤ {SIZE_PER_MEMBER} B/member")


# --- reads -----------------------------------------------------------------------------------


def report_today_target(level: str, via: str) -> dict:
    """Today's membership report costs the same for the nation as for a cell (issue 3,
    docs/decisions/0002): p50 ≤ 5 ms through the selector and ≤ 30 ms over HTTP, at every
    level. At the nation, where the engine has the most members to count, the selector must
    also be 500 times quicker than the engine's own GROUP BY over a covering index."""
    if _via(via) == "HTTP":
        return rule([["p50_ms", "<=", 30]], "p50 ≤ 30 ms")
    if level == "nation":
        return rule(
            [["p50_ms", "<=", 5], ["ratio", ">=", NATION_RATIO]],
            f"p50 ≤ 5 ms; ratio ≥ {NATION_RATIO}",
        )
    return rule([["p50_ms", "<=", 5]], "p50 ≤ 5 ms")


def report_as_of_target(via: str) -> dict:
    """A report as of a past date, for any subtree (a cell, a commune, the largest province,
    the nation, and the subtrees just below and above the snapshot threshold): p50 ≤ 20 ms
    through the selector, and never slower than the raw GROUP BY of the same run (ratio ≥ 1;
    issue 15). Over HTTP it is timed for the table but has no target of its own."""
    if _via(via) == "HTTP":
        return rule([], "")
    return rule([["p50_ms", "<=", 20], ["ratio", ">=", 1]], "p50 ≤ 20 ms; ratio ≥ 1")


def export_target() -> dict:
    """An official form of the largest province as a file (Excel or PDF), its figures counted
    and the file rendered: p50 ≤ 1 s (issue 15)."""
    return rule([["p50_ms", "<=", 1000]], "p50 ≤ 1 s")


def name_search_target(via: str) -> dict:
    """The first 20 matches of a name search: p95 ≤ 20 ms through the selector, ≤ 50 ms over
    HTTP, for every query measured (a prefix, a full name, a common family name, words out of
    order)."""
    if _via(via) == "HTTP":
        return rule([["p95_ms", "<=", 50]], "p95 ≤ 50 ms")
    return rule([["p95_ms", "<=", 20]], "p95 ≤ 20 ms")


def member_page_target() -> dict:
    """One page of 50 of a member list over HTTP, anywhere in a cell's or a province's list:
    p95 ≤ 50 ms (the pages are spread over the list, so a late page counts as much as the
    first)."""
    return rule([["p95_ms", "<=", 50]], "p95 ≤ 50 ms")


# --- writes ----------------------------------------------------------------------------------


def event_target() -> dict:
    """Recording one membership event through the service (rules, rollups, audit): p95 ≤ 20
    ms, on every engine."""
    return rule([["p95_ms", "<=", 20]], "p95 ≤ 20 ms")


def event_rate_target(engine: str) -> dict:
    """Events recorded one after another by one process: ≥ 200/s on SQLite, which has one
    writer. On PostgreSQL the rate is reported only; concurrent writers are
    bench/contention.py's."""
    if engine in EVENT_RATE_ENGINES:
        return rule([["value", ">=", EVENT_RATE]], f"≥ {EVENT_RATE} events/s")
    return rule([], "")


# --- member development (issue 16) ----------------------------------------------------------


def development_read_target() -> dict:
    """The admission deadlines dashboard and a committee's target progress, for a province and
    the nation: p50 ≤ 50 ms on both engines (issue 16)."""
    return rule([["p50_ms", "<=", 50]], "p50 ≤ 50 ms")


def transition_target() -> dict:
    """One step of an admission case through the service (its rules, the case, its step, the
    audit): p95 ≤ 20 ms (issue 16)."""
    return rule([["p95_ms", "<=", 20]], "p95 ≤ 20 ms")


# --- cell meetings (issue 17) ------------------------------------------------------------------

ATTENDANCE_BYTES = 20  # per member-meeting, indexes included


def meetings_dashboard_target() -> dict:
    """The meetings dashboard of a province and of the nation over a year: p50 ≤ 50 ms on both
    engines (issue 17)."""
    return rule([["p50_ms", "<=", 50]], "p50 ≤ 50 ms")


def attendance_record_target() -> dict:
    """Recording one meeting's attendance for a 40-member cell: p95 ≤ 50 ms (issue 17)."""
    return rule([["p95_ms", "<=", 50]], "p95 ≤ 50 ms")


def training_report_target() -> dict:
    """The training report of a province over a year: p50 ≤ 50 ms on both engines (issue 18)."""
    return rule([["p50_ms", "<=", 50]], "p50 ≤ 50 ms")


def bulk_enrolment_target() -> dict:
    """Every cell secretary of a province enrolled in one class: the issue asks for the figure
    ("seconds"); Dangvu holds it to 10 s, a wait an officer accepts for one action."""
    return rule([["p50_ms", "<=", 10_000]], "p50 ≤ 10 s")


def certificate_pdf_target() -> dict:
    """A certificate as PDF: p50 ≤ 500 ms (issue 18)."""
    return rule([["p50_ms", "<=", 500]], "p50 ≤ 500 ms")


def own_view_target() -> dict:
    """A member's own view (next meetings, tasks, attendance, resolutions): p95 ≤ 20 ms."""
    return rule([["p95_ms", "<=", 20]], "p95 ≤ 20 ms")


def attendance_storage_target() -> dict:
    """Attendance costs at most 20 bytes per member-meeting on average, indexes included."""
    return rule([["value", "<=", ATTENDANCE_BYTES]], f"≤ {ATTENDANCE_BYTES} B/member-meeting")


# --- judging ---------------------------------------------------------------------------------


def judge(row: dict) -> dict:
    """Set row["ok"] and row["misses"] from row["checks"]; a limit is met when equalled. A
    check on a metric that was not measured is neither met nor missed, and a row with no
    measured check has ok None: it is shown, and fails nothing."""
    misses, judged = [], False
    for metric, op, limit in row.get("checks", []):
        value = row.get(metric)
        if value is None:
            continue
        judged = True
        if (op == "<=" and value > limit) or (op == ">=" and value < limit):
            misses.append(f"{metric} {value:,.2f} (target {op} {limit:,})")
    row["ok"] = (not misses) if judged else None
    row["misses"] = misses
    return row


def missed(rows: list[dict]) -> list[dict]:
    """The rows that make the bench exit non-zero: a missed target or a failed step (ok
    False), never a row that was only reported (ok None)."""
    return [row for row in rows if row.get("ok") is False]


def document_search_target() -> dict:
    """Document search (words or a number) among every document a reader sees at 5.6M: p50 ≤
    50 ms (issue 19)."""
    return rule([["p50_ms", "<=", 50]], "p50 ≤ 50 ms")


def implementation_summary_target() -> dict:
    """Who has and has not reported on a document sent to every commune of the country (3,321
    recipients), with the first page of the overdue: p50 ≤ 50 ms (issue 19)."""
    return rule([["p50_ms", "<=", 50]], "p50 ≤ 50 ms")


def portal_load_target() -> dict:
    """The public portal's home and article pages to 50 concurrent readers on loopback: p95 ≤
    50 ms, at least 300 pages a second, no error (issue 19)."""
    return rule(
        [["p95_ms", "<=", 50], ["pages_per_s", ">=", 300], ["errors", "<=", 0]],
        "p95 ≤ 50 ms, ≥ 300 pages/s, 0 errors",
    )


def portal_weight_target() -> dict:
    """A portal page's weight compressed, before images: ≤ 50 KB (issue 19)."""
    return rule([["kb", "<=", 50]], "≤ 50 KB compressed")


def import_target() -> dict:
    """A 100,000-row file of member records imported through the worker, every rule applied: at
    least 2,000 rows a second, peak memory ≤ 500 MiB (issue 20)."""
    return rule(
        [["rows_per_s", ">=", 2000], ["peak_rss_mib", "<=", 500], ["errors", "<=", 0]],
        "≥ 2,000 rows/s, peak RSS ≤ 500 MiB",
    )


def list_export_target() -> dict:
    """A province's member list (150,000 at 5.6M) as XLSX: ≤ 60 s, peak memory ≤ 300 MiB
    (issue 20)."""
    return rule([["seconds", "<=", 60], ["peak_rss_mib", "<=", 300]], "≤ 60 s, peak RSS ≤ 300 MiB")


def large_export_target() -> dict:
    """The largest member list the dataset holds (the whole tree up to 200,000 members, else
    its largest province) as XLSX, its time scaled to 150,000 members: ≤ 60 s, peak memory
    ≤ 300 MiB whatever its size (issue 20: the bound the 150,000-member province needs)."""
    return rule(
        [["seconds_per_150k", "<=", 60], ["peak_rss_mib", "<=", 300]],
        "≤ 60 s per 150,000 members, peak RSS ≤ 300 MiB",
    )
