"""`make bench`: Dangvu against the raw engine, on a generated country of N members.

For SQLite always, and for PostgreSQL when DATABASE_URL is set: make sure the database holds
the dataset (`dangvu migrate`, `dangvu generate`, resumable, so a second run reuses it), run
bench/measure.py against it in a child process (the environment chooses the database, as for
every `dangvu` command), then print one table, write it out and exit non-zero when a target
(bench/targets.py) is missed.

The results go to bench/out/, which git ignores (--out or BENCH_OUT for another folder), and
to bench/results/, the tracked ones that the README and the decisions cite, only when asked:
--record, BENCH_RECORD=1 or `make bench RECORD=1`, so that a run to try something out leaves
every tracked file as it was. Generating takes minutes at national size, so its figures are carried
over when the dataset is reused, from the untracked results or the recorded ones, whichever
measured it last.

    .venv/bin/python bench/run.py --members 1000000 [--engines sqlite,postgresql] [--record]

BENCH_DATA_DIR (or --data-dir) points the SQLite run at an existing data directory instead
of bench/data/sqlite-<N>.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from targets import generate_target, judge, missed

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"  # tracked: written with --record only
OUT = BENCH / "out"  # untracked (.gitignore): every other run's results, and the servers' logs
DANGVU = Path(sys.executable).with_name("dangvu")
YES = ("1", "yes", "true")
SUMMARY = re.compile(
    r"Generated (?P<members>[\d,]+) members in (?P<units>[\d,]+) units "
    r"\((?P<skipped>[\d,]+) already there\).* in (?P<seconds>[\d.]+) s .*"
    r"peak RSS (?P<rss>[\d,]+) MiB"
)


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def flag(value: str | None) -> bool:
    """An environment switch such as BENCH_RECORD: 1, yes or true is on; unset, empty, 0 or
    anything else is off, so that BENCH_RECORD=0 does not record."""
    return (value or "").strip().lower() in YES


def destination(record: bool, out: Path) -> Path:
    """Where a run writes its results: bench/results/ when it records them, else the
    untracked folder."""
    return RESULTS if record else out


def sources(out: Path) -> tuple[Path, ...]:
    """Where a run looks for an earlier generation's figures: the untracked folder, then the
    recorded results, whether or not this run records."""
    return (out, RESULTS)


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


def previous_generate(engine: str, members: int, folders: tuple[Path, ...]) -> dict | None:
    """The last measured generation of this dataset, looked for in each folder's results for
    this engine and size (a later run on another engine rewrites latest.json), then its
    latest.json. The most recently measured wins, so that an unrecorded run does not hide a
    newer recorded measurement, nor the other way round; on a tie, the first folder's."""
    found = []
    for folder in folders:
        for name in (f"{engine}-{members}.json", "latest.json"):
            try:
                rows = json.loads((folder / name).read_text())
            except (OSError, ValueError):
                continue
            if not isinstance(rows, list):
                continue
            found += [
                row
                for row in rows
                if isinstance(row, dict)
                and row.get("operation") == "generate the dataset"
                and row.get("engine") == engine
                and row.get("members") == members
                and row.get("value") is not None
            ]
    return max(found, key=lambda row: row.get("measured_at") or "", default=None)


def generation_row(
    engine: str,
    members: int,
    *,
    units: int,
    skipped: int,
    wall: float,
    rss: float,
    said: str,
    earlier: dict | None,
) -> dict:
    """The row describing a `dangvu generate` that took `wall` seconds and `rss` MiB at its
    peak, and found `skipped` of its `units` already there.

    A dataset that was all there is not measured again: `earlier`'s figures are carried over,
    held to today's target rather than the one they were recorded with. A resumed run has
    no rate (part of the work was done before), but its peak RSS still counts."""
    row = {
        "operation": "generate the dataset",
        "engine": engine,
        "members": members,
        **generate_target(engine),
        "unit": "members/s",
        "measured_at": datetime.now().isoformat(timespec="seconds"),
    }
    if skipped == units:
        if earlier is None:
            return {**row, "value": None, "note": "reused dataset; no earlier measurement kept"}
        return {
            **earlier,
            "checks": row["checks"],
            "target": row["target"],
            "note": f"reused dataset; measured {earlier.get('measured_at', '?')}: "
            f"{earlier.get('detail', '')}",
        }
    if skipped:
        return {
            **row,
            "value": None,
            "peak_rss_mib": rss,
            "note": f"resumed ({skipped:,} of {units:,} units were there): {wall:,.0f} s, "
            f"peak RSS {rss:,.0f} MiB; the rate of a partial run is not comparable",
        }
    detail = f"{wall:,.0f} s wall, peak RSS {rss:,.0f} MiB ({said})"
    return {
        **row,
        "value": members / wall,
        "seconds": wall,
        "peak_rss_mib": rss,
        "detail": detail,
        "note": detail,
    }


def prepare(engine: str, members: int, seed: int, env: dict, folders: tuple[Path, ...]) -> dict:
    """Migrate and generate (or resume); the row describing the generation (earlier figures
    for a reused dataset come from `folders`).

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
    return generation_row(
        engine,
        members,
        units=units,
        skipped=skipped,
        wall=wall,
        rss=usage.ru_maxrss / 1024,
        said=f"generate says {summary['seconds']} s, {summary['rss']} MiB",
        earlier=previous_generate(engine, members, folders) if skipped == units else None,
    )


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
    """bench/measure.py's rows; the server it starts logs to the untracked folder."""
    command = [
        sys.executable,
        str(BENCH / "measure.py"),
        "--repeat",
        str(args.repeat),
        "--slow-repeat",
        str(args.slow_repeat),
        "--log",
        str(args.out / f"serve-{engine}.log"),
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


def write(folder: Path, name: str, rows: list[dict], title: str) -> list[Path]:
    """The table as markdown and the rows as JSON, in `folder`; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / f"{name}.md", folder / f"{name}.json"
    md.write_text(f"# {title}\n\n{markdown(rows)}")
    js.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    return [md, js]


def shown(path: Path) -> str:
    """A path as typed from the current directory, when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def where(written: list[Path], record: bool) -> str:
    """The line saying where the results went, and how to record them when they were not."""
    folders = sorted({shown(path.parent) for path in written})
    names = ", ".join(path.name for path in written)
    if record:
        return f"Recorded in {', '.join(folders)}/: {names}"
    return (
        f"Written to {', '.join(folders)}/ (untracked): {names}. "
        f"To record them in {shown(RESULTS)}/: --record, or make bench RECORD=1."
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
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
    parser.add_argument(
        "--record",
        action="store_true",
        default=flag(os.environ.get("BENCH_RECORD")),
        help="write the results to bench/results/, the tracked ones (env BENCH_RECORD=1)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ["BENCH_OUT"]) if os.environ.get("BENCH_OUT") else OUT,
        help="untracked folder for the results unless recorded, and for the servers' logs "
        "(default bench/out/; env BENCH_OUT)",
    )
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for engine in engines:
        if engine not in ("sqlite", "postgresql"):
            parser.error(f"--engines: unknown engine {engine!r}")
        if engine == "postgresql" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            parser.error("--engines postgresql needs DATABASE_URL=postgres://...")
    args.engines = engines
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    folder = destination(args.record, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    say(f"results go to {shown(folder)}/" + ("" if args.record else " (not recorded)"))

    everything: list[dict] = []
    written: list[Path] = []
    for engine in args.engines:
        env = engine_env(engine, args.members, args.data_dir)
        rows: list[dict] = []
        try:
            prepared = prepare(engine, args.members, args.seed, env, sources(args.out))
            rows.append(judge(prepared))
            snapshots(engine, env)
            warm(engine, env)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            rows.append(failed(engine, args.members, "prepare the dataset", exc))
        else:
            try:
                rows += measure(engine, env, args)
            except (RuntimeError, ValueError) as exc:
                rows.append(failed(engine, args.members, "measure", exc))
        title = f"Dangvu bench: {engine}, {args.members:,} members"
        written += write(folder, f"{engine}-{args.members}", rows, title)
        everything += rows

    title = f"Dangvu bench: {args.members:,} members ({datetime.now():%Y-%m-%d %H:%M})"
    written += write(folder, "latest", everything, title)
    print(markdown(everything))
    print(where(written, args.record))
    misses = missed(everything)
    if misses:
        print(f"{len(misses)} target(s) missed:")
        for r in misses:
            print(f"  {r['operation']} ({r['engine']}): {'; '.join(r['misses'])}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
