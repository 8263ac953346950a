"""The editors' articles through the API (news.api, /news/articles): the same services as the
pages, so a draft is sanitised, each save is a revision, each change audited, a publication
reaches the public API; the state actions keep the page's rules (a refused one writes
nothing); outside the editor's committees an article does not exist."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dangvu.audit.models import AuditRecord
from dangvu.news.models import Article, ArticleImage, PortalVersion
from dangvu.testing.factories import db_snapshot, make_user, stored_rows

pytestmark = pytest.mark.django_db

NEW = "/news/articles"


@pytest.fixture
def editor(tree, category):
    """Propaganda staff of Kon Tum (writes and publishes its committees' news)."""
    return make_user("editor_kt", role="editor", org=tree.province)


@pytest.fixture
def client(editor, api_client):
    return api_client(editor)


def _body(tree, **kw) -> dict:
    data = {
        "organisation": tree.committee.code,
        "title": "Đăk Pék kết nạp 12 đảng viên mới",
        "lead": "Đảng ủy xã hoàn thành chỉ tiêu năm.",
        "body": "<p>Các chi bộ thôn tạo nguồn từ đoàn viên ưu tú.</p>",
        "category": "xay-dung-dang",
        "tags": ["phát triển đảng viên", "Đăk Pék"],
        "source": "Đảng ủy xã Đăk Pék",
        "author": "Y Hoa",
    }
    data.update(kw)
    return data


def _create(client, tree, **kw) -> dict:
    response = client.post(NEW, _body(tree, **kw))
    assert response.status_code == 201, response.content
    return response.json()


def _photo(fmt="PNG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (180, 40, 40)).save(out, fmt)
    return SimpleUploadedFile("anh.png", out.getvalue())


def _upload(client, article_id, **data):
    return client.client.post(
        f"/api/v1/news/articles/{article_id}/images", data, **client._headers()
    )


def _version() -> int:
    return PortalVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def _actions(article_id) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="article", object_id=article_id)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_draft_edited_reviewed_and_published_reaches_the_public_api(tree, client, api_client):
    public = api_client(None)
    a = _create(client, tree)
    assert a["state"] == "draft" and a["revision"] == 1 and a["revisions"] == 1
    assert a["organisation"] == tree.committee.code
    assert a["tags"] == ["phát triển đảng viên", "Đăk Pék"]
    assert a["can_publish"] is True and a["live"] is False
    assert public.get("/articles").json() == []
    assert public.get(f"/articles/{a['id']}").status_code == 404

    edited = client.post(f"{NEW}/{a['id']}", {"title": "Đăk Pék kết nạp 15 đảng viên mới"})
    assert edited.status_code == 200, edited.content
    edited = edited.json()
    assert edited["title"] == "Đăk Pék kết nạp 15 đảng viên mới"
    assert edited["lead"] == a["lead"] and edited["body"] == a["body"]  # the rest as it was
    assert edited["tags"] == a["tags"] and edited["category"] == "xay-dung-dang"
    assert (edited["revision"], edited["revisions"]) == (2, 2)

    reviewed = client.post(f"{NEW}/{a['id']}/state", {"action": "review"})
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["state"] == "review"
    assert client.get(NEW, {"state": "review"}).json()[0]["id"] == a["id"]

    version = _version()
    published = client.post(f"{NEW}/{a['id']}/state", {"action": "publish"})
    assert published.status_code == 200, published.content
    assert published.json()["state"] == "published" and published.json()["live"] is True
    assert _version() > version  # the portal's cache keys change

    listed = public.get("/articles").json()
    assert [x["title"] for x in listed] == ["Đăk Pék kết nạp 15 đảng viên mới"]
    assert public.get(f"/articles/{a['id']}").status_code == 200
    assert _actions(a["id"]) == ["news.create", "news.update", "news.submit", "news.publish"]

    withdrawn = client.post(f"{NEW}/{a['id']}/state", {"action": "unpublish"})
    assert withdrawn.json()["state"] == "draft"
    assert public.get("/articles").json() == []


def test_a_script_in_the_body_is_removed_on_create_and_on_edit(tree, client):
    a = _create(
        client,
        tree,
        body='<p onclick="steal()">Tin<script>alert("x")</script></p><img src=x onerror=alert(1)>',
    )
    stored = Article.objects.get(pk=a["id"]).body
    for text in (a["body"], stored):
        assert "script" not in text and "alert" not in text and "onclick" not in text
    assert "<p>Tin</p>" in a["body"]
    edited = client.post(f"{NEW}/{a['id']}", {"body": "<p>Mới</p><script>x()</script>"}).json()
    assert edited["body"] == "<p>Mới</p>"


def test_a_scheduled_publication_is_not_public_before_its_time(tree, client, api_client):
    a = _create(client, tree)
    at = timezone.now() + timedelta(days=2)
    answer = client.post(f"{NEW}/{a['id']}/state", {"action": "publish", "publish_at": at})
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "published" and answer.json()["live"] is False
    assert api_client(None).get(f"/articles/{a['id']}").status_code == 404
    # Without a time zone: Vietnam's time, as the page reads it.
    b = _create(client, tree, title="Bài hẹn giờ")
    naive = (timezone.localtime() + timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    answer = client.post(f"{NEW}/{b['id']}/state", {"action": "publish", "publish_at": naive})
    assert answer.status_code == 200, answer.content
    stored = Article.objects.get(pk=b["id"]).publish_at
    assert timezone.localtime(stored).replace(tzinfo=None) == naive


@pytest.mark.parametrize(
    ("state", "body", "field"),
    [
        ("draft", {"action": "unpublish"}, "state"),  # only a published article is withdrawn
        ("review", {"action": "review"}, "state"),  # only a draft is sent for review
        ("published", {"action": "publish"}, "state"),  # already published
        ("draft", {"action": "publish", "publish_at": "2020-01-01T08:00:00"}, "publish_at"),
        ("draft", {"action": "review", "publish_at": "2030-01-01T08:00:00"}, "publish_at"),
        ("draft", {"action": "withdraw"}, "action"),  # not an action of the page
    ],
)
def test_a_refused_state_change_names_the_field_and_writes_nothing(
    tree, client, state, body, field
):
    a = _create(client, tree)
    if state in ("review", "published"):
        client.post(f"{NEW}/{a['id']}/state", {"action": "review"})
    if state == "published":
        client.post(f"{NEW}/{a['id']}/state", {"action": "publish"})
    before, rows, version = db_snapshot(), stored_rows(), _version()
    answer = client.post(f"{NEW}/{a['id']}/state", body)
    assert answer.status_code == 422, answer.content
    assert list(answer.json()["errors"]) == [field]
    assert db_snapshot() == before and stored_rows() == rows and _version() == version
    assert Article.objects.get(pk=a["id"]).state == state


def test_an_article_without_lead_or_body_is_not_published(tree, client):
    a = _create(client, tree, lead="", body="")
    rows = stored_rows()
    answer = client.post(f"{NEW}/{a['id']}/state", {"action": "publish"})
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["body"]
    assert stored_rows() == rows


def test_an_editor_of_another_province_gets_404(tree, client, api_client):
    a = _create(client, tree)
    other = api_client(make_user("editor_qn", role="editor", org=tree.province2))
    rows = stored_rows()
    assert other.get(f"{NEW}/{a['id']}").status_code == 404
    assert other.post(f"{NEW}/{a['id']}", {"title": "Của tôi"}).status_code == 404
    assert other.post(f"{NEW}/{a['id']}/state", {"action": "review"}).status_code == 404
    assert _upload(other, a["id"], image=_photo()).status_code == 404
    assert other.get(NEW).json() == []
    assert other.get(NEW, {"org": tree.committee.code}).status_code == 404
    # Nor may they write for Kon Tum's committee: the code is not among theirs.
    answer = other.post(NEW, _body(tree))
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["organisation"]
    assert stored_rows() == rows


def test_a_member_may_not_write_an_article(tree, api_client):
    member = api_client(make_user("dv_kt", role="member", org=tree.cell1))
    before, rows = db_snapshot(), stored_rows()
    answer = member.post(NEW, _body(tree, organisation=tree.cell1.code))
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["organisation"]
    assert member.get(NEW).json() == []
    assert db_snapshot() == before and stored_rows() == rows


def test_a_moderator_neither_reads_nor_edits_the_drafts(tree, client, api_client):
    a = _create(client, tree)
    moderator = api_client(make_user("mod_kt", role="moderator", org=tree.province))
    assert moderator.get(f"{NEW}/{a['id']}").status_code == 404
    assert moderator.post(f"{NEW}/{a['id']}/state", {"action": "review"}).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "khong-co"}, "category"),
        ({"title": "   "}, "title"),
        ({"tags": ["x" * 100, "y" * 100, "z" * 100, "w"]}, "tags"),
        ({"body": "<p>[[so-lieu:members:QN]]</p>"}, "body"),  # a figure of another province
    ],
)
def test_a_bad_field_is_a_422_naming_it(tree, client, change, field):
    answer = client.post(NEW, _body(tree, **change))
    assert answer.status_code == 422, answer.content
    assert list(answer.json()["errors"]) == [field]
    assert not Article.objects.exists()
    a = _create(client, tree)
    rows = stored_rows()
    answer = client.post(f"{NEW}/{a['id']}", change)
    assert answer.status_code == 422 and list(answer.json()["errors"]) == [field]
    assert stored_rows() == rows


def test_the_list_filters_by_committee_state_and_words(tree, client):
    a = _create(client, tree)
    b = _create(client, tree, organisation=tree.province.code, title="Tỉnh ủy họp thường kỳ")
    client.post(f"{NEW}/{b['id']}/state", {"action": "review"})

    def ids(**query):
        answer = client.get(NEW, query)
        assert answer.status_code == 200, answer.content
        return [x["id"] for x in answer.json()]

    assert ids() == [b["id"], a["id"]]  # the last changed first
    assert ids(org=tree.committee.code) == [a["id"]]
    assert ids(state="review") == [b["id"]]
    assert ids(q="tinh uy hop") == [b["id"]]  # accents ignored
    assert ids(q="dang vien moi", org=tree.province.code) == [a["id"]]
    assert ids(limit=1, offset=1) == [a["id"]]
    answer = client.get(NEW, {"org": tree.committee.code, "format": "csv"})
    assert answer.status_code == 200
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    assert a["title"] in text and b["title"] not in text


def test_a_photo_is_added_with_its_caption_and_credit(tree, client):
    a = _create(client, tree)
    answer = _upload(client, a["id"], image=_photo(), caption="Lễ kết nạp", credit="Y Hoa")
    assert answer.status_code == 201, answer.content
    img = answer.json()
    assert (img["caption"], img["credit"], img["width"]) == ("Lễ kết nạp", "Y Hoa", 1200)
    # The portal's widths not wider than the original (news.images.WIDTHS).
    assert img["urls"] == {w: f"/tin-tuc/anh/{img['id']}/{w}.jpg" for w in ("480", "960")}
    full = client.get(f"{NEW}/{a['id']}").json()
    assert [i["id"] for i in full["images"]] == [img["id"]]
    assert "news.image_add" in _actions(a["id"])


def test_a_file_that_is_not_a_photo_is_refused(tree, client):
    a = _create(client, tree)
    rows = stored_rows()
    answer = _upload(client, a["id"], image=SimpleUploadedFile("a.png", b"not a photo"))
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["image"]
    missing = _upload(client, a["id"], caption="Không có ảnh")
    assert missing.status_code == 422 and list(missing.json()["errors"]) == ["image"]
    assert stored_rows() == rows
    assert not ArticleImage.objects.exists()


def test_unknown_fields_are_refused_not_ignored(tree, client):
    """A misspelt field must not seem saved; the committee of an article does not change."""
    a = _create(client, tree)
    rows = stored_rows()
    for body in ({"organisation": tree.province.code}, {"titel": "Sai chính tả"}):
        answer = client.post(f"{NEW}/{a['id']}", body)
        assert answer.status_code == 422 and list(answer.json()["errors"]) == list(body)
    answer = client.post(NEW, _body(tree, featured_on="home"))
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["featured_on"]
    assert stored_rows() == rows
