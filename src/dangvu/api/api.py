"""API v1: the NinjaAPI instance, bearer-token auth and the mapping of errors to JSON. Each app
owns its router (its schemas and endpoints, calling its selectors and services); this module
only mounts them and holds no query of its own."""

from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from dangvu.accounts.api import router as accounts_router
from dangvu.accounts.services import token_authenticate
from dangvu.accounts.twofactor import session_verified
from dangvu.admission.api import router as admission_router
from dangvu.audittrail.api import router as audittrail_router
from dangvu.core.editing import EditConflict
from dangvu.core.errors import ValidationError, field_errors
from dangvu.documents.api import router as documents_router
from dangvu.interchange.api import router as interchange_router
from dangvu.meetings.api import router as meetings_router
from dangvu.members.api import router as members_router
from dangvu.news.api import router as news_router
from dangvu.organisations.api import router as organisations_router
from dangvu.reports.api import router as reports_router
from dangvu.training.api import router as training_router

__all__ = ["api"]


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionRead(SessionAuth):
    """A signed-in person's browser may READ through the API (the pages' "Excel" and "CSV"
    links are the API's lists as files: one implementation). Changes need a bearer token:
    a session never authenticates a POST, PUT or DELETE here, nor a session that still owes
    its second factor (accounts.twofactor)."""

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return None
        user = super().__call__(request)
        if user and not session_verified(request):
            return None
        return user


# What the HTTP server in front answers, before Dangvu sees the request: a request line longer
# than gunicorn's limit (4094 bytes; nginx has its own) is refused with its own HTML page. Any
# operation can be sent such a URL (a long query, a long path parameter), so each documents it.
URI_TOO_LONG = {
    "description": "URI Too Long: the request line exceeds the server's limit (answered by the "
    "HTTP server, as HTML, before the request reaches the API)",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


class DangvuAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault("414", URI_TOO_LONG)
        return schema


api = DangvuAPI(
    title="Dangvu API",
    version="1",
    description="Party organisations, members and statistics. Authenticate with "
    "`Authorization: Bearer <token>` (create one with `dangvu token create USERNAME`). "
    "A signed-in browser session may also read (GET). "
    "Every operation answers 401 without a valid token, 404 for anything outside the "
    "caller's scope (it does not exist for them) and 422 for bad input, naming the field.",
    auth=[BearerAuth(), SessionRead()],
    urls_namespace="api",
)

# Where a parameter came from, as ninja and pydantic name it.
_SOURCES = ("query", "path", "body", "header", "cookie", "form", "file")


def _error_body(errors: list[tuple[str, str, str]]) -> dict:
    """[(where, field, message)] -> {"detail": [{loc, msg, type}], "errors": {field: [msg]}}."""
    summary: dict[str, list[str]] = {}
    for _where, field, msg in errors:
        summary.setdefault(field, []).append(msg)
    return {
        "detail": [
            {"loc": [where, field], "msg": msg, "type": "value_error"}
            for where, field, msg in errors
        ],
        "errors": summary,
    }


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    """A service or selector refused the input: the field it names came from the query of a
    read, from the body of a write."""
    where = "query" if request.method in ("GET", "HEAD") else "body"
    errors = [(where, f, m) for f, msgs in field_errors(exc).items() for m in msgs]
    return api.create_response(request, _error_body(errors), status=422)


@api.exception_handler(EditConflict)
def _edit_conflict(request, exc):
    """The record changed after the caller read it (the version sent): nothing was written;
    409 naming each changed field, the value read and the value now, who and when
    (core.editing)."""
    return api.create_response(request, exc.as_json(), status=409)


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc):
    """The input did not parse: loc says where ("query", "path" or "body") and which field,
    without the names of ninja's own wrappers (the payload, a filter schema)."""
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        where = loc[0] if loc and loc[0] in _SOURCES else "body"
        rest = loc[1:] if loc and loc[0] in _SOURCES else loc
        # ninja prefixes the parameter object's name (payload, filters) to its fields.
        if len(rest) > 1 and rest[0] in ("payload", "filters"):
            rest = rest[1:]
        errors.append((where, ".".join(rest) or "__all__", str(err.get("msg", "invalid"))))
    return api.create_response(request, _error_body(errors), status=422)


@api.exception_handler(MultiPartParserError)
def _multipart_error(request, exc):
    """A file upload whose body is not multipart/form-data (no boundary, a broken one): bad
    input like any other, 422 naming the body (schemathesis sent JSON to POST /imports)."""
    errors = [("body", "__all__", _("The request body is not valid multipart form data."))]
    return api.create_response(request, _error_body(errors), status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return api.create_response(request, {"detail": "Unauthorized"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:
        # ninja's only 400: the body is not JSON (or not UTF-8). Bad input like any other: 422,
        # naming the body, rather than a status no operation documents.
        errors = [("body", "__all__", _("The request body is not valid JSON."))]
        return api.create_response(request, _error_body(errors), status=422)
    return api.create_response(request, {"detail": str(exc.message)}, status=exc.status_code)


api.add_router("", accounts_router)
api.add_router("", organisations_router)
api.add_router("", members_router)
api.add_router("", reports_router)
api.add_router("", admission_router)
api.add_router("", meetings_router)
api.add_router("", training_router)
api.add_router("", documents_router)
api.add_router("", news_router)
api.add_router("", interchange_router)
api.add_router("", audittrail_router)
