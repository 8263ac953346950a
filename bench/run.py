"""`make bench`: Dangvu against the raw engine, on a generated country of N members.

For SQLite always, and for PostgreSQL when DATABASE_URL is set: make sure the database holds
the dataset (`dangvu migrate`, `dangvu generate`, resumable, so a second run reuses it), run
bench/measure.py against it in a child process (the environment chooses the database, as for
every `dangvu` command), then print one table, write it to bench/results/ and exit non-zero
when a target is missed. Generating takes minutes at national size, so its figures are kept
in bench/results/latest.json and carried over when the dataset is reused.

    .venv/bin/python bench/run.py --members 1000000 [--engines sqlite,postgresql]

BENCH_DATA_DIR (or --data-dir) points the SQLite run at an existing data directory instead
of bench/data/sqlite-<N>.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from measure import judge

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
DANGVU = Path(sys.executable).with_name("dangvu")
# ≤ 15 minutes per 5.6M members, whatever the size: on PostgreSQL, the production engine
# (docs/decisions/0008); SQLite's rate is reported, not checked.
GENERATE_RATE = 5_600_000 / (15 * 60)
GENERATE_RATE_ENGINES = ("postgresql",)
GENERATE_RSS_MIB = 1024
SUMMARY = re.compile(
    r"Generated (?P<members>[\d,]+) members in (?P<units>[\d,]+) units "
    r"\((?P<skipped>[\d,]+) already there\).* in (?P<seconds>[\d.]+) s .*"
    r"peak RSS (?P<rss>[\d,]+) MiB"
)


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def engine_env(engine: str, members: int, data_dir: Path | None) -> dict:
    env = dict(os.environ, DANGVU_DEBUG="0")
    if engine == "sqlite":
        env.pop("DATABASE_URL", None)
        env["DANGVU_DATA_DIR"] = str(data_dir or BENCH / "data" / f"sqlite-{members}")
    else:
        # The database is DATABASE_URL's; the data directory only holds the secret key and
        # the static files that `dangvu serve` collects.
        env.setdefault("DANGVU_DATA_DIR", str(BENCH / "data" / "postgresql"))
    return env


def previous_generate(engine: str, members: int) -> dict | None:
    """The last measured generation of this dataset: in this engine and size's own results
    (a later run on another engine rewrites latest.json), else in latest.json."""
    for name in (f"{engine}-{members}.json", "latest.json"):
        try:
            rows = json.loads((RESULTS / name).read_text())
        except (OSError, ValueError):
            continue
        for row in rows:
            if (
                row.get("operation") == "generate the dataset"
                and row.get("engine") == engine
                and row.get("members") == members
                and row.get("value") is not None
            ):
                return row
    return None


def generate_target(engine: str) -> dict:
    """The generation row's checks and target text for an engine."""
    rss = ["peak_rss_mib", "<=", GENERATE_RSS_MIB]
    if engine in GENERATE_RATE_ENGINES:
        rate = math.ceil(GENERATE_RATE)
        return {
            "checks": [["value", ">=", rate], rss],
            "target": f"≥ {rate:,} members/s (15 min per 5.6M); peak RSS ≤ 1 GiB",
        }
    return {
        "checks": [rss],
        "target": "peak RSS ≤ 1 GiB (the rate target is PostgreSQL's: docs/decisions/0008)",
    }


def prepare(engine: str, members: int, seed: int, env: dict) -> dict:
    """Migrate and generate (or resume); the row describing the generation.

    The child's peak RSS comes from os.wait4, so it is that process's alone (RUSAGE_CHILDREN
    keeps the maximum over every child ever waited for)."""
    subprocess.run([DANGVU, "migrate", "--noinput", "-v0"], env=env, check=True)
    say(f"{engine}: dangvu generate --members {members:,} (resumes or reuses what is there)")
    started = time.monotonic()
    child = subprocess.Popen(
        [DANGVU, "generate", "--members", str(members), "--seed", str(seed), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if child.returncode:
        raise RuntimeError(f"dangvu generate failed ({child.returncode}): {output.strip()}")
    say(f"{engine}: {output.strip()}")
    summary = SUMMARY.search(output)
    if summary is None:
        raise RuntimeError(f"dangvu generate: unexpected summary {output.strip()!r}")
    units, skipped = number(summary["units"]), number(summary["skipped"])
    row = {
        "operation": "generate the dataset",
        "engine": engine,
        "members": members,
        **generate_target(engine),
        "unit": "members/s",
        "measured_at": datetime.now().isoformat(timespec="seconds"),
    }
    if skipped == units:
        earlier = previous_generate(engine, members)
        if earlier is None:
            return {**row, "value": None, "note": "reused dataset; no earlier measurement kept"}
        return {
            **earlier,
            "checks": row["checks"],
            "target": row["target"],
            "note": f"reused dataset; measured {earlier.get('measured_at', '?')}: "
            f"{earlier.get('detail', '')}",
        }
    rss = usage.ru_maxrss / 1024
    if skipped:
        return {
            **row,
            "value": None,
            "peak_rss_mib": rss,
            "note": f"resumed ({skipped:,} of {units:,} units were there): {wall:,.0f} s, "
            f"peak RSS {rss:,.0f} MiB; the rate of a partial run is not comparable",
        }
    detail = (
        f"{wall:,.0f} s wall, peak RSS {rss:,.0f} MiB (generate says {summary['seconds']} s, "
        f"{summary['rss']} MiB)"
    )
    return {
        **row,
        "value": members / wall,
        "seconds": wall,
        "peak_rss_mib": rss,
        "detail": detail,
        "note": detail,
    }


def snapshots(engine: str, env: dict) -> None:
    """The nightly `dangvu snapshots`: a reused dataset gets the month starts a production
    database would have by now, so reports as of a past date are measured as they would run."""
    started = time.monotonic()
    done = subprocess.run(
        [DANGVU, "snapshots"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        say(f"{engine}: dangvu snapshots failed, continuing: {done.stderr.strip()[-300:]}")
    else:
        say(f"{engine}: {done.stdout.strip()} ({time.monotonic() - started:,.1f} s)")


def warm(engine: str, env: dict) -> None:
    """SQLite: read the database file once, so that its pages are in the operating system's
    cache, as on a server that has been answering for a while. This machine's cache was seen
    emptied between runs: a 1M-member file read back from the disk page by page recorded
    185 events/s against 236-267/s once read."""
    if engine != "sqlite":
        return
    started, size = time.monotonic(), 0
    for path in sorted(Path(env["DANGVU_DATA_DIR"]).glob("dangvu.sqlite3*")):
        with path.open("rb") as file:
            while chunk := file.read(1 << 22):
                size += len(chunk)
    say(
        f"{engine}: database files read once ({size / 2**20:,.0f} MiB, "
        f"{time.monotonic() - started:,.1f} s)"
    )


def measure(engine: str, env: dict, args) -> list[dict]:
    command = [
        sys.executable,
        str(BENCH / "measure.py"),
        "--repeat",
        str(args.repeat),
        "--slow-repeat",
        str(args.slow_repeat),
        "--log",
        str(RESULTS / f"serve-{engine}.log.tmp"),
    ]
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"bench/measure.py failed ({done.returncode})")
    return json.loads(done.stdout)


def failed(engine: str, members: int, what: str, exc: Exception) -> dict:
    return {
        "operation": f"{what}: FAILED",
        "engine": engine,
        "members": members,
        "note": str(exc)[:300],
        "ok": False,
        "misses": [str(exc)[:300]],
    }


# --- the table ---------------------------------------------------------------------------------


def _ms(value) -> str:
    return "" if value is None else f"{value:,.2f}"


def _ratio(value) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def cells(row: dict) -> list[str]:
    if row.get("unit"):
        p50 = "" if row.get("value") is None else f"{row['value']:,.0f} {row['unit']}"
        p95 = ""
        base = row.get("baseline_value")
        baseline = "" if base is None else f"{base:,.0f} {row['unit']}"
    else:
        p50, p95, baseline = _ms(row.get("p50_ms")), _ms(row.get("p95_ms")), ""
        baseline = _ms(row.get("baseline_p50_ms"))
    ok = {True: "ok", False: "MISS", None: ""}[row.get("ok")]
    return [
        row["operation"],
        row["engine"],
        f"{row['members']:,}",
        p50,
        p95,
        baseline,
        _ratio(row.get("ratio")),
        row.get("target", ""),
        ok,
    ]


HEADER = [
    "operation",
    "engine",
    "size",
    "p50 ms",
    "p95 ms",
    "baseline p50 ms",
    "ratio",
    "target",
    "ok",
]


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    baselines = sorted({r["baseline"] for r in rows if r.get("baseline")})
    notes = [f"- {r['operation']} ({r['engine']}): {r['note']}" for r in rows if r.get("note")]
    misses = [
        f"- {r['operation']} ({r['engine']}): {'; '.join(r['misses'])}"
        for r in rows
        if r.get("ok") is False
    ]
    text = "\n".join(lines) + "\n"
    text += "\nRatio = baseline p50 / Dangvu p50. Baselines:\n\n"
    text += "\n".join(f"- {b}" for b in baselines) + "\n"
    text += "\nNotes:\n\n" + "\n".join(notes) + "\n"
    if misses:
        text += "\nTargets missed:\n\n" + "\n".join(misses) + "\n"
    return text


def write(name: str, rows: list[dict], title: str) -> None:
    (RESULTS / f"{name}.md").write_text(f"# {title}\n\n{markdown(rows)}")
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument(
        "--engines",
        default="sqlite,postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        help="comma-separated: sqlite, postgresql (needs DATABASE_URL)",
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed runs of a fast operation")
    parser.add_argument("--slow-repeat", type=int, default=5, help="timed runs of a slow one")
    parser.add_argument("--seed", type=int, default=1, help="dangvu generate --seed")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ["BENCH_DATA_DIR"]) if os.environ.get("BENCH_DATA_DIR") else None,
        help="SQLite data directory (default bench/data/sqlite-<N>; env BENCH_DATA_DIR)",
    )
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for engine in engines:
        if engine not in ("sqlite", "postgresql"):
            parser.error(f"--engines: unknown engine {engine!r}")
        if engine == "postgresql" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            parser.error("--engines postgresql needs DATABASE_URL=postgres://...")
    RESULTS.mkdir(parents=True, exist_ok=True)

    everything: list[dict] = []
    for engine in engines:
        env = engine_env(engine, args.members, args.data_dir)
        rows: list[dict] = []
        try:
            rows.append(judge(prepare(engine, args.members, args.seed, env)))
            snapshots(engine, env)
            warm(engine, env)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            rows.append(failed(engine, args.members, "prepare the dataset", exc))
        else:
            try:
                rows += measure(engine, env, args)
            except (RuntimeError, ValueError) as exc:
                rows.append(failed(engine, args.members, "measure", exc))
        write(f"{engine}-{args.members}", rows, f"Dangvu bench: {engine}, {args.members:,} members")
        everything += rows

    title = f"Dangvu bench: {args.members:,} members ({datetime.now():%Y-%m-%d %H:%M})"
    write("latest", everything, title)
    print(markdown(everything))
    misses = [r for r in everything if r.get("ok") is False]
    if misses:
        print(f"{len(misses)} target(s) missed:")
        for r in misses:
            print(f"  {r['operation']} ({r['engine']}): {'; '.join(r['misses'])}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
