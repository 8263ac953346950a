"""API v1, the portal: published articles (public: no token needed); the editors' articles
(drafts to publication, through the same services as the pages: sanitising, revisions, audit
and the portal's cache behave the same); the readers' comments for those who moderate them."""

from datetime import datetime
from typing import Annotated

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator, ConfigDict, Field

from dangvu.accounts.scoping import allows
from dangvu.accounts.services import token_authenticate
from dangvu.core.apischema import MAX_ID, codes, documented
from dangvu.core.dates import check_in_range
from dangvu.core.db import prefix_q
from dangvu.core.editing import VersionField, edit_responses
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.core.text import fold
from dangvu.news.choices import ArticleState, CommentState
from dangvu.news.figures import render_figures
from dangvu.news.models import Category
from dangvu.news.selectors import (
    editor_article,
    editor_articles,
    moderation_queue,
    public_article,
    public_search,
    published,
)
from dangvu.news.services import (
    ARTICLE,
    STATE_ACTIONS,
    article_create,
    article_state_change,
    article_update,
    comment_moderate,
    image_add,
)
from dangvu.organisations.selectors import org_get, org_get_or_404

__all__ = ["router"]

router = Router(tags=["news"])


def reader(request):
    """The public operations' authentication: anyone may call them; a bearer token, when sent,
    must be valid and makes the caller known (an editor then also reads an article before its
    publication)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return True
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    user = token_authenticate(key.strip())
    if user is None:
        return None
    request.user = user
    return user


class ArticleOut(Schema):
    id: int
    title: str
    slug: str
    lead: str
    category: str
    tags: list[str]
    source: str
    author: str
    publish_at: datetime | None = Field(description="None: not published yet (editors only)")
    url: str


class ArticleFull(ArticleOut):
    body: str = Field(description="Sanitised HTML, live figures filled in")


class ArticleFilter(Schema):
    q: str = Field("", max_length=200, description="Words, accents ignored")
    category: str = Field("", max_length=100, description="A category's slug")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class CommentOut(Schema):
    id: int
    article: int
    article_title: str
    organisation: str = Field(description="The committee whose article it is (the publisher)")
    organisation_name: str
    name: str
    text: str
    state: codes(CommentState)
    state_label: str
    created_at: datetime


class CommentFilter(Tabular):
    org: str = Field(
        "",
        max_length=40,
        description="Comments on the articles of this committee (and those under it)",
    )
    state: codes(CommentState) = Field("held", description="The comments in this state")
    limit: int = Field(100, ge=1, le=500)


# The moderation queue as a file: what the moderators read, never the reader's e-mail nor
# address (CommentOut carries neither).
COMMENTS = TableSpec(
    "comments",
    "Ý kiến bạn đọc về các bài viết",
    (
        Column("Thời điểm gửi", "datetime", 17, key="created_at"),
        Column("Người gửi", key="name", width=22),
        Column("Ý kiến", key="text", width=60),
        Column("Bài viết", key="article_title", width=40),
        Column("Cấp ủy đăng bài", key="organisation_name", width=28),
        Column("Trạng thái", key="state_label", width=16),
        Column("Mã ý kiến", "int", 10, key="id"),
    ),
)


class ModerateIn(Schema):
    state: codes((CommentState.APPROVED, CommentState.REJECTED, CommentState.SPAM)) = Field(
        ..., description="The judgement"
    )


def _out(a) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "slug": a.slug,
        "lead": a.lead,
        "category": a.category.slug,
        "tags": a.tag_list(),
        "source": a.source,
        "author": a.author,
        "publish_at": a.publish_at,
        "url": f"/tin-tuc/bai/{a.pk}/{a.slug}/",
    }


def _comment(c) -> dict:
    return {
        "id": c.pk,
        "article": c.article_id,
        "article_title": c.article.title,
        "organisation": c.organisation.code,
        "organisation_name": c.organisation.name,
        "name": c.name,
        "text": c.text,
        "state": c.state,
        "state_label": str(c.get_state_display()),
        "created_at": c.created_at,
    }


@router.get("/articles", response=documented(list[ArticleOut]), auth=reader)
def articles(request, filters: Query[ArticleFilter]):
    """The portal's published articles, newest first (public: no token needed)."""
    qs = public_search(filters.q) if filters.q.strip() else published()
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    return [_out(a) for a in qs[filters.offset : filters.offset + filters.limit]]


@router.get("/articles/{article_id}", response=documented(ArticleFull), auth=reader)
def article(request, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """One published article with its body (public; with a bearer token, an article you may
    edit before its publication too)."""
    a = public_article(article_id, getattr(request, "user", None))
    return {**_out(a), "body": render_figures(a.body)}


@router.get("/comments", response=documented(list[CommentOut]), openapi_extra=tabular(COMMENTS))
def comments(request, filters: Query[CommentFilter]):
    """Readers' comments on the articles of the committees you moderate, by state (the queue:
    `held`), oldest first; `org`: on the articles of that committee and those under it. The
    e-mail addresses are never given. As a file (`format`): every one, not only `limit`."""
    if filters.state not in CommentState.values:
        raise ValidationError(
            {"state": _("Choose one of: %(v)s.") % {"v": ", ".join(CommentState.values)}}
        )
    qs = moderation_queue(actor=request.user, state=filters.state).select_related("organisation")
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="news.moderate")
        qs = qs.filter(prefix_q("org_path", org.path))
    if filters.format != "json":
        items = (_comment(c) for c in qs.iterator(chunk_size=2000))
        return table_response(COMMENTS, filters.format, items, schema=CommentOut, org=org)
    return [_comment(c) for c in qs[: filters.limit]]


@router.post("/comments/{comment_id}/moderate", response=documented(CommentOut))
def moderate(request, payload: ModerateIn, comment_id: int = Path(..., ge=1, le=MAX_ID)):
    """Approve (it appears under the article), reject or mark as spam."""
    c = moderation_queue(actor=request.user, state="").filter(pk=comment_id).first()
    if c is None:
        raise Http404
    c = comment_moderate(actor=request.user, comment=c, state=payload.state)
    return _comment(c)


# --- the editors' articles (the pages of news.views, the same services) ------------------------

StateCode = codes(ArticleState)


def _moment(value: datetime) -> datetime:
    """A date and time in Dangvu's range; without a time zone, Vietnam's time (as the page's
    field reads it)."""
    check_in_range(value.date())
    return timezone.make_aware(value) if timezone.is_naive(value) else value


Moment = Annotated[datetime, AfterValidator(_moment)]


class ImageOut(Schema):
    id: int
    caption: str
    credit: str
    width: int = Field(description="The original's width, in pixels")
    height: int
    urls: dict[str, str] = Field(
        description="{width: address} of the resized copies (served once the article is published)"
    )


class EditorArticleOut(Schema):
    id: int
    title: str
    slug: str
    lead: str
    category: str = Field(description="The category's slug")
    category_name: str
    tags: list[str]
    source: str
    author: str
    featured: bool = Field(description="Featured on the portal's home page")
    organisation: str = Field(description="The publishing committee's code")
    organisation_name: str
    state: StateCode
    state_label: str
    publish_at: datetime | None = Field(
        description="When it is (or was) published; later than now: scheduled"
    )
    live: bool = Field(description="Readers see it now: published and its time has come")
    revision: int = Field(description="The number of the last saved revision")
    created_at: datetime
    updated_at: datetime
    url: str = Field(description="Its public address (a preview for its editors until live)")


class EditorArticleFull(EditorArticleOut):
    body: str = Field(
        description="Sanitised HTML as stored, live-figure tokens ([[so-lieu:…]]) as written"
    )
    revisions: int = Field(description="How many revisions are kept")
    images: list[ImageOut]
    can_publish: bool = Field(description="You may publish or withdraw it")
    version: str = Field(description="The article as read now: send it with an edit")


class EditorFilter(Tabular):
    org: str = Field(
        "",
        max_length=40,
        description="The articles of this committee (and those under it)",
    )
    state: codes(ArticleState, "") = Field("", description="In this state (default: any)")
    q: str = Field(
        "", max_length=200, description="Words of the headline, lead, tags or body, accents ignored"
    )
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class _Closed(Schema):
    """Unknown fields are refused (422 naming them), not ignored."""

    model_config = ConfigDict(extra="forbid")


class ArticleIn(_Closed):
    organisation: str = Field(
        ..., max_length=40, description="The publishing committee's code (one you edit for)"
    )
    title: str = Field(..., max_length=300, description="The headline")
    lead: str = Field("", max_length=1000)
    body: str = Field(
        "",
        max_length=200_000,
        description="HTML paragraphs (<p>, <h2>, <strong>, <a href>, <ul>, <blockquote>…); "
        "anything else is removed. A live figure: [[so-lieu:ethnic_minority_share:CODE]] (also "
        "members, women_share, religious_share)",
    )
    category: str = Field(..., max_length=100, description="A category's slug")
    tags: list[str] = Field(
        [], max_length=50, description="Each without a comma; at most 300 characters in all"
    )
    source: str = Field("", max_length=100)
    author: str = Field("", max_length=150)
    featured: bool = Field(False, description="Featured on the portal's home page")


class ArticleChangeIn(_Closed):
    """What changes: a field left out (or null) keeps its value; the committee does not
    change (`organisation` is refused)."""

    title: str | None = Field(None, max_length=300)
    lead: str | None = Field(None, max_length=1000)
    body: str | None = Field(None, max_length=200_000, description="As for a new article")
    category: str | None = Field(None, max_length=100, description="A category's slug")
    tags: list[str] | None = Field(None, max_length=50, description="The whole list")
    source: str | None = Field(None, max_length=100)
    author: str | None = Field(None, max_length=150)
    featured: bool | None = None
    version: str | None = VersionField()


class StateIn(_Closed):
    action: codes(STATE_ACTIONS) = Field(
        ...,
        description="review: send a draft for review; publish: publish now, or at "
        "`publish_at` (scheduled); unpublish: withdraw a published or scheduled article "
        "(back to draft)",
    )
    publish_at: Moment | None = Field(
        None,
        description="For `publish`: when (empty: now); without a time zone, Vietnam's time",
    )


class ImageIn(Schema):
    caption: str = Field("", max_length=300)
    credit: str = Field("", max_length=150)


# The editors' list as a file: what the list page shows, with the committee.
ARTICLES = TableSpec(
    "articles",
    "Bài viết của cổng thông tin",
    (
        Column("Cập nhật lúc", "datetime", 17, key="updated_at"),
        Column("Tiêu đề", key="title", width=50),
        Column("Chuyên mục", key="category_name", width=24),
        Column("Trạng thái", key="state_label", width=16),
        Column("Thời điểm đăng", "datetime", 17, key="publish_at"),
        Column("Cấp ủy đăng bài", key="organisation_name", width=28),
        Column("Tác giả", key="author", width=22),
        Column("Nguồn", key="source", width=20),
        Column("Từ khóa", key="tags", width=30),
        Column("Lần sửa", "int", 8, key="revision"),
        Column("Mã bài viết", "int", 10, key="id"),
    ),
)


def _image(img) -> dict:
    return {
        "id": img.pk,
        "caption": img.caption,
        "credit": img.credit,
        "width": img.width,
        "height": img.height,
        "urls": {w: f"/tin-tuc/anh/{img.pk}/{w}.jpg" for w in img.files},
    }


def _editor(a) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "slug": a.slug,
        "lead": a.lead,
        "category": a.category.slug,
        "category_name": a.category.name,
        "tags": a.tag_list(),
        "source": a.source,
        "author": a.author,
        "featured": a.featured,
        "organisation": a.organisation.code,
        "organisation_name": a.organisation.name,
        "state": a.state,
        "state_label": str(a.get_state_display()),
        "publish_at": a.publish_at,
        "live": a.state == ArticleState.PUBLISHED
        and a.publish_at is not None
        and a.publish_at <= timezone.now(),
        "revision": a.revision,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "url": f"/tin-tuc/bai/{a.pk}/{a.slug}/",
    }


def _editor_full(request, article_id: int) -> dict:
    a = editor_article(actor=request.user, pk=article_id)
    return {
        **_editor(a),
        "body": a.body,
        "revisions": a.revisions.count(),
        "images": [_image(img) for img in a.images.all()],
        "can_publish": allows(request.user, "news.publish", a),
        "version": ARTICLE.version(a),
    }


def _category(slug: str):
    """The category with this slug, or None (the service then asks to choose one)."""
    return Category.objects.filter(slug=slug).first()


def _tags(tags: list[str]) -> str:
    return ", ".join(t.strip() for t in tags if t.strip())


@router.get(
    "/news/articles", response=documented(list[EditorArticleOut]), openapi_extra=tabular(ARTICLES)
)
def editor_list(request, filters: Query[EditorFilter]):
    """The articles of the committees you edit for, in any state, the last changed first;
    `org`: of that committee and those under it; `q`: words, accents ignored. As a file
    (`format`): every one, not only `limit`."""
    qs = editor_articles(actor=request.user, state=filters.state)
    org = None
    if filters.org:
        org = org_get_or_404(actor=request.user, code=filters.org, action="news.edit")
        qs = qs.filter(prefix_q("org_path", org.path))
    for word in fold(filters.q).split()[:8]:
        qs = qs.filter(search__contains=word)
    if filters.format != "json":
        items = (_editor(a) for a in qs.iterator(chunk_size=2000))
        return table_response(ARTICLES, filters.format, items, schema=EditorArticleOut, org=org)
    return [_editor(a) for a in qs[filters.offset : filters.offset + filters.limit]]


@router.post("/news/articles", response=documented(EditorArticleFull, 201))
def editor_create(request, payload: ArticleIn):
    """Write a draft for a committee you edit for. The body's HTML is cleaned (no script, no
    style, no event handler); each save is a revision."""
    org = org_get(actor=request.user, code=payload.organisation, action="news.edit")
    if org is None or not org.is_active:
        raise ValidationError({"organisation": _("No organisation with this code among yours.")})
    data = payload.dict(exclude={"organisation"})
    data["category"] = _category(payload.category)
    data["tags"] = _tags(payload.tags)
    a = article_create(actor=request.user, organisation=org, data=data)
    return Status(201, _editor_full(request, a.pk))


@router.get("/news/articles/{article_id}", response=documented(EditorArticleFull))
def editor_get(request, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """An article you edit, in any state: its body as stored, photos and revision count."""
    return _editor_full(request, article_id)


@router.post("/news/articles/{article_id}", response=edit_responses(EditorArticleFull))
def editor_update(request, payload: ArticleChangeIn, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change an article you edit: the fields sent, the others as they are; saved as a new
    revision. A published article stays published with its new text."""
    a = editor_article(actor=request.user, pk=article_id)
    data = {
        "title": a.title,
        "lead": a.lead,
        "body": a.body,
        "category": a.category,
        "tags": a.tags,
        "source": a.source,
        "author": a.author,
        "featured": a.featured,
    }
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = changes.pop("version", None)
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    if "tags" in changes:
        changes["tags"] = _tags(changes["tags"])
    article_update(actor=request.user, article=a, data={**data, **changes}, version=version)
    return _editor_full(request, a.pk)


@router.post("/news/articles/{article_id}/state", response=documented(EditorArticleFull))
def editor_state(request, payload: StateIn, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """Send a draft for review, publish (now, or at `publish_at`: scheduled) or withdraw from
    the portal, as the article's page does. Publishing and withdrawing need the right to
    publish for its committee; a publication needs a lead or a body, and is not scheduled in
    the past."""
    a = editor_article(actor=request.user, pk=article_id)
    article_state_change(actor=request.user, article=a, to=payload.action, at=payload.publish_at)
    return _editor_full(request, a.pk)


@router.post("/news/articles/{article_id}/images", response=documented(ImageOut, 201))
def editor_image(
    request,
    payload: Form[ImageIn],
    image: File[UploadedFile],
    article_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Add a photo (JPEG, PNG or WebP, at most 15 MB) to an article you edit, with its caption
    and credit (multipart/form-data: `image`, `caption`, `credit`); resized to the portal's
    widths."""
    a = editor_article(actor=request.user, pk=article_id)
    img = image_add(
        actor=request.user,
        article=a,
        upload=image,
        caption=payload.caption,
        credit=payload.credit,
    )
    return Status(201, _image(img))
