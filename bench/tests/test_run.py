"""bench/run.py's bookkeeping, without a database: where the results go (untracked unless
recorded), where an earlier generation's figures are found when a dataset is reused, and how
the generation's row is held to today's target. Every test points run.RESULTS at a temporary
folder, so that none of them can touch the recorded results."""

import json
from pathlib import Path

import pytest
import run
from targets import GENERATE_RSS_MIB

BENCH = Path(run.__file__).resolve().parent


@pytest.fixture
def results(tmp_path, monkeypatch) -> Path:
    """A stand-in for bench/results/, the recorded results."""
    folder = tmp_path / "results"
    folder.mkdir()
    monkeypatch.setattr(run, "RESULTS", folder)
    return folder


@pytest.fixture
def out(tmp_path) -> Path:
    """A stand-in for bench/out/, the untracked results."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def environ(monkeypatch):
    for name in ("BENCH_RECORD", "BENCH_OUT", "BENCH_DATA_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def generation(engine="postgresql", members=1000, value=7000.0, at="2026-12-02T00:57:25"):
    return {
        "operation": "generate the dataset",
        "engine": engine,
        "members": members,
        "unit": "members/s",
        "value": value,
        "peak_rss_mib": 170.0,
        "measured_at": at,
        "detail": f"measured at {at}",
    }


def dump(folder: Path, name: str, rows) -> None:
    (folder / name).write_text(json.dumps(rows))


# --- where the results go --------------------------------------------------------------------


def test_results_are_untracked_unless_recorded(environ):
    args = run.parse(["--members", "1000"])
    assert args.record is False
    assert args.out == BENCH / "out"
    assert run.destination(args.record, args.out) == BENCH / "out"


def test_the_untracked_folder_is_ignored_by_git():
    ignored = (BENCH.parent / ".gitignore").read_text().split()
    assert "bench/out/" in ignored
    assert "bench/results/" not in ignored


@pytest.mark.parametrize(
    ("argv", "env", "record"),
    [
        (["--record"], None, True),
        ([], "1", True),
        ([], "yes", True),
        ([], "TRUE", True),
        ([], "0", False),
        ([], "", False),
        ([], "no", False),
    ],
)
def test_recording_is_asked_for(environ, argv, env, record):
    if env is not None:
        environ.setenv("BENCH_RECORD", env)
    args = run.parse(["--members", "1000", *argv])
    assert args.record is record
    assert run.destination(args.record, args.out) == (run.RESULTS if record else args.out)


def test_bench_out_moves_the_untracked_folder(environ, tmp_path):
    environ.setenv("BENCH_OUT", str(tmp_path / "elsewhere"))
    assert run.parse(["--members", "1000"]).out == tmp_path / "elsewhere"
    assert run.parse(["--members", "1000", "--out", "x"]).out == Path("x")


def fake_engine(monkeypatch, rows: list[dict]) -> list:
    """run.main without a database: no generate, snapshots, warming or measure.py; the
    folders prepare() was given are kept."""
    given = []

    def prepare(engine, members, seed, env, folders):
        given.append(folders)
        return {**generation(engine, members), **run.generate_target(engine)}

    monkeypatch.setattr(run, "prepare", prepare)
    monkeypatch.setattr(run, "snapshots", lambda engine, env: None)
    monkeypatch.setattr(run, "warm", lambda engine, env: None)
    monkeypatch.setattr(run, "measure", lambda engine, env, args: [dict(r) for r in rows])
    return given


def test_main_writes_to_the_untracked_folder_and_says_so(environ, results, out, capsys):
    given = fake_engine(environ, [])
    assert run.main(["--members", "1000", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "latest.json",
        "latest.md",
        "sqlite-1000.json",
        "sqlite-1000.md",
    ]
    assert list(results.iterdir()) == []
    said = capsys.readouterr().out
    assert f"Written to {out}/ (untracked)" in said
    assert "RECORD=1" in said
    assert given == [(out, results)]


def test_main_records_only_when_asked(environ, results, out, capsys):
    given = fake_engine(environ, [])
    assert run.main(["--members", "1000", "--out", str(out), "--record"]) == 0
    assert sorted(p.name for p in results.iterdir()) == [
        "latest.json",
        "latest.md",
        "sqlite-1000.json",
        "sqlite-1000.md",
    ]
    assert list(out.iterdir()) == []
    assert f"Recorded in {results}/" in capsys.readouterr().out
    assert given == [(out, results)]  # an unrecorded run's generation is still found


def test_main_fails_on_a_missed_target_only(environ, results, out):
    reported = {"operation": "reported", "engine": "sqlite", "members": 1000, "ok": None}
    fake_engine(environ, [reported])
    assert run.main(["--members", "1000", "--out", str(out)]) == 0
    missed = {**reported, "operation": "missed", "ok": False, "misses": ["p95_ms 99"]}
    fake_engine(environ, [reported, missed])
    assert run.main(["--members", "1000", "--out", str(out)]) == 1


# --- an earlier generation, for a reused dataset --------------------------------------------


def test_earlier_generation_is_looked_for_untracked_first_then_recorded(out, results):
    assert run.sources(out) == (out, results)


def test_earlier_generation_found_in_the_untracked_folder(out, results):
    dump(out, "latest.json", [generation(value=7100.0)])
    assert run.previous_generate("postgresql", 1000, (out, results))["value"] == 7100.0


def test_earlier_generation_found_in_the_recorded_results(out, results):
    dump(results, "postgresql-1000.json", [generation(value=7200.0)])
    assert run.previous_generate("postgresql", 1000, (out, results))["value"] == 7200.0


def test_the_untracked_folder_wins_a_tie(out, results):
    dump(out, "postgresql-1000.json", [generation(value=7100.0)])
    dump(results, "postgresql-1000.json", [generation(value=7200.0)])
    assert run.previous_generate("postgresql", 1000, (out, results))["value"] == 7100.0


def test_the_most_recent_measurement_wins(out, results):
    """A stale untracked run must not hide a newer recorded one, nor the other way round."""
    dump(out, "postgresql-1000.json", [generation(value=7100.0, at="2026-12-01T10:00:00")])
    dump(results, "latest.json", [generation(value=7200.0, at="2026-12-02T10:00:00")])
    assert run.previous_generate("postgresql", 1000, (out, results))["value"] == 7200.0
    dump(out, "latest.json", [generation(value=7300.0, at="2026-12-03T10:00:00")])
    assert run.previous_generate("postgresql", 1000, (out, results))["value"] == 7300.0


def test_earlier_generation_of_another_dataset_is_not_taken(out, results):
    dump(
        out,
        "latest.json",
        [
            generation(engine="sqlite"),
            generation(members=2000),
            generation(value=None),  # a resumed run's row: no rate
            {"operation": "database size", "engine": "postgresql", "members": 1000, "value": 1},
        ],
    )
    (results / "latest.json").write_text("not json")
    dump(results, "postgresql-1000.json", {"not": "a list"})
    assert run.previous_generate("postgresql", 1000, (out, results)) is None
    assert run.previous_generate("postgresql", 1000, (out / "missing", results)) is None


# --- the generation's row --------------------------------------------------------------------


def row(
    engine="postgresql",
    members=1_000_000,
    *,
    units=100,
    skipped=0,
    wall=100.0,
    rss=170.0,
    earlier=None,
):
    """The generation's row as run.main judges it."""
    made = run.generation_row(
        engine,
        members,
        units=units,
        skipped=skipped,
        wall=wall,
        rss=rss,
        said="generate says 99 s, 170 MiB",
        earlier=earlier,
    )
    return run.judge(made)


def test_a_full_generation_is_measured():
    made = row(members=1_000_000, wall=125.0)
    assert made["value"] == 8000.0
    assert made["peak_rss_mib"] == 170.0
    assert made["ok"] is True
    assert row(engine="postgresql", wall=200.0)["ok"] is False  # 5,000 members/s
    assert row(engine="sqlite", wall=200.0)["ok"] is True  # the rate is PostgreSQL's


@pytest.mark.parametrize("engine", ("sqlite", "postgresql"))
def test_a_resumed_generation_has_no_rate_but_its_peak_rss_counts(engine):
    made = row(engine, skipped=40, wall=10_000.0, rss=GENERATE_RSS_MIB + 1)
    assert made["value"] is None
    assert made["ok"] is False
    assert made["misses"][0].startswith("peak_rss_mib")
    assert row(engine, skipped=40, wall=10_000.0)["ok"] is True


def test_a_reused_dataset_without_an_earlier_measurement_fails_nothing():
    made = row(skipped=100)
    assert made["value"] is None
    assert made["ok"] is None
    assert "no earlier measurement" in made["note"]


def test_a_reused_dataset_is_held_to_todays_target():
    """A SQLite generation recorded when the rate was checked on both engines (before
    docs/decisions/0008) is no longer a miss when carried over."""
    old = {
        **generation(engine="sqlite", value=2286.0),
        "checks": [["value", ">=", 6223], ["peak_rss_mib", "<=", 1024]],
        "ok": False,
        "misses": ["value 2,286.00 (target >= 6,223)"],
    }
    made = row("sqlite", skipped=100, earlier=old)
    assert made["value"] == 2286.0
    assert made["checks"] == run.generate_target("sqlite")["checks"]
    assert made["ok"] is True
    assert made["measured_at"] == old["measured_at"]
    assert made["note"].startswith(f"reused dataset; measured {old['measured_at']}")


def test_a_reused_postgresql_dataset_below_the_rate_still_fails():
    made = row("postgresql", skipped=100, earlier=generation(value=6000.0))
    assert made["ok"] is False
