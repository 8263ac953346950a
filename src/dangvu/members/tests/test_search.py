"""Name search through the per-name keys (members.models.NameKey): every member bearing a name
is found through it, a corrected name is found by its new words only, and the keys are stored
once per distinct name."""

import pytest

from dangvu.core.testing import make_member
from dangvu.core.text import rotations
from dangvu.members.models import NameKey
from dangvu.members.selectors import member_list
from dangvu.members.services import member_update, name_keys_deferred

pytestmark = pytest.mark.django_db

PLANS = pytest.mark.parametrize("small_scope", [10_000, 0], ids=["scope-scan", "name-keys"])


def _found(actor, q) -> list[int]:
    return sorted(member_list(actor=actor, q=q).values_list("pk", flat=True))


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
