"""THE visibility rule (accounts.scoping): grants × organisation × "and below" × validity dates
become one filter on organisations and on members (accounts.scoping.restrict)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from dangvu.accounts.models import RoleGrant
from dangvu.accounts.roles import ALL_ACTIONS
from dangvu.accounts.scoping import clear_scope_cache, holds_anywhere, restrict, scope_for
from dangvu.accounts.services import grant_create
from dangvu.members.models import Member
from dangvu.members.selectors import member_get, member_list
from dangvu.organisations.models import Organisation
from dangvu.testing.factories import make_member, make_user

pytestmark = pytest.mark.django_db

ALL_CODES = [
    "TW",
    "KT",
    "KT-DG",
    "KT-DG-DP",
    "KT-DG-DP-01",
    "KT-DG-DP-02",
    "KT-DG-THPT",
    "QN",
    "QN-SH",
    "QN-SH-SK",
    "QN-SH-SK-01",
]


def _orgs(user, action="organisations.view") -> list[str]:
    return list(
        restrict(Organisation.objects.all(), user, action)
        .order_by("path")
        .values_list("code", flat=True)
    )


def _members(user, action="members.view") -> list[str]:
    return list(
        restrict(Member.objects.all(), user, action)
        .order_by("full_name")
        .values_list("full_name", flat=True)
    )


@pytest.fixture
def people(tree):
    return {
        "an": make_member(tree.cell1, full_name="An"),
        "ba": make_member(tree.cell1, full_name="Ba"),
        "chi": make_member(tree.cell2, full_name="Chi"),
        "dung": make_member(tree.gcell, full_name="Dũng"),
        "em": make_member(tree.cell3, full_name="Em"),
    }


def _grant(user, org, role, include_descendants=True, valid_from=None, valid_to=None):
    grant = grant_create(
        actor=None, user=user, organisation=org, role=role, include_descendants=include_descendants
    )
    RoleGrant.objects.filter(pk=grant.pk).update(valid_from=valid_from, valid_to=valid_to)
    clear_scope_cache(user)
    return grant


def test_a_grant_and_below_covers_the_subtree(tree, people):
    user = make_user("u", role="org_staff", org=tree.committee)
    assert _orgs(user) == ["KT-DG-DP", "KT-DG-DP-01", "KT-DG-DP-02"]
    assert _members(user) == ["An", "Ba", "Chi"]
    assert _members(user, "members.manage") == ["An", "Ba", "Chi"]


def test_a_grant_without_below_covers_the_organisation_alone(tree, people):
    committee = make_user("c", role="org_staff", org=tree.committee, include_descendants=False)
    assert _orgs(committee) == ["KT-DG-DP"]
    assert _members(committee) == []  # its members sit in the cells below
    cell = make_user("s", role="secretary", org=tree.cell1, include_descendants=False)
    assert _orgs(cell) == ["KT-DG-DP-01"]
    assert _members(cell) == ["An", "Ba"]


def test_grants_add_up(tree, people):
    user = make_user("u", role="secretary", org=tree.cell1)
    _grant(user, tree.cell3, "committee_member")
    assert _orgs(user) == ["KT-DG-DP-01", "QN-SH-SK-01"]
    assert _members(user) == ["An", "Ba", "Em"]
    # Actions come from each grant's role: a committee member sees no sensitive fields.
    assert _members(user, "members.view_sensitive") == ["An", "Ba"]
    assert _members(user, "members.manage") == []


def test_a_province_grant_does_not_reach_the_other_province(tree, people):
    user = make_user("u", role="org_staff", org=tree.province2)
    assert _orgs(user) == ["QN", "QN-SH", "QN-SH-SK", "QN-SH-SK-01"]
    assert _members(user) == ["Em"]


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "visible"),
    [
        (None, None, True),
        (-10, None, True),
        (0, None, True),  # from today
        (1, None, False),  # from tomorrow
        (None, 1, True),  # ends tomorrow
        (None, 0, False),  # valid_to is the first day without the grant
        (-30, -1, False),
        (-30, 30, True),
    ],
)
def test_grant_validity_dates(tree, people, valid_from, valid_to, visible):
    today = timezone.localdate()
    user = make_user("u")
    _grant(
        user,
        tree.cell1,
        "secretary",
        valid_from=None if valid_from is None else today + timedelta(days=valid_from),
        valid_to=None if valid_to is None else today + timedelta(days=valid_to),
    )
    assert _orgs(user) == (["KT-DG-DP-01"] if visible else [])
    assert _members(user) == (["An", "Ba"] if visible else [])
    assert holds_anywhere(user, "members.view") is visible


def test_a_superuser_sees_everything(tree, people):
    admin = make_user("root", superuser=True)
    assert scope_for(admin).everything == ALL_ACTIONS
    assert _orgs(admin) == ALL_CODES
    assert _members(admin) == ["An", "Ba", "Chi", "Dũng", "Em"]
    assert _members(admin, "members.manage") == ["An", "Ba", "Chi", "Dũng", "Em"]


def test_a_grant_at_the_root_and_below_covers_everything(tree, people):
    user = make_user("u", role="committee_member", org=tree.root)
    assert scope_for(user).everything == frozenset(
        {
            "organisations.view",
            "members.view",
            "admission.view",
            "meetings.view",
            "training.view",
            "documents.view",
            "reports.view",
        }
    )
    assert _orgs(user) == ALL_CODES
    assert _members(user, "members.manage") == []


def test_no_grant_anonymous_or_inactive_sees_nothing(tree, people):
    nobody = make_user("nobody")
    assert (_orgs(nobody), _members(nobody)) == ([], [])
    anonymous = AnonymousUser()
    assert (_orgs(anonymous), _members(anonymous)) == ([], [])
    assert holds_anywhere(anonymous, "organisations.view") is False
    inactive = make_user("gone", role="org_staff", org=tree.root)
    inactive.is_active = False
    clear_scope_cache(inactive)
    assert (_orgs(inactive), _members(inactive)) == ([], [])


def test_a_member_sees_only_their_own_record(tree, people):
    user = make_user("an", role="member", org=tree.cell1)
    Member.objects.filter(pk=people["an"].pk).update(user=user)
    user.refresh_from_db()
    clear_scope_cache(user)
    assert scope_for(user).member_id == people["an"].pk
    assert _members(user) == ["An"]
    assert [m.full_name for m in member_list(actor=user)] == ["An"]
    with pytest.raises(Http404):
        member_get(actor=user, pk=people["ba"].pk)
    assert _orgs(user) == []
    assert holds_anywhere(user, "members.view_self")
    assert not holds_anywhere(user, "members.view")
    assert _members(user, "members.manage") == []


def test_a_secretary_who_is_a_member_elsewhere_sees_both(tree, people):
    user = make_user("chi", role="secretary", org=tree.cell1)
    Member.objects.filter(pk=people["chi"].pk).update(user=user)
    user.refresh_from_db()
    clear_scope_cache(user)
    assert _members(user) == ["An", "Ba", "Chi"]
    # Their own particulars too: a record's sensitive fields are shown to the person it is
    # about (the registry's self rule), not by their secretary's grant.
    assert _members(user, "members.view_sensitive") == ["An", "Ba", "Chi"]
    assert _members(user, "members.manage") == []


def test_view_self_never_reaches_other_members(tree, people):
    user = make_user("an", role="member", org=tree.cell1)
    Member.objects.filter(pk=people["an"].pk).update(user=user)
    user.refresh_from_db()
    clear_scope_cache(user)
    assert _members(user, "members.view_self") == ["An"]


def test_the_scope_is_computed_once_and_cleared_on_demand(tree, people):
    user = make_user("u", role="secretary", org=tree.cell1)
    assert _orgs(user) == ["KT-DG-DP-01"]
    grant_create(actor=None, user=user, organisation=tree.cell2, role="secretary")
    assert _orgs(user) == ["KT-DG-DP-01"]  # cached for the request
    clear_scope_cache(user)
    assert _orgs(user) == ["KT-DG-DP-01", "KT-DG-DP-02"]


def test_covers_path_and_holds_anywhere(tree):
    user = make_user("u", role="org_staff", org=tree.committee)
    scope = scope_for(user)
    assert scope.covers_path("members.manage", tree.cell1.path)
    assert scope.covers_path("members.manage", tree.committee.path)
    assert not scope.covers_path("members.manage", tree.district.path)
    assert not scope.covers_path("accounts.manage", tree.cell1.path)
    assert holds_anywhere(user, "members.manage") and not holds_anywhere(user, "accounts.manage")


def test_the_gate_reads_each_models_registered_path_field(tree, people):
    user = make_user("u", role="secretary", org=tree.cell1)
    assert sorted(restrict(Member.objects.all(), user).values_list("full_name", flat=True)) == [
        "An",
        "Ba",
    ]


def test_granting_the_same_role_twice_writes_one_grant_and_one_audit_record(tree):
    from django.contrib.auth import get_user_model

    from dangvu.accounts.models import RoleGrant
    from dangvu.accounts.services import grant_create
    from dangvu.audit.models import AuditRecord

    user = get_user_model().objects.create_user("twice")
    grant_create(actor=None, user=user, organisation=tree.cell1, role="secretary")
    grant_create(actor=None, user=user, organisation=tree.cell1, role="secretary")
    assert RoleGrant.objects.filter(user=user).count() == 1
    assert AuditRecord.objects.filter(action="grant.create", object_id=str(user.pk)).count() == 1
