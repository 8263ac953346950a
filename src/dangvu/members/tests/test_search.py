"""Name search through the per-name keys (members.models.NameKey): every member bearing a name
is found through it, a corrected name is found by its new words only, and the keys are stored
once per distinct name."""

from datetime import date

import pytest

from dangvu.core.text import rotations
from dangvu.members.choices import EventType
from dangvu.members.models import NameKey
from dangvu.members.selectors import member_list
from dangvu.members.services import member_event_record, member_update, name_keys_deferred
from dangvu.testing.factories import make_member

pytestmark = pytest.mark.django_db

PLANS = pytest.mark.parametrize("small_scope", [10_000, 0], ids=["scope-scan", "name-keys"])


def _found(actor, q, **kwargs) -> list[int]:
    return sorted(member_list(actor=actor, q=q, **kwargs).values_list("pk", flat=True))


@PLANS
def test_every_member_bearing_a_name_is_found(tree, users, make_member, small_scope, monkeypatch):
    monkeypatch.setattr("dangvu.members.selectors.SMALL_SCOPE", small_scope)
    same = [make_member(tree.cell1, full_name="Hồ Thị Kim Ngân") for _ in range(3)]
    other = make_member(tree.cell2, full_name="Hồ Văn Ngân")
    ids = sorted(m.pk for m in same)
    assert _found(users.staff_kt, "ngan kim") == ids
    assert _found(users.staff_kt, "thi ngan") == ids  # words apart: the bounded scan
    assert _found(users.staff_kt, "ngan ho") == sorted([*ids, other.pk])
    assert _found(users.staff_kt, "kim van") == []
    # Keyed once per distinct name, whatever the number of members bearing it.
    assert NameKey.objects.filter(name="ho thi kim ngan").count() == 4


@PLANS
def test_a_corrected_name_is_found_by_its_new_words(
    tree, users, make_member, small_scope, monkeypatch
):
    monkeypatch.setattr("dangvu.members.selectors.SMALL_SCOPE", small_scope)
    m = make_member(tree.cell1, full_name="Lò Văn Pâng")
    twin = make_member(tree.cell1, full_name="Lò Văn Pâng")
    member_update(actor=users.staff_kt, member=m, data={"full_name": "Lò Văn Pành"})
    assert _found(users.staff_kt, "panh") == [m.pk]
    assert _found(users.staff_kt, "pang lo") == [twin.pk]
    assert set(NameKey.objects.filter(name="lo van panh").values_list("key", flat=True)) == set(
        rotations("lo van panh")
    )


def test_deferred_name_keys_land_at_the_end_of_the_block_and_not_on_failure(tree):
    with name_keys_deferred():
        make_member(tree.cell1, full_name="Đinh Văn Mười")
        assert not NameKey.objects.filter(name="dinh van muoi").exists()
    assert NameKey.objects.filter(name="dinh van muoi").count() == 3
    with pytest.raises(RuntimeError), name_keys_deferred():
        make_member(tree.cell1, full_name="Đinh Văn Một")
        raise RuntimeError("the load failed")
    assert not NameKey.objects.filter(name="dinh van mot").exists()


@PLANS
@pytest.mark.parametrize("q", ["nguyen", "an nguyen", "nguyen an"])
def test_filters_apply_before_the_cap(tree, users, make_member, small_scope, q, monkeypatch):
    """A rare status or a filter is not crowded out of the capped candidates by the common
    ones: the cap counts the members the filters keep."""
    monkeypatch.setattr("dangvu.members.selectors.SMALL_SCOPE", small_scope)
    monkeypatch.setattr("dangvu.members.selectors.SEARCH_CAP", 3)
    for _ in range(5):
        make_member(tree.cell1, full_name="Nguyễn Văn An")
    dead = make_member(tree.cell1, full_name="Nguyễn Văn An")
    member_event_record(actor=None, member=dead, type=EventType.DIED, date=date(2024, 2, 1))
    woman = make_member(tree.cell2, full_name="Nguyễn Thị An", gender="F", ethnicity="02")
    staff = users.staff_kt
    assert _found(staff, q, status="died") == [dead.pk]
    assert _found(staff, q, status="active", filters={"gender": "F"}) == [woman.pk]
    assert _found(staff, q, status="active", filters={"ethnicity": "02"}) == [woman.pk]
    assert len(_found(staff, q, status="active")) == 3  # capped
    assert _found(staff, q, status="active", filters={"gender": "F", "ethnicity": "01"}) == []


def test_a_capped_search_says_so_on_its_last_page(tree, users, make_member, client, monkeypatch):
    monkeypatch.setattr("dangvu.members.selectors.SEARCH_CAP", 3)
    monkeypatch.setattr("dangvu.members.views.SEARCH_CAP", 3)
    for _ in range(3):
        make_member(tree.cell1, full_name="Nguyễn Văn An")
    make_member(tree.cell1, full_name="Lò Văn Pâng")
    client.force_login(users.staff_kt)
    capped = client.get("/members/", {"q": "nguyen", "status": "active"})
    assert b"search-capped" in capped.content
    for q in ("pang", "", "12345678"):
        page = client.get("/members/", {"q": q, "status": "active"})
        assert page.status_code == 200 and b"search-capped" not in page.content, q
