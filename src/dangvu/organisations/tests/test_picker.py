"""Organisations chosen by name: the picker's choices and the field that reads what was sent
(a code from the choices, or typed text: a code in any case, a name in any accents, the label
the choices put in the box), always within what the person may choose."""

from datetime import date

import pytest
from django import forms
from django.test import Client

from dangvu.core.forms import ActorForm
from dangvu.organisations.forms import OrganisationField
from dangvu.organisations.selectors import org_pick
from dangvu.organisations.services import organisation_create, organisation_dissolve
from dangvu.testing.factories import make_user


class _Form(ActorForm):
    org = OrganisationField(action="members.view")
    past = OrganisationField(action="members.view", include_dissolved=True, required=False)


def _clean(user, **data):
    form = _Form(data, actor=user)
    form.is_valid()
    return form


@pytest.fixture
def staff(tree):
    return make_user("picker_staff", role="org_staff", org=tree.province)


def test_a_code_in_any_case_or_a_name_in_any_accents_is_the_organisation(tree, staff):
    assert _clean(staff, org_q="kt-dg-dp-01").cleaned_data["org"] == tree.cell1
    assert _clean(staff, org_q="dak ung").cleaned_data["org"] == tree.cell1
    assert _clean(staff, org_q="ĐĂK ÚNG").cleaned_data["org"] == tree.cell1
    # What the choices put in the form: the code and its label.
    chosen = org_pick(actor=staff, q="dak nang", action="members.view")[0]
    form = _clean(staff, org=chosen.code, org_q=chosen.label)
    assert form.cleaned_data["org"] == tree.cell2
    assert " › " in chosen.label and "Đảng ủy xã Đăk Pék" not in chosen.label  # short form
    # The label alone (sent without the code) names it too.
    assert _clean(staff, org_q=chosen.label).cleaned_data["org"] == tree.cell2


def test_several_matches_are_offered_to_choose_from_and_nothing_is_guessed(tree, staff):
    form = _clean(staff, org_q="chi bo thon")
    assert "org" in form.errors
    offered = {o.code for o in form.fields["org"].candidates}
    assert offered == {tree.cell1.code, tree.cell2.code}
    html = str(form["org"])
    assert 'type="radio"' in html and tree.cell1.code in html
    # The radio button's code with the same text: that one.
    assert _clean(staff, org=tree.cell1.code, org_q="chi bo thon").cleaned_data["org"] == (
        tree.cell1
    )


def test_outside_the_scope_an_organisation_is_not_found_by_code_or_name(tree, staff):
    for typed in ("QN-SH-SK-01", "lang ranh"):
        form = _clean(staff, org_q=typed)
        assert "org" in form.errors and not form.fields["org"].candidates
    assert _clean(staff, org="QN-SH-SK-01", org_q="").errors["org"]
    assert org_pick(actor=staff, q="lang ranh", action="members.view") == []


def test_dissolved_organisations_only_where_a_past_date_makes_sense(tree, staff):
    gone = organisation_create(
        actor=None,
        code="KT-DG-OLD",
        name="Chi bộ thôn Đăk Cũ",
        kind="cell",
        parent=tree.committee,
        valid_from=date(2021, 1, 1),
    )
    organisation_dissolve(actor=None, org=gone, on=date(2023, 1, 1))
    assert "org" in _clean(staff, org_q="dak cu").errors
    assert _clean(staff, org_q="x", past_q="dak cu").cleaned_data["past"] == gone


def test_the_choices_come_active_first_in_natural_order_within_the_scope(tree, staff):
    for n in (10, 2, 1):
        organisation_create(
            actor=None,
            code=f"KT-DG-DP-T{n}",
            name=f"Chi bộ tổ dân phố {n}",
            kind="cell",
            parent=tree.committee,
            valid_from=date(2021, 1, 1),
        )
    client = Client()
    client.force_login(staff)
    page = client.get("/organisations/pick/", {"field": "org", "org_q": "to dan pho"})
    text = page.content.decode()
    assert text.index("tổ dân phố 1<") < text.index("tổ dân phố 2<") < text.index("phố 10<")
    other = make_user("picker_qn", role="org_staff", org=tree.province2)
    client.force_login(other)
    assert (
        "tổ dân phố"
        not in client.get(
            "/organisations/pick/", {"field": "org", "org_q": "to dan pho"}
        ).content.decode()
    )


def test_a_form_field_without_an_actor_finds_nothing(tree):
    class Anonymous(forms.Form):
        org = OrganisationField()

    form = Anonymous({"org_q": tree.cell1.code})
    assert not form.is_valid()


def test_once_resolved_the_box_shows_the_organisation_chosen(tree, staff):
    form = _clean(staff, org=tree.cell1.code, org_q="chi bo thon")
    html = str(form["org"])
    assert f'value="{tree.cell1.code}"' in html
    assert 'value="Chi bộ thôn Đăk Ung' in html and 'value="chi bo thon"' not in html
