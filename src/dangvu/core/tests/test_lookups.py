"""`__one_of`: `__in` as one parameter, on both engines."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvu.members.models import Member
from dangvu.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_one_of_finds_what_in_finds(tree, make_member):
    a = make_member(tree.cell1, identity_number="001090000001")
    make_member(tree.cell2, identity_number="001090000002")
    wanted = ["001090000001", "no such number", "001090000003"]
    found = Member.objects.filter(identity_number__one_of=wanted)
    assert list(found) == list(Member.objects.filter(identity_number__in=wanted)) == [a]
    assert not Member.objects.filter(identity_number__one_of=[]).exists()
    ids = [tree.cell1.pk, tree.cell2.pk]
    assert set(Organisation.objects.filter(pk__one_of=ids).values_list("pk", flat=True)) == set(ids)
    assert Member.objects.filter(birth_date__one_of=[a.birth_date, date(1900, 1, 1)]).exists()
    # Values travel as JSON text: quotes, backslashes and non-ASCII letters come back intact.
    odd = 'Đặng "Út" \\ Hà'
    b = make_member(tree.cell2, full_name=odd)
    assert list(Member.objects.filter(full_name__one_of=[odd, "Đặng"])) == [b]


def test_a_long_list_is_one_parameter(tree):
    # 40,000 values: over SQLite's limit of 32,766 parameters a statement (`__in` fails there).
    codes = [f"X{n:05d}" for n in range(40_000)] + [tree.cell1.code]
    with CaptureQueriesContext(connection) as queries:
        found = list(Organisation.objects.filter(code__one_of=codes).values_list("pk", flat=True))
    assert found == [tree.cell1.pk]
    assert len(queries) == 1
