"""API v1, accounts: who the caller is (`/me`) and the caller's own bearer tokens (`/tokens`).

Mounted on the NinjaAPI of dangvu.api.api, whose bearer authentication (401 without a valid
token) and error mapping (422 naming the field, 404) apply. A token of someone else does not
exist for the caller (404), whoever the caller is.
"""

from datetime import date, datetime
from typing import Annotated

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import AfterValidator, ConfigDict, Field

from dangvu.accounts.models import ApiToken, RoleGrant
from dangvu.accounts.roles import Role
from dangvu.accounts.selectors import token_get, token_list
from dangvu.accounts.services import token_create, token_expiry, token_revoke
from dangvu.core.apischema import codes, documented
from dangvu.core.text import clean_text

__all__ = ["router"]

router = Router(tags=["accounts"])


# --- schemas ----------------------------------------------------------------------------------


class GrantOut(Schema):
    role: codes(Role)
    organisation: str
    organisation_name: str
    include_descendants: bool


class MeOut(Schema):
    username: str
    full_name: str
    member_id: int | None
    grants: list[GrantOut]


class TokenOut(Schema):
    prefix: str = Field(description="The key's first 10 characters: names the token")
    name: str
    created: datetime
    last_used: datetime | None = Field(description="To the minute")
    expires: datetime | None = Field(description="None: until revoked")
    revoked: bool
    revoked_at: datetime | None
    active: bool = Field(description="Authenticates now: neither revoked nor expired")


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The bearer token; shown this once, never again")


def _token_name(value: str) -> str:
    # Stored like every text (NFC, no control character): PostgreSQL refuses a NUL outright.
    return clean_text(value, max_length=100)


class TokenIn(Schema):
    # An unknown field is refused rather than ignored: a misspelt "expiry" would otherwise
    # give a token that never expires.
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(_token_name)] = Field(
        "", max_length=100, description="What the token is for"
    )
    expires: date | None = Field(None, description="Valid through this day (local time)")
    days: int | None = Field(None, description="Valid for this many days (instead of expires)")


def _token_out(token: ApiToken) -> dict:
    return {
        "prefix": token.prefix,
        "name": token.name,
        "created": token.created,
        "last_used": token.last_used,
        "expires": token.expires,
        "revoked": token.revoked,
        "revoked_at": token.revoked_at,
        "active": token.is_usable(),
    }


# --- endpoints --------------------------------------------------------------------------------


@router.get("/me", response=documented(MeOut))
def me(request):
    """Who the token belongs to: user name, full name, their member record (if any) and their
    role grants."""
    user = request.user
    grants = RoleGrant.objects.filter(user=user).select_related("organisation")
    member = getattr(user, "member", None)  # the reverse one-to-one of members.Member.user
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "member_id": member.pk if member else None,
        "grants": [
            {
                "role": g.role,
                "organisation": g.organisation.code,
                "organisation_name": g.organisation.name,
                "include_descendants": g.include_descendants,
            }
            for g in grants
        ],
    }


@router.get("/tokens", response=documented(list[TokenOut]))
def tokens(request):
    """The caller's own tokens, newest first, revoked and expired ones included (never a key)."""
    return [_token_out(t) for t in token_list(actor=request.user, user=request.user)]


@router.post("/tokens", response=documented(TokenCreatedOut, 201))
def token_add(request, payload: TokenIn):
    """A new token for the caller: `{"name": "…", "expires": "2026-12-31"}` or `{"days": 30}`
    (neither: until revoked). The answer carries the key, this once."""
    expires = token_expiry(through=payload.expires, days=payload.days)
    key = token_create(actor=request.user, user=request.user, name=payload.name, expires=expires)
    token = token_get(actor=request.user, prefix=ApiToken.prefix_of(key), user=request.user)
    return Status(201, {**_token_out(token), "key": key})


@router.post("/tokens/{prefix}/revoke", response=documented(TokenOut))
def token_revoke_own(request, prefix: str):
    """Revoke one of the caller's tokens (possibly the one in use): it authenticates nobody from
    now on. Revoking it again changes nothing. Another user's token: 404."""
    token = token_get(actor=request.user, prefix=prefix, user=request.user)
    if token is None:
        raise Http404
    return _token_out(token_revoke(actor=request.user, token=token))
