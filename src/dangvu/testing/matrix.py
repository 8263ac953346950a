"""The role × route matrix (DESIGN.md "The platform contract", STYLE.md rule 12), in the style
of NetBox's view tests: every route of the URL conf and every operation of the API schema,
GET and POST, asked by five actors over one small world, each answer judged against the
access gate's promises.

Nothing here names a route or a model: the routes come from django.urls.get_resolver() and
the NinjaAPI's OpenAPI schema, the rows from the registry (core.registry.org_bound_entries)
through their samples (dangvu.testing.samples). A new route or a new registered model is
covered without a new test, or the matrix says what it lacks: a sample, a way to fill a
parameter, a sample body for an operation that needs one.

The world: one central committee; under it province A (the scope of the actors who have one)
and province B, each with a grassroots committee, a sample cell and the sample rows of every
other registered model in that cell. Actors: anonymous; signed in without a grant; org_staff
over A (every action there, sensitive fields included); committee_member over A (sees rows,
not their sensitive fields); org_staff over B (out of scope for A). URL parameters address the
rows of A.

What every answer must keep (`check_case` returns what it broke):
- never a 500 nor a 403 (outside the scope an object does not exist: 404);
- anonymous: a page redirects to the sign-in page (unless it opens without signing in), an API
  operation answers 401;
- an object of A addressed in the path (for the API, in the path or the query) by an actor who
  cannot see A: 404;
- the names, codes, links and sensitive values of rows outside the actor's scope appear
  nowhere (lists, reports, forms, redirects), nor does an API object name their id;
- rows in scope: where the actor may not see their sensitive fields, the API leaves the keys
  out and pages do not show the values; where it may, the API carries them;
- a search by a row's sensitive value (an identity number) finds nothing for an actor who may
  not see that value;
- nothing is written by a read or a refused request (records of reads apart), nor by an actor
  whose role writes nothing; each call runs in a savepoint rolled back after it;
- the actor holding every action over A opens every page and operation about A's rows (so a
  site that answers 404 to everyone fails).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from typing import Any

from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.html import escape

from dangvu.testing.samples import make_home, missing_samples, sample_for, samples

__all__ = [
    "Actor",
    "ACTORS",
    "Route",
    "Side",
    "World",
    "build_world",
    "discover_routes",
    "route_problems",
    "check_case",
    "release_problems",
    "cases",
    "case_id",
    "API_BODIES",
    "OTHER_PARAMS",
    "QUERY_VALUES",
    "SELF_SERVICE",
    "PUBLIC_API",
    "STATISTICS",
    "API_DOCUMENTS",
]


# --- declarations: what the URL conf and the schema cannot tell -------------------------------

# Path parameters that address something other than an organisation-bound row: filled with an
# object of a person none of the actors is, so every actor must get 404.
OTHER_PARAMS: dict[str, Callable[["World"], str]] = {
    "prefix": lambda world: world.foreign_token_prefix,  # a bearer token (accounts.api)
    # A password-reset link (accounts.views): the user behind the foreign token, a token that
    # was never issued.
    "uidb64": lambda world: _foreign_uid(world),
    "token": lambda world: "cw1a2b-0123456789abcdef0123456789abcdef",
    # A certificate's number (training.api): one never issued, so every actor gets 404 (the
    # sample's own certificate would name its holder to any signed-in caller, by design).
    "number": lambda world: "9999/1999/TTCT-KHONG-CO",
    # The portal's addresses (news.public): a category, a photo that do not exist.
    "slug": lambda world: "khong-co-muc-nay",
    "image_id": lambda world: "999999999",
    "width": lambda world: "480",
}


def _foreign_uid(world: "World") -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from dangvu.accounts.models import ApiToken

    user_id = ApiToken.objects.get(prefix=world.foreign_token_prefix).user_id
    return urlsafe_base64_encode(force_bytes(user_id))


# Query parameters that address nothing, with a value that makes the request meaningful.
QUERY_VALUES: dict[str, Callable[["World"], str]] = {
    "as_of": lambda world: "2024-06-30",
    "from": lambda world: "2020-01-01",
    "to": lambda world: "2024-06-30",
    # The admission pipeline's step forms (admission.views): one the sample case can take next.
    "step": lambda world: "class_passed",
}

# The request body of each API operation that needs one: a valid body, so that the answer is
# the gate's and not the body's validation (ninja validates the body before the view runs).
API_BODIES: dict[str, Callable[["World"], dict]] = {
    "POST /api/v1/tokens": lambda world: {"name": "matrix"},
    "POST /api/v1/imports": lambda world: _import_body(world),
    "POST /api/v1/imports/{import_id}/write": lambda world: {"partial": False},
    "POST /api/v1/organisations": lambda world: {
        "parent": world.sides["a"].committee.code,
        "code": "MX-A-XA-MOI",
        "name": "Chi bộ Ma Trận Mới",
        "kind": "cell",
        "valid_from": "2024-06-03",
    },
    "POST /api/v1/organisations/{code}/rename": lambda world: {
        "name": "Chi bộ Ma Trận Đổi Tên",
        "on": "2024-06-03",
    },
    "POST /api/v1/organisations/{code}/move": lambda world: {
        "parent": world.sides["a"].committee.code,
        "on": "2024-06-03",
    },
    "POST /api/v1/organisations/{code}/merge": lambda world: {
        "target": world.sides["a"].committee.code,
        "on": "2024-06-03",
    },
    "POST /api/v1/organisations/{code}/dissolve": lambda world: {"on": "2024-06-03"},
    "POST /api/v1/candidates/{candidate_id}/record": lambda world: {"note": "Ghi chú Ma Trận"},
    "POST /api/v1/members": lambda world: _new_member_body(world),
    "POST /api/v1/members/{member_id}/record": lambda world: {"hometown": "Xã Ma Trận Mới"},
    "POST /api/v1/members/{member_id}/events": lambda world: {
        "type": "exempted",
        "date": "2024-06-03",
    },
    "POST /api/v1/transfers": lambda world: {
        "member": world.sides["a"].rows[_member()].pk,
        "to": world.sides["a"].rows[_organisation()].code,
        "date": "2024-06-03",
    },
    "POST /api/v1/transfers/{transfer_id}/receive": lambda world: {"date": "2024-06-04"},
    "POST /api/v1/transfers/{transfer_id}/refuse": lambda world: {"reason": "ma trận"},
    "POST /api/v1/transfers/{transfer_id}/withdraw": lambda world: {"reason": "ma trận"},
    "POST /api/v1/reports/signed": lambda world: {
        "org": world.sides["a"].rows[_organisation()].code,
        "kind": "membership",
        "signer": "Người ký ma trận",
    },
    "POST /api/v1/candidates": lambda world: _new_candidate_body(world),
    "POST /api/v1/candidates/{candidate_id}/transitions": lambda world: {
        "step": "class_passed",
        "date": "2024-06-03",
        "certificate_number": "CN-ma-tran",
    },
    "POST /api/v1/targets": lambda world: {
        "org": _organisation().objects.get_parent(world.sides["a"].rows[_organisation()]).code,
        "term_start": "2021-01-01",
        "term_end": "2025-12-31",
        # The answer's "target" is this number: one no row's id can be (a hidden row with id
        # 30 once read as named by the answer).
        "total": 7_654_321,
    },
    "POST /api/v1/positions": lambda world: {
        "org": world.sides["a"].rows[_organisation()].code,
        "kind": "village_head",
        "valid_from": "2024-06-03",
        "person_name": "Trưởng Thôn Ma Trận",
    },
    "POST /api/v1/meetings": lambda world: {
        "org": world.sides["a"].rows[_organisation()].code,
        "kind": "regular",
        "planned_on": "2024-06-03",
    },
    "POST /api/v1/meetings/calendar": lambda world: {
        "org": world.sides["a"].rows[_organisation()].code,
        "year": 2025,
        "day": 5,
    },
    "POST /api/v1/meetings/{meeting_id}/attendance": lambda world: {"held_on": "2024-02-28"},
    "POST /api/v1/meetings/{meeting_id}/approval": lambda world: {},
    "POST /api/v1/meetings/{meeting_id}/corrections": lambda world: {
        "changes": {"topic": "Chuyên đề ma trận"},
        "reason": "ma trận",
    },
    "POST /api/v1/meetings/{meeting_id}/evaluation": lambda world: {
        "by": "cell",
        "scores": {"attendance": 20},
    },
    "POST /api/v1/meetings/{meeting_id}/files": lambda world: {
        "role": "minutes",
        "file": Upload("bien-ban-ma-tran.pdf", b"%PDF-1.4\n%%EOF\n"),
    },
    "POST /api/v1/supervision": lambda world: {
        "committee": _organisation()
        .objects.get_parent(world.sides["a"].rows[_organisation()])
        .code,
        "cell": world.sides["a"].rows[_organisation()].code,
        "supervisor": "không-có-ai",
        "valid_from": "2024-06-03",
    },
    "POST /api/v1/supervision/{supervision_id}/visits": lambda world: {
        "meeting": world.sides["a"].rows[_meeting()].pk,
        "attended": True,
    },
    "POST /api/v1/tasks": lambda world: {
        "member": world.sides["a"].rows[_member()].pk,
        "title": "Nhiệm vụ ma trận",
        "suited_to": "Phù hợp sức khỏe",
        "assigned_on": "2024-06-03",
        "due_on": "2024-07-03",
    },
    "POST /api/v1/tasks/{task_id}/review": lambda world: {"state": "done", "on": "2024-06-03"},
    "POST /api/v1/classes": lambda world: {
        "org": world.sides["a"].committee.code,
        "kind": "cell_skills",
        "mode": "online",
        "title": "Lớp ma trận",
        "capacity": 30,
        "online_link": "https://hop.example/ma-tran",
        "sessions": [
            {"day": "2024-06-03", "starts_at": "07:30", "ends_at": "11:00", "topic": "Bài 1"}
        ],
    },
    "POST /api/v1/classes/{class_id}/enrolments": lambda world: {
        "member": world.sides["a"].rows[_member()].pk
    },
    "POST /api/v1/classes/{class_id}/attendance": lambda world: {
        "session": world.sides["a"].rows[_training_class()].sample_session_id,
        "present": [],
    },
    "POST /api/v1/classes/{class_id}/completion": lambda world: {"issued_on": "2024-06-03"},
    "POST /api/v1/classes/{class_id}": lambda world: {"title": "Lớp ma trận, sửa"},
    "POST /api/v1/classes/{class_id}/state": lambda world: {"state": "open"},
    "POST /api/v1/classes/{class_id}/sessions": lambda world: {
        "day": "2024-06-04",
        "starts_at": "07:30",
        "ends_at": "11:00",
        "topic": "Bài ma trận",
    },
    "POST /api/v1/classes/{class_id}/withdrawals": lambda world: {
        "enrolment": world.sides["a"].rows[_training_class()].enrolments.first().pk
    },
    "POST /api/v1/classes/{class_id}/scores": lambda world: {
        "scores": [
            {
                "enrolment": world.sides["a"].rows[_training_class()].enrolments.first().pk,
                "score": 8.5,
            }
        ]
    },
    "POST /api/v1/classes/{class_id}/materials": lambda world: {
        "title": "Tài liệu ma trận",
        "file": Upload("ma-tran.pdf", b"%PDF-1.4\n%%EOF\n"),
    },
    "POST /api/v1/classes/{class_id}/sessions/{session_id}/participants": lambda world: {
        "confirm": "false",
        "file": Upload("ma-tran.csv", "Họ và tên\nY Ma Trận\n".encode()),
    },
    "POST /api/v1/documents": lambda world: {
        "org": world.sides["a"].rows[_organisation()].code,
        "kind": "plan",
        "number": "77-KH/CB",
        "issued_on": "2024-06-03",
        "title": "Kế hoạch ma trận",
    },
    "POST /api/v1/documents/{document_id}/recipients": lambda world: {
        "organisations": [world.sides["a"].rows[_organisation()].code],
        "due_on": "2024-07-03",
    },
    "POST /api/v1/documents/{document_id}/implementation": lambda world: {
        "org": world.sides["a"].rows[_organisation()].code,
        "status": "in_progress",
        "notes": "Ma trận",
    },
    "POST /api/v1/documents/{document_id}/files": lambda world: {
        "title": "Phụ lục ma trận",
        "file": Upload("phu-luc-ma-tran.pdf", b"%PDF-1.4\n%%EOF\n"),
    },
    "POST /api/v1/comments/{comment_id}/moderate": lambda world: {"state": "approved"},
    # The editors' articles (news.api): a draft of side a's committee, as the sample article.
    "POST /api/v1/news/articles": lambda world: {
        "organisation": world.sides["a"].committee.code,
        "title": "Bài ma trận mới",
        "lead": "Tin ma trận.",
        "body": "<p>Nội dung ma trận.</p>",
        "category": "xay-dung-dang",
        "tags": ["ma trận"],
    },
    "POST /api/v1/news/articles/{article_id}": lambda world: {"lead": "Tin ma trận, sửa."},
    "POST /api/v1/news/articles/{article_id}/state": lambda world: {"action": "review"},
    "POST /api/v1/news/articles/{article_id}/images": lambda world: {
        "caption": "Ảnh ma trận",
        "credit": "Ma Trận",
        # A 2×2 PNG.
        "image": Upload(
            "ma-tran.png",
            bytes.fromhex(
                "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73000000164944"
                "415478da633c2127c7c0c0c0c4c0c0c0c0c000000d0401087fad82510000000049454e44ae426082"
            ),
        ),
    },
    "POST /api/v1/members/{member_id}/attributes": lambda world: {
        "field": "theory_level",
        "value": "advanced",
        "kind": "correction",
        "from_start": True,
    },
}

# API operations open to anyone (the portal's published articles, news.api): an anonymous caller
# gets an answer (200, or 404 for what is not published), not 401.
PUBLIC_API = frozenset({"/api/v1/articles", "/api/v1/articles/{article_id}"})

# Writes any signed-in person may make for themselves (their own bearer tokens, their own
# backup codes).
SELF_SERVICE = frozenset({"POST /api/v1/tokens", "POST /accounts/security/backup-codes/"})

# Pages that count members over the actor's scope (forms 3-BTCTW and 1-BTCTW): the labels of
# the fields they count by appear there; a person's own values (identity number, phone, birth
# date) never do. {URL name, or API path: sensitive fields whose labels may appear}.
# The reference lists of the coded fields: every label, as a form's drop-down shows them; they
# tell nothing about any row.
REFERENCE_ROUTES = frozenset({"/api/v1/reference"})

STATISTICS: dict[str, frozenset[str]] = {
    "reports:membership": frozenset({"ethnicity", "religion"}),
    "reports:period": frozenset({"ethnicity", "religion"}),
    "/api/v1/reports/membership": frozenset({"ethnicity", "religion"}),
    "/api/v1/reports/period": frozenset({"ethnicity", "religion"}),
    "reports:admissions": frozenset({"ethnicity", "religion"}),
    "/api/v1/reports/admissions": frozenset({"ethnicity", "religion"}),
    # A signed report carries the figures of form 3-BTCTW or 1-BTCTW as they were signed.
    "reports:signed": frozenset({"ethnicity", "religion"}),
    "/api/v1/reports/signed": frozenset({"ethnicity", "religion"}),
    "/api/v1/reports/signed/{report_id}": frozenset({"ethnicity", "religion"}),
    # The development report: form 2-BTCTW's admissions with the stages of the open cases.
    "/api/v1/reports/development": frozenset({"ethnicity", "religion"}),
    # The training report counts participants by gender and ethnicity.
    "training:report": frozenset({"ethnicity"}),
    "training:report_xlsx": frozenset({"ethnicity"}),
    "/api/v1/reports/training": frozenset({"ethnicity"}),
}

# URLs the NinjaAPI adds besides its operations (its documentation and its root).
API_DOCUMENTS = frozenset({"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"})

SEARCH_PARAM = "q"
METHODS = ("GET", "POST")


def _organisation():
    from dangvu.organisations.models import Organisation

    return Organisation


def _member():
    from dangvu.members.models import Member

    return Member


def _meeting():
    from dangvu.meetings.models import Meeting

    return Meeting


def _training_class():
    from dangvu.training.models import TrainingClass

    return TrainingClass


def _new_member_body(world: "World") -> dict:
    from dangvu.organisations.models import Organisation
    from dangvu.testing.factories import member_data

    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in member_data().items()}
    return {**data, "organisation": world.sides["a"].rows[Organisation].code}


@dataclass(frozen=True)
class Upload:
    """A file in a request body: the body is then sent as multipart/form-data (a new file
    object for every call)."""

    name: str
    data: bytes


def _import_body(world: "World") -> dict:
    """A one-row file of member records checked (not written) into side a's cell."""
    from dangvu.organisations.models import Organisation

    data = (
        "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Giáo dục phổ thông,Nghề nghiệp,Ngày vào Đảng\n"
        "Y Ma Trận,03/02/1991,Nữ,Xơ Đăng,12/12,Nông dân,01/06/2020\n"
    ).encode()
    return {
        "org": world.sides["a"].rows[Organisation].code,
        "write": "false",
        "file": Upload("ma-tran.csv", data),
    }


def _new_candidate_body(world: "World") -> dict:
    from dangvu.organisations.models import Organisation

    return {
        "full_name": "Y Ma Trận",
        "birth_date": "2001-02-03",
        "gender": "F",
        "ethnicity": "16",
        "education": "lower_secondary",
        "occupation": "farmer",
        "organisation": world.sides["a"].rows[Organisation].code,
    }


# --- actors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """`role` (and `also`, more roles) granted over the province of side `grant_on` ("a": the
    world's province)."""

    name: str
    role: str | None = None
    also: tuple[str, ...] = ()
    grant_on: str | None = None
    signed_in: bool = True
    control: bool = False  # holds every action over A: every page about A's rows opens

    def actions(self) -> frozenset[str]:
        from dangvu.accounts.roles import ROLE_ACTIONS

        return frozenset().union(
            *(ROLE_ACTIONS.get(r, frozenset()) for r in (self.role, *self.also) if r)
        )

    def may_write(self) -> bool:
        """The role holds an action that changes something (not a view)."""
        return any(not a.split(".", 1)[1].startswith("view") for a in self.actions())

    def sees(self, side: str) -> bool:
        return self.grant_on == side

    def sees_sensitive(self, side: str, entry) -> bool:
        if not entry.sensitive_fields or not entry.sensitive_action:
            return self.sees(side)
        return self.sees(side) and entry.sensitive_action in self.actions()


ACTORS: tuple[Actor, ...] = (
    Actor("anonymous", signed_in=False),
    Actor("no_grant"),
    # The organisation board, and the same committee's propaganda staff and moderators (the
    # portal's actions are theirs alone): every action over A.
    Actor(
        "sensitive",
        role="org_staff",
        also=("editor", "moderator"),
        grant_on="a",
        control=True,
    ),
    Actor("plain", role="committee_member", grant_on="a"),
    Actor("outsider", role="org_staff", grant_on="b"),
)
ACTOR = {a.name: a for a in ACTORS}


# --- the world ----------------------------------------------------------------------------------


@dataclass
class Side:
    province: Any
    committee: Any
    rows: dict[type, Any]  # model -> its sample row (the organisation's: the cell)

    def all_rows(self) -> list[Any]:
        return [self.province, self.committee, *self.rows.values()]


@dataclass
class World:
    root: Any
    sides: dict[str, Side]
    users: dict[str, Any]  # actor name -> user (None: anonymous)
    tokens: dict[str, str | None]
    foreign_token_prefix: str
    web: dict[str, Client] = field(default_factory=dict)
    api: dict[str, Client] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict | None = None

    def rows(self) -> list[tuple[str, Any]]:
        return [(key, row) for key, side in self.sides.items() for row in side.all_rows()]


def build_world() -> World:
    """The world of the matrix, made through the services (call inside a transaction that the
    caller rolls back)."""
    from dangvu.accounts.models import ApiToken
    from dangvu.accounts.services import grant_create
    from dangvu.organisations.models import Organisation
    from dangvu.testing.factories import make_org, make_token, make_user

    root = make_org(code="MX", name="Trung ương Ma Trận", kind="central")
    sides = {}
    for key, tag in (("a", "An"), ("b", "Bình")):
        province = make_org(
            code=f"MX-{key.upper()}", name=f"Tỉnh Ma Trận {tag}", kind="province", parent=root
        )
        committee = make_org(
            code=f"MX-{key.upper()}-XA",
            name=f"Đảng ủy xã Ma Trận {tag}",
            kind="grassroots_committee",
            grassroots_type="commune",
            parent=province,
        )
        home = make_home(committee, tag)
        rows = {Organisation: home}
        for sample in samples():
            if sample.model is not Organisation:
                rows[sample.model] = sample.make(home, tag)
        sides[key] = Side(province, committee, rows)
    users, tokens = {}, {}
    for actor in ACTORS:
        if not actor.signed_in:
            users[actor.name], tokens[actor.name] = None, None
            continue
        org = sides[actor.grant_on].province if actor.grant_on else None
        user = make_user(f"matrix-{actor.name}", role=actor.role, org=org)
        for role in actor.also:
            grant_create(actor=None, user=user, organisation=org, role=role)
        users[actor.name], tokens[actor.name] = user, make_token(user)
    owner = make_user("matrix-token-owner")
    foreign = ApiToken.prefix_of(make_token(owner))
    world = World(root, sides, users, tokens, foreign)
    for actor in ACTORS:
        web = Client(raise_request_exception=False)
        api = Client(raise_request_exception=False)
        if actor.signed_in:
            web.force_login(users[actor.name])
            world.sessions[actor.name] = web.cookies[settings.SESSION_COOKIE_NAME].value
            api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {tokens[actor.name]}"
        world.web[actor.name], world.api[actor.name] = web, api
    return world


# --- routes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern (kind "html"), one path of the API schema ("api") or a document the
    NinjaAPI serves besides its operations ("document")."""

    kind: str
    path: str  # "/members/<int:pk>/", "/api/v1/members/{member_id}"
    app: str | None  # the app whose urls.py or api.py declares it
    name: str | None = None  # the URL name, namespaced ("members:detail")
    params: tuple[str, ...] = ()
    query: tuple[tuple[str, bool], ...] = ()  # API: (name, required)
    methods: frozenset[str] | None = None  # API: those the schema declares; None: any
    bodies: frozenset[str] = frozenset()  # API: methods whose request body is required
    open: bool = False  # answers without signing in
    problem: str | None = None  # why the matrix cannot use it as it is

    @property
    def key(self) -> str:
        """How declarations name it: its URL name, or its path."""
        return self.name or self.path

    def url(self, values: dict[str, Any]) -> str:
        url = self.path
        for name, value in values.items():
            key = re.escape(name)
            url = re.sub(rf"<(?:\w+:)?{key}>|\{{{key}\}}", lambda _m, v=value: str(v), url)
        return url


def _app_of(module: str | None) -> str | None:
    parts = (module or "").split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "dangvu" else None


def _walk(resolver, prefix="", namespace=None, module=None, mount=""):
    """(route, pattern, namespace, urlconf module, where the namespace is mounted)."""
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            conf = p.urlconf_name if isinstance(p.urlconf_name, str) else None
            here = prefix + str(p.pattern)
            yield from _walk(p, here, ns, conf or module, here if p.namespace else mount)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace, module, mount


def _api():
    from dangvu.api.api import api

    return api


def discover_routes(urlconf: str | None = None) -> list[Route]:
    """Every route: the URL conf's patterns (the API's through its schema) and the API schema's
    operations. A pattern the matrix cannot fill (a regular expression) carries its problem."""
    from dangvu.core.auth import OPEN_PREFIXES

    api = _api()
    routes: list[Route] = []
    api_prefix = None
    api_patterns = []
    for pattern, p, namespace, module, mount in _walk(get_resolver(urlconf)):
        path = "/" + pattern.lstrip("^").rstrip("$")
        if namespace and namespace.split(":")[-1] == api.urls_namespace:
            api_prefix = "/" + mount
            api_patterns.append(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))
            continue
        name = f"{namespace}:{p.name}" if namespace and p.name else p.name
        callback = p.callback
        app = _app_of(module) or _app_of(getattr(callback, "__module__", None))
        is_open = getattr(callback, "login_required", True) is False or path.startswith(
            OPEN_PREFIXES
        )
        if isinstance(p.pattern, RoutePattern):
            params = tuple(p.pattern.converters)
            routes.append(Route("html", path, app, name, params, open=is_open))
        else:
            routes.append(
                Route(
                    "html",
                    path,
                    app,
                    name,
                    open=is_open,
                    problem=f"{path} is a regular expression: the matrix fills path() routes only",
                )
            )
    if api_prefix is not None:
        schema = api.get_openapi_schema(path_prefix=api_prefix)
        for path, operations in schema["paths"].items():
            methods, bodies, params, query = set(), set(), [], {}
            app = None
            for method, op in operations.items():
                methods.add(method.upper())
                if op.get("requestBody", {}).get("required"):
                    bodies.add(method.upper())
                for param in op.get("parameters", []):
                    if param["in"] == "path" and param["name"] not in params:
                        params.append(param["name"])
                    elif param["in"] == "query":
                        query[param["name"]] = query.get(param["name"], False) or bool(
                            param.get("required")
                        )
                # ninja names an operation after its module: dangvu_members_api_member_add.
                op_id = op.get("operationId", "")
                app = app or (op_id.split("_")[1] if op_id.startswith("dangvu_") else None)
            routes.append(
                Route(
                    "api",
                    path,
                    app or "api",
                    params=tuple(params),
                    query=tuple(sorted(query.items())),
                    methods=frozenset(methods),
                    bodies=frozenset(bodies),
                )
            )
        in_schema = {r.path for r in routes if r.kind == "api"}
        for path in sorted(set(api_patterns) - in_schema):
            if path in API_DOCUMENTS:
                routes.append(Route("document", path, "api", open=True))
            else:
                routes.append(
                    Route(
                        "document",
                        path,
                        "api",
                        problem=f"{path} is served by the API but is not in its schema: an "
                        "operation hidden from the schema, or a document to list in "
                        "dangvu.testing.matrix.API_DOCUMENTS",
                    )
                )
    return routes


def _claimant(route: Route, param: str):
    """The sample whose rows fill `param` of `route`: the one that claims it, or among several
    the one of the route's own app."""
    found = [s for s in samples() if param in s.params]
    if len(found) > 1:
        found = [s for s in found if s.model._meta.app_label == route.app]
    return found[0] if len(found) == 1 else None


def route_problems(route: Route) -> list[str]:
    """Why the matrix cannot ask `route` as it is: each a message saying what to declare."""
    problems = [route.problem] if route.problem else []
    for param in route.params:
        if _claimant(route, param) is None and param not in OTHER_PARAMS:
            problems.append(
                f"{route.path}: the matrix cannot fill the parameter {param!r}: name it in the "
                "`params` of the sample of the model it addresses (dangvu.testing.samples), or "
                "in dangvu.testing.matrix.OTHER_PARAMS"
            )
    for name, required in route.query:
        if required and not (
            _claimant(route, name) or name in QUERY_VALUES or name == SEARCH_PARAM
        ):
            problems.append(
                f"{route.path}: the matrix cannot fill the required query parameter {name!r}: "
                "add it to a sample's `params` or to dangvu.testing.matrix.QUERY_VALUES"
            )
    for method in sorted(route.bodies):
        if f"{method} {route.path}" not in API_BODIES:
            problems.append(
                f"{method} {route.path} needs a request body: declare a valid one in "
                "dangvu.testing.matrix.API_BODIES"
            )
    return problems


def cases(routes: list[Route] | None = None) -> list[tuple[Route, str, Actor]]:
    routes = discover_routes() if routes is None else routes
    return [(r, m, a) for r in routes for m in METHODS for a in ACTORS]


def case_id(route: Route, method: str, actor: Actor) -> str:
    return f"{method} {route.path} as {actor.name}"


# --- calls ----------------------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    url: str
    query: dict[str, str]
    body: dict | None
    addressed: list[tuple[str, Any]]  # (side, row) named in the path (API: or the query)
    foreign: bool = False  # names an object of someone none of the actors is
    # (side, row, n, decoy): the n-th query picking the row out by a sensitive value (decoy:
    # the same query with a value the row does not have)
    probe: tuple[str, Any, int, bool] | None = None


def _fill(route: Route, world: World, name: str) -> tuple[str, Any] | None:
    """(value, the addressed row or None) for a parameter."""
    sample = _claimant(route, name)
    if sample is not None:
        row = world.sides["a"].rows[sample.model]
        return str(getattr(row, sample.params[name])), row
    if name in OTHER_PARAMS:
        return OTHER_PARAMS[name](world), None
    if name in QUERY_VALUES:
        return QUERY_VALUES[name](world), None
    return None


def _calls(route: Route, method: str, world: World) -> list[Call]:
    values, addressed, foreign = {}, [], False
    for name in route.params:
        value, row = _fill(route, world, name)
        values[name] = value
        if row is not None:
            addressed.append(("a", row))
        elif name in OTHER_PARAMS:
            foreign = True
    url = route.url(values)
    if route.kind == "api" and method in route.bodies:
        body = API_BODIES[f"{method} {route.path}"](world)
    else:
        body = None
    base = Call(method, url, {}, body, addressed, foreign)
    if method != "GET" or route.kind == "document":
        return [base]
    # Query variants: the required parameters; a search by each sample's name; each query that
    # picks a row out by a sensitive value; every parameter that addresses a row at once.
    accepted = dict(route.query) if route.kind == "api" else None
    if accepted is None and route.params:
        return [base]  # a page about one object: its path says everything
    names = (
        list(accepted)
        if accepted is not None
        else sorted({p for s in samples() for p in s.params} | {SEARCH_PARAM})
    )
    required, optional_addressing = {}, {}
    for name in names:
        if name == SEARCH_PARAM:
            continue
        filled = _fill(route, world, name)
        if filled is None:
            continue
        value, row = filled
        if accepted is not None and accepted[name]:
            required[name] = (value, row)
        elif row is not None:
            optional_addressing[name] = (value, row)

    def call(params: dict[str, tuple[str, Any]], probe=None, q: str | None = None) -> Call:
        query = {k: v for k, (v, _row) in params.items()}
        rows = [("a", row) for _v, row in params.values() if row is not None]
        if q is not None:
            query[SEARCH_PARAM] = q
        # A page's query parameters only search or filter: the object they name need not be 404.
        return Call(
            method,
            url,
            query,
            body,
            addressed + (rows if route.kind == "api" else []),
            foreign,
            probe,
        )

    out = [call(required)]
    searches = accepted is None or SEARCH_PARAM in accepted
    for sample in samples():
        row = world.sides["a"].rows[sample.model]
        if searches:
            out.append(call(required, q=sample.reveals(row)[0]))
        for n, pair in enumerate(sample.sensitive_queries(row)):
            for decoy, query in enumerate(pair):
                if accepted is None or set(query) <= set(accepted):
                    extra = {k: (v, None) for k, v in query.items() if k != SEARCH_PARAM}
                    probe = ("a", row, n, bool(decoy))
                    out.append(call({**required, **extra}, probe, q=query.get(SEARCH_PARAM)))
    if optional_addressing:
        name = None
        if searches:
            last = samples()[-1]
            name = last.reveals(world.sides["a"].rows[last.model])[0]
        out.append(call({**required, **optional_addressing}, q=name))
    return out


def _send(world: World, route: Route, actor: Actor, call: Call):
    client = world.api[actor.name] if route.kind != "html" else world.web[actor.name]
    url = call.url
    if call.method == "GET":
        return client.get(url, call.query)
    if route.kind == "html":
        return client.post(url, {})
    if any(isinstance(v, Upload) for v in (call.body or {}).values()):
        from django.core.files.uploadedfile import SimpleUploadedFile

        form = {
            k: SimpleUploadedFile(v.name, v.data) if isinstance(v, Upload) else v
            for k, v in call.body.items()
        }
        return client.post(url, form)
    return client.post(
        url,
        data=json.dumps(call.body or {}, default=str),
        content_type="application/json",
    )


def _reset_cookies(world: World, actor: Actor) -> None:
    """Back to the signed-in session only (each call runs in a savepoint rolled back after it,
    so the session row is as it was at sign-in, whatever the call did: signing out…)."""
    client = world.web[actor.name]
    client.cookies = SimpleCookie()
    if actor.name in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor.name]
    world.api[actor.name].cookies = SimpleCookie()


# --- judging an answer ----------------------------------------------------------------------------

_CHOICES = re.compile(r"<(select|datalist)\b.*?</\1>", re.S | re.I)


def _text(response) -> tuple[str, Any]:
    """(the answer as text, its JSON or None); ("", None) for a binary download."""
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        return "", None
    if "json" in content_type:
        try:
            data = json.loads(response.content)
        except ValueError:
            return response.content.decode("utf-8", "replace"), None
        return json.dumps(data, ensure_ascii=False, default=str), data
    if content_type.startswith("text/") or not content_type:
        return _RANDOM.sub(r"\1", response.content.decode("utf-8", "replace")), None
    return "", None


# Random tokens a page carries (the CSRF token of every form, the captcha's signed question):
# 64 random letters and digits hold a 4-letter value such as an ethnic group's name "Brau" once
# in about 250,000 pages, which the matrix's thousands of pages met (a PostgreSQL run failed
# on it). They tell nothing about any row: left out before the page is read.
_RANDOM = re.compile(r'(name="(?:csrfmiddlewaretoken|token)" value=")[^"]*(?=")')


def _dicts(data):
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _dicts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _dicts(value)


def _represents(d: dict, row) -> bool:
    """An API object stands for `row`: its id, and a text field of the row with the same value."""
    if d.get("id") != row.pk:
        return False
    for f in row._meta.concrete_fields:
        value = getattr(row, f.attname)
        if f.attname != "id" and isinstance(value, str) and value and d.get(f.name) == value:
            return True
    return False


def _is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303, 307, 308) and response.get(
        "Location", ""
    ).startswith(resolve_url(settings.LOGIN_URL))


def _judge(world: World, route: Route, actor: Actor, call: Call, response, wrote) -> list[str]:
    from dangvu.core.registry import org_bound

    problems = []
    status = response.status_code
    supported = route.methods is None or call.method in route.methods
    if status >= 500:
        exc = getattr(response, "exc_info", None)
        problems.append(f"status {status}" + (f": {exc[1]!r}" if exc else ""))
    if status == 403:
        problems.append("403: outside the scope an object does not exist (404)")
    hidden_addressed = any(not actor.sees(side) for side, _row in call.addressed) or call.foreign
    if not actor.signed_in:
        if route.kind == "html" and not route.open and not _is_login_redirect(response):
            problems.append(f"status {status}, not a redirect to the sign-in page")
        if route.kind == "api" and route.path in PUBLIC_API and supported:
            if status not in (200, 404):
                problems.append(f"status {status} for an anonymous caller (200 or 404 expected)")
        elif route.kind == "api" and status != (401 if supported else 405):
            problems.append(f"status {status} for an anonymous caller (401 expected)")
    elif hidden_addressed and route.kind != "document":
        allowed = {404} if supported else {405}
        if route.kind == "html":
            allowed.add(405)
        if status not in allowed:
            what = "an object outside the caller's scope"
            problems.append(f"status {status} for {what} ({' or '.join(map(str, allowed))})")
    if (
        actor.control
        and call.method == "GET"
        and call.addressed
        and not hidden_addressed
        and supported
        and (status in (403, 404) or _is_login_redirect(response))
    ):
        problems.append(
            f"status {status}: the actor holding every action over the object does not get it"
        )

    text, data = _text(response)
    location = response.get("Location", "") if not _is_login_redirect(response) else ""
    # What the caller typed may come back (a form's field, a link to the same page, an error
    # naming the code): that tells nothing. Everything else the answer shows is looked at.
    for value in sorted(call.query.values(), key=len, reverse=True):
        if len(value) >= 3:
            for form in {value, escape(value)}:
                text, location = text.replace(form, ""), location.replace(form, "")
    choices_free = "" if route.key in REFERENCE_ROUTES else _CHOICES.sub("", text)
    for side, row in world.rows():
        sample = sample_for(type(row))
        entry = org_bound(type(row))
        visible = actor.sees(side)
        if not visible:
            for s in sample.reveals(row):
                if s and (s in text or s in location):
                    problems.append(f"shows {s!r}, of a {row._meta.model_name} outside the scope")
            key = f"{row._meta.model_name}_id"
            for d in _dicts(data):
                if d.get(key) == row.pk or d.get(row._meta.model_name) == row.pk:
                    problems.append(f"names {key}={row.pk}, outside the scope")
        if not actor.sees_sensitive(side, entry):
            counted = STATISTICS.get(route.key, frozenset()) if visible else frozenset()
            for field_name, values in sample.shown(row).items():
                if field_name in counted:
                    continue
                for value in values:
                    if value and value in choices_free:
                        problems.append(
                            f"shows {field_name} {value!r} of a {row._meta.model_name} whose "
                            "sensitive fields the caller may not see"
                        )
            for d in _dicts(data):
                if _represents(d, row):
                    leaked = sorted(set(entry.sensitive_fields) & set(d))
                    if leaked:
                        problems.append(
                            f"carries the sensitive keys {leaked} of {row._meta.model_name} "
                            f"{row.pk}, which the caller may not see"
                        )
        elif visible:
            for d in _dicts(data):
                if _represents(d, row):
                    missing = sorted(set(entry.sensitive_fields) - set(d))
                    if missing:
                        problems.append(
                            f"leaves out {missing} of {row._meta.model_name} {row.pk}, which "
                            "the caller may see (a site that hides everything passes nothing)"
                        )
    if wrote:
        success = 200 <= status < 300 if route.kind != "html" else 300 <= status < 400
        allowed = (
            call.method == "POST"
            and actor.signed_in
            and success
            and not hidden_addressed
            and (f"POST {route.path}" in SELF_SERVICE or actor.may_write())
        )
        if not allowed:
            problems.append(f"status {status} and wrote: " + "; ".join(wrote))
    return problems


def check_case(world: World, route: Route, method: str, actor: Actor) -> list[str]:
    """Ask `route` with `method` as `actor`, in every variant; the promises broken, each a
    line "GET /members/7/ as outsider: status 200 for an object outside…" (empty: none)."""
    from dangvu.core.registry import org_bound
    from dangvu.testing.factories import stored_rows, stored_rows_diff

    missing = route_problems(route) + missing_samples()
    if missing:
        return missing
    if world.baseline is None:
        world.baseline = stored_rows()
    problems = []
    probes: dict[tuple, dict[bool, tuple[str, str]]] = {}  # each sensitive query, its decoy
    for call in _calls(route, method, world):
        _reset_cookies(world, actor)
        with transaction.atomic():
            response = _send(world, route, actor, call)
            wrote = stored_rows_diff(world.baseline, stored_rows())
            transaction.set_rollback(True)
        query = "?" + "&".join(f"{k}={v}" for k, v in call.query.items()) if call.query else ""
        where = f"{method} {call.url}{query} as {actor.name}"
        problems += [f"{where}: {p}" for p in _judge(world, route, actor, call, response, wrote)]
        if call.probe is not None:
            side, row, n, decoy = call.probe
            probes.setdefault((side, row, n), {})[decoy] = (where, _text(response)[0])
    _reset_cookies(world, actor)
    for (side, row, _n), answers in probes.items():
        if actor.sees_sensitive(side, org_bound(type(row))) or len(answers) < 2:
            continue
        (where, found), (_decoy_where, decoy) = answers[False], answers[True]
        for s in sample_for(type(row)).reveals(row):
            if s and s in found and s not in decoy:
                problems.append(
                    f"{where}: a query by a sensitive value finds {s!r} (and not with another "
                    "value), for a caller who may not see that value"
                )
    return problems


def release_problems(world: World, routes: list[Route] | None = None) -> list[str]:
    """The other half of the sensitive-field promise: the matrix alone would pass on a site that
    hides every sensitive field. For each model with sensitive fields, the actor holding every
    action over A gets, among the pages about A's row (GET routes whose path addresses it),
    one that shows each field, and among the API operations about it one that carries them
    all."""
    from dangvu.core.registry import org_bound

    routes = discover_routes() if routes is None else routes
    actor = next(a for a in ACTORS if a.control)
    problems = []
    for sample in samples():
        entry = org_bound(sample.model)
        if not entry.sensitive_fields:
            continue
        row = world.sides["a"].rows[sample.model]
        answers: dict[str, list[tuple[str, Any]]] = {"html": [], "api": []}
        for route in routes:
            if route.kind not in answers or (route.methods and "GET" not in route.methods):
                continue
            if not any(_claimant(route, p) == sample for p in route.params):
                continue
            for call in _calls(route, "GET", world):
                _reset_cookies(world, actor)
                with transaction.atomic():
                    answers[route.kind].append(_text(_send(world, route, actor, call)))
                    transaction.set_rollback(True)
        _reset_cookies(world, actor)
        what = f"{sample.model._meta.model_name} {row.pk}"
        for field_name, values in sample.shown(row).items():
            if not any(v in text for text, _data in answers["html"] for v in values):
                problems.append(f"no page about {what} shows its {field_name} to {actor.name}")
        if not any(
            _represents(d, row) and set(entry.sensitive_fields) <= set(d)
            for _text_, data in answers["api"]
            for d in _dicts(data)
        ):
            problems.append(
                f"no API operation about {what} carries {sorted(entry.sensitive_fields)} to "
                f"{actor.name}"
            )
    return problems


def pages(world: World, routes: list[Route] | None = None):
    """(route, actor, url, response) of the first GET of every HTML page of the URL conf, as
    every signed-in actor: for checks that read pages as people see them (untranslated
    strings, page weight)."""
    routes = discover_routes() if routes is None else routes
    for route in routes:
        if route.kind != "html" or (route.methods is not None and "GET" not in route.methods):
            continue
        call = _calls(route, "GET", world)[0]
        for actor in ACTORS:
            if not actor.signed_in:
                continue
            _reset_cookies(world, actor)
            response = _send(world, route, actor, call)
            yield route, actor, call.url, response
