"""No lost update (issue 21, item 5; core.editing, docs/decisions/0029): over every edit path
the registry declares, two editors open the same record; the first saves; the second's save is
refused with a message naming the field, the value they saw and the value now, nothing of it is
written (the record holds the first save, no audit record of a second change); having read the
message, saving again is a decision and succeeds. The page and the API both.

A new edit path must be declared (core.editing.editable) and given a scenario here; a new page
action must say whether it edits a record in place (EDITS) or why not (NOT_EDITS)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dangvu.accounts.scoping import SYSTEM
from dangvu.audit.models import AuditRecord
from dangvu.core.editing import editables
from dangvu.testing.factories import make_user
from dangvu.testing.tests.test_api_complete import NOT_IN_API, UI_ACTIONS

# --- reading a page's form as a browser sends it --------------------------------------------


class _FormReader(HTMLParser):
    """The fields of the form with `method="post"` that holds a `version` input: what a browser
    would send as it stands (text, hidden, checked boxes and radios, selected options,
    textareas)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.select: str | None = None
        self.textarea: str | None = None
        self.option_value: str | None = None
        self.first_option: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and not a.get("action"):
            self.current = {}
            self.forms.append(self.current)
        if self.current is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.current[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.current[name] = a.get("value") or ""
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            value = a.get("value") or ""
            self.first_option.setdefault(self.select, value)
            if "selected" in a:
                self.current[self.select] = value
        elif tag == "textarea" and name:
            self.textarea = name
            self.current[name] = ""

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            if self.current is not None and self.select not in self.current:
                self.current[self.select] = self.first_option.get(self.select, "")
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            self.current[self.textarea] += (
                data.lstrip("\n") if not self.current[self.textarea] else data
            )


def form_of(html: str) -> dict[str, Any]:
    reader = _FormReader()
    reader.feed(html)
    found = [f for f in reader.forms if _version(f) is not None]
    assert found, "the edit page's form has no version input"
    return found[0]


def _version(form: dict[str, Any]) -> str | None:
    """The form's version input ("prefix-version" in a form of several on one page)."""
    return next((v for k, v in form.items() if k == "version" or k.endswith("-version")), None)


# --- the edit paths ------------------------------------------------------------------------------


@dataclass
class Scenario:
    """How to drive one edit path: `make(ctx)` builds the record (ctx: tree, users); `page(o)`
    the edit page's URL; `api_get(o)` / `api_post(o)` the API's read and edit; `field` the
    field both editors change, `values` what each writes (as the form and the API send it),
    `shown` what the message shows of the first's value; `now(o)` the stored value;
    `audit(o)` the object's audit records' (type, id). `field` (and `label`) may be a function
    of the record (a score sheet: a field per person); `page_field(o)` the page's input when
    its form has a prefix (several forms on one page); `version(json, o)` where the API's GET
    answers the version (a list: the record's row)."""

    make: Callable
    page: Callable
    api_get: Callable
    api_post: Callable
    field: str | Callable
    label: str
    values: tuple[Any, Any]
    shown: tuple[str, str]
    now: Callable
    api_field: str | None = None
    api_values: tuple[Any, Any] | None = None
    page_extra: dict | None = None
    api_body: Callable | None = None  # (record, value) -> the body's other fields, when whole
    page_field: Callable | None = None
    version: Callable = lambda answer, o: answer["version"]

    def field_of(self, o) -> str:
        return self.field(o) if callable(self.field) else self.field

    def input_of(self, o) -> str:
        return self.page_field(o) if self.page_field is not None else self.field_of(o)


def _member(ctx):
    from dangvu.testing.factories import make_member

    return make_member(ctx.tree.cell1, full_name="Nguyễn Văn Ân", phone="0905000001")


def _candidate(ctx):
    from dangvu.admission.services import candidate_create

    return candidate_create(
        actor=SYSTEM,
        organisation=ctx.tree.cell1,
        data={
            "full_name": "Y Mai",
            "birth_date": date(1999, 4, 2),
            "gender": "F",
            "ethnicity": "16",
            "education": "lower_secondary",
            "occupation": "farmer",
        },
        note="Ghi chú đầu",
    )


def _article(ctx):
    from dangvu.news.models import Category
    from dangvu.news.services import article_create

    return article_create(
        actor=SYSTEM,
        organisation=ctx.tree.province,
        data={
            "title": "Hội nghị sơ kết",
            "lead": "Sáng nay",
            "body": "<p>Nội dung</p>",
            "category": Category.objects.order_by("order").first(),
        },
    )


def _class(ctx):
    from dangvu.training.choices import Kind, Mode
    from dangvu.training.services import class_create
    from dangvu.training.tests.conftest import sessions

    return class_create(
        actor=SYSTEM,
        organisation=ctx.tree.district,
        kind=Kind.AWARENESS,
        mode=Mode.IN_PERSON,
        title="Lớp bồi dưỡng nhận thức về Đảng",
        capacity=30,
        location="Hội trường xã Đăk Pék",
        cluster=[ctx.tree.committee],
        sessions=sessions(3),
    )


def _meeting(ctx):
    from datetime import timedelta

    from django.utils import timezone

    from dangvu.meetings.choices import Kind
    from dangvu.meetings.services import meeting_plan
    from dangvu.testing.factories import make_member

    for name in ("Nguyễn Văn Ân", "Y Blúp"):
        make_member(ctx.tree.cell1, full_name=name)
    return meeting_plan(
        actor=SYSTEM,
        organisation=ctx.tree.cell1,
        kind=Kind.REGULAR,
        planned_on=timezone.localdate() - timedelta(days=1),
        notify=False,
    )


def _meeting_api(o, value):
    from datetime import timedelta

    from django.utils import timezone

    return {"held_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "content": value}


def _task(ctx):
    from datetime import timedelta

    from django.utils import timezone

    from dangvu.meetings.services import task_assign
    from dangvu.testing.factories import make_member

    today = timezone.localdate()
    return task_assign(
        actor=SYSTEM,
        member=make_member(ctx.tree.cell1, full_name="Nguyễn Văn Ân"),
        title="Vận động đoàn viên thanh niên",
        suited_to="Sức khỏe tốt, là bí thư chi đoàn",
        assigned_on=today - timedelta(days=10),
        due_on=today + timedelta(days=20),
    )


def _review_api(o, value):
    from django.utils import timezone

    return {"state": "done", "on": timezone.localdate().isoformat(), "review": value}


def _score_sheet(ctx):
    from dangvu.testing.factories import make_member
    from dangvu.training.services import class_update, enrolment_create

    c = _class(ctx)
    class_update(actor=SYSTEM, training_class=c, data={"pass_mark": 5})
    for name in ("Nguyễn Văn Ân", "Y Blúp"):
        member = make_member(ctx.tree.cell1, full_name=name)
        enrolment_create(actor=SYSTEM, training_class=c, member=member)
    return c


def _first_enrolled(c):
    return c.enrolments.order_by("pk").first()


def _score_now(c) -> str | None:
    score = _first_enrolled(c).score
    return None if score is None else format(score.normalize(), "f")


def _document_recipient(ctx):
    from dangvu.documents.choices import Kind
    from dangvu.documents.services import document_create, recipients_send

    d = document_create(
        actor=SYSTEM,
        organisation=ctx.tree.province,
        kind=Kind.PLAN,
        code="90-KH/TU",
        issued_on=date(2022, 5, 30),
        title="Kế hoạch tuyên truyền về công tác xây dựng Đảng",
    )
    recipients_send(actor=SYSTEM, document=d, organisations=[ctx.tree.committee])
    return d.recipients.get()


SCENARIOS: dict[str, Scenario] = {
    "members.record": Scenario(
        make=_member,
        page=lambda o: reverse("members:edit", args=[o.pk]),
        api_get=lambda o: f"/members/{o.pk}",
        api_post=lambda o: f"/members/{o.pk}/record",
        field="hometown",
        label="Quê quán",
        values=("Xã Đăk Pék", "Xã Đăk Môn"),
        shown=("Xã Đăk Pék", "Xã Đăk Môn"),
        now=lambda o: type(o).objects.get(pk=o.pk).hometown,
    ),
    "admission.case": Scenario(
        make=_candidate,
        page=lambda o: reverse("admission:edit", args=[o.pk]),
        api_get=lambda o: f"/candidates/{o.pk}",
        api_post=lambda o: f"/candidates/{o.pk}/record",
        field="note",
        label="Ghi chú",
        values=("Đã học lớp cảm tình Đảng", "Gia đình chấp hành tốt"),
        shown=("Đã học lớp cảm tình Đảng", "Gia đình chấp hành tốt"),
        now=lambda o: type(o).objects.get(pk=o.pk).note,
    ),
    "news.article": Scenario(
        make=_article,
        page=lambda o: reverse("news:edit", args=[o.pk]),
        api_get=lambda o: f"/news/articles/{o.pk}",
        api_post=lambda o: f"/news/articles/{o.pk}",
        field="title",
        label="Tiêu đề",
        values=("Hội nghị sơ kết 6 tháng", "Sơ kết công tác Đảng"),
        shown=("Hội nghị sơ kết 6 tháng", "Sơ kết công tác Đảng"),
        now=lambda o: type(o).objects.get(pk=o.pk).title,
    ),
    "training.class": Scenario(
        make=_class,
        page=lambda o: reverse("training:edit", args=[o.pk]),
        api_get=lambda o: f"/classes/{o.pk}",
        api_post=lambda o: f"/classes/{o.pk}",
        field="location",
        label="Địa điểm",
        values=("Nhà văn hóa thôn Đăk Ung", "Trường THPT Đắk Glei"),
        shown=("Nhà văn hóa thôn Đăk Ung", "Trường THPT Đắk Glei"),
        now=lambda o: type(o).objects.get(pk=o.pk).location,
    ),
    "meetings.record": Scenario(
        make=_meeting,
        page=lambda o: reverse("meetings:record", args=[o.pk]),
        api_get=lambda o: f"/meetings/{o.pk}",
        api_post=lambda o: f"/meetings/{o.pk}/attendance",
        field="content",
        label="Nội dung",
        values=("Quán triệt Nghị quyết", "Đánh giá công tác tháng"),
        shown=("Quán triệt Nghị quyết", "Đánh giá công tác tháng"),
        now=lambda o: type(o).objects.get(pk=o.pk).content,
        api_body=_meeting_api,
    ),
    "meetings.task_review": Scenario(
        make=_task,
        page=lambda o: reverse("meetings:task_review", args=[o.pk]),
        api_get=lambda o: f"/tasks?member={o.member_id}",
        api_post=lambda o: f"/tasks/{o.pk}/review",
        field="review",
        label="Đánh giá",
        values=("Hoàn thành tốt", "Chưa hoàn thành đúng hạn"),
        shown=("Hoàn thành tốt", "Chưa hoàn thành đúng hạn"),
        now=lambda o: type(o).objects.get(pk=o.pk).review,
        api_body=_review_api,
        version=lambda answer, o: next(t["version"] for t in answer if t["id"] == o.pk),
    ),
    # The record is the class's whole score sheet: a field per person enrolled.
    "training.scores": Scenario(
        make=_score_sheet,
        page=lambda o: reverse("training:scores", args=[o.pk]),
        api_get=lambda o: f"/classes/{o.pk}",
        api_post=lambda o: f"/classes/{o.pk}/scores",
        field=lambda o: f"e{_first_enrolled(o).pk}",
        label="Nguyễn Văn Ân",
        values=("7.5", "8.25"),
        shown=("7.50", "8.25"),
        now=_score_now,
        api_values=(7.5, 8.25),
        api_body=lambda o, v: {"scores": [{"enrolment": _first_enrolled(o).pk, "score": v}]},
        version=lambda answer, o: answer["scores_version"],
    ),
    "documents.report": Scenario(
        make=_document_recipient,
        page=lambda o: reverse("documents:report", args=[o.pk]),
        api_get=lambda o: f"/documents/{o.document_id}/implementation",
        api_post=lambda o: f"/documents/{o.document_id}/implementation",
        field="notes",
        label="Tình hình thực hiện",
        values=("Đã quán triệt đến các chi bộ", "Đang xây dựng kế hoạch"),
        shown=("Đã quán triệt đến các chi bộ", "Đang xây dựng kế hoạch"),
        now=lambda o: type(o).objects.get(pk=o.pk).notes,
        page_field=lambda o: f"r{o.pk}-notes",
        api_body=lambda o, v: {
            "org": o.organisation.code,
            "status": "in_progress",
            "notes": v,
        },
        version=lambda answer, o: next(
            r["version"] for r in answer["recipients"] if r["id"] == o.pk
        ),
    ),
}


# --- the contract -------------------------------------------------------------------------------

# Page actions that do not edit a record in place, each with the reason.
APPENDS = "appends a record (a new row, an event, a step, a file): nothing is overwritten"
STATE = "moves a state machine, which refuses a move from a state the record has left"
NOT_EDITS: dict[str, str] = {
    "organisations:new_child": APPENDS,
    "organisations:rename": "a dated act (a new version of the name from a day, with the name "
    "before it in the history), not a form over the current values",
    "organisations:move": "a dated act recorded in the tree's history",
    "organisations:merge": "a dated act recorded in the tree's history",
    "organisations:dissolve": "a dated act recorded in the tree's history",
    "members:new": APPENDS,
    "members:event_new": APPENDS,
    "members:event_correct": "a correcting event: reverses the latest effective event",
    "members:position_new": APPENDS,
    "members:transfer_receive": STATE,
    "members:transfer_refuse": STATE,
    "members:transfer_withdraw": STATE,
    "reports:sign": APPENDS,
    "admission:new": APPENDS,
    "admission:step": STATE,
    "admission:target_new": APPENDS,
    "meetings:new": APPENDS,
    "meetings:calendar": APPENDS,
    "meetings:approve": STATE,
    "meetings:evaluate": APPENDS,
    "meetings:attach": APPENDS,
    "meetings:detach": "removes one file by its id",
    "meetings:task_new": APPENDS,
    "training:new": APPENDS,
    "training:enrol": APPENDS,
    "training:enrol_position": APPENDS,
    "training:roll_call": APPENDS,
    "training:complete": STATE,
    "training:state": STATE,
    "training:session_add": APPENDS,
    "training:session_remove": "removes one session by its id (refused once attended)",
    "training:import": APPENDS,
    "training:attach": APPENDS,
    "training:withdraw": STATE,
    "documents:new": APPENDS,
    "documents:send": APPENDS,
    "documents:attach": APPENDS,
    "news:new": APPENDS,
    "news:state": STATE,
    "news:images": APPENDS,
    "news:moderate": STATE,
    "interchange:imports": APPENDS,
    "interchange:write": STATE,
    "interchange:export": "reads",
}
# Page actions checked against a declared edit path of another page (the same record).
ALSO_CHECKED = {"members:attribute": "members.record"}


def test_every_edit_path_has_a_scenario():
    assert set(SCENARIOS) == set(editables()), "declare each edit path and drive it here"


def test_every_page_action_edits_with_the_check_or_says_why_not():
    edits = {spec.page for spec in editables().values()}
    actions = set(UI_ACTIONS) - set(NOT_IN_API)
    unclassified = sorted(actions - edits - set(NOT_EDITS) - set(ALSO_CHECKED))
    assert not unclassified, f"page actions neither checked edits nor said why: {unclassified}"
    assert not edits & set(NOT_EDITS), "both an edit path and not one"
    # Each declared edit path names the operation the API does it with.
    for spec in editables().values():
        assert spec.api in UI_ACTIONS[spec.page], spec.name


@pytest.fixture
def ctx(tree):
    from types import SimpleNamespace

    return SimpleNamespace(
        tree=tree,
        first=make_user("bi_thu", superuser=True),
        second=make_user("can_bo", superuser=True),
    )


def _changes(o, spec) -> int:
    object_type, object_id = spec.audit(o)
    return (
        AuditRecord.objects.filter(object_type=object_type, object_id=str(object_id))
        .exclude(action__endswith="view")
        .count()
    )


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_second_save_of_a_page_is_refused_naming_what_changed(ctx, name):
    s, spec = SCENARIOS[name], editables()[name]
    o = s.make(ctx)
    field = s.input_of(o)
    first, second = _client(ctx.first), _client(ctx.second)
    with translation.override("vi"):
        seen1 = form_of(first.get(s.page(o)).content.decode())
        seen2 = form_of(second.get(s.page(o)).content.decode())
        # The first saves: nothing changed since they opened the page.
        r = first.post(s.page(o), {**seen1, **(s.page_extra or {}), field: s.values[0]})
        assert r.status_code == 302, r.content.decode()[:3000]
        assert s.now(o) == s.values[0]
        audited = _changes(o, spec)
        # The second, who opened the page before that save, is refused and shown why.
        r = second.post(s.page(o), {**seen2, **(s.page_extra or {}), field: s.values[1]})
        assert r.status_code == 200
        page = r.content.decode()
    assert s.now(o) == s.values[0]
    assert _changes(o, spec) == audited
    assert f"{s.label}:" in page
    assert s.shown[0] in page
    assert "bi_thu" in page  # who changed it
    # Their own input is kept; saving again, having read the message, saves it.
    again = form_of(page)
    assert again[field] == s.values[1]
    assert _version(again) != _version(seen2)
    r = second.post(s.page(o), {**again, **(s.page_extra or {})})
    assert r.status_code == 302
    assert s.now(o) == s.values[1]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_second_edit_through_the_api_is_refused_with_409(ctx, api_client, name):
    s, spec = SCENARIOS[name], editables()[name]
    o = s.make(ctx)
    first, second = api_client(ctx.first), api_client(ctx.second)
    field = s.api_field or s.field_of(o)
    values = s.api_values or s.values
    v1 = s.version(first.get(s.api_get(o)).json(), o)
    v2 = s.version(second.get(s.api_get(o)).json(), o)
    body = s.api_body or (lambda o, v: {field: v})
    r = first.post(s.api_post(o), {**body(o, values[0]), "version": v1})
    assert r.status_code in (200, 201), r.content
    assert s.now(o) == s.values[0]
    audited = _changes(o, spec)
    r = second.post(s.api_post(o), {**body(o, values[1]), "version": v2})
    assert r.status_code == 409, r.content
    answer = r.json()
    # The field both changed, and any other the first save changed (a meeting's day, once held).
    changes = {c["field"]: c for c in answer["changes"]}
    assert s.field_of(o) in changes
    change = changes[s.field_of(o)]
    assert change["now"] == s.shown[0]
    assert change["seen"] != change["now"]
    assert answer["changed_by"] == "bi_thu"
    assert s.now(o) == s.values[0]
    assert _changes(o, spec) == audited
    # The version the 409 gives saves over the change; a version of another record is refused.
    r = second.post(s.api_post(o), {**body(o, values[1]), "version": answer["version"]})
    assert r.status_code in (200, 201), r.content
    assert s.now(o) == s.values[1]


def test_a_version_that_is_not_one_is_refused_naming_the_field(ctx, api_client):
    s = SCENARIOS["members.record"]
    o = s.make(ctx)
    r = api_client(ctx.first).post(s.api_post(o), {s.field: "Xã A", "version": "forged"})
    assert r.status_code == 422
    assert "version" in r.json()["errors"]
    assert s.now(o) != "Xã A"


def test_an_api_edit_without_a_version_overwrites_the_fields_it_sends(ctx, api_client):
    s = SCENARIOS["members.record"]
    o = s.make(ctx)
    r = api_client(ctx.first).post(s.api_post(o), {s.field: "Xã A"})
    assert r.status_code == 200
    assert s.now(o) == "Xã A"


def test_the_message_in_vietnamese(ctx):
    """Needs the lead's translations (the report lists them)."""
    s = SCENARIOS["members.record"]
    o = s.make(ctx)
    first, second = _client(ctx.first), _client(ctx.second)
    with translation.override("vi"):
        seen1 = form_of(first.get(s.page(o)).content.decode())
        seen2 = form_of(second.get(s.page(o)).content.decode())
        first.post(s.page(o), {**seen1, s.field: "Xã Đăk Pék"})
        page = second.post(s.page(o), {**seen2, s.field: "Xã Đăk Môn"}).content.decode()
    assert "Bản ghi đã được bi_thu sửa lúc" in page
    assert "Quê quán: &#x27;—&#x27; → &#x27;Xã Đăk Pék&#x27;" in page
    assert "Hãy xem lại và lưu lần nữa." in page


def test_a_dated_attribute_changed_since_the_page_opened_is_refused(ctx, api_client):
    """The attribute page and POST /members/{id}/attributes compare that attribute's value in
    force (a change of another field of the record does not refuse it)."""
    o = _member(ctx)
    url = reverse("members:attribute", args=[o.pk]) + "?field=occupation"
    first, second = _client(ctx.first), _client(ctx.second)
    seen1 = form_of(first.get(url).content.decode())
    seen2 = form_of(second.get(url).content.decode())
    version = api_client(ctx.second).get(f"/members/{o.pk}").json()["version"]
    fix = {"kind": "correction", "source": "", "note": ""}
    r = first.post(url, {**seen1, **fix, "value": "enterprise"})
    assert r.status_code == 302, r.content.decode()[:2000]
    audited = _changes(o, editables()["members.record"])
    r = second.post(url, {**seen2, **fix, "value": "public_employee"})
    assert r.status_code == 200
    o.refresh_from_db()
    assert o.occupation == "enterprise"
    assert _changes(o, editables()["members.record"]) == audited
    r = api_client(ctx.second).post(
        f"/members/{o.pk}/attributes",
        {
            "field": "occupation",
            "value": "public_employee",
            "kind": "correction",
            "version": version,
        },
    )
    assert r.status_code == 409
    assert [c["field"] for c in r.json()["changes"]] == ["occupation"]
    # Another field changed since: the attribute's own value did not, so it is recorded.
    api_client(ctx.first).post(f"/members/{o.pk}/record", {"hometown": "Xã Đăk Môn"})
    fresh = api_client(ctx.second).get(f"/members/{o.pk}").json()["version"]
    api_client(ctx.first).post(f"/members/{o.pk}/record", {"hometown": "Xã Đăk Pék"})
    r = api_client(ctx.second).post(
        f"/members/{o.pk}/attributes",
        {"field": "occupation", "value": "public_employee", "kind": "correction", "version": fresh},
    )
    assert r.status_code == 201, r.content


def test_a_score_sheet_refuses_a_participant_s_score_changed_since_naming_them(ctx, api_client):
    """The record of training.scores is the class's whole sheet: a score of ANOTHER person
    changed after the editor read it refuses their save (the person named, the values); someone
    enrolled since is no overwrite."""
    from dangvu.testing.factories import make_member
    from dangvu.training.services import enrolment_create

    c = _score_sheet(ctx)
    ann, blup = c.enrolments.order_by("pk")
    first, second = api_client(ctx.first), api_client(ctx.second)
    seen = second.get(f"/classes/{c.pk}").json()["scores_version"]
    r = first.post(f"/classes/{c.pk}/scores", {"scores": [{"enrolment": blup.pk, "score": 6}]})
    assert r.status_code == 201
    body = {"scores": [{"enrolment": ann.pk, "score": 9}], "version": seen}
    r = second.post(f"/classes/{c.pk}/scores", body)
    assert r.status_code == 409, r.content
    assert [(x["field"], x["label"], x["seen"], x["now"]) for x in r.json()["changes"]] == [
        (f"e{blup.pk}", "Y Blúp", "—", "6.00")
    ]
    ann.refresh_from_db()
    assert ann.score is None
    # A person enrolled after the sheet was read changes no score the editor saw.
    seen = second.get(f"/classes/{c.pk}").json()["scores_version"]
    new = make_member(ctx.tree.cell1, full_name="Đinh Văn Mới")
    enrolment_create(actor=SYSTEM, training_class=c, member=new)
    r = second.post(f"/classes/{c.pk}/scores", {**body, "version": seen})
    assert r.status_code == 201, r.content
    ann.refresh_from_db()
    assert ann.score == 9
