"""API v1, organisations: the tree as far as the caller may see it."""

from collections.abc import Iterator
from datetime import date
from itertools import islice

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from dangvu.core.apischema import Day, codes, documented
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.organisations.choices import GrassrootsType, OrgKind
from dangvu.organisations.models import Organisation
from dangvu.organisations.selectors import org_get, org_get_or_404, org_list, org_parents
from dangvu.organisations.services import (
    organisation_create,
    organisation_dissolve,
    organisation_merge,
    organisation_move,
    organisation_rename,
)

__all__ = ["router"]

router = Router(tags=["organisations"])


class OrgOut(Schema):
    code: str
    name: str
    kind: codes(OrgKind)
    kind_label: str
    grassroots_type: codes(GrassrootsType, "")
    grassroots_type_label: str
    parent: str | None = Field(description="The parent's code; null at the top of your view")
    depth: int
    place_name: str
    place_code: str
    valid_from: date
    valid_to: date | None


class OrgFilter(Tabular):
    q: str = Field("", max_length=200, description="Words of the name (accents ignored) or a code")
    org: str = Field("", max_length=40, description="This organisation and those under it")
    parent: str = Field("", max_length=40, description="Children of this organisation")
    kind: codes(OrgKind, "") = Field("", description="Only organisations of this kind")
    include_dissolved: bool = True
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


ORGANISATIONS = TableSpec(
    "organisations",
    "Danh sách tổ chức đảng",
    (
        Column("Mã", key="code", width=16),
        Column("Tên tổ chức đảng", key="name", width=40),
        Column("Loại tổ chức", key="kind_label", width=30),
        Column("Loại hình tổ chức cơ sở", key="grassroots_type_label", width=28),
        Column("Mã tổ chức cấp trên", key="parent", width=16),
        Column("Địa bàn", key="place_name", width=26),
        Column("Mã địa bàn", key="place_code", width=12),
        Column("Hoạt động từ ngày", "date", 12, key="valid_from"),
        Column("Thôi hoạt động từ ngày", "date", 12, key="valid_to"),
    ),
)
MANAGE = "organisations.manage"
BATCH = 2000  # organisations read at a time for a file, their parents named in one query


def _org_out(org: Organisation, parents: dict[str, str]) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "grassroots_type": org.grassroots_type,
        "grassroots_type_label": str(org.get_grassroots_type_display() or ""),
        "parent": parents.get(org.path[: -org.steplen]) if org.depth > 1 else None,
        "depth": org.depth,
        "place_name": org.place_name,
        "place_code": org.place_code,
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
    }


def _every_out(actor, qs) -> Iterator[dict]:
    """Every organisation of the list, in its order, a batch at a time (a file: no paging)."""
    rows = qs.iterator(chunk_size=BATCH)
    while batch := list(islice(rows, BATCH)):
        parents = org_parents(actor=actor, orgs=batch)
        yield from (_org_out(o, parents) for o in batch)


@router.get(
    "/organisations", response=documented(list[OrgOut]), openapi_extra=tabular(ORGANISATIONS)
)
def organisations(request, filters: Query[OrgFilter]):
    """Organisations in your scope, the highest first, by name; `org`: that organisation's
    subtree; `parent`: the organisations directly under it. As a file (`format`): every one
    that matches, not only a page."""
    org = org_get_or_404(actor=request.user, code=filters.org) if filters.org else None
    parent = org_get_or_404(actor=request.user, code=filters.parent) if filters.parent else None
    qs = org_list(
        actor=request.user,
        q=filters.q,
        parent=parent,
        kind=filters.kind,
        include_dissolved=filters.include_dissolved,
        within=org,
    )
    if filters.format != "json":
        items = _every_out(request.user, qs)
        return table_response(
            ORGANISATIONS, filters.format, items, schema=OrgOut, org=org or parent
        )
    page = list(qs[filters.offset : filters.offset + filters.limit])
    parents = org_parents(actor=request.user, orgs=page)
    return [_org_out(o, parents) for o in page]


@router.get("/organisations/{code}", response=documented(OrgOut))
def organisation(request, code: str):
    org = org_get_or_404(actor=request.user, code=code)
    return _org_out(org, org_parents(actor=request.user, orgs=[org]))


# --- changes to the tree (the organisation pages' actions, the same services and rules) -------


class OrgIn(Schema):
    parent: str = Field(..., max_length=40, description="The code of the organisation above it")
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=255)
    kind: codes(OrgKind)
    grassroots_type: codes(GrassrootsType, "") = Field("", description="A grassroots committee")
    valid_from: Day
    place_name: str = Field("", max_length=255)


class DecisionIn(Schema):
    on: Day = Field(..., description="The day the change takes effect")
    decision_number: str = Field("", max_length=60)


class RenameIn(DecisionIn):
    name: str = Field(..., max_length=255)


class MoveIn(DecisionIn):
    parent: str = Field(..., max_length=40, description="The new parent's code")


class MergeIn(DecisionIn):
    target: str = Field(..., max_length=40, description="The receiving organisation's code")


def _managed(request, code: str, field: str) -> Organisation:
    """An organisation named in a body, which the caller manages (else 422 naming the field)."""
    org = org_get(actor=request.user, code=code, action=MANAGE)
    if org is None:
        raise ValidationError({field: _("No organisation with this code among those you manage.")})
    return org


def _answer(request, org: Organisation) -> dict:
    org.refresh_from_db()
    return _org_out(org, org_parents(actor=request.user, orgs=[org]))


@router.post("/organisations", response=documented(OrgOut, 201))
def organisation_add(request, payload: OrgIn):
    """A new organisation under one you manage (the organisation page's "Add an organisation
    under it"): its kind must fit under its parent's; a cell has none under it."""
    parent = _managed(request, payload.parent, "parent")
    org = organisation_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        valid_from=payload.valid_from,
        grassroots_type=payload.grassroots_type,
        place_name=payload.place_name,
    )
    return Status(201, _answer(request, org))


@router.post("/organisations/{code}/rename", response=documented(OrgOut))
def organisation_rename_(request, code: str, payload: RenameIn):
    """Rename from a date: reports of earlier dates keep the old name."""
    org = org_get_or_404(actor=request.user, code=code, action=MANAGE)
    org = organisation_rename(
        actor=request.user,
        org=org,
        name=payload.name,
        on=payload.on,
        decision_number=payload.decision_number,
    )
    return _answer(request, org)


@router.post("/organisations/{code}/move", response=documented(OrgOut))
def organisation_move_(request, code: str, payload: MoveIn):
    """Move with everything under it (organisations and members) under another organisation
    you manage, from a date; figures of earlier dates do not change."""
    org = org_get_or_404(actor=request.user, code=code, action=MANAGE)
    org = organisation_move(
        actor=request.user,
        org=org,
        new_parent=_managed(request, payload.parent, "parent"),
        on=payload.on,
        decision_number=payload.decision_number,
    )
    return _answer(request, org)


@router.post("/organisations/{code}/merge", response=documented(OrgOut))
def organisation_merge_(request, code: str, payload: MergeIn):
    """Merge into another organisation you manage: what is under it passes to the target on
    that date, and it ceases to exist. Answers the target."""
    org = org_get_or_404(actor=request.user, code=code, action=MANAGE)
    target = organisation_merge(
        actor=request.user,
        sources=[org],
        target=_managed(request, payload.target, "target"),
        on=payload.on,
        decision_number=payload.decision_number,
    )
    return _answer(request, target)


@router.post("/organisations/{code}/dissolve", response=documented(OrgOut))
def organisation_dissolve_(request, code: str, payload: DecisionIn):
    """Dissolve from a date an organisation with nothing left under it (else 422 naming what
    is still there)."""
    org = org_get_or_404(actor=request.user, code=code, action=MANAGE)
    org = organisation_dissolve(
        actor=request.user, org=org, on=payload.on, decision_number=payload.decision_number
    )
    return _answer(request, org)
