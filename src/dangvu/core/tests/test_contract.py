"""The faults the platform review found, one test each (they failed before the access gate,
the sensitive-field release and the input limits): three leaks, two oracles, and inputs that
reached the database or a 500."""

import io
from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from dangvu.core.errors import ValidationError
from dangvu.organisations.services import organisation_create, organisation_merge
from dangvu.reports.exports import membership_xlsx
from dangvu.reports.views import xlsx_response
from dangvu.stats.selectors import membership_figures
from dangvu.testing.factories import db_snapshot, make_member, make_org, make_user

pytestmark = pytest.mark.django_db

SENSITIVE = ("ethnicity", "religion", "identity_number", "birth_date", "phone")


@pytest.fixture
def people(tree):
    return {
        "a": make_member(
            tree.cell1,
            full_name="Y Thư Khuyết",
            ethnicity="16",  # Xơ-đăng
            identity_number="062190000111",
            phone="0905111222",
        ),
        "b": make_member(tree.cell2, full_name="A Lâm Kín", identity_number="062190000222"),
    }


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- leak 1: a role without view_sensitive read identity numbers through the API ------------


def test_a_committee_member_without_view_sensitive_gets_no_sensitive_field(
    tree, people, api_client
):
    uyvien = make_user("uyvien", role="committee_member", org=tree.province)
    api = api_client(uyvien)
    listed = api.get("/members", {"org": tree.committee.code}).json()
    assert {m["full_name"] for m in listed} == {"Y Thư Khuyết", "A Lâm Kín"}
    for member in listed:
        assert not set(SENSITIVE) & set(member), member
    one = api.get(f"/members/{people['a'].pk}").json()
    assert one["full_name"] == "Y Thư Khuyết" and not set(SENSITIVE) & set(one)
    page = _web(uyvien).get(f"/members/{people['a'].pk}/").content.decode()
    assert "062190000111" not in page and "Xơ-đăng" not in page and "0905111222" not in page
    # Searching by a sensitive field is refused too: its answer would tell the field.
    with translation.override("en"):
        refused = api.get("/members", {"q": "062190000111"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "q"]
    form = _web(uyvien).get("/members/", {"ethnicity": "16"}).content.decode()
    assert "Y Thư Khuyết" not in form


def test_an_org_staff_sees_them_and_each_release_is_audited_once(tree, people, api_client):
    from dangvu.audit.models import AuditRecord
    from dangvu.audit.selectors import audit_for_object

    staff = make_user("staff", role="org_staff", org=tree.province)
    listed = api_client(staff).get("/members", {"org": tree.committee.code}).json()
    assert {m["identity_number"] for m in listed} == {"062190000111", "062190000222"}
    page = _web(staff).get(f"/members/{people['a'].pk}/").content.decode()
    assert "062190000111" in page and "Xơ-đăng" in page
    releases = AuditRecord.objects.filter(action="member.sensitive_view").order_by("id")
    assert [(r.after["via"], sorted(r.after["ids"])) for r in releases] == [
        ("api", sorted([people["a"].pk, people["b"].pk])),
        ("page", [people["a"].pk]),
    ]
    # The member's page keeps the reads apart from the changes.
    a = people["a"].pk
    changes = audit_for_object(object_type="member", object_id=a)
    views = audit_for_object(object_type="member", object_id=a, kind="views")
    assert [r.action for r in changes] == ["member.create"]
    assert [(r.action, r.actor_name) for r in views] == [("member.sensitive_view", "staff")]


# --- leak 2: view_sensitive held on one subtree revealed the fields everywhere ----------------


def test_view_sensitive_covers_only_its_own_subtree(tree, people, api_client):
    user = make_user("both", role="committee_member", org=tree.province)
    from dangvu.accounts.services import grant_create

    grant_create(actor=None, user=user, organisation=tree.cell1, role="secretary")
    listed = {m["full_name"]: m for m in api_client(user).get("/members").json()}
    assert listed["Y Thư Khuyết"]["identity_number"] == "062190000111"  # their own cell
    assert "identity_number" not in listed["A Lâm Kín"]  # the next cell: only committee_member
    page = _web(user).get(f"/members/{people['b'].pk}/").content.decode()
    assert "062190000222" not in page


# --- leak 3: the trainer's home page showed the statistics /reports refuses it --------------


def test_the_home_page_shows_figures_only_where_reports_are_allowed(tree, people):
    trainer = make_user("trainer", role="trainer", org=tree.province)
    home = _web(trainer).get("/").content.decode()
    assert _web(trainer).get("/reports/membership/", {"org": tree.province.code}).status_code == 404
    staff = make_user("staff", role="org_staff", org=tree.province)
    with translation.override("vi"):
        staff_home = _web(staff).get("/").content.decode()
    figures = "dân tộc thiểu số"
    assert figures in staff_home.lower()
    assert figures not in home.lower()


# --- lineage and the cursor: nothing about organisations or members outside the scope -------


def test_lineage_does_not_name_an_organisation_outside_the_scope(tree):
    target = organisation_create(
        actor=None,
        code="QN-SH-SK-99",
        name="Chi bộ Bí Mật Ngoài",
        kind="cell",
        parent=tree.committee2,
        valid_from=date(2015, 1, 1),
    )
    organisation_merge(actor=None, sources=[tree.cell2], target=target, on=date(2024, 1, 1))
    staff = make_user("staff", role="org_staff", org=tree.province)
    page = _web(staff).get(f"/organisations/{tree.cell2.code}/").content.decode()
    assert "Chi bộ Bí Mật Ngoài" not in page and "QN-SH-SK-99" not in page
    admin = make_user("root", superuser=True)
    assert (
        "Chi bộ Bí Mật Ngoài"
        in _web(admin).get(f"/organisations/{tree.cell2.code}/").content.decode()
    )


def test_the_list_cursor_tells_nothing_about_members_outside_the_scope(tree, people, api_client):
    sec = make_user("sec", role="secretary", org=tree.cell1)
    api = api_client(sec)
    outside = api.get("/members", {"after": people["b"].pk})
    missing = api.get("/members", {"after": people["b"].pk + 1000})
    assert outside.status_code == missing.status_code == 422
    assert outside.json() == missing.json()
    assert outside.json()["detail"][0]["loc"] == ["query", "after"]
    web = _web(sec)
    assert web.get("/members/", {"after": people["b"].pk}).content.decode().count(
        "Y Thư Khuyết"
    ) == web.get("/members/", {"after": people["b"].pk + 1000}).content.decode().count(
        "Y Thư Khuyết"
    )
    inside = api.get("/members", {"after": people["a"].pk})
    assert inside.status_code == 200 and inside.json() == []


# --- inputs that reached the database or a 500 ------------------------------------------------


@pytest.mark.parametrize(
    "code", ["KT/01", "KT\nDG", "KT DG", "KT--DG", "-KT", "A" * 41, 'KT"DG', "KT\x00"]
)
def test_an_organisation_code_has_one_pattern(tree, code):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        make_org(code=code, name="Chi bộ thử", kind="cell", parent=tree.committee)
    assert set(exc.value.message_dict) == {"code"}
    assert db_snapshot() == before


def test_a_code_typed_in_lower_case_is_stored_in_upper_case_and_found_either_way(tree, users):
    org = make_org(code=" kt-dg-dp-09 ", name="Chi bộ thôn Mới", kind="cell", parent=tree.committee)
    assert org.code == "KT-DG-DP-09"
    web = _web(users.staff_kt)
    assert web.get("/organisations/kt-dg-dp-09/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Nguyễn " * 30),  # 210 characters: over the 150 of the record
        ("full_name", "Nguyễn\x00Văn"),
        ("hometown", "x" * 256),
        ("phone", "0905\x07111"),
    ],
)
def test_an_over_long_or_control_character_text_is_refused_before_the_database(tree, field, value):
    before = db_snapshot()
    with pytest.raises(ValidationError) as exc:
        make_member(tree.cell1, **{field: value})
    assert set(exc.value.message_dict) == {field}
    assert db_snapshot() == before


def test_names_are_stored_in_nfc_without_invisible_characters(tree):
    decomposed = "Nguye\u0302\u0303n\u200b Va\u0306n A"  # NFD with a zero-width space
    member = make_member(tree.cell1, full_name=decomposed)
    assert member.full_name == "Nguyễn Văn A"
    assert member.name_folded == "nguyen van a"


@pytest.mark.parametrize(
    ("path", "params", "where"),
    [
        ("/organisations", {"offset": -1}, ["query", "offset"]),
        ("/organisations", {"limit": 0}, ["query", "limit"]),
        ("/members", {"after": "²"}, ["query", "after"]),
        ("/members", {"after": 2**70}, ["query", "after"]),
        ("/reports/membership", {"org": "KT", "as_of": "0999-01-01"}, ["query", "as_of"]),
        ("/reports/membership", {"org": "KT", "as_of": "1899-12-31"}, ["query", "as_of"]),
        ("/reports/period", {"org": "KT", "from": "2101-01-01", "to": "2101-02-01"}, None),
    ],
)
def test_parameters_out_of_range_are_422_naming_where(tree, users, api_client, path, params, where):
    response = api_client(users.admin).get(path, params)
    assert response.status_code == 422, response.content
    if where is not None:
        assert response.json()["detail"][0]["loc"] == where


def test_a_path_id_beyond_64_bits_is_422_not_a_500(tree, users, api_client):
    response = api_client(users.admin).get(f"/members/{2**70}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "member_id"]


def test_excel_text_cells_are_never_formulas(tree):
    org = make_org(
        code="KT-X", name='=HYPERLINK("http://x")', kind="district", parent=tree.province
    )
    workbook = load_workbook(io.BytesIO(membership_xlsx(membership_figures(org))))
    subtitle = workbook.active["A2"]
    assert subtitle.data_type == "s" and subtitle.value.startswith("=HYPERLINK")


def test_download_names_are_encoded_as_rfc_6266_asks():
    response = xlsx_response(b"x", 'Bảng "3"\n.xlsx')
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''")
    assert '"' not in header.split("''", 1)[1] and "\n" not in header
