"""Fixtures of the training tests: a class of the district (Đắk Glei) serving the commune of
Đăk Pék, and people to enrol."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from dangvu.accounts.scoping import SYSTEM
from dangvu.training.choices import Kind, Mode
from dangvu.training.services import SessionInput, class_create

TODAY = timezone.localdate()


def sessions(n: int, first: date | None = None) -> list[SessionInput]:
    first = first or TODAY - timedelta(days=n + 5)
    return [
        SessionInput(first + timedelta(days=i), time(7, 30), time(11, 0), f"Bài {i + 1}")
        for i in range(n)
    ]


@pytest.fixture
def make_class(tree):
    def make(**kw):
        data = {
            "actor": SYSTEM,
            "organisation": tree.district,
            "kind": Kind.AWARENESS,
            "mode": Mode.IN_PERSON,
            "title": "Lớp bồi dưỡng nhận thức về Đảng cụm xã Đăk Pék",
            "capacity": 30,
            "location": "Hội trường xã Đăk Pék",
            "cluster": [tree.committee],
            "sessions": sessions(5),
        }
        data.update(kw)
        return class_create(**data)

    return make


@pytest.fixture
def people(tree, make_member):
    """Four members of cell1 with distinct names (one of them Nguyễn Thị Hằng)."""
    names = ["Nguyễn Thị Hằng", "Y Blúp", "A Thái", "Hồ Văn Đức"]
    return [make_member(tree.cell1, full_name=n) for n in names]
