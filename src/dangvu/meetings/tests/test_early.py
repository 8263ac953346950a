"""Meetings dated before the rules Dangvu records (a cell's history): recorded without a
validity or quality judgement, and not scored, instead of failing."""

from datetime import date

import pytest

pytestmark = pytest.mark.django_db


def test_a_meeting_before_the_2018_guidance_is_recorded_and_not_scored(
    tree, users, api_client, make_member
):
    make_member(tree.cell1, admission_date=date(2015, 3, 1))
    sec = api_client(users.sec1)
    r = sec.post(
        "/meetings",
        {"org": tree.cell1.code, "kind": "regular", "planned_on": "2016-01-05", "starts_at": 0},
    )
    assert r.status_code == 422 and "starts_at" in str(r.json())  # a number is no time of day
    r = sec.post(
        "/meetings",
        {
            "org": tree.cell1.code,
            "kind": "regular",
            "planned_on": "2016-01-05",
            "starts_at": "19:30",
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["starts_at"] == "19:30"
    mid = r.json()["id"]
    r = sec.post(
        f"/meetings/{mid}/attendance",
        {"held_on": "2016-03-25", "started_at": "19:30", "ended_at": "21:00"},
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["quality_failed"], body["valid"], body["started_at"]) == ([], True, "19:30")
    r = sec.post(f"/meetings/{mid}/evaluation", {"by": "cell", "scores": {"attendance": 20}})
    assert r.status_code == 422 and "held_on" in r.json()["errors"]
    assert sec.get(f"/meetings/{mid}").status_code == 200
