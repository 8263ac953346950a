"""Every action of the pages is possible through /api/v1/ (issue 20): each page that changes
something (its view reads a POST) is mapped to the API operation that does the same through
the same service, or says why the API has none. A new page action without either fails here;
an operation named here that the schema lost fails too."""

import inspect

import pytest
from django.urls import resolve

from dangvu.testing.matrix import _api, discover_routes

# The page's URL name → the API operation(s) doing the same.
UI_ACTIONS: dict[str, tuple[str, ...]] = {
    "organisations:new_child": ("POST /api/v1/organisations",),
    "organisations:rename": ("POST /api/v1/organisations/{code}/rename",),
    "organisations:move": ("POST /api/v1/organisations/{code}/move",),
    "organisations:merge": ("POST /api/v1/organisations/{code}/merge",),
    "organisations:dissolve": ("POST /api/v1/organisations/{code}/dissolve",),
    "members:new": ("POST /api/v1/members",),
    "members:edit": ("POST /api/v1/members/{member_id}/record",),
    "members:event_new": ("POST /api/v1/members/{member_id}/events", "POST /api/v1/transfers"),
    "members:event_correct": ("POST /api/v1/members/{member_id}/events",),  # type=correction
    "members:attribute": ("POST /api/v1/members/{member_id}/attributes",),
    "members:position_new": ("POST /api/v1/positions",),
    "members:transfer_receive": ("POST /api/v1/transfers/{transfer_id}/receive",),
    "members:transfer_refuse": ("POST /api/v1/transfers/{transfer_id}/refuse",),
    "members:transfer_withdraw": ("POST /api/v1/transfers/{transfer_id}/withdraw",),
    "reports:sign": ("POST /api/v1/reports/signed",),
    "admission:new": ("POST /api/v1/candidates",),
    "admission:edit": ("POST /api/v1/candidates/{candidate_id}/record",),
    "admission:step": ("POST /api/v1/candidates/{candidate_id}/transitions",),
    "admission:target_new": ("POST /api/v1/targets",),
    "meetings:new": ("POST /api/v1/meetings",),
    "meetings:calendar": ("POST /api/v1/meetings/calendar",),
    "meetings:record": ("POST /api/v1/meetings/{meeting_id}/attendance",),
    "meetings:approve": ("POST /api/v1/meetings/{meeting_id}/approval",),
    "meetings:evaluate": ("POST /api/v1/meetings/{meeting_id}/evaluation",),
    "meetings:attach": ("POST /api/v1/meetings/{meeting_id}/files",),
    "meetings:detach": ("POST /api/v1/meetings/{meeting_id}/files/{file_id}/remove",),
    "meetings:task_new": ("POST /api/v1/tasks",),
    "meetings:task_review": ("POST /api/v1/tasks/{task_id}/review",),
    "training:new": ("POST /api/v1/classes",),
    "training:enrol": ("POST /api/v1/classes/{class_id}/enrolments",),
    "training:roll_call": ("POST /api/v1/classes/{class_id}/attendance",),
    "training:complete": ("POST /api/v1/classes/{class_id}/completion",),
    "training:edit": ("POST /api/v1/classes/{class_id}",),
    "training:state": ("POST /api/v1/classes/{class_id}/state",),
    "training:session_add": ("POST /api/v1/classes/{class_id}/sessions",),
    "training:session_remove": ("POST /api/v1/classes/{class_id}/sessions/{session_id}/remove",),
    "training:import": ("POST /api/v1/classes/{class_id}/sessions/{session_id}/participants",),
    "training:attach": ("POST /api/v1/classes/{class_id}/materials",),
    "training:enrol_position": ("POST /api/v1/classes/{class_id}/enrolments",),  # positions
    "training:withdraw": ("POST /api/v1/classes/{class_id}/withdrawals",),
    "training:scores": ("POST /api/v1/classes/{class_id}/scores",),
    "documents:new": ("POST /api/v1/documents",),
    "documents:send": ("POST /api/v1/documents/{document_id}/recipients",),
    "documents:report": ("POST /api/v1/documents/{document_id}/implementation",),
    "documents:attach": ("POST /api/v1/documents/{document_id}/files",),
    "news:moderate": ("POST /api/v1/comments/{comment_id}/moderate",),
    "news:new": ("POST /api/v1/news/articles",),
    "news:edit": ("POST /api/v1/news/articles/{article_id}",),
    "news:state": ("POST /api/v1/news/articles/{article_id}/state",),
    "news:images": ("POST /api/v1/news/articles/{article_id}/images",),
    "interchange:imports": ("POST /api/v1/imports",),
    "interchange:write": ("POST /api/v1/imports/{import_id}/write",),
    "interchange:export": ("GET /api/v1/exports/members",),
}

# Page actions the API does not offer, each with the reason.
NOT_IN_API: dict[str, str] = {
    "set_language": "the page language of a browser session",
    "logout": "a browser session's sign-out; a token is revoked at POST /api/v1/tokens/{prefix}/revoke",
    "login": "a browser session's sign-in; the API authenticates with a token",
    "password_change": "a person's own password, changed only in the browser",
    "password_reset": "a person's own password, reset only by e-mail in the browser",
    "password_reset_confirm": "a person's own password, reset only by e-mail in the browser",
    "portal:comment": "a reader's comment: a person at the portal page, behind its captcha",
    "two_factor": "a browser session's second factor; the API authenticates with a token",
    "two_factor_setup": "a person's own authenticator app, set up only in the browser",
    "backup_codes_new": "a person's own backup codes, shown only in the browser (or "
    "`dangvu twofactor USER --backup-codes N`)",
    "security": "a person's own browser sessions (a token is revoked at "
    "POST /api/v1/tokens/{prefix}/revoke)",
    "lockouts": "sign-in lockouts: lifted by an administrator in the browser, never with a "
    "token (a stolen token must not open sign-ins)",
}


def _acts(route) -> bool:
    """The page changes something: its view (or the helper every organisation change goes
    through) reads a POST."""
    try:
        match = resolve(route.url({p: "1" for p in route.params}))
    except Exception:  # noqa: BLE001 - a pattern the matrix cannot fill: not an action page
        return False
    view = getattr(match.func, "view_class", match.func)
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return False
    return "POST" in source or "_org_action(" in source


@pytest.fixture(scope="module")
def operations() -> set[str]:
    schema = _api().get_openapi_schema(path_prefix="/api/v1/")
    return {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}


def test_every_page_action_is_in_the_api_or_says_why_not():
    routes = [r for r in discover_routes() if r.kind == "html" and r.name]
    acting = sorted(r.name for r in routes if _acts(r))
    # The detector sees a plain view and the organisation pages' shared helper alike.
    assert {"members:edit", "organisations:rename", "training:scores"} <= set(acting)
    missing = [n for n in acting if n not in UI_ACTIONS and n not in NOT_IN_API]
    assert not missing, f"page actions with no API operation and no reason: {missing}"
    gone = sorted((set(UI_ACTIONS) | set(NOT_IN_API)) - {r.name for r in routes})
    assert not gone, f"named here but no longer a page: {gone}"
    both = sorted(set(UI_ACTIONS) & set(NOT_IN_API))
    assert not both, f"both in the API and without it: {both}"


def test_the_operations_named_exist(operations):
    named = {op for ops in UI_ACTIONS.values() for op in ops}
    assert not named - operations, sorted(named - operations)
