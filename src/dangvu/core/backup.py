"""A backup of a Dangvu site in one file, and its restoring into an empty site
(`dangvu backup`, `dangvu restore`; docs/decisions/0027).

The file is a tar.gz archive:

- `database.sqlite3` (SQLite's online backup API, from a connection of its own: one consistent
  snapshot while the server writes) or `database.pgdump` (`pg_dump --format=custom` of the
  snapshot the counts below were read in);
- `uploads/…`: the uploaded files (MEDIA_ROOT), read after the database's snapshot;
- `manifest.json`, last: format, Dangvu version, engine, the latest migration of each app,
  time, the counts of a few tables in the snapshot, and the size and sha256 of every other
  member.

Left out: the secret key, and the rows that are the keys of signed-in browsers (Django's
sessions and their "Your sessions" list): a stolen backup must not sign anyone in.

A restore goes into an empty database and an empty uploads directory only, from a backup of
the same engine. Everything is unpacked beside its place and checked against the manifest
first; the uploads are then renamed into place and the database last (a rename of the file,
or pg_restore in one transaction), the uploads moved back out when that fails: a failed
restore leaves the site as it was.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

import dangvu

__all__ = [
    "FORMAT",
    "MANIFEST",
    "DATABASE_MEMBER",
    "ENGINE_NAMES",
    "BackupRefused",
    "BackupResult",
    "RestoreResult",
    "backup_create",
    "backup_restore",
    "default_name",
]

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The credentials of signed-in browsers (a session key is the cookie itself): their rows are
# left out of every backup. After a restore everyone signs in again.
SESSION_MODELS = (("sessions", "Session"), ("accounts", "UserSession"))
# What the manifest counts, and a restore checks and reports.
COUNTED = {
    "organisations": ("organisations", "Organisation"),
    "members": ("members", "Member"),
    "membership_events": ("members", "MembershipEvent"),
    "users": tuple(settings.AUTH_USER_MODEL.split(".")),
    "audit_records": ("audit", "AuditRecord"),
}
CHUNK = 1024 * 1024


class BackupRefused(Exception):
    """A backup or restore that cannot be done; the message says why, and nothing changed."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    manifest: dict


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    counts: dict
    files: int
    seconds: float
    pending_migrations: list[str]


def default_name(now=None) -> str:
    return f"dangvu-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"


def _engine() -> str:
    return connection.vendor


def _table(app_label: str, model: str) -> str | None:
    try:
        return apps.get_model(app_label, model)._meta.db_table
    except LookupError:
        return None


def _session_tables() -> list[str]:
    return [t for t in (_table(*m) for m in SESSION_MODELS) if t]


def _counts(cursor, quote) -> dict:
    counts = {}
    for key, model in COUNTED.items():
        table = _table(*model)
        if table:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[key] = cursor.fetchone()[0]
    return counts


def _migrations(cursor) -> dict:
    """The latest applied migration of each app, in the order they were applied."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, handle):
        self.handle = handle
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, n=-1):
        data = self.handle.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _private_file(path: Path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)  # os.open's mode passes through the umask
    return os.fdopen(fd, "wb")


# --- PostgreSQL's client programs ------------------------------------------------------


def _pg_major(program: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except OSError:
        return None
    found = re.search(r"\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def _pg_program(name: str) -> str:
    """pg_dump or pg_restore of the server's major version (Debian keeps them in
    /usr/lib/postgresql/<version>/bin, not always on PATH), else any newer one."""
    server = connection.pg_version // 10000
    candidates = [Path(f"/usr/lib/postgresql/{server}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    for program in candidates:
        if program.is_file() and os.access(program, os.X_OK):
            major = _pg_major(program)
            if major is not None and major >= server:
                return str(program)
    raise BackupRefused(
        _(
            "%(program)s of PostgreSQL %(version)s or newer was not found (looked in "
            "/usr/lib/postgresql/*/bin and on PATH): install postgresql-client-%(version)s."
        )
        % {"program": name, "version": server}
    )


def _pg_env() -> dict:
    """libpq's variables for the site's database: the password never shows in a process list."""
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def _pg_run(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupRefused(
            _("%(program)s failed: %(error)s")
            % {"program": what, "error": done.stderr.strip()[-2000:]}
        )


# --- backup ----------------------------------------------------------------------------


def _sqlite_snapshot(target: Path) -> tuple[dict, dict]:
    """Copy the live SQLite database into `target` with the online backup API, in one step
    from a connection of its own: one read transaction, so one consistent state, while the
    server's writers go on (WAL). The copy keeps no session key and no WAL file."""
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=60)
    _private_file(target).close()
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: the whole database in one step
        source.close()
        copy.execute("PRAGMA journal_mode=DELETE")
        # The deleted rows' bytes are overwritten, not left in free pages.
        copy.execute("PRAGMA secure_delete=ON")
        present = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        with copy:
            for table in _session_tables():
                if table in present:
                    copy.execute(f'DELETE FROM "{table}"')
        cursor = copy.cursor()
        counts = _counts(cursor, lambda t: f'"{t}"')
        migrations = _migrations(cursor)
    finally:
        copy.close()
        source.close()
    return counts, migrations


def _pg_snapshot(target: Path) -> tuple[dict, dict]:
    """pg_dump of one exported snapshot, in which the counts and migrations are read too."""
    program = _pg_program("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _counts(cursor, connection.ops.quote_name)
        migrations = _migrations(cursor)
        args = [program, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"]
        args += [f"--exclude-table-data={table}" for table in _session_tables()]
        _pg_run([*args, "--no-password"], "pg_dump")
    target.chmod(0o600)
    return counts, migrations


def _add(tar: tarfile.TarFile, name: str, path: Path, files: dict) -> None:
    with open(path, "rb") as handle:
        info = tarfile.TarInfo(name)
        stat = os.fstat(handle.fileno())
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    files[name] = {"size": reader.size, "sha256": reader.sha.hexdigest()}


def _uploads(root: Path):
    """(member name, path) of every uploaded file, in a stable order; links are not followed."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file() and not path.is_symlink():
                rel = path.relative_to(root).as_posix()
                yield f"{UPLOADS}/{rel}", path


def backup_create(*, output: Path | None = None, log: Callable[[str], None] | None = None):
    """Write a backup of the site's database and uploaded files into `output` (default:
    dangvu-backup-YYYYMMDD-HHMMSS.tar.gz in the current directory), readable by its owner only.

    Refused (BackupRefused, nothing written) when `output` exists. The file appears under its
    name only once it is complete."""
    started = time.monotonic()
    say = log or (lambda _text: None)
    output = Path(output or default_name()).resolve()
    if output.exists():
        raise BackupRefused(
            _("%(file)s already exists; a backup never overwrites a file: choose another name.")
            % {"file": output}
        )
    if not output.parent.is_dir():
        raise BackupRefused(_("%(dir)s is not a directory.") % {"dir": output.parent})
    engine = _engine()
    if engine not in DATABASE_MEMBER:
        raise BackupRefused(
            _("Backups support SQLite and PostgreSQL, not %(engine)s.") % {"engine": engine}
        )
    tables = (
        _sqlite_tables(_sqlite_path())
        if engine == "sqlite"
        else len(connection.introspection.table_names())
    )
    if not tables:
        raise BackupRefused(
            _("The database %(database)s is empty: there is nothing to back up.")
            % {"database": settings.DATABASES["default"]["NAME"]}
        )
    partial = output.with_name(f".{output.name}.partial")
    files: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".dangvu-backup-") as work:
        dump = Path(work) / DATABASE_MEMBER[engine]
        say(f"database ({ENGINE_NAMES[engine]}) …")
        snapshot = _sqlite_snapshot if engine == "sqlite" else _pg_snapshot
        counts, migrations = snapshot(dump)
        try:
            with _private_file(partial) as handle:
                with tarfile.open(
                    fileobj=handle, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT
                ) as tar:
                    _add(tar, DATABASE_MEMBER[engine], dump, files)
                    dump.unlink()
                    say("uploaded files …")
                    for name, path in _uploads(Path(settings.MEDIA_ROOT)):
                        try:
                            _add(tar, name, path, files)
                        except FileNotFoundError:
                            continue  # deleted since it was listed (a replaced file)
                    counts["uploaded_files"] = len(files) - 1
                    manifest = {
                        "format": FORMAT,
                        "dangvu_version": dangvu.__version__,
                        "engine": engine,
                        "created": timezone.localtime().isoformat(timespec="seconds"),
                        "migrations": migrations,
                        "counts": counts,
                        "left_out": ["secret key", *_session_tables()],
                        "files": files,
                    }
                    body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                    tar.addfile(info, _BytesReader(body))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(partial, output)  # never over a file that appeared meanwhile
            except FileExistsError:
                raise BackupRefused(
                    _(
                        "%(file)s already exists; a backup never overwrites a file: choose "
                        "another name."
                    )
                    % {"file": output}
                ) from None
            except OSError:
                os.rename(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(
        path=output,
        size=output.stat().st_size,
        seconds=time.monotonic() - started,
        manifest=manifest,
    )


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n=-1):
        end = len(self.data) if n is None or n < 0 else self.pos + n
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk


# --- restore ---------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sqlite_tables(path: Path) -> int:
    if not path.exists():
        return 0
    con = sqlite3.connect(path, timeout=60)
    try:
        return con.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        con.close()


def _target_refusal() -> str | None:
    """Why the site's database or uploads directory is not empty, or None."""
    if _engine() == "sqlite":
        path = _sqlite_path()
        tables = _sqlite_tables(path)
        where = str(path)
    else:
        tables = len(connection.introspection.table_names())
        where = settings.DATABASES["default"]["NAME"]
    if tables:
        return _(
            "The database %(database)s is not empty (%(tables)d tables): a backup is restored "
            "into an empty database only."
        ) % {"database": where, "tables": tables}
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and (not media.is_dir() or any(media.iterdir())):
        return _(
            "The uploads directory %(path)s is not empty: a backup is restored into an empty "
            "data directory only."
        ) % {"path": media}
    return None


def _member_path(name: str) -> PurePosixPath | None:
    """The member's path when it is one a backup holds (no absolute path, no "..")."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    if name == MANIFEST or name in DATABASE_MEMBER.values():
        return path
    if path.parts[0] == UPLOADS and len(path.parts) > 1:
        return path
    return None


@dataclass
class _Unpacked:
    manifest: dict | None
    files: dict  # member name -> {"size", "sha256"}
    database: Path | None
    uploads: Path


def _unpack(archive: Path, engine: str, db_dir: Path, uploads_dir: Path) -> _Unpacked:
    refused_name = archive.name
    not_backup = _("%(file)s is not a Dangvu backup.") % {"file": refused_name}
    damaged = _("%(file)s is damaged or incomplete (%(error)s).")
    unpacked = _Unpacked(manifest=None, files={}, database=None, uploads=uploads_dir)
    opened = False
    try:
        with tarfile.open(archive, "r:gz") as tar:
            opened = True
            for member in tar:
                path = _member_path(member.name)
                if path is None or not (member.isfile() or member.isdir()):
                    raise BackupRefused(
                        _("%(file)s is not a Dangvu backup (it holds %(member)s).")
                        % {"file": refused_name, "member": member.name}
                    )
                if member.isdir():
                    continue
                if member.name in DATABASE_MEMBER.values():
                    found = next(e for e, n in DATABASE_MEMBER.items() if n == member.name)
                    if found != engine:
                        raise BackupRefused(_other_engine(refused_name, found, engine))
                    target = db_dir / member.name
                    unpacked.database = target
                elif member.name == MANIFEST:
                    data = tar.extractfile(member).read()
                    try:
                        unpacked.manifest = json.loads(data)
                    except ValueError:
                        raise BackupRefused(not_backup) from None
                    continue
                else:
                    target = uploads_dir.joinpath(*path.parts[1:])
                    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                if member.name in unpacked.files:
                    raise BackupRefused(
                        damaged % {"file": refused_name, "error": member.name + " ×2"}
                    )
                source = _Hashing(tar.extractfile(member))
                with _private_file(target) as out:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
                unpacked.files[member.name] = {
                    "size": source.size,
                    "sha256": source.sha.hexdigest(),
                }
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if not opened:
            raise BackupRefused(not_backup) from None
        raise BackupRefused(damaged % {"file": refused_name, "error": exc}) from None
    return unpacked


def _other_engine(file: str, backup: str, target: str) -> str:
    return _(
        "%(file)s is a backup of a %(backup)s database; this Dangvu uses %(target)s. A backup "
        "is restored into the engine it was made from: set DATABASE_URL to an empty "
        "%(backup)s database."
    ) % {"file": file, "backup": ENGINE_NAMES[backup], "target": ENGINE_NAMES[target]}


def _verify(archive: Path, unpacked: _Unpacked, engine: str) -> dict:
    name = archive.name
    manifest = unpacked.manifest
    if not isinstance(manifest, dict) or "format" not in manifest or "files" not in manifest:
        raise BackupRefused(_("%(file)s is not a Dangvu backup.") % {"file": name})
    if manifest["format"] != FORMAT:
        raise BackupRefused(
            _("%(file)s is a backup of format %(found)s; this Dangvu reads format %(expected)s.")
            % {"file": name, "found": manifest["format"], "expected": FORMAT}
        )
    if manifest.get("engine") != engine:
        found = manifest.get("engine")
        if found not in ENGINE_NAMES:
            raise BackupRefused(_("%(file)s is not a Dangvu backup.") % {"file": name})
        raise BackupRefused(_other_engine(name, found, engine))
    listed, held = manifest["files"], unpacked.files
    for member in sorted(set(listed) | set(held)):
        if member not in held:
            error = _("%(member)s is missing") % {"member": member}
        elif member not in listed:
            error = _("%(member)s is not in the manifest") % {"member": member}
        elif held[member] != {"size": listed[member]["size"], "sha256": listed[member]["sha256"]}:
            error = _("%(member)s does not match its sha256 in the manifest") % {"member": member}
        else:
            continue
        raise BackupRefused(
            _("%(file)s is damaged or incomplete (%(error)s).") % {"file": name, "error": error}
        )
    if unpacked.database is None:
        raise BackupRefused(
            _("%(file)s is damaged or incomplete (%(error)s).")
            % {"file": name, "error": DATABASE_MEMBER[engine]}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app, migration in manifest.get("migrations", {}).items():
        if (app, migration) not in known:
            raise BackupRefused(
                _(
                    "%(file)s was made by a newer Dangvu (%(version)s): its migration "
                    "%(app)s.%(migration)s is unknown to this one. Install that version first."
                )
                % {
                    "file": name,
                    "version": manifest.get("dangvu_version", "?"),
                    "app": app,
                    "migration": migration,
                }
            )
    return manifest


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def backup_restore(*, archive: Path, log: Callable[[str], None] | None = None) -> RestoreResult:
    """Restore a backup into the site's empty database and empty uploads directory.

    Refused (BackupRefused, nothing changed) when the database has any table or the uploads
    directory any file; when the file is not a Dangvu backup, is damaged (a member missing, not
    listed, or not matching its sha256), was made from the other engine or by a newer Dangvu."""
    started = time.monotonic()
    say = log or (lambda _text: None)
    archive = Path(archive)
    if not archive.is_file():
        raise BackupRefused(_("%(file)s: no such file.") % {"file": archive})
    engine = _engine()
    if engine not in DATABASE_MEMBER:
        raise BackupRefused(
            _("Backups support SQLite and PostgreSQL, not %(engine)s.") % {"engine": engine}
        )
    refusal = _target_refusal()
    if refusal:
        raise BackupRefused(refusal)
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    db_dir = _sqlite_path().parent if engine == "sqlite" else Path(settings.DATA_DIR)
    staging = [
        Path(tempfile.mkdtemp(dir=db_dir, prefix=".dangvu-restore-")),
        Path(tempfile.mkdtemp(dir=media.parent, prefix=".dangvu-restore-uploads-")),
    ]
    try:
        say("unpacking and checking …")
        unpacked = _unpack(archive, engine, staging[0], staging[1])
        manifest = _verify(archive, unpacked, engine)
        if engine == "sqlite":
            _check_staged_sqlite(archive, unpacked.database, manifest)
        say("restoring …")
        _commit(engine, unpacked, media)
    finally:
        for path in staging:
            shutil.rmtree(path, ignore_errors=True)
    with connection.cursor() as cursor:
        counts = _counts(cursor, connection.ops.quote_name)
    return RestoreResult(
        manifest=manifest,
        counts=counts,
        files=sum(1 for name in manifest["files"] if name.startswith(f"{UPLOADS}/")),
        seconds=time.monotonic() - started,
        pending_migrations=_pending_migrations(),
    )


def _check_staged_sqlite(archive: Path, path: Path, manifest: dict) -> None:
    """The unpacked database opens and holds what the manifest counted."""
    con = sqlite3.connect(path)
    try:
        counts = _counts(con.cursor(), lambda t: f'"{t}"')
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(
            _("%(file)s is damaged or incomplete (%(error)s).")
            % {"file": archive.name, "error": exc}
        ) from None
    finally:
        con.close()
    expected = {k: v for k, v in manifest.get("counts", {}).items() if k in counts}
    if counts != expected:
        raise BackupRefused(
            _("%(file)s is damaged or incomplete (%(error)s).")
            % {"file": archive.name, "error": f"{counts} != {expected}"}
        )


def _commit(engine: str, unpacked: _Unpacked, media: Path) -> None:
    """The uploads renamed into place, then the database; the uploads back out when the
    database fails."""
    connections.close_all()
    refusal = _target_refusal()  # again, just before: nothing may have arrived meanwhile
    if refusal:
        raise BackupRefused(refusal)
    had_media = media.is_dir()
    if had_media:
        media.rmdir()
    os.rename(unpacked.uploads, media)
    try:
        if engine == "sqlite":
            path = _sqlite_path()
            # The empty database's journal files would be read as the restored one's.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.replace(unpacked.database, path)
        else:
            _pg_run(
                [
                    _pg_program("pg_restore"),
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    "--no-privileges",
                    "--no-password",
                    f"--dbname={settings.DATABASES['default']['NAME']}",
                    str(unpacked.database),
                ],
                "pg_restore",
            )
    except BaseException:
        os.rename(media, unpacked.uploads)
        if had_media:
            media.mkdir(mode=0o700)
        raise
