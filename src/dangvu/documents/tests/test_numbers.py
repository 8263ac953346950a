"""The party's document numbers: read loosely into their parts, checked against the kind chosen
and the issuing organisation (docs/decisions/0023)."""

import pytest

from dangvu.core.errors import ValidationError
from dangvu.documents.choices import Kind
from dangvu.documents.numbers import check_number, parse_number
from dangvu.organisations.choices import OrgKind


@pytest.mark.parametrize(
    "text, code, number, kind, issuer",
    [
        ("90-KH/TU", "90-KH/TU", 90, Kind.PLAN, "TU"),
        ("Số 90 - kh/tu", "90-KH/TU", 90, Kind.PLAN, "TU"),
        ("12-CT/TU", "12-CT/TU", 12, Kind.DIRECTIVE, "TU"),
        ("01-HD/TW", "01-HD/TW", 1, Kind.GUIDANCE, "TW"),
        ("66-QĐ/TW", "66-QĐ/TW", 66, Kind.DECISION, "TW"),
        ("294-QĐi/TW", "294-QĐi/TW", 294, Kind.REGULATION, "TW"),
        ("15-kh/btgtu", "15-KH/BTGTU", 15, Kind.PLAN, "BTGTU"),
        ("3-NQ/ĐU", "03-NQ/ĐU", 3, Kind.RESOLUTION, "ĐU"),
        ("3-NQ/DU", "03-NQ/ĐU", 3, Kind.RESOLUTION, "ĐU"),
    ],
)
def test_numbers_are_read_into_their_parts(text, code, number, kind, issuer):
    n = parse_number(text)
    assert (n.code, n.number, n.kind, n.issuer_abbr) == (code, number, kind, issuer)


@pytest.mark.parametrize(
    "text, says",
    [
        ("90-XX/TU", "XX"),
        ("90-KH/ZZ", "ZZ"),
        ("KH/TU", "90-KH/TU"),
        ("90 KH TU", "90-KH/TU"),
        ("0-KH/TU", "1"),
        ("", "90-KH/TU"),
    ],
)
def test_malformed_numbers_are_refused_naming_what_is_wrong(text, says):
    with pytest.raises(ValidationError) as exc:
        parse_number(text)
    assert says in str(exc.value.message_dict["code"])


def test_the_kind_must_match_the_kind_chosen():
    with pytest.raises(ValidationError) as exc:
        check_number("90-CT/TU", kind=Kind.PLAN, org_kind=OrgKind.PROVINCE)
    assert "KH" in str(exc.value.message_dict["code"])


def test_the_issuer_must_fit_the_issuing_organisation():
    with pytest.raises(ValidationError) as exc:
        check_number("90-KH/TW", kind=Kind.PLAN, org_kind=OrgKind.PROVINCE)
    assert "TU" in str(exc.value.message_dict["code"])
    assert check_number("7-KH/HU", kind=Kind.PLAN, org_kind=OrgKind.DISTRICT).code == "07-KH/HU"
    assert check_number("7-KH/ĐU", kind=Kind.PLAN, org_kind=OrgKind.COMMUNE).code == "07-KH/ĐU"
    with pytest.raises(ValidationError):
        check_number("7-KH/TU", kind=Kind.PLAN, org_kind=OrgKind.COMMUNE)


def test_a_regulation_may_carry_qd_as_well():
    n = check_number("294-QĐ/TW", kind=Kind.REGULATION, org_kind=OrgKind.CENTRAL)
    assert (n.kind, n.code) == (Kind.REGULATION, "294-QĐ/TW")
    with pytest.raises(ValidationError):
        check_number("294-QĐi/TW", kind=Kind.DECISION, org_kind=OrgKind.CENTRAL)
