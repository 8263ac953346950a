"""`dangvu backup` and `dangvu restore` (core.backup, docs/decisions/0027) as real processes,
each site on a data directory of its own and, when the suite runs on PostgreSQL, on a scratch
database of its own on the same server (created here, dropped at the end).

The data is loaded once for the module and backed up at once; the round trip restores that
file. On SQLite the data is the whole demo (`dangvu demo`: about 40 s). On PostgreSQL the
demo takes two minutes and more, so there the data is smaller, made through the same
services: the test tree, 40 members, a meeting with its resolution as a PDF (the demo's round
trip on PostgreSQL was checked by hand: docs/decisions/0027). Then some twenty processes of one
to four seconds each: about 90 s in all on SQLite, 60 s on PostgreSQL, on a quiet machine.
"""

import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone, translation
from django.utils.translation import gettext

URL = os.environ.get("DATABASE_URL", "")
PG = URL.startswith(("postgres://", "postgresql://"))
ENGINE = "postgresql" if PG else "sqlite"
OTHER = "sqlite" if PG else "postgresql"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# The organisation whose report is compared: the demo's Quảng Ngãi, the test tree's Kon Tum.
ORG = "KT" if PG else "T51"

# The smaller data of the PostgreSQL run, through the services; prints what it loaded.
SMALL = """
import django, json
django.setup()
from datetime import timedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from dangvu.meetings.services import meeting_attach, meeting_plan
from dangvu.members.models import Member, MembershipEvent
from dangvu.organisations.models import Organisation
from dangvu.testing.factories import build_tree, make_member
tree = build_tree()
cells = [tree.cell1, tree.cell2, tree.gcell, tree.cell3]
for i in range(40):
    make_member(cells[i % 4], probationary=i % 5 == 0, gender="F" if i % 3 == 0 else "M")
m = meeting_plan(actor=None, organisation=tree.cell1, kind="regular",
                 planned_on=timezone.localdate() + timedelta(days=7), notify=False)
pdf = b"%PDF-1.4 " + bytes(range(256)) * 8
meeting_attach(actor=None, meeting=m,
               upload=SimpleUploadedFile("nghi-quyet.pdf", pdf, "application/pdf"))
print(json.dumps({"organisations": Organisation.objects.count(),
                  "members": Member.objects.count(),
                  "membership_events": MembershipEvent.objects.count()}))
"""

# Every table's row count and every uploaded file's sha256: "nothing changed" is this, equal.
STATE = """
import django, hashlib, json, os
django.setup()
from pathlib import Path
from django.apps import apps
from django.conf import settings
from django.db import connection
tables = set(connection.introspection.table_names())
rows = {m._meta.db_table: m._base_manager.count() for m in apps.get_models()
        if m._meta.db_table in tables}
media = Path(settings.MEDIA_ROOT)
files = {str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest()
         for p in sorted(media.rglob("*")) if p.is_file()} if media.exists() else None
print(json.dumps({"rows": rows, "files": files}))
"""

SESSION = """
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
s = SessionStore()
s["note"] = "signed in"
s.create()
print(s.session_key)
"""

# Records membership events (a member exempted, then the exemption ended, in turn) through the
# service until the stop file appears; writes how many it has recorded after each one.
WRITER = """
import os, sys, django
django.setup()
from django.utils import timezone
from dangvu.core.errors import DomainError, ValidationError
from dangvu.members.models import Member
from dangvu.members.services import member_event_record
stop, counter = sys.argv[1], sys.argv[2]
members = list(Member.objects.filter(status="official").order_by("pk")[:300])
today = timezone.localdate()
n = i = 0
while not os.path.exists(stop):
    m = members[i % len(members)]
    i += 1
    kind = "exemption_ended" if m.exempted else "exempted"
    try:
        member_event_record(actor=None, member=m, type=kind, date=today)
    except (ValidationError, DomainError):
        continue
    m.exempted = not m.exempted
    n += 1
    with open(counter + ".tmp", "w") as f:
        f.write(str(n))
    os.replace(counter + ".tmp", counter)
"""


@dataclass
class Site:
    data_dir: Path
    database_url: str | None

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DANGVU_DATA_DIR=str(self.data_dir), DJANGO_SETTINGS_MODULE="dangvu.settings")
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str, ok: bool = True, cwd: Path | None = None):
        done = subprocess.run(
            [sys.executable, "-m", "dangvu", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=900,
            cwd=cwd,
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def python(self, code: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def state(self) -> dict:
        return json.loads(self.python(STATE))

    def report(self, day: str) -> dict:
        out = self.run("report", "membership", "--org", ORG, "--as-of", day, "--format", "json")
        return json.loads(out.stdout)

    @property
    def uploads(self) -> Path:
        return self.data_dir / "uploads"

    def tables(self) -> int:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as con:
                return con.execute(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
                ).fetchone()[0]
        path = self.data_dir / "dangvu.sqlite3"
        if not path.exists():
            return 0
        con = sqlite3.connect(path)
        try:
            return con.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table'").fetchone()[
                0
            ]
        finally:
            con.close()

    def is_empty(self) -> bool:
        return self.tables() == 0 and not (self.uploads.exists() and any(self.uploads.iterdir()))


class Databases:
    """Scratch databases on the suite's PostgreSQL server, dropped at the end."""

    def __init__(self, url: str):
        self.url, self.names = url, []
        db = dj_database_url.parse(url)
        self.server = {
            "host": db["HOST"] or None,
            "port": db["PORT"] or None,
            "user": db["USER"] or None,
            "password": db["PASSWORD"] or None,
            "dbname": "postgres",
            "autocommit": True,
        }

    def create(self) -> str:
        import psycopg

        name = f"dangvu_backup_{os.getpid()}_{len(self.names)}"
        with psycopg.connect(**self.server) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            con.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return urlsplit(self.url)._replace(path=f"/{name}").geturl()

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(**self.server) as con:
            for name in self.names:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def new_site(tmp_path_factory):
    databases = Databases(URL) if PG else None

    def make() -> Site:
        return Site(
            tmp_path_factory.mktemp("site") / "data",
            databases.create() if databases else None,
        )

    yield make
    if databases:
        databases.drop_all()


@dataclass
class Demo:
    site: Site
    day: str
    loaded: dict  # what `dangvu demo` said it loaded
    report: dict
    files: dict  # uploads: relative path -> bytes
    session: str
    archive: Path
    said: str
    state: dict  # right after the backup


def _files(root: Path) -> dict:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo(new_site, tmp_path_factory) -> Demo:
    site = new_site()
    site.run("migrate", "--noinput")
    if PG:
        loaded = json.loads(site.python(SMALL))
    else:
        said = site.run("demo").stdout
        found = re.search(r"(\d+) organisations, (\d+) members, (\d+) membership events", said)
        keys = ("organisations", "members", "membership_events")
        loaded = dict(zip(keys, map(int, found.groups()), strict=True))
    day = timezone.localdate().isoformat()
    session = site.python(SESSION)
    report = site.report(day)
    files = _files(site.uploads)
    archive = tmp_path_factory.mktemp("backups") / "demo.tar.gz"
    said = site.run("backup", "--output", str(archive)).stdout
    return Demo(
        state=site.state(),
        site=site,
        day=day,
        loaded=loaded,
        report=report,
        files=files,
        session=session,
        archive=archive,
        said=said,
    )


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _said(msgid: str, output: str) -> bool:
    """The message (in the language the command speaks, Vietnamese once translated) is in the
    output: every literal piece of it around its placeholders."""
    with translation.override("vi"):
        text = gettext(msgid)
    pieces = [p.strip() for p in re.split(r"%\(\w+\)[sd]", text) if p.strip()]
    return all(p in output for p in pieces)


NOT_EMPTY_DB = (
    "The database %(database)s is not empty (%(tables)d tables): a backup is restored into an "
    "empty database only."
)
NOT_EMPTY_UPLOADS = (
    "The uploads directory %(path)s is not empty: a backup is restored into an empty data "
    "directory only."
)
NOT_BACKUP = "%(file)s is not a Dangvu backup."
NOT_BACKUP_HOLDS = "%(file)s is not a Dangvu backup (it holds %(member)s)."
DAMAGED = "%(file)s is damaged or incomplete (%(error)s)."
MISMATCH = "%(member)s does not match its sha256 in the manifest"
OTHER_ENGINE = (
    "%(file)s is a backup of a %(backup)s database; this Dangvu uses %(target)s. A backup is "
    "restored into the engine it was made from: set DATABASE_URL to an empty %(backup)s database."
)
NEWER = (
    "%(file)s was made by a newer Dangvu (%(version)s): its migration %(app)s.%(migration)s is "
    "unknown to this one. Install that version first."
)
NOTHING_CHANGED = "Nothing was changed."


# --- the round trip ----------------------------------------------------------------------


def test_the_backup_is_one_file_for_its_owner_alone_with_a_manifest_of_the_demo(demo):
    assert demo.archive.stat().st_mode & 0o777 == 0o600
    assert _said(
        "It holds every member's personal data: it is readable by its owner only (0600); keep "
        "it and its copies so.",
        demo.said,
    )
    members = _members(demo.archive)
    manifest = json.loads(members.pop("manifest.json"))
    assert manifest["format"] == 1
    assert manifest["engine"] == ENGINE
    assert manifest["dangvu_version"] == "0.1.0"
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    assert manifest["migrations"] == dict(leaves)
    assert {k: manifest["counts"][k] for k in demo.loaded} == demo.loaded
    assert manifest["counts"]["uploaded_files"] == len(demo.files) > 0
    assert set(members) == {DATABASE[ENGINE]} | {f"uploads/{name}" for name in demo.files}
    assert manifest["files"] == {
        name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in members.items()
    }
    # The secret key stays behind (docs/decisions/0027).
    key = (demo.site.data_dir / "secret_key").read_bytes()
    assert not any(key.strip() in data for data in members.values())


def test_a_restore_into_an_empty_site_reproduces_the_demo(demo, new_site):
    target = new_site()
    done = target.run("restore", str(demo.archive))
    assert f"{demo.loaded['members']}" in done.stdout
    assert "dangvu check: members, periods, organisations and counters agree" in done.stdout
    assert target.run("check").returncode == 0
    # Every table holds what the source held, but the sessions: a backup signs nobody in.
    source, restored = demo.state["rows"], target.state()["rows"]
    assert source["django_session"] == 1
    assert restored == {**source, "django_session": 0}
    assert target.report(demo.day) == demo.report
    assert _files(target.uploads) == demo.files
    if not PG:
        assert (target.data_dir / "dangvu.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_backup_taken_while_another_process_writes_restores_consistent(demo, new_site, tmp_path):
    stop, counter = tmp_path / "stop", tmp_path / "written"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop), str(counter)],
        env=demo.site.env(),
        stderr=subprocess.PIPE,
        text=True,
    )

    def written() -> int:
        return int(counter.read_text()) if counter.exists() else 0

    try:
        deadline = time.monotonic() + 120
        while written() < 5 and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        before = written()
        archive = tmp_path / "busy.tar.gz"
        demo.site.run("backup", "--output", str(archive))
        during = written()
        time.sleep(0.3)
        stop.touch()
        writer.wait(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, writer.stderr.read()
    assert before >= 5 and during > before, (before, during)
    target = new_site()
    done = target.run("restore", str(archive))
    # The restore ran `dangvu check` (its exit status is the check's).
    assert "dangvu check: members, periods, organisations and counters agree" in done.stdout
    counts = json.loads(_members(archive)["manifest.json"])["counts"]
    events = counts["membership_events"] - demo.loaded["membership_events"]
    assert before <= events <= during + 1


# --- refusals: each changes nothing ------------------------------------------------------


def test_a_restore_into_a_site_with_data_is_refused(demo):
    before = demo.site.state()
    done = demo.site.run("restore", str(demo.archive), ok=False)
    assert done.returncode == 1
    assert _said(NOT_EMPTY_DB, done.stderr) and _said(NOTHING_CHANGED, done.stderr)
    assert demo.site.state() == before


def test_a_restore_beside_uploaded_files_is_refused(demo, new_site):
    target = new_site()
    target.uploads.mkdir(parents=True)
    (target.uploads / "left.pdf").write_bytes(b"%PDF-1.4 left behind")
    done = target.run("restore", str(demo.archive), ok=False)
    assert done.returncode == 1
    assert _said(NOT_EMPTY_UPLOADS, done.stderr)
    assert target.tables() == 0
    assert _files(target.uploads) == {"left.pdf": b"%PDF-1.4 left behind"}


@pytest.mark.parametrize(
    "case,message",
    [
        ("a text file", NOT_BACKUP),
        ("an archive of something else", NOT_BACKUP_HOLDS),
        ("a backup without its manifest", NOT_BACKUP),
    ],
)
def test_a_file_that_is_not_a_dangvu_backup_is_refused(demo, new_site, tmp_path, case, message):
    path = tmp_path / "file.tar.gz"
    if case == "a text file":
        path.write_text("Biên bản họp chi bộ\n")
    elif case == "an archive of something else":
        _write(path, {"README": b"hello"})
    else:
        members = _members(demo.archive)
        del members["manifest.json"]
        _write(path, members)
    target = new_site()
    done = target.run("restore", str(path), ok=False)
    assert done.returncode == 1
    assert _said(message, done.stderr), done.stderr
    assert target.is_empty()


def test_a_damaged_backup_is_refused(demo, new_site, tmp_path):
    members = _members(demo.archive)
    name = next(n for n in members if n.startswith("uploads/meetings/"))
    members[name] = members[name][:-1] + bytes([members[name][-1] ^ 1])
    changed = _write(tmp_path / "changed.tar.gz", members)
    data = demo.archive.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) // 2])
    target = new_site()
    done = target.run("restore", str(changed), ok=False)
    assert done.returncode == 1
    assert _said(DAMAGED, done.stderr) and _said(MISMATCH, done.stderr) and name in done.stderr
    assert target.is_empty()
    done = target.run("restore", str(cut), ok=False)
    assert done.returncode == 1
    assert _said(DAMAGED, done.stderr), done.stderr
    assert target.is_empty()
    assert not [p for p in target.data_dir.iterdir() if p.name.startswith(".dangvu-restore")]


def test_a_backup_of_the_other_engine_is_refused_naming_both(demo, new_site, tmp_path):
    members = _members(demo.archive)
    manifest = json.loads(members.pop("manifest.json"))
    manifest["engine"] = OTHER
    manifest["files"][DATABASE[OTHER]] = manifest["files"].pop(DATABASE[ENGINE])
    members = {
        (DATABASE[OTHER] if n == DATABASE[ENGINE] else n): data for n, data in members.items()
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    path = _write(tmp_path / "other.tar.gz", members)
    target = new_site()
    done = target.run("restore", str(path), ok=False)
    assert done.returncode == 1
    assert _said(OTHER_ENGINE, done.stderr)
    assert NAMES[OTHER] in done.stderr and NAMES[ENGINE] in done.stderr
    assert target.is_empty()


def test_a_backup_from_a_newer_dangvu_is_refused(demo, new_site, tmp_path):
    members = _members(demo.archive)
    manifest = json.loads(members.pop("manifest.json"))
    manifest["migrations"]["members"] = "9999_from_the_future"
    members["manifest.json"] = json.dumps(manifest).encode()
    path = _write(tmp_path / "newer.tar.gz", members)
    target = new_site()
    done = target.run("restore", str(path), ok=False)
    assert done.returncode == 1
    assert _said(NEWER, done.stderr) and "members.9999_from_the_future" in done.stderr
    assert target.is_empty()


def test_a_backup_never_overwrites_a_file(demo, tmp_path):
    path = tmp_path / "kept.tar.gz"
    path.write_bytes(b"an earlier backup")
    done = demo.site.run("backup", "--output", str(path), ok=False)
    assert done.returncode == 1
    assert _said(
        "%(file)s already exists; a backup never overwrites a file: choose another name.",
        done.stderr,
    )
    assert path.read_bytes() == b"an earlier backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.tar.gz"]


def test_the_default_name_is_dated_in_the_current_directory(demo, tmp_path):
    demo.site.run("backup", cwd=tmp_path)
    (made,) = tmp_path.iterdir()
    assert re.fullmatch(r"dangvu-backup-\d{8}-\d{6}\.tar\.gz", made.name)
    assert made.stat().st_mode & 0o777 == 0o600


def test_a_backup_of_an_empty_database_is_refused(new_site, tmp_path):
    site = new_site()
    done = site.run("backup", "--output", str(tmp_path / "empty.tar.gz"), ok=False)
    assert done.returncode == 1
    assert _said("The database %(database)s is empty: there is nothing to back up.", done.stderr)
    assert list(tmp_path.iterdir()) == []
