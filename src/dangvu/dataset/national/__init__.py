"""`dangvu generate`: a synthetic country at national size, through the services' bulk paths.

Units (a commune-level committee or a directly-subordinate committee of a province, with its
grassroots organisations, cells and members) are loaded one at a time, so memory stays bounded
by the largest unit, and committed in groups of about GROUP_MEMBERS members (a commit costs
about as much as loading a hundred members once the database is large). An interrupted run
resumes where it stopped: a unit whose organisation exists was committed whole, with its
group. Every write goes through organisations_create_bulk and members_create_bulk: the same
rules, events, periods, counters and audit as any import; the cells' meetings, committees and
classes through their apps' services (dataset.national.meetings, .training), and at the end
the documents of the provinces, the communes and the Central Committee (.documents). On PostgreSQL several processes can
load at once, each taking whole provinces (_load_in_workers).
"""

import multiprocessing
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from queue import Empty

from django.db import connection, connections, transaction
from django.utils import timezone

from dangvu.accounts.services import grant_create, user_create
from dangvu.admission.services import candidates_create_bulk
from dangvu.admission.tally import tally_deferred
from dangvu.audit.models import AuditRecord
from dangvu.core.db import (
    commit_without_flush_wait,
    create_indexes,
    drop_indexes,
    foreign_keys_checked_after,
    page_cache,
    rebuild_indexes,
    refresh_planner_statistics,
    restore_foreign_keys,
    secondary_indexes,
)
from dangvu.dataset.models import DatasetJob
from dangvu.dataset.national.candidates import candidate_rows
from dangvu.dataset.national.documents import load_documents
from dangvu.dataset.national.meetings import meeting_rows, past_months
from dangvu.dataset.national.people import member_rows
from dangvu.dataset.national.plan import Unit, country_plan, rng_for, unit_branch
from dangvu.dataset.national.training import load_training
from dangvu.documents.models import Document, Recipient
from dangvu.meetings.models import (
    Meeting,
    MeetingAbsence,
    MeetingEvaluation,
    MeetingMonth,
    Supervision,
    SupervisionVisit,
)
from dangvu.meetings.rollup import rollup_deferred
from dangvu.meetings.services import meetings_create_bulk, supervisions_create_bulk
from dangvu.members.models import Member, MemberPeriod, MembershipEvent, NameKey, Position
from dangvu.members.services import members_create_bulk, name_keys_deferred
from dangvu.organisations.models import Organisation, OrganisationVersion
from dangvu.organisations.services import organisation_create, organisations_create_bulk
from dangvu.stats.build import snapshots_build
from dangvu.stats.counters import counters_deferred
from dangvu.stats.models import SubtreeCounter, SubtreeSnapshot
from dangvu.training.models import Enrolment, SessionAttendance, TrainingClass

__all__ = [
    "generate",
    "GenerateConflict",
    "GenerateResult",
    "FOUNDED",
    "indexes_pending",
    "check_indexes",
]

# The 2025 shape is the tree as it stands; its organisations are dated from here so that
# members' older histories fall inside their cells' lives.
FOUNDED = date(1975, 5, 1)
ROOT = ("TW", "Ban Chấp hành Trung ương")
# Members per transaction: 1 unit per commit loaded 1,290 members/s into a 1M-member SQLite
# database, groups of ~20 units (~6,000 members) 1,690/s; RSS does not grow with the group.
GROUP_MEMBERS = 6000
# SQLite's page cache during a load (core.db.page_cache): 256 MiB loaded 1M members with a
# peak RSS of 564 MiB.
LOAD_CACHE_MIB = 256
_JOB = "generate"
# The tables a load fills (indexes rebuilt packed at the end on PostgreSQL).
_LOADED = (
    Organisation,
    OrganisationVersion,
    SubtreeCounter,
    SubtreeSnapshot,
    Member,
    MembershipEvent,
    MemberPeriod,
    NameKey,
    AuditRecord,
    Meeting,
    MeetingAbsence,
    MeetingEvaluation,
    MeetingMonth,
    Supervision,
    SupervisionVisit,
)


# Tables whose secondary indexes no query of the load reads: built after the rows, packed, as a
# restore builds them. PostgreSQL, one process: about 39 µs of CPU per member less; at 5.6M with
# two processes the load rate did not change measurably (the Python side probably bounds it).
# SQLite, 1M members with LOAD_CACHE_MIB, side by side: load 2,784 -> 4,015 members/s, whole
# run 424 -> 334 s (13 s of it building them).
# The meetings' (issue 17) likewise: their foreign keys checked row by row and their indexes
# kept were most of the 111 s a year of meetings added to a 200,000-member PostgreSQL load.
_INDEXED_AFTER = (Member, MembershipEvent, MemberPeriod, Meeting, MeetingAbsence, MeetingEvaluation)
# Tables whose kept indexes the load fills in key order (ids drawn from the sequence in
# ascending runs, a member's events numbered in order): 86-89 % full after the load, as good as
# rebuilt (90 %), so not rebuilt (they are most of the kept indexes' bytes). The snapshots are
# built after the load and rebuilt then.
_FILLED_IN_ORDER = (
    MembershipEvent,
    MemberPeriod,
    SubtreeSnapshot,
    Meeting,
    MeetingAbsence,
    MeetingEvaluation,
)


class GenerateConflict(Exception):
    pass


@dataclass
class GenerateResult:
    members: int
    units: int
    skipped_units: int
    organisations: int
    seconds: float


def _marker(members: int, seed: int, shape: str) -> dict:
    return {"members": members, "seed": seed, "shape": shape}


def _check_database(params: dict) -> bool:
    """True when resuming a run with the same parameters; raises on anything else."""
    job = DatasetJob.objects.filter(kind=_JOB).first()
    if job is not None:
        if job.params != params:
            raise GenerateConflict(
                "This database holds a dataset generated with "
                f"--members {job.params['members']} --seed {job.params['seed']} "
                f"--shape {job.params['shape']}: use the same arguments to resume, or a new "
                "database (DANGVU_DATA_DIR or DATABASE_URL)."
            )
        return True
    if Organisation.objects.exists():
        raise GenerateConflict(
            "generate needs an empty database: this one already holds "
            f"{Organisation.objects.count()} organisations (the demo?). Point DANGVU_DATA_DIR "
            "or DATABASE_URL at a new database."
        )
    return False


def indexes_pending() -> list[list[str]]:
    """[name, definition] of the indexes a load took out and has not built again (a run
    stopped in between): the job's row keeps them, written with the drop."""
    job = DatasetJob.objects.filter(kind=_JOB).first()
    return list(job.indexes_out) if job is not None else []


def check_indexes(report) -> None:
    """Part of `dangvu check` (core.registry): the indexes a stopped load left out."""
    for name, _definition in indexes_pending():
        report(
            "indexes",
            f"index {name} is out (a `dangvu generate` stopped while loading: run it again "
            "with the same arguments)",
        )


def _set_indexes_out(indexes: list[list[str]]) -> None:
    DatasetJob.objects.filter(kind=_JOB).update(indexes_out=indexes)


def _indexes_out() -> None:
    """Drop the secondary indexes of _INDEXED_AFTER, their definitions recorded first in the
    same transaction (PostgreSQL's DDL is transactional: both or neither)."""
    present = secondary_indexes(*_INDEXED_AFTER)
    if not present:
        return
    with transaction.atomic():
        out = indexes_pending()
        out += [index for index in present if index[0] not in {name for name, _d in out}]
        _set_indexes_out(out)
        drop_indexes(name for name, _d in present)


def _indexes_back(*, leave: Sequence = ()) -> None:
    """Build the indexes the load took out; those of the `leave` models' tables are left for the
    caller, and the job's row says all are back once none is left out (the last call)."""
    pending = indexes_pending()
    aside = {name for name, definition in pending if any(_on(definition, m) for m in leave)}
    create_indexes(index for index in pending if index[0] not in aside)
    if pending and not aside:
        _set_indexes_out([])


def _on(definition: str, model) -> bool:
    """Whether an index definition (pg_get_indexdef / sqlite_master) is on `model`'s table."""
    table = re.escape(model._meta.db_table)
    return re.search(rf'\sON\s+(ONLY\s+)?("?\w+"?\.)?"?{table}"?\s', definition) is not None


@contextmanager
def _meanwhile(work: Callable[[], None]) -> Iterator[None]:
    """Run `work` on a second connection (a thread) while the block runs; its error is raised
    after the block."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            failed.append(exc)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name="generate-beside", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failed:
        raise failed[0]


def _second_connection() -> bool:
    """PostgreSQL, outside a transaction (a second connection would not see this one's rows),
    with a pool (if any) that can lend a second connection."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    pool = connection.settings_dict["OPTIONS"].get("pool")
    if not isinstance(pool, dict):
        return True  # none, or psycopg_pool's defaults (4)
    return (pool.get("max_size") or pool.get("min_size", 4)) >= 2


# What generate checks and indexes beside the snapshot build, which reads none of them.
_BESIDE = (MembershipEvent, Meeting, MeetingAbsence, MeetingEvaluation)


def _checked_and_indexed_beside() -> None:
    """The foreign keys of _BESIDE added back (every row checked) and their indexes built."""
    restore_foreign_keys(*_BESIDE)
    create_indexes(index for index in indexes_pending() if any(_on(index[1], m) for m in _BESIDE))


def _load_unit(unit: Unit, province: Organisation, seed: int, today: date) -> int:
    """Write one unit inside the caller's transaction (generate: one per group of units)."""
    specs, cells, kinds = unit_branch(unit, seed)
    head = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "grassroots_type": unit.grassroots_type if unit.kind == "commune" else "",
        "place_name": unit.place_name,
        "place_code": unit.place_code,
        "children": specs,
    }
    created = organisations_create_bulk(
        actor=None, parent=province, specs=[head], valid_from=FOUNDED
    )
    by_code = {o.code: o for o in created}
    rng = rng_for(seed, "people", unit.code)
    rows = member_rows(
        rng,
        region=unit.region,
        province_code=unit.province_code,
        place=unit.place_name or province.place_name,
        cells=[(by_code[code], kinds[code], size) for code, size in cells],
        offset=unit.offset,
        today=today,
    )
    made = []
    for start in range(0, len(rows), 5000):
        made += members_create_bulk(actor=None, rows=rows[start : start + 5000])
    cases = candidate_rows(
        rng_for(seed, "candidates", unit.code),
        members=made,
        cells=[(by_code[code], size) for code, size in cells],
        region=unit.region,
        today=today,
    )
    candidates_create_bulk(actor=None, rows=cases)
    _load_meetings(unit, by_code, cells, made, seed, today)
    load_training(
        rng_for(seed, "training", unit.code),
        unit=by_code[unit.code],
        province=province,
        cells=[by_code[code] for code, _size in cells],
        members=made,
        today=today,
    )
    return len(created)


def _load_meetings(unit: Unit, by_code: dict, cells: list, made: list, seed: int, today) -> None:
    """A year of the unit's cell meetings, evaluated; a committee member of the unit (an
    account without a password) following one cell in three (dataset.national.meetings)."""
    held, visited = meeting_rows(
        rng_for(seed, "meetings", unit.code),
        members=made,
        cells=[(by_code[code], size) for code, size in cells],
        today=today,
    )
    written = meetings_create_bulk(actor=None, rows=held)
    if not visited:
        return
    committee = by_code[unit.code]
    user, _password = user_create(
        actor=None,
        username=f"gs.{unit.code.lower()}",
        full_name=f"Ủy viên Ban Thường vụ {unit.name}"[:150],
        sign_in=False,
    )
    grant_create(actor=None, user=user, organisation=committee, role="committee_member")
    by_id = {o.pk: o for o in by_code.values()}
    supervisions_create_bulk(
        actor=None,
        committee=committee,
        supervisor=user,
        valid_from=past_months(today)[0],
        cells=[(by_id[cell], [written[i] for i in found]) for cell, found in visited.items()],
    )


def _groups(units: list[tuple]) -> Iterator[list[tuple]]:
    """Consecutive (province, unit) pairs of about GROUP_MEMBERS members each."""
    group, size = [], 0
    for pair in units:
        group.append(pair)
        size += pair[1].members
        if size >= GROUP_MEMBERS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _load_pairs(
    pairs: list[tuple], provinces: dict[str, Organisation], done: set[str], seed: int, today
) -> Iterator[tuple[int, int, int, int, str]]:
    """Load (province plan, unit) pairs in commit groups; after each commit yields what it
    added: (members, units, units already there, organisations, last unit code)."""
    for group in _groups(pairs):
        orgs = 0
        with (
            transaction.atomic(),
            counters_deferred(),
            tally_deferred(),
            name_keys_deferred(),
            rollup_deferred(),
        ):
            commit_without_flush_wait()  # a lost group is loaded again by the next run
            for p, unit in group:
                if unit.code not in done:
                    orgs += _load_unit(unit, provinces[p.code], seed, today)
        yield (
            sum(unit.members for _p, unit in group),
            len(group),
            sum(unit.code in done for _p, unit in group),
            orgs,
            group[-1][1].code,
        )


class _Tally:
    def __init__(self, total: int, progress: Callable[[int, int, str], None] | None):
        self.total, self.progress = total, progress
        self.written = self.units = self.skipped = self.orgs = 0

    def add(self, members: int, units: int, skipped: int, orgs: int, code: str) -> None:
        self.written += members
        self.units += units
        self.skipped += skipped
        self.orgs += orgs
        if self.progress:
            self.progress(self.written, self.total, code)


def _shares(plan: list, workers: int) -> list[list]:
    """Provinces dealt out to workers, largest first to the least loaded: each province's
    organisations are created by one process only (tree paths are allocated per parent)."""
    shares: list[list] = [[] for _ in range(workers)]
    loads = [0] * workers
    for p in sorted(plan, key=lambda p: -p.members):
        i = loads.index(min(loads))
        shares[i].append(p)
        loads[i] += p.members
    return [share for share in shares if share]


def _worker(share: list, done: set[str], seed: int, today, queue) -> None:
    """One process of a parallel load (forked: Django is set up, its connection closed)."""
    try:
        provinces = {
            o.place_code: o
            for o in Organisation.objects.filter(code__in=[p.org_code for p in share])
        }
        pairs = [(p, unit) for p in share for unit in p.units]
        for step in _load_pairs(pairs, provinces, done, seed, today):
            queue.put(("step", step))
        queue.put(("done", None))
    except BaseException:  # noqa: BLE001 - reported to the parent, which stops the others
        queue.put(("error", traceback.format_exc()))
    finally:
        connections.close_all()


def _load_in_workers(plan: list, workers: int, done: set[str], seed: int, today, tally) -> None:
    """The units loaded by `workers` processes at once (PostgreSQL: one writer per process).
    Each commit group still applies its counter deltas and writes its name keys once, both in
    key order: the processes meet only on the nation's counter rows and on the keys of names
    both bring, and take them in the same order (they wait, never deadlock)."""
    if connection.vendor != "postgresql":
        raise GenerateConflict(
            "--workers above 1 needs PostgreSQL: SQLite lets one process write at a time."
        )
    if connection.in_atomic_block:
        raise GenerateConflict("--workers above 1 cannot run inside a transaction.")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    # Each process opens its own connections: none may inherit a socket, pooled ones included
    # (a pool also runs a thread, which a fork would not carry over).
    connections.close_all()
    for conn in connections.all():
        if conn.vendor == "postgresql":
            conn.close_pool()
    processes = [
        context.Process(target=_worker, args=(share, done, seed, today, queue), daemon=True)
        for share in _shares(plan, workers)
    ]
    for process in processes:
        process.start()
    running = len(processes)
    try:
        while running:
            try:
                kind, payload = queue.get(timeout=5)
            except Empty:
                if not any(process.is_alive() for process in processes):
                    raise GenerateConflict(
                        "The load workers stopped without a word; run the same command again "
                        "to resume."
                    ) from None
                continue
            if kind == "step":
                tally.add(*payload)
            elif kind == "done":
                running -= 1
            else:
                raise GenerateConflict(
                    "A load worker failed (run the same command again to resume):\n" + payload
                )
    finally:
        for process in processes:
            if process.is_alive() and running:
                process.terminate()
            process.join()


def generate(
    *,
    members: int,
    seed: int = 1,
    shape: str = "2025",
    progress: Callable[[int, int, str], None] | None = None,
    workers: int = 1,
) -> GenerateResult:
    """Generate (or resume generating) a country of `members` member records, with `workers`
    processes loading provinces at once (PostgreSQL only)."""
    if shape != "2025":
        raise GenerateConflict(
            "Only --shape 2025 is available: the pre-2025 map with the reorganisation applied "
            "is generated by `dangvu demo` for one province pair."
        )
    started = time.monotonic()
    params = _marker(members, seed, shape)
    resuming = _check_database(params)
    today = timezone.localdate()
    plan = country_plan(members, seed)
    with transaction.atomic():
        if not resuming:
            DatasetJob.objects.create(kind=_JOB, params=params)
        root = Organisation.objects.filter(code=ROOT[0]).first() or organisation_create(
            actor=None,
            code=ROOT[0],
            name=ROOT[1],
            kind="central",
            parent=None,
            valid_from=FOUNDED,
        )
        provinces = {}
        for p in plan:
            provinces[p.code] = Organisation.objects.filter(code=p.org_code).first() or (
                organisation_create(
                    actor=None,
                    code=p.org_code,
                    name=f"Đảng bộ {p.full_name[0].lower()}{p.full_name[1:]}",
                    kind="province",
                    parent=root,
                    valid_from=FOUNDED,
                    place_name=p.full_name,
                    place_code=p.code,
                )
            )
    done = set(
        Organisation.objects.filter(code__in=[u.code for p in plan for u in p.units]).values_list(
            "code", flat=True
        )
    )
    total = sum(p.members for p in plan)
    tally = _Tally(total, progress)
    # PostgreSQL, outside a transaction: the events' and meetings' foreign keys are checked and
    # their indexes built on a second connection while the snapshots build on this one (one core
    # sat idle).
    beside = _BESIDE if _second_connection() else ()
    # SQLite: the load's random-order index inserts read their pages from a cache this size,
    # not the operating system's (PostgreSQL: the server's shared buffers).
    with page_cache(LOAD_CACHE_MIB):
        if all(u.code in done for p in plan for u in p.units):
            # A run stopped while they were out.
            restore_foreign_keys(*_LOADED)
            _indexes_back()
            beside = ()
        else:
            _indexes_out()
            try:
                with foreign_keys_checked_after(*_LOADED, leave=beside):
                    if workers > 1:
                        _load_in_workers(plan, workers, done, seed, today, tally)
                    else:
                        pairs = [(p, unit) for p in plan for unit in p.units]
                        for step in _load_pairs(pairs, provinces, done, seed, today):
                            tally.add(*step)
            except BaseException:
                _indexes_back()  # every key is back (foreign_keys_checked_after): all indexes too
                raise
            # The indexes the load kept, rebuilt packed (a restore builds them after the rows;
            # this load inserted into them out of order: identity and card numbers, name keys,
            # counters, paths were 54-80 % full after a two-process load) before the others
            # come back built in one pass.
            rebuild_indexes(*[model for model in _LOADED if model not in _FILLED_IN_ORDER])
            _indexes_back(leave=beside)
        refresh_planner_statistics(
            Organisation,
            OrganisationVersion,
            SubtreeCounter,
            Member,
            MembershipEvent,
            MemberPeriod,
            Meeting,
            MeetingAbsence,
            MeetingEvaluation,
            MeetingMonth,
            Supervision,
            Position,
            TrainingClass,
            Enrolment,
            SessionAttendance,
        )
        # Each snapshot row's organisation is checked once at the end, not row by row at every
        # day's commit (about 60 ms a commit at 5.6M members, 20 s in all). The work beside
        # starts after those constraints are out: both take a lock on the organisations table.
        with (
            foreign_keys_checked_after(SubtreeSnapshot),
            _meanwhile(_checked_and_indexed_beside) if beside else nullcontext(),
        ):
            snapshots_build()
        _indexes_back()  # nothing left to build: the job's row says all are back
        if tally.units > tally.skipped:
            rebuild_indexes(SubtreeSnapshot)
        # The documents go to organisations that must all exist: written last, once.
        if load_documents(today, seed):
            refresh_planner_statistics(Document, Recipient)
    return GenerateResult(
        members=total,
        units=tally.units,
        skipped_units=tally.skipped,
        organisations=tally.orgs,
        seconds=time.monotonic() - started,
    )
