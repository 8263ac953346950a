"""Work due on members (the home page's list, DOMAIN.md §3 steps 12-13): a probationary
member's recognition is due once 12 months have passed since the admission ceremony, and
overdue once the cell's 30 working days to consider it have passed too."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from dangvu.core.dates import add_months
from dangvu.core.workdays import add_working_days
from dangvu.members.selectors import members_due
from dangvu.testing.factories import make_user


def _ceremony_ago(months: int, days: int = 0):
    return add_months(timezone.localdate(), -months) - timedelta(days=days)


def test_due_and_overdue_recognition_follow_the_ceremony_date(tree, make_member):
    today = timezone.localdate()

    def probationer(name, ceremony, admission=None):
        return make_member(
            tree.cell1,
            full_name=name,
            probationary=True,
            admission_date=admission or ceremony - timedelta(days=10),
            ceremony_date=ceremony,
        )

    probationer("Chưa Đủ", _ceremony_ago(11))
    due = probationer("Vừa Đủ", _ceremony_ago(12, days=3))
    # The last day of the 30 working days is still in time; the day after is overdue.
    end_of_probation = add_months(_ceremony_ago(12, days=60), 12)
    assert add_working_days(end_of_probation, 30) < today
    late = probationer("Quá Hạn", _ceremony_ago(12, days=60))
    make_member(tree.cell1, full_name="Chính Thức")  # official: never due
    staff = make_user("staff_due", role="org_staff", org=tree.province)

    items = {item.url.split("due=")[1].split("&")[0]: item for item in members_due(staff, today)}
    assert items["recognition"].count == 1 and items["recognition"].level == "due"
    assert (
        items["recognition_overdue"].count == 1 and items["recognition_overdue"].level == "overdue"
    )

    client = Client()
    client.force_login(staff)
    due_page = client.get(items["recognition"].url).content.decode()
    late_page = client.get(items["recognition_overdue"].url).content.decode()
    assert due.full_name in due_page and late.full_name not in due_page
    assert late.full_name in late_page and due.full_name not in late_page
    assert "Chưa Đủ" not in due_page + late_page


def test_nothing_is_due_outside_the_scope_or_without_members(tree, make_member):
    make_member(
        tree.cell1,
        full_name="Quá Hạn",
        probationary=True,
        admission_date=_ceremony_ago(14),
        ceremony_date=_ceremony_ago(14),
    )
    other = make_user("staff_qn_due", role="org_staff", org=tree.province2)
    editor = make_user("editor_due", role="editor", org=tree.province)
    assert members_due(other, timezone.localdate()) == []
    assert members_due(editor, timezone.localdate()) == []


def test_the_record_of_a_probationer_past_the_12_months_says_so(tree, make_member):
    member = make_member(
        tree.cell1,
        probationary=True,
        admission_date=_ceremony_ago(13) - timedelta(days=2),
        ceremony_date=_ceremony_ago(13),
    )
    young = make_member(
        tree.cell1,
        probationary=True,
        admission_date=_ceremony_ago(3),
        ceremony_date=_ceremony_ago(3),
    )
    staff = make_user("staff_flag", role="org_staff", org=tree.province)
    client = Client()
    client.force_login(staff)
    page = client.get(f"/members/{member.pk}/").content.decode()
    end = add_months(_ceremony_ago(13), 12).strftime("%d/%m/%Y")
    assert "Đã hết 12 tháng dự bị từ ngày " + end in page
    assert "Đã hết 12 tháng dự bị" not in client.get(f"/members/{young.pk}/").content.decode()
