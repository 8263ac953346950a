"""Counter writes: cells keep no rows; deferred deltas land once, or not at all on error."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dangvu.stats.counters import Deltas, counters_apply, counters_deferred
from dangvu.stats.models import SubtreeCounter
from dangvu.testing.factories import counters

pytestmark = pytest.mark.django_db


def _upserts(ctx) -> int:
    return sum("INSERT INTO organisations_subtreecounter" in q["sql"] for q in ctx.captured_queries)


def test_deltas_for_a_cell_are_not_stored_and_the_others_are(tree):
    before = counters(tree.committee)
    deltas = Deltas()
    for org in (tree.cell1, tree.committee):
        deltas[(org.pk, "gender", "F")] += 2
    counters_apply(deltas)
    assert not SubtreeCounter.objects.filter(organisation=tree.cell1).exists()
    assert counters(tree.committee)[("gender", "F")] == before.get(("gender", "F"), 0) + 2


def test_deferred_deltas_are_summed_and_written_once_at_the_end(tree):
    before = counters(tree.province).get(("gender", "F"), 0)
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        with counters_deferred():
            for n in (1, 2, -1):
                counters_apply(Deltas({(tree.province.pk, "gender", "F"): n}))
            assert counters(tree.province).get(("gender", "F"), 0) == before  # not yet
        assert counters(tree.province)[("gender", "F")] == before + 2
    assert _upserts(ctx) == 1


def test_deferred_deltas_are_dropped_when_the_block_fails(tree):
    before = counters(tree.province)

    class Stop(Exception):
        pass

    with pytest.raises(Stop), counters_deferred():
        counters_apply(Deltas({(tree.province.pk, "gender", "F"): 5}))
        raise Stop
    assert counters(tree.province) == before
    # and the next write is not deferred any more
    counters_apply(Deltas({(tree.province.pk, "gender", "F"): 1}))
    assert counters(tree.province)[("gender", "F")] == before.get(("gender", "F"), 0) + 1
