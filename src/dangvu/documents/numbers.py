"""Parsing and checking a document's number ("90-KH/TU"): docs/decisions/0023."""

import re
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from dangvu.core.errors import ValidationError
from dangvu.documents.choices import ISSUER_ABBR, KIND_ABBR, KIND_ALSO, ORGANS

__all__ = ["Number", "parse_number", "check_number"]

_SHAPE = re.compile(r"^(\d{1,6})-([A-Za-zĐđ]+)/([A-Za-zĐđ]+)$")
_PREFIX = re.compile(r"^\s*(số|so)\s*[:.]?\s*", re.IGNORECASE)


def _key(abbr: str) -> str:
    """The loose form compared: upper case, "Đ" read as "D"."""
    return abbr.replace("đ", "d").replace("Đ", "D").upper()


_KINDS = {_key(a): (kind, a) for kind, a in KIND_ABBR.items()}
_ISSUERS = {_key(a): a for abbrs in ISSUER_ABBR.values() for a in abbrs}


@dataclass(frozen=True)
class Number:
    number: int
    kind: str
    kind_abbr: str
    issuer_abbr: str  # organ + committee, canonical ("BTGTU")
    committee_abbr: str  # the committee's part ("TU")

    @property
    def code(self) -> str:
        # Serials under ten are printed with two digits (01-HD/TW); "1-HD/TW" reads the same.
        return f"{self.number:02d}-{self.kind_abbr}/{self.issuer_abbr}"


def _issuer(text: str) -> tuple[str, str] | None:
    key = _key(text)
    for organ in ("",) + ORGANS:
        if key.startswith(organ) and key[len(organ) :] in _ISSUERS:
            committee = _ISSUERS[key[len(organ) :]]
            return organ + committee, committee
    return None


def parse_number(text: str, field: str = "code") -> Number:
    """The number read loosely ("Số 90 - kh/tu") into its canonical parts; a ValidationError
    on `field` naming what is wrong."""
    raw = _PREFIX.sub("", text or "")
    compact = re.sub(r"\s+", "", raw)
    m = _SHAPE.match(compact)
    if not m:
        raise ValidationError(
            {
                field: _(
                    "The document number %(value)s is not in the form "
                    "<number>-<kind>/<issuer>, e.g. 90-KH/TU."
                )
                % {"value": text}
            }
        )
    number, kind_text, issuer_text = m.groups()
    if int(number) < 1:
        raise ValidationError({field: _("The document number must be 1 or more.")})
    kind = _KINDS.get(_key(kind_text))
    if kind is None:
        raise ValidationError(
            {
                field: _(
                    "Unknown kind abbreviation %(abbr)s in %(value)s (expected one of %(known)s)."
                )
                % {"abbr": kind_text, "value": text, "known": ", ".join(KIND_ABBR.values())}
            }
        )
    issuer = _issuer(issuer_text)
    if issuer is None:
        raise ValidationError(
            {
                field: _("Unknown issuer abbreviation %(abbr)s in %(value)s.")
                % {"abbr": issuer_text, "value": text}
            }
        )
    return Number(int(number), kind[0], kind[1], issuer[0], issuer[1])


def check_number(text: str, *, kind: str, org_kind: str, field: str = "code") -> Number:
    """The number parsed and checked against the chosen kind and the issuer's kind."""
    n = parse_number(text, field)
    if n.kind != kind and n.kind_abbr in KIND_ALSO.get(kind, ()):
        n = replace(n, kind=kind)
    if n.kind != kind:
        raise ValidationError(
            {
                field: _(
                    "The kind abbreviation %(abbr)s does not match the chosen kind "
                    "(expected %(expected)s)."
                )
                % {"abbr": n.kind_abbr, "expected": KIND_ABBR[kind]}
            }
        )
    allowed = ISSUER_ABBR.get(org_kind, ())
    if n.committee_abbr not in allowed:
        raise ValidationError(
            {
                field: _(
                    "The issuer abbreviation %(abbr)s does not fit the issuing organisation "
                    "(expected %(expected)s)."
                )
                % {"abbr": n.issuer_abbr, "expected": ", ".join(allowed) or "—"}
            }
        )
    return n
