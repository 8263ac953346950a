"""Organisation lifecycle services: create, rename, move, merge, split, dissolve — each one
transaction with its versions, lineage, rollup counters and audit record."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvu.audit.models import AuditRecord
from dangvu.core.errors import ValidationError
from dangvu.members.models import MembershipEvent
from dangvu.organisations import services
from dangvu.organisations.models import Organisation, OrganisationLink, OrganisationVersion
from dangvu.organisations.services import (
    organisation_create,
    organisation_dissolve,
    organisation_merge,
    organisation_move,
    organisation_rename,
    organisation_split,
    organisations_create_bulk,
)
from dangvu.stats.consistency import consistency_check
from dangvu.stats.models import SubtreeCounter
from dangvu.stats.selectors import membership_figures
from dangvu.testing.factories import counters, db_snapshot, make_org

pytestmark = pytest.mark.django_db

D = date(2024, 1, 1)


def _fields(exc) -> set[str]:
    return set(exc.value.message_dict)


def _members_total(org) -> int:
    return counters(org).get(("members", "total"), 0)


def _audits(action: str, org) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(action=action, object_type="organisation", object_id=str(org.pk))
    )


# --- create ------------------------------------------------------------------------------------


def _branch():
    return [
        {
            "code": "DG-NEW",
            "name": "Đảng ủy Trường Dân tộc nội trú",
            "kind": "grassroots_committee",
            "grassroots_type": "public_service",
            "children": [
                {"code": "DG-NEW-1", "name": "Chi bộ Giáo viên", "kind": "cell"},
                {"code": "DG-NEW-2", "name": "Chi bộ Hành chính", "kind": "cell"},
            ],
        },
        {"code": "DG-GC", "name": "Chi bộ Công an xã", "kind": "grassroots_cell"},
    ]


def test_bulk_create_builds_a_branch_like_one_by_one_creation(tree):
    created = organisations_create_bulk(
        actor=None, parent=tree.district, specs=_branch(), valid_from=D
    )
    assert [o.code for o in created] == ["DG-NEW", "DG-NEW-1", "DG-NEW-2", "DG-GC"]
    # A valid treebeard tree: children found through the manager, numchild right, and a
    # child added afterwards the ordinary way lands after the bulk ones.
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    district = Organisation.objects.get(pk=tree.district.pk)
    assert [c.code for c in Organisation.objects.get_children(district)] == [
        "KT-DG-DP",
        "KT-DG-THPT",
        "DG-NEW",
        "DG-GC",
    ]
    new = Organisation.objects.get(code="DG-NEW")
    assert [c.name_folded for c in Organisation.objects.get_children(new)] == [
        "chi bo giao vien",
        "chi bo hanh chinh",
    ]
    later = make_org(code="DG-LATER", name="Chi bộ mới", kind="grassroots_cell", parent=district)
    assert later.path > created[-1].path
    assert OrganisationVersion.objects.get(organisation=new).parent_id == district.pk
    assert counters(tree.province)[("org_kind", "cell")] == 4
    assert counters(tree.root)[("grassroots", "total")] == 6
    assert counters(new) == {
        ("org_kind", "grassroots_committee"): 1,
        ("org_kind", "cell"): 2,
        ("grassroots", "total"): 1,
        ("grassroots_type", "public_service"): 1,
    }
    [audit] = _audits("organisation.create_bulk", district)
    assert [o["code"] for o in audit.after["created"]] == [
        "DG-NEW",
        "DG-NEW-1",
        "DG-NEW-2",
        "DG-GC",
    ]
    assert consistency_check() == []


def test_bulk_create_names_the_wrong_code_and_writes_nothing(tree):
    specs = _branch()
    specs[0]["children"][1]["kind"] = "province"
    specs[1]["code"] = tree.cell1.code
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisations_create_bulk(actor=None, parent=tree.district, specs=specs, valid_from=D)
    assert _fields(exc) == {"DG-NEW-2: parent", tree.cell1.code}
    assert db_snapshot() == before
    with pytest.raises(ValidationError) as exc:
        organisations_create_bulk(actor=None, parent=tree.cell1, specs=_branch(), valid_from=D)
    assert "DG-NEW: parent" in _fields(exc)


def test_create_builds_the_node_its_first_version_counters_and_audit(tree):
    assert tree.cell1.path.startswith(tree.committee.path)
    assert tree.cell1.depth == 5
    assert tree.cell1.name_folded == "chi bo thon dak ung"
    version = OrganisationVersion.objects.get(organisation=tree.cell1)
    assert (
        version.path,
        version.parent_id,
        version.name,
        version.kind,
        version.valid_from,
        version.valid_to,
    ) == (tree.cell1.path, tree.committee.pk, "Chi bộ thôn Đăk Ung", "cell", date(2015, 1, 1), None)
    assert counters(tree.root) == {
        ("org_kind", "central"): 1,
        ("org_kind", "province"): 2,
        ("org_kind", "district"): 2,
        ("org_kind", "grassroots_committee"): 2,
        ("org_kind", "grassroots_cell"): 1,
        ("org_kind", "cell"): 3,
        ("grassroots", "total"): 3,
        ("grassroots_type", "commune"): 2,
        ("grassroots_type", "public_service"): 1,
    }
    assert counters(tree.committee) == {
        ("org_kind", "grassroots_committee"): 1,
        ("org_kind", "cell"): 2,
        ("grassroots", "total"): 1,
        ("grassroots_type", "commune"): 1,
    }
    assert counters(tree.cell1) == {("org_kind", "cell"): 1}
    [audit] = _audits("organisation.create", tree.cell1)
    assert audit.after["code"] == "KT-DG-DP-01"
    assert audit.after["path"] == tree.cell1.path
    assert audit.org_path == tree.cell1.path


@pytest.mark.parametrize(
    ("kind", "parent_name"),
    [
        ("cell", "cell1"),  # a cell cannot have children
        ("sub_committee", "gcell"),  # nor can a grassroots cell
        ("district", "root"),  # a district sits under a province
        ("cell", "district"),  # a cell sits under a grassroots committee (or a commune)
        ("cell", None),  # not at the top of the tree
        ("grassroots_committee", "committee"),
    ],
)
def test_create_refuses_a_kind_the_parent_cannot_hold(tree, kind, parent_name):
    parent = getattr(tree, parent_name) if parent_name else None
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        make_org(code="NEW", name="Mới", kind=kind, parent=parent)
    assert _fields(exc) == {"parent"}
    assert db_snapshot() == before


def test_create_refuses_a_duplicate_code(tree):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        make_org(code="KT-DG-DP-01", name="Chi bộ khác", kind="cell", parent=tree.committee)
    assert _fields(exc) == {"code"}
    assert db_snapshot() == before


def test_create_names_every_wrong_field(tree):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            actor=None,
            code=" ",
            name="",
            kind="galaxy",
            parent=tree.committee,
            valid_from=D,
            grassroots_type="moon",
        )
    assert _fields(exc) == {"code", "name", "kind", "grassroots_type"}
    assert db_snapshot() == before


def test_create_refuses_a_future_date_and_a_parent_that_did_not_exist_yet(tree):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        make_org(
            code="NEW",
            name="Mới",
            kind="cell",
            parent=tree.committee,
            valid_from=timezone.localdate() + timedelta(days=1),
        )
    assert _fields(exc) == {"valid_from"}
    with pytest.raises(ValidationError) as exc:
        make_org(
            code="NEW",
            name="Mới",
            kind="cell",
            parent=tree.committee,
            valid_from=date(2014, 12, 31),
        )
    assert _fields(exc) == {"parent"}
    assert db_snapshot() == before


def test_a_province_may_be_a_root_and_a_cell_may_sit_under_a_commune_committee(db):
    province = make_org(code="P", name="Tỉnh", kind="province")
    commune = make_org(code="C", name="Đảng bộ xã", kind="commune", parent=province)
    cell = make_org(code="CC", name="Chi bộ thôn", kind="cell", parent=commune)
    assert (province.depth, commune.depth, cell.depth) == (1, 2, 3)


def test_services_roll_back_the_change_when_the_audit_record_cannot_be_written(
    tree, monkeypatch, make_member
):
    """The audit record is written in the same transaction as the change: no audit, no change."""
    make_member(tree.cell2)

    def broken(**kwargs):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    before = db_snapshot()
    calls = [
        lambda: make_org(code="NEW", name="Mới", kind="cell", parent=tree.committee),
        lambda: organisation_rename(actor=None, org=tree.cell1, name="Tên mới", on=D),
        lambda: organisation_move(actor=None, org=tree.committee, new_parent=tree.district2, on=D),
        lambda: organisation_dissolve(actor=None, org=tree.cell1, on=D),
        lambda: organisation_merge(actor=None, sources=[tree.cell2], target=tree.cell1, on=D),
    ]
    for call in calls:
        with pytest.raises(RuntimeError):
            call()
        assert db_snapshot() == before


# --- rename ------------------------------------------------------------------------------------


def test_rename_keeps_the_old_name_in_a_version(tree, make_member):
    make_member(tree.cell1)
    organisation_rename(
        actor=None, org=tree.cell1, name="Chi bộ thôn Đăk Ung Mới", on=D, decision_number="12-QĐ/HU"
    )
    tree.cell1.refresh_from_db()
    assert (tree.cell1.name, tree.cell1.name_folded) == (
        "Chi bộ thôn Đăk Ung Mới",
        "chi bo thon dak ung moi",
    )
    versions = list(
        OrganisationVersion.objects.filter(organisation=tree.cell1).values_list(
            "name", "valid_from", "valid_to"
        )
    )
    assert versions == [
        ("Chi bộ thôn Đăk Ung", date(2015, 1, 1), D),
        ("Chi bộ thôn Đăk Ung Mới", D, None),
    ]
    link = OrganisationLink.objects.get(source=tree.cell1)
    assert (link.kind, link.target_id, link.date, link.note, link.decision_number) == (
        "renamed",
        tree.cell1.pk,
        D,
        "Chi bộ thôn Đăk Ung",
        "12-QĐ/HU",
    )
    [audit] = _audits("organisation.rename", tree.cell1)
    assert (audit.before["name"], audit.after["name"]) == (
        "Chi bộ thôn Đăk Ung",
        "Chi bộ thôn Đăk Ung Mới",
    )
    old = membership_figures(tree.cell1, D - timedelta(days=1))
    new = membership_figures(tree.cell1, D)
    assert (old["organisation"]["name"], old["members"]["total"]) == ("Chi bộ thôn Đăk Ung", 1)
    assert (new["organisation"]["name"], new["members"]["total"]) == ("Chi bộ thôn Đăk Ung Mới", 1)
    assert consistency_check() == []


def test_rename_refuses_an_empty_name_or_a_future_date(tree):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_rename(actor=None, org=tree.cell1, name="  ", on=D)
    assert _fields(exc) == {"name"}
    with pytest.raises(ValidationError) as exc:
        organisation_rename(
            actor=None, org=tree.cell1, name="X", on=timezone.localdate() + timedelta(days=1)
        )
    assert _fields(exc) == {"date"}
    assert db_snapshot() == before


# --- move --------------------------------------------------------------------------------------


@pytest.fixture
def populated(tree, make_member):
    """cell1: 2 members (one a Xơ-đăng woman), cell2: 1, gcell: 1, cell3: 1."""
    return {
        "cell1": [
            make_member(tree.cell1),
            make_member(
                tree.cell1,
                gender="F",
                ethnicity="16",
                probationary=True,
                admission_date=date(2023, 5, 1),
            ),
        ],
        "cell2": [make_member(tree.cell2)],
        "gcell": [make_member(tree.gcell)],
        "cell3": [make_member(tree.cell3)],
    }


def test_move_takes_the_subtree_its_members_and_their_counts_to_the_new_parent(tree, populated):
    subtree_counts = counters(tree.committee)
    before = {
        name: counters(getattr(tree, name))
        for name in ("root", "province", "district", "province2", "district2", "cell1", "cell2")
    }
    assert _members_total(tree.district) == 4
    assert _members_total(tree.district2) == 1

    organisation_move(
        actor=None, org=tree.committee, new_parent=tree.district2, on=D, decision_number="05-QĐ/TU"
    )
    tree.refresh()

    # The subtree follows, and its members' paths with it.
    assert tree.committee.path.startswith(tree.district2.path)
    assert tree.committee.depth == 4
    for cell in (tree.cell1, tree.cell2):
        assert cell.path.startswith(tree.committee.path)
        assert {m.org_path for m in cell.members.all()} == {cell.path}
    # Old ancestors lose exactly the subtree's figures, new ancestors gain exactly them.
    for name, sign in (("district", -1), ("province", -1), ("district2", +1), ("province2", +1)):
        after = counters(getattr(tree, name))
        expected = dict(before[name])
        for key, n in subtree_counts.items():
            expected[key] = expected.get(key, 0) + sign * n
        assert after == {k: v for k, v in expected.items() if v}, name
    assert counters(tree.root) == before["root"]
    assert counters(tree.cell1) == before["cell1"]
    assert counters(tree.cell2) == before["cell2"]
    assert _members_total(tree.district) == 1
    assert _members_total(tree.district2) == 4
    # Versions: one closed at the old path, one open at the new path, for every moved node.
    for node in (tree.committee, tree.cell1, tree.cell2):
        versions = list(
            OrganisationVersion.objects.filter(organisation=node).values_list("path", "valid_to")
        )
        assert versions[-2:][0][1] == D
        assert versions[-1] == (node.path, None)
    assert OrganisationVersion.objects.get(
        organisation=tree.committee, valid_to=None
    ).parent_id == (tree.district2.pk)
    link = OrganisationLink.objects.get(source=tree.committee)
    assert (link.kind, link.target_id, link.date, link.decision_number) == (
        "moved",
        tree.district2.pk,
        D,
        "05-QĐ/TU",
    )
    [audit] = _audits("organisation.move", tree.committee)
    assert audit.after["path"] == tree.committee.path
    # Members keep their own history: no event was recorded for them.
    assert set(MembershipEvent.objects.values_list("type", flat=True)) == {"admitted", "recognised"}
    assert consistency_check() == []


def test_cells_keep_no_counter_rows_and_are_counted_from_their_members(tree, populated):
    cells = [tree.cell1, tree.cell2, tree.gcell, tree.cell3]
    assert not SubtreeCounter.objects.filter(organisation__in=cells).exists()
    assert SubtreeCounter.objects.filter(organisation=tree.committee).exists()
    today = membership_figures(tree.cell1)
    assert today["source"] == "counters"
    assert today["members"] == {"total": 2, "official": 1, "probationary": 1}
    assert today["women"]["count"] == 1 and today["ethnic_minority"]["count"] == 1
    assert today["organisations"]["by_kind"] == {"cell": 1}
    from_events = membership_figures(tree.cell1, timezone.localdate(), source="events")
    assert {k: v for k, v in today.items() if k != "source"} == {
        k: v for k, v in from_events.items() if k != "source"
    }
    grassroots = membership_figures(tree.gcell)["organisations"]
    assert grassroots["grassroots"] == 1 and grassroots["by_kind"] == {"grassroots_cell": 1}


def test_moving_a_cell_takes_its_members_counts_from_the_old_committee_to_the_new(tree, populated):
    before = {name: counters(getattr(tree, name)) for name in ("committee", "committee2")}
    moved = counters(tree.cell1)  # its two members and the cell itself
    assert moved[("members", "total")] == 2 and moved[("org_kind", "cell")] == 1

    organisation_move(actor=None, org=tree.cell1, new_parent=tree.committee2, on=D)

    for name, sign in (("committee", -1), ("committee2", +1)):
        expected = Counter(before[name])
        expected.update({key: sign * n for key, n in moved.items()})
        assert counters(getattr(tree, name)) == {k: v for k, v in expected.items() if v}, name
    assert not SubtreeCounter.objects.filter(organisation=tree.cell1).exists()
    assert consistency_check() == []


def test_a_report_before_the_move_counts_the_members_under_the_old_parent(tree, populated):
    organisation_move(actor=None, org=tree.committee, new_parent=tree.district2, on=D)
    day_before = D - timedelta(days=1)
    old = membership_figures(tree.district, day_before)
    assert (old["members"]["total"], old["organisations"]["grassroots"]) == (4, 2)
    assert membership_figures(tree.district2, day_before)["members"]["total"] == 1
    assert membership_figures(tree.district)["members"]["total"] == 1
    new = membership_figures(tree.district2)
    assert (new["members"]["total"], new["organisations"]["grassroots"]) == (4, 2)
    assert membership_figures(tree.district2, D)["members"]["total"] == 4
    assert membership_figures(tree.province2, source="events") == {
        **membership_figures(tree.province2),
        "source": "events",
    }


@pytest.mark.parametrize(
    ("org_name", "parent_name"),
    [
        ("committee", "cell1"),  # under its own child (and a cell)
        ("district", "committee"),  # under its own descendant
        ("committee", "committee"),  # under itself
        ("cell1", "district2"),  # a cell cannot sit under a district
        ("province", "province2"),  # a province under a province
    ],
)
def test_move_refuses_an_impossible_place(tree, populated, org_name, parent_name):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_move(
            actor=None, org=getattr(tree, org_name), new_parent=getattr(tree, parent_name), on=D
        )
    assert _fields(exc) == {"parent"}
    assert db_snapshot() == before


def test_move_refuses_a_dissolved_organisation_and_a_future_date(tree):
    organisation_dissolve(actor=None, org=tree.cell2, on=D)
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_move(actor=None, org=tree.cell2, new_parent=tree.committee2, on=D)
    assert _fields(exc) == {"organisation"}
    with pytest.raises(ValidationError) as exc:
        organisation_move(
            actor=None,
            org=tree.cell1,
            new_parent=tree.committee2,
            on=timezone.localdate() + timedelta(days=1),
        )
    assert _fields(exc) == {"date"}
    assert db_snapshot() == before


# --- merge -------------------------------------------------------------------------------------


def test_merge_moves_members_with_a_reorganised_event_and_ends_the_sources(tree, populated):
    moved = populated["cell2"][0]
    committee_before = counters(tree.committee)
    cell1_members = _members_total(tree.cell1)
    events_before = list(moved.events.values_list("seq", "type", "date"))

    organisation_merge(
        actor=None, sources=[tree.cell2], target=tree.cell1, on=D, decision_number="07-QĐ/ĐU"
    )
    tree.refresh()
    moved.refresh_from_db()

    assert (moved.organisation_id, moved.org_path, moved.status) == (
        tree.cell1.pk,
        tree.cell1.path,
        "official",
    )
    events = list(
        moved.events.values_list("seq", "type", "date", "from_organisation_id", "organisation_id")
    )
    assert [e[:3] for e in events[:-1]] == events_before
    assert events[-1] == (3, "reorganised", D, tree.cell2.pk, tree.cell1.pk)
    assert not MembershipEvent.objects.filter(type="transferred").exists()
    assert tree.cell2.valid_to == D
    link = OrganisationLink.objects.get(source=tree.cell2)
    assert (link.kind, link.target_id, link.date, link.decision_number) == (
        "merged_into",
        tree.cell1.pk,
        D,
        "07-QĐ/ĐU",
    )
    assert [
        a.action for a in AuditRecord.objects.filter(object_type="member", object_id=str(moved.pk))
    ] == ["member.event.reorganised", "member.create"]
    assert len(_audits("organisation.merge", tree.cell2)) == 1
    # Counters: the committee keeps its members and loses one cell; the target gains them.
    expected = dict(committee_before)
    expected[("org_kind", "cell")] = 1
    assert counters(tree.committee) == expected
    assert _members_total(tree.cell1) == cell1_members + 1
    assert _members_total(tree.cell2) == 0
    assert consistency_check() == []


def test_a_report_before_the_merge_still_shows_the_old_organisations(tree, populated):
    organisation_merge(actor=None, sources=[tree.cell2], target=tree.cell1, on=D)
    tree.refresh()
    day_before = D - timedelta(days=1)
    old = membership_figures(tree.committee, day_before)
    assert old["organisations"]["by_kind"] == {"grassroots_committee": 1, "cell": 2}
    assert old["members"]["total"] == 3
    assert membership_figures(tree.cell2, day_before)["members"]["total"] == 1
    assert membership_figures(tree.cell1, day_before)["members"]["total"] == 2
    now = membership_figures(tree.committee)
    assert now["organisations"]["by_kind"] == {"grassroots_committee": 1, "cell": 1}
    assert now["members"]["total"] == 3
    assert membership_figures(tree.cell1)["members"]["total"] == 3
    with pytest.raises(ValidationError) as exc:
        membership_figures(tree.cell2)
    assert _fields(exc) == {"as_of"}


def test_merging_committees_moves_their_child_organisations(tree, populated):
    organisation_merge(actor=None, sources=[tree.committee2], target=tree.committee, on=D)
    tree.refresh()
    assert tree.cell3.path.startswith(tree.committee.path)
    assert tree.committee2.valid_to == D
    assert populated["cell3"][0].events.count() == 2  # the member itself did not move cell
    assert _members_total(tree.province2) == 0
    assert _members_total(tree.committee) == 4
    assert counters(tree.committee)[("org_kind", "cell")] == 3
    assert counters(tree.province2) == {("org_kind", "province"): 1, ("org_kind", "district"): 1}
    assert consistency_check() == []


def test_merge_refuses_a_target_that_cannot_hold_members_and_writes_nothing(tree, populated):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_merge(actor=None, sources=[tree.cell2], target=tree.committee2, on=D)
    assert _fields(exc) == {"target"}
    assert db_snapshot() == before


def test_merge_refuses_merging_into_itself(tree, populated):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_merge(actor=None, sources=[tree.cell1], target=tree.cell1, on=D)
    assert _fields(exc) == {"sources"}
    with pytest.raises(ValidationError) as exc:
        organisation_merge(actor=None, sources=[tree.committee], target=tree.cell1, on=D)
    assert _fields(exc) == {"sources"}
    assert db_snapshot() == before


# --- split -------------------------------------------------------------------------------------


def test_split_sends_each_member_to_its_part(tree, populated):
    a = make_org(code="A", name="Chi bộ A", kind="cell", parent=tree.committee, valid_from=D)
    b = make_org(code="B", name="Chi bộ B", kind="cell", parent=tree.committee, valid_from=D)
    first, second = populated["cell1"]
    organisation_split(
        actor=None,
        source=tree.cell1,
        on=D,
        decision_number="09-QĐ/ĐU",
        parts=[{"target": a, "members": [first.pk]}, {"target": b, "members": [second.pk]}],
    )
    tree.refresh()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.organisation_id, second.organisation_id) == (a.pk, b.pk)
    assert first.events.last().type == second.events.last().type == "reorganised"
    assert tree.cell1.valid_to == D
    assert sorted(
        OrganisationLink.objects.filter(source=tree.cell1).values_list("kind", "target_id")
    ) == [("split_into", a.pk), ("split_into", b.pk)]
    assert (_members_total(a), _members_total(b), _members_total(tree.cell1)) == (1, 1, 0)
    assert _members_total(tree.committee) == 3
    assert len(_audits("organisation.split", tree.cell1)) == 1
    assert membership_figures(tree.cell1, D - timedelta(days=1))["members"]["total"] == 2
    assert consistency_check() == []


def test_split_refuses_parts_that_leave_a_member_behind(tree, populated):
    a = make_org(code="A", name="Chi bộ A", kind="cell", parent=tree.committee, valid_from=D)
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_split(
            actor=None,
            source=tree.cell1,
            on=D,
            parts=[{"target": a, "members": [populated["cell1"][0].pk]}],
        )
    assert _fields(exc) == {"parts"}
    assert db_snapshot() == before


# --- dissolve ----------------------------------------------------------------------------------


def test_dissolve_refuses_while_members_or_children_remain(tree, populated):
    before = db_snapshot()
    for org in (tree.cell1, tree.committee, tree.district):
        with pytest.raises(ValidationError) as exc:
            organisation_dissolve(actor=None, org=org, on=D)
        assert _fields(exc) == {"organisation"}
    assert db_snapshot() == before


def test_dissolve_ends_an_empty_cell(tree):
    committee_before = counters(tree.committee)
    organisation_dissolve(actor=None, org=tree.cell2, on=D, decision_number="11-QĐ/ĐU")
    tree.refresh()
    assert tree.cell2.valid_to == D
    assert OrganisationVersion.objects.get(organisation=tree.cell2).valid_to == D
    link = OrganisationLink.objects.get(source=tree.cell2)
    assert (link.kind, link.target_id, link.date) == ("dissolved", None, D)
    assert counters(tree.committee) == {**committee_before, ("org_kind", "cell"): 1}
    assert counters(tree.cell2) == {}
    assert len(_audits("organisation.dissolve", tree.cell2)) == 1
    assert (
        membership_figures(tree.committee, D - timedelta(days=1))["organisations"]["by_kind"][
            "cell"
        ]
        == 2
    )
    assert membership_figures(tree.committee)["organisations"]["by_kind"]["cell"] == 1
    assert Organisation.objects.filter(valid_to__isnull=True).count() == 10
    assert consistency_check() == []
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_dissolve(actor=None, org=tree.cell2, on=D)
    assert _fields(exc) == {"organisation"}
    with pytest.raises(ValidationError) as exc:
        organisation_dissolve(actor=None, org=tree.cell1, on=date(2014, 1, 1))
    assert _fields(exc) == {"date"}
    assert db_snapshot() == before


# --- history is appended, never rewritten (found while building the demo) -------------------


def test_a_dissolved_organisation_cannot_be_renamed_back_to_life(tree):
    from dangvu.organisations.services import organisation_dissolve, organisation_rename

    organisation_dissolve(actor=None, org=tree.cell3, on=date(2025, 7, 1))
    tree.cell3.refresh_from_db()
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_rename(actor=None, org=tree.cell3, name="Chi bộ mới", on=date(2025, 8, 1))
    assert "organisation" in exc.value.message_dict
    assert db_snapshot() == before


def test_a_move_cannot_be_dated_before_the_current_version(tree, make_member):
    from dangvu.organisations.services import organisation_move, organisation_rename
    from dangvu.stats.consistency import consistency_check

    make_member(tree.cell1)
    organisation_rename(
        actor=None, org=tree.committee, name="Đảng ủy xã Đăk Pék mới", on=date(2025, 7, 1)
    )
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        organisation_move(
            actor=None, org=tree.committee, new_parent=tree.district2, on=date(2025, 3, 1)
        )
    assert "date" in exc.value.message_dict
    assert db_snapshot() == before
    assert consistency_check() == []


def test_check_flags_overlapping_versions(tree):
    from dangvu.organisations.models import OrganisationVersion
    from dangvu.stats.consistency import consistency_check

    version = OrganisationVersion.objects.get(organisation=tree.cell1)
    OrganisationVersion.objects.create(
        organisation=tree.cell1,
        path=version.path,
        parent=version.parent,
        name="x",
        kind=version.kind,
        valid_from=date(2020, 1, 1),
        valid_to=date(2019, 1, 1),
    )
    problems = consistency_check()
    assert any("ends (2019-01-01) before it starts" in p for p in problems)
    assert any("versions overlap" in p for p in problems)
