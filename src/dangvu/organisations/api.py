"""API v1, organisations: the tree as far as the caller may see it."""

from collections.abc import Iterator
from datetime import date
from itertools import islice

from ninja import Query, Router, Schema
from pydantic import Field

from dangvu.core.apischema import codes, documented
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.organisations.choices import GrassrootsType, OrgKind
from dangvu.organisations.models import Organisation
from dangvu.organisations.selectors import org_get_or_404, org_list, org_parents

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
