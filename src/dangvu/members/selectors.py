"""Reads over members. Every selector that serves a person takes `actor` and starts from the
access gate (accounts.scoping.restrict)."""

from contextlib import nullcontext
from datetime import date, timedelta
from itertools import permutations

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.sql.where import ExtraWhere
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangvu.accounts.scoping import (
    allows,
    covers_all,
    get_or_404,
    holds_anywhere,
    restrict,
    scope_for,
)
from dangvu.core.dates import add_months
from dangvu.core.db import PREFIX_END, planner_settings, prefix_q
from dangvu.core.errors import ValidationError
from dangvu.core.registry import DueItem
from dangvu.core.rules import rule_value_or_none
from dangvu.core.text import tokens
from dangvu.core.workdays import add_working_days
from dangvu.members.choices import IN_PARTY, EventType, Status
from dangvu.members.dated import timeline_of
from dangvu.members.fields import RECORD, record_field
from dangvu.members.models import (
    AttributeChange,
    Member,
    MemberPeriod,
    MembershipEvent,
    NameKey,
    Position,
    Transfer,
)
from dangvu.organisations.models import Organisation, OrganisationVersion
from dangvu.organisations.selectors import covering_q, org_paths_named, org_version_on

__all__ = [
    "attribute_changes",
    "transfers_pending",
    "transfer_in_transit",
    "transfer_get",
    "transfers_due",
    "attribute_history",
    "dated_attributes",
    "member_list",
    "member_get",
    "SENSITIVE_FILTERS",
    "member_events",
    "event_get",
    "member_count_in_org",
    "member_ids_in_org",
    "members_after",
    "member_search_ids",
    "is_name_search",
    "search_capped",
    "SEARCH_CAP",
    "effective_events",
    "members_on",
    "members_due",
    "member_pick",
    "due_q",
    "DUE_KINDS",
    "members_before",
    "bounded_count",
    "COUNT_BOUND",
]


DUE_KINDS = ("recognition", "recognition_overdue")
RECOGNITION_WORKING_DAYS = 30  # DOMAIN.md §3, step 13


def probation_ended_on_or_before(day: date) -> date:
    """Members whose admission ceremony was on or before the returned date had completed their
    12 months of probation by `day` (DOMAIN.md §3, step 12)."""
    return add_months(day, -12)


def recognition_overdue_cutoff(today: date) -> date:
    """The latest ceremony date whose recognition is overdue today: its 12 months ended more
    than RECOGNITION_WORKING_DAYS working days ago (step 13)."""
    end = today
    while add_working_days(end, RECOGNITION_WORKING_DAYS) >= today:
        end -= timedelta(days=1)
    return add_months(end, -12)


def due_q(due: str, today: date) -> Q:
    """Probationary members whose recognition is due ("recognition": their 12 months are over,
    the cell's 30 working days to consider it are not) or overdue ("recognition_overdue": those
    30 working days are over too). The ceremony
    date counts; the admission date where no ceremony is recorded."""
    if due not in DUE_KINDS:
        raise ValidationError(
            {"due": _("Unknown list: choose %(k)s.") % {"k": ", ".join(DUE_KINDS)}}
        )
    overdue = recognition_overdue_cutoff(today)

    def began_by(cut: date) -> Q:
        return Q(ceremony_date__lte=cut) | Q(ceremony_date__isnull=True, admission_date__lte=cut)

    if due == "recognition_overdue":
        return Q(status=Status.PROBATIONARY) & began_by(overdue)
    # Due and still within the cell's 30 working days: the overdue ones are their own list.
    return (
        Q(status=Status.PROBATIONARY)
        & began_by(probation_ended_on_or_before(today))
        & ~began_by(overdue)
    )


def member_list(
    *,
    actor,
    org: Organisation | None = None,
    q: str = "",
    status: str = "",
    filters: dict | None = None,
    due: str = "",
) -> QuerySet[Member]:
    """Members visible to the actor, optionally within an organisation's subtree.

    Without `q`: ordered by cell (tree order) then name, which the (org_path, name_folded)
    index serves for a province as for a cell. With `q`: the best matches of every word of the
    folded name, accent- and case-insensitive, in any order (member_search_ids), ordered by
    name; or a party card / identity number exactly. `status` is a Status value, or "active"
    for everyone in the party.
    """
    qs = restrict(Member.objects.select_related("organisation"), actor)
    if org is not None:
        qs = qs.filter(prefix_q("org_path", org.path))
    where = _conditions(status, filters)
    sensitive = sorted(f for f in where if f in SENSITIVE_FILTERS)
    words = tokens(q)
    by_identity = bool(words) and not is_name_search(q) and len(words[0]) == IDENTITY_DIGITS
    if by_identity:
        sensitive.append("q")
    if sensitive and not covers_all(
        actor, "members.view_sensitive", "members.view", org.path if org is not None else None
    ):
        # The result would tell the field of members whose sensitive fields the actor may not
        # see (DOMAIN.md §2; issue: sensitive fields by object).
        raise ValidationError(
            {
                name: _(
                    "You may not search by this field here: choose an organisation whose "
                    "members' personal particulars you may see."
                )
                for name in sensitive
            }
        )
    for field, values in where.items():
        qs = qs.filter(**{f"{field}__in": values})
    if due:
        qs = qs.filter(due_q(due, timezone.localdate()))
    if not words:
        return qs.order_by("org_path", "name_folded", "id")
    if not is_name_search(q):
        number = Q(party_card_number=words[0])
        if by_identity:
            number |= Q(identity_number=words[0])
        qs = qs.filter(number)
    else:
        ids = member_search_ids(actor=actor, org=org, words=words, where=where)
        qs = qs.filter(pk__in=ids)
    return qs.order_by("name_folded", "id")


# Filters on fields the registry calls sensitive (MembersConfig.ready): allowed only where the
# actor may see those fields of every member the search could find.
SENSITIVE_FILTERS = frozenset({"ethnicity", "religion", "birth_date", "identity_number", "phone"})
IDENTITY_DIGITS = 12  # a citizen identity number; a party card number has 8


def is_name_search(q: str) -> bool:
    """Whether member_list searches `q` among names (at most SEARCH_CAP matches), not as a card
    or identity number."""
    words = tokens(q)
    return bool(words) and not (len(words) == 1 and words[0].isdigit())


def search_capped(members: QuerySet[Member], q: str) -> bool:
    """Whether member_list(q=q) gave `members` only the first SEARCH_CAP name matches (more
    may exist). Counts at most SEARCH_CAP rows."""
    return is_name_search(q) and members.count() >= SEARCH_CAP


def _conditions(status: str, filters: dict | None) -> dict[str, list[str]]:
    """{member field: accepted values} for a status ("active": everyone in the party) and
    {field: value} filters (empty values ignored)."""
    where: dict[str, list[str]] = {}
    if status == "active":
        where["status"] = sorted(IN_PARTY)
    elif status in Status.values:
        where["status"] = [status]
    elif status:
        raise ValidationError(
            {"status": _("Unknown status: choose active, %(s)s.") % {"s": ", ".join(Status.values)}}
        )
    for field, value in (filters or {}).items():
        if value not in (None, ""):
            reflist = record_field(field).reflist
            if reflist is None or value not in reflist:
                raise ValidationError({field: _("Unknown value: %(v)s.") % {"v": value}})
            where[field] = [value]
    return where


# A scope this small is searched by reading its members' names (cost bounded by the scope);
# a larger one through the name keys (cost bounded by SEARCH_CAP, SEARCH_SCAN and SEARCH_READ).
SMALL_SCOPE = 10_000
SEARCH_CAP = 100  # candidates returned by a name search (pages of 20 go through them)
SEARCH_SCAN = 20_000  # name keys (distinct names) read at most when no word order matches
# Members bearing the matching names read at most by one word order when filters (status,
# gender…) leave some out: at 5.6M members, 40,000 rows cost about 50-100 ms on PostgreSQL.
SEARCH_READ = 40_000


def _scope_prefixes(actor, org: Organisation | None) -> tuple[list[str] | None, list[str]]:
    """(subtree path prefixes or None for the whole tree, exact paths) to search in."""
    if org is not None:
        return [org.path], []
    scope = scope_for(actor)
    if "members.view" in scope.everything:
        return None, []
    return sorted(scope.subtrees.get("members.view", ())), sorted(
        scope.exact.get("members.view", ())
    )


def _scope_is_small(prefixes: list[str] | None, exact: list[str]) -> bool:
    """Whether at most SMALL_SCOPE member rows lie under the scope's roots: a count that stops
    there, read from the (org_path, name_folded) index (a few milliseconds at most)."""
    if prefixes is None:
        return False
    scope = Q(pk__in=[])
    for p in prefixes:
        scope |= prefix_q("org_path", p)
    if exact:
        scope |= Q(org_path__in=exact)
    return Member.objects.filter(scope).order_by()[: SMALL_SCOPE + 1].count() <= SMALL_SCOPE


def _scope_sql(prefixes: list[str] | None, exact: list[str]) -> tuple[str, list]:
    if prefixes is None:
        return "", []
    parts, params = [], []
    for p in prefixes:
        parts.append("(m.org_path >= %s AND m.org_path < %s)")
        params += [p, p + PREFIX_END]
    for p in exact:
        parts.append("m.org_path = %s")
        params.append(p)
    return " AND (" + (" OR ".join(parts) or "1 = 0") + ")", params


def _where_sql(where: dict[str, list[str]]) -> tuple[str, list]:
    """AND-ed conditions on the member row `m` (for member_search_ids)."""
    parts, params = [], []
    for field, values in where.items():
        column = Member._meta.get_field(field).column
        parts.append(f" AND m.{column} IN ({', '.join(['%s'] * len(values))})")
        params += values
    return "".join(parts), params


def member_search_ids(
    *,
    actor,
    org: Organisation | None,
    words: list[str],
    where: dict[str, list[str]] | None = None,
) -> list[int]:
    """Ids of up to SEARCH_CAP members whose folded name has a word starting with each of
    `words` (any order), within the actor's scope (and `org`'s subtree), whose fields hold one
    of the values `where` accepts ({field: values}; applied before the cap, so that a rare
    status is not crowded out by the common one). Callers still go through the gate
    (accounts.scoping.restrict): this only narrows.

    Plans (PERFORMANCE.md traps 1-4): a small scope reads its members' names; otherwise
    index ranges on NameKey for the words in each order (a name's words are cyclic in its
    keys) joined to the members bearing the name, then one bounded scan of the names driven
    by the longest word, never a ranking of all matches of a common word.
    """
    where = where or {}
    prefixes, exact = _scope_prefixes(actor, org)
    if _scope_is_small(prefixes, exact):
        qs = Member.objects.filter(**{f"{field}__in": values for field, values in where.items()})
        scope = Q(pk__in=[])
        for p in prefixes:
            scope |= prefix_q("org_path", p)
        if exact:
            scope |= Q(org_path__in=exact)
        if org is None and scope_for(actor).member_id:
            scope |= Q(pk=scope_for(actor).member_id)  # one's own record (the registry's rule)
        qs = qs.filter(scope)
        for word in words:
            qs = qs.filter(Q(name_folded__startswith=word) | Q(name_folded__contains=" " + word))
        return list(qs.order_by("name_folded", "id").values_list("id", flat=True)[:SEARCH_CAP])

    keys = NameKey._meta.db_table
    members = Member._meta.db_table
    scope_sql, scope_params = _scope_sql(prefixes, exact)
    where_sql, where_params = _where_sql(where)
    where_columns = "".join(f", m.{Member._meta.get_field(f).column}" for f in where)
    found: dict[int, None] = {}
    orders = permutations(words) if len(words) <= 3 else [tuple(words)]
    # With filters, the ordered range is read lazily up to its bound; PostgreSQL's planner
    # cannot see that bound and, expecting fewer rows than it, sorted every member bearing a
    # matching name instead ('ngu', a rare status: 400 ms at 1M members, against 2-40 ms).
    ordered = planner_settings(enable_sort="off") if where else nullcontext()
    with ordered, connection.cursor() as cursor:
        for order in orders:
            prefix = " ".join(order)
            bounds = [prefix, prefix + PREFIX_END]
            if where:
                # The members bearing the names in key order, read lazily up to SEARCH_READ
                # rows, those in scope that the filters accept kept until SEARCH_CAP: the default
                # filter ("in the party") keeps most and stops after about SEARCH_CAP rows in
                # scope; a rare one is bounded. The bound counts rows read, in scope or not: a
                # province's members are a tenth of the names' bearers.
                cursor.execute(
                    f"SELECT m.id FROM (SELECT m.id, m.org_path{where_columns} FROM {keys} k "
                    f"JOIN {members} m ON m.name_folded = k.name "
                    "WHERE k.key >= %s AND k.key < %s ORDER BY k.key LIMIT %s) m "
                    f"WHERE 1 = 1{scope_sql}{where_sql} LIMIT %s",
                    [*bounds, SEARCH_READ, *scope_params, *where_params, SEARCH_CAP],
                )
            else:
                cursor.execute(
                    f"SELECT m.id FROM {keys} k JOIN {members} m ON m.name_folded = k.name "
                    f"WHERE k.key >= %s AND k.key < %s{scope_sql} ORDER BY k.key LIMIT %s",
                    [*bounds, *scope_params, SEARCH_CAP],
                )
            for (pk,) in cursor.fetchall():
                found.setdefault(pk)
            if len(found) >= SEARCH_CAP:
                return list(found)[:SEARCH_CAP]
        if len(words) > 1:
            # No order of the words starts a key: read the keys of the longest word (bounded),
            # keep the names holding the other words too, then their members.
            driver = max(words, key=len)
            rest = list(words)
            rest.remove(driver)
            likes = "".join(" AND (' ' || key) LIKE %s" for _w in rest)
            cursor.execute(
                f"SELECT m.id FROM (SELECT name FROM (SELECT key, name FROM {keys} "
                f"WHERE key >= %s AND key < %s ORDER BY key LIMIT %s) s WHERE 1 = 1{likes}) k "
                f"JOIN {members} m ON m.name_folded = k.name WHERE 1 = 1{scope_sql}{where_sql} "
                "LIMIT %s",
                [
                    driver,
                    driver + PREFIX_END,
                    SEARCH_SCAN,
                    *[f"% {w}%" for w in rest],
                    *scope_params,
                    *where_params,
                    SEARCH_CAP,
                ],
            )
            for (pk,) in cursor.fetchall():
                found.setdefault(pk)
    return list(found)[:SEARCH_CAP]


def member_get(*, actor, pk, action: str = "members.view") -> Member:
    """The member the actor may `action`, or Http404 (outside the scope it does not exist)."""
    return get_or_404(
        actor, Member.objects.select_related("organisation", "temp_organisation"), action, pk=pk
    )


def event_get(*, member: Member, pk: int) -> MembershipEvent | None:
    """One event of a member the caller got through the gate (None if not theirs)."""
    return member_events(member).filter(pk=pk).first()


def member_events(member: Member) -> QuerySet[MembershipEvent]:
    """The events of a member the caller already got through the gate (member_get)."""
    return member.events.select_related(
        "organisation", "from_organisation", "corrects", "corrected_by", "recorded_by"
    ).order_by("seq")


def member_count_in_org(org: Organisation) -> int:
    # By the cell's path (members' org_path, indexed): Member.organisation keeps no index of
    # its own (docs/decisions/0017).
    return Member.objects.filter(org_path=org.path, status__in=IN_PARTY).count()


def members_on(*, actor, org: Organisation, day, limit: int = 20) -> tuple[list[Member], int]:
    """The members in the party in `org`'s subtree on `day`, as the tree stood that day (a
    dissolved organisation's members on its last day), those the actor may see: the first
    `limit` by name, and how many there were (counted up to COUNT_BOUND)."""
    version = org_version_on(org, day)
    if version is None:
        return [], 0
    cells = OrganisationVersion.objects.filter(covering_q(day)).filter(
        prefix_q("path", version.path)
    )
    periods = MemberPeriod.objects.filter(covering_q(day)).filter(
        organisation_id__in=cells.values("organisation_id")
    )
    qs = restrict(Member.objects.filter(pk__in=periods.values("member_id")), actor)
    qs = qs.select_related("organisation").order_by("name_folded", "id")
    return list(qs[:limit]), bounded_count(qs)


COUNT_BOUND = 1000


def bounded_count(qs: QuerySet, bound: int = COUNT_BOUND) -> int:
    """How many rows `qs` has, counted up to `bound` + 1 (a page says "more than `bound`"
    past it): a list at national size is never counted whole."""
    return qs.order_by()[: bound + 1].count()


PICK_LIMIT = 15


def member_pick(*, actor, q: str, action: str = "members.view", limit: int = PICK_LIMIT) -> list:
    """Members for a picker: those `q` names (every word of the name, accents ignored, or a
    party card number), any status, the actor may `action`; each carries `label` (name and
    cell path). A search the actor may not make finds nobody."""
    try:
        found = list(member_list(actor=actor, q=q, status="")[:limit]) if tokens(q) else []
    except ValidationError:
        return []
    if action != "members.view":
        allowed = set(
            restrict(
                Member.objects.filter(pk__in=[m.pk for m in found]), actor, action
            ).values_list("pk", flat=True)
        )
        found = [m for m in found if m.pk in allowed]
    paths = org_paths_named(actor=actor, orgs={m.organisation for m in found}, action=action)
    for m in found:
        m.label = f"{m.full_name} · {paths.get(m.organisation_id, m.organisation.name)}"
    return found


def members_in_party_under(path: str) -> int:
    """Members in the party in the subtree at `path` (any size: a move of a province counts
    them once, before it asks for confirmation)."""
    return Member.objects.filter(prefix_q("org_path", path), status__in=IN_PARTY).count()


def members_due(actor, today: date) -> list:
    """The home page's member work (core.registry.DueSource): probationary members whose
    recognition is overdue, and those whose 12 months are over, among the members the actor
    manages (or, without members.manage anywhere, may see)."""
    action = "members.manage" if holds_anywhere(actor, "members.manage") else "members.view"
    if not holds_anywhere(actor, action):
        return []
    base = restrict(Member.objects.all(), actor, action)
    items = []
    titles = {
        "recognition_overdue": (
            _("Probationary members whose recognition is overdue (over 30 working days)"),
            "overdue",
        ),
        "recognition": (
            _("Probationary members who have completed 12 months: consider their recognition"),
            "due",
        ),
    }
    for due in ("recognition_overdue", "recognition"):
        n = bounded_count(base.filter(due_q(due, today)))
        if n:
            title, level = titles[due]
            items.append(
                DueItem(
                    title=title,
                    count=min(n, COUNT_BOUND),
                    more=n > COUNT_BOUND,
                    url=f"{reverse('members:list')}?due={due}&status=probationary",
                    level=level,
                )
            )
    return items


def member_ids_in_org(org: Organisation) -> list[int]:
    return list(
        Member.objects.filter(org_path=org.path, status__in=IN_PARTY).values_list("id", flat=True)
    )


def effective_events(member_id: int) -> list[MembershipEvent]:
    """Events that count: neither corrections nor corrected by one."""
    return list(
        MembershipEvent.objects.filter(member_id=member_id, corrected_by__isnull=True)
        .exclude(type=EventType.CORRECTION)
        .order_by("seq")
    )


def members_before(qs: QuerySet[Member], before_id: int) -> QuerySet[Member]:
    """The previous page's direction of members_after: the members that come before the member
    `before_id` (the first of the current page), nearest first (reverse them to show)."""
    return members_after(qs, before_id, backwards=True)


def members_after(
    qs: QuerySet[Member], after_id: int | None, backwards: bool = False
) -> QuerySet[Member]:
    """Keyset pagination over member_list's order ((org_path,) name_folded, id): the members
    that come after the member `after_id` (the last one of the previous page).

    One row-value comparison, `(org_path, name_folded, id) > (…)`, which both engines serve as
    an index range: spelt as an OR of prefixes, PostgreSQL walks a province's index from its
    start on every page."""
    if not after_id:
        return qs
    fields = [f.lstrip("-") for f in qs.query.order_by] or ["id"]
    # Looked up among the listed members themselves: a cursor naming anyone else (outside the
    # actor's scope, or not in this list) is refused alike, and tells nothing about them.
    last = qs.filter(pk=after_id).values_list(*fields).first()
    if last is None:
        raise ValidationError(
            {"after": _("This cursor is not a member of this list: start from the first page.")}
        )
    table = Member._meta.db_table
    columns = ", ".join(f'"{table}"."{Member._meta.get_field(f).column}"' for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    qs = qs._chain()
    if backwards:
        qs = qs.reverse()
    # First in the WHERE clause: SQLite seeks the index with the first lower bound it meets,
    # and the subtree's own (org_path >= prefix) would make every page scan from the
    # province's first member (2.6 ms → 76 ms for the last pages of 560,000).
    sign = "<" if backwards else ">"
    qs.query.where.children.insert(0, ExtraWhere([f"({columns}) {sign} ({marks})"], list(last)))
    return qs


def attribute_changes(member: Member) -> list[AttributeChange]:
    """The member's dated-attribute history (members.dated), in the order recorded."""
    return list(AttributeChange.objects.filter(member=member).order_by("id"))


def dated_attributes(member: Member) -> list[dict]:
    """For the record page: each dated attribute with its current value and the values in force
    over time (oldest first; one entry when it never changed), and whether a change or
    correction of it is recorded (`recorded`)."""
    timeline = timeline_of(member)
    out = []
    for f in RECORD:
        if not f.dated:
            continue
        recorded = timeline.entries(f.name)
        entries = recorded or [(None, getattr(member, f.name))]
        out.append(
            {
                "name": f.name,
                "label": f.label,
                "value": f.label_of(getattr(member, f.name)),
                "entries": [(start, f.label_of(value)) for start, value in entries],
                "recorded": bool(recorded),
            }
        )
    return out


def attribute_history(member: Member, field: str) -> list[dict]:
    """Every recorded change and correction of one dated attribute, newest first."""
    f = record_field(field)
    rows = AttributeChange.objects.filter(member=member, field=field).order_by("-id")
    return [
        {
            "valid_from": c.valid_from,
            "value": f.label_of(c.value),
            "kind": c.get_kind_display(),
            "source": c.source,
            "note": c.note,
            "recorded_at": c.recorded_at,
        }
        for c in rows
    ]


# --- transfers between committees ----------------------------------------------------------------


def _received_here(actor, action: str) -> Q:
    """Transfers addressed to a cell in the actor's scope for `action`."""
    scope = scope_for(actor)
    if action in scope.everything:
        return Q()
    return scope.path_q(action, "to_path")


def transfers_pending(
    actor,
    direction: str,
    today: date | None = None,
    *,
    org: Organisation | None = None,
    limit: int | None = 500,
) -> list[dict]:
    """The transfers in transit that the actor's side must act on or watch: `out` those sent
    from cells in their scope, `in` those addressed to cells in their scope (with `org`: from,
    or to, the cells of its subtree); oldest first, the first `limit` (None: all), with their
    age in days and whether the 30 days to present the letter are over
    (transfer_present_days)."""
    today = today or timezone.localdate()
    qs = Transfer.objects.filter(state=Transfer.State.SENT).select_related(
        "member", "organisation", "to_organisation"
    )
    if direction == "out":
        qs = restrict(qs, actor, "members.view")
        if org is not None:
            qs = qs.filter(prefix_q("org_path", org.path))
    else:
        qs = qs.filter(_received_here(actor, "members.view"))
        if org is not None:
            qs = qs.filter(prefix_q("to_path", org.path))
    qs = qs.order_by("sent_on", "id")
    out = []
    for t in qs.iterator(chunk_size=2000) if limit is None else qs[:limit]:
        days = rule_value_or_none("transfer_present_days", on=t.sent_on) or 30
        age = (today - t.sent_on).days
        out.append({"transfer": t, "age": age, "limit": days, "overdue": age > days})
    return out


def transfer_get(*, actor, pk: int, side: str) -> Transfer:
    """A transfer the actor may act on as the `sending` side (members.manage over the sending
    cell) or the `receiving` side (members.manage over the receiving cell); Http404 otherwise."""
    qs = Transfer.objects.select_related("member", "organisation", "to_organisation").filter(pk=pk)
    if side == "sending":
        return get_or_404(actor, qs, "members.manage")
    found = qs.filter(_received_here(actor, "members.manage")).first()
    if found is None:
        raise Http404
    return found


def transfers_due(actor, today: date) -> list:
    """The home page's transfer work: members sent to cells the actor manages, to receive."""
    if not holds_anywhere(actor, "members.manage"):
        return []
    pending = Transfer.objects.filter(state=Transfer.State.SENT).filter(
        _received_here(actor, "members.manage")
    )
    # One bounded read: how many (up to the bound) and the oldest, for "overdue".
    days = list(pending.order_by("sent_on").values_list("sent_on", flat=True)[: COUNT_BOUND + 1])
    n = len(days)
    if not n:
        return []
    limit = rule_value_or_none("transfer_present_days", on=today) or 30
    late = days[0] < today - timedelta(days=limit)
    return [
        DueItem(
            title=_("Members transferred to your cells, waiting to be received"),
            count=min(n, COUNT_BOUND),
            more=n > COUNT_BOUND,
            url=reverse("members:transfers"),
            level="overdue" if late else "due",
        )
    ]


def transfer_in_transit(member: Member) -> Transfer | None:
    """The member's transfer sent and not yet received, if any."""
    return (
        Transfer.objects.filter(member=member, state=Transfer.State.SENT)
        .select_related("to_organisation")
        .first()
    )


def positions_of(*, actor, org: Organisation, current: bool = True) -> list:
    """The positions held in `org` (the current ones, or all with their dates), through the
    gate: party positions first, then the village's."""
    if not allows(actor, "organisations.view", org):
        raise Http404
    qs = Position.objects.filter(organisation=org).select_related("member")
    if current:
        qs = qs.filter(valid_to__isnull=True)
    order = {k: i for i, k in enumerate(Position.Kind.values)}
    return sorted(qs, key=lambda p: (order[p.kind], p.valid_from, p.pk))
