"""API v1, the portal: published articles (public: no token needed), and the readers' comments
for those who moderate them."""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from dangvu.accounts.services import token_authenticate
from dangvu.core.apischema import MAX_ID, codes, documented
from dangvu.core.db import prefix_q
from dangvu.core.errors import ValidationError
from dangvu.core.tables import Column, TableSpec, Tabular, table_response, tabular
from dangvu.news.choices import CommentState
from dangvu.news.figures import render_figures
from dangvu.news.selectors import moderation_queue, public_article, public_search, published
from dangvu.news.services import comment_moderate
from dangvu.organisations.selectors import org_get_or_404

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
