"""API v1, organisations: the tree as far as the caller may see it."""

from datetime import date

from ninja import Query, Router, Schema
from pydantic import Field

from dangvu.core.apischema import documented
from dangvu.organisations.models import Organisation
from dangvu.organisations.selectors import org_get_or_404, org_list, org_parents

__all__ = ["router"]

router = Router(tags=["organisations"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    grassroots_type: str
    parent: str | None = Field(description="The parent's code; null at the top of your view")
    depth: int
    place_name: str
    place_code: str
    valid_from: date
    valid_to: date | None


class OrgFilter(Schema):
    q: str = Field("", max_length=200, description="Words of the name (accents ignored) or a code")
    parent: str = Field("", max_length=40, description="Children of this organisation")
    kind: str = Field("", max_length=30)
    include_dissolved: bool = True
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


def _org_out(org: Organisation, parents: dict[str, str]) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "grassroots_type": org.grassroots_type,
        "parent": parents.get(org.path[: -org.steplen]) if org.depth > 1 else None,
        "depth": org.depth,
        "place_name": org.place_name,
        "place_code": org.place_code,
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
    }


@router.get("/organisations", response=documented(list[OrgOut]))
def organisations(request, filters: Query[OrgFilter]):
    """Organisations in your scope, the highest first, by name."""
    parent = org_get_or_404(actor=request.user, code=filters.parent) if filters.parent else None
    qs = org_list(
        actor=request.user,
        q=filters.q,
        parent=parent,
        kind=filters.kind,
        include_dissolved=filters.include_dissolved,
    )
    page = list(qs[filters.offset : filters.offset + filters.limit])
    parents = org_parents(actor=request.user, orgs=page)
    return [_org_out(o, parents) for o in page]


@router.get("/organisations/{code}", response=documented(OrgOut))
def organisation(request, code: str):
    org = org_get_or_404(actor=request.user, code=code)
    return _org_out(org, org_parents(actor=request.user, orgs=[org]))
