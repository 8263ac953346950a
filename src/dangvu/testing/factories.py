"""Test helpers shared by every app's tests: factories that build data through the services
(never through model.save()), a snapshot of everything a write can touch (to prove that a
refused action wrote nothing), and an API client that sends a bearer token.

The pytest fixtures that use them live in src/dangvu/conftest.py.
"""

import itertools
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.test import Client

from dangvu.core.dates import add_months

__all__ = [
    "TREE_START",
    "Tree",
    "ApiClient",
    "build_tree",
    "counters",
    "db_snapshot",
    "stored_rows",
    "stored_rows_diff",
    "make_member",
    "make_org",
    "make_token",
    "make_user",
    "member_data",
]

# The day the fixture tree comes into existence: every member date in the tests is later.
TREE_START = date(2015, 1, 1)

_names = itertools.count(1)


def make_org(
    *,
    code: str,
    name: str,
    kind: str,
    parent=None,
    valid_from: date = TREE_START,
    grassroots_type: str = "",
    actor=None,
):
    from dangvu.organisations.services import organisation_create

    return organisation_create(
        actor=actor,
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        grassroots_type=grassroots_type,
    )


@dataclass
class Tree:
    """central → two provinces; the first has a district with a grassroots committee (two
    cells) and a grassroots cell; the second a district, a grassroots committee and one cell."""

    root: object
    province: object  # Kon Tum
    district: object  # Đắk Glei
    committee: object  # Đảng ủy xã Đăk Pék (grassroots committee, commune)
    cell1: object  # Chi bộ thôn Đăk Ung
    cell2: object  # Chi bộ thôn Đăk Năng
    gcell: object  # Chi bộ Trường THPT Đắk Glei (grassroots cell, public service)
    province2: object  # Quảng Ngãi
    district2: object  # Sơn Hà
    committee2: object  # Đảng ủy xã Sơn Kỳ
    cell3: object  # Chi bộ thôn Làng Ranh

    def refresh(self) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).refresh_from_db()


def build_tree(actor=None) -> Tree:
    org = make_org
    root = org(code="TW", name="Ban Chấp hành Trung ương", kind="central", actor=actor)
    province = org(code="KT", name="Tỉnh ủy Kon Tum", kind="province", parent=root, actor=actor)
    district = org(
        code="KT-DG", name="Huyện ủy Đắk Glei", kind="district", parent=province, actor=actor
    )
    committee = org(
        code="KT-DG-DP",
        name="Đảng ủy xã Đăk Pék",
        kind="grassroots_committee",
        parent=district,
        grassroots_type="commune",
        actor=actor,
    )
    cell1 = org(
        code="KT-DG-DP-01", name="Chi bộ thôn Đăk Ung", kind="cell", parent=committee, actor=actor
    )
    cell2 = org(
        code="KT-DG-DP-02", name="Chi bộ thôn Đăk Năng", kind="cell", parent=committee, actor=actor
    )
    gcell = org(
        code="KT-DG-THPT",
        name="Chi bộ Trường THPT Đắk Glei",
        kind="grassroots_cell",
        parent=district,
        grassroots_type="public_service",
        actor=actor,
    )
    province2 = org(code="QN", name="Tỉnh ủy Quảng Ngãi", kind="province", parent=root, actor=actor)
    district2 = org(
        code="QN-SH", name="Huyện ủy Sơn Hà", kind="district", parent=province2, actor=actor
    )
    committee2 = org(
        code="QN-SH-SK",
        name="Đảng ủy xã Sơn Kỳ",
        kind="grassroots_committee",
        parent=district2,
        grassroots_type="commune",
        actor=actor,
    )
    cell3 = org(
        code="QN-SH-SK-01",
        name="Chi bộ thôn Làng Ranh",
        kind="cell",
        parent=committee2,
        actor=actor,
    )
    tree = Tree(
        root,
        province,
        district,
        committee,
        cell1,
        cell2,
        gcell,
        province2,
        district2,
        committee2,
        cell3,
    )
    tree.refresh()  # add_child changed numchild on the parents
    return tree


def member_data(**overrides) -> dict:
    """A valid record: an official Kinh man admitted in 2010 (official a year later)."""
    n = next(_names)
    data = {
        "full_name": f"Nguyễn Văn Thử {n}",
        "birth_date": date(1980, 5, 10),
        "gender": "M",
        "ethnicity": "01",
        "religion": "00",
        "education": "upper_secondary",
        "professional_level": "university",
        "theory_level": "intermediate",
        "occupation": "farmer",
        "admission_date": date(2016, 3, 15),
    }
    data.update(overrides)
    if "official_date" not in overrides and data.get("admission_date"):
        start = data.get("ceremony_date") or data["admission_date"]
        data["official_date"] = add_months(start, 12)
    return data


def make_member(org, *, actor=None, probationary: bool = False, **overrides):
    """member_create with a valid record; `probationary=True` leaves out the official date."""
    from dangvu.members.services import member_create

    if probationary:
        overrides.setdefault("official_date", None)
    return member_create(actor=actor, data=member_data(**overrides), organisation=org)


def make_user(
    username: str,
    *,
    role: str | None = None,
    org=None,
    include_descendants=True,
    superuser: bool = False,
    actor=None,
):
    from dangvu.accounts.services import grant_create, user_create

    user, _password = user_create(actor=actor, username=username, password="x-test-pass-9")
    if superuser:
        user.is_superuser = True
        user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    if role:
        grant_create(
            actor=actor,
            user=user,
            organisation=org,
            role=role,
            include_descendants=include_descendants,
        )
    return user


def make_token(user, actor=None) -> str:
    from dangvu.accounts.services import token_create

    return token_create(actor=actor, user=user)


def counters(org) -> dict[tuple[str, str], int]:
    """The organisation's non-zero rollup counters. A cell keeps none (stats.counters): for a
    cell, what they would hold, from its members, after checking that none is stored."""
    from dangvu.members.choices import IN_PARTY
    from dangvu.members.models import Member
    from dangvu.organisations.choices import MEMBER_HOLDING_KINDS
    from dangvu.stats.counted import member_contribution, org_contribution
    from dangvu.stats.models import SubtreeCounter

    stored = {
        (dim, value): n
        for dim, value, n in SubtreeCounter.objects.filter(organisation=org).values_list(
            "dim", "value", "count"
        )
        if n
    }
    org = type(org).objects.get(pk=org.pk)
    if org.kind not in MEMBER_HOLDING_KINDS:
        return stored
    assert not stored, f"cell {org.code} has counter rows: {stored}"
    # Counted here independently of stats.counters.cell_counts, which reports use.
    tally = Counter(org_contribution(org) if org.valid_to is None else {})
    for m in Member.objects.filter(organisation=org, status__in=IN_PARTY):
        tally.update(member_contribution(m))
    return {k: n for k, n in tally.items() if n}


def db_snapshot() -> dict:
    """Everything a member or organisation write can change: compare before/after to prove a
    refused action wrote nothing."""
    from dangvu.audit.models import AuditRecord
    from dangvu.audit.selectors import READS
    from dangvu.members.models import Member, MemberPeriod, MembershipEvent
    from dangvu.organisations.models import Organisation, OrganisationLink, OrganisationVersion
    from dangvu.stats.models import SubtreeCounter

    return {
        "members": Member.objects.count(),
        "events": MembershipEvent.objects.count(),
        "periods": sorted(
            MemberPeriod.objects.values_list(
                "member_id", "organisation_id", "status", "exempted", "valid_from", "valid_to"
            )
        ),
        # Records of reads (particulars shown, reports served) are not writes.
        "audit": AuditRecord.objects.exclude(READS).count(),
        "counter_sum": SubtreeCounter.objects.aggregate(s=Sum("count"))["s"] or 0,
        "counters": sorted(
            SubtreeCounter.objects.exclude(count=0).values_list(
                "organisation_id", "dim", "value", "count"
            )
        ),
        "member_rows": sorted(
            Member.objects.values_list(
                "id",
                "status",
                "organisation_id",
                "org_path",
                "exempted",
                "temp_organisation_id",
                "official_date",
            )
        ),
        "organisations": sorted(Organisation.objects.values_list("id", "path", "name", "valid_to")),
        "versions": OrganisationVersion.objects.count(),
        "links": OrganisationLink.objects.count(),
    }


# Records of reads, not writes: a sensitive field shown, a report served (accounts.scoping,
# stats.services.report_served), and when a bearer token was last used.
_READ_RECORDS = ((".sensitive_view", "endswith"), ("report.", "startswith"))
_READ_FIELDS = {("accounts", "ApiToken"): {"last_used"}}


def stored_rows() -> dict[str, list[tuple]]:
    """Every row of every Dangvu model, by model label, except the records of reads: what a
    refused or read-only request must leave exactly as it was. A new model is included without
    a change here."""
    from django.apps import apps
    from django.db.models import Q

    rows: dict[str, list[tuple]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("dangvu.") or model._meta.proxy:
            continue
        meta = model._meta
        skip = _READ_FIELDS.get((meta.app_label, meta.object_name), set())
        fields = [f.attname for f in meta.concrete_fields if f.name not in skip]
        qs = model._base_manager.all()
        if meta.label == "audit.AuditRecord":
            for text, how in _READ_RECORDS:
                qs = qs.exclude(Q(**{f"action__{how}": text}))
        rows[meta.label] = sorted(qs.values_list(*fields), key=repr)
    return rows


def stored_rows_diff(before: dict, after: dict) -> list[str]:
    """What changed between two stored_rows(): "members.Member: 1 row added, 0 removed" per
    model, with the first changed row."""
    changes = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, []), after.get(label, [])
        if old == new:
            continue
        old_set, new_set = Counter(map(repr, old)), Counter(map(repr, new))
        added = list((new_set - old_set).elements())
        removed = list((old_set - new_set).elements())
        example = added[0] if added else removed[0]
        changes.append(
            f"{label}: {len(added)} row(s) added or changed, {len(removed)} removed or changed "
            f"(e.g. {example:.300})"
        )
    return changes


class ApiClient:
    """django.test.Client for /api/v1 with `Authorization: Bearer <token>`."""

    prefix = "/api/v1"

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token is not None else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(self.prefix + path, params or {}, **self._headers())

    def post(self, path: str, data: dict):
        return self.client.post(
            self.prefix + path,
            data=json.dumps(data, default=str),
            content_type="application/json",
            **self._headers(),
        )
